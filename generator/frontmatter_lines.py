"""Split a Markdown file into its YAML front matter and body, keeping lines.

python-frontmatter finds the `---` fences; the YAML itself is composed here
so that every key and list element keeps the line it was written on, which
is what error messages point at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml

from .messages import python_error_text, yaml_problem
from .model import STRING_FIELDS, STRING_LIST_FIELDS

_HANDLER = frontmatter.YAMLHandler()
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)   # libyaml: ten times faster, same nodes and marks


class FrontMatterError(Exception):
    def __init__(self, line: int, message: str, hint: str = "", field: str = ""):
        super().__init__(message)
        self.line, self.message, self.hint, self.field = line, message, hint, field


@dataclass(frozen=True)
class Parsed:
    data: dict[str, Any]
    lines: dict            # "field" or ("field", index) -> line in the file
    body: str
    body_line: int         # file line on which the body starts


def split(text: str) -> tuple[str, str]:
    """(front matter text, body) of a file's text; ValueError without the closing --- line."""
    return _HANDLER.split(text)


def parse(text: str) -> Parsed:
    # the two fences as split() finds them (FM_BOUNDARY.split(text, 2), without scanning the body twice)
    fences = _HANDLER.FM_BOUNDARY.finditer(text)
    first = next(fences, None)
    if first is None or first.start() != 0:          # what _HANDLER.detect asks: a fence on the first line
        raise FrontMatterError(1, "文件开头没有 front matter。",
                               "第一行应为 ---，随后是 title、category 等字段，再以 --- 结束。")
    second = next(fences, None)
    if second is None:
        raise FrontMatterError(1, "front matter 没有结束的 --- 行。", "请在字段之后单独一行写 ---。")
    fm_text, body = text[first.end():second.start()], text[second.end():]
    # The fence pattern may swallow blank lines, so count lines from where it stopped.
    base = text.count("\n", 0, first.end()) + 1     # file line of fm_text's first line
    body_line = text.count("\n", 0, second.end()) + 1
    control = _CONTROL.search(fm_text)
    if control:
        line = fm_text.count("\n", 0, control.start())
        raise FrontMatterError(base + line, f"含有控制字符 U+{ord(control.group()):04X}（看不见，会破坏网页和订阅源）。",
                               "请删除该字符；它常随从其他系统复制的文字混入。", field=_field_at(fm_text, line))
    quick = _plain_lines(fm_text, base, body, body_line)
    if quick is not None:
        return quick
    try:
        try:
            return _compose(fm_text, base, body, body_line, _LOADER)
        except yaml.YAMLError as exc:   # rare: ask the pure-Python parser, whose messages and marks we explain
            mark = getattr(exc, "problem_mark", None)
            if "level" in str(getattr(exc, "context", "")) + str(getattr(exc, "problem", "")) and mark:
                raise _too_deep(fm_text, base, mark.line)     # libyaml's nesting limit: Python's would recurse
            return _compose(fm_text, base, body, body_line, yaml.SafeLoader)
    except RecursionError:
        raise _too_deep(fm_text, base, 0)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context and "flow" in exc.context and exc.context_mark:   # an unclosed [ or {: where it opened
            mark = exc.context_mark
        line = mark.line + base if mark else 1
        problem = yaml_problem((exc.problem or "无法解析").strip())
        raise FrontMatterError(line, f"YAML 格式错误：{problem}。",
                               "请检查冒号后的空格、缩进和引号；含冒号的文字请加引号。")


def _compose(fm_text: str, base: int, body: str, body_line: int, loader_class) -> Parsed:
    loader = loader_class(fm_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Parsed({}, {}, body, body_line)
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(node.start_mark.line + base, "front matter 应为“字段: 值”的形式。",
                                   "每行写一个字段，例如 title: 某某公告。")
        _check_shape(node, fm_text, base)
        lines: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key in lines:
                raise FrontMatterError(key_node.start_mark.line + base, "字段写了两次。",
                                       f"请删除重复的一行（第一次在第 {lines[key]} 行）。", field=str(key))
            lines[key] = key_node.start_mark.line + base
            if isinstance(value_node, yaml.SequenceNode):
                for i, element in enumerate(value_node.value):
                    lines[(key, i)] = element.start_mark.line + base
        try:
            data = loader.construct_document(node)
        except ValueError as exc:   # e.g. 2026-13-01 looks like a date to YAML but is none
            raise _bad_value(node, base, exc)
        _keep_text(node, data)
        _check_escaped_controls(data, lines)
        return Parsed(data, lines, body, body_line)
    finally:
        loader.dispose()


# The quick path: front matter written as most is — one `field: value` per line, values plain, quoted
# or a one-line [list] — is read without composing YAML nodes, with PyYAML's own resolver and constructors,
# so the values are exactly those of the full path. Anything else (block lists and text, comments after a
# value, escapes, tabs, anchors, tags, a field written twice, a key YAML reads as no text, a value it cannot
# construct …) goes the full way, which also words every error.
_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,63}):(?: +(.*))?")
_QUOTED = re.compile(r'"([^"\\]*)"|\'([^\']*)\'')
# a plain value: no indicator first, no comment, no brackets, no ": " (a mapping), not ending in ":"
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^#\[\]{}]*")
_FLOW_ITEM = re.compile(r' *(?:"([^"\\]*)"|\'([^\']*)\'|([^\s\-?:,\[\]{}#&*!|>\'"%@`][^,\[\]{}#:\'"]*?)) *(,|$)')
# what YAML reads as a line break or refuses, and what PyYAML and libyaml might read differently
_UNUSUAL = re.compile("[\t\r\x80-\x9f\u2028\u2029\ufeff]")
_STR_TAG = "tag:yaml.org,2002:str"
_SCALARS = {tag: yaml.constructor.SafeConstructor.yaml_constructors[tag] for tag in (
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", "tag:yaml.org,2002:timestamp")}
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_RESOLVERS = _LOADER.yaml_implicit_resolvers
_TEXT_KEYS: dict[str, bool] = {}      # key -> does YAML read it as text (not `null`, `yes`, `on` …)


def _resolve(value: str) -> str:
    """The tag YAML gives a plain scalar (Resolver.resolve, without its path resolvers, which SafeLoader has none of)."""
    for tag, pattern in _RESOLVERS.get(value[:1], []) + _RESOLVERS.get(None, []):
        if pattern.match(value):
            return tag
    return _STR_TAG


class _Unusual(Exception):
    pass


_VALUES: dict = {}      # plain scalar -> its value (dates, `approved` … repeat across ten thousand files)
_NO_VALUE = object()


def _plain_value(text: str):
    """The value YAML makes of a plain scalar; _Unusual when it would do anything but make a value.
    The values are immutable (text, numbers, dates, None), so one object may serve many files."""
    value = _VALUES.get(text, _NO_VALUE)
    if value is _NO_VALUE:
        tag = _resolve(text)
        make = _SCALARS.get(tag)
        if tag == _STR_TAG:
            value = text
        elif make is None:
            value = _Unusual
        else:
            try:
                value = make(_CONSTRUCTOR, yaml.ScalarNode(tag, text))
            except Exception:       # 2026-13-01: the full path names its line
                value = _Unusual
        if len(_VALUES) > 100_000:  # a long preview session: keep it bounded
            _VALUES.clear()
        _VALUES[text] = value
    if value is _Unusual:
        raise _Unusual
    return value


def _flow_list(key: str, inner: str) -> list:
    """The items of a one-line [a, "b", 'c']; _Unusual for anything else."""
    items: list = []
    if not inner.strip(" "):
        return items
    position, end = 0, len(inner)
    while position < end:
        item = _FLOW_ITEM.match(inner, position)
        if item is None or item.end() == position:
            raise _Unusual
        double, single, plain, comma = item.groups()
        if plain is not None:
            one = _plain_value(plain)
            # a text field written as 0204 stays as written (_keep_text)
            items.append(plain if key in STRING_LIST_FIELDS and not isinstance(one, str)
                         and plain not in ("~", "null") else one)
        else:
            items.append(double if double is not None else single)
        position = item.end()
        if comma and not inner[position:].strip(" "):
            raise _Unusual                                  # [a, ] or [a,]: the full path decides
    return items


def _plain_lines(fm_text: str, base: int, body: str, body_line: int):
    """Parsed, or None for the full path. Every text value is a piece of `fm_text`, which holds no
    control character (parse checked), so _check_escaped_controls has nothing to find here."""
    if _UNUSUAL.search(fm_text):
        return None
    data: dict = {}
    lines: dict = {}
    key_line, text_keys = _KEY_LINE.fullmatch, _TEXT_KEYS
    try:
        for number, line in enumerate(fm_text.split("\n")):
            match = key_line(line)
            if match is None:
                if not line.strip(" ") or line[:1] == "#":
                    continue                              # a blank line, a comment of its own
                return None
            key, value = match.groups()
            text_key = text_keys.get(key)
            if text_key is None:
                text_key = text_keys[key] = _resolve(key) == _STR_TAG
            if not text_key or key in data:
                return None
            at = lines[key] = base + number
            value = value.rstrip(" ") if value else ""
            first = value[:1]
            if not first:
                data[key] = None                          # `key:` is null
            elif first == '"' or first == "'":
                quoted = _QUOTED.fullmatch(value)
                if quoted is None:
                    return None
                double, single = quoted.groups()
                data[key] = double if double is not None else single
            elif first == "[":
                if value[-1] != "]":
                    return None
                items = data[key] = _flow_list(key, value[1:-1])
                for i in range(len(items)):
                    lines[(key, i)] = at
            else:
                if _PLAIN.fullmatch(value) is None or ": " in value or value[-1] == ":":
                    return None
                one = _plain_value(value)
                data[key] = value if key in STRING_FIELDS and not isinstance(one, str) and \
                    value not in ("~", "null") else one
    except _Unusual:
        return None
    if not data:
        return None
    return Parsed(data, lines, body, body_line)


# C0 controls but tab and line feed, DEL, U+FFFE/U+FFFF, lone surrogates: never typed on purpose, break every output
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")   # and XML's non-characters
_TOP_KEY = re.compile(r"([^\s#'\"\[\]{}:,-][^:]*?)[ \t]*:(?:[ \t]|$)")
MAX_DEPTH = 8           # a field is a value or a list of values; 8 leaves room and stops recursion bombs


def _field_at(fm_text: str, line: int) -> str:
    """The top-level field whose value spans line `line` (0-based) of the front matter."""
    name = ""
    for number, text in enumerate(fm_text.split("\n")[:line + 1]):
        match = _TOP_KEY.match(text)
        if match:
            name = match.group(1)
    return name


def _too_deep(fm_text: str, base: int, line: int) -> FrontMatterError:
    name = _field_at(fm_text, line)
    key_line = next((n for n, text in enumerate(fm_text.split("\n")) if name and text.startswith(name)), line)
    return FrontMatterError(base + key_line, "值的嵌套层次过深，无法读取。",
                            "字段的值应是一段文字、一个日期或一个列表，例如 keywords: [行政许可, 特种设备]。", field=name)


def _check_shape(node: yaml.MappingNode, fm_text: str, base: int) -> None:
    """No alias (&a … *a: recursion and billion-laughs bombs) and no deep nesting, checked on the
    nodes without recursion before anything is constructed."""
    for key_node, value_node in node.value:
        seen: set[int] = set()
        todo = [(value_node, 1)]
        while todo:
            current, depth = todo.pop()
            if id(current) in seen or getattr(current, "anchor", None):
                raise FrontMatterError(key_node.start_mark.line + base, "不支持 YAML 的锚点和别名（& 与 *）。",
                                       "请把值直接写出来。", field=str(key_node.value))
            seen.add(id(current))
            if depth > MAX_DEPTH:
                raise FrontMatterError(key_node.start_mark.line + base, "值的嵌套层次过深，无法读取。",
                                       "字段的值应是一段文字、一个日期或一个列表，例如 keywords: [行政许可, 特种设备]。",
                                       field=str(key_node.value))
            if isinstance(current, yaml.SequenceNode):
                todo.extend((child, depth + 1) for child in current.value)
            elif isinstance(current, yaml.MappingNode):
                todo.extend((child, depth + 1) for pair in current.value for child in pair)


def _check_escaped_controls(data: dict, lines: dict) -> None:
    """A control character written as an escape ("\\x1b", "\\u0000") arrives in the value."""
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for i, one in enumerate(values):
            control = _CONTROL.search(one) if isinstance(one, str) else None
            if control:
                raise FrontMatterError(lines.get((key, i), lines.get(key, 1)),
                                       f"含有控制字符 U+{ord(control.group()):04X}（看不见，会破坏网页和订阅源）。",
                                       "请删除引号中的转义写法（如 \\x1b、\\u0000）。", field=str(key))


def _bad_value(node: yaml.MappingNode, base: int, exc: ValueError) -> FrontMatterError:
    """Find the scalar YAML could not turn into a value, to name its line and field."""
    for key_node, value_node in node.value:
        scalars = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for scalar in scalars:
            if not isinstance(scalar, yaml.ScalarNode):
                continue
            try:
                yaml.SafeLoader("").construct_object(scalar, deep=True)
            except ValueError:
                return FrontMatterError(scalar.start_mark.line + base, f"不是有效的值“{scalar.value}”（{python_error_text(exc)}）。",
                                        "日期请写成 2026-06-01 这样的真实日期。", field=str(key_node.value))
    return FrontMatterError(base, f"无法读取字段的值（{python_error_text(exc)}）。", "")


def _keep_text(node: yaml.MappingNode, data: dict) -> None:
    """A text field written as `0204` or `2026` stays the text the editor typed.

    YAML would turn an unquoted 0204 into the octal number 132; for fields that
    are text by definition the written form is what the editor meant.
    """
    for key_node, value_node in node.value:
        key = key_node.value
        if key in STRING_FIELDS and _plain(value_node) and not isinstance(data.get(key), str):
            data[key] = value_node.value
        elif key in STRING_LIST_FIELDS and isinstance(value_node, yaml.SequenceNode):
            values = data.get(key)
            if isinstance(values, list):
                data[key] = [element.value if _plain(element) and not isinstance(v, str) else v
                             for element, v in zip(value_node.value, values)]


def _plain(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and not node.style and node.value not in ("", "~", "null")
