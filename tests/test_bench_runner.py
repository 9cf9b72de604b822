"""bench/run.py: what a build leaves is moved aside between runs and deleted when the series ends; the
memory sampler finds the whole process tree."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from support import bench_module

bench_run = bench_module("run")


def _site(root):
    (root / "content").mkdir(parents=True)
    (root / "content" / "a.md").write_text("x", encoding="utf-8")
    (root / "site.toml").write_text("", encoding="utf-8")
    (root / ".zwgk-cache").mkdir()
    (root / ".zwgk-cache" / "c").write_text("cached", encoding="utf-8")
    (root / "stray.txt").write_text("left by a build", encoding="utf-8")


def test_clear_build_state_moves_what_builds_left_into_the_trash(tmp_path):
    work, root, out = tmp_path / "work", tmp_path / "work" / "site", tmp_path / "work" / "out"
    _site(root)
    (out / "website" / "a").mkdir(parents=True)
    (out / "website" / "a" / "index.html").write_text("page", encoding="utf-8")
    trash = bench_run.Trash(work)
    bench_run.clear_build_state(root, out, [work / "missing"], trash)
    assert sorted(p.name for p in root.iterdir()) == ["content", "site.toml"]
    assert not out.exists()
    kept = sorted(p.name for p in trash.folder.iterdir())
    assert kept == ["1-.zwgk-cache", "2-stray.txt", "3-out"]
    assert (trash.folder / "3-out" / "website" / "a" / "index.html").read_text(encoding="utf-8") == "page"
    trash.empty()
    assert not trash.folder.exists() and (root / "content" / "a.md").exists()


def test_a_trash_left_by_an_interrupted_series_is_emptied_first(tmp_path):
    (tmp_path / ".trash" / "1-out").mkdir(parents=True)
    trash = bench_run.Trash(tmp_path)
    assert trash.emptied and not trash.folder.exists()
    assert not bench_run.Trash(tmp_path / "fresh").emptied


@pytest.mark.skipif(not os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children"),
                    reason="the kernel keeps no /proc children lists (CONFIG_PROC_CHILDREN)")
def test_the_memory_sampler_finds_a_child_and_its_children():
    child = subprocess.Popen(["/bin/sh", "-c", "sleep 5 & sleep 5; wait"], start_new_session=True)
    try:
        for _ in range(100):                        # until the shell has forked its sleeps
            if len(bench_run._tree(child.pid)) >= 3:
                break
            time.sleep(0.05)
        tree = bench_run._tree(child.pid)
        assert tree[0] == child.pid and len(tree) == 3
        assert child.pid in bench_run._tree(os.getpid())
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
