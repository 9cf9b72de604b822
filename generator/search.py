"""Search (搜索): the Pagefind index of the website and intranet builds, and the /search/ page.

Pagefind (the extended binary of `pagefind-bin-extended`, run as a program on the written
pages; never its Python wrapper, which sleeps 0.1 s per page) indexes what the item template
marks: `data-pagefind-body` (title, 内容概述, body), the 索引号 and 文号 as metadata, filters
(category — the top category and the leaf —, department, year) and a date sort.

Pagefind's own Chinese segmentation cannot serve a catalogue on its own: a query of one
character misses every page where that character sits inside a longer word, a word is missed
where the page's segmentation differs from the query's, and Traditional text falls apart into
single characters. So Pagefind reads each item page from a private *indexing copy*:

- in the indexed text, a space stands between every two Han characters, so that Pagefind's words
  are single characters (the page itself is unchanged). A query's characters are its words; the
  page's JavaScript then checks that the text really holds the phrase. (Character bigrams as keys
  were measured too: exact candidates, but three times Pagefind's memory; single characters cost
  about as much as Pagefind's own words.)
- `tchars` (metadata): the Simplified form of every character of the page whose form differs
  (許 -> 许), so that a Simplified query finds Traditional text; queries are normalised the same way.
- `pinyin`, `cpinyin` / `pykeys`: the title's and the category names' pinyin (pypinyin, phrase-aware:
  行 is xing in 行政, hang in 银行), syllables spaced for checking, and for matching each syllable
  position's full pinyin and initials (`xingzhengxuke`, `xzxk`, capped at 12 letters; Pagefind
  matches prefixes).
- `keys`: a hash of the whole title, 索引号 and 文号, so an exact match is found directly and
  ranked first; `title`: the title as written (the indexed one is spaced).

Visitors read the original pages (Traditional stays Traditional); the index and the queries are
normalised with the same character table, which the build writes beside the search page as
`/search/zh-t2s.json` for search.js. Pagefind's filter files come out in hash-map order; they are
rewritten in sorted order so the whole index is byte-for-byte reproducible.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

from .errors import ConfigError, Problem

SEARCH_TARGETS = ("website", "intranet")
PAGEFIND_DIR = "pagefind"
T2S_URL = "/search/zh-t2s.json"
KEY = "0y"             # prefix of an exact-match key (title, 索引号, 文号)
PINYIN_CAP = 12        # letters kept of each pinyin key; longer queries are checked in the page
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")
PINYIN_SYLLABLE = re.compile(r"^[a-z]+$")
LATIN_OR_DIGITS = re.compile(r"[0-9A-Za-z]+")
# What Pagefind writes besides the index that search.js does not load.
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


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

BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
              "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
              "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class IndexedPage:
    """The searchable parts of one item page, as Pagefind will see them."""

    title: str = ""
    text: str = ""                      # title, summary, body: what data-pagefind-body holds, less ignored parts
    meta: dict = field(default_factory=dict)          # index_no, doc_no …
    categories: list = field(default_factory=list)    # category filter values, top first
    has_body: bool = False


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = IndexedPage()
        self.stack: list[tuple[str, bool, bool, Optional[str], Optional[str]]] = []  # tag, in body, ignored, meta, filter
        self.parts: list[str] = []
        self.title_parts: Optional[list[str]] = None
        self.captures: list[tuple[str, str, list[str]]] = []   # (kind, name, parts)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        in_body = bool(self.stack and self.stack[-1][1])
        ignored = bool(self.stack and self.stack[-1][2])
        if "data-pagefind-body" in attrs:
            in_body, self.page.has_body = True, True
        if "data-pagefind-ignore" in attrs:
            ignored = True
        if in_body and not ignored and tag in BLOCK_TAGS:
            self.parts.append("\n")
        meta, filt = attrs.get("data-pagefind-meta"), attrs.get("data-pagefind-filter")
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, in_body, ignored, meta, filt))
        if meta and ":" not in meta and "[" not in meta:
            self.captures.append(("meta", meta, []))
        if filt == "category":
            self.captures.append(("category", filt, []))
        if tag == "h1" and in_body and not ignored and self.title_parts is None:
            self.title_parts = []

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:
            open_tag, in_body, ignored, meta, filt = self.stack.pop()
            if filt == "category":
                kind, name, parts = self.captures.pop()
                self.page.categories.append("".join(parts).strip())
            if meta and ":" not in meta and "[" not in meta:
                kind, name, parts = self.captures.pop()
                self.page.meta[name] = "".join(parts).strip()
            if open_tag == "h1" and self.title_parts is not None and not self.page.title:
                self.page.title = "".join(self.title_parts).strip()
            if in_body and not ignored and open_tag in BLOCK_TAGS:
                self.parts.append("\n")
            if open_tag == tag:
                break

    def handle_data(self, data):
        for capture in self.captures:
            capture[2].append(data)
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.parts.append(data)
            if self.title_parts is not None and not self.page.title:
                self.title_parts.append(data)


def read_page(html: str) -> IndexedPage:
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.text = re.sub(r"[ \t\r\f\v]*\n\s*", "\n", "".join(reader.parts)).strip()
    return page


def changed_forms(text: str) -> set[str]:
    """The Simplified forms of the characters of `text` that normalisation changes."""
    table = t2s_map()
    return {table[c] for c in set(text) if c in table and HAN_RUN.match(c)}


_BETWEEN_HAN = re.compile(f"(?<=[{HAN_RANGES}])(?=[{HAN_RANGES}])")


def _takes_text(value: Optional[str]) -> bool:
    """A data-pagefind-meta/filter attribute whose value is the element's text (not "key:value")."""
    return bool(value) and ":" not in value and "[" not in value


class _Spacer(HTMLParser):
    """Re-writes a page with a space between every two Han characters of its indexed text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []     # tag, its text is indexed

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in VOID_TAGS:
            return
        names = dict(attrs)
        indexed = bool(self.stack and self.stack[-1][1]) or "data-pagefind-body" in names
        if "data-pagefind-ignore" in names or tag in ("script", "style") \
                or _takes_text(names.get("data-pagefind-meta")) or _takes_text(names.get("data-pagefind-filter")):
            indexed = False         # ignored, or the text is a metadata or filter value: left as written
        self.stack.append((tag, indexed))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.stack and self.stack[-1][0] in ("script", "style"):
            self.out.append(data)
            return
        text = escape(data, quote=False)
        self.out.append(_BETWEEN_HAN.sub(" ", text) if self.stack and self.stack[-1][1] else text)

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.out.append(f"<![{data}]>")


def spaced(html: str) -> str:
    spacer = _Spacer()
    spacer.feed(html)
    spacer.close()
    return "".join(spacer.out)


def index_copy(html: str, page: IndexedPage) -> str:
    """The page as Pagefind reads it: its indexed text spaced, the search keys in <head>."""
    title_runs = pinyin_runs(page.title)
    category_runs = [run for name in page.categories for run in pinyin_runs(name)]
    identifiers = [page.meta.get("index_no", ""), page.meta.get("doc_no", "")]
    meta = {
        "title": page.title,
        "tchars": " ".join(sorted(changed_forms("\n".join([page.text] + identifiers)))),
        "pinyin": " / ".join(" ".join(run) for run in title_runs),
        "cpinyin": " / ".join(" ".join(run) for run in category_runs),
        "pykeys": " ".join(sorted(pinyin_keys(title_runs + category_runs))),
        "keys": " ".join(sorted({fnv_key(v) for v in [page.title] + identifiers if v.strip()})),
    }
    tags = "".join(f'<meta data-pagefind-meta="{name}[content]" content="{escape(value)}">\n'
                   for name, value in meta.items())
    html = spaced(html)
    head_end = html.find("</head>")
    if head_end < 0:
        return tags + html
    return html[:head_end] + tags + html[head_end:]


# ---------------------------------------------------------------- running Pagefind

def pagefind_executable() -> Path:
    try:
        import pagefind_bin_extended
        return Path(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError) as exc:
        raise _failure(f"找不到 Pagefind 扩展版程序（{exc}）。")


def _failure(message: str) -> ConfigError:
    return ConfigError([Problem("pagefind", 0, "search", f"生成搜索索引失败：{message}",
                                "输出文件夹保持原样。请用 .venv/bin/pip install -r requirements.txt 安装 "
                                "pagefind-bin-extended==1.5.2 后重新构建。")])


def index_site(staging: Path, progress=None) -> int:
    """Index the item pages of a complete staging folder into staging/pagefind/. Returns the
    number of pages indexed. Raises ConfigError (with a plain message) when Pagefind fails."""
    started = time.monotonic()
    executable = pagefind_executable()
    bundle = staging / PAGEFIND_DIR
    with tempfile.TemporaryDirectory(prefix="search-index-") as tmp:
        copies = Path(tmp) / "site"
        count = 0
        for path in sorted(staging.rglob("*.html")):
            rel = path.relative_to(staging)
            if rel.parts[0] == PAGEFIND_DIR:
                continue
            html = path.read_text(encoding="utf-8")
            if "data-pagefind-body" not in html:
                continue
            page = read_page(html)
            if not page.has_body:
                continue
            target = copies / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(index_copy(html, page), encoding="utf-8")
            count += 1
        if progress:
            progress(f"搜索索引：准备了 {count} 个条目页")
        if count == 0:
            return 0
        command = [str(executable), "--site", str(copies), "--output-path", str(bundle)]
        try:
            run = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=3600)
        except OSError as exc:
            raise _failure(f"无法运行 {executable.name}（{exc}）。")
        except subprocess.TimeoutExpired:
            raise _failure("Pagefind 运行超过一小时未结束。")
        if run.returncode != 0:
            lines = [line for line in (run.stderr + run.stdout).splitlines() if line.strip()]
            raise _failure(f"{executable.name} 退出码 {run.returncode}：{' / '.join(lines[-3:]) or '无输出'}")
    try:
        indexed = stabilise(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise _failure(f"无法整理 Pagefind 的输出（{type(exc).__name__}: {exc}）。")
    if indexed != count:
        raise _failure(f"Pagefind 只索引了 {indexed} 个页面，应为 {count} 个。")
    for name in UNUSED_BUNDLE_FILES:
        (bundle / name).unlink(missing_ok=True)
    if progress:
        progress(f"搜索索引：{count} 个条目，用时 {time.monotonic() - started:.1f} 秒")
    return count


def indexer(plan, progress):
    """FINISHERS entry: index website and intranet builds; the kiosk has its own search."""
    if plan.target not in SEARCH_TARGETS:
        return None
    return lambda staging: index_site(staging, progress)


# ---------------------------------------------------------------- a reproducible bundle

_SIGNATURE = b"pagefind_dcd"


def stabilise(bundle: Path) -> int:
    """Rewrite Pagefind's filter files with their values sorted (Pagefind writes them in
    hash-map order, different on every run), rename them by content, and update the pf_meta
    file and pagefind-entry.json that name them. Returns the number of pages indexed."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    pages = 0
    for language, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_cbor(meta_path)
        # MetaIndex: [version, pages, index_chunks, filters [[name, hash]], sorts [[name, pages]], meta_fields]
        filters = []
        for name, old_hash in meta[3]:             # hashes are "<language>_<hex>"
            path = bundle / "filter" / f"{old_hash}.pf_filter"
            values = _read_cbor(path)           # [name, [[value, [page …]] …]]
            values[1] = sorted(values[1], key=lambda v: v[0])
            new_hash = f"{language}_{_write_cbor_hashed(bundle / 'filter', language, '.pf_filter', values, 7)}"
            if new_hash != old_hash:
                path.unlink()
            filters.append([name, new_hash])
        meta[3] = sorted(filters)
        meta[4] = sorted(meta[4], key=lambda s: s[0])
        meta[5] = sorted(meta[5])
        new_hash = _write_cbor_hashed(bundle, f"pagefind.{language}", ".pf_meta", meta, 13)
        if f"{language}_{new_hash}" != info["hash"]:
            meta_path.unlink()
        info["hash"] = f"{language}_{new_hash}"
        pages += info.get("page_count", len(meta[1]))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return pages


def _read_cbor(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise _failure(f"无法识别的 Pagefind 文件 {path.name}（版本不是 1.5.2？）。")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise _failure(f"无法识别的 Pagefind 文件 {path.name}。")
    return value


def _write_cbor_hashed(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    data = _SIGNATURE + _cbor_encode(value)
    digest = hashlib.sha256(data).hexdigest()[:digits]
    path = folder / f"{prefix}_{digest}{suffix}"
    path.write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return digest


def _cbor_decode(data: bytes, pos: int):
    """The subset of CBOR Pagefind writes: unsigned ints, byte and text strings, arrays, maps."""
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[pos:pos + size], "big")
        pos += size
    else:
        raise _failure("Pagefind 文件里有无法识别的数据。")
    if major == 0:
        return n, pos
    if major in (2, 3):
        raw = data[pos:pos + n]
        return (raw if major == 2 else raw.decode("utf-8")), pos + n
    if major == 4:
        items = []
        for _ in range(n):
            item, pos = _cbor_decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping = {}
        for _ in range(n):
            key, pos = _cbor_decode(data, pos)
            mapping[key], pos = _cbor_decode(data, pos)
        return mapping, pos
    raise _failure("Pagefind 文件里有无法识别的数据。")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(n)


def _cbor_encode(value) -> bytes:
    if isinstance(value, bool):
        raise TypeError(value)
    if isinstance(value, int):
        return _cbor_head(0, value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise TypeError(value)


# ---------------------------------------------------------------- the search page

def search_page(renderer, output, plan) -> None:
    """CONTRIBUTORS entry: /search/ and the character table its script needs."""
    if plan.target not in SEARCH_TARGETS:
        return
    from .views import tree
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
