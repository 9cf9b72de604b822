"""The Pagefind index of a build (the FINISHERS entry): the pages split into parts by date; the
parts Pagefind indexes afresh (parts.make_parts: the indexing copies, Pagefind, the fragments'
texts and stop bitmaps) and those the previous bundle gives again (bundle.py runs Pagefind and
keeps the bundle)."""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Optional

from ..workers import default_workers
from .bundle import PAGEFIND_DIR, BundleStore, failure, link_part, part_path, previous_output, recipe, write_parts
from .parts import make_parts, scan


# ---------------------------------------------------------------- the index of a build

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
    layout = scan(staging, store if usable else None, workers)
    if not layout.pages:
        return 0
    previous = {k: store.reusable_part(k, part, layout.pages, key) for k, part in enumerate(layout.parts)} \
        if usable else {}
    fresh = [k for k in range(len(layout.parts)) if previous.get(k) is None]
    with tempfile.TemporaryDirectory(prefix="search-index-") as tmp:
        indexed = make_parts(staging, layout, fresh,
                             lambda k: bundle if k == 0 else staging / f".{PAGEFIND_DIR}-part{k}",
                             Path(tmp), workers, progress)
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
