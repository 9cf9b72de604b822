"""Reading a rendered item page for search: what Pagefind would index (visible text, title),
its metadata, filters and sorts — in one pass.

The tokenizer follows only the elements with data-pagefind attributes and what they hold
(html.parser's reading: tests/test_search_copies.py holds the result to the html.parser reader
it replaced). It does not use html.parser itself: subclassing it costs Python calls per token (the
two html.parser passes took six times as long on the example bureau's pages), and its private
regexes change between CPython patch releases; the two patterns needed to read a start tag's
attributes are our own copies (_TAG_OPEN, _ATTRIBUTE)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from typing import Optional

VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                       "wbr"})
RAW_TEXT_TAGS = ("script", "style")
BODY_MARK = "data-pagefind-body"


@dataclass
class IndexedPage:
    """The searchable parts of one item page, as Pagefind will see them."""

    title: str = ""
    text: str = ""                      # title, summary, body: what data-pagefind-body holds, less ignored parts
    meta: dict = field(default_factory=dict)          # index_no, doc_no, date …
    categories: list = field(default_factory=list)    # category filter values, top first
    filters: list = field(default_factory=list)       # ("department", "办公室") …: "key:value" filters
    sorts: dict = field(default_factory=dict)         # {"date": "2026-06-01"}
    has_body: bool = False


# One token of a page: a comment, a start or end tag (quoted attribute values may hold ">"), a
# declaration or a processing instruction; split() puts the text between tokens at even places.
_SPLIT = re.compile(r"(<!--.*?--\s*>|</?[a-zA-Z](?:[^>\"']|\"[^\"]*\"|'[^']*')*>|<![^>]*>|<\?[^>]*>)", re.S)
_SIMPLE_SPLIT = re.compile(r"(<[!?/a-zA-Z][^>]*>)")
_QUOTED_ANGLE = re.compile(r"=\s*(?:\"[^\"]*|'[^']*)[<>]")      # an attribute value holding < or >
# A script or style element: its text is raw, up to its end tag (as html.parser reads it).
_RAW = re.compile(r"(<(script|style)(?=[\s/>])(?:[^>\"']|\"[^\"]*\"|'[^']*')*(?<!/)>)(.*?)(</\s*\2\s*>)", re.S | re.I)
_NAME = re.compile(r"</?([a-zA-Z][^\t\n\r\f />\x00]*)")
_TAG_NAMES: dict[str, str] = {}        # short tags seen -> their names


def _takes_text(value: Optional[str]) -> bool:
    """A data-pagefind-meta/filter attribute whose value is the element's text (not "key:value")."""
    return bool(value) and ":" not in value and "[" not in value


# A start tag's attributes, read as html.parser of Python 3.11 reads them. These are our own copies of
# the two patterns it used (its private `tagfind_tolerant` and `attrfind_tolerant`, which later
# CPython releases rewrote): the copies, and so the index, must not change with the Python that runs
# the build. \s is Unicode whitespace, as there.
# "<", the tag name, then the whitespace and "/" (not the one of "/>") before the first attribute:
_TAG_OPEN = re.compile(r"<[a-zA-Z][^\t\n\r\f />\x00]*(?:\s|/(?!>))*")
_ATTRIBUTE = re.compile(
    r"""((?<=['"\s/])[^\s/>][^\s/=>]*)"""              # 1 the name, after whitespace, "/" or a closing quote
    r"""(\s*=+\s*('[^']*'|"[^"]*"|(?!['"])[^>\s]*))?"""  # 2 "=" and 3 the value: quoted, or bare up to space or >
    r"""(?:\s|/(?!>))*""")                                # then what separates it from the next


def _attributes(tag: str) -> dict:
    """The attributes of a start tag (a whole token, "<" to ">"): names lower-cased, values
    unquoted and unescaped, None for a name without a value; the last of a repeated name wins."""
    attrs = {}
    k = _TAG_OPEN.match(tag).end()
    while k < len(tag):
        m = _ATTRIBUTE.match(tag, k)
        if not m:                       # the closing ">" (or "/>"), or what cannot start a name
            break
        name, rest, value = m.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == value[-1:] and value[:1] in ("'", '"'):
            value = value[1:-1]
        if value:
            value = unescape(value)
        attrs[name.lower()] = value
        k = m.end()
    return attrs


class _Raw(str):
    """The text of a script or style element, as written."""


def _parts(html: str) -> list:
    """The page as [text, token, text, token, …, text], a script's or style's text one _Raw
    part. Without comments, and without < or > inside quoted attribute values (Jinja and
    markdown-it escape them), a token is simply from < to the next >."""
    split = _SPLIT.split if "<!--" in html or _QUOTED_ANGLE.search(html) else _SIMPLE_SPLIT.split
    if not _RAW.search(html):
        return split(html)
    parts: list = []
    pos = 0
    for m in _RAW.finditer(html):
        parts += split(html[pos:m.start()])
        parts += [m.group(1), _Raw(m.group(3)), f"</{m.group(2).lower()}>"]
        pos = m.end()
    parts += split(html[pos:])
    return parts


# Elements whose end Pagefind marks in its stored text with ". " when their text ends in a word character.
SENTENCE_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "dl", "dt", "dd",
                           "article", "section"})


def _block_ends(parts: list, k: int) -> bool:
    """Whether the end tags from token k on close a SENTENCE_TAGS element before any text or start tag."""
    while k < len(parts):
        token = parts[k]
        if token[1] != "/":
            return False
        if _NAME.match(token).group(1).lower() in SENTENCE_TAGS:
            return True
        if k + 1 < len(parts) and parts[k + 1]:
            return False
        k += 2
    return False


# Elements whose text Pagefind never indexes (it removes them before reading a page).
UNREAD_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})


def _values(attribute: str):
    """The "key:value" entries of a data-pagefind-filter/meta/sort attribute (Pagefind's syntax:
    entries separated by commas, a backslash before a comma that belongs to a value)."""
    for entry in re.split(r"(?<!\\),", attribute):
        key, sep, value = entry.partition(":")
        if sep and key.strip() and "[" not in key:
            yield key.strip(), value.strip().replace("\\,", ",")


def _first_followed(html: str) -> int:
    """Where the tag of the page's first data-pagefind attribute starts, when nothing before it can
    hide markup (no comment; each script and style closed) and the "<" found surely opens that tag
    (no quote open between them); else 0. The text before it is outside every element followed: reading
    starts there (the head and the page's header are a third of an item page)."""
    found = html.find("data-pagefind")
    start = html.rfind("<", 0, found) if found > 0 else -1
    if start <= 0:
        return 0
    head = html[:start].lower()
    if "<!--" in head or any(head.count(f"<{tag}") != head.count(f"</{tag}") for tag in RAW_TEXT_TAGS):
        return 0            # a comment, or a script or style still open (or holding "<script" as text)
    between = html[start:found]
    if not _TAG_OPEN.match(between) or ">" in between or between.count('"') % 2 or between.count("'") % 2:
        return 0
    return start


def read_page(html: str) -> IndexedPage:
    """One pass over a page: what it offers for search (IndexedPage).

    The indexed text is the text inside the data-pagefind-body element, less
    data-pagefind-ignore elements, scripts and styles (UNREAD_TAGS); a space ends the text of each
    block (SENTENCE_TAGS), so that the cells of a table or the items of a list stay apart, as
    Pagefind keeps them. Filters, metadata
    and sorts given as "key:value" attributes are read with those given by an element's text.

    Only elements with data-pagefind attributes, and what they hold, are followed. Item pages
    are well formed (our templates and markdown-it's output); an end tag without its start tag
    is left alone."""
    parts = _parts(html[_first_followed(html):])
    page = IndexedPage()
    # the open elements from the outermost one with a data-pagefind attribute in:
    # (tag, collected, in_body, ignored, capture), and the innermost one's state
    stack: list[tuple] = []
    collected = in_body = ignored = False
    captures: list[list[str]] = []           # text of the open metadata and category elements
    text_parts: list[str] = []
    title_parts: Optional[list[str]] = None
    names = _TAG_NAMES

    last = len(parts) - 1
    i = 0
    while True:
        text = parts[i]
        if text:
            data = unescape(text) if text.__class__ is not _Raw and "&" in text else text
            if captures:
                for capture in captures:
                    capture.append(data)
            if collected:
                text_parts.append(data)
                if title_parts is not None and not page.title:
                    title_parts.append(data)
                if i < last and not data[-1].isspace() and _block_ends(parts, i + 1):
                    text_parts.append(" ")      # the block's end
        if i == last:
            break
        token = parts[i + 1]
        i += 2
        second = token[1]
        if second == "/":                       # an end tag
            if not stack:
                continue
            tag = names.get(token)
            if tag is None:
                tag = _NAME.match(token).group(1).lower()
                if len(token) < 16:
                    names[token] = tag
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == tag:
                    for element in reversed(stack[k:]):
                        if element[4] is not None:
                            captures.pop()      # opened with the element: the innermost one open
                            value = "".join(element[4][2]).strip()
                            if element[4][1] == "category":
                                page.categories.append(value)
                            elif element[4][1]:
                                page.filters.append((element[4][1], value))
                            if element[4][0]:
                                page.meta[element[4][0]] = value
                        if element[0] == "h1" and title_parts is not None and not page.title:
                            page.title = "".join(title_parts).strip()
                    del stack[k:]
                    if stack:
                        _, collected, in_body, ignored, _ = stack[-1]
                    else:
                        collected = in_body = ignored = False
                    break
            continue
        if second == "!" or second == "?":
            continue
        special = "data-pagefind" in token
        if not (stack or special):              # outside the elements followed
            continue
        tag = names.get(token)
        if tag is None:
            tag = _NAME.match(token).group(1).lower()
            if len(token) < 16:
                names[token] = tag
        e_in_body, e_ignored, capture = in_body, ignored, None
        if special:
            attrs = _attributes(token)
            if BODY_MARK in attrs:
                e_in_body = page.has_body = True
            meta, filt, sort = attrs.get("data-pagefind-meta"), attrs.get("data-pagefind-filter"), \
                attrs.get("data-pagefind-sort")
            if "data-pagefind-ignore" in attrs:
                e_ignored = True
            if _takes_text(meta) or _takes_text(filt):
                capture = (meta if _takes_text(meta) else None, filt if _takes_text(filt) else None, [])
            for key, value in _values(filt or ""):
                page.filters.append((key, value))
            for key, value in _values(meta or ""):
                page.meta[key] = value
            for key, value in _values(sort or ""):
                page.sorts[key] = value
        if tag in VOID_TAGS:
            continue
        if token.endswith("/>"):                # <x … />: opens and closes at once
            if capture is not None:
                if capture[0]:
                    page.meta[capture[0]] = ""
                if capture[1] == "category":
                    page.categories.append("")
                elif capture[1]:
                    page.filters.append((capture[1], ""))
            continue
        if tag in UNREAD_TAGS:
            e_ignored = True
        if capture is not None:
            captures.append(capture[2])
        if tag == "h1" and e_in_body and not e_ignored and title_parts is None:
            title_parts = []
        collected, in_body, ignored = e_in_body and not e_ignored, e_in_body, e_ignored
        stack.append((tag, collected, in_body, ignored, capture))
    page.text = "".join(text_parts)
    return page
