"""Figures for the 政府信息公开工作年度报告 (annual report), taken from the catalogue.

`python build.py annual-report --year 2026` prints them; the intranet build carries one
page per year at /dashboard/annual/<year>/.

- 主动公开: items published in the year — published by the visibility rule at their
  `pub_date` (visibility.was_published, on any target), that date in the year and not
  after `now` — whatever became of them later (an item that expired in the year was still
  published in it). Public items are 主动公开; internal items are counted apart as 内部公开.
- 规范性文件 (normative documents) are recognised by their 文号: the mark 规〔YYYY〕, as in
  泰质监规〔2026〕1号 (the numbering 行政规范性文件 carry in Jiangsu), or by the keyword
  规范性文件 / 行政规范性文件 in `keywords`. 本年制发: published in the year; 本年废止:
  `abolished: true` with its last change (`updated`) in the year; 本年失效: `expiry_date`
  in the year; 现行有效: in force at the end of the year (or now, if earlier).
- 行政许可 / 行政处罚: items of the categories with those names published in the year.
- 公开时限: timely items whose publishing deadline falls in the year, by state.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional

from ..config import Config
from ..content import Content
from ..model import Item
from ..visibility import was_published
from .compliance import TIMELY_STATES, ComplianceReport, assess

NORMATIVE_DOC_NO = re.compile(r"规〔\d{4}〕")
NORMATIVE_KEYWORDS = {"规范性文件", "行政规范性文件"}
DECISION_CATEGORIES = ("行政许可", "行政处罚")


def page_url(year: int) -> str:
    return f"/dashboard/annual/{year}/"


def is_normative(item: Item) -> bool:
    """Is this item a 规范性文件? By its 文号 (…规〔2026〕1号) or its 主题词."""
    return bool(item.doc_no and NORMATIVE_DOC_NO.search(item.doc_no)) or bool(NORMATIVE_KEYWORDS & set(item.keywords))


def _valid(content: Content) -> list[Item]:
    return [i for i in content.items if i.file not in content.invalid]


def years(config: Config, content: Content, now: datetime) -> list[int]:
    """Every year from the first publication to now's year (the years an annual report can cover)."""
    found = [i.pub_date.astimezone(config.tz).year for i in _valid(content) if was_published(i, now, None)]
    this_year = now.astimezone(config.tz).year
    return list(range(min(found), this_year + 1)) if found else [this_year]


@dataclass(frozen=True)
class AnnualFigures:
    year: int
    now: datetime
    complete: bool                            # the year is over at `now`
    public: int                               # 主动公开 in the year
    internal: int                             # 内部公开 in the year
    by_category: dict                         # leaf code -> (public, internal)
    by_department: dict                       # department -> (public, internal), site.toml order
    normative: dict                           # new, abolished, expired, in_force
    decisions: dict                           # 行政许可 / 行政处罚 -> items published in the year
    timely: dict                              # on_time, late, pending, overdue: deadlines in the year


def figures(config: Config, content: Content, now: datetime, year: int,
            report: Optional[ComplianceReport] = None) -> AnnualFigures:
    """The year's figures; `report` is the compliance report at `now`, when the caller has it."""
    tz = config.tz
    start = datetime.combine(date(year, 1, 1), time(0), tz)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tz)
    cutoff = min(end, now)
    items = _valid(content)
    in_year = [i for i in items if was_published(i, now, None) and start <= i.pub_date < end]
    by_category = {code: [0, 0] for code in config.leaf_codes()}
    by_department = {s.department: [0, 0] for s in config.sections.values()}
    for item in in_year:
        column = 0 if item.audience == "public" else 1
        by_category[item.category][column] += 1
        by_department.setdefault(item.department, [0, 0])[column] += 1
    normative = [i for i in items if is_normative(i) and was_published(i, now, None)]
    abolished_on = lambda i: i.updated or i.pub_date.astimezone(tz).date()
    last_day = (cutoff - timedelta(microseconds=1)).astimezone(tz).date()
    in_force = [i for i in normative if i.pub_date < cutoff
                and not (i.abolished and abolished_on(i) <= last_day)
                and (i.expiry_date is None or i.expiry_date >= cutoff)]
    names = {c.name: code for code, c in config.categories.items()}
    decisions = {name: sum(1 for i in in_year if i.category == names.get(name)) for name in DECISION_CATEGORIES
                 if name in names}
    timely = dict.fromkeys(TIMELY_STATES, 0)
    for a in (report or assess(config, content, now)).assessments:
        if a.publish_deadline is not None and a.publish_deadline.year == year:
            timely[a.state] += 1
    return AnnualFigures(
        year=year, now=now, complete=now >= end,
        public=sum(1 for i in in_year if i.audience == "public"),
        internal=sum(1 for i in in_year if i.audience != "public"),
        by_category={k: tuple(v) for k, v in by_category.items() if any(v)},
        by_department={k: tuple(v) for k, v in by_department.items()},
        normative={
            "new": sum(1 for i in normative if start <= i.pub_date < end),
            "abolished": sum(1 for i in normative if i.abolished and abolished_on(i).year == year),
            "expired": sum(1 for i in normative if i.expiry_date and start <= i.expiry_date < end),
            "in_force": len(in_force),
        },
        decisions=decisions, timely=timely,
    )


def as_json(f: AnnualFigures, config: Config) -> dict:
    return {
        "year": f.year, "now": f.now.astimezone(config.tz).isoformat(), "complete": f.complete,
        "published": {"public": f.public, "internal": f.internal},
        "by_category": {code: {"name": config.categories[code].name, "public": p, "internal": i}
                        for code, (p, i) in f.by_category.items()},
        "by_department": {d: {"public": p, "internal": i} for d, (p, i) in f.by_department.items()},
        "normative_documents": f.normative,
        "decisions": f.decisions,
        "timely": f.timely,
    }


def as_text(f: AnnualFigures, config: Config) -> str:
    out = [f"{f.year} 年政府信息公开工作年度报告 · 目录统计"
           + ("" if f.complete else f"（截至 {f.now.astimezone(config.tz).strftime('%Y-%m-%d')}，年度未结束）"), "",
           f"主动公开政府信息：{f.public} 条（另有内部公开 {f.internal} 条）", "",
           "按目录分类（主动公开 / 内部公开）："]
    out += [f"  {code} {config.categories[code].name}：{p} / {i}" for code, (p, i) in f.by_category.items()] or ["  无"]
    out += ["", "按科室（主动公开 / 内部公开）："]
    out += [f"  {d}：{p} / {i}" for d, (p, i) in f.by_department.items()]
    n = f.normative
    out += ["", "行政规范性文件：本年制发 {new} 件，本年废止 {abolished} 件，本年失效 {expired} 件，现行有效 {in_force} 件".format(**n)]
    for name, count in f.decisions.items():
        out.append(f"{name}：本年公开 {count} 条")
    t = f.timely
    out.append(f"及时公开（期限在本年内）：按时 {t['on_time']}，逾期公开 {t['late']}，待公开 {t['pending']}，超期未公开 {t['overdue']}")
    out += ["", f"局域网页面：{page_url(f.year)}（python build.py --target intranet）"]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class AnnualView:
    """What annual_report.html receives as `report`."""

    year: int
    as_of: str                  # "" when the year is complete, else 2026-11-26
    public: int
    internal: int
    by_category: tuple          # (code, name, public, internal) …
    by_department: tuple        # (department, public, internal) …
    normative: dict             # new, abolished, expired, in_force
    decisions: tuple            # (name, count) …
    timely: dict                # on_time, late, pending, overdue


def view(f: AnnualFigures, config: Config) -> AnnualView:
    return AnnualView(
        year=f.year, as_of="" if f.complete else f.now.astimezone(config.tz).strftime("%Y-%m-%d"),
        public=f.public, internal=f.internal,
        by_category=tuple((code, config.categories[code].name, p, i) for code, (p, i) in f.by_category.items()),
        by_department=tuple((d, p, i) for d, (p, i) in f.by_department.items()),
        normative=dict(f.normative), decisions=tuple(f.decisions.items()), timely=dict(f.timely))


def command(config: Config, content: Content, now: datetime, year: Optional[int], fmt: str) -> str:
    """What `python build.py annual-report [--year Y] --format text|json` prints (default: last year)."""
    year = year if year is not None else now.astimezone(config.tz).year - 1
    f = figures(config, content, now, year)
    if fmt == "json":
        return json.dumps(as_json(f, config), ensure_ascii=False, indent=1) + "\n"
    return as_text(f, config)
