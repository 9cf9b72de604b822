"""Search (搜索): the Pagefind index of the website and intranet builds, and the /search/ page.

Pagefind (the extended binary of `pagefind-bin-extended`, run as a program on the written
pages; never its Python wrapper, which sleeps 0.1 s per page) indexes what the item template
marks: `data-pagefind-body` (title, 内容概述, body), the 索引号 and 文号 as metadata, filters
(category — the top category and the leaf —, department, year) and a date sort.

Pagefind's own Chinese segmentation cannot serve a catalogue on its own: a query of one
character misses every page where that character sits inside a longer word, a word is missed
where the page's segmentation differs from the query's, and Traditional text falls apart into
single characters. So Pagefind reads each item page from a private *indexing copy*:

- in the indexed text, every Han character stands between two spaces, so that Pagefind's words
  are single characters, and each run of the text's own whitespace is a word U+2060 that
  Pagefind stores but does not index (space_han). The copies are indexed as a language without a
  segmenter or stemmer (search_bundle.INDEX_LANGUAGE): Pagefind's Chinese segmenter would find
  the same words, at a third more of its time. A query's characters are its words; the page's
  JavaScript then checks that the text really holds the phrase, reading the stored text without
  the spaces beside Han characters and with U+2060 as a space. (Character bigrams as keys were
  measured too: exact candidates, but three times Pagefind's memory.)
- `tchars` (metadata): the Simplified form of every character of the page whose form differs
  (許 -> 许), so that a Simplified query finds Traditional text; queries are normalised the same way.
- `pinyin`, `cpinyin` / `pykeys`: the title's and the category names' pinyin (pypinyin, phrase-aware:
  行 is xing in 行政, hang in 银行), syllables spaced for checking, and for matching each syllable
  position's full pinyin and initials (`xingzhengxuke`, `xzxk`, capped at 12 letters; Pagefind
  matches prefixes).
- `keys`: a hash of the whole title, 索引号 and 文号, so an exact match is found directly and
  ranked first; `title`: the title as written (the indexed one is spaced).

The copies are made in one pass over each page (`read_and_space`, a tokenizer that follows only
the elements with data-pagefind attributes; tests/test_search_copies.py holds it to the
html.parser reading it replaced), in worker processes. From PARTS_FROM indexed pages on, the
bundle is made in PARTS parts (pages split by date, newest first), each indexed by its own
Pagefind run, side by side: Pagefind uses about one core. pagefind/ is part 0, pagefind/part1/
… the others, pagefind/parts.json lists them; search.js searches them together. Running
Pagefind, making its bundle reproducible and reusing the previous one are search_bundle.py's.

Visitors read the original pages (Traditional stays Traditional); the index and the queries are
normalised with the same character table, which the build writes beside the search page as
`/search/zh-t2s.json` for search.js.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape, unescape
from html.parser import attrfind_tolerant, tagfind_tolerant
from pathlib import Path
from typing import Optional

from .bundle import (PAGEFIND_DIR, BundleStore, failure, link_part, pagefind_executable, part_path,
                     previous_output, recipe, run_parts, write_parts)

SEARCH_TARGETS = ("website", "intranet")
T2S_URL = "/search/zh-t2s.json"
KEY = "0y"             # prefix of an exact-match key (title, 索引号, 文号)
PINYIN_CAP = 12        # letters kept of each pinyin key; longer queries are checked in the page
PARTS_FROM = 1000      # indexed pages from which the bundle is made in PARTS parts
PARTS = 2
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")
PINYIN_SYLLABLE = re.compile(r"^[a-z]+$")
LATIN_OR_DIGITS = re.compile(r"[0-9A-Za-z]+")

# ---------------------------------------------------------------- Simplified normalisation

@lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """Traditional -> Simplified, one character for one (OpenCC's t2s table, character by
    character), plus full-width ASCII -> ASCII. One character for one keeps positions: a match
    found in the normalised text is at the same place in the original."""
    import opencc
    converter = opencc.OpenCC("t2s")
    chars = [chr(c) for start, end in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
             for c in range(start, end + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    table = {c: s for c, s in zip(chars, converted) if s != c and len(s) == 1}
    table.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
    table["\u3000"] = " "
    return table


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return str.maketrans(t2s_map())


def normalise(text: str) -> str:
    """The form both the index and the queries are compared in (Simplified, half-width)."""
    return text.translate(_translation())


def t2s_json() -> bytes:
    """The table for search.js: {"map": "許许處处…"} (pairs), sorted, so the file is stable."""
    pairs = "".join(k + v for k, v in sorted(t2s_map().items()))
    return (json.dumps({"map": pairs}, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# ---------------------------------------------------------------- keys

def fnv_key(value: str) -> str:
    """The exact-match key of a title, 索引号 or 文号 (two FNV-1a hashes; search.js has the same)."""
    text = normalise(value).strip().lower()
    parts = []
    for basis in (0x811C9DC5, 0x050C5D1F):
        h = basis
        for ch in text:
            h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
        parts.append(f"{h:08x}")
    return KEY + "".join(parts)


def pinyin_runs(text: str) -> list[list[str]]:
    """Phrase-aware pinyin of each stretch of Han characters of the normalised text (`v` for ü).
    Punctuation between Han characters (“三公”经费) is skipped; letters and digits end a stretch."""
    from pypinyin import lazy_pinyin
    runs = []
    stretches = ("".join(HAN_RUN.findall(part)) for part in LATIN_OR_DIGITS.split(normalise(text)))
    for run in filter(None, stretches):
        syllables = lazy_pinyin(run, v_to_u=False, neutral_tone_with_five=False)
        current: list[str] = []
        if len(syllables) != len(run):          # pypinyin left something unread: read char by char
            syllables = [lazy_pinyin(c)[0] for c in run]
        for syllable in syllables:
            if PINYIN_SYLLABLE.match(syllable):
                current.append(syllable)
            elif current:                        # a character without a reading breaks the run
                runs.append(current)
                current = []
        if current:
            runs.append(current)
    return runs


def pinyin_keys(runs: list[list[str]]) -> set[str]:
    """From every syllable position: the full pinyin and the initials that follow, capped."""
    keys = set()
    for run in runs:
        for i in range(len(run)):
            keys.add("".join(run[i:])[:PINYIN_CAP])
            keys.add("".join(s[0] for s in run[i:])[:PINYIN_CAP])
    return keys


# ---------------------------------------------------------------- what an item page offers

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
HAN_PAIRS = re.compile(f"[{HAN_RANGES}]{{2,}}")     # two or more Han characters in a row
HAN_CHAR = re.compile(f"[{HAN_RANGES}]")
WHITESPACE = re.compile(r"\s+")
KEPT_SPACE = "\u2060"     # stands for a space of the text (search.js restores it)
_TAG_NAMES: dict[str, str] = {}        # short tags seen -> their names


def _takes_text(value: Optional[str]) -> bool:
    """A data-pagefind-meta/filter attribute whose value is the element's text (not "key:value")."""
    return bool(value) and ":" not in value and "[" not in value


def _attributes(tag: str) -> dict:
    """The attributes of a start tag, read as html.parser reads them (names lower-cased, values
    unquoted and unescaped; the last of a repeated name wins)."""
    attrs = {}
    k = tagfind_tolerant.match(tag, 1).end()
    while k < len(tag):
        m = attrfind_tolerant.match(tag, k)
        if not m:
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


def space_han(text: str) -> str:
    """The build's spacing of indexed text: every Han character a word of its own (a space on
    each side), and each run of whitespace of the text kept as a word of its own, U+2060, that
    Pagefind does not index. Pagefind joins the words it stores with single
    spaces; search.js drops every space beside a Han character and turns U+2060 back into one,
    so the stored text reads as written (whitespace runs folded, as Pagefind always does).
    read_and_space also ends the text of a block (p, td, li … as Pagefind counts them) with
    U+2060, where Pagefind would have put ". ": blocks stay apart in the stored text."""
    text = text.replace(KEPT_SPACE, "")
    return WHITESPACE.sub(f" {KEPT_SPACE} ", text).translate(_han_spaced())


@lru_cache(maxsize=1)
def _han_spaced() -> dict[int, str]:
    """str.translate's table: every Han character with a space on each side."""
    return {c: f" {chr(c)} " for start, end in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),
                                                (0x20000, 0x2FFFF)) for c in range(start, end + 1)}


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


@lru_cache(maxsize=1)
def _han_t2s() -> dict[str, str]:
    return {c: s for c, s in t2s_map().items() if HAN_RUN.match(c)}


def changed_forms(text: str) -> set[str]:
    """The Simplified forms of the Han characters of `text` that normalisation changes."""
    table = _han_t2s()
    return {table[c] for c in set(text) if c in table}


@lru_cache(maxsize=512)
def _name_runs(name: str) -> tuple:
    return tuple(tuple(run) for run in pinyin_runs(name))


def search_meta(page: IndexedPage) -> str:
    """The <meta> tags that carry the search keys of a page (see the head of this module)."""
    title_runs = pinyin_runs(page.title)
    category_runs = [list(run) for name in page.categories for run in _name_runs(name)]
    identifiers = [page.meta.get("index_no", ""), page.meta.get("doc_no", "")]
    meta = {
        "title": page.title,
        "tchars": " ".join(sorted(changed_forms(page.text) | changed_forms("\n".join(identifiers)))),
        "pinyin": " / ".join(" ".join(run) for run in title_runs),
        "cpinyin": " / ".join(" ".join(run) for run in category_runs),
        "pykeys": " ".join(sorted(pinyin_keys(title_runs + category_runs))),
        "keys": " ".join(sorted({fnv_key(v) for v in [page.title] + identifiers if v.strip()})),
    }
    return "".join(f'<meta data-pagefind-meta="{name}[content]" content="{escape(value)}">\n'
                   for name, value in meta.items())


def index_copy(html: str, separator: Optional[str] = None) -> Optional[str]:
    """The page as Pagefind reads it: its indexed text spaced, the search keys in <head>;
    None for a page without a data-pagefind-body element (not indexed)."""
    if BODY_MARK not in html:
        return None
    page, spaced = read_and_space(html, separator)
    if not page.has_body:
        return None
    tags = search_meta(page)
    head_end = spaced.find("</head>")
    if head_end < 0:
        return tags + spaced
    return spaced[:head_end] + tags + spaced[head_end:]


# ---------------------------------------------------------------- the index of a build

_SORT_DATE = re.compile(rb'data-pagefind-sort="date:([^"]*)"')


def _prepare(job: tuple) -> tuple[str, Optional[str], bool, str]:
    """Write the indexing copy of one page of the staging folder. Returns (path, hash, indexed,
    date): the hash of a page that holds the data-pagefind-body mark (else None), whether it has
    a data-pagefind-body element, so is indexed, and its sort date. Runs in worker processes."""
    staging, copies, rel = job
    data = (staging / rel).read_bytes()
    if BODY_MARK.encode() not in data:
        return rel, None, False, ""
    digest = hashlib.sha1(data).hexdigest()
    copy = index_copy(data.decode("utf-8"))
    if copy is None:
        return rel, digest, False, ""
    target = copies / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(copy, encoding="utf-8")
    date = _SORT_DATE.search(data)
    return rel, digest, True, date.group(1).decode("utf-8") if date else ""


def part_count(pages: int) -> int:
    """How many parts the bundle is made in (a function of the pages only, so that the bundle
    does not depend on the machine): Pagefind indexes on about one core, so PARTS runs side by
    side take about 1/PARTS of the time; search.js searches the parts together."""
    return PARTS if pages >= PARTS_FROM else 1


def split_parts(dated: list[tuple[str, str]], parts: int) -> list[list[str]]:
    """The pages ((path, date) pairs) in `parts` parts by date, newest first (then by path): a
    search sorted by date lists part 0's results, then part 1's…

    Parts end at month boundaries near the equal-size cuts — the month of the page at each cut
    goes wholly to the newer or the older part, whichever leaves the sizes nearer —, so that a new
    item, or an edited one, changes one part only and the others keep their bundle
    (search_bundle.BundleStore). Where that leaves a part empty (pages of a few months only), the
    cuts fall at equal sizes."""
    ordered = sorted(sorted(dated), key=lambda page: page[1], reverse=True)
    months = [date[:7] for _, date in ordered]
    bounds = []                 # a page goes to the part numbered by how many bounds its month is below
    for k in range(1, parts):
        cut = (k * len(ordered)) // parts
        month = months[min(len(ordered) - 1, cut)]
        newer = sum(m >= month for m in months)          # the month in the newer part …
        older = sum(m > month for m in months)           # … or in the older one ("~" sorts after digits)
        bounds.append(month if abs(newer - cut) <= abs(older - cut) else month + "~")
    out: list[list[str]] = [[] for _ in range(parts)]
    for (rel, _), month in zip(ordered, months):
        out[sum(month < bound for bound in bounds)].append(rel)
    if all(out):
        return out
    size, extra = divmod(len(ordered), parts)
    out, start = [], 0
    for k in range(parts):
        end = start + size + (k < extra)
        out.append([rel for rel, _ in ordered[start:end]])
        start = end
    return out


def _html_files(staging: Path) -> list[str]:
    """The HTML files of the staging folder (not of a pagefind/ folder in it), sorted."""
    found = []
    for folder, dirs, files in os.walk(staging):
        if folder == str(staging):
            dirs[:] = [d for d in dirs if d != PAGEFIND_DIR]
            prefix = ""
        else:
            prefix = Path(folder).relative_to(staging).as_posix() + "/"
        found += [prefix + name for name in files if name.endswith(".html")]
    return sorted(found)


def index_site(staging: Path, progress=None, workers: Optional[int] = None, reuse: bool = True) -> int:
    """Index the item pages of a complete staging folder into staging/pagefind/. Returns the
    number of pages indexed. Raises ConfigError (with a plain message) when Pagefind fails.

    When the staging folder will replace an output whose bundle has a part made from exactly the
    same pages (same bytes) with the same code, that part is hard-linked instead of indexed, and
    its pages are not prepared (search_bundle.py); `reuse=False` (--no-cache) indexes afresh all
    the same. `workers` processes prepare the copies (default: one per core)."""
    from ..workers import default_workers, render_jobs
    started = time.monotonic()
    bundle = staging / PAGEFIND_DIR
    files = _html_files(staging)
    store = BundleStore(previous_output(staging))
    key = recipe()
    workers = workers or default_workers()
    usable = reuse and store.manifest.get("recipe") == key
    marked = store.marked_pages(staging, files, BODY_MARK.encode()) if usable else {}
    known = store.known(marked) if usable else {}
    with tempfile.TemporaryDirectory(prefix="search-index-") as tmp:
        copies = Path(tmp) / "site"
        copies.mkdir()

        def prepare(rels: list[str]) -> list[tuple]:
            return render_jobs([(staging, copies, rel) for rel in rels], _prepare, workers) if rels else []

        done = prepare([rel for rel in marked if rel not in known] if usable else files)
        if not usable:
            marked = {rel: digest for rel, digest, _, _ in done if digest is not None}
        dates = {rel: date for rel, date in known.items() if date is not None}
        dates.update({rel: date for rel, digest, indexed, date in done if indexed})
        count = len(dates)
        if count == 0:
            return 0
        parts = split_parts(sorted(dates.items()), part_count(count))
        previous = {k: store.reusable_part(k, part, marked, key) for k, part in enumerate(parts)} if usable else {}
        fresh = [k for k in range(len(parts)) if previous.get(k) is None]
        copied = {rel for rel, _, indexed, _ in done if indexed}
        prepare([rel for k in fresh for rel in parts[k] if rel not in copied])
        if progress:
            progress(f"搜索索引：准备了 {sum(len(parts[k]) for k in fresh)} 个条目页（{time.monotonic() - started:.1f} 秒）")
        runs = []
        for k in fresh:
            folder = Path(tmp) / f"part{k}"
            for rel in parts[k]:
                os.renames(copies / rel, folder / rel)
            runs.append((folder, bundle if k == 0 else staging / f".{PAGEFIND_DIR}-part{k}", len(parts[k])))
        if runs:
            run_parts(pagefind_executable(), runs, workers)
        bundle.mkdir(exist_ok=True)
        for k in range(1, len(parts)):
            if k in fresh:
                os.replace(staging / f".{PAGEFIND_DIR}-part{k}", bundle / part_path(k))
        for k, source in sorted(previous.items()):
            if source is not None:
                link_part(source, k, bundle)
        write_parts(bundle, len(parts), store.out_dir / PAGEFIND_DIR if usable and store.out_dir else None)
    store.record(staging, marked, dates, parts, key)
    if progress:
        kept = len(parts) - len(fresh)
        how = f"沿用上次的 {kept} 部分，重新索引 {len(fresh)} 部分" if kept else f"{len(parts)} 部分"
        progress(f"搜索索引：{count} 个条目（{how}），用时 {time.monotonic() - started:.1f} 秒")
    return count


def indexer(plan, progress):
    """FINISHERS entry: index website and intranet builds; the kiosk has its own search."""
    if plan.target not in SEARCH_TARGETS:
        return None
    return lambda staging: index_site(staging, progress, workers=plan.workers, reuse=plan.reuse)


# ---------------------------------------------------------------- the search page

def search_page(renderer, output, plan) -> None:
    """CONTRIBUTORS entry: /search/ and the character table its script needs."""
    if plan.target not in SEARCH_TARGETS:
        return
    from ..views import tree
    catalogue = renderer.catalogue
    categories = [{"code": c.code, "name": c.name, "parent": c.parent or ""}
                  for c in catalogue.shown_categories()]
    departments = [s.department for s in renderer.config.sections.values()]
    years = sorted({item.pub_date.astimezone(renderer.config.tz).year for item in catalogue.items
                    if item.pub_date}, reverse=True)
    home_tree = tree(catalogue)
    config = json.dumps({"categories": categories, "departments": departments, "years": [str(y) for y in years],
                         "t2s": T2S_URL.lstrip("/")}, ensure_ascii=False, separators=(",", ":"))
    renderer.cached(output, "/search/", "search.html", (home_tree, config),      # the preview re-renders on change
                    lambda: {"tree": home_tree, "departments": tuple(departments), "years": tuple(years),
                             "search_config": config})
    renderer.put(output, T2S_URL, t2s_json())
