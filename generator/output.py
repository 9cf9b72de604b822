"""The output sink: every page and file of a build goes through an `Output` (Zola's `write_content`).

Renderers put pages here, in memory (the preview serves them from there) or written at once into the
staging folder (a command-line build: ten thousand pages never sit in memory); contributors put
generated files; attachments and theme files are recorded as copies; unchanged files of the
previous build are recorded as reused. `write_into` writes what is not yet in the staging folder
(links to reused files, copies), and publish.py then only adds the marker and swaps. Every path has
one maker (`claim`), so nothing is replaced silently.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from .errors import BuildAborted, Problem
from .reuse import OutputStore


def output_path(url: str) -> str:
    """ "/a/b/" -> "a/b/index.html"; "/feed.xml" -> "feed.xml". """
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


class PageFiles(MutableMapping):
    """Rendered files by output path: bytes held in memory, or — in a command-line build — already
    written into the staging folder (`spill_dir`) by the process that rendered them, so that ten
    thousand pages never sit in memory at once. Reading a spilled file reads it from there."""

    def __init__(self, spill_dir: Optional[Path] = None):
        self.spill_dir = spill_dir
        self.memory: dict[str, bytes] = {}
        self.on_disk: dict[str, None] = {}     # an ordered set

    def spilled(self, path: str) -> None:
        """`path` was written to spill_dir by a renderer."""
        self.memory.pop(path, None)
        self.on_disk[path] = None

    def __getitem__(self, path: str) -> bytes:
        if path in self.memory:
            return self.memory[path]
        if path in self.on_disk:
            return (self.spill_dir / path).read_bytes()
        raise KeyError(path)

    def __setitem__(self, path: str, data: bytes) -> None:
        self.on_disk.pop(path, None)        # publish writes the new bytes over the spilled file
        self.memory[path] = data

    def __delitem__(self, path: str) -> None:
        if path in self.memory:
            del self.memory[path]
        elif path in self.on_disk:
            del self.on_disk[path]
            (self.spill_dir / path).unlink(missing_ok=True)
        else:
            raise KeyError(path)

    def __contains__(self, path) -> bool:
        return path in self.memory or path in self.on_disk

    def __iter__(self):
        yield from self.memory
        yield from (p for p in self.on_disk if p not in self.memory)

    def __len__(self) -> int:
        return len(self.memory) + len(self.on_disk)


def spill(folder: Path, path: str, data: bytes, made: set) -> None:
    """Write one rendered file into the staging folder (`made`: folders known to exist).
    Plain system calls: ten thousand files, each opened once, no buffering to set up."""
    target = os.path.join(folder, path)
    parent = os.path.dirname(target)
    if parent not in made:
        try:
            os.mkdir(parent)              # mostly an item's own new folder: one call
        except FileExistsError:
            pass
        except FileNotFoundError:
            os.makedirs(parent, exist_ok=True)
        made.add(parent)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


@dataclass
class Output:
    """Everything a build writes: rendered files and files copied as they are."""

    files: PageFiles = field(default_factory=PageFiles)       # "quanli/xuke/index.html" -> bytes
    copies: dict[str, Path] = field(default_factory=dict)     # output path -> source file
    reused: dict[str, str] = field(default_factory=dict)      # output path -> the previous build's file
    keys: dict[str, str] = field(default_factory=dict)        # output path -> key of the inputs it was made from
    owners: dict[str, str] = field(default_factory=dict)      # output path -> who made it, for messages

    def claim(self, path: str, owner: str) -> None:
        """`owner` makes the file at `path`; a second maker is a build error naming both (never a
        silent replacement: a theme file over the kiosk's index, a page over a listing)."""
        known = self.owners.setdefault(path, owner)
        if known != owner:
            raise BuildAborted([Problem(path, 0, "", f"输出文件 /{path} 有两个来源：{known}；{owner}。",
                                        "请给其中一个另取名称（slug 或文件名）。")])

    def write_into(self, staging: Path, keys: dict[str, str], store: Optional[OutputStore]) -> None:
        """Complete the staging folder: pages held in memory, files of the previous build that are
        unchanged (hard links), copies. Pages the renderers wrote there already are left as they are."""
        made: set[Path] = set()
        previous = {rel: store.reusable(rel, keys[rel]) for rel in keys} if store is not None else {}
        for rel, data in sorted(self.files.memory.items()):
            if previous.get(rel) is not None:
                _link(previous[rel], staging / rel, made)
            else:
                _write(staging / rel, data, made)
        for rel, source in sorted(self.reused.items()):
            _link(source, staging / rel, made)
        for rel, source in sorted(self.copies.items()):
            if previous.get(rel) is not None:
                _link(previous[rel], staging / rel, made)
            else:
                target = staging / rel
                _mkdir(target.parent, made)
                shutil.copyfile(source, target)


def file_keys(output: Output) -> dict[str, str]:
    """A key for every file of the output: the inputs' key of a rendered page, else a hash of
    its bytes, or of a copied file's path and identity on disk."""
    keys = dict(output.keys)
    for rel in output.files:
        if rel not in keys:          # (a spilled page always has its key: it is not read back)
            keys[rel] = "sha1:" + hashlib.sha1(output.files[rel]).hexdigest()
    for rel, source in output.copies.items():
        stat = source.stat()       # ctime and inode: `cp -p` and `rsync -a` restore size and mtime, not these
        keys[rel] = f"copy:{source}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
    return keys


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
