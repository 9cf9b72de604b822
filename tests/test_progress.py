"""Long work shows progress (issue 18 §5): a bar on a terminal, phase lines elsewhere, nothing with
--quiet; errors and warnings after the bar, never inside it; the preview shows none; the output the same."""
from __future__ import annotations

import fcntl
import io
import os
import re
import select
import struct
import subprocess
import sys
import termios
import threading
from pathlib import Path

import pytest

from support import NOW, ROOT, tree_bytes

from generator import progress as progress_module
from generator.progress import NULL, Progress, current, wants_bar

LINE = re.compile(r"\[\s*\d+\.\d+s\] ")
CONTROL = ("\r", "\x1b")      # what a bar draws with; a plain line has neither


MESSAGE = re.compile(r"\[\s*\d+\.\d+s\] |警告：")


def _garbled(screen: str) -> list[str]:
    """The lines where a message or a warning was written over a bar still drawn (neither wiped
    with blanks nor ended with a newline first)."""
    bad = []
    for line in screen.replace("\r\n", "\n").split("\n"):
        drawn = False
        for segment in line.split("\r"):
            found = MESSAGE.search(segment)
            if found and (found.start() > 0 or drawn):
                bad.append(line)
                break
            if segment and not segment.strip():        # a bar wiped
                drawn = False
            elif segment.strip():
                drawn = not found
    return bad


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _warned(site: Path) -> str:
    """A misspelt field in an item: the build's warning, printed after the bars."""
    item = site / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("reviewer:", "reviewr:"), encoding="utf-8")
    return "警告：content/fagui/xuke-3.md:6: reviewr: 未知字段，已忽略。"


# ---------------------------------------------------------------- without a terminal: phase lines

def test_without_a_terminal_each_phase_has_its_lines(golden_copy, tmp_path, cli, monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 0.0)     # the fixture builds in well under a second
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out", "--no-cache")
    assert run.code == 0, run.err
    lines = [line for line in run.err.splitlines() if LINE.match(line)]
    said = [LINE.sub("", line, count=1) for line in lines]
    for phase in ("读取", "渲染", "搜索索引"):
        assert f"{phase}：开始" in said and any(s.startswith(f"{phase}：完成") for s in said), (phase, run.err)
    assert any(s.startswith("读取：完成 15/15 个文件（用时 ") for s in said), run.err
    assert any(re.fullmatch(r"渲染：完成 (\d+)/\1 个页面（用时 \d+\.\d 秒）", s) for s in said), run.err
    # the steps of the search index; the one part is indexed as soon as its pages are read, before the
    # step "Pagefind" waits for it
    steps = ["搜索索引（查找条目页）：开始（共 27 个文件）", "搜索索引（读取条目页）：开始（共 5 个页面）",
             "搜索索引（读取条目页）：Pagefind 第 1 部分开始（5 个页面）", "搜索索引（Pagefind）：开始（共 1 部分）"]
    assert [s for s in said if s in steps] == steps, run.err
    assert said.index("读取：开始") < said.index("渲染：开始") < said.index("搜索索引：开始")
    assert len(lines) < 25                        # a line per phase start and end, not one per page
    assert not any(c in run.err for c in CONTROL)

    quiet = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "quiet", "--no-cache", "--quiet")
    assert quiet.code == 0 and quiet.err == "" and quiet.out == ""
    assert tree_bytes(tmp_path / "out") == tree_bytes(tmp_path / "quiet")    # progress never reaches the output


def test_small_builds_stay_silent(golden_copy, tmp_path, cli, monkeypatch):
    monkeypatch.setattr(progress_module, "DELAY", 3600.0)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out")
    assert run.code == 0 and run.err == "" and "已构建 website" in run.out


def test_a_long_phase_prints_a_line_every_ten_seconds_not_every_item():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream=stream, bar=False, delay=1.0, clock=lambda: now[0])
    with progress.task("渲染", unit="个页面") as task:
        for done in range(1, 100_001):            # 100,000 pages in 100 seconds
            now[0] += 0.001
            task.update(done, 100_000)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[  0.0s] 渲染：开始（共 100000 个页面）"        # printed once the delay is past
    assert lines[-1] == "[100.0s] 渲染：完成 100000/100000 个页面（用时 100.0 秒）"
    running = lines[1:-1]
    assert 8 <= len(running) <= 10, lines
    assert all(re.fullmatch(r"\[\s*\d+\.\d+s\] 渲染：\d+/100000 个页面（已用 \d+ 秒）", line) for line in running)


def test_the_callers_words_stand_in_for_counts_and_a_failed_phase_says_so():
    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream=stream, bar=False, delay=0.0, every=5.0, clock=lambda: now[0])
    with pytest.raises(KeyError):
        with progress.task("渲染", unit="个页面") as task:
            now[0] = 6.0
            task("已渲染 1000/3000 个页面")          # render.py's words, with --jobs 1
            raise KeyError("x")
    assert stream.getvalue().splitlines() == [
        "[  0.0s] 渲染：开始", "[  6.0s] 渲染：已渲染 1000/3000 个页面（已用 6 秒）", "[  6.0s] 渲染：未完成（用时 6.0 秒）"]
    assert current() is NULL


def test_quiet_is_nothing_at_all():
    stream = Terminal()
    progress = Progress(enabled=False, stream=stream, delay=0.0)
    with progress.task("读取") as task:
        assert current() is NULL and not task
        task.update(5, 10)
    progress("已读取 10 个条目")
    assert stream.getvalue() == ""


def test_a_bar_only_on_a_terminal_that_can_draw_one():
    assert wants_bar(Terminal(), {"TERM": "xterm-256color"})
    assert not wants_bar(Terminal(), {"TERM": "dumb"})
    assert not wants_bar(io.StringIO(), {"TERM": "xterm"})


# ---------------------------------------------------------------- the Pagefind step

def _fake_pagefind(monkeypatch, seen: list, both_running: threading.Barrier):
    from generator.search import bundle

    def run_pagefind(executable, copies, out, expected):
        seen.append(copies)
        both_running.wait(timeout=10)     # the two parts are running side by side
        threading.Event().wait(0.3)       # Pagefind prints nothing for a while
    monkeypatch.setattr(bundle, "run_pagefind", run_pagefind)
    return bundle


def test_pagefind_parts_are_named_while_they_run(monkeypatch, tmp_path):
    monkeypatch.setattr(progress_module, "TICK", 0.02)
    seen: list = []
    bundle = _fake_pagefind(monkeypatch, seen, threading.Barrier(2))
    stream = io.StringIO()
    progress = Progress(stream=stream, bar=False, delay=0.0, every=0.1)
    runs = [(tmp_path / "part0", tmp_path / "b0", 3), (tmp_path / "part1", tmp_path / "b1", 2)]
    with progress.task("搜索索引", unit="个页面"):
        bundle.run_parts(Path("pagefind"), runs, workers=2)      # the phase under way is told, unasked
    said = [LINE.sub("", line, count=1) for line in stream.getvalue().splitlines()]
    assert sorted(seen) == [tmp_path / "part0", tmp_path / "part1"]
    assert "搜索索引（Pagefind）：开始（共 2 部分）" in said
    assert "搜索索引（Pagefind）：第 1 部分开始（3 个页面）" in said and "搜索索引（Pagefind）：第 2 部分开始（2 个页面）" in said
    assert any(re.fullmatch(r"搜索索引（Pagefind）：第 1 部分完成（用时 \d+\.\d 秒）", s) for s in said)
    # while both run, silent: the running line names them, the time moving
    assert any(re.fullmatch(r"搜索索引（Pagefind）：0/2 部分，运行中：第 1、2 部分（已用 \d+ 秒）", s) for s in said), said
    assert re.fullmatch(r"搜索索引：完成 2/2 部分（用时 \d+\.\d 秒）", said[-1])


def test_pagefind_parts_on_a_bar_tick(monkeypatch, tmp_path):
    pytest.importorskip("tqdm")
    monkeypatch.setattr(progress_module, "TICK", 0.02)
    bundle = _fake_pagefind(monkeypatch, [], threading.Barrier(2))
    stream = Terminal()
    progress = Progress(stream=stream, bar=True, delay=0.0)
    runs = [(tmp_path / "part0", tmp_path / "b0", 3), (tmp_path / "part1", tmp_path / "b1", 2)]
    with progress.task("搜索索引", unit="个页面"):
        bundle.run_parts(Path("pagefind"), runs, workers=2)
    frames = stream.getvalue().split("\r")
    running = [f for f in frames if "0/2 部分" in f and "运行中：第 1、2 部分" in f]
    assert len(running) >= 5, frames              # redrawn while Pagefind is silent
    assert any(re.search(r"搜索索引（Pagefind）：100%\|[^|]+\| 2/2 部分", f) for f in frames), frames
    assert stream.getvalue().endswith("\n")       # the bar's line ended: what follows starts a line


def test_without_a_build_run_parts_reports_to_no_one(monkeypatch, tmp_path):
    bundle = _fake_pagefind(monkeypatch, [], threading.Barrier(1))
    bundle.run_parts(Path("pagefind"), [(tmp_path / "part0", tmp_path / "b0", 1)], workers=1)
    assert current() is NULL


# ---------------------------------------------------------------- a real terminal

def _on_a_terminal(args: list, env: dict, tmp_path: Path) -> tuple[int, str, str]:
    """Run build.py ARGS as a child with its stderr on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    code = ("import sys; import generator.progress as p; p.DELAY = 0.0\n"       # no wait for a small site
            "from generator.cli import main; raise SystemExit(main(sys.argv[1:]))")
    child = subprocess.Popen([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=slave, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    os.close(slave)
    received = bytearray()
    stdout = []
    reader = threading.Thread(target=lambda: stdout.append(child.stdout.read()))
    reader.start()
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:               # EIO: the child closed the terminal
                break
            if not data:
                break
            received += data
        elif child.poll() is not None:
            break
    os.close(master)
    reader.join()
    return child.wait(timeout=60), stdout[0].decode(), received.decode("utf-8", errors="replace")


def test_a_terminal_shows_a_bar_and_the_warnings_after_it(golden_copy, tmp_path):
    pytest.importorskip("tqdm")
    warning = _warned(golden_copy)
    args = ["build", "--site", golden_copy, "--now", NOW, "--no-cache", "--jobs", "2"]
    code, out, screen = _on_a_terminal([*args, "--out", tmp_path / "bar"], {"TERM": "xterm"}, tmp_path)
    assert code == 0, screen
    assert "\r" in screen
    for phase, unit in (("读取", "个文件"), ("渲染", "个页面"), ("搜索索引（Pagefind）", "部分")):
        assert re.search(rf"\r{re.escape(phase)}：100%\|[^|]+\| (\d+)/\1 {unit}（已用 \d\d:\d\d）", screen), (phase, screen)
    lines = screen.replace("\r\n", "\n").split("\n")
    assert any(line.startswith(warning) for line in lines), screen      # a line of its own, no bar left in it
    assert any(re.search(r"\r +\r\[\s*\d+\.\ds\] 搜索索引：", line) for line in lines), screen   # index.py's words: bar wiped
    assert _garbled(screen) == []
    assert "已构建 website" in out

    code, out, screen = _on_a_terminal([*args, "--out", tmp_path / "quiet", "--quiet"], {"TERM": "xterm"}, tmp_path)
    assert code == 0 and out == ""
    plain = screen.replace("\r\n", "\n")          # the terminal's own line ends
    assert not any(c in plain for c in CONTROL) and "%|" not in plain and "读取" not in plain, screen
    assert any(line.startswith(warning) for line in plain.split("\n"))     # warnings are not progress: kept

    code, _, screen = _on_a_terminal([*args, "--out", tmp_path / "dumb"], {"TERM": "dumb"}, tmp_path)
    assert code == 0 and "%|" not in screen and "渲染：开始" in screen
    assert tree_bytes(tmp_path / "bar") == tree_bytes(tmp_path / "quiet") == tree_bytes(tmp_path / "dumb")


# ---------------------------------------------------------------- the preview

def test_the_preview_shows_no_progress(golden_copy, monkeypatch):
    from datetime import datetime
    from generator.preview import PreviewSite
    monkeypatch.setattr(progress_module, "DELAY", 0.0)
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    site = PreviewSite(golden_copy, "website", datetime.fromisoformat(NOW))
    assert site.rebuild().ok
    done = []
    worker = threading.Thread(target=lambda: done.append(site.rebuild(config_changed=True).ok))   # as the server does
    worker.start()
    worker.join()
    assert done == [True] and screen.getvalue() == ""
