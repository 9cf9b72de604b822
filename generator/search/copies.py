"""The indexing copy of an item page: what Pagefind is given to index (see the package's docstring).

Each page is read once (htmlscan.read_page, in worker processes): its text goes into the worker's
file of texts (text_file; the fragment's text after Pagefind has run: stops.put_texts), the rest
into a PageWords; the copy itself is written once the stop characters of its part are known
(copy_html), flat in its folder (copy_name)."""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Optional

from .bundle import INDEX_LANGUAGE
from .htmlscan import BODY_MARK, IndexedPage, read_page
from .text import HAN_CHAR, HAN_RANGES, HAN_RUN, WHITESPACE, fnv_key, normalise, pinyin_keys, pinyin_runs

# ---------------------------------------------------------------- the indexing copy of a page

WORD = re.compile(r"[^\W_]")        # a stretch between Han characters that Pagefind keeps a word of
NOT_HAN = re.compile(f"[^{HAN_RANGES}]+")
ORDER_SORT = "n"                    # the sort copy_html gives each page: its place in its part
TEXT_VERSION = "v"                  # the metadata that names the page's text and URL (page_words)


@lru_cache(maxsize=512)          # the same few category names are on every page
def _name_runs(name: str) -> tuple:
    return tuple(tuple(run) for run in pinyin_runs(name))


def search_meta(page: IndexedPage) -> dict[str, str]:
    """The search keys of a page, given to Pagefind as metadata (see the package's docstring)."""
    title_runs = pinyin_runs(page.title)
    category_runs = [list(run) for name in page.categories for run in _name_runs(name)]
    identifiers = [page.meta.get("index_no", ""), page.meta.get("doc_no", "")]
    return {
        "title": page.title,
        "pinyin": " / ".join(" ".join(run) for run in title_runs),
        "cpinyin": " / ".join(" ".join(run) for run in category_runs),
        "pykeys": " ".join(sorted(pinyin_keys(title_runs + category_runs))),
        "keys": " ".join(sorted({fnv_key(v) for v in [page.title] + identifiers if v.strip()})),
    }


@dataclass
class PageWords:
    """What the indexing copy of a page is made from, once its part's stop characters are known."""
    head: str            # the <meta> tags, filters and sorts (everything but the words)
    title: str           # the normalised title, its Han characters spaced: indexed whole
    chars: str           # the normalised Han characters of the text and identifiers, each once, sorted
    words: str           # the other words of the text and identifiers (numbers, Latin), each once


def page_url(rel: str) -> str:
    """The URL of a page of the output, as Pagefind gives it (/a/b/ for a/b/index.html)."""
    return "/" + (rel[:-len("index.html")] if rel == "index.html" or rel.endswith("/index.html") else rel)


def page_words(page: IndexedPage, url: str = "", text: Optional[str] = None) -> PageWords:
    """The parts of a page's indexing copy (see the package's docstring). `url` and `text` (the page's
    URL and page_text) make its metadata "v": Pagefind names a fragment by a hash of what it stored,
    and the page's text and URL are put into the fragment after it (stops.put_text), so they must
    change the copy whenever they change (fragments are cached as never changing)."""
    text = page_text(page) if text is None else text
    version = hashlib.sha1(f"{url}\n{text}".encode("utf-8")).hexdigest()[:16]
    meta = {**page.meta, **search_meta(page), TEXT_VERSION: version}
    tags = [f'<meta data-pagefind-meta="{escape(name)}[content]" content="{escape(value)}">' for name, value in meta.items()]
    tags += [f'<span data-pagefind-filter="category">{escape(value)}</span>' for value in page.categories]
    tags += [f'<span data-pagefind-filter="{escape(name)}">{escape(value)}</span>' for name, value in page.filters]
    tags += [f'<span data-pagefind-sort="{escape(name)}">{escape(value)}</span>' for name, value in page.sorts.items()
             if name != ORDER_SORT]         # the page's place in its part is the copy's own (the bitmaps' order)
    identifiers = [page.meta.get("index_no", ""), page.meta.get("doc_no", "")]
    searched = "\n".join([page.text] + identifiers)
    # each character once, normalised, sorted (Pagefind's positions do not matter: search.js checks the text)
    chars = "".join(sorted(set(normalise(NOT_HAN.sub("", "".join(set(searched)))))))
    words = HAN_RUN.sub(" ", searched).split()
    if not all(map(str.isascii, words)):
        # each word normalised once (normalise maps no character to or from whitespace but the
        # ideographic space, which split() takes as one already): words recur through a page
        words = normalise("\n".join(dict.fromkeys(words))).split("\n")
    others = dict.fromkeys(w for w in dict.fromkeys(words) if WORD.search(w))
    return PageWords(head="\n".join(tags), title=" ".join(HAN_CHAR.sub(r" \g<0> ", normalise(page.title)).split()),
                     chars=chars, words=" ".join(others))


def copy_html(words: PageWords, stops: frozenset, n: int) -> str:
    """The indexing copy: the keys, filters and sorts outside the body (Pagefind reads them there
    without indexing them as text), the title whole and the other characters once, less the
    part's stop characters, in the body; `n` the page's place in its part (the sort "n")."""
    chars = " ".join(c for c in words.chars if c not in stops)
    return (f'<!DOCTYPE html><html lang="{INDEX_LANGUAGE}"><head><meta charset="utf-8"></head><body><div>\n{words.head}\n'
            f'<span data-pagefind-sort="{ORDER_SORT}">{n:06d}</span></div>\n'
            f'<main data-pagefind-body><h1>{escape(words.title)}</h1>\n<p>{escape(chars)}</p>\n<p>{escape(words.words)}</p>'
            f'</main></body></html>\n')


def page_text(page: IndexedPage) -> str:
    """The text search.js checks queries against and shows excerpts of (the fragment's content)."""
    return WHITESPACE.sub(" ", page.text).strip()


def copy_name(position: int) -> str:
    """The file of the copy of a part's page at `position` (its place in the part, indexed or not).
    The copies lie flat in their folder: no folder to make per page (a tenth of a millisecond
    each on ext4); Pagefind's URL is the copy's, put right by stops.put_text."""
    return f"{position:06d}.html"


_TEXT_FILES: dict[tuple[int, str], int] = {}     # (process, copies folder) -> an open file of texts


def text_file(copies: Path) -> int:
    """This process's file of page texts in `copies` (texts-<pid>.jsonl, appended to line by line:
    one file per process, not one per page). Written unbuffered: a worker is stopped, not exited."""
    key = (os.getpid(), str(copies))
    if key not in _TEXT_FILES:
        copies.mkdir(parents=True, exist_ok=True)
        _TEXT_FILES[key] = os.open(copies / f"texts-{os.getpid()}.jsonl", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    return _TEXT_FILES[key]


def close_text_files() -> None:
    """Close this process's files of texts (the parent's, when it read pages itself)."""
    for key in [k for k in _TEXT_FILES if k[0] == os.getpid()]:
        os.close(_TEXT_FILES.pop(key))


def read_texts(copies: Path) -> dict[int, str]:
    """{position: text} of the pages read into `copies`."""
    texts = {}
    for path in sorted(copies.glob("texts-*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                position, text = json.loads(line)
                texts[position] = text
    return texts


def read_job(job: tuple) -> tuple[str, Optional[PageWords]]:
    """Read one page of the staging folder for the index (job: staging, copies folder, the page's
    position in its part, its path) and add its text to this process's file of texts in the copies
    folder. Returns (path, words): what its copy is made of, None for a page not indexed (no
    data-pagefind-body element). Runs in worker processes."""
    staging, copies, position, rel = job
    with open(os.path.join(staging, rel), "rb") as f:
        data = f.read()
    if BODY_MARK.encode() not in data:
        return rel, None
    page = read_page(data.decode("utf-8"))
    if not page.has_body:
        return rel, None
    text = page_text(page)
    os.write(text_file(copies), (json.dumps([position, text], ensure_ascii=False) + "\n").encode("utf-8"))
    return rel, page_words(page, page_url(rel), text)
