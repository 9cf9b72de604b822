"""Where a build may write, and how it gets there (generator/publish.py): never over a source, a
file or a folder that is not an earlier output; one atomic exchange into place; the staging
folders of killed builds removed; the build report either written before the swap or the output
left as it was."""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from typing import Optional

import pytest

from generator import publish, reuse
from support import GOLDEN_SITE, NOW, ROOT, SITES, tree_bytes

LATER = "2026-12-02T08:00:00+08:00"        # the future item of the golden site has come due


def siblings(out: Path) -> list[str]:
    """The staging folders beside an output."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def refused(run, path) -> None:
    assert run.code == 2, run.err
    assert str(Path(path).resolve()) in run.err and "Traceback" not in run.err


# ---------------------------------------------------------------- where a build may write

def test_out_in_a_department_folder_is_refused_and_nothing_deleted(golden_copy, cli):
    fagui = golden_copy / "content" / "fagui"
    before = tree_bytes(fagui)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", fagui)
    refused(run, fagui)
    assert "内容文件夹 content/" in run.err and "dist/website" in run.err
    assert tree_bytes(fagui) == before
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", fagui / "site")     # inside, not existing
    refused(run, fagui / "site")
    assert not (fagui / "site").exists() and tree_bytes(fagui) == before


@pytest.mark.parametrize("where", ["content", "themes/mine", "themes", ".git/out", "."])
def test_out_in_or_at_the_sources_is_refused(golden_copy, cli, where):
    before = tree_bytes(golden_copy)
    out = golden_copy / where
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    refused(run, out)
    assert tree_bytes(golden_copy) == before
    assert not (golden_copy / "themes").exists() and not (golden_copy / ".git").exists()


def test_out_above_the_site_is_refused(golden_copy, tmp_path, cli):
    (tmp_path / "notes.txt").write_text("mine")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path)
    refused(run, tmp_path)
    assert "站点根目录或其上级" in run.err
    assert (tmp_path / "notes.txt").read_text() == "mine" and (golden_copy / "site.toml").is_file()


def test_out_in_the_generator_is_refused(golden_copy, cli):
    out = ROOT / "generator" / "out-test"
    refused(cli("build", "--site", golden_copy, "--now", NOW, "--out", out), out)
    assert not out.exists()


def test_a_folder_that_never_was_an_output_is_refused(golden_copy, tmp_path, cli):
    mine = tmp_path / "mine"
    (mine / "sub").mkdir(parents=True)
    (mine / "letter.docx").write_bytes(b"important")
    (mine / "sub" / "index.html").write_text("<p>my own page</p>")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", mine)
    refused(run, mine)
    assert publish.MARKER in run.err and "旧版本" in run.err and "删除或改名" in run.err
    assert tree_bytes(mine) == {"letter.docx": b"important", "sub/index.html": b"<p>my own page</p>"}
    assert siblings(mine) == []


def test_a_file_is_never_replaced(golden_copy, tmp_path, cli):
    target = tmp_path / "site.html"
    target.write_text("keep me")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", target)
    refused(run, target)
    assert "是一个文件" in run.err
    assert target.read_text() == "keep me" and siblings(target) == []


def test_a_new_or_empty_folder_is_written_with_the_marker_and_rebuilt(golden_copy, tmp_path, cli):
    for out in (tmp_path / "new" / "deeper" / "website", tmp_path / "empty"):
        if out.name == "empty":
            out.mkdir()
        assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
        assert (out / publish.MARKER).read_bytes() == publish.MARKER_BYTES
        assert (out / "index.html").is_file()
        assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out).code == 0     # ours: replaced
        assert (out / "quanli" / "xuke" / "2026-00007" / "index.html").is_file()
        assert siblings(out) == []


def test_a_marked_folder_holding_sources_is_still_refused(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    (out / "site.toml").write_text("[site]\n")
    refused(cli("build", "--site", golden_copy, "--now", NOW, "--out", out), out)
    assert (out / "site.toml").read_text() == "[site]\n"


def test_an_earlier_versions_output_is_taken_only_with_this_machines_record_of_it(golden_copy, tmp_path, cli):
    """An output of the previous version carries no marker: accepted when the build cache records
    this very folder as the last output and it holds nothing else, refused (with the way out) when not."""
    out = tmp_path / "website"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    (out / publish.MARKER).unlink()                  # as the previous version left it
    assert reuse.recorded_files(out) is not None
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out).code == 0
    assert (out / publish.MARKER).is_file() and (out / "quanli" / "xuke" / "2026-00007").is_dir()

    (out / publish.MARKER).unlink()
    (out / "my-notes.txt").write_text("not an output file")       # something the record does not know
    refused(cli("build", "--site", golden_copy, "--now", NOW, "--out", out), out)
    assert (out / "my-notes.txt").is_file()

    (out / "my-notes.txt").unlink()
    (reuse.cache_dir(out) / "manifest.json").unlink()            # built elsewhere (CI) or with --no-cache
    before = tree_bytes(out)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    refused(run, out)
    assert "旧版本" in run.err
    assert tree_bytes(out) == before


def test_a_link_to_the_output_folder_stays_a_link(golden_copy, tmp_path, cli):
    real = tmp_path / "srv" / "www"
    real.mkdir(parents=True)
    link = tmp_path / "website"
    link.symlink_to(real, target_is_directory=True)
    for now in (NOW, LATER):
        assert cli("build", "--site", golden_copy, "--now", now, "--out", link).code == 0
    assert link.is_symlink() and (real / "quanli" / "xuke" / "2026-00007" / "index.html").is_file()
    assert siblings(link) == [] and siblings(real) == []


def test_a_link_into_the_sources_is_refused(golden_copy, tmp_path, cli):
    link = tmp_path / "website"
    link.symlink_to(golden_copy / "content" / "fagui", target_is_directory=True)
    before = tree_bytes(golden_copy)
    refused(cli("build", "--site", golden_copy, "--now", NOW, "--out", link), golden_copy / "content" / "fagui")
    assert tree_bytes(golden_copy) == before and link.is_symlink()


# ---------------------------------------------------------------- the swap

def test_the_output_is_exchanged_in_one_step(golden_copy, tmp_path, cli, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "x").write_text("a"), (b / "y").write_text("b")
    if not publish.exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not supported here")
    assert (a / "y").read_text() == "b" and (b / "x").read_text() == "a"

    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache").code == 0
    first = out.stat().st_ino
    calls, real = [], publish.exchange
    monkeypatch.setattr(publish, "exchange", lambda x, y: calls.append((Path(x).name, Path(y).name)) or real(x, y))
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--no-cache").code == 0
    assert len(calls) == 1 and calls[0][0].startswith(".out.new-") and calls[0][1] == "out"
    assert out.stat().st_ino != first
    assert (out / "quanli" / "xuke" / "2026-00007" / "index.html").is_file()
    assert siblings(out) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["a", "b", "out", "site"]


def test_without_exchange_two_renames_do_it(golden_copy, tmp_path, cli, monkeypatch):
    monkeypatch.setattr(publish, "exchange", lambda a, b: False)      # e.g. EINVAL on some file systems
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    first = out.stat().st_ino
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--no-cache").code == 0
    assert out.stat().st_ino != first and (out / "quanli" / "xuke" / "2026-00007").is_dir()
    assert siblings(out) == []


def test_exchange_reports_unsupported_and_real_failures(tmp_path):
    a = tmp_path / "a"
    a.mkdir()
    with pytest.raises(OSError):
        publish.exchange(a, tmp_path / "missing")      # ENOENT is a failure, not "unsupported"
    assert a.is_dir()


# ---------------------------------------------------------------- staging folders of killed builds

def _hold_lock(folder: Path) -> subprocess.Popen:
    """Another process holding the flock of a staging folder, as a running build does."""
    code = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); fcntl.flock(fd, fcntl.LOCK_EX); "
            "print('locked', flush=True); sys.stdin.read()")
    holder = subprocess.Popen([sys.executable, "-c", code, str(folder)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_stale_staging_folders_are_removed_and_busy_ones_kept(golden_copy, tmp_path, cli):
    out = tmp_path / "website"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    for name in (".website.new-k1ll3d", ".website.old-x_9", ".website.new-busy01"):
        (tmp_path / name / "quanli").mkdir(parents=True)
        (tmp_path / name / "quanli" / "index.html").write_text("half")
    (tmp_path / ".website.new-note.txt").write_text("not a staging folder")   # another name: left alone
    (tmp_path / ".intranet.new-abc123").mkdir()                              # another output's: left alone
    holder = _hold_lock(tmp_path / ".website.new-busy01")
    try:
        assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out).code == 0
        assert siblings(out) == [".website.new-busy01", ".website.new-note.txt"]
        assert (tmp_path / ".intranet.new-abc123").is_dir()
    finally:
        holder.communicate("")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert siblings(out) == [".website.new-note.txt"]


def test_a_build_killed_between_two_renames_gets_its_output_back(golden_copy, tmp_path, cli):
    out = tmp_path / "website"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    before = tree_bytes(out)
    retired = tmp_path / ".website.old-abc123"
    retired.mkdir()
    out.rename(retired / "previous")                 # where the fallback swap was killed
    bad = golden_copy / "content" / "fagui" / "xuke-3.md"
    bad.write_text(bad.read_text().replace('category: "0204"', "category: 9999"), encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 1      # fails: nothing new
    assert tree_bytes(out) == before and siblings(out) == []


def _build_command(site: Path, out: Path, now: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), "--now", now, "--out", str(out),
            "--quiet", "--jobs", "1"]


def _staging_seen(build: subprocess.Popen, out: Path) -> Optional[float]:
    """Wait until the build has a staging folder beside `out`; None if it ends first."""
    started = time.monotonic()
    while build.poll() is None:
        if siblings(out):
            return time.monotonic() - started
        time.sleep(0.002)
    return None


def test_a_build_killed_at_any_moment_leaves_a_complete_output(golden_copy, tmp_path):
    """SIGKILL at random moments of builds alternating between two outputs (a third at any moment,
    the rest while the staging folder exists: rendering, indexing, swapping, removing the old
    output): the output path always holds one of them, whole; the next build removes what the
    killed ones left."""
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")    # the same theme throughout
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    complete = {}
    for now in (NOW, LATER):
        ref = tmp_path / f"ref-{len(complete)}"
        subprocess.run(_build_command(golden_copy, ref, now), env=env, check=True, timeout=300)
        complete[now] = tree_bytes(ref)
    assert complete[NOW] != complete[LATER]
    out = tmp_path / "website"
    subprocess.run(_build_command(golden_copy, out, NOW), env=env, check=True, timeout=300)
    started = time.monotonic()
    build = subprocess.Popen(_build_command(golden_copy, out, LATER), env=env)
    first = _staging_seen(build, out)
    assert build.wait(timeout=300) == 0 and first is not None
    took = time.monotonic() - started
    rng = random.Random(20261126)
    mid_publish = 0
    for i in range(12):
        now = (NOW, LATER)[i % 2]
        build = subprocess.Popen(_build_command(golden_copy, out, now), env=env, start_new_session=True,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i % 3 == 0:
            time.sleep(rng.uniform(0.0, took))
        elif _staging_seen(build, out) is not None:
            time.sleep(rng.uniform(0.0, took - first))
            mid_publish += 1
        try:
            os.killpg(build.pid, signal.SIGKILL)    # the build and what it started (Pagefind)
        except ProcessLookupError:
            pass
        build.wait(timeout=60)
        assert tree_bytes(out) in (complete[NOW], complete[LATER]), f"kill {i}: the output is not a complete build"
        assert [p for p in siblings(out) if not p.startswith(".website.new-")] == []
    assert mid_publish >= 6
    subprocess.run(_build_command(golden_copy, out, NOW), env=env, check=True, timeout=300)
    assert tree_bytes(out) == complete[NOW]
    assert siblings(out) == []


def test_two_builds_at_once_leave_one_complete_output(golden_copy, tmp_path):
    """Each build's staging folder is its own (locked): neither removes the other's, and the
    output is one of the two, whole, with nothing left beside it."""
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    complete = []
    for now in (NOW, LATER):
        ref = tmp_path / f"ref-{len(complete)}"
        subprocess.run(_build_command(golden_copy, ref, now), env=env, check=True, timeout=300)
        complete.append(tree_bytes(ref))
    out = tmp_path / "website"
    for round_ in range(3):
        builds = [subprocess.Popen(_build_command(golden_copy, out, now), env=env, stderr=subprocess.PIPE, text=True)
                  for now in (NOW, LATER)]
        for build in builds:
            assert build.wait(timeout=300) == 0, build.stderr.read()
            build.stderr.close()
        assert tree_bytes(out) in complete, f"round {round_}"
        assert siblings(out) == []


def test_a_second_build_into_the_same_output_waits_its_turn(golden_copy, tmp_path, monkeypatch):
    """While a build holds the output (one_build_at_a_time), another build into it says it waits and
    writes nothing; once the first is done it builds. (Two builds interleaved took each other's reused
    files away: "找不到该文件", once in a full run of test_two_builds_at_once_leave_one_complete_output.)"""
    from generator.publish import one_build_at_a_time
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))      # the build's lock file and ours: one
    out = tmp_path / "website"
    waiting = f"另一个构建正在写入 {out}，等它完成后继续……"
    command = [c for c in _build_command(golden_copy, out, NOW) if c != "--quiet"]
    lines: list[str] = []
    with one_build_at_a_time(out.absolute(), lambda line: None):
        build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        reader = threading.Thread(target=lambda: lines.extend(build.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 120
        while not any(waiting in line for line in lines) and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(waiting in line for line in lines), "".join(lines)
        time.sleep(0.5)                                 # waiting, not working: nothing is written meanwhile
        assert build.poll() is None and not out.exists() and siblings(out) == []
    assert build.wait(timeout=300) == 0, "".join(lines)
    reader.join(timeout=10)
    assert (out / "index.html").is_file() and siblings(out) == []


def test_a_build_that_swaps_in_between_does_not_lend_its_pages_to_the_next(golden_copy, tmp_path, cli, monkeypatch):
    """Build A swaps its output in; before A records what it wrote, build B swaps in its own. A's record
    must describe A's files (taken from its staging folder before its swap), not B's now in place:
    else the next build with A's inputs hard-links B's pages as its own (seen once in 20 rounds of
    test_two_builds_at_once_leave_one_complete_output)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    reference = tmp_path / "reference"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", reference, "--quiet").code == 0
    out = tmp_path / "website"
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--quiet").code == 0
    swap, nested = publish._swap, []

    def swap_then_another_build(staging, out_dir):
        retired = swap(staging, out_dir)
        if not nested:              # A is in place: B (LATER) builds and swaps before A goes on
            nested.append("B")
            nested.append(cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--quiet", "--no-cache").code)
        return retired
    monkeypatch.setattr(publish, "_swap", swap_then_another_build)
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet").code == 0 and nested == ["B", 0]
    monkeypatch.setattr(publish, "_swap", swap)
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet").code == 0
    assert tree_bytes(out) == tree_bytes(reference)


# ---------------------------------------------------------------- the build report

def test_report_to_an_impossible_place_is_refused_before_building(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    before = tree_bytes(out)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    readme = tmp_path / "README.md"
    readme.write_text("# mine\n")
    for report in (tmp_path / "missing" / "r.json", folder, readme, golden_copy / "site.toml",
                   golden_copy / "content" / "r.json", out / "report.json"):
        kept = report.read_bytes() if report.is_file() else None
        run = cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--report", report)
        refused(run, report)
        assert "--report" in run.err
        assert tree_bytes(out) == before, report                    # the output as it was
        assert (report.read_bytes() if report.is_file() else None) == kept
    assert not (tmp_path / "missing").exists()


def test_a_report_that_cannot_be_written_leaves_the_output_unchanged(golden_copy, tmp_path, cli, monkeypatch):
    out, report = tmp_path / "out", tmp_path / "report.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--report", report).code == 0
    before, old_report = tree_bytes(out), report.read_bytes()

    def disk_full(path, data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(publish, "write_beside", disk_full)
    run = cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--report", report)
    assert run.code == 2 and "保持原样" in run.err
    assert tree_bytes(out) == before and report.read_bytes() == old_report     # the message is true
    assert siblings(out) == []


def test_the_report_is_in_place_when_the_output_is(golden_copy, tmp_path, cli):
    out, report = tmp_path / "out", tmp_path / "report.json"
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--report", report).code == 0
    assert json.loads(report.read_text())["now"] == LATER
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--report", report).code == 0  # same
    assert json.loads(report.read_text())["now"] == LATER
    bad = golden_copy / "content" / "fagui" / "xuke-3.md"
    bad.write_text(bad.read_text().replace('category: "0204"', "category: 9999"), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--report", report)
    assert run.code == 1 and "保持原样" in run.err
    assert json.loads(report.read_text())["errors"]          # the failed build's report, output unchanged
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")] == []


# ---------------------------------------------------------------- archive

def test_archive_replaces_only_an_earlier_archive(golden_copy, tmp_path, cli):
    site = SITES / "compliance"
    zip_path = tmp_path / "archive.zip"
    assert cli("archive", "--site", site, "--until", "2027-01-01", "--out", zip_path).code == 0
    assert cli("archive", "--site", site, "--until", "2027-01-01", "--out", zip_path).code == 0    # ours: replaced
    assert "index.csv" in zipfile.ZipFile(zip_path).namelist()
    notes = tmp_path / "notes.txt"
    notes.write_text("mine")
    other_zip = tmp_path / "photos.zip"
    with zipfile.ZipFile(other_zip, "w") as zf:
        zf.writestr("photo.jpg", b"...")
    for target in (notes, other_zip, site / "site.toml", site / "content" / "a.zip", tmp_path):
        kept = target.read_bytes() if target.is_file() else None
        run = cli("archive", "--site", site, "--until", "2027-01-01", "--out", target)
        refused(run, target)
        assert (target.read_bytes() if target.is_file() else None) == kept
    assert not (site / "content" / "a.zip").exists()
    assert cli("archive", "--site", site, "--until", "2027-01-01", "--out", tmp_path / "new" / "a.zip").code == 0
