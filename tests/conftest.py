"""Shared helpers: run the command line in-process, build the fixture sites, serve a folder over HTTP."""
from __future__ import annotations

import functools
import http.server
import shutil
import threading
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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a static server on 127.0.0.1 for that folder."""
    servers = []

    def start(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
