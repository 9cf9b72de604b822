"""The two registers the 办公室 keeps in git beside the content, for the annual report (年度报告):

    registers/applications.csv   依申请公开 applications, one row each
    registers/cases.csv          政府信息公开 行政复议 and 行政诉讼 cases, one row each

Both are CSV in UTF-8 (a BOM, as Excel writes it, is allowed), a header row first, columns in any
order; an empty line or a row whose first cell starts with `#` is skipped. They hold no personal
data of the applicants (no name, no ID number, no address): only what the annual report counts.
Nothing in them reaches any target's output; the report prints counts, and `--explain` names
rows by file, line and 编号.

applications.csv columns (see docs/管理员手册.md, 年度报告与归档):
    no          编号, unique                          2026-001
    received    收到日期                               2026-03-02
    applicant   申请人类型: 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他
    department  承办科室 (a department of site.toml's [[sections]])
    result      办理结果: 予以公开 | 部分公开 | 不予公开 | 无法提供 | 不予处理 | 其他处理; empty = 未办结
    reason      理由 (不予公开, 无法提供, 不予处理, 其他处理 only): one of the template's rows
    closed      办结日期; empty = 未办结 (given exactly when result is)
    extended    延期 (经批准延长答复期限): 是 | 否 (empty = 否)
    note        备注, free text, never shown anywhere

cases.csv columns:
    no          编号, unique
    kind        行政复议 | 直接起诉 (未经复议直接起诉) | 复议后起诉
    filed       收到日期 (复议申请书或起诉状副本)
    result      结果: 维持 | 纠正 | 其他; empty = 尚未审结
    closed      审结日期 (given exactly when result is)
    department  承办科室, optional
    note        备注, free text, never shown anywhere

Errors name the file, the line and the column, like those of items.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional

from ..config import Config
from ..errors import Problems

FOLDER = "registers"
APPLICATIONS = f"{FOLDER}/applications.csv"
CASES = f"{FOLDER}/cases.csv"

# 申请人情况 columns of the template (the key is what JSON and --explain use)
APPLICANTS = (("natural", "自然人"), ("business", "商业企业"), ("research", "科研机构"),
              ("public_interest", "社会公益组织"), ("legal", "法律服务机构"), ("other", "其他"))
APPLICANT_ALIASES = {"公民": "natural", "个人": "natural", "企业": "business", "法律服务": "legal"}

# 办理结果 rows of the template: (result key, label, ((reason key, label, aliases …) …))
RESULTS = (
    ("disclosed", "予以公开", ()),
    ("partly", "部分公开", ()),
    ("refused", "不予公开", (
        ("state_secret", "属于国家秘密", ("国家秘密",)),
        ("law_forbids", "其他法律行政法规禁止公开", ("法律行政法规禁止公开",)),
        ("three_safety", "危及“三安全一稳定”", ("危及三安全一稳定", "三安全一稳定")),
        ("third_party", "保护第三方合法权益", ("第三方合法权益",)),
        ("internal_affairs", "属于三类内部事务信息", ("三类内部事务信息", "内部事务信息")),
        ("process_info", "属于四类过程性信息", ("四类过程性信息", "过程性信息")),
        ("enforcement_file", "属于行政执法案卷", ("行政执法案卷",)),
        ("inquiry", "属于行政查询事项", ("行政查询事项",)),
    )),
    ("unable", "无法提供", (
        ("not_held", "本机关不掌握相关政府信息", ("不掌握相关政府信息", "本机关不掌握")),
        ("needs_making", "没有现成信息需要另行制作", ("需要另行制作", "没有现成信息")),
        ("unclear", "补正后申请内容仍不明确", ("申请内容仍不明确", "内容不明确")),
    )),
    ("not_handled", "不予处理", (
        ("petition", "信访举报投诉类申请", ("信访举报投诉",)),
        ("repeated", "重复申请", ()),
        ("publication", "要求提供公开出版物", ("公开出版物",)),
        ("mass_repeated", "无正当理由大量反复申请", ("大量反复申请",)),
        ("confirm", "要求行政机关确认或重新出具已获取信息", ("确认或重新出具已获取信息",)),
    )),
    ("other", "其他处理", (
        ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", ("逾期不补正",)),
        ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", ("逾期未缴纳费用", "逾期未缴费")),
        ("other", "其他", ("申请人撤回", "撤回", "撤回申请")),
    )),
)
RESULT_KEYS = {label: key for key, label, _ in RESULTS}

CASE_KINDS = (("review", "行政复议"), ("direct", "未经复议直接起诉"), ("after_review", "复议后起诉"))
CASE_KIND_ALIASES = {"复议": "review", "直接起诉": "direct", "未经复议起诉": "direct", "诉讼": "direct",
                     "行政诉讼": "direct"}
CASE_RESULTS = (("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"))
CASE_RESULT_ALIASES = {"维持": "upheld", "纠正": "corrected", "其他": "other"}

YES, NO = {"是", "yes", "true", "y", "1"}, {"", "否", "no", "false", "n", "0"}

APPLICATION_COLUMNS = ("no", "received", "applicant", "department", "result", "reason", "closed", "extended", "note")
APPLICATION_REQUIRED = ("no", "received", "applicant", "department")
CASE_COLUMNS = ("no", "kind", "filed", "result", "closed", "department", "note")
CASE_REQUIRED = ("no", "kind", "filed")
COLUMN_LABELS = {"no": "编号", "received": "收到日期", "applicant": "申请人类型", "department": "承办科室",
                 "result": "办理结果", "reason": "理由", "closed": "办结日期", "extended": "延期", "note": "备注",
                 "kind": "类别", "filed": "收到日期"}


@dataclass(frozen=True)
class Application:
    file: str
    line: int
    no: str
    received: date
    applicant: str                   # APPLICANTS key
    department: str
    result: Optional[str]            # RESULTS key; None = 未办结
    reason: Optional[str]            # reason key within the result, or None
    closed: Optional[date]
    extended: bool

    def open_at(self, day: date) -> bool:
        """Received by `day` and not closed by then (still being handled at the end of that day)."""
        return self.received <= day and (self.closed is None or self.closed > day)


@dataclass(frozen=True)
class Case:
    file: str
    line: int
    no: str
    kind: str                        # CASE_KINDS key
    filed: date
    result: Optional[str]            # upheld | corrected | other; None = 尚未审结
    closed: Optional[date]
    department: str


@dataclass(frozen=True)
class Registers:
    applications: tuple[Application, ...] = ()
    cases: tuple[Case, ...] = ()
    present: tuple[str, ...] = ()    # which register files exist
    problems: Problems = None

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def _clean(text: str) -> str:
    return re.sub(r"[\s\"'“”‘’]", "", text)


def _reason_table() -> dict[str, dict[str, str]]:
    """result key -> {accepted spelling (cleaned) -> reason key}."""
    table: dict[str, dict[str, str]] = {}
    for key, _, reasons in RESULTS:
        table[key] = {}
        for reason_key, label, aliases in reasons:
            for spelling in (label, reason_key) + aliases:
                table[key][_clean(spelling)] = reason_key
    return table


REASONS = _reason_table()


def label_of_reason(result: str, reason: str) -> str:
    for key, _, reasons in RESULTS:
        if key == result:
            return next(label for k, label, _ in reasons if k == reason)
    raise KeyError(result)


def _rows(root: Path, rel: str, columns: tuple, required: tuple, problems: Problems):
    """(line, {column: value}) for each data row of a register; header and cells checked."""
    path = root / rel
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.error(rel, 1, "", f"文件不是 UTF-8 编码（第 {exc.start} 字节）。",
                       "请用 UTF-8 保存（Excel：另存为“CSV UTF-8（逗号分隔）”）。")
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header, read = None, 0
    try:
        for cells in reader:
            start, read = read + 1, reader.line_num
            if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                bad = False
                for name in header:
                    if name not in columns:
                        problems.error(rel, start, name, f"未知的列“{name}”。",
                                       f"可用的列：{'、'.join(columns)}。登记表不得记录申请人姓名、证件号码、联系方式等个人信息。")
                        bad = True
                for name in required:
                    if name not in header:
                        problems.error(rel, start, name, f"缺少“{name}”（{COLUMN_LABELS[name]}）列。", "请在第一行加上这一列。")
                        bad = True
                if len(set(header)) != len(header):
                    problems.error(rel, start, "", "表头有重复的列。", "每列只能出现一次。")
                    bad = True
                if bad:
                    return
                continue
            if len(cells) > len(header):
                problems.error(rel, start, "", f"这一行有 {len(cells)} 格，表头只有 {len(header)} 列。",
                               "请检查多余的逗号；含逗号的内容要加英文双引号。")
                continue
            yield start, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
    except csv.Error:
        problems.error(rel, read + 1, "", "CSV 格式错误（多半是引号没有成对）。", "请检查引号是否成对。")


def _date(value: str, rel: str, line: int, column: str, problems: Problems) -> Optional[date]:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems.error(rel, line, column, f"{COLUMN_LABELS[column]}“{value}”不是有效的日期。", "请写成 2026-03-02。")
        return None
    if not 1900 <= day.year <= 2199:
        problems.error(rel, line, column, f"{COLUMN_LABELS[column]}“{value}”超出可用范围。", "请核对年份。")
        return None
    return day


def _unique(no: str, seen: dict, rel: str, line: int, problems: Problems) -> None:
    if no in seen:
        problems.error(rel, line, "no", f"编号“{no}”与第 {seen[no]} 行重复。", "每件申请（案件）只登记一行。")
    else:
        seen[no] = line


def _department(value: str, config: Config, rel: str, line: int, problems: Problems) -> bool:
    known = [s.department for s in config.sections.values()]
    if value not in known:
        problems.error(rel, line, "department", f"未知的承办科室“{value}”。",
                       f"请写 site.toml [[sections]] 中的科室名称：{'、'.join(known)}。")
        return False
    return True


def _closed_and_result(row: dict, rel: str, line: int, problems: Problems, label: str, start: Optional[date],
                       start_label: str) -> tuple[bool, Optional[date]]:
    closed = None
    if row.get("closed"):
        closed = _date(row["closed"], rel, line, "closed", problems)
        if closed is None:
            return False, None
    if bool(row.get("result")) != bool(row.get("closed")):
        field = "closed" if row.get("result") else "result"
        problems.error(rel, line, field, f"{label}和{COLUMN_LABELS['closed'] if label == '办理结果' else '审结日期'}"
                       "要么都填，要么都空（都空表示尚未办结）。", "请补上缺的一项。")
        return False, None
    if closed is not None and start is not None and closed < start:
        problems.error(rel, line, "closed", f"日期 {closed} 早于{start_label} {start}。", "请核对日期。")
        return False, None
    return True, closed


def _filled(row: dict, required: tuple, rel: str, line: int, problems: Problems) -> bool:
    """Every required column of the row has a value; each empty one is an error at the row's line."""
    empty = [name for name in required if not row.get(name)]
    for name in empty:
        problems.error(rel, line, name, f"{COLUMN_LABELS[name]}不能为空。", "请填写。")
    return not empty


def _application(row: dict, line: int, config: Config, seen: dict, problems: Problems) -> Optional[Application]:
    rel = APPLICATIONS
    before = len(problems.errors)
    if not _filled(row, APPLICATION_REQUIRED, rel, line, problems):
        return None
    _unique(row["no"], seen, rel, line, problems)
    received = _date(row["received"], rel, line, "received", problems)
    applicant = dict((label, key) for key, label in APPLICANTS).get(row["applicant"]) \
        or APPLICANT_ALIASES.get(row["applicant"])
    if applicant is None:
        problems.error(rel, line, "applicant", f"申请人类型“{row['applicant']}”无效。",
                       f"只能是 {'、'.join(label for _, label in APPLICANTS)}。")
    _department(row["department"], config, rel, line, problems)
    result = reason = None
    if row.get("result"):
        result = RESULT_KEYS.get(row["result"])
        if result is None:
            problems.error(rel, line, "result", f"办理结果“{row['result']}”无效。",
                           f"只能是 {'、'.join(RESULT_KEYS)}；未办结的留空。")
        elif REASONS[result]:
            reason = REASONS[result].get(_clean(row.get("reason", "")))
            if reason is None:
                choices = "、".join(label for k, label, _ in next(r for r in RESULTS if r[0] == result)[2])
                what = f"理由“{row['reason']}”无效" if row.get("reason") else "缺少理由"
                problems.error(rel, line, "reason", f"{row['result']}：{what}。", f"只能是 {choices}。")
        elif row.get("reason"):
            problems.error(rel, line, "reason", f"{row['result']}不需要填写理由（“{row['reason']}”）。", "请清空这一格。")
    elif row.get("reason"):
        problems.error(rel, line, "reason", "未填写办理结果，却填写了理由。", "请先填写办理结果，或清空理由。")
    fine, closed = _closed_and_result(row, rel, line, problems, "办理结果", received, "收到日期")
    extended = row.get("extended", "").lower()
    if extended not in YES | NO:
        problems.error(rel, line, "extended", f"延期“{row['extended']}”无效。", "只能是 是 或 否（空即否）。")
    if len(problems.errors) > before or not fine:
        return None
    return Application(rel, line, row["no"], received, applicant, row["department"], result, reason, closed,
                       extended in YES)


def _case(row: dict, line: int, config: Config, seen: dict, problems: Problems) -> Optional[Case]:
    rel = CASES
    before = len(problems.errors)
    if not _filled(row, CASE_REQUIRED, rel, line, problems):
        return None
    _unique(row["no"], seen, rel, line, problems)
    kind = dict((label, key) for key, label in CASE_KINDS).get(row["kind"]) or CASE_KIND_ALIASES.get(row["kind"])
    if kind is None:
        problems.error(rel, line, "kind", f"类别“{row['kind']}”无效。", "只能是 行政复议、直接起诉、复议后起诉。")
    filed = _date(row["filed"], rel, line, "filed", problems)
    result = None
    if row.get("result"):
        result = dict((label, key) for key, label in CASE_RESULTS if key != "pending").get(row["result"]) \
            or CASE_RESULT_ALIASES.get(row["result"])
        if result is None:
            problems.error(rel, line, "result", f"结果“{row['result']}”无效。", "只能是 维持、纠正、其他；尚未审结的留空。")
    if row.get("department"):
        _department(row["department"], config, rel, line, problems)
    fine, closed = _closed_and_result(row, rel, line, problems, "结果", filed, "收到日期")
    if len(problems.errors) > before or not fine:
        return None
    return Case(rel, line, row["no"], kind, filed, result, closed, row.get("department", ""))


def load(config: Config) -> Registers:
    """Both registers of the site (absent files: empty registers), with every problem found."""
    problems = Problems()
    applications, cases, present = [], [], []
    if (config.root / APPLICATIONS).is_file():
        present.append(APPLICATIONS)
        seen: dict = {}
        for line, row in _rows(config.root, APPLICATIONS, APPLICATION_COLUMNS, APPLICATION_REQUIRED, problems):
            found = _application(row, line, config, seen, problems)
            if found is not None:
                applications.append(found)
    if (config.root / CASES).is_file():
        present.append(CASES)
        seen = {}
        for line, row in _rows(config.root, CASES, CASE_COLUMNS, CASE_REQUIRED, problems):
            found = _case(row, line, config, seen, problems)
            if found is not None:
                cases.append(found)
    return Registers(tuple(applications), tuple(cases), tuple(present), problems)
