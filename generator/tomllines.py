"""Where each key of a TOML file is, by line.

`tomllib` returns values without positions, yet every config error must name
its line. This scanner walks the text once and records, for each key path
(`("categories", 3, "code")`), the line that defines it. It understands what a
site.toml uses: tables, arrays of tables, dotted and quoted keys, multi-line
arrays and strings.
"""
from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _split_key(key: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_\-]+|"[^"]*"|'[^']*'""", key)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


def key_lines(text: str) -> dict[tuple, int]:
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    depth = 0          # open brackets of a multi-line array
    in_string = None   # the delimiter of an open multi-line string
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_string:
            if in_string in raw:
                in_string = None
            continue
        if depth == 0:
            header = _HEADER.match(raw)
            if header:
                path = tuple(_split_key(header.group(2)))
                if header.group(1) == "[[":
                    index = counts.get(path, 0)
                    counts[path] = index + 1
                    table = path + (index,)
                else:
                    table = _resolve(path, counts)
                lines.setdefault(table, number)
                continue
            key = _KEY.match(raw)
            if key:
                lines.setdefault(table + tuple(_split_key(key.group(1))), number)
        code = _strip_strings(raw)
        for quote in ('"""', "'''"):
            if raw.count(quote) % 2 == 1:
                in_string = quote
        depth = max(0, depth + code.count("[") - code.count("]"))
    return lines


def _resolve(path: tuple, counts: dict[tuple, int]) -> tuple:
    """`[site.footer]` under the latest `[[x]]` element, when the prefix is an array."""
    for cut in range(len(path), 0, -1):
        prefix = path[:cut]
        if prefix in counts:
            return prefix + (counts[prefix] - 1,) + path[cut:]
    return path


def _strip_strings(line: str) -> str:
    """The line without string literals and comments, to count brackets."""
    line = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'', "", line)
    return line.split("#", 1)[0]


def line_of(lines: dict[tuple, int], path: tuple) -> int:
    """The line of `path`, else of its nearest enclosing key or table, else 1."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return 1
