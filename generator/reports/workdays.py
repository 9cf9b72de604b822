"""Working days (工作日) of mainland China, for the time limits (公开时限).

Weekends and statutory holidays are off; make-up working days (调休, a Saturday or
Sunday worked in exchange for a longer holiday) are on. Three sources, in order:

1. `site.toml [calendar]` — `holidays` and `workdays` the web team lists, chiefly for
   years the package does not know yet (the State Council publishes each year's
   schedule in November or December of the year before); they also override the package;
2. `chinese-calendar` (pinned 1.11.0: 2004–2026);
3. any other day is counted Monday–Friday.

The calendar KNOWS a year when the package has it or when site.toml lists it in
`[calendar] complete_years` (the admin adds the year once the State Council's notice is
entered whole; config.py refuses a complete year without a single holiday). Dates listed
for a year not in complete_years are used, but a partial list does not make the year
known: a figure counted through such a year is UNCERTAIN. `uncertain_years` remembers
every unknown year met, so that the caller gives ONE warning per year, and
`uncertain_between` tells which unknown years one deadline or one count went through.

Counting goes day by day with `is_workday`: the package's own `find_workday` lands a
day late when it starts from a holiday or a weekend. The start day is never counted:
the 1st working day after Friday 2026-09-18 is Sunday 2026-09-20 (a make-up day).
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Iterable, Optional

import chinese_calendar

ONE_DAY = timedelta(days=1)


class WorkCalendar:
    """Which days are working days. Not thread-safe: it records the unknown years it met."""

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = (),
                 complete_years: Iterable[int] = ()):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.site_years = frozenset(d.year for d in self.holidays | self.workdays)   # some dates listed
        self.complete_years = frozenset(complete_years)     # site.toml says: this year's schedule is whole
        self.uncertain_years: set[int] = set()    # unknown years met: counted from a partial list or Monday–Friday
        self._package_years: dict[int, bool] = {}
        self._days: dict[date, bool] = {}         # memo: a deadline walks the same days again and again
        self._years: dict[int, list[int]] = {}     # running totals per year, for long spans

    @classmethod
    def from_config(cls, config) -> "WorkCalendar":
        calendar = config.calendar
        return cls(calendar.holidays, calendar.workdays, getattr(calendar, "complete_years", ()))

    @property
    def unknown_years(self) -> set[int]:
        """The former name of `uncertain_years`."""
        return self.uncertain_years

    def knows(self, year: int) -> bool:
        """Does the package hold this year's holiday schedule, or does site.toml say it holds it whole
        (`complete_years`)? Some dates listed for the year are not enough."""
        return year in self.complete_years or self._package_knows(year)

    def uncertain_between(self, a: date, b: date) -> tuple[int, ...]:
        """The years the calendar does not know among those of the days d with a < d <= b (either order):
        what a deadline counted from `a` to `b`, or a count of working days between them, went through."""
        if b < a:
            a, b = b, a
        if a == b:
            return ()
        return tuple(year for year in range((a + ONE_DAY).year, b.year + 1) if not self.knows(year))

    def _package_knows(self, year: int) -> bool:
        if year not in self._package_years:
            try:
                chinese_calendar.is_workday(date(year, 6, 1))
                self._package_years[year] = True
            except NotImplementedError:
                self._package_years[year] = False
        return self._package_years[year]

    def is_workday(self, day: date) -> bool:
        known = self._days.get(day)
        if known is None:
            known = self._days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if not self.knows(day.year):
            self.uncertain_years.add(day.year)      # even for a listed date: the list may be partial
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if self._package_knows(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after `start` (the start day itself not counted). n >= 1."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while counted < n:
            day += ONE_DAY
            if self.is_workday(day):
                counted += 1
        return day

    def working_days_between(self, a: date, b: date) -> int:
        """Working days d with a < d <= b (negative, mirrored, when b is before a)."""
        if b < a:
            return -self.working_days_between(b, a)
        if a == b:
            return 0
        first = a + ONE_DAY          # count over [first, b]; only the years of those days are looked at
        count = sum(self._year_counts(year)[-1] for year in range(first.year, b.year))
        before_first = self._year_counts(first.year)[first.timetuple().tm_yday - 1] - self.is_workday(first)
        return count + self._year_counts(b.year)[b.timetuple().tm_yday - 1] - before_first

    def _year_counts(self, year: int) -> list[int]:
        """counts[i]: working days from 1 January to day i + 1 of the year, inclusive (a running total)."""
        counts = self._years.get(year)
        if counts is None:
            counts, total, day = [], 0, date(year, 1, 1)
            while day.year == year:
                total += self.is_workday(day)
                counts.append(total)
                day += ONE_DAY
            self._years[year] = counts
        return counts

    def warnings(self) -> list[str]:
        """One message per unknown year met (counted Monday–Friday, apart from the dates site.toml lists)."""
        return [self.warning(year) for year in sorted(self.uncertain_years)]

    def warning(self, year: int) -> str:
        if year in self.site_years:
            return (f"{year} 年的节假日安排不完整（site.toml [calendar] 列有该年的部分日期，但 complete_years 中没有 {year}），"
                    f"已按所列日期和周一至周五计算工作日，涉及该年的期限不确定。写全国务院公布的 {year} 年放假安排"
                    f"（holidays 和 workdays）后，请把 {year} 加进 [calendar] 的 complete_years。")
        return (f"{year} 年的节假日安排未知（chinese-calendar 与 site.toml [calendar] 均无该年数据），"
                f"已按周一至周五计算工作日，涉及该年的期限不确定。国务院公布 {year} 年放假安排后，请在 site.toml 的 "
                f"[calendar] 中补充 {year} 年的 holidays 和 workdays，并把 {year} 加进 complete_years。")


_DEFAULT: Optional[WorkCalendar] = None


def _calendar(calendar: Optional[WorkCalendar]) -> WorkCalendar:
    global _DEFAULT
    if calendar is not None:
        return calendar
    if _DEFAULT is None:
        _DEFAULT = WorkCalendar()
    return _DEFAULT


def is_workday(day: date, calendar: Optional[WorkCalendar] = None) -> bool:
    return _calendar(calendar).is_workday(day)


def add_working_days(start: date, n: int, calendar: Optional[WorkCalendar] = None) -> date:
    """The n-th working day after `start`; `calendar` carries site.toml's [calendar] data."""
    return _calendar(calendar).add_working_days(start, n)


def working_days_between(a: date, b: date, calendar: Optional[WorkCalendar] = None) -> int:
    return _calendar(calendar).working_days_between(a, b)
