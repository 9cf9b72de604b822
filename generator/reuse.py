"""Reusing the previous build's files: the render cache of command-line builds.

In the user's cache folder ($XDG_CACHE_HOME or ~/.cache, `zwgk/<hash of the output
folder's path>/manifest.json`), outside the output and the site, a manifest records, for every file
the last build wrote, the key it was made from (a hash of everything its
template could see, plus the code, the theme and site.toml) and the file's size,
mtime and inode. A new build that computes the same key for a path, and finds the old
file untouched, hard-links it into the new output instead of rendering and
writing it again. The cache is safe to delete (everything is rendered again) and
cannot go stale: a changed input changes the key, and a file edited by hand no
longer matches its recorded size and mtime.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

MANIFEST_VERSION = 2       # 2: with each file's inode
# Every module of the package, subpackages included: a cached page or parsed file made by other
# code is never reused.
CODE_VERSION = hashlib.sha1(b"".join(p.read_bytes() for p in sorted(Path(__file__).parent.rglob("*.py")))).hexdigest()


def cache_dir(out_dir: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "zwgk" / hashlib.sha1(str(out_dir.absolute()).encode()).hexdigest()[:16]


class OutputStore:
    """The previous output and the keys its files were made from."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir.absolute()
        self.root = str(self.out_dir)
        self.checked: dict[tuple, Optional[str]] = {}
        self.entries: dict[str, list] = {}
        try:
            data = json.loads((cache_dir(out_dir) / "manifest.json").read_text(encoding="utf-8"))
            if data.get("version") == MANIFEST_VERSION:
                self.entries = data["files"]
        except (OSError, ValueError, KeyError, TypeError):
            self.entries = {}

    def reusable(self, path: str, key: str) -> Optional[str]:
        """The previous file for `path` if it was made from `key` and is untouched since."""
        entry = self.entries.get(path)
        if entry is None or entry[0] != key:
            return None
        known = self.checked.get((path, key), False)
        if known is not False:
            return known
        file = os.path.join(self.root, path)
        try:
            stat = os.stat(file)
        except OSError:
            stat = None
        found = file if stat and [stat.st_size, stat.st_mtime_ns, stat.st_ino] == entry[1:4] else None
        self.checked[(path, key)] = found
        return found

    def same_as_before(self, keys: dict[str, str]) -> bool:
        """True when the new build would write exactly the files of the previous one."""
        return bool(self.entries) and self.entries.keys() == keys.keys() and all(
            self.reusable(path, key) is not None for path, key in keys.items())


def manifest_entries(folder: Path, keys: dict[str, str]) -> dict[str, list]:
    """{path: [key, size, mtime, inode]} of the files of a complete staging folder, taken before
    its swap: a file keeps all three when the folder is renamed into place, and taken after the swap
    they could be those of a concurrent build that swapped in its own output meanwhile (its pages
    would then pass for this build's, and be hard-linked into the next one)."""
    root = str(folder)
    files = {}
    for path, key in keys.items():
        try:
            stat = os.stat(os.path.join(root, path))      # plain strings: ten thousand files
        except OSError:
            continue
        files[path] = [key, stat.st_size, stat.st_mtime_ns, stat.st_ino]
    return files


def write_manifest(out_dir: Path, files: dict[str, list]) -> None:
    """Record the files now in `out_dir` (after the swap; manifest_entries took them before it)."""
    out_dir = out_dir.absolute()
    folder = cache_dir(out_dir)
    try:   # a cache that cannot be written only costs the next build its reuse
        folder.mkdir(parents=True, exist_ok=True)
        temp = folder / f"manifest.{os.getpid()}.tmp"
        temp.write_text(json.dumps({"version": MANIFEST_VERSION, "out": str(out_dir), "files": files},
                                   sort_keys=True), encoding="utf-8")
        os.replace(temp, folder / "manifest.json")
    except OSError:
        pass


def recorded_files(out_dir: Path) -> Optional[set[str]]:
    """The files the last build recorded writing into `out_dir` (this exact folder), or None.
    publish.check_destination takes such a folder for an output of an earlier version, which
    wrote no marker file into its outputs."""
    out_dir = out_dir.absolute()
    try:
        data = json.loads((cache_dir(out_dir) / "manifest.json").read_text(encoding="utf-8"))
        if data.get("out") == str(out_dir) and isinstance(data.get("files"), dict):
            return set(data["files"])
    except (OSError, ValueError, AttributeError):
        pass
    return None
