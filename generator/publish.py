"""A build reaches its output folder here: all of it, or none of it.

The new output is written into a temporary sibling folder (the renderers write
their pages into it as they go; this module adds the rest) and swapped in with
renames (Lektor's `os.replace`), so a failed or interrupted build leaves the
previous output exactly as it was and a web server never serves a mix.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Optional

from .errors import ConfigError, Problem
from .render import Output
from .reuse import OutputStore, write_manifest


def check_destination(out_dir: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would destroy the site itself."""
    out, root = out_dir.resolve(), site_root.resolve()
    if out == root or out in root.parents or root in out.parents and out.name in ("content", "themes", "generator"):
        raise ConfigError([Problem(str(out_dir), 0, "--out", "输出文件夹不能是站点根目录、其上级或源文件夹。",
                                   "请指定一个单独的文件夹，例如 dist/website。")])
    if out.is_dir() and ((out / "site.toml").exists() or (out / ".git").exists()):
        raise ConfigError([Problem(str(out_dir), 0, "--out", "输出文件夹里有 site.toml 或 .git，不像是构建输出。",
                                   "为防止误删，请指定一个单独的文件夹。")])


def new_staging(out_dir: Path) -> Path:
    """The hidden sibling folder a build is written into before the swap."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def file_keys(output: Output) -> dict[str, str]:
    """A key for every file of the output: the inputs' key of a rendered page, else a hash of
    its bytes, or of a copied file's path, size and mtime."""
    keys = dict(output.keys)
    for rel in output.files:
        if rel not in keys:          # (a spilled page always has its key: it is not read back)
            keys[rel] = "sha1:" + hashlib.sha1(output.files[rel]).hexdigest()
    for rel, source in output.copies.items():
        stat = source.stat()
        keys[rel] = f"copy:{source}:{stat.st_size}:{stat.st_mtime_ns}"
    return keys


def publish(output: Output, out_dir: Path, finish: Optional[Callable[[Path], None]] = None,
            store: Optional[OutputStore] = None, staging: Optional[Path] = None) -> bool:
    """Write `output` to `out_dir` atomically. `finish(staging)` runs on the complete
    staging folder before the swap (the search indexer), so its work is atomic too.
    `staging` (from new_staging) may already hold the pages renderers wrote there.

    With `store` (the previous output and its manifest), unchanged files are hard
    links to the previous ones, and an output identical to the previous one is
    not written at all. Returns whether anything was written."""
    out_dir = out_dir.absolute()
    keys = file_keys(output) if store is not None else {}
    if store is not None and out_dir.is_dir() and store.same_as_before(keys):
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        return False
    staging = staging or new_staging(out_dir)
    try:
        made: set[Path] = set()
        previous = {rel: store.reusable(rel, keys[rel]) for rel in keys} if store is not None else {}
        for rel, data in sorted(output.files.memory.items()):
            if previous.get(rel) is not None:
                _link(previous[rel], staging / rel, made)
            else:
                _write(staging / rel, data, made)
        for rel, source in sorted(output.reused.items()):
            _link(source, staging / rel, made)
        for rel, source in sorted(output.copies.items()):
            if previous.get(rel) is not None:
                _link(previous[rel], staging / rel, made)
            else:
                target = staging / rel
                _mkdir(target.parent, made)
                shutil.copyfile(source, target)
        if finish is not None:
            finish(staging)
        os.chmod(staging, 0o755)
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if store is not None:
        write_manifest(out_dir, keys)
    output.files.spill_dir = out_dir          # spilled pages are read from where they now are
    return True


def _link(source, target: Path, made: set[Path]) -> None:
    """The previous build's file, shared (same bytes, same inode); a copy where links fail."""
    _mkdir(target.parent, made)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _mkdir(folder: Path, made: set[Path]) -> None:
    if folder not in made:
        folder.mkdir(parents=True, exist_ok=True)
        made.add(folder)


def _write(path: Path, data: bytes, made: set[Path]) -> None:
    _mkdir(path.parent, made)
    path.write_bytes(data)


def _swap(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.replace(out_dir, retired / "previous")
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(retired / "previous", out_dir)    # put the old output back
        raise
    shutil.rmtree(retired, ignore_errors=True)
