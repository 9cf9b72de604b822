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

from ..workers import default_workers, parallel_map
from .bundle import (PAGEFIND_DIR, BundleStore, link_part, pagefind_executable, part_path, previous_output, recipe,
                     run_parts, write_parts)
from .htmlscan import BODY_MARK, IndexedPage, read_and_space
from .text import changed_forms, fnv_key, pinyin_keys, pinyin_runs

PARTS_FROM = 1000      # indexed pages from which the bundle is made in PARTS parts
PARTS = 2


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
    (bundle.BundleStore). Where that leaves a part empty (pages of a few months only), the
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
    number of pages indexed. Raises BuildAborted (with a plain message) when Pagefind fails.

    When the staging folder will replace an output whose bundle has a part made from exactly the
    same pages (same bytes) with the same code, that part is hard-linked instead of indexed, and
    its pages are not prepared (bundle.py); `reuse=False` (--no-cache) indexes afresh all
    the same. `workers` processes prepare the copies (default: one per core)."""
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
            return parallel_map([(staging, copies, rel) for rel in rels], _prepare, workers) if rels else []

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
    """The finisher of the searchable targets: index the complete staging folder."""
    return lambda staging: index_site(staging, progress, workers=plan.workers, reuse=plan.reuse)
