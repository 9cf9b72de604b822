"""The 政府信息公开工作年度报告 (annual report) in the national template (国办公开办函〔2021〕30号).

`python build.py annual-report --year 2026` prints it (text, JSON, or a draft Markdown page for
content/pages); the intranet build carries one page per year at /dashboard/annual/<year>/;
`--explain ROW` lists what a figure counted, by file and line.

The six sections: 一 总体情况 (a text skeleton with the year's figures; the 办公室 writes the rest),
二 主动公开政府信息情况, 三 收到和处理政府信息公开申请情况, 四 政府信息公开行政复议、行政诉讼情况,
五 存在的主要问题及改进情况, 六 其他需要报告的事项 (prose, left to the 办公室).

Where the figures come from:

- 主动公开 (catalogue): items published in the year — published by the visibility rule at their
  `pub_date` (visibility.was_published, on any target), that date in the year and not after `now` —
  whatever became of them later. Public items are 主动公开; internal ones are counted apart.
- 二: which leaf categories fill which row is `site.toml [annual_report]` (config.AnnualReportToml).
  Without it: 规范性文件 are recognised by their 文号 (…规〔2026〕1号, Jiangsu's numbering) or the keyword
  规范性文件 / 行政规范性文件 — always, besides the categories listed; 行政许可 / 行政处罚 / 行政强制 /
  行政事业性收费 are the categories of those names; 规章 none. For 规章 and 规范性文件: 本年制发 =
  published in the year; 本年废止 = `abolished: true` with its last change (`updated`) in the year;
  现行有效 = in force at the end of the year (or now, if earlier). For 许可, 处罚, 强制: 本年处理决定数量 =
  the records published in the year, each counting `decision_count` (default 1). 收费: the sum of
  `fee_amount` (yuan) of the records published in the year, shown in 万元.
- 三: registers/applications.csv (registers.py). 本年新收: received in the year; 上年结转: received
  before the year and not closed before it; 办理结果: closed in the year, by result and reason;
  总计: all closed in the year; 结转下年度继续办理: received by the end of the year and not closed by then.
  Always 本年新收 + 上年结转 = 总计 + 结转下年度.
- 四: registers/cases.csv. A case counts in the year it was concluded (维持/纠正/其他), or as 尚未审结
  when it was received by the end of the year and not concluded by then.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from ..config import Config
from ..content import Content
from ..errors import UsageError
from ..model import Item
from ..visibility import was_published
from . import registers as reg
from .compliance import TIMELY_STATES, ComplianceReport, assess

NORMATIVE_DOC_NO = re.compile(r"规〔\d{4}〕")
NORMATIVE_KEYWORDS = {"规范性文件", "行政规范性文件"}
DECISION_CATEGORIES = ("行政许可", "行政处罚")

# 二 主动公开政府信息情况: (row key, label, kind, default category name, article of 条例 第二十条)
DOCUMENT_ROWS = (("regulations", "规章", None), ("normative", "行政规范性文件", None))
DECISION_ROWS = (("licensing", "行政许可", "（五）"), ("penalty", "行政处罚", "（六）"), ("enforcement", "行政强制", "（六）"))
FEE_ROW = ("fees", "行政事业性收费", "（八）")
DEFAULT_NAMES = {"licensing": "行政许可", "penalty": "行政处罚", "enforcement": "行政强制", "fees": "行政事业性收费"}
DOCUMENT_COLUMNS = (("new", "本年制发件数"), ("abolished", "本年废止件数"), ("in_force", "现行有效件数"))
CHINESE_NUMBERS = "一二三四五六七八九十"

# 三: the columns of the applications matrix
APPLICANT_COLUMNS = reg.APPLICANTS + (("total", "总计"),)


def report_url(year: int) -> str:
    return f"/dashboard/annual/{year}/"


def is_normative(item: Item) -> bool:
    """Is this item a 规范性文件 by the default rule? By its 文号 (…规〔2026〕1号) or its 主题词."""
    return bool(item.doc_no and NORMATIVE_DOC_NO.search(item.doc_no)) or bool(NORMATIVE_KEYWORDS & set(item.keywords))


def _valid(content: Content) -> list[Item]:
    return [i for i in content.items if i.file not in content.invalid]


def years(config: Config, content: Content, now: datetime) -> list[int]:
    """Every year from the first publication to now's year (the years an annual report can cover)."""
    found = [i.pub_date.astimezone(config.tz).year for i in _valid(content) if was_published(i, now, None)]
    this_year = now.astimezone(config.tz).year
    return list(range(min(found), this_year + 1)) if found else [this_year]


def row_categories(config: Config, row: str) -> tuple[str, ...]:
    """The leaf codes of a row of 二 (site.toml [annual_report], else the category of the default name)."""
    configured = (config.annual_report or {}).get(row)
    if configured is not None:
        return tuple(configured)
    code = config.by_name.get(DEFAULT_NAMES.get(row, ""))
    return (code,) if code and config.categories[code].is_leaf else ()


# ---------------------------------------------------------------- what was counted

@dataclass(frozen=True)
class Counted:
    """One source line behind a figure (for --explain): an item's file or a register's row."""

    file: str
    line: int
    label: str              # 索引号 and title of an item, 编号 of a register row
    amount: str = "1"       # what it added: 1, a decision_count, a fee in yuan


@dataclass
class Cell:
    value: object = 0       # int, or Decimal (yuan) for the fee
    counted: list = field(default_factory=list)

    def add(self, what: Counted, amount=1) -> None:
        self.value += amount
        self.counted.append(what)


@dataclass(frozen=True)
class Row:
    """One row of a template table: key (for --explain and JSON), label, cells by column key."""

    key: str
    label: str
    section: str            # 二 / 三 / 四
    cells: dict             # column key -> Cell
    level: int = 0          # 三: 0 a heading row, 1 a result, 2 a reason


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
    decisions: dict                           # 行政许可 / 行政处罚 -> decisions in the year
    timely: dict                              # on_time, late, pending, overdue: deadlines in the year
    section2: tuple = ()                      # Row … (二)
    section3: tuple = ()                      # Row … (三)
    section4: tuple = ()                      # Row … (四)
    registers: tuple = ()                     # register files present
    extended: int = 0                         # applications closed in the year after an extension
    answered_late: int = 0                    # applications closed in the year after their deadline


def _item_label(item: Item) -> str:
    return f"{item.index_no or '（无索引号）'} {item.title}"


def _section2(config: Config, items: list[Item], now: datetime, start: datetime, end: datetime) -> list[Row]:
    tz = config.tz
    cutoff = min(end, now)
    last_day = (cutoff - timedelta(microseconds=1)).astimezone(tz).date()
    published = [i for i in items if was_published(i, now, None)]
    in_year = [i for i in published if start <= i.pub_date < end]
    abolished_on = lambda i: i.updated or i.pub_date.astimezone(tz).date()
    rows = []
    for key, label, _ in DOCUMENT_ROWS:
        codes = set(row_categories(config, key))
        members = [i for i in published if i.category in codes or (key == "normative" and is_normative(i))]
        cells = {k: Cell() for k, _ in DOCUMENT_COLUMNS}
        for i in members:
            what = Counted(i.file, i.line("title"), _item_label(i))
            if start <= i.pub_date < end:
                cells["new"].add(what)
            if i.abolished and abolished_on(i).year == start.year:
                cells["abolished"].add(Counted(i.file, i.line("abolished"), _item_label(i)))
            if (i.pub_date < cutoff and not (i.abolished and abolished_on(i) <= last_day)
                    and (i.expiry_date is None or i.expiry_date >= cutoff)):
                cells["in_force"].add(what)
        rows.append(Row(key, label, "二", cells))
    for key, label, _ in DECISION_ROWS:
        codes = set(row_categories(config, key))
        cell = Cell()
        for i in in_year:
            if i.category in codes:
                n = 1 if i.decision_count is None else i.decision_count
                cell.add(Counted(i.file, i.line("decision_count" if i.decision_count is not None else "title"),
                                 _item_label(i), str(n)), n)
        rows.append(Row(key, label, "二", {"count": cell}))
    key, label, _ = FEE_ROW
    codes = set(row_categories(config, key))
    cell = Cell(Decimal("0"))
    for i in in_year:
        if i.category in codes and i.fee_amount is not None:
            cell.add(Counted(i.file, i.line("fee_amount"), _item_label(i), f"{i.fee_amount} 元"), i.fee_amount)
    rows.append(Row(key, label, "二", {"amount": cell}))
    return rows


def section3_layout() -> list[tuple[str, str, int]]:
    """(key, label, level) of the rows of 三, in the template's order and numbering."""
    out = [("new", "一、本年新收政府信息公开申请数量", 0), ("carried_in", "二、上年结转政府信息公开申请数量", 0),
           ("results", "三、本年度办理结果", 0)]
    for n, (key, label, reasons) in enumerate(reg.RESULTS):
        shown = label + ("（区分处理的，只计这一情形，不计其他情形）" if key == "partly" else "")
        out.append((key, f"（{CHINESE_NUMBERS[n]}）{shown}", 1))
        out += [(f"{key}.{reason}", f"{m}.{reason_label}", 2) for m, (reason, reason_label, _) in enumerate(reasons, 1)]
    out += [("closed", f"（{CHINESE_NUMBERS[len(reg.RESULTS)]}）总计", 1), ("carried_out", "四、结转下年度继续办理", 0)]
    return out


def _section3(applications: tuple, year: int) -> list[Row]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = {key: Row(key, label, "三", {c: Cell() for c, _ in APPLICANT_COLUMNS}, level)
            for key, label, level in section3_layout() if key != "results"}

    def count(key: str, a: reg.Application) -> None:
        what = Counted(a.file, a.line, f"编号 {a.no}")
        rows[key].cells[a.applicant].add(what)
        rows[key].cells["total"].add(what)

    for a in applications:
        if first <= a.received <= last:
            count("new", a)
        if a.received < first and (a.closed is None or a.closed >= first):
            count("carried_in", a)
        if a.closed is not None and first <= a.closed <= last:
            count(a.result, a)
            if a.reason:
                count(f"{a.result}.{a.reason}", a)
            count("closed", a)
        if a.open_at(last):
            count("carried_out", a)
    return list(rows.values())


def _section4(cases: tuple, year: int) -> list[Row]:
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = {key: Row(key, label, "四", {c: Cell() for c, _ in reg.CASE_RESULTS + (("total", "总计"),)})
            for key, label in reg.CASE_KINDS}
    for c in cases:
        column = None
        if c.closed is not None and first <= c.closed <= last:
            column = c.result
        elif c.filed <= last and (c.closed is None or c.closed > last):
            column = "pending"
        if column is not None:
            what = Counted(c.file, c.line, f"编号 {c.no}")
            rows[c.kind].cells[column].add(what)
            rows[c.kind].cells["total"].add(what)
    return list(rows.values())


def figures(config: Config, content: Content, now: datetime, year: int,
            report: Optional[ComplianceReport] = None,
            registers: Optional[reg.Registers] = None) -> AnnualFigures:
    """The year's figures; `report` is the compliance report at `now`, `registers` the site's registers,
    when the caller has them."""
    tz = config.tz
    start = datetime.combine(date(year, 1, 1), time(0), tz)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tz)
    items = _valid(content)
    registers = registers if registers is not None else reg.load(config)
    in_year = [i for i in items if was_published(i, now, None) and start <= i.pub_date < end]
    by_category = {code: [0, 0] for code in config.leaf_codes()}
    by_department = {s.department: [0, 0] for s in config.sections.values()}
    for item in in_year:
        column = 0 if item.audience == "public" else 1
        by_category[item.category][column] += 1
        by_department.setdefault(item.department, [0, 0])[column] += 1
    section2 = _section2(config, items, now, start, end)
    rows2 = {r.key: r for r in section2}
    normative = rows2["normative"].cells
    normative_items = [i for i in items if was_published(i, now, None)
                       and (i.category in row_categories(config, "normative") or is_normative(i))]
    decisions = {label: rows2[key].cells["count"].value for key, label, _ in DECISION_ROWS
                 if label in DECISION_CATEGORIES and row_categories(config, key)}
    timely = dict.fromkeys(TIMELY_STATES, 0)
    report = report or assess(config, content, now)
    for a in report.assessments:
        if a.publish_deadline is not None and a.publish_deadline.year == year:
            timely[a.state] += 1
    closed_in_year = [a for a in report.applications
                      if a.application.closed is not None and a.application.closed.year == year]
    return AnnualFigures(
        year=year, now=now, complete=now >= end,
        public=sum(1 for i in in_year if i.audience == "public"),
        internal=sum(1 for i in in_year if i.audience != "public"),
        by_category={k: tuple(v) for k, v in by_category.items() if any(v)},
        by_department={k: tuple(v) for k, v in by_department.items()},
        normative={
            "new": normative["new"].value,
            "abolished": normative["abolished"].value,
            "expired": sum(1 for i in normative_items if i.expiry_date and start <= i.expiry_date < end),
            "in_force": normative["in_force"].value,
        },
        decisions=decisions, timely=timely,
        section2=tuple(section2), section3=tuple(_section3(registers.applications, year)),
        section4=tuple(_section4(registers.cases, year)), registers=registers.present,
        extended=sum(1 for a in closed_in_year if a.application.extended),
        answered_late=sum(1 for a in closed_in_year if a.state == "late"),
    )


# ---------------------------------------------------------------- output

def wan_yuan(yuan: Decimal) -> str:
    """万元 with two decimals (the template's unit)."""
    return str((Decimal(yuan) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _value(cell: Cell):
    return str(cell.value) if isinstance(cell.value, Decimal) else cell.value


def template_json(f: AnnualFigures) -> dict:
    return {
        "section2": {r.key: {"label": r.label} | {c: _value(cell) for c, cell in r.cells.items()}
                     for r in f.section2},
        "section3": {r.key: {"label": r.label} | {c: cell.value for c, cell in r.cells.items()} for r in f.section3},
        "section4": {r.key: {"label": r.label} | {c: cell.value for c, cell in r.cells.items()} for r in f.section4},
        "registers": list(f.registers),
    }


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
        "template": template_json(f),
        "overview": overview(f, config),
    }


def _rows(f: AnnualFigures) -> dict[str, Row]:
    return {r.key: r for r in f.section2 + f.section3 + f.section4}


def overview(f: AnnualFigures, config: Config) -> list[str]:
    """一、总体情况: the skeleton's paragraphs, with the year's figures filled in; 【…】 is for the 办公室."""
    rows = _rows(f)
    s3 = lambda key: rows[key].cells["total"].value
    s2 = lambda key, col="count": rows[key].cells[col].value
    review, direct, after = (rows[k].cells["total"].value for k, _ in reg.CASE_KINDS)
    results = "、".join(f"{label}{s3(key)}件" for key, label, _ in reg.RESULTS)
    return [
        f"（一）主动公开政府信息情况。{f.year}年，{config.site.publisher}主动公开政府信息{f.public}条。"
        f"制发行政规范性文件{s2('normative', 'new')}件，废止{s2('normative', 'abolished')}件，"
        f"现行有效{s2('normative', 'in_force')}件；公开行政许可决定{s2('licensing')}件、行政处罚决定{s2('penalty')}件、"
        f"行政强制决定{s2('enforcement')}件。【请补充主动公开的重点领域和渠道。】",
        f"（二）依申请公开情况。本年新收政府信息公开申请{s3('new')}件，上年结转{s3('carried_in')}件；"
        f"本年办结{s3('closed')}件，其中{results}；结转下年度继续办理{s3('carried_out')}件。"
        f"本年办结的申请中，经批准延长答复期限的{f.extended}件，超过法定期限答复的{f.answered_late}件。",
        "（三）政府信息管理情况。【请填写政府信息公开审查、发布、更新和清理情况。】",
        "（四）政府信息公开平台建设情况。【请填写政府网站、政务新媒体等平台建设情况。】",
        f"（五）监督保障情况。本年因政府信息公开工作被申请行政复议{review}件、提起行政诉讼{direct + after}件。"
        "【请填写培训、考核、社会评议和责任追究情况。】",
    ]


def as_text(f: AnnualFigures, config: Config) -> str:
    out = [f"{f.year} 年政府信息公开工作年度报告 · 统计"
           + ("" if f.complete else f"（截至 {f.now.astimezone(config.tz).strftime('%Y-%m-%d')}，年度未结束）"), "",
           f"主动公开政府信息：{f.public} 条（另有内部公开 {f.internal} 条）", "",
           "按目录分类（主动公开 / 内部公开）："]
    out += [f"  {code} {config.categories[code].name}：{p} / {i}" for code, (p, i) in f.by_category.items()] or ["  无"]
    out += ["", "按科室（主动公开 / 内部公开）："]
    out += [f"  {d}：{p} / {i}" for d, (p, i) in f.by_department.items()]
    n = f.normative
    out += ["", "行政规范性文件：本年制发 {new} 件，本年废止 {abolished} 件，本年失效 {expired} 件，现行有效 {in_force} 件".format(**n)]
    for name, count in f.decisions.items():
        out.append(f"{name}：本年处理决定 {count} 件")
    t = f.timely
    out.append(f"及时公开（期限在本年内）：按时 {t['on_time']}，逾期公开 {t['late']}，待公开 {t['pending']}，超期未公开 {t['overdue']}")
    out += ["", "年度报告模板（国办公开办函〔2021〕30号）：", ""]
    out += markdown_tables(f)
    out += ["", "说明：python build.py annual-report --year {0} --explain 行 列出每个数字统计了哪些条目或登记行；"
                "--format markdown 输出年度报告草稿页面。".format(f.year),
            f"局域网页面：{report_url(f.year)}（python build.py --target intranet）"]
    return "\n".join(out) + "\n"


def _table(header: list[str], rows: list[list]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
            + ["| " + " | ".join(str(c) for c in row) + " |" for row in rows])


def markdown_tables(f: AnnualFigures) -> list[str]:
    """二、三、四 as Markdown tables (merged cells of the template flattened into their labels)."""
    rows = _rows(f)
    out = ["## 二、主动公开政府信息情况", "", "**第二十条第（一）项**", ""]
    out += _table(["信息内容"] + [label for _, label in DOCUMENT_COLUMNS],
                  [[label] + [rows[key].cells[c].value for c, _ in DOCUMENT_COLUMNS] for key, label, _ in DOCUMENT_ROWS])
    for article in ("（五）", "（六）"):
        out += ["", f"**第二十条第{article}项**", ""]
        out += _table(["信息内容", "本年处理决定数量"],
                      [[label, rows[key].cells["count"].value] for key, label, a in DECISION_ROWS if a == article])
    key, label, article = FEE_ROW
    out += ["", f"**第二十条第{article}项**", ""]
    out += _table(["信息内容", "本年收费金额（单位：万元）"], [[label, wan_yuan(rows[key].cells["amount"].value)]])
    out += ["", "## 三、收到和处理政府信息公开申请情况", ""]
    header = ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况：自然人"] \
        + [f"法人或其他组织：{label}" for _, label in reg.APPLICANTS[1:]] + ["总计"]
    body = []
    with_reasons = {key for key, _, reasons in reg.RESULTS if reasons}
    for key, label, level in section3_layout():
        prefix = {0: "", 1: "三、本年度办理结果 ", 2: ""}[level]
        if level == 2:
            parent = next(lbl for k, lbl, lv in section3_layout() if k == key.split(".")[0])
            prefix = f"三、本年度办理结果 {parent} "
        if key == "results" or key in with_reasons:     # the template has no subtotal row for these
            continue
        body.append([prefix + label] + [rows[key].cells[c].value for c, _ in APPLICANT_COLUMNS])
    out += _table(header, body)
    out += ["", "## 四、政府信息公开行政复议、行政诉讼情况", ""]
    header, cells = [], []
    for key, label in reg.CASE_KINDS:
        group = label if key == "review" else f"行政诉讼：{label}"
        for column, column_label in reg.CASE_RESULTS + (("total", "总计"),):
            header.append(f"{group}：{column_label}")
            cells.append(rows[key].cells[column].value)
    out += _table(header, [cells])
    return out


def markdown_page(f: AnnualFigures, config: Config) -> str:
    """The annual report as a draft fixed page for content/pages/ (status: draft: not published until the
    办公室 edits the prose, sets status: approved and commits it like any item)."""
    title = f"{config.site.publisher}{f.year}年政府信息公开工作年度报告"
    out = ["---", f"title: {title}", "status: draft", f"slug: annual-report-{f.year}",
           f"summary: 依据《中华人民共和国政府信息公开条例》编制的{f.year}年度报告。", "---", "",
           f"本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）和国务院办公厅政府信息与政务公开办公室"
           f"《关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）编制。"
           f"本报告所列数据的统计期限自{f.year}年1月1日起至{f.year}年12月31日止。",
           ""]
    if not f.complete:
        out += [f"> 注意：{f.year}年尚未结束，数据截至 {f.now.astimezone(config.tz).strftime('%Y-%m-%d')}。", ""]
    out += ["## 一、总体情况", ""]
    for paragraph in overview(f, config):
        out += [paragraph, ""]
    out += markdown_tables(f)
    out += ["", "## 五、存在的主要问题及改进情况", "", "【请填写本年度工作存在的主要问题、上年度问题的改进情况和下一步工作打算。】",
            "", "## 六、其他需要报告的事项", "",
            "【请填写收取信息处理费的情况、落实上级年度政务公开工作要点情况、人大代表建议和政协委员提案办理结果公开情况等。】", ""]
    return "\n".join(out)


# ---------------------------------------------------------------- --explain

def explain(f: AnnualFigures, row: str) -> str:
    """What one row counted, column by column: files and lines."""
    found = find_row(f, row)
    column_labels = {"二": dict(DOCUMENT_COLUMNS) | {"count": "本年处理决定数量", "amount": "本年收费金额（元）"},
                     "三": dict(APPLICANT_COLUMNS), "四": dict(reg.CASE_RESULTS) | {"total": "总计"}}[found.section]
    out = [f"{f.year} 年 · {found.section}、{found.label}（{found.key}）"]
    for column, cell in found.cells.items():
        out.append(f"  {column_labels.get(column, column)}：{_value(cell)}")
        for c in cell.counted:
            amount = "" if c.amount == "1" else f"（{c.amount}）"
            out.append(f"    {c.file}:{c.line}  {c.label}{amount}")
    return "\n".join(out) + "\n"


def find_row(f: AnnualFigures, wanted: str) -> Row:
    rows = list(f.section2 + f.section3 + f.section4)
    clean = lambda s: re.sub(r"^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）|^\d+\.|[\s\"“”]", "", s)
    for test in (lambda r: r.key == wanted, lambda r: clean(r.label) == clean(wanted),
                 lambda r: clean(wanted) and clean(wanted) in clean(r.label)):
        hits = [r for r in rows if test(r)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise UsageError(f"--explain “{wanted}”不明确，可能是：" + "、".join(f"{r.key}（{r.label}）" for r in hits) + "。")
    raise UsageError(f"--explain：没有“{wanted}”这一行。可用的行：" + "、".join(r.key for r in rows) + "。")


# ---------------------------------------------------------------- the intranet page

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
    overview: tuple = ()        # 一、总体情况 paragraphs
    documents: tuple = ()       # (label, new, abolished, in_force) … 规章, 行政规范性文件
    decision_rows: tuple = ()   # (article, ((label, count) …)) …
    fees: str = "0.00"          # 万元
    applicant_columns: tuple = ()   # labels of 三's columns after 自然人
    applications: tuple = ()    # (((text, rowspan, colspan) …), (value …)) … the body rows of 三
    cases: tuple = ()           # (value …) 15 cells of 四
    case_columns: tuple = ()    # labels of the 5 columns of each group
    registers: tuple = ()


def section3_html_rows(rows: dict) -> tuple:
    """The body of 三 as the template draws it: each row's heading cells (text, rowspan, colspan), then its
    values; 三、本年度办理结果 and each result with reasons span the rows below them."""
    values = lambda key: tuple(rows[key].cells[c].value for c, _ in APPLICANT_COLUMNS)
    layout = [(k, label, level) for k, label, level in section3_layout()]
    span = sum(1 for k, _, level in layout if level == 2) + sum(
        1 for k, _, level in layout if level == 1 and not any(r[0] == k and r[2] for r in reg.RESULTS))
    out, first_in_results = [], True
    for key, label, level in layout:
        if key == "results":
            continue
        if level == 0:
            out.append((((label, 1, 3),), values(key)))
            continue
        heads = []
        if first_in_results:
            heads.append(("三、本年度办理结果", span, 1))
            first_in_results = False
        reasons = next((r[2] for r in reg.RESULTS if r[0] == key), ())
        if level == 1 and reasons:
            pending_head = (label, len(reasons), 1)
            parent_heads = heads
            continue
        if level == 2:
            if key.endswith("." + next(r for r in reg.RESULTS if r[0] == key.split(".")[0])[2][0][0]):
                heads = parent_heads + [pending_head] if parent_heads else [pending_head]
                parent_heads = []
            heads.append((label, 1, 1))
        else:
            heads.append((label, 1, 2))
        out.append((tuple(heads), values(key)))
    return tuple(out)


def view(f: AnnualFigures, config: Config) -> AnnualView:
    rows = _rows(f)
    return AnnualView(
        year=f.year, as_of="" if f.complete else f.now.astimezone(config.tz).strftime("%Y-%m-%d"),
        public=f.public, internal=f.internal,
        by_category=tuple((code, config.categories[code].name, p, i) for code, (p, i) in f.by_category.items()),
        by_department=tuple((d, p, i) for d, (p, i) in f.by_department.items()),
        normative=dict(f.normative), decisions=tuple(f.decisions.items()), timely=dict(f.timely),
        overview=tuple(overview(f, config)),
        documents=tuple((label,) + tuple(rows[key].cells[c].value for c, _ in DOCUMENT_COLUMNS)
                        for key, label, _ in DOCUMENT_ROWS),
        decision_rows=tuple((article, tuple((label, rows[key].cells["count"].value)
                                            for key, label, a in DECISION_ROWS if a == article))
                            for article in ("（五）", "（六）")),
        fees=wan_yuan(rows[FEE_ROW[0]].cells["amount"].value),
        applicant_columns=tuple(label for _, label in reg.APPLICANTS[1:]),
        applications=section3_html_rows(rows),
        cases=tuple(rows[key].cells[c].value for key, _ in reg.CASE_KINDS
                    for c, _ in reg.CASE_RESULTS + (("total", "总计"),)),
        case_columns=tuple(label for _, label in reg.CASE_RESULTS) + ("总计",),
        registers=f.registers,
    )


def command(config: Config, content: Content, now: datetime, year: Optional[int], fmt: str,
            explain_row: Optional[str] = None) -> tuple[str, list]:
    """What `python build.py annual-report [--year Y] [--format text|json|markdown] [--explain ROW]` prints
    (default: last year), and the registers' problems (errors stop the report)."""
    year = year if year is not None else now.astimezone(config.tz).year - 1
    registers = reg.load(config)
    if registers.problems.errors:
        return "", registers.problems.sorted_errors()
    f = figures(config, content, now, year, registers=registers)
    if explain_row is not None:
        return explain(f, explain_row), []
    if fmt == "json":
        return json.dumps(as_json(f, config), ensure_ascii=False, indent=1) + "\n", []
    if fmt == "markdown":
        return markdown_page(f, config), []
    return as_text(f, config), []
