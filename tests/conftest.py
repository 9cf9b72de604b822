"""Shared helpers: run the command line in-process and build the fixture sites."""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.cli import main  # noqa: E402

SITES = ROOT / "tests" / "sites"
GOLDEN_SITE = SITES / "golden"
NOW = "2026-11-26T08:00:00+08:00"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run `build.py ARGS…` in-process; returns exit code and captured output."""
    def run(*args: str) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)
    return run


@pytest.fixture
def golden_copy(tmp_path) -> Path:
    """A private copy of the golden fixture site, free to edit."""
    target = tmp_path / "site"
    shutil.copytree(GOLDEN_SITE, target)
    return target


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
