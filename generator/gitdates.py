"""Dates from git history: when each content file was first and last committed.

One `git log` call reads the whole tree (never one process per file). Outside
a git checkout, or for a file that is not committed, the file's modification
time stands in, with no error: a preview of a fresh file must just work.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class FileDates:
    first: dict[str, date] = field(default_factory=dict)   # site-relative path -> first commit date
    last: dict[str, date] = field(default_factory=dict)    # site-relative path -> last commit date
    from_git: bool = False

    def last_or_mtime(self, rel: str, path: Path, tz: ZoneInfo) -> date:
        return self.last.get(rel) or _mtime(path, tz)

    def first_or_mtime(self, rel: str, path: Path, tz: ZoneInfo) -> date:
        return self.first.get(rel) or _mtime(path, tz)


def _mtime(path: Path, tz: ZoneInfo) -> date:
    return datetime.fromtimestamp(path.stat().st_mtime, tz).date()


def read_dates(root: Path, tz: ZoneInfo, folder: str = "content") -> FileDates:
    """First and last commit dates of every file under `root/folder`, from one `git log`."""
    try:
        log = subprocess.run(
            ["git", "-c", "core.quotepath=false", "log", "--format=%x00%ct", "--name-only", "--no-renames",
             "--relative", "--", folder],
            cwd=root, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return FileDates()
    first: dict[str, date] = {}
    last: dict[str, date] = {}
    day = None
    for line in log.splitlines():
        if line.startswith("\0"):
            day = datetime.fromtimestamp(int(line[1:]), tz).date()
        elif line and day is not None:
            last.setdefault(line, day)     # newest commit comes first
            first[line] = day              # … and the oldest last
    dirty = _uncommitted(root, folder)
    for rel in dirty:
        last.pop(rel, None)
    return FileDates(first, last, True)


def _uncommitted(root: Path, folder: str) -> set[str]:
    """Files changed in the work tree since the last commit: their date is their mtime."""
    try:
        out = subprocess.run(["git", "-c", "core.quotepath=false", "status", "--porcelain", "--no-renames",
                              "--untracked-files=all", "--", folder],
                             cwd=root, capture_output=True, text=True, check=True).stdout
        prefix = subprocess.run(["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return set()
    return {line[3:].strip().removeprefix(prefix) for line in out.splitlines() if len(line) > 3}
