"""Time limits (公开时限) and who keeps them: the compliance report (督促检查).

Rules (政府信息公开条例 第二十六条 and the seed's 公开标准和时限):

- a `timely` item (及时公开) is proposed within 7 working days and published within
  20 working days of `formed_date` (信息形成/变更日期); the start day is not counted.
  Published: `on_time` or `late` (with `working_days_late`); not yet published: `pending`
  (today on or before the deadline) or `overdue`;
- a `long_term` item (长期公开) is refreshed every half year, in the windows 1–15 January
  and 1–15 July: `fresh` when refreshed on or after the start of the latest window that
  has begun, `due` while that window is open and it is not, `stale` after the 15th;
- `expiring_soon`: an item in force whose `expiry_date` falls within 30 days after now;
- uncertain (issue 17 §4): a deadline counted through a year the calendar does not know
  (workdays.WorkCalendar.knows: chinese-calendar's 2004–2026, else `[calendar] complete_years`)
  is `deadline_uncertain`; `uncertain_years` names the unknown years any working-day figure of
  the item went through (its deadlines, or its `working_days_late`). A partial holiday list in
  site.toml does not make a year known.

Which items: every `timely` item that is draft, proposed or approved (an unpublished one
may be overdue); `long_term` items that are approved and in force at `now` (an expired,
abolished or future one has nothing to refresh). Withdrawn items and items whose file
has errors are left out. The report is information, never an error: the command exits 0.

Published means what the visibility rule says (visibility.was_published, on any target):
an item whose privacy check fails was never published, however old its `pub_date`.
This module prints text and JSON; the HTML page is the dashboard's (dashboard.standalone_html).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Optional

from ..config import Config
from ..content import Content
from ..errors import Problem
from ..model import Item
from ..visibility import was_published
from . import registers as registers_module
from .workdays import WorkCalendar

PROPOSAL_DAYS = 7           # 7 个工作日内提出公开
PUBLISH_DAYS = 20           # 20 个工作日内公开
EXPIRING_DAYS = 30          # 30 天内失效：即将失效
WINDOW_LAST_DAY = 15        # 1–15 January / 1–15 July: 长期公开信息半年更新窗口

TIMELY_STATES = ("on_time", "late", "pending", "overdue")
LONG_TERM_STATES = ("fresh", "due", "stale")
COUNT_KEYS = TIMELY_STATES + LONG_TERM_STATES + ("expiring_soon",)

STATE_LABELS = {
    "on_time": "按时公开", "late": "逾期公开", "pending": "待公开（未超期）", "overdue": "超期未公开",
    "fresh": "已按期更新", "due": "待更新（窗口期内）", "stale": "未按期更新", "expiring_soon": "即将失效",
    "proposed_late": "超过 7 个工作日提出",
}
SHORT = {"on_time": "按时", "late": "逾期公开", "pending": "待公开", "overdue": "超期未公开",
         "fresh": "已更新", "due": "待更新", "stale": "未更新", "expiring_soon": "即将失效",
         "proposed_late": "提出超时"}


@dataclass(frozen=True)
class Assessment:
    """One item measured against its time limit."""

    item: Item
    state: str                               # one of TIMELY_STATES or LONG_TERM_STATES
    published_on: Optional[date] = None      # 发布日期 (site time zone), when published by now
    formed_date: Optional[date] = None
    proposal_deadline: Optional[date] = None
    publish_deadline: Optional[date] = None
    proposed_on: Optional[date] = None       # proposed_date, else the file's first commit
    proposed_late: Optional[bool] = None     # None: proposal date unknown (history younger than the item)
    working_days_late: int = 0               # late: after the deadline; overdue: so far
    refreshed_on: Optional[date] = None      # long_term: updated, else git date, else pub_date
    window_start: Optional[date] = None      # long_term: 1 January or 1 July
    expiring_soon: bool = False
    expiry_date: Optional[datetime] = None
    deadline_uncertain: bool = False         # a deadline counted through a year the calendar does not know
    uncertain_years: tuple[int, ...] = ()    # such years, for the deadlines and working_days_late

    @property
    def behind(self) -> bool:
        """Does this item name its department as falling behind?"""
        return self.state in ("late", "overdue", "stale") or bool(self.proposed_late)


@dataclass(frozen=True)
class ComplianceReport:
    now: datetime
    today: date
    window_start: date
    window_end: date
    assessments: tuple[Assessment, ...]                  # by file
    departments: dict[str, dict[str, int]]               # department -> COUNT_KEYS counts, site.toml order
    categories: dict[str, dict[str, int]]                # leaf code -> counts (assessed categories only)
    proposed_late: dict[str, int]                        # department -> items proposed late
    warnings: tuple[Problem, ...] = field(default=())
    # 依申请公开 (registers/applications.csv) against 条例 第三十三条
    applications: tuple["ApplicationAssessment", ...] = field(default=())
    application_departments: dict = field(default_factory=dict)     # department -> APPLICATION_KEYS counts

    def application_totals(self) -> dict[str, int]:
        return {key: sum(c[key] for c in self.application_departments.values()) for key in APPLICATION_KEYS}

    def totals(self) -> dict[str, int]:
        return {key: sum(c[key] for c in self.departments.values()) for key in COUNT_KEYS}

    def uncertain_years(self) -> list[int]:
        """The unknown years the report's working-day figures went through (items and applications)."""
        return sorted({y for a in self.assessments for y in a.uncertain_years}
                      | {y for a in self.applications for y in a.uncertain_years})

    def uncertain_count(self) -> int:
        """Items whose working-day figures are uncertain."""
        return sum(1 for a in self.assessments if a.uncertain_years)

    def behind(self) -> list[str]:
        """Departments that fall behind (超期、逾期、未按期更新或提出超时), in site.toml order."""
        return [d for d, c in self.departments.items()
                if c["overdue"] or c["late"] or c["stale"] or self.proposed_late.get(d)]


def _published_on(item: Item, now: datetime, config: Config) -> Optional[date]:
    """The publication day, if the item has been published (at some moment up to now) on any target."""
    return item.pub_date.astimezone(config.tz).date() if was_published(item, now, None) else None


def _in_force(item: Item, now: datetime, published_on: Optional[date]) -> bool:
    """Published and still valid at `now`: a long-term item that expired or was abolished has nothing to refresh."""
    return (published_on is not None and not item.abolished
            and (item.expiry_date is None or now < item.expiry_date))


def _days_after(calendar: WorkCalendar, deadline: date, day: date) -> int:
    """Working days from the deadline to `day`; the day itself counts as one even on a holiday."""
    if day <= deadline:
        return 0
    return calendar.working_days_between(deadline, day - timedelta(days=1)) + 1


def _uncertain_after(calendar: WorkCalendar, deadline: date, day: date) -> tuple[int, ...]:
    """The unknown years `_days_after` counted through (the day itself counts as one whatever it is)."""
    return calendar.uncertain_between(deadline, day - timedelta(days=1)) if day > deadline else ()


def half_year_window(today: date) -> tuple[date, date]:
    """The latest refresh window that has begun: (1 Jan or 1 Jul, the 15th of that month)."""
    start = date(today.year, 7 if today.month >= 7 else 1, 1)
    return start, start.replace(day=WINDOW_LAST_DAY)


def assess(config: Config, content: Content, now: datetime) -> ComplianceReport:
    """Every relevant item of the site against its time limit at `now`."""
    calendar = WorkCalendar.from_config(config)
    today = now.astimezone(config.tz).date()
    window_start, window_end = half_year_window(today)
    soon = now + timedelta(days=EXPIRING_DAYS)
    warnings: list[Problem] = []
    found: list[Assessment] = []
    for item in sorted(content.items, key=lambda i: i.file):
        if item.file in content.invalid or item.status == "withdrawn":
            continue
        published_on = _published_on(item, now, config)
        in_force = _in_force(item, now, published_on)
        expiring = bool(in_force and item.expiry_date is not None and item.expiry_date <= soon)
        common = dict(item=item, published_on=published_on, formed_date=item.formed_date,
                      expiring_soon=expiring, expiry_date=item.expiry_date)
        if item.period == "timely":
            if item.formed_date is None:
                warnings.append(Problem(item.file, item.line("status"), "formed_date",
                                        "及时公开（timely）条目没有信息形成日期，无法计算公开时限。",
                                        "请写 formed_date:（或 doc_date:）。"))
                continue
            found.append(_timely(item, calendar, today, common))
        elif item.status == "approved" and in_force:
            refreshed = item.updated or published_on
            state = "fresh" if refreshed >= window_start else ("due" if today <= window_end else "stale")
            found.append(Assessment(state=state, refreshed_on=refreshed, window_start=window_start, **common))
    departments = {s.department: dict.fromkeys(COUNT_KEYS, 0) for s in config.sections.values()}
    proposed_late = {d: 0 for d in departments}
    categories: dict[str, dict[str, int]] = {}
    for a in found:
        for counts in (departments.setdefault(a.item.department, dict.fromkeys(COUNT_KEYS, 0)),
                       categories.setdefault(a.item.category, dict.fromkeys(COUNT_KEYS, 0))):
            counts[a.state] += 1
            counts["expiring_soon"] += a.expiring_soon
        if a.proposed_late:
            proposed_late[a.item.department] = proposed_late.get(a.item.department, 0) + 1
    order = list(config.categories)
    categories = {code: categories[code] for code in sorted(categories, key=order.index)}
    register = registers_module.load(config)
    warnings += register.problems.sorted_errors() + register.problems.sorted_warnings()
    applications = tuple(assess_application(a, calendar, today) for a in register.applications)
    by_department = {s.department: dict.fromkeys(APPLICATION_KEYS, 0) for s in config.sections.values()} \
        if applications else {}
    for a in applications:
        counts = by_department.setdefault(a.application.department, dict.fromkeys(APPLICATION_KEYS, 0))
        counts[a.state] += 1
        counts["extended"] += a.application.extended
    warnings += [Problem("site.toml", 0, "calendar", text) for text in calendar.warnings()]
    return ComplianceReport(now, today, window_start, window_end, tuple(found), departments, categories,
                            proposed_late, tuple(warnings), applications, by_department)


# ---------------------------------------------------------------- 依申请公开: 条例 第三十三条

APPLICATION_DAYS = 20            # 收到申请之日起 20 个工作日内答复
APPLICATION_EXTENSION = 20       # 经批准可延长，延长期限最长不超过 20 个工作日
APPLICATION_STATES = ("on_time", "late", "pending", "overdue")
APPLICATION_KEYS = APPLICATION_STATES + ("extended",)
APPLICATION_LABELS = {"on_time": "按期答复", "late": "逾期答复", "pending": "办理中（未超期）",
                      "overdue": "超期未答复", "extended": "延期答复"}


@dataclass(frozen=True)
class ApplicationAssessment:
    """One 依申请公开 application against its time limit (no personal data: the register holds none)."""

    application: "registers_module.Application"
    state: str                       # APPLICATION_STATES
    deadline: date                   # the 20th working day after receipt
    final_deadline: date             # the 40th when extended, else the deadline
    working_days_late: int = 0
    deadline_uncertain: bool = False         # counted through a year the calendar does not know
    uncertain_years: tuple[int, ...] = ()    # such years, for the deadlines and working_days_late


def assess_application(a, calendar: WorkCalendar, today: date) -> ApplicationAssessment:
    deadline = calendar.add_working_days(a.received, APPLICATION_DAYS)
    final = calendar.add_working_days(a.received, APPLICATION_DAYS + APPLICATION_EXTENSION) if a.extended else deadline
    if a.closed is not None:
        state = "on_time" if a.closed <= final else "late"
        late = _days_after(calendar, final, a.closed)
    else:
        state = "pending" if today <= final else "overdue"
        late = _days_after(calendar, final, today)
    in_deadline = calendar.uncertain_between(a.received, final)
    years = tuple(sorted(set(in_deadline) | set(_uncertain_after(calendar, final, a.closed or today))))
    return ApplicationAssessment(a, state, deadline, final, late, bool(in_deadline), years)


def application_notes(a: ApplicationAssessment) -> list[str]:
    """What the 科室 must know about an application, in words; nothing for one answered in time."""
    notes = []
    if a.state == "overdue":
        notes.append(f"超期未答复：应于 {a.final_deadline} 前答复，已超过 {a.working_days_late} 个工作日（{a.application.received} 收到）")
    elif a.state == "late":
        notes.append(f"逾期答复：{a.application.closed} 答复，期限 {a.final_deadline}，晚 {a.working_days_late} 个工作日")
    elif a.state == "pending":
        notes.append(f"办理中：最迟 {a.final_deadline} 答复")
    if a.application.extended:
        notes.append(f"延期答复：原期限 {a.deadline}，延长至 {a.final_deadline}")
    if a.uncertain_years:
        notes.append(uncertain_note(a))
    return notes


def applications_json(report: ComplianceReport) -> dict:
    return {
        "applications": [{"file": a.application.file, "line": a.application.line, "no": a.application.no,
                          "department": a.application.department, "received": a.application.received.isoformat(),
                          "deadline": a.deadline.isoformat(), "extended": a.application.extended,
                          "final_deadline": a.final_deadline.isoformat(), "closed": _iso(a.application.closed),
                          "state": a.state, "working_days_late": a.working_days_late,
                          "deadline_uncertain": a.deadline_uncertain, "uncertain_years": list(a.uncertain_years)}
                         for a in report.applications],
        "application_departments": report.application_departments,
        "application_totals": report.application_totals(),
    }


def _timely(item: Item, calendar: WorkCalendar, today: date, common: dict) -> Assessment:
    formed = item.formed_date
    proposal_deadline = calendar.add_working_days(formed, PROPOSAL_DAYS)
    publish_deadline = calendar.add_working_days(formed, PUBLISH_DAYS)
    published_on = common["published_on"]
    proposed_on: Optional[date] = item.proposed_date
    if "proposed_date" not in item.lines and published_on and proposed_on and proposed_on > published_on:
        proposed_on = None      # the file entered git after it was published: its proposal date is unknown
    proposed_late = None if proposed_on is None else proposed_on > proposal_deadline
    if published_on is not None:
        state = "on_time" if published_on <= publish_deadline else "late"
        late = _days_after(calendar, publish_deadline, published_on)
    else:
        state = "pending" if today <= publish_deadline else "overdue"
        late = _days_after(calendar, publish_deadline, today)
    in_deadline = calendar.uncertain_between(formed, publish_deadline)    # the proposal deadline lies within
    years = tuple(sorted(set(in_deadline) | set(_uncertain_after(calendar, publish_deadline, published_on or today))))
    return Assessment(state=state, proposal_deadline=proposal_deadline, publish_deadline=publish_deadline,
                      proposed_on=proposed_on, proposed_late=proposed_late, working_days_late=late,
                      deadline_uncertain=bool(in_deadline), uncertain_years=years, **common)


# ---------------------------------------------------------------- output

def _iso(value) -> Optional[str]:
    return value.isoformat() if value is not None else None


def as_json(report: ComplianceReport, config: Config) -> dict:
    """The shape SPEC gives for `compliance --format json` (plus a few fields it allows)."""
    items = []
    for a in report.assessments:
        i = a.item
        items.append({
            "file": i.file, "index_no": i.index_no, "title": i.title, "department": i.department,
            "category": i.category, "status": i.status, "period": i.period,
            "formed_date": _iso(a.formed_date), "proposal_deadline": _iso(a.proposal_deadline),
            "publish_deadline": _iso(a.publish_deadline), "published_on": _iso(a.published_on),
            "proposed_on": _iso(a.proposed_on), "proposed_late": a.proposed_late,
            "state": a.state, "working_days_late": a.working_days_late,
            "refreshed_on": _iso(a.refreshed_on), "window_start": _iso(a.window_start),
            "expiry_date": a.expiry_date.astimezone(config.tz).isoformat() if a.expiry_date else None,
            "expiring_soon": a.expiring_soon,
            "deadline_uncertain": a.deadline_uncertain, "uncertain_years": list(a.uncertain_years),
        })
    return {
        "now": report.now.astimezone(config.tz).isoformat(),
        "items": items,
        "departments": report.departments,
        "categories": report.categories,
        "proposed_late": report.proposed_late,
        "totals": report.totals(),
        "behind": report.behind(),
        "uncertain_years": report.uncertain_years(),
        "uncertain_items": report.uncertain_count(),
        "warnings": [w.as_json() for w in report.warnings],
    } | applications_json(report)


def as_text(report: ComplianceReport, config: Config) -> str:
    """A plain report for the terminal: the figures, then per department the items to act on."""
    out = [f"公开时限报告（截至 {report.now.astimezone(config.tz).strftime('%Y-%m-%d %H:%M')}，"
           f"长期公开更新窗口 {report.window_start.isoformat()} 至 {report.window_end.isoformat()}）", ""]
    totals = report.totals()
    out.append("合计：" + "，".join(f"{SHORT[k]} {totals[k]}" for k in COUNT_KEYS)
               + f"，{SHORT['proposed_late']} {sum(report.proposed_late.values())}")
    behind = report.behind()
    out.append("落后科室：" + ("、".join(behind) if behind else "无"))
    if report.uncertain_years():
        out.append(uncertain_summary(report))
    by_department: dict[str, list[Assessment]] = {}
    for a in report.assessments:
        by_department.setdefault(a.item.department, []).append(a)
    for department, counts in report.departments.items():
        out += ["", f"【{department}】" + "，".join(f"{SHORT[k]} {counts[k]}" for k in COUNT_KEYS)
                + f"，{SHORT['proposed_late']} {report.proposed_late.get(department, 0)}"]
        for a in by_department.get(department, []):
            notes = notes_of(a, config)
            if notes:
                out.append(f"  {a.item.file}  {a.item.index_no or '（无索引号）'}  {a.item.title}")
                out += [f"      {note}" for note in notes]
    if report.categories:
        out += ["", "按目录分类："]
        for code, counts in report.categories.items():
            shown = "，".join(f"{SHORT[k]} {counts[k]}" for k in COUNT_KEYS if counts[k])
            out.append(f"  {code} {config.categories[code].name}：{shown}")
    if report.applications:
        out += ["", "依申请公开办理时限（条例第三十三条：收到申请之日起 20 个工作日内答复，经批准可延长不超过 20 个工作日）："]
        for department, counts in report.application_departments.items():
            out.append(f"【{department}】" + "，".join(f"{APPLICATION_LABELS[k]} {counts[k]}" for k in APPLICATION_KEYS))
            for a in report.applications:
                notes = application_notes(a)
                if a.application.department == department and (a.state in ("overdue", "late", "pending")
                                                                or a.application.extended):
                    out.append(f"  {a.application.file}:{a.application.line}  编号 {a.application.no}")
                    out += [f"      {note}" for note in notes]
    if report.warnings:
        out += [""] + ["警告：" + w.text() for w in report.warnings]
    return "\n".join(out) + "\n"


def notes_of(a: Assessment, config: Config) -> list[str]:
    """What a department must know about an item, in words; nothing for an item in order."""
    notes = []
    if a.state == "overdue":
        notes.append(f"超期未公开：应于 {a.publish_deadline} 前公开，已超过 {a.working_days_late} 个工作日"
                     f"（形成于 {a.formed_date}）")
    elif a.state == "late":
        notes.append(f"逾期公开：{a.published_on} 公开，期限 {a.publish_deadline}，晚 {a.working_days_late} 个工作日")
    elif a.state == "pending":
        notes.append(f"待公开：最迟 {a.publish_deadline} 公开")
    elif a.state == "due":
        notes.append(f"待更新：上次更新 {a.refreshed_on}，请在 {a.window_start.replace(day=WINDOW_LAST_DAY)} 前更新")
    elif a.state == "stale":
        notes.append(f"未按期更新：上次更新 {a.refreshed_on}，本半年度窗口自 {a.window_start} 起")
    if a.proposed_late:
        notes.append(f"提出超时：{a.proposed_on} 提出，期限 {a.proposal_deadline}")
    if a.expiring_soon and a.expiry_date is not None:
        notes.append(f"即将失效：{a.expiry_date.astimezone(config.tz).date().isoformat()} 起失效")
    if a.uncertain_years:
        notes.append(uncertain_note(a))
    return notes


UNCERTAIN_MARK = "期限未定"      # the dashboard's mark on an item whose deadline is uncertain


def _years(years) -> str:
    return "、".join(f"{y} 年" for y in years)


def uncertain_note(a) -> str:
    """An item's or application's uncertain figures, in words (it has uncertain_years)."""
    what = "期限" if a.deadline_uncertain else "超期工作日数"
    return (f"{UNCERTAIN_MARK}：{what}的计算经过 {_years(a.uncertain_years)}，该年的节假日安排尚未完整录入，可能有出入"
            f"（国务院的放假通知写入 site.toml [calendar] 并把年份列入 complete_years 后即为准确）")


def uncertain_summary(report: ComplianceReport) -> str:
    """One line for the text report and the dashboard: how many figures are uncertain, and why."""
    applications = sum(1 for a in report.applications if a.uncertain_years)
    counted = "和".join(part for part in (f"{report.uncertain_count()} 个条目" if report.uncertain_count() else "",
                                         f"{applications} 件依申请公开" if applications else "") if part)
    return (f"期限不确定：{counted}的时限计算经过 {_years(report.uncertain_years())}，该年的节假日安排尚未完整录入，"
            f"已标“{UNCERTAIN_MARK}”。国务院的放假通知写入 site.toml [calendar] 并把年份列入 complete_years 后，数字即为准确。")


def formatted(report: ComplianceReport, config: Config, fmt: str) -> str:
    """What `python build.py compliance --format text|json` prints (html: dashboard.standalone_html)."""
    if fmt == "json":
        return json.dumps(as_json(report, config), ensure_ascii=False, indent=1) + "\n"
    return as_text(report, config)
