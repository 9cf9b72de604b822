"""The Pagefind index of a build (the FINISHERS entry): each item page's indexing copy (its text
spaced by htmlscan, its search keys as <meta> tags), made in worker processes; the pages split
into parts by date; the parts Pagefind indexes afresh and those the previous bundle gives again
(bundle.py runs Pagefind and keeps the bundle)."""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Optional

from ..workers import default_workers
from .bundle import PAGEFIND_DIR, BundleStore, failure, link_part, part_path, previous_output, recipe, write_parts
from .htmlscan import BODY_MARK, IndexedPage, read_and_space
from .parts import make_parts, scan
from .text import changed_forms, fnv_key, pinyin_keys, pinyin_runs



# ---------------------------------------------------------------- the indexing copy of a page

@lru_cache(maxsize=512)          # the same few category names are on every page
def _name_runs(name: str) -> tuple:
    return tuple(tuple(run) for run in pinyin_runs(name))


def search_meta(page: IndexedPage) -> str:
    """The <meta> tags that carry the search keys of a page (see the package's docstring)."""
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


def index_site(staging: Path, progress=None, workers: Optional[int] = None, reuse: bool = True) -> int:
    """Index the item pages of a complete staging folder into staging/pagefind/, in parts
    (parts.py). Returns the number of pages indexed. Raises BuildAborted (with a plain message)
    when Pagefind fails.

    When the staging folder will replace an output whose bundle has a part made from exactly the
    same pages (same bytes) with the same code, that part is hard-linked instead of indexed, and
    its pages are not prepared (bundle.py); `reuse=False` (--no-cache) indexes afresh all
    the same. `workers` processes prepare the copies (default: one per core), and as many
    Pagefind runs index parts side by side."""
    started = time.monotonic()
    bundle = staging / PAGEFIND_DIR
    store = BundleStore(previous_output(staging))
    key = recipe()
    workers = workers or default_workers()
    usable = reuse and store.manifest.get("recipe") == key
    layout = scan(staging, store if usable else None)
    if not layout.pages:
        return 0
    previous = {k: store.reusable_part(k, part, layout.pages, key) for k, part in enumerate(layout.parts)} \
        if usable else {}
    fresh = [k for k in range(len(layout.parts)) if previous.get(k) is None]
    with tempfile.TemporaryDirectory(prefix="search-index-") as tmp:
        indexed = make_parts(staging, layout, fresh,
                             lambda k: bundle if k == 0 else staging / f".{PAGEFIND_DIR}-part{k}",
                             Path(tmp), workers, _prepare, progress)
    indexed.update({k: store.indexed(k) for k, source in previous.items() if source is not None})
    count = sum(indexed.values())
    if count == 0:
        return 0
    if any(indexed[k] == 0 for k in fresh):       # only pages that merely mention the mark: no bundle
        raise failure("搜索索引的某一部分没有可索引的条目页。")
    bundle.mkdir(exist_ok=True)
    for k in fresh:
        if k:
            os.replace(staging / f".{PAGEFIND_DIR}-part{k}", bundle / part_path(k))
    for k, source in sorted(previous.items()):
        if source is not None:
            link_part(source, k, bundle)
    write_parts(bundle, len(layout.parts), store.out_dir / PAGEFIND_DIR if usable and store.out_dir else None)
    store.record(staging, layout, key, indexed)
    if progress:
        kept = len(layout.parts) - len(fresh)
        how = f"沿用上次的 {kept} 部分，重新索引 {len(fresh)} 部分" if kept else f"{len(layout.parts)} 部分"
        progress(f"搜索索引：{count} 个条目（{how}），用时 {time.monotonic() - started:.1f} 秒")
    return count


def indexer(plan, progress):
    """The finisher of the searchable targets: index the complete staging folder (none with
    --no-search-index: `search-index` makes it, in shards if need be)."""
    if not plan.search_index:
        return None
    return lambda staging: index_site(staging, progress, workers=plan.workers, reuse=plan.reuse)
