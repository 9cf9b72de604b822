"""What a Markdown body links to, read line by line (no parse: 10,000 bodies in well under a second),
and what an alias may be. Used when loading (content.py: images beside a record, aliases) and when
checking (links.py); imports nothing of the project.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import unquote

_SEGMENT = re.compile(r"[A-Za-z0-9_.\-]+")

_INLINE = re.compile(r"(!?)\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)")
_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")


def body_links(body: str) -> Iterable[tuple[int, str, bool]]:
    """(line in the body counting from 0, destination, is an image) of every link of a Markdown body.
    Fenced code blocks and code spans are skipped (their text is not a link)."""
    fence = None
    for number, line in enumerate(body.split("\n")):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if line.startswith("    ") or line.startswith("\t"):
            continue                       # an indented code block (or a continuation: rare in bodies)
        if "](" in line:
            text = _CODE_SPAN.sub("", line) if "`" in line else line
            for found in _INLINE.finditer(text):
                yield number, _destination(found.group(2)), found.group(1) == "!"
        reference = _REFERENCE.match(line)
        if reference:
            yield number, _destination(reference.group(1)), False


def _destination(text: str) -> str:
    return text[1:-1] if text.startswith("<") and text.endswith(">") else text


# --- links by 索引号 -----------------------------------------------------------------------------------

# [文字](索引号:014000184/2026-00001) (or 索引号： with the full-width colon an IME types, or index:)
_INDEX_LINK = re.compile(r"(?:索引号|index)[:：]([A-Za-z0-9]+/\d{4}-\d{5})(#[^\s()]*)?$", re.IGNORECASE)


def has_index_link(body: str) -> bool:
    """Might the body link by 索引号? A few substring tests: what every body without such a link pays."""
    return "索引号" in body or (("ndex" in body or "NDEX" in body) and _INDEX_PREFIX.search(body) is not None)


_INDEX_PREFIX = re.compile(r"index[:：]", re.IGNORECASE)     # the same prefixes _INDEX_LINK accepts


def index_target(destination: str) -> Optional[tuple[str, str]]:
    """(索引号, "#fragment" as written, or "") of a destination "索引号:014000184/2026-00001" (or "index:…"), else None."""
    found = _INDEX_LINK.match(unquote(destination).strip())
    if found is None:
        return None
    return found.group(1), "#" + destination.split("#", 1)[1].strip() if "#" in destination else ""


def index_links(body: str) -> tuple[str, ...]:
    """The 索引号 a body links to, sorted, each once (() at once for a body without any)."""
    if not has_index_link(body):
        return ()
    return tuple(sorted({found[0] for _, destination, image in body_links(body)
                         if not image and (found := index_target(destination))}))


def local_file(destination: str) -> Optional[str]:
    """A destination naming a file beside the record ("plan.png", "img/a b.png"), else None."""
    if not destination or destination.startswith(("/", "#", "?")) or ":" in destination.split("/")[0]:
        return None
    path = unquote(re.split(r"[?#]", destination, maxsplit=1)[0]).removeprefix("./")
    return path or None


# --- aliases -----------------------------------------------------------------------------------------

def normalise_alias(text: str) -> Optional[str]:
    """"/0204/old/" or "/0204/old" -> "/0204/old/"; None when it is not a site path we can write a page at."""
    if not isinstance(text, str) or not text.startswith("/") or text.startswith("//"):
        return None
    parts = [p for p in text.strip("/").split("/")]
    if not parts or parts == [""] or parts[-1] == "index.html" and len(parts) == 1:
        return None
    if parts[-1] == "index.html":
        parts = parts[:-1]
    if any(p in (".", "..") or not _SEGMENT.fullmatch(p) for p in parts):
        return None
    return "/" + "/".join(parts) + "/"
