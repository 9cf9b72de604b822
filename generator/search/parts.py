"""The parts of the search bundle: which pages each part holds, making parts, and putting them together.

A bundle is made in parts of about PART_PAGES pages, cut by date (split_parts): one Pagefind run
per part, so that Pagefind's memory stays bounded (about 0.5 MB a page) at any size of site, an
edit indexes one part again, and the parts of a large site can be made by separate jobs of a CI
matrix (index_shard on each, assemble at the end). Which pages go where depends on the pages'
bytes only — the pages that hold the mark and their sort dates —, so every job computes the same
layout from the same output folder, and a bundle assembled from shards is byte-for-byte the one a
single build makes.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

from ..errors import BuildAborted, Problem
from ..messages import python_error_text
from ..progress import current
from ..workers import parallel_map
from .bundle import (PAGEFIND_DIR, BundleStore, PartRuns, failure, file_identity, part_path, pagefind_executable, recipe,
                     sorted_pages, write_parts)
from .copies import ORDER_SORT, close_text_files, copy_html, copy_name, read_job, read_texts
from .htmlscan import BODY_MARK
from .stops import put_texts, stop_chars, write_stops

# The size of the parts (cuts fall on month boundaries, so sizes are about these). A search loads every
# part: each costs the browser about 11 requests and 200 KB more, and up to 10 parts the first query
# is no slower (bench/search_parts.py; development.md, Search parts). Smaller parts make an edit's
# re-index cheaper; Pagefind's memory goes with a part's pages.
PART_PAGES = 2000           # pages per part, up to MAX_PARTS parts …
MAX_PARTS = 10              # … then the parts grow …
MAX_PART_PAGES = 4000       # … up to this, and their number grows again (province scale)
PAGE_MEMORY = 128 * 1024    # Pagefind's peak memory per page of a run (measured on the copies: 133 / 258 / 511 MB
                            # at 1,000 / 2,000 / 4,000 pages; 0.5 MB a page before stop characters)
PAGEFIND_MEMORY = 2 << 30   # for the Pagefind runs side by side: four 4,000-page parts
_MARK = BODY_MARK.encode()
_SORT_DATE = re.compile(rb'data-pagefind-sort="date:([^"]*)"')
SHARD_FILE = "part{k}.json"


def part_count(pages: int) -> int:
    """How many parts `pages` marked pages are made in (a function of the pages only, so that the
    bundle does not depend on the machine): 1–10 parts of 2,000 pages up to 20,000 pages, 10 parts
    up to 40,000, then parts of 4,000."""
    size = min(MAX_PART_PAGES, max(PART_PAGES, -(-pages // MAX_PARTS)))
    return max(1, -(-pages // size))


def runs_at_once(pages: list[int], workers: int) -> int:
    """How many Pagefind runs side by side: one per worker, as memory allows for the largest part."""
    return max(1, min(workers, PAGEFIND_MEMORY // (max(pages, default=1) * PAGE_MEMORY)))


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


@dataclass
class Layout:
    """The pages of a folder that hold the mark, their hashes and sort dates, and the parts."""
    pages: dict[str, str]           # path -> sha1 of its bytes
    dates: dict[str, str]           # path -> sort date ("" without)
    parts: list[list[str]]

    def shard_record(self, k: int, key: str, indexed: int) -> dict:
        return {"recipe": key, "part": k, "parts": len(self.parts), "indexed": indexed,
                "pages": {rel: self.pages[rel] for rel in self.parts[k]}}


def html_files(folder: Path) -> list[str]:
    """The HTML files of an output or staging folder (not of a pagefind/ folder in it), sorted."""
    found = []
    for here, dirs, files in os.walk(folder):
        if here == str(folder):
            dirs[:] = [d for d in dirs if d != PAGEFIND_DIR]
            prefix = ""
        else:
            prefix = Path(here).relative_to(folder).as_posix() + "/"
        found += [prefix + name for name in files if name.endswith(".html")]
    return sorted(found)


def _look(path: str) -> Optional[tuple[str, str]]:
    """(sha1 of its bytes, sort date) of a page that holds the mark; None for another page."""
    with open(path, "rb") as f:
        data = f.read()
    if _MARK not in data:
        return None
    date = _SORT_DATE.search(data)
    return hashlib.sha1(data).hexdigest(), date.group(1).decode("utf-8") if date else ""


def scan(folder: Path, store: Optional[BundleStore] = None, workers: int = 1) -> Layout:
    """The layout of a folder's pages, read by `workers` processes. With `store`, a page that is the
    very file (a hard link) the previous build's manifest recorded is not read again."""
    recorded = store.manifest.get("files", {}) if store is not None else {}
    known_dates = store.manifest.get("dates", {}) if store is not None else {}
    pages, dates = {}, {}
    root = str(folder)
    todo = []
    for rel in html_files(folder):
        path = os.path.join(root, rel)
        entry = recorded.get(rel)
        if isinstance(entry, list) and len(entry) == 2 and isinstance(known_dates.get(rel), str):
            try:
                if file_identity(path) == entry[1]:
                    pages[rel], dates[rel] = entry[0], known_dates[rel]
                    continue
            except OSError:
                pass
        todo.append(rel)
    if todo:
        current().stage("查找条目页", total=len(todo), unit="个文件")
    for rel, found in zip(todo, parallel_map([os.path.join(root, rel) for rel in todo], _look, workers)):
        if found is not None:
            pages[rel], dates[rel] = found
    pages, dates = dict(sorted(pages.items())), dict(sorted(dates.items()))
    parts = split_parts(sorted(dates.items()), part_count(len(pages))) if pages else []
    return Layout(pages, dates, parts)


def make_parts(folder: Path, layout: Layout, ks: list[int], dest: Callable[[int], Path], tmp: Path,
               workers: int, progress=None) -> dict[int, int]:
    """Index parts `ks` of the layout, each into dest(k) (a Pagefind bundle of its own). Returns the
    pages indexed per part (a marked page without a data-pagefind-body element is not indexed).

    The pages are read in worker processes (copies.read_job), part after part; as soon as a part's
    pages are all read, its copies are written once its stop characters are known (stops.py),
    Pagefind indexes them, each fragment is given its page's text and the part its stop bitmaps —
    beside the reading of the later parts, and side by side with other parts as memory allows
    (bundle.PartRuns): Pagefind works on about one core, the reading on all of them."""
    jobs = [(folder, tmp / f"part{k}", position, rel) for k in ks for position, rel in enumerate(layout.parts[k])]
    part_of = [k for k in ks for _ in layout.parts[k]]          # the part of each job
    words: dict[int, list] = {k: [] for k in ks}
    indexed: dict[int, int] = {k: 0 for k in ks}
    stops: dict[int, frozenset] = {}
    if not jobs:                    # every part kept from the previous bundle
        return indexed

    def write_copies(run: tuple) -> None:
        copies, _, _, k = run
        pages = words[k]
        stops[k] = stop_chars([page.chars for _, page in pages])
        for n, (position, page) in enumerate(pages):
            with open(os.path.join(copies, copy_name(position)), "w", encoding="utf-8") as f:
                f.write(copy_html(page, stops[k], n))

    def finish(run: tuple) -> None:
        copies, bundle, _, k = run
        try:
            filters = put_texts(bundle, layout.parts[k], read_texts(copies))
            write_stops(bundle, stops[k], [page.chars for _, page in words[k]], sorted_pages(bundle, ORDER_SORT),
                        [filters[position] for position, _ in words[k]])
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            reason = python_error_text(exc) if isinstance(exc, OSError) else "Pagefind 的输出与预期不符"
            raise failure(f"无法写入搜索结果的正文和常用字索引（{reason}）。")
        words[k] = []               # the part is done: its pages' words are let go

    runs = PartRuns(pagefind_executable(), len(ks), runs_at_once([len(layout.parts[k]) for k in ks], workers),
                    progress=None, before=write_copies, after=finish)

    def read(i: int, result: tuple) -> None:
        _, copies, position, _ = jobs[i]
        k = part_of[i]
        if result[1] is not None:
            words[k].append((position, result[1]))
            indexed[k] += 1
        if (i + 1 == len(jobs) or part_of[i + 1] != k) and indexed[k]:     # the part's pages all read: index it
            runs.submit((copies, dest(k), indexed[k], k))

    current().stage("读取条目页", total=len(jobs), unit="个页面")
    try:
        try:
            parallel_map(jobs, read_job, workers, each=read)
        finally:
            close_text_files()
        if progress:
            progress(f"搜索索引：读取了 {len(jobs)} 个条目页，共 {len(ks)} 部分")
    except BaseException:
        runs.close()
        raise
    runs.wait()
    return indexed


# ---------------------------------------------------------------- parts made by separate jobs

def _problem(message: str, hint: str) -> BuildAborted:
    return BuildAborted([Problem("search-index", 0, "search", message, hint)])


def index_shard(folder: Path, shard: int, shards: int, into: Path, workers: int, progress=None) -> list[int]:
    """Index the parts k with k % shards == shard - 1 of an output folder built without its search
    index, each into into/part<k>/, with into/part<k>.json naming what it was made from. Returns
    the parts made (none when the site has fewer parts than shards)."""
    layout = scan(folder, workers=workers)
    key = recipe()
    ks = [k for k in range(len(layout.parts)) if k % shards == shard - 1]
    into.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="search-shard-") as tmp:
        indexed = make_parts(folder, layout, ks, lambda k: into / f"part{k}", Path(tmp), workers, progress)
    for k in ks:
        record = layout.shard_record(k, key, indexed[k])
        (into / SHARD_FILE.format(k=k)).write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    return ks


def assemble(folder: Path, sources: list[Path]) -> int:
    """Put the parts made by index_shard (in any of `sources`) into folder/pagefind/, after checking
    that together they are every part of the folder's layout, made from these very pages by this
    generator. Returns the pages indexed."""
    layout = scan(folder)
    key = recipe()
    found: dict[int, tuple[Path, dict]] = {}
    for source in sources:
        for record_path in sorted(source.glob("part*.json")):
            try:
                record = json.loads(record_path.read_text(encoding="utf-8"))
                k = int(record["part"])
            except (OSError, ValueError, KeyError, TypeError):
                raise _problem(f"无法读取搜索索引分片 {record_path}。", "请重新运行生成该分片的作业。")
            if not isinstance(record.get("indexed"), int) or not (record_path.parent / f"part{k}").is_dir():
                raise _problem(f"搜索索引分片 {record_path} 不完整（缺少索引文件夹 part{k} 或页面数）。",
                               "请重新运行生成该分片的作业。")
            linked = [p for p in (record_path.parent / f"part{k}").rglob("*") if p.is_symlink() or not (p.is_dir() or p.is_file())]
            if linked:       # a link in a shard would publish whatever it points at
                raise _problem(f"搜索索引分片里有符号链接或特殊文件：{linked[0]}。",
                               "分片只应含有 search-index --shard 生成的普通文件；请重新运行该分片作业。")
            if record.get("recipe") != key:
                raise _problem(f"搜索索引分片 {record_path} 由另一版本的生成器或依赖生成。",
                               "所有作业须使用同一提交和同一 requirements.txt；请重新运行全部分片作业。")
            if record.get("parts") != len(layout.parts) or k >= len(layout.parts) \
                    or record.get("pages") != {rel: layout.pages[rel] for rel in layout.parts[k]}:
                raise _problem(f"搜索索引分片 {record_path} 不是由这个输出文件夹的页面生成的（页面已改变）。",
                               "请先构建，再对同一份构建输出运行全部分片作业，最后合并。")
            if k in found:
                raise _problem(f"搜索索引第 {k} 部分出现了两次：{found[k][0]} 和 {record_path}。", "每个分片只应合并一次。")
            found[k] = (record_path, record)
    missing = [k for k in range(len(layout.parts)) if k not in found]
    if missing:
        raise _problem(f"缺少搜索索引的第 {'、'.join(map(str, missing))} 部分（共 {len(layout.parts)} 部分）。",
                       "请确认每个分片作业都已完成，并把它们的输出都交给合并命令。")
    bundle = folder / PAGEFIND_DIR
    if bundle.exists():
        shutil.rmtree(bundle)
    with tempfile.TemporaryDirectory(prefix="search-assemble-", dir=folder) as tmp:
        for k, (record_path, _) in sorted(found.items()):
            part = record_path.parent / f"part{k}"
            shutil.copytree(part, Path(tmp) / f"part{k}")
        os.rename(Path(tmp) / "part0", bundle)
        for k in range(1, len(layout.parts)):
            os.rename(Path(tmp) / f"part{k}", bundle / part_path(k))
    write_parts(bundle, len(layout.parts))
    return sum(record["indexed"] for _, record in found.values())
