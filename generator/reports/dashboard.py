"""The intranet's compliance dashboard (公开时限监督): figures and bar charts as inline SVG.

The charts are drawn here, at build time, as plain SVG markup: no JavaScript, no
chart library, no request leaving the page. The dashboard is added to the intranet
build only (pipeline.CONTRIBUTORS), together with the annual report pages.

What it may name: the figures count every assessed item (an overdue item is, by
definition, not published), but only items published on the intranet are named and
linked; the title, 索引号 and file of a held-back item never reach the output. The
full list is `python build.py compliance`, which `--format html` prints as one page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Optional

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, TemplateNotFound
from markupsafe import Markup, escape

from .compliance import (COUNT_KEYS, LABELS, LONG_TERM_STATES, SHORT, TIMELY_STATES, Assessment,
                         ComplianceReport, assess, notes_of)
from .config import PROJECT_THEMES, Config

DASHBOARD_URL = "/dashboard/"
COLOURS = {"on_time": "#2e7d32", "late": "#ef6c00", "pending": "#1565c0", "overdue": "#c62828",
           "fresh": "#2e7d32", "due": "#f9a825", "stale": "#c62828"}


# ---------------------------------------------------------------- SVG charts

def _n(value: float) -> str:
    """Coordinates with one decimal and no trailing zeros: stable bytes."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _legend(series: tuple[str, ...], x: float, y: float) -> list[str]:
    parts = []
    for key in series:
        label = SHORT[key]
        parts.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="12" height="12" fill="{COLOURS[key]}"/>'
                     f'<text x="{_n(x + 16)}" y="{_n(y)}">{escape(label)}</text>')
        x += 16 + 14 * len(label) + 18
    return parts


def horizontal_bars(chart_id: str, title: str, rows: list[tuple[str, dict[str, int]]],
                    series: tuple[str, ...]) -> Markup:
    """Stacked horizontal bars, one row per label (a department), one segment per series."""
    label_w, bar_w, total_w, row_h, top = 150, 470, 60, 30, 40
    width = label_w + bar_w + total_w
    height = top + row_h * max(1, len(rows)) + 10
    biggest = max([sum(c[k] for k in series) for _, c in rows] + [1])
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             '<g font-size="13" fill="#1f2329">'] + _legend(series, label_w, 20) + ['</g>']
    for i, (label, counts) in enumerate(rows):
        y = top + i * row_h
        total = sum(counts[k] for k in series)
        parts.append(f'<g class="row"><text x="{label_w - 8}" y="{y + 19}" text-anchor="end" font-size="13">'
                     f'{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="20" fill="#f3f5f8"/>')
        x = float(label_w)
        for key in series:
            if counts[key]:
                w = bar_w * counts[key] / biggest
                parts.append(f'<rect class="bar bar-{key}" x="{_n(x)}" y="{y + 4}" width="{_n(w)}" height="20" '
                             f'fill="{COLOURS[key]}"><title>{escape(label)} {escape(SHORT[key])}：{counts[key]}</title></rect>')
                x += w
        parts.append(f'<text x="{label_w + bar_w + 8}" y="{y + 19}" font-size="13">{total}</text></g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def vertical_bars(chart_id: str, title: str, columns: list[tuple[str, dict[str, int]]],
                  series: tuple[str, ...]) -> Markup:
    """Stacked vertical bars, one column per label (a month)."""
    left, top, plot_h, col_w, bottom = 36, 40, 180, 44, 40
    width = left + col_w * max(1, len(columns)) + 10
    height = top + plot_h + bottom
    biggest = max([sum(c[k] for k in series) for _, c in columns] + [1])
    step = max(1, -(-biggest // 4))
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-t">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             '<g font-size="13" fill="#1f2329">'] + _legend(series, left, 20) + ['</g>']
    scale = plot_h / max(biggest, step * 4)
    for tick in range(0, step * 4 + 1, step):
        y = top + plot_h - tick * scale
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{_n(y)}" y2="{_n(y)}" stroke="#d9dde3"/>'
                     f'<text x="{left - 6}" y="{_n(y + 4)}" text-anchor="end" font-size="11" fill="#5b6270">{tick}</text>')
    for i, (label, counts) in enumerate(columns):
        x = left + i * col_w + 8
        y = float(top + plot_h)
        parts.append('<g class="column">')
        for key in series:
            if counts[key]:
                h = counts[key] * scale
                y -= h
                parts.append(f'<rect class="bar bar-{key}" x="{x}" y="{_n(y)}" width="{col_w - 16}" height="{_n(h)}" '
                             f'fill="{COLOURS[key]}"><title>{escape(label)} {escape(SHORT[key])}：{counts[key]}</title></rect>')
        month, _, year = label.partition(" ")
        centre = x + (col_w - 16) // 2
        parts.append(f'<text x="{centre}" y="{top + plot_h + 18}" text-anchor="middle" font-size="11">{escape(month)}</text>')
        if year:
            parts.append(f'<text x="{centre}" y="{top + plot_h + 32}" text-anchor="middle" font-size="11" '
                         f'fill="#5b6270">{escape(year)}</text>')
        parts.append('</g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _months(report: ComplianceReport) -> list[tuple[int, int]]:
    """The twelve months up to now's, and up to three ahead when a pending deadline falls there."""
    y, m = report.today.year, report.today.month
    index = y * 12 + m - 1
    ahead = [a.publish_deadline for a in report.assessments if a.state == "pending" and a.publish_deadline]
    last = max([index] + [min(d.year * 12 + d.month - 1, index + 3) for d in ahead])
    return [(k // 12, k % 12 + 1) for k in range(index - 11, last + 1)]


def month_columns(report: ComplianceReport) -> list[tuple[str, dict[str, int]]]:
    """Timely items by the month of their publishing deadline, per state."""
    months = _months(report)
    counts = {ym: dict.fromkeys(TIMELY_STATES, 0) for ym in months}
    for a in report.assessments:
        if a.publish_deadline is not None:
            key = (a.publish_deadline.year, a.publish_deadline.month)
            if key in counts:
                counts[key][a.state] += 1
    # "12月 2025年": the year is shown under the first month and under each January
    return [(f"{m}月 {y}年" if m == 1 or i == 0 else f"{m}月", counts[(y, m)]) for i, (y, m) in enumerate(months)]


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


def _attention(a: Assessment) -> bool:
    return a.state in ("late", "overdue", "pending", "due", "stale") or bool(a.proposed_late) or a.expiring_soon


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
                             LABELS[a.state], tuple(notes_of(a, config))))
    order = {d: i for i, d in enumerate(report.departments)}
    items.sort(key=lambda r: (order.get(r.department, len(order)), r.index_no, r.title))
    now = report.now.astimezone(config.tz)
    return DashboardView(
        now=now.strftime("%Y-%m-%d %H:%M"),
        window=f"{report.window_start.isoformat()} 至 {report.window_end.isoformat()}",
        labels=dict(LABELS), keys=COUNT_KEYS, totals=report.totals(),
        proposed_late=sum(report.proposed_late.values()), behind=tuple(report.behind()),
        departments=departments,
        categories=tuple((code, config.categories[code].name, counts) for code, counts in report.categories.items()),
        department_chart=horizontal_bars("chart-departments", "各科室及时公开情况", rows, TIMELY_STATES),
        long_term_chart=horizontal_bars("chart-long-term", "各科室长期公开信息更新情况", rows, LONG_TERM_STATES),
        month_chart=vertical_bars("chart-months", "及时公开条目按公开期限所在月份", month_columns(report), TIMELY_STATES),
        items=tuple(items), unnamed=unnamed, annual=annual,
        warnings=tuple(w.text() for w in report.warnings if w.file == "site.toml" or named(w.file)),
    )


# ---------------------------------------------------------------- pages

def with_default_templates(env: Environment) -> Environment:
    """A site theme without the dashboard templates borrows the default theme's."""
    try:
        env.get_template("dashboard.html")
    except TemplateNotFound:
        default = PROJECT_THEMES / "default" / "templates"
        env.loader = ChoiceLoader([env.loader, FileSystemLoader([str(default / "intranet"), str(default)])])
    return env


def contribute(renderer, output, plan) -> None:
    """pipeline.CONTRIBUTORS: the dashboard and the annual report pages, intranet only."""
    if plan.target != "intranet":
        return
    from . import annual
    with_default_templates(renderer.env)
    report = assess(plan.config, plan.content, plan.now)
    published = {f for f, d in plan.decisions.items() if d.published}
    years = annual.years(plan.config, plan.content, plan.now)
    links = tuple((year, annual.page_url(year)) for year in reversed(years))
    view = dashboard_view(report, plan.config, named=published.__contains__,
                          url=lambda a: renderer.catalogue.url(a.item), annual=links)
    renderer.put(output, DASHBOARD_URL, renderer.page("dashboard.html", DASHBOARD_URL, dashboard=view))
    for year in years:
        figures = annual.figures(plan.config, plan.content, plan.now, year, report)
        page = annual.page_url(year)
        renderer.put(output, page, renderer.page("annual_report.html", page, report=annual.view(figures, plan.config)))


def standalone_html(report: ComplianceReport, config: Config) -> str:
    """`compliance --format html`: the whole report as one self-contained page (every item named)."""
    env = Environment(loader=FileSystemLoader([str(config.theme_dir / "templates" / "intranet"),
                                               str(PROJECT_THEMES / "default" / "templates" / "intranet")]),
                      autoescape=True, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    from jinja2 import StrictUndefined
    env.undefined = StrictUndefined
    view = dashboard_view(report, config, named=lambda file: True, url=lambda a: None)
    return env.get_template("compliance_report.html").render(dashboard=view, title=config.site.title,
                                                             publisher=config.site.publisher)
