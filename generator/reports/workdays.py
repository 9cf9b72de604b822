"""Working days (工作日) of mainland China, for the time limits (公开时限).

Weekends and statutory holidays are off; make-up working days (调休, a Saturday or
Sunday worked in exchange for a longer holiday) are on. Three sources, in order:

1. `site.toml [calendar]` — `holidays` and `workdays` the web team lists, chiefly for
   years the package does not know yet (the State Council publishes each year's
   schedule in November or December of the year before); they also override the package;
2. `chinese-calendar` (pinned 1.11.0: 2004–2026);
3. a year known to neither is counted Monday–Friday, and `unknown_years` remembers it
   so that the caller gives ONE warning naming the year.

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

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()):
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.site_years = frozenset(d.year for d in self.holidays | self.workdays)
        self.unknown_years: set[int] = set()      # years counted Monday–Friday
        self._package_years: dict[int, bool] = {}
        self._days: dict[date, bool] = {}         # memo: a deadline walks the same days again and again
        self._years: dict[int, list[int]] = {}     # running totals per year, for long spans

    @classmethod
    def from_config(cls, config) -> "WorkCalendar":
        return cls(config.calendar.holidays, config.calendar.workdays)

    def knows(self, year: int) -> bool:
        """Does the package or site.toml hold this year's holiday schedule?"""
        return year in self.site_years or self._package_knows(year)

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
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        if self._package_knows(day.year):
            return chinese_calendar.is_workday(day)
        if day.year not in self.site_years:
            self.unknown_years.add(day.year)
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
        """One message per year that was counted Monday–Friday."""
        return [f"{year} 年的节假日安排未知（chinese-calendar 与 site.toml [calendar] 均无该年数据），"
                f"已按周一至周五计算工作日。请在 site.toml 的 [calendar] 中补充 {year} 年的 holidays 和 workdays。"
                for year in sorted(self.unknown_years)]


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
