"""The Pagefind bundle of a build (搜索索引): running the extended binary on the indexing copies,
making its output reproducible, and taking the previous output's bundle when nothing it indexed
has changed. What goes into the copies is index.py's business.

- Pagefind (the extended binary of `pagefind-bin-extended`, run as a program; never its Python
  wrapper, which sleeps 0.1 s per page) writes `pagefind/` into the staging folder. It indexes on
  about one core, so a large bundle is made in parts by runs side by side (run_parts); most of its
  time goes to the words of the pages and to compressing the fragments and index chunks (docs/development.md,
  Search: what drives its cost).
- Its filter files come out in hash-map order; `stabilise` rewrites them sorted and renames them
  by content, so the whole bundle is byte-for-byte the same on every build.
- Reuse, part by part: a manifest in the build cache (reuse.cache_dir of the output folder, beside
  the render cache's) records the recipe (this code, the dependencies' versions), a hash and the
  sort date of every indexed page, and for each part of the bundle its pages and the identity of
  its files. A part whose pages are the same set with the same bytes, made by the same recipe,
  over an output whose part is untouched, is hard-linked instead of indexed again; the others
  are indexed afresh (index.split_parts cuts the parts at month boundaries, so that one new or
  edited item changes one part). Pages whose hash the manifest knows are not prepared again
  unless their part is indexed again.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Callable, Optional

from ..errors import BuildAborted, Problem
from ..messages import os_error_text, python_error_text
from ..reuse import cache_dir

PAGEFIND_DIR = "pagefind"
# What Pagefind writes besides the index that search.js does not load.
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")
# The language Pagefind indexes the copies as: one without a word segmenter or a stemmer, so that the
# words are the copies' own (copies.py: each Han character a word); Pagefind's Chinese segmenter
# would only cost time. The search page keeps its own lang; the bundle holds this one index.
INDEX_LANGUAGE = "und"
MANIFEST = "search-manifest.json"
MANIFEST_VERSION = 3


def failure(message: str) -> BuildAborted:
    return BuildAborted([Problem("pagefind", 0, "search", f"生成搜索索引失败：{message}",
                                "输出文件夹保持原样。请用 .venv/bin/pip install -r requirements.txt 安装 "
                                "pagefind-bin-extended==1.5.2 后重新构建。")])


# ---------------------------------------------------------------- running Pagefind

def pagefind_executable() -> Path:
    try:
        import pagefind_bin_extended     # here, so that a missing package is the build's plain message
        return Path(pagefind_bin_extended.get_executable())
    except (ImportError, FileNotFoundError):
        raise failure("找不到 Pagefind 扩展版程序（pagefind-bin-extended）。请运行 make site 重新安装依赖。")


def run_pagefind(executable: Path, copies: Path, bundle: Path, expected: int) -> None:
    """Index the folder of copies into `bundle`, make it reproducible, check it holds every page."""
    command = [str(executable), "--site", str(copies), "--output-path", str(bundle),
               "--force-language", INDEX_LANGUAGE]
    try:
        run = subprocess.run(command, capture_output=True, text=True, errors="replace", timeout=3600)
    except OSError as exc:
        raise failure(f"无法运行 {executable.name}（{os_error_text(exc)}）。")
    except subprocess.TimeoutExpired:
        raise failure("Pagefind 运行超过一小时未结束。")
    if run.returncode != 0:
        lines = [line for line in (run.stderr + run.stdout).splitlines() if line.strip()]
        raise failure(f"{executable.name} 退出码 {run.returncode}：{' / '.join(lines[-3:]) or '无输出'}")
    try:
        indexed = stabilise(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise failure(f"无法整理 Pagefind 的输出（{python_error_text(exc) if isinstance(exc, OSError) else '输出格式与预期不符'}）。")
    if indexed != expected:
        raise failure(f"Pagefind 只索引了 {indexed} 个页面，应为 {expected} 个。")
    for name in UNUSED_BUNDLE_FILES:
        (bundle / name).unlink(missing_ok=True)


class PartRuns:
    """run_pagefind for each (copies, bundle, expected, …) part submitted, up to `workers` at a time, with
    before(run) and after(run) around each (parts.make_parts: writing the copies, the fragments'
    texts and stop bitmaps), so that one part's Python work overlaps the other parts' Pagefind, and
    the first parts are indexed while the pages of the later ones are still being read (`submit`
    as each part is ready, then `wait`).

    `progress` (a generator.progress Task; by default the build's phase under way, progress.current(),
    which is nothing outside a command-line build) is told each part's start and end, and which ones
    are running; from `wait` on, a step "Pagefind" of `total` parts, whose bar keeps ticking while
    Pagefind, which prints nothing, runs."""

    def __init__(self, executable: Path, total: int, workers: int, progress=None,
                 before: Optional[Callable] = None, after: Optional[Callable] = None):
        import threading
        from ..progress import current
        self.executable, self.total, self.before, self.after = executable, total, before, after
        self.task = progress if progress is not None else current()
        self.pool = ThreadPoolExecutor(max_workers=max(1, min(workers, total)), thread_name_prefix="zwgk-pagefind")
        self.futures: list = []
        self.running: list[int] = []
        self.finished = 0
        self.staged = False          # the step "Pagefind" shown (counts are the parts done)
        self.lock = threading.Lock()

    def submit(self, run: tuple[Path, Path, int]) -> None:
        self.futures.append(self.pool.submit(self._one, len(self.futures) + 1, run))

    def _one(self, number: int, run: tuple[Path, Path, int]) -> None:
        import time
        task = self.task
        with self.lock:
            self.running.append(number)
            task.note(f"运行中：第 {'、'.join(map(str, sorted(self.running)))} 部分")
        task.event(f"{self._named()}第 {number} 部分开始（{run[2]} 个页面）")
        started = time.monotonic()
        if self.before is not None:
            self.before(run)
        run_pagefind(self.executable, *run[:3])
        if self.after is not None:
            self.after(run)
        with self.lock:
            self.running.remove(number)
            self.finished += 1
            task.note(f"运行中：第 {'、'.join(map(str, sorted(self.running)))} 部分" if self.running else "")
            if self.staged:
                task.advance()
        task.event(f"{self._named()}第 {number} 部分完成（用时 {time.monotonic() - started:.1f} 秒）")

    def _named(self) -> str:
        """Before the step "Pagefind" (while pages are still read), a part's lines say what it is."""
        return "" if self.staged else "Pagefind "

    def show(self) -> None:
        """From now on the phase's step is "Pagefind", its counts the parts done."""
        with self.lock:
            if self.staged:
                return
            self.task.stage("Pagefind", total=self.total, unit="部分")
            self.staged = True
            if self.finished:
                self.task.update(self.finished)
            if self.running:
                self.task.note(f"运行中：第 {'、'.join(map(str, sorted(self.running)))} 部分")

    def wait(self) -> None:
        """Wait for every part submitted; the first failure is raised (the parts not yet started are
        cancelled)."""
        self.show()
        try:
            with self.task.ticking():
                for future in self.futures:
                    future.result()
        finally:
            self.close()

    def close(self) -> None:
        """Stop: the parts not started are cancelled, those running are waited for."""
        self.pool.shutdown(wait=True, cancel_futures=True)


def run_parts(executable: Path, runs: list[tuple[Path, Path, int]], workers: int, progress=None,
              before: Optional[Callable] = None, after: Optional[Callable] = None) -> None:
    """PartRuns for a list of parts all ready."""
    parts = PartRuns(executable, len(runs), workers, progress, before, after)
    parts.show()
    try:
        for run in runs:
            parts.submit(run)
    except BaseException:
        parts.close()
        raise
    parts.wait()


def part_path(k: int) -> str:
    """Where part k of the bundle lives inside pagefind/ (part 0 is pagefind/ itself)."""
    return "" if k == 0 else f"part{k}/"


def write_parts(bundle: Path, parts: int, previous: Optional[Path] = None) -> None:
    """pagefind/parts.json: the folders of the parts, for search.js ({"parts": ["", "part1/"]});
    the previous bundle's file, hard-linked, when it says the same."""
    data = (json.dumps({"parts": [part_path(k) for k in range(parts)]}, separators=(",", ":")) + "\n").encode()
    target = bundle / "parts.json"
    if previous is not None:
        try:
            if (previous / "parts.json").read_bytes() == data:
                os.link(previous / "parts.json", target)
                return
        except OSError:
            pass
    target.write_bytes(data)


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


def sorted_pages(bundle: Path, sort: str) -> list[str]:
    """The ids (page hashes) of a bundle's pages in the order of its sort `sort`, as Pagefind's
    search(null, {sort: {<sort>: "asc"}}) lists them (without making the browser load every index
    chunk, as that search does)."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    ids: list[str] = []
    for _, info in sorted(entry["languages"].items()):
        meta = _read_cbor(bundle / f"pagefind.{info['hash']}.pf_meta")
        order = dict((name, pages) for name, pages in meta[4])[sort]
        ids += [meta[1][i][0] for i in order]
    return ids


def _read_cbor(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise failure(f"无法识别的 Pagefind 文件 {path.name}（版本不是 1.5.2？）。")
    value, end = _cbor_decode(data, len(_SIGNATURE))
    if end != len(data):
        raise failure(f"无法识别的 Pagefind 文件 {path.name}。")
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
        raise failure("Pagefind 文件里有无法识别的数据。")
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
    raise failure("Pagefind 文件里有无法识别的数据。")


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


# ---------------------------------------------------------------- reusing the previous bundle

def previous_output(staging: Path) -> Optional[Path]:
    """The output folder a staging folder will become (publish.py names it `.<name>.new-…`
    beside the output), or None for another folder (the preview's)."""
    match = re.fullmatch(r"\.(.+)\.new-[^/]*", staging.name)
    return staging.parent / match.group(1) if match else None


def recipe() -> str:
    """What the bundle is made by besides the pages: this package's code (the copies' and this), the
    versions of Python (html.unescape), Pagefind, OpenCC and pypinyin. A change of any of
    them indexes afresh."""
    h = hashlib.sha256(sys.version.encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):      # every module of this package
        h.update(module.read_bytes())
    for package in ("pagefind-bin-extended", "opencc", "pypinyin"):
        try:
            h.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=?;".encode())
    return h.hexdigest()


def file_identity(path) -> list:
    """What tells that a file is the very one recorded: inode, size, modification time."""
    stat = os.stat(path)
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


_PART_DIR = re.compile(r"part\d+")


def part_files(bundle: Path, k: int) -> dict[str, list]:
    """{path inside the part's folder: identity} of the files of part k of a bundle (part 0:
    pagefind/ less the other parts' folders and parts.json). (os.scandir and strings, not pathlib:
    a part holds thousands of files, and this runs for every part of a build.)"""
    found = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                if k == 0 and not prefix and (entry.name == "parts.json" or _PART_DIR.fullmatch(entry.name)):
                    continue
                if entry.is_dir():
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif entry.is_file():
                    stat = entry.stat()
                    found[prefix + entry.name] = [stat.st_ino, stat.st_size, stat.st_mtime_ns]

    walk(str(bundle / part_path(k)), "")
    return dict(sorted(found.items()))


class BundleStore:
    """The previous output's bundle and the manifest of what its parts were made from."""

    def __init__(self, out_dir: Optional[Path]):
        self.out_dir = out_dir.absolute() if out_dir is not None else None
        self.manifest: dict = {}
        if self.out_dir is None:
            return
        self.path = cache_dir(self.out_dir) / MANIFEST
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        shape = {"recipe": str, "pages": dict, "dates": dict, "files": dict, "parts": list}
        if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION and data.get("out") == str(self.out_dir) \
                and all(isinstance(data.get(k), t) for k, t in shape.items()) \
                and all(isinstance(part, dict) and isinstance(part.get("pages"), list)
                        and isinstance(part.get("files"), dict) and isinstance(part.get("indexed"), int) for part in data["parts"]):
            self.manifest = data          # else a manifest of another version, or damaged: not used

    def reusable_part(self, k: int, pages: list[str], marked: dict[str, str], key: str) -> Optional[Path]:
        """The previous bundle's part k, if it was made from exactly `pages` with the bytes of
        `marked`, with the same recipe `key`, and is untouched since; else None."""
        parts = self.manifest.get("parts", [])
        if self.manifest.get("recipe") != key or k >= len(parts) or parts[k]["pages"] != pages \
                or any(self.manifest["pages"].get(rel) != marked.get(rel) for rel in pages):
            return None
        bundle = self.out_dir / PAGEFIND_DIR
        try:
            if not (bundle / part_path(k)).is_dir() or part_files(bundle, k) != parts[k]["files"]:
                return None
        except OSError:
            return None
        return bundle

    def record(self, staging: Path, layout, key: str, indexed: dict[int, int]) -> None:
        """Remember what the staging folder's bundle was made from (parts.Layout; its files keep
        their identity when the staging folder becomes the output) and the pages each part
        indexed. A manifest that cannot be written only costs the next build its reuse."""
        if self.out_dir is None:
            return
        try:
            root = str(staging)
            files = {rel: [sha, file_identity(os.path.join(root, rel))] for rel, sha in layout.pages.items()}
            bundle = staging / PAGEFIND_DIR
            data = {"version": MANIFEST_VERSION, "out": str(self.out_dir), "recipe": key, "pages": layout.pages,
                    "dates": layout.dates, "files": files,
                    "parts": [{"pages": part, "files": part_files(bundle, k), "indexed": indexed[k]}
                              for k, part in enumerate(layout.parts)]}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temp = self.path.with_name(f"{MANIFEST}.{os.getpid()}.tmp")
            temp.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
            os.replace(temp, self.path)
        except OSError:
            pass

    def indexed(self, k: int) -> int:
        """The pages part k of the previous bundle indexed."""
        return int(self.manifest["parts"][k].get("indexed", 0))


def link_part(previous: Path, k: int, bundle: Path) -> None:
    """Part k of the previous bundle, its files hard-linked (copied where links fail) into the
    same place of `bundle`."""
    source, target = previous / part_path(k), bundle / part_path(k)
    for rel in part_files(previous, k):
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, dest)
        except OSError:
            shutil.copy2(source / rel, dest)
