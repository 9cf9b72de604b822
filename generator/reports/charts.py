"""The dashboard's bar charts, drawn at build time as inline SVG markup.

No JavaScript, no chart library, no request leaving the page (tests/browser/test_dashboard.py
checks that nothing is fetched), and the same figures give the same bytes: coordinates are
rounded by `_n`. Bars are coloured by time-limit state and labelled with compliance.SHORT.
"""
from __future__ import annotations

from markupsafe import Markup, escape

from .compliance import SHORT, TIMELY_STATES, ComplianceReport

COLOURS = {"on_time": "#2e7d32", "late": "#ef6c00", "pending": "#1565c0", "overdue": "#c62828",
           "fresh": "#2e7d32", "due": "#f9a825", "stale": "#c62828"}


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
