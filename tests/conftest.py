"""Shared helpers: run the command line in-process and build the fixture sites."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

# The project root and tests/ are on sys.path through pyproject.toml's [tool.pytest.ini_options] pythonpath.
from generator.cli import main
from support import GOLDEN_SITE


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True, scope="session")
def private_cache(tmp_path_factory):
    """Build caches (reuse.py) go to a folder of the test session, not the user's ~/.cache."""
    import os
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


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
