"""Plain-words Chinese messages for schema errors (pydantic) and the like.

pydantic's own messages ("Input should be a valid string") are written for
programmers; department editors need to read what is wrong and what to do.
"""
from __future__ import annotations

import difflib
import errno
import re
import socket
import sys
from pathlib import Path
from typing import Any


def program() -> str:
    """The command's own name in its messages: `zwgk` when run as the installed command, else build.py."""
    return "zwgk" if Path(sys.argv[0] or "").stem == "zwgk" else "build.py"


def how_to_run() -> str:
    """What a user types to run it: `zwgk`, or `python build.py` in a clone."""
    return "zwgk" if program() == "zwgk" else "python build.py"


def describe_schema_error(err: dict[str, Any]) -> tuple[str, str]:
    """Turn one pydantic error dict into (message, hint)."""
    kind = err.get("type", "")
    value = err.get("input")
    ctx = err.get("ctx") or {}
    shown = _show(value)
    if kind == "missing":
        return "缺少必填字段。", "请补上这一项。"
    if kind == "extra_forbidden":
        return "未知的设置项。", "请检查拼写，或删除这一项（可用的设置见《管理员手册》“site.toml 设置”）。"
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
    if kind == "too_short":
        return f"至少需要 {ctx.get('min_length', 1)} 项。", "请补上。"
    if kind == "too_long":
        return f"最多 {ctx.get('max_length')} 项。", "请删减。"
    if kind in ("float_type", "float_parsing", "decimal_type", "decimal_parsing"):
        return f"应为数字，实际是 {shown}。", ""
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
    return f"取值 {shown} 无效。", "请对照《编辑手册》“字段一览”中该字段的说明填写。"   # never pydantic's English


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


def closest(word: str, candidates, cutoff: float = 0.3) -> str | None:
    """The candidate nearest to `word`, for "did you mean" hints."""
    found = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return found[0] if found else None


def did_you_mean(word: str, candidates, cutoff: float = 0.6) -> str:
    """“是不是“x”？” for a near miss, else ""."""
    near = closest(word, candidates, cutoff)
    return f"是不是“{near}”？" if near else ""


# PyYAML's problem texts (the pure-Python parser's, which frontmatter_lines asks on any error),
# as regular expressions; {0}… are the quoted parts they carry.
_YAML_PROBLEMS = [
    (r"mapping values are not allowed here", "这一行多了一个冒号（值里有“: ”时，请给整段文字加英文引号）"),
    (r"could not find expected ':'", "缺少“字段: 值”中的冒号"),
    (r"found character '\\t' that cannot start any token", "不能用 Tab 缩进，请改用空格"),
    (r"found a tab character (?:that violates indentation|where an indentation space is expected)",
     "不能用 Tab 缩进，请改用空格"),
    (r"found character '(.*)' that cannot start any token", "字符“{0}”不能出现在值的开头（请给整段文字加英文引号）"),
    (r"found unexpected end of stream", "引号或括号没有闭合"),
    (r"expected ',' or '\]', but got ':'", "方括号 [ 没有闭合，或列表项之间缺少逗号"),
    (r"expected ',' or '\]', but got '<stream end>'", "方括号 [ 没有闭合"),
    (r"expected ',' or '\]', but got .*", "方括号 [ 没有闭合，或列表项之间缺少逗号"),
    (r"expected ',' or '}', but got '<stream end>'", "花括号 { 没有闭合"),
    (r"expected ',' or '}', but got .*", "花括号 { 没有闭合，或各项之间缺少逗号"),
    (r"expected <block end>, but found '<block sequence start>'", "列表的缩进不一致"),
    (r"expected <block end>, but found .*", "缩进不一致（同一级的字段应左对齐）"),
    (r"found undefined alias.*", "使用了未定义的 * 引用（值以 * 开头时请加英文引号）"),
    (r"found unknown escape character '(.*)'", "双引号里的“\\{0}”不是有效的转义（请改用单引号，或写成“\\\\”）"),
    (r"expected the node content, but found .*", "这里缺少值（逗号、括号等写法有误）"),
    (r"expected alphabetic or numeric character, but found .*", "& 或 * 之后应为字母或数字（值以 & 或 * 开头时请加英文引号）"),
    (r"found unhashable key", "字段名不能是列表或键值表"),
    (r"could not determine a constructor for the tag '(.*)'", "不认识的标记“{0}”（值以 ! 开头时请加英文引号）"),
    (r"but found another document", "front matter 中出现了第二个文档（---）"),
    (r"expected a comment or a line break, but found .*", "引号结束后还有多余的文字"),
    (r"found duplicate anchor.*", "& 锚点名称重复"),
    (r"expected '<document start>', but found .*", "格式无法识别（缩进或冒号有误）"),
    (r"expected (?:<block end>|a mapping|.*) .*", "格式无法识别（缩进或冒号有误）"),
]


def yaml_problem(problem: str) -> str:
    """PyYAML's problem text in plain Chinese."""
    for pattern, plain in _YAML_PROBLEMS:
        match = re.fullmatch(pattern, problem.strip())
        if match:
            return plain.format(*match.groups())
    return "格式无法识别（请检查冒号、缩进和引号）"


# Python's own ValueError texts (datetime, int()) that reach a message, as regular expressions.
_PYTHON_ERRORS = [
    (r"month must be in 1\.\.12", "月份应在 1 到 12 之间"),
    (r"day is out of range for month", "这个月没有这一天"),
    (r"year (-?\d+) is out of range", "年份超出范围（{0}）"),
    (r"hour must be in 0\.\.23", "小时应在 0 到 23 之间"),
    (r"minute must be in 0\.\.59", "分钟应在 0 到 59 之间"),
    (r"second must be in 0\.\.59", "秒应在 0 到 59 之间"),
    (r"microsecond must be in 0\.\.999999", "微秒应在 0 到 999999 之间"),
    (r"offset must be a timedelta strictly between.*", "时区偏移应在 -24 到 +24 小时之间"),
    (r"Invalid isoformat string: (.*)", "{0} 不是 ISO 8601 格式"),
    (r"invalid literal for int\(\) with base \d+: (.*)", "{0} 不是整数"),
    (r"could not convert string to float: (.*)", "{0} 不是数字"),
]


def python_error_text(exc: BaseException) -> str:
    """An exception's text in Chinese: known ValueError texts, OSError by errno."""
    if isinstance(exc, OSError):
        return os_error_text(exc)
    text = str(exc)
    for pattern, plain in _PYTHON_ERRORS:
        match = re.fullmatch(pattern, text.strip())
        if match:
            return plain.format(*match.groups())
    return "无法识别的值"


_ERRNO = {
    "EACCES": "没有权限", "EPERM": "操作不被允许", "ENOENT": "找不到该文件或文件夹",
    "ENOSPC": "磁盘空间不足", "EDQUOT": "磁盘配额已用完", "EROFS": "文件系统是只读的",
    "EEXIST": "文件已存在", "EISDIR": "这是一个文件夹，不是文件", "ENOTDIR": "路径中有一段不是文件夹",
    "ENOTEMPTY": "文件夹不是空的", "EBUSY": "文件正在被使用", "ETXTBSY": "文件正在被使用",
    "EMFILE": "打开的文件太多", "ENFILE": "打开的文件太多", "ENAMETOOLONG": "文件名太长",
    "ELOOP": "符号链接循环", "EXDEV": "不能跨磁盘移动", "EIO": "磁盘读写出错",
    "EADDRINUSE": "地址或端口已被占用", "EADDRNOTAVAIL": "本机没有这个地址",
    "ECONNREFUSED": "连接被拒绝", "ECONNRESET": "连接被重置", "ETIMEDOUT": "连接超时",
    "EHOSTUNREACH": "无法访问该主机", "ENETUNREACH": "网络不可达", "EAFNOSUPPORT": "不支持该地址类型",
    "EINVAL": "参数无效", "ENOMEM": "内存不足", "EFBIG": "文件太大", "ESPIPE": "无法定位",
}


def os_error_text(exc: OSError) -> str:
    """An OSError's reason in Chinese, by its errno (never the English strerror)."""
    if exc.errno is None:              # raised with a message of our own (or of a library): that text
        return str(exc) or "系统错误"
    if isinstance(exc, socket.gaierror):
        return "无法解析该主机名或地址"
    name = errno.errorcode.get(exc.errno) if exc.errno is not None else None
    if name in _ERRNO:
        return _ERRNO[name]
    return f"系统错误（错误码 {name or exc.errno}）" if exc.errno is not None else "系统错误"


# tomllib's texts, "… (at line 3, column 5)"; {0}… are the parts they carry.
_TOML_PROBLEMS = [
    (r"Expected '=' after a key in a key/value pair", "键后面缺少“=”"),
    (r"Expected newline or end of document after a statement", "一行只能写一项设置（值后面还有多余的内容）"),
    (r"Invalid statement", "无法识别的一行"),
    (r"Invalid value", "值的写法不对（文字请加英文双引号）"),
    (r"Invalid initial character for a key part", "键名的开头有不允许的字符"),
    (r"Unclosed array", "方括号 [ 没有闭合"),
    (r"Unclosed inline table", "花括号 { 没有闭合"),
    (r"Unterminated string", "引号没有闭合"),
    (r"Illegal character (.*)", "文字中有不允许的字符 {0}"),
    (r"Found invalid character (.*)", "有不允许的字符 {0}"),
    (r"Unescaped '\\\\' in a string", "双引号里的反斜杠 \\ 要写成 \\\\（或改用单引号）"),
    (r"Escaped character is not a Unicode scalar value", "无效的 \\u 转义"),
    (r"Invalid hex value", "无效的 \\u 转义"),
    (r"Invalid date or datetime", "不是有效的日期或时间"),
    (r"Cannot overwrite a value", "同一个键写了两次"),
    (r"Cannot declare (.*) twice", "表 {0} 声明了两次"),
    (r"Cannot (?:mutate immutable|redefine) namespace (.*)", "表 {0} 已经定义过，不能再修改"),
    (r"Duplicate inline table key (.*)", "花括号里的键 {0} 重复"),
    (r"Expected ']' at the end of a table declaration", "表名 [ 后缺少 ]"),
    (r"Expected ']]' at the end of an array declaration", "[[ 后缺少 ]]"),
    (r"Expected (.*)", "缺少 {0}"),
]


def toml_problem(text: str) -> str:
    """tomllib's error text in Chinese, its position as 第 N 行第 M 列."""
    match = re.fullmatch(r"(.*?)\s*\(at (?:line (\d+), column (\d+)|end of document)\)", text.strip(), re.S)
    problem, line, column = (match.group(1), match.group(2), match.group(3)) if match else (text.strip(), None, None)
    plain = "格式无法识别（请检查引号、括号和等号）"
    for pattern, chinese in _TOML_PROBLEMS:
        found = re.fullmatch(pattern, problem)
        if found:
            plain = chinese.format(*found.groups())
            break
    where = f"（第 {line} 行第 {column} 列）" if line else ("（在文件末尾）" if match else "")
    return plain + where


def network_error_text(exc: BaseException) -> str:
    """Why a download or HTTP check failed, in Chinese (urllib wraps the OSError in URLError.reason)."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "连接超时"
    if isinstance(reason, OSError):
        return os_error_text(reason)
    if isinstance(exc, ValueError):
        return "网址或服务器的回答不合格式"
    return "无法连接"

