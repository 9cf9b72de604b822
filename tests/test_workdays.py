"""Working-day arithmetic against a hand-checked table of real 2026 dates.

2026 schedule (国办发明电〔2025〕 as chinese-calendar 1.11.0 has it, checked day by day):
元旦 1月1日–3日 off, 1月4日 (Sun) on; 春节 2月15日–23日 off, 2月14日 (Sat) and 2月28日 (Sat) on;
清明 4月4日–6日 off; 劳动节 5月1日–5日 off, 5月9日 (Sat) on; 端午 6月19日–21日 off;
中秋 9月25日–27日 off; 国庆 10月1日–7日 off, 9月20日 (Sun) and 10月10日 (Sat) on.
"""
from datetime import date

import chinese_calendar
import pytest

from generator.reports.workdays import WorkCalendar, add_working_days, working_days_between

D = date.fromisoformat


@pytest.mark.parametrize("day, workday", [
    ("2026-02-13", True),    # Friday before the Spring Festival
    ("2026-02-14", True),    # Saturday, make-up working day (调休)
    ("2026-02-15", False),   # Spring Festival holiday begins (Sunday)
    ("2026-02-17", False),   # 正月初一
    ("2026-02-23", False),   # Monday, last day off
    ("2026-02-24", True),
    ("2026-02-28", True),    # Saturday, make-up working day
    ("2026-03-01", False),   # an ordinary Sunday
    ("2026-09-20", True),    # Sunday, make-up working day for National Day
    ("2026-09-25", False),   # 中秋 (Friday)
    ("2026-10-01", False),
    ("2026-10-07", False),
    ("2026-10-08", True),
    ("2026-10-10", True),    # Saturday, make-up working day
    ("2026-10-11", False),   # an ordinary Sunday
])
def test_is_workday_2026(day, workday):
    assert WorkCalendar().is_workday(D(day)) is workday
    assert chinese_calendar.is_workday(D(day)) is workday     # the table agrees with the package itself


@pytest.mark.parametrize("start, n, expected", [
    # National Day: 9-20 (Sun) counts, 9-25..27 and 10-1..7 do not, 10-10 (Sat) counts
    ("2026-09-18", 1, "2026-09-20"),
    ("2026-09-18", 7, "2026-09-29"),     # SPEC's proposal_deadline example
    ("2026-09-18", 20, "2026-10-22"),    # SPEC's publish_deadline example
    ("2026-09-30", 1, "2026-10-08"),     # from the eve of the holiday: the day after it ends
    ("2026-09-30", 3, "2026-10-10"),     # the make-up Saturday
    ("2026-09-30", 20, "2026-11-03"),
    ("2026-10-03", 1, "2026-10-08"),     # from inside the holiday (find_workday would say 10-09)
    # Spring Festival: 2-14 (Sat) counts, 2-15..23 do not, 2-28 (Sat) counts
    ("2026-02-10", 4, "2026-02-14"),
    ("2026-02-10", 5, "2026-02-24"),
    ("2026-02-10", 7, "2026-02-26"),
    ("2026-02-10", 9, "2026-02-28"),
    ("2026-02-10", 20, "2026-03-16"),
    ("2026-02-15", 1, "2026-02-24"),     # from the first day off
    ("2026-02-21", 1, "2026-02-24"),     # from a Saturday inside the holiday
    # an ordinary week: the start day never counts
    ("2026-03-06", 1, "2026-03-09"),     # Friday -> Monday
    ("2026-03-07", 1, "2026-03-09"),     # Saturday -> Monday
    ("2026-03-09", 5, "2026-03-16"),
])
def test_add_working_days_2026(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)


def test_package_find_workday_is_a_day_late_from_a_holiday():
    """Why we count day by day: the package's own helper overshoots from a day off."""
    assert chinese_calendar.find_workday(1, D("2026-10-03")) == D("2026-10-09")
    assert add_working_days(D("2026-10-03"), 1) == D("2026-10-08")


@pytest.mark.parametrize("a, b, count", [
    ("2026-09-18", "2026-10-22", 20),
    ("2026-09-30", "2026-10-08", 1),
    ("2026-10-01", "2026-10-07", 0),     # the whole National Day holiday
    ("2026-02-13", "2026-02-28", 6),     # 2-14 (Sat), 2-24, 2-25, 2-26, 2-27, 2-28 (Sat)
    ("2026-03-16", "2026-03-17", 1),
    ("2026-03-17", "2026-03-16", -1),
    ("2026-03-16", "2026-03-16", 0),
])
def test_working_days_between(a, b, count):
    assert working_days_between(D(a), D(b)) == count


def test_deadline_crossing_into_2027_uses_site_calendar_when_the_year_is_complete():
    """2026-12-10 + 20 working days: 15 in December, then 2027 from [calendar] (元旦 off); complete_years
    says the list is the whole schedule, so the figures are exact (a made-up one-day schedule here)."""
    site = WorkCalendar(holidays=[D("2027-01-01")], complete_years=[2027])
    assert site.knows(2027)
    assert site.add_working_days(D("2026-12-10"), 7) == D("2026-12-21")
    assert site.add_working_days(D("2026-12-10"), 20) == D("2027-01-08")
    assert site.uncertain_between(D("2026-12-10"), D("2027-01-08")) == ()
    assert site.uncertain_years == set() and site.warnings() == []


def test_a_partial_list_is_used_but_does_not_silence_the_uncertainty():
    """元旦 listed, 2027 not in complete_years: counted with the listed date, yet uncertain, with one warning."""
    site = WorkCalendar(holidays=[D("2027-01-01")])
    assert not site.knows(2027) and site.knows(2026)
    assert site.add_working_days(D("2026-12-10"), 20) == D("2027-01-08")     # the listed holiday is skipped
    assert site.uncertain_between(D("2026-12-10"), D("2027-01-08")) == (2027,)
    assert site.uncertain_between(D("2027-01-08"), D("2026-12-10")) == (2027,)         # either order
    assert site.uncertain_between(D("2026-12-10"), D("2026-12-31")) == ()               # 2026 only
    assert site.uncertain_between(D("2026-12-31"), D("2027-01-01")) == (2027,)
    assert site.uncertain_between(D("2027-01-01"), D("2027-01-01")) == ()
    assert site.uncertain_years == {2027}
    [warning] = site.warnings()
    assert warning.startswith("2027 年的节假日安排不完整") and "complete_years" in warning
    assert "涉及该年的期限不确定" in warning


def test_a_listed_date_alone_marks_its_year_as_met():
    """Even a walk that only meets the listed holiday itself records the year as uncertain."""
    site = WorkCalendar(holidays=[D("2027-01-01")])
    assert not site.is_workday(D("2027-01-01"))
    assert site.uncertain_years == {2027}


def test_unknown_year_counts_monday_to_friday_with_one_warning():
    bare = WorkCalendar()
    assert bare.add_working_days(D("2026-12-10"), 20) == D("2027-01-07")     # 2027-01-01 (Fri) counted
    assert bare.working_days_between(D("2027-01-01"), D("2027-03-01")) == 41
    assert bare.unknown_years == {2027} and bare.uncertain_years == {2027}
    [warning] = bare.warnings()
    assert warning.startswith("2027 年的节假日安排未知") and "site.toml" in warning and "complete_years" in warning


def test_a_complete_year_is_known_and_the_package_years_always_are():
    calendar = WorkCalendar(holidays=[D("2027-02-08")], complete_years=[2027])
    assert calendar.knows(2004) and calendar.knows(2026) and calendar.knows(2027)
    assert not calendar.knows(2003) and not calendar.knows(2028)
    assert calendar.uncertain_between(D("2026-06-30"), D("2029-01-02")) == (2028, 2029)


def test_site_calendar_overrides_the_package():
    site = WorkCalendar(holidays=[D("2026-03-16")], workdays=[D("2026-03-15")])
    assert site.is_workday(D("2026-03-15")) and not site.is_workday(D("2026-03-16"))
    assert site.add_working_days(D("2026-03-13"), 2) == D("2026-03-17")


def test_make_up_days_of_a_site_year_and_weekends():
    site = WorkCalendar(holidays=[D("2027-02-08")], workdays=[D("2027-02-06")],    # a made-up schedule
                        complete_years=[2027])
    assert site.is_workday(D("2027-02-06"))          # Saturday listed as a make-up day
    assert not site.is_workday(D("2027-02-07"))      # Sunday, weekend
    assert not site.is_workday(D("2027-02-08"))      # Monday, listed holiday
    assert site.is_workday(D("2027-02-09"))
    assert site.unknown_years == set()


def test_zero_days_is_refused():
    with pytest.raises(ValueError):
        add_working_days(D("2026-03-09"), 0)


def test_long_spans_agree_with_counting_day_by_day():
    """working_days_between sums running totals per year; it must equal the plain day-by-day count."""
    from datetime import timedelta
    site = WorkCalendar(holidays=[D("2027-01-01")], complete_years=[2027])

    def by_day(a, b):
        return sum(site.is_workday(a + timedelta(days=k)) for k in range(1, (b - a).days + 1))

    spans = [("2016-03-01", "2026-11-26"), ("2025-12-31", "2026-01-05"), ("2026-12-31", "2027-01-04"),
             ("2026-02-13", "2026-03-02"), ("2024-02-28", "2024-03-01"), ("2026-06-30", "2028-07-01")]
    for a, b in spans:
        assert site.working_days_between(D(a), D(b)) == by_day(D(a), D(b)), (a, b)
    assert site.unknown_years == {2028}
    assert WorkCalendar().working_days_between(D("2026-12-30"), D("2026-12-31")) == 1
