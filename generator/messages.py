"""Plain-words Chinese messages for schema errors (pydantic) and the like.

pydantic's own messages ("Input should be a valid string") are written for
programmers; department editors need to read what is wrong and what to do.
"""
from __future__ import annotations

import difflib
from typing import Any


def describe_schema_error(err: dict[str, Any]) -> tuple[str, str]:
    """Turn one pydantic error dict into (message, hint)."""
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    shown = _show(value)
    if kind == "missing":
        return "缺少必填字段。", "请补上这一项。"
    if kind == "extra_forbidden":
        return "未知的设置项。", "请检查拼写，或删除这一项（可用的设置见 README）。"
    if kind in ("string_type", "string_sub_type"):
        return f"应为文字，实际是 {shown}。", "如果是数字或日期，请加英文引号，例如 \"0204\"。"
    if kind == "string_too_long":
        return (f"太长：{len(value)} 个字符，最多 {ctx.get('max_length')} 个。", "请精简。") if isinstance(value, str) \
            else (f"太长，最多 {ctx.get('max_length')} 个字符。", "请精简。")
    if kind == "string_too_short":
        return "不能为空。", "请填写内容。"
    if kind == "string_pattern_mismatch":
        return f"格式不对：{shown}。", ""
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        choices = expected.replace(" or ", ", ").replace("'", "").split(", ")
        return f"取值 {shown} 无效。", f"只能是 {'、'.join(choices)}。"
    if kind in ("bool_type", "bool_parsing"):
        return f"应为 true 或 false，实际是 {shown}。", ""
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"应为整数，实际是 {shown}。", ""
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        limit = next(iter(ctx.values()), "")
        op = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        return f"取值 {shown} 超出范围，应 {op} {limit}。", ""
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"应为列表，实际是 {shown}。", "请写成 [甲, 乙] 或每行一个“- 项目”。"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"应为一组键值（表），实际是 {shown}。", ""
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"不是有效的日期：{shown}。", "请写成 2026-06-01 或 2026-06-01 09:30:00+08:00。"
    if kind == "value_error":
        # our own validators raise ValueError("message|hint")
        text = str(ctx.get("error", err.get("msg", "")))
        message, _, hint = text.partition("|")
        return message, hint
    return err.get("msg", "取值无效。"), ""


def _show(value: Any) -> str:
    if value is None:
        return "空值"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"“{value if len(value) <= 40 else value[:40] + '…'}”"
    if isinstance(value, (list, tuple)):
        return "列表"
    if isinstance(value, dict):
        return "键值表"
    return f"“{value}”"


def closest(word: str, candidates: list[str]) -> str | None:
    """The candidate nearest to `word`, for "did you mean" hints."""
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.3)
    return found[0] if found else None


_YAML_PROBLEMS = {
    "mapping values are not allowed here": "这一行多了一个冒号（值里有“: ”时，请给整段文字加英文引号）",
    "could not find expected ':'": "缺少“字段: 值”中的冒号",
    "found character '\\t' that cannot start any token": "不能用 Tab 缩进，请改用空格",
    "found unexpected end of stream": "引号或括号没有闭合",
    "expected ',' or ']', but got ':'": "方括号 [ 没有闭合，或列表项之间缺少逗号",
    "expected ',' or ']', but got '<stream end>'": "方括号 [ 没有闭合",
    "expected ',' or '}', but got '<stream end>'": "花括号 { 没有闭合",
    "expected <block end>, but found '<block sequence start>'": "列表的缩进不一致",
    "found undefined alias": "使用了未定义的 * 引用",
}


def yaml_problem(problem: str) -> str:
    """PyYAML's problem text in plain Chinese, the original kept for the curious."""
    plain = _YAML_PROBLEMS.get(problem)
    return f"{plain}（{problem}）" if plain else problem
