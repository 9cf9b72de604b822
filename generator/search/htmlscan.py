"""Reading a rendered item page for search (what Pagefind will index: visible text, title,
metadata, category filters) and writing it back with its indexed text spaced — in one pass.

The tokenizer follows only the elements with data-pagefind attributes and what they hold; the
rest of the page is copied as written but for the escaping of text (html.parser's reading:
tests/test_search_copies.py holds the result, byte for byte, to the two-pass html.parser reader
it replaced). It does not use html.parser itself: subclassing it costs Python calls per token (the
two html.parser passes took six times as long on the example bureau's pages), and its private
regexes change between CPython patch releases; the two patterns needed to read a start tag's
attributes are our own copies (_TAG_OPEN, _ATTRIBUTE)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape, unescape
from typing import Optional

from .text import HAN_PAIRS, KEPT_SPACE, space_han

VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                       "wbr"})
RAW_TEXT_TAGS = ("script", "style")
BODY_MARK = "data-pagefind-body"


@dataclass
class IndexedPage:
    """The searchable parts of one item page, as Pagefind will see them."""

    title: str = ""
    text: str = ""                      # title, summary, body: what data-pagefind-body holds, less ignored parts
    meta: dict = field(default_factory=dict)          # index_no, doc_no …
    categories: list = field(default_factory=list)    # category filter values, top first
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


def read_and_space(html: str, separator: Optional[str] = None) -> tuple[IndexedPage, str]:
    """One pass over a page: what it offers for search (IndexedPage) and the page with
    `separator` between every two Han characters of its indexed text.

    The indexed text is the text inside the data-pagefind-body element, less
    data-pagefind-ignore elements, scripts and styles, and elements whose text is a metadata
    or filter value. The rest of the page is as written, except that text (not attributes,
    not scripts) is written with only &, < and > escaped, end tags as </name> and comments as
    <!--…-->: the page reads the same to any HTML parser.

    Only elements with data-pagefind attributes, and what they hold, are followed: outside
    them nothing changes but the escaping. Item pages are well formed (our templates and
    markdown-it's output); an end tag without its start tag is left alone."""
    parts = _parts(html)
    page = IndexedPage()
    # the open elements from the outermost one with a data-pagefind attribute in:
    # (tag, spaced, collected, in_body, ignored, capture), and the innermost one's state
    stack: list[tuple] = []
    spaced = collected = in_body = ignored = False
    captures: list[list[str]] = []           # text of the open metadata and category elements
    text_parts: list[str] = []
    title_parts: Optional[list[str]] = None
    names = _TAG_NAMES
    if separator is None:
        space = space_han
    else:                                   # `separator` between every two Han characters (tests)
        def space(text, sub=HAN_PAIRS.sub, join=separator.join):
            return sub(lambda m: join(m.group()), text)

    last = len(parts) - 1
    i = 0
    while True:
        text = parts[i]
        if text:
            if text.__class__ is _Raw:          # a script's or style's text: as written
                data = text
            elif "&" in text or ">" in text or "<" in text:
                data = unescape(text)
                text = escape(data, quote=False)
                parts[i] = space(text) if spaced else text
            else:
                data = text
                if spaced:
                    parts[i] = space(text)
            if spaced and separator is None and i < last and not text[-1].isspace() and _block_ends(parts, i + 1):
                parts[i] = parts[i].rstrip(" ") + " " + KEPT_SPACE    # the block's end (see space_han)
            if captures:
                for capture in captures:
                    capture.append(data)
            if collected:
                text_parts.append(data)
                if title_parts is not None and not page.title:
                    title_parts.append(data)
        if i == last:
            break
        token = parts[i + 1]
        i += 2
        second = token[1]
        if second == "/":                       # an end tag
            tag = names.get(token)
            if tag is None:
                tag = _NAME.match(token).group(1).lower()
                if token != f"</{tag}>":
                    parts[i - 1] = f"</{tag}>"
                elif len(token) < 16:
                    names[token] = tag
            if not stack:
                continue
            for k in range(len(stack) - 1, -1, -1):
                if stack[k][0] == tag:
                    for element in reversed(stack[k:]):
                        if element[5] is not None:
                            captures.pop()      # opened with the element: the innermost one open
                            value = "".join(element[5][2]).strip()
                            if element[5][1]:
                                page.categories.append(value)
                            if element[5][0]:
                                page.meta[element[5][0]] = value
                        if element[0] == "h1" and title_parts is not None and not page.title:
                            page.title = "".join(title_parts).strip()
                    del stack[k:]
                    if stack:
                        _, spaced, collected, in_body, ignored, _ = stack[-1]
                    else:
                        spaced = collected = in_body = ignored = False
                    break
            continue
        if second == "!":
            if token.startswith("<!--") and not token.endswith("-->"):
                parts[i - 1] = "<!--" + token[4:token.rindex("--")] + "-->"
            continue
        if second == "?":
            continue
        special = "data-pagefind" in token
        if not (stack or special):              # outside the elements followed
            continue
        tag = names.get(token)
        if tag is None:
            tag = _NAME.match(token).group(1).lower()
            if len(token) < 16:
                names[token] = tag
        e_spaced, e_in_body, e_ignored, capture = spaced, in_body, ignored, None
        if special:
            attrs = _attributes(token)
            if BODY_MARK in attrs:
                e_spaced = e_in_body = page.has_body = True
            meta, filt = attrs.get("data-pagefind-meta"), attrs.get("data-pagefind-filter")
            if "data-pagefind-ignore" in attrs:
                e_ignored, e_spaced = True, False
            if _takes_text(meta) or _takes_text(filt):
                e_spaced = False
                capture = (meta if _takes_text(meta) else None, filt == "category", [])
        if tag in VOID_TAGS:
            continue
        if token.endswith("/>"):                # <x … />: opens and closes at once
            if capture is not None:
                if capture[0]:
                    page.meta[capture[0]] = ""
                if capture[1]:
                    page.categories.append("")
            continue
        if tag in RAW_TEXT_TAGS:
            e_spaced = False
        if capture is not None:
            captures.append(capture[2])
        if tag == "h1" and e_in_body and not e_ignored and title_parts is None:
            title_parts = []
        spaced, collected, in_body, ignored = e_spaced, e_in_body and not e_ignored, e_in_body, e_ignored
        stack.append((tag, spaced, collected, in_body, ignored, capture))
    page.text = "".join(text_parts)
    return page, "".join(parts)
