"""The intranet's compliance dashboard (公开时限监督): figures and bar charts as inline SVG.

The charts (charts.py) are plain SVG markup drawn at build time. The dashboard is added
to the intranet build only (`contribute`, called by the pipeline), together with the
annual report pages (annual.py).

What it may name: the figures count every assessed item (an overdue item is, by
definition, not published), but only items published on the intranet are named and
linked; the title, 索引号 and file of a held-back item never reach the output. The
full list is `python build.py compliance`, which `--format html` prints as one page.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from markupsafe import Markup

from ..config import Config
from ..render import make_environment
from . import annual, registers
from .charts import horizontal_bars, month_columns, vertical_bars
from .compliance import (APPLICATION_KEYS, APPLICATION_LABELS, COUNT_KEYS, LONG_TERM_STATES, STATE_LABELS, TIMELY_STATES,
                         UNCERTAIN_MARK, Assessment, ComplianceReport, application_notes, assess, notes_of,
                         uncertain_summary)

DASHBOARD_URL = "/dashboard/"


# ---------------------------------------------------------------- what the template receives

@dataclass(frozen=True)
class DepartmentRow:
    name: str
    counts: dict            # COUNT_KEYS -> int
    proposed_late: int
    behind: bool


@dataclass(frozen=True)
class ItemRow:
    title: str
    url: Optional[str]      # the item's page on this target, or None
    index_no: str
    department: str
    state: str              # label, e.g. 逾期公开
    notes: tuple            # what to do, in words
    uncertain: bool = False     # counted through a year the calendar does not know: marked 期限未定


@dataclass(frozen=True)
class DashboardView:
    now: str                # 2026-11-26 08:00
    window: str             # 长期公开更新窗口
    labels: dict            # key -> Chinese label
    keys: tuple             # COUNT_KEYS
    totals: dict
    proposed_late: int
    behind: tuple           # department names
    departments: tuple      # DepartmentRow …
    categories: tuple       # (code, name, counts) …
    department_chart: Markup
    long_term_chart: Markup
    month_chart: Markup
    items: tuple            # ItemRow … named items that need attention
    unnamed: int            # items needing attention that are not published here (counted only)
    warnings: tuple         # str … (site.toml's, and those of items named here)
    annual: tuple           # (year, url) … annual report pages
    # 依申请公开 against 条例 第三十三条 (registers/applications.csv): counts only, by 编号, no personal data
    application_keys: tuple = ()
    application_labels: dict = None
    application_totals: dict = None
    application_departments: tuple = ()     # (department, counts) …
    application_items: tuple = ()           # (编号, department, state label, notes) … overdue, pending, late, extended
    application_uncertain: tuple = ()       # 编号 of the listed applications whose figures are uncertain
    # working days counted through a year the calendar does not know (issue 17 §4)
    uncertain_mark: str = UNCERTAIN_MARK
    uncertain_note: str = ""                # "" when every figure is exact
    uncertain_years: tuple = ()


def _attention(a: Assessment) -> bool:
    return (a.state in ("late", "overdue", "pending", "due", "stale") or bool(a.proposed_late) or a.expiring_soon
            or bool(a.uncertain_years))


def dashboard_view(report: ComplianceReport, config: Config, named: Callable[[str], bool],
                   url: Callable[[Assessment], Optional[str]], annual: tuple = ()) -> DashboardView:
    behind = set(report.behind())
    departments = tuple(DepartmentRow(d, c, report.proposed_late.get(d, 0), d in behind)
                        for d, c in report.departments.items())
    rows = [(d.name, d.counts) for d in departments]
    items, unnamed = [], 0
    for a in report.assessments:
        if not _attention(a):
            continue
        if not named(a.item.file):
            unnamed += 1
            continue
        items.append(ItemRow(a.item.title, url(a), a.item.index_no or "", a.item.department,
                             STATE_LABELS[a.state], tuple(notes_of(a, config)), bool(a.uncertain_years)))
    order = {d: i for i, d in enumerate(report.departments)}
    items.sort(key=lambda r: (order.get(r.department, len(order)), r.index_no, r.title))
    now = report.now.astimezone(config.tz)
    return DashboardView(
        now=now.strftime("%Y-%m-%d %H:%M"),
        window=f"{report.window_start.isoformat()} 至 {report.window_end.isoformat()}",
        labels=dict(STATE_LABELS), keys=COUNT_KEYS, totals=report.totals(),
        proposed_late=sum(report.proposed_late.values()), behind=tuple(report.behind()),
        departments=departments,
        categories=tuple((code, config.categories[code].name, counts) for code, counts in report.categories.items()),
        department_chart=horizontal_bars("chart-departments", "各科室及时公开情况", rows, TIMELY_STATES),
        long_term_chart=horizontal_bars("chart-long-term", "各科室长期公开信息更新情况", rows, LONG_TERM_STATES),
        month_chart=vertical_bars("chart-months", "及时公开条目按公开期限所在月份", month_columns(report), TIMELY_STATES),
        items=tuple(items), unnamed=unnamed, annual=annual,
        application_keys=APPLICATION_KEYS, application_labels=dict(APPLICATION_LABELS),
        application_totals=report.application_totals(),
        application_departments=tuple(report.application_departments.items()),
        application_items=tuple((a.application.no, a.application.department,
                                 APPLICATION_LABELS["extended"] if a.state == "on_time" and a.application.extended
                                 else APPLICATION_LABELS[a.state],
                                 tuple(application_notes(a)))
                                for a in report.applications
                                if _listed(a)),
        application_uncertain=tuple(a.application.no for a in report.applications if _listed(a) and a.uncertain_years),
        uncertain_note=uncertain_summary(report) if report.uncertain_years() else "",
        uncertain_years=tuple(report.uncertain_years()),
        warnings=tuple(w.text() for w in report.warnings if w.file == "site.toml" or named(w.file))
        + _register_warnings(report),
    )


def _listed(a) -> bool:
    """Is this application listed by 编号 on the dashboard?"""
    return a.state in ("overdue", "pending", "late") or a.application.extended or bool(a.uncertain_years)


def _register_warnings(report: ComplianceReport) -> tuple:
    """The registers' problems, counted, never quoted (a cell written by mistake may hold personal data)."""
    counts: dict[str, int] = {}
    for w in report.warnings:
        if w.file.startswith(registers.FOLDER + "/"):
            counts[w.file] = counts.get(w.file, 0) + 1
    return tuple(f"{file} 有 {n} 个问题，有问题的行未计入；运行 python build.py annual-report 查看。"
                 for file, n in sorted(counts.items()))


# ---------------------------------------------------------------- pages

def contribute(renderer, output, plan) -> None:
    """The intranet target's own pages: the dashboard and the annual report pages (their templates come
    from the site's theme, else the default one, like every template)."""
    report = assess(plan.config, plan.content, plan.now)
    published = {f for f, d in plan.decisions.items() if d.published}
    years = annual.years(plan.config, plan.content, plan.now)
    links = tuple((year, annual.report_url(year)) for year in reversed(years))
    view = dashboard_view(report, plan.config, named=published.__contains__,
                          url=lambda a: renderer.catalogue.url(a.item), annual=links)
    renderer.put(output, DASHBOARD_URL, renderer.page("dashboard.html", DASHBOARD_URL, dashboard=view))
    register = registers.load(plan.config)       # read once; counted, never copied to the output
    for year in years:
        figures = annual.figures(plan.config, plan.content, plan.now, year, report, register)
        page = annual.report_url(year)
        renderer.put(output, page, renderer.page("annual_report.html", page, report=annual.view(figures, plan.config)))


def standalone_html(report: ComplianceReport, config: Config) -> str:
    """`compliance --format html`: the whole report as one self-contained page (every item named)."""
    env = make_environment(config.theme_dirs, "intranet", auto_reload=False)     # the builds' own set-up
    view = dashboard_view(report, config, named=lambda file: True, url=lambda a: None)
    return env.get_template("compliance_report.html").render(dashboard=view, title=config.site.title,
                                                             publisher=config.site.publisher)
