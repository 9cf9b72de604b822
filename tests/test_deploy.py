"""build.py deploy / rollback / releases (issue 16, part 1): real rsync, real sshd, real kills.

Local deploys go to a folder in tmp_path; SSH deploys go to a real `sshd` started here on
127.0.0.1 with a throwaway host key and user key (host key checking stays on: a known_hosts
file holds that key). The SSH tests are skipped, with the reason, only when sshd cannot start.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.deploy import releases as layout
from generator.deploy.destination import parse
from generator.deploy.errors import DeployError
from generator.deploy import lock as locking
from generator.deploy.lock import LOCK as STATE_LOCK, STALE_HOURS
from generator.deploy.verify import RELEASE_INFO, MANIFEST, file_hashes
from support import LATER, NOW, ROOT, live, snapshot

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync 未安装（apt-get install rsync）")


def info(release: Path) -> dict:
    return json.loads((release / RELEASE_INFO).read_text(encoding="utf-8"))


def edit(site: Path, n: int) -> None:
    """A one-item change: a published item's body gets one more sentence."""
    item = site / "content" / "fagui" / "xuke-1.md"
    item.write_text(item.read_text(encoding="utf-8") + f"\n修订第 {n} 次。\n", encoding="utf-8")


def deploy(cli, site: Path, to, *extra):
    return cli("deploy", "--site", site, "--to", to, "-q", *extra)


# ------------------------------------------------------------------ local folder


def test_first_deploy_lays_out_releases_and_current(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    run = deploy(cli, golden_copy, www, "--now", NOW)
    assert run.code == 0, run.err
    assert "已部署 website" in run.out
    assert (www / "current").is_symlink() and os.readlink(www / "current").startswith("releases/")
    release = live(www)
    output = golden_copy / "dist" / "website"
    assert file_hashes(release) == file_hashes(output)          # the release is the build, byte for byte
    data = info(release)
    report = json.loads((golden_copy / "dist" / "website.report.json").read_text(encoding="utf-8"))
    assert data["target"] == "website" and data["built"] == NOW == report["now"]
    assert data["published"] == len(report["published"]) and data["held_back"] == len(report["held_back"])
    assert data["name"] == release.name
    assert json.loads((www / layout.TARGET_FILE).read_text())["target"] == "website"
    # the manifest is sha256sum's format: the release can be checked by hand on the server
    subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=release, check=True)


def test_second_deploy_shares_unchanged_files_and_lists_both(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    first = live(www)
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 0, run.err
    second = live(www)
    assert second != first and first.is_dir()
    same = [rel for rel, digest in file_hashes(second).items() if file_hashes(first).get(rel) == digest]
    assert same and all((first / rel).stat().st_ino == (second / rel).stat().st_ino for rel in same)
    listing = cli("releases", "--site", golden_copy, "--to", www)
    assert listing.code == 0
    lines = [line for line in listing.out.splitlines() if first.name in line or second.name in line]
    assert len(lines) == 2 and lines[1].startswith("*") and not lines[0].startswith("*")
    assert NOW in lines[0] and LATER in lines[1] and "website" in lines[1]


def test_changed_files_only_and_the_fallbacks(cli, golden_copy, tmp_path, monkeypatch):
    """With the live release's manifest known here, only changed files travel; a live release changed
    on the server, or no manifest here (another machine deployed it), still gives an exact release."""
    www = tmp_path / "www"
    output = golden_copy / "dist" / "website"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    edit(golden_copy, 1)
    run = cli("deploy", "--site", golden_copy, "--to", www, "--now", NOW, "-q")
    assert run.code == 0, run.err
    uploaded = int(run.out.split("上传 ")[1].split(" ")[0])
    assert 0 < uploaded < len(file_hashes(output)) / 2
    assert file_hashes(live(www)) == file_hashes(output)
    # someone edited the live release on the server: the new release is still exactly the build
    os.chmod(live(www) / "index.html", 0o644)
    (live(www) / "index.html").write_text("服务器上被改过", encoding="utf-8")
    edit(golden_copy, 2)
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    assert file_hashes(live(www)) == file_hashes(output)
    # a machine that never deployed here (no cached manifest): the full comparison
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-cache"))
    edit(golden_copy, 3)
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    assert file_hashes(live(www)) == file_hashes(output)


def test_unchanged_build_is_not_deployed_again(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    before = snapshot(www)
    run = deploy(cli, golden_copy, www, "--now", NOW)
    assert run.code == 0 and "无需部署" in run.out
    assert snapshot(www) == before


def test_rollback_to_previous_and_named_release(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert cli("rollback", "--site", golden_copy, "--to", www).code == 1      # nothing deployed yet
    for n in range(3):
        edit(golden_copy, n)
        assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    names = sorted(p.name for p in (www / "releases").iterdir())
    assert live(www).name == names[2]
    run = cli("rollback", "--site", golden_copy, "--to", www)
    assert run.code == 0, run.err
    assert live(www).name == names[1] and "已回滚" in run.out
    run = cli("rollback", "--site", golden_copy, "--to", www, "--release", names[0])
    assert run.code == 0 and live(www).name == names[0]
    run = cli("rollback", "--site", golden_copy, "--to", www)      # nothing before the oldest
    assert run.code == 1 and "没有更早的版本" in run.err and live(www).name == names[0]
    run = cli("rollback", "--site", golden_copy, "--to", www, "--release", "20200101T000000Z-nothere")
    assert run.code == 1 and "没有版本" in run.err and live(www).name == names[0]
    # a damaged release is not switched to
    (www / "releases" / names[2] / "index.html").write_text("坏了", encoding="utf-8")
    run = cli("rollback", "--site", golden_copy, "--to", www, "--release", names[2])
    assert run.code == 1 and "内容不符" in run.err and live(www).name == names[0]


def test_keep_removes_old_releases_but_never_the_live_one_or_the_one_before(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    for n in range(4):
        edit(golden_copy, n)
        assert deploy(cli, golden_copy, www, "--now", NOW, "--keep", "2").code == 0
    names = sorted(p.name for p in (www / "releases").iterdir())
    assert len(names) == 2 and live(www).name == names[1]
    # live the oldest kept one, then prune: the newest two stay, and so do the live one and the one before it
    assert cli("rollback", "--site", golden_copy, "--to", www).code == 0
    dest = parse(str(www))
    for n in range(4, 6):
        edit(golden_copy, n)
        assert deploy(cli, golden_copy, www, "--now", NOW, "--keep", "5").code == 0
    state = layout.read_state(dest)
    everything = list(state.releases)
    assert len(everything) == 4
    assert cli("rollback", "--site", golden_copy, "--to", www, "--release", everything[0]).code == 0
    state = layout.read_state(dest)
    gone = layout.prune(dest, state, 2)
    kept = layout.read_state(dest).releases
    assert everything[0] in kept and everything[-2:] == kept[-2:] and gone == [everything[1]]


def test_refuses_a_build_with_errors_and_leaves_the_site(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    before = snapshot(www)
    (golden_copy / "content" / "fagui" / "bad.md").write_text(
        "---\ntitle: 错\ncategory: 不存在的分类\nstatus: approved\nreviewer: 王\nindex_no: \"014000184/2026-00099\"\n"
        "pub_date: 2026-01-01\n---\n正文\n", encoding="utf-8")
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 1 and "没有部署" in run.err
    assert snapshot(www) == before
    # an output built with --keep-going has errors in its report: not deployed either
    out = tmp_path / "kept"
    assert cli("build", "--site", golden_copy, "--now", LATER, "--out", out, "--keep-going", "-q",
               "--report", tmp_path / "kept.report.json").code == 0
    run = deploy(cli, golden_copy, www, "--out", out)
    assert run.code == 1 and "个错误" in run.err and "不能部署" in run.err
    assert snapshot(www) == before


def test_deploys_an_existing_output_only_with_its_report(cli, golden_copy, tmp_path):
    www, out = tmp_path / "www", tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "-q").code == 0
    run = deploy(cli, golden_copy, www, "--out", out)
    assert run.code == 1 and "没有构建报告" in run.err and not www.exists()
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "-q",
               "--report", tmp_path / "out.report.json").code == 0
    run = deploy(cli, golden_copy, www, "--out", out, "--target", "kiosk")
    assert run.code == 1 and "不是“kiosk”" in run.err and not www.exists()
    run = deploy(cli, golden_copy, www, "--out", out)
    assert run.code == 0, run.err
    assert file_hashes(live(www)) == file_hashes(out)


def test_refuses_another_target_and_a_foreign_folder(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    before = snapshot(www)
    run = deploy(cli, golden_copy, www, "--now", NOW, "--target", "kiosk")
    assert run.code == 1 and "是“website”载体的部署文件夹" in run.err
    assert snapshot(www) == before
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.html").write_text("旧网站", encoding="utf-8")
    run = deploy(cli, golden_copy, other, "--now", NOW)
    assert run.code == 1 and "不是空文件夹" in run.err
    assert [p.name for p in other.iterdir()] == ["index.html"]


def test_usage_errors(cli, golden_copy, tmp_path):
    run = cli("deploy", "--site", golden_copy)
    assert run.code == 2 and "--to" in run.err
    assert cli("deploy", "--site", golden_copy, "--to", tmp_path / "w", "--keep", "1").code == 2
    run = cli("deploy", "--site", golden_copy, "--to", "ftp://example.com/x")
    assert run.code == 1 and "不支持的部署地址" in run.err
    run = cli("deploy", "--site", golden_copy, "--to", "host:relative/path")
    assert run.code == 1 and "绝对路径" in run.err


def test_parse_destinations():
    assert parse("/srv/www/gk").remote is False
    d = parse("deploy@www.example.gov.cn:/srv/www/gk")
    assert (d.host, d.path, d.port) == ("deploy@www.example.gov.cn", "/srv/www/gk", None)
    d = parse("ssh://deploy@10.0.0.5:2222/srv/www/gk/")
    assert (d.host, d.path, d.port) == ("deploy@10.0.0.5", "/srv/www/gk", 2222)
    assert "StrictHostKeyChecking=yes" in d.ssh_args() and "StrictHostKeyChecking=no" not in d.ssh_args()
    with pytest.raises(DeployError):
        parse("host:/")


def test_deploy_table_in_site_toml(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    toml = golden_copy / "site.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + f'\n[deploy]\nto = "{www}"\nkeep = 3\n', encoding="utf-8")
    run = cli("deploy", "--site", golden_copy, "--now", NOW, "-q")
    assert run.code == 0, run.err
    assert (www / "current").is_symlink()
    assert cli("releases", "--site", golden_copy).code == 0
    lines = len((text + "\n[deploy]\n").splitlines())
    toml.write_text(text + f'\n[deploy]\nto = "{www}"\nkepe = 3\n', encoding="utf-8")
    run = cli("deploy", "--site", golden_copy, "--now", NOW, "-q")
    assert run.code == 2 and f"site.toml:{lines + 2}" in run.err and "kepe" in run.err


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_root(tmp_path):
    """A web server on 127.0.0.1 whose root is a path given later (a `current` link, or anything)."""
    holder = {"root": tmp_path}
    handler = lambda *a, **k: _Quiet(*a, directory=str(holder["root"]), **k)    # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_check_url_passes_and_a_failed_check_switches_back(cli, golden_copy, tmp_path, http_root):
    holder, url = http_root
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    first = live(www).name
    holder["root"] = www / "current"           # the web server's root is `current`, as the manual says
    run = deploy(cli, golden_copy, www, "--now", LATER, "--check-url", url)
    assert run.code == 0, run.err
    second = live(www).name
    # a web server still serving something else: the check fails and `current` goes back
    stale = tmp_path / "stale"
    shutil.copytree(www / "releases" / first, stale)
    holder["root"] = stale
    edit(golden_copy, 1)
    run = deploy(cli, golden_copy, www, "--now", LATER, "--check-url", url)
    assert run.code == 1 and "已切换回原来的版本" in run.err
    assert live(www).name == second


# ------------------------------------------------------------------ kill -9 at any moment


def _tree_is_one_of(release: Path, outputs: list[dict]) -> bool:
    return file_hashes(release) in outputs


def _two_heavy_outputs(cli, site: Path, tmp_path: Path, ballast: int) -> list[Path]:
    """Builds at NOW and at LATER, each with its report and `ballast` more files of its own bytes,
    so that an upload takes a while."""
    outs = []
    for i, moment in enumerate((NOW, LATER)):
        out = tmp_path / f"out{i}"
        assert cli("build", "--site", site, "--now", moment, "--out", out, "-q",
                   "--report", tmp_path / f"out{i}.report.json").code == 0
        extra = out / "static" / "ballast"
        extra.mkdir(parents=True)
        for n in range(ballast):
            (extra / f"{n}.txt").write_text(f"{i}-{n}-" + "字" * 2000, encoding="utf-8")
        outs.append(out)
    return outs


def test_killed_deploy_leaves_the_old_or_the_new_release(cli, golden_copy, tmp_path):
    """Kill the whole deploy (process group, rsync included) at moments spread over its run:
    `current` always names a complete release, the old one or the new one, never a mix."""
    www = tmp_path / "www"
    outs = _two_heavy_outputs(cli, golden_copy, tmp_path, 300)
    expected = [file_hashes(out) for out in outs]
    assert deploy(cli, golden_copy, www, "--out", outs[0]).code == 0
    command = [sys.executable, str(ROOT / "build.py"), "deploy", "--site", str(golden_copy), "--to", str(www),
               "--out", str(outs[1]), "--keep", "50"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    whole = time.monotonic() - started
    assert _tree_is_one_of(live(www), expected[1:])
    assert cli("rollback", "--site", golden_copy, "--to", www, "--release", layout.read_state(parse(str(www))).releases[0]).code == 0
    seen = {"old": 0, "new": 0}
    steps = 16
    for step in range(steps):                          # bounded: 16 kills spread over one deploy's duration
        if live(www).name != layout.read_state(parse(str(www))).releases[0]:
            assert cli("rollback", "--site", golden_copy, "--to", www,
                       "--release", layout.read_state(parse(str(www))).releases[0]).code == 0
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(whole * step / steps)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        release = live(www)
        assert release.is_dir()
        hashes = file_hashes(release)
        assert hashes in expected, f"kill after {whole * step / steps:.2f}s: current is neither release"
        seen["old" if hashes == expected[0] else "new"] += 1
    assert seen["old"] >= 1, seen
    # the next deploy cleans what the killed ones left and works
    edit(golden_copy, 1)
    assert deploy(cli, golden_copy, www, "--now", LATER).code == 0
    assert not [p for p in (www / "releases").iterdir() if p.name.startswith(".")]
    assert not [p for p in www.iterdir() if p.name.startswith(".current.tmp")]


# ------------------------------------------------------------------ one at a time


def _hold(www: Path, owner: dict, age_seconds: int = 0) -> None:
    """A lock as another deploy holds it: its owner line (the server's time it was taken, who)."""
    folder = www / STATE_LOCK
    folder.mkdir()
    (folder / "owner").write_text(f"{int(time.time()) - age_seconds}\t{json.dumps(owner, ensure_ascii=False)}\n",
                                  encoding="utf-8")


def _leftovers(www: Path) -> list[str]:
    return sorted(p.name for p in www.iterdir() if p.name.startswith(STATE_LOCK))


def test_a_deploy_apply_or_rollback_is_refused_while_another_holds_the_folder(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    assert deploy(cli, golden_copy, www, "--now", LATER).code == 0          # two releases: a rollback is possible
    _hold(www, {"host": "ci-runner-7", "pid": 4242, "user": "zwgk", "command": "部署",
                "started": "2026-12-06T02:00:00+00:00"}, age_seconds=600)
    held = snapshot(www)
    edit(golden_copy, 1)
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 1
    assert (f"{www} 正在由 ci-runner-7 上用户 zwgk 的部署（进程 4242，2026-12-06T02:00:00+00:00 开始）使用，"
            "已进行 10 分钟。") in run.err
    assert f"运行 rm -r {www}/.zwgk-lock" in run.err and "Traceback" not in run.err
    assert snapshot(www) == held                     # nothing changed, the lock left to its holder
    run = cli("rollback", "--site", golden_copy, "--to", www)
    assert run.code == 1 and "ci-runner-7" in run.err and snapshot(www) == held
    bundle = tmp_path / "gk.tar.gz"
    assert cli("bundle", "--site", golden_copy, "--now", LATER, "--out", bundle, "-q").code == 0
    run = cli("apply", bundle, "--to", www)
    assert run.code == 1 and "ci-runner-7" in run.err and snapshot(www) == held
    listing = cli("releases", "--site", golden_copy, "--to", www)      # reading needs no lock
    assert listing.code == 0 and listing.out.count("2026") + listing.out.count("2027") >= 2
    # a lock whose owner file cannot be read: held all the same, said plainly
    shutil.rmtree(www / STATE_LOCK)
    (www / STATE_LOCK).mkdir()
    (www / STATE_LOCK / "owner").write_text("yesterday\t{not json\n", encoding="utf-8")
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 1 and f"{www} 正在由 另一个部署使用，已进行 0 分钟。" in run.err and "Traceback" not in run.err
    shutil.rmtree(www / STATE_LOCK)                  # as the message says
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 0, run.err
    assert _leftovers(www) == []


def test_a_lock_whose_holder_is_gone_is_taken_over(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    assert deploy(cli, golden_copy, www, "--now", NOW).code == 0
    # a process of this machine that still runs: its lock holds
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        _hold(www, {"host": socket.gethostname(), "system": locking._system(), "pid": holder.pid, "user": "zwgk",
                    "command": "部署", "started": "2026-12-06T02:00:00+00:00"})
        edit(golden_copy, 1)
        run = deploy(cli, golden_copy, www, "--now", LATER)
        assert run.code == 1 and f"（进程 {holder.pid}，" in run.err
    finally:
        holder.kill()
        holder.wait()
    # … killed (kill -9: its lock stays): a process of another system with this host name (a container
    # beside this one) might be that pid and still run: its lock holds …
    shutil.rmtree(www / STATE_LOCK)
    _hold(www, {"host": socket.gethostname(), "system": "another-boot/pid:[1]", "pid": holder.pid}, age_seconds=60)
    held = snapshot(www)
    assert deploy(cli, golden_copy, www, "--now", LATER).code == 1 and snapshot(www) == held
    shutil.rmtree(www / STATE_LOCK)
    # … while this system's own dead process's lock is taken over
    _hold(www, {"host": socket.gethostname(), "system": locking._system(), "pid": holder.pid, "user": "zwgk",
                "command": "部署", "started": "2026-12-06T02:00:00+00:00"})
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 0, run.err
    assert "已清除中断的部署留下的锁" in run.out and _leftovers(www) == []
    # another machine's lock, older than STALE_HOURS by the server's clock
    _hold(www, {"host": "ci-runner-7", "pid": 1, "user": "zwgk", "command": "回滚", "started": "2026-12-05T02:00:00+00:00"},
          age_seconds=STALE_HOURS * 3600 + 60)
    edit(golden_copy, 2)
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 0, run.err
    assert "已清除中断的回滚留下的锁（ci-runner-7，2026-12-05T02:00:00+00:00）" in run.out and _leftovers(www) == []
    # … but not younger
    _hold(www, {"host": "ci-runner-7", "pid": 1}, age_seconds=STALE_HOURS * 3600 - 60)
    edit(golden_copy, 3)
    assert deploy(cli, golden_copy, www, "--now", LATER).code == 1
    # a damaged owner of this system (a pid no process can have): held, said plainly
    shutil.rmtree(www / STATE_LOCK)
    _hold(www, {"host": socket.gethostname(), "system": locking._system(), "pid": 10 ** 30})
    run = deploy(cli, golden_copy, www, "--now", LATER)
    assert run.code == 1 and "正在由" in run.err and "Traceback" not in run.err


def test_a_system_that_cannot_be_told_apart_never_counts_a_holder_as_gone(monkeypatch):
    """Without /proc (no boot id, no pid namespace) two containers with one host name look alike: a pid
    that does not run here may run beside us, so such a holder is never taken for gone."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    mine = {"host": socket.gethostname(), "system": locking._system(), "pid": dead.pid}
    assert locking._gone(mine)                      # the check itself works here …
    for unknown in ("/", "boot-id/", "/pid:[4026531836]"):
        monkeypatch.setattr(locking, "_system", lambda: unknown)
        assert not locking._gone({**mine, "system": unknown}), unknown      # … but not when half of it is unknown


def test_breaking_an_abandoned_lock_never_breaks_a_new_one(tmp_path, monkeypatch):
    """Two deploys that find the same abandoned lock: the one that breaks it second finds a new lock
    (the first one's) and must leave it; breakers take turns (.zwgk-lock.break)."""
    www = tmp_path / "www"
    www.mkdir()
    dest = parse(str(www))
    _hold(www, {"host": "gone", "pid": 1}, age_seconds=STALE_HOURS * 3600 + 60)
    stale = (www / STATE_LOCK / "owner").read_text(encoding="utf-8").rstrip("\n")
    token = locking.take(dest, "部署", say=lambda line: None)          # the first breaks it and takes it
    assert token and token in (www / STATE_LOCK / "owner").read_text(encoding="utf-8")
    assert dest.run(locking._BREAK, dest.path, stale, "10").strip() == "kept"   # the second, a moment late
    assert token in (www / STATE_LOCK / "owner").read_text(encoding="utf-8")
    locking.give_back(dest, token)
    assert _leftovers(www) == []
    # while another breaker is at work the lock is left to it; a turn left by a killed breaker (seen
    # in test_killed_deploy_leaves_the_old_or_the_new_release: kill -9 mid-break) ends after seconds
    _hold(www, {"host": "gone", "pid": 1}, age_seconds=STALE_HOURS * 3600 + 60)
    stale = (www / STATE_LOCK / "owner").read_text(encoding="utf-8").rstrip("\n")
    (www / ".zwgk-lock.break").mkdir()
    assert dest.run(locking._BREAK, dest.path, stale, "10").strip() == "kept"
    monkeypatch.setattr(locking, "BREAK_WAIT", 0)        # no wait: the lock cannot be cleared from here
    with pytest.raises(DeployError) as refused:
        locking.take(dest, "部署", say=lambda line: None)
    assert "有中断的部署留下的锁 .zwgk-lock，但无法清除它" in refused.value.message
    assert f"rm -r {www}/.zwgk-lock" in refused.value.hint
    monkeypatch.undo()
    os.utime(www / ".zwgk-lock.break", (time.time() - 20, time.time() - 20))
    token = locking.take(dest, "部署", say=lambda line: None)      # the killed breaker's turn has ended
    assert token and token in (www / STATE_LOCK / "owner").read_text(encoding="utf-8")
    locking.give_back(dest, token)
    assert _leftovers(www) == []


def test_a_lock_that_is_a_link_out_of_the_deploy_folder_is_never_followed_to_delete(tmp_path):
    """`.zwgk-lock` made a symbolic link to a folder elsewhere (with an owner line old enough to be
    taken over): breaking it removes the link, never the folder it names; a new lock is taken."""
    www, elsewhere = tmp_path / "www", tmp_path / "elsewhere"
    www.mkdir()
    elsewhere.mkdir()
    (elsewhere / "owner").write_text(f"{int(time.time()) - STALE_HOURS * 3600 - 60}\t{{}}\n", encoding="utf-8")
    (elsewhere / "keep.txt").write_text("不能删", encoding="utf-8")
    (www / STATE_LOCK).symlink_to(elsewhere)
    dest = parse(str(www))
    token = locking.take(dest, "部署", say=lambda line: None)
    assert token and (www / STATE_LOCK).is_dir() and not (www / STATE_LOCK).is_symlink()
    assert (elsewhere / "keep.txt").read_text(encoding="utf-8") == "不能删"
    locking.give_back(dest, token)
    assert _leftovers(www) == []


def test_a_time_in_full_width_digits_is_no_time(tmp_path):
    """The owner's time is what `date +%s` wrote: "１７…" (which int() would read) is not one, so a
    hand-made lock claiming to be old by it is not taken over; the lock folder's own time counts."""
    www = tmp_path / "www"
    www.mkdir()
    folder = www / STATE_LOCK
    folder.mkdir()
    old = str(int(time.time()) - STALE_HOURS * 3600 - 60).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    (folder / "owner").write_text(f"{old}\t{{\"host\": \"ci-runner-7\"}}\n", encoding="utf-8")
    with pytest.raises(DeployError) as refused:
        locking.take(parse(str(www)), "部署", say=lambda line: None)
    assert "ci-runner-7" in refused.value.message and "已进行 0 分钟" in refused.value.message


def test_a_stop_while_the_lock_is_being_taken_still_gives_it_back(tmp_path, monkeypatch):
    """SIGTERM that arrives when the lock is already on disk but its taking has not returned (the moment
    test_a_deploy_stopped_by_sigterm_gives_its_lock_back hit once in a full run): the stop waits until
    the lock can be given back, then ends the deploy; the lock is gone and the handlers are as before."""
    www = tmp_path / "www"
    www.mkdir()
    take = locking.take

    def take_then_stopped(*args, **kwargs):
        token = take(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGTERM)            # delivered here, before held() has the token
        return token
    monkeypatch.setattr(locking, "take", take_then_stopped)
    before = signal.getsignal(signal.SIGTERM)
    ran = []
    with pytest.raises(KeyboardInterrupt):
        with locking.held(parse(str(www)), "部署", say=lambda line: None):
            ran.append("deploy")
    assert ran == [] and _leftovers(www) == []
    assert signal.getsignal(signal.SIGTERM) is before


def _deploy_holding_the_lock(site: Path, www: Path, out: Path) -> subprocess.Popen:
    """A deploy of `out` started in the background, returned once its lock is in `www`."""
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "deploy", "--site", str(site),
                                "--to", str(www), "--out", str(out)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (www / STATE_LOCK).exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert (www / STATE_LOCK).exists(), "the deploy ended before its lock was seen"
    return process


def test_a_deploy_stopped_by_sigterm_gives_its_lock_back(cli, golden_copy, tmp_path):
    """systemctl stop, a CI job cancelled: SIGTERM ends the deploy as an error does, lock given back."""
    www = tmp_path / "www"
    outs = _two_heavy_outputs(cli, golden_copy, tmp_path, 600)
    assert deploy(cli, golden_copy, www, "--out", outs[0]).code == 0
    before = file_hashes(live(www))
    process = _deploy_holding_the_lock(golden_copy, www, outs[1])
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode != 0 and "Traceback" not in err, err
    assert not (www / STATE_LOCK).exists()
    assert file_hashes(live(www)) == before             # stopped before the switch: the old release
    assert deploy(cli, golden_copy, www, "--out", outs[1]).code == 0


def test_two_deploys_started_together_one_at_a_time(cli, golden_copy, tmp_path):
    """Two real deploys of different outputs started at the same moment, rounds over: each one either
    deploys or is refused for the lock (never fails halfway, e.g. its upload cleaned away by the other),
    and `current` is always a complete release of one of them."""
    www = tmp_path / "www"
    outs = _two_heavy_outputs(cli, golden_copy, tmp_path, 200)
    expected = [file_hashes(out) for out in outs]
    for _ in range(4):
        shutil.rmtree(www, ignore_errors=True)
        runs = [subprocess.Popen([sys.executable, str(ROOT / "build.py"), "deploy", "--site", str(golden_copy),
                                  "--to", str(www), "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True) for out in outs]
        results = [(run.wait(), run.stderr.read()) for run in runs]
        for code, err in results:
            assert code == 0 or (code == 1 and "正在由" in err and "使用，已进行" in err), err
        assert any(code == 0 for code, _ in results)
        assert file_hashes(live(www)) in expected
        assert _leftovers(www) == [] and not [p for p in (www / "releases").iterdir() if p.name.startswith(".")]
    # Started together, the two may still run one after the other (CI once saw no overlap in 4 rounds).
    # So one more round makes the overlap certain: the first deploy is paused while it holds the lock.
    shutil.rmtree(www, ignore_errors=True)
    first = _deploy_holding_the_lock(golden_copy, www, outs[0])
    first.send_signal(signal.SIGSTOP)
    try:
        second = subprocess.run([sys.executable, str(ROOT / "build.py"), "deploy", "--site", str(golden_copy),
                                 "--to", str(www), "--out", str(outs[1])], capture_output=True, text=True,
                                 timeout=60)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 1 and "正在由" in second.stderr and "使用，已进行" in second.stderr, second.stderr
    assert first.wait(timeout=60) == 0, first.stderr.read()
    assert file_hashes(live(www)) == expected[0]
    assert _leftovers(www) == [] and not (www / STATE_LOCK).exists()


# ------------------------------------------------------------------ over SSH, to a real sshd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """sshd on 127.0.0.1 with throwaway keys; yields the options a deploy needs."""
    binary = shutil.which("sshd") or "/usr/sbin/sshd"
    if not Path(binary).exists() or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None:
        pytest.skip("SSH 测试跳过：没有 sshd/ssh（apt-get install openssh-server openssh-client）")
    home = tmp_path_factory.mktemp("sshd")
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(home / name)], check=True)
    (home / "authorized_keys").write_text((home / "user.pub").read_text())
    os.chmod(home / "authorized_keys", 0o600)
    port = _free_port()
    import getpass
    user = getpass.getuser()
    (home / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {home / 'host'}\nPidFile {home / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {home / 'authorized_keys'}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        f"PubkeyAuthentication yes\nStrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\nAllowUsers {user}\n"
        "Subsystem sftp internal-sftp\nLogLevel ERROR\n")
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)     # sshd's privilege separation folder
    process = subprocess.Popen([binary, "-D", "-e", "-f", str(home / "sshd_config")],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"SSH 测试跳过：sshd 无法启动：{process.stdout.read().decode(errors='replace').strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.skip("SSH 测试跳过：sshd 10 秒内没有开始监听")
    host_key = " ".join((home / "host.pub").read_text().split()[:2])
    (home / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key}\n")
    (home / "ssh_config").write_text("")           # not the user's own ~/.ssh/config
    (home / "empty_known_hosts").write_text("")
    yield {"home": home, "port": port, "user": user,
           "options": ["--identity", home / "user", "--known-hosts", home / "known_hosts",
                       "--ssh-config", home / "ssh_config"]}
    process.terminate()
    process.wait(timeout=10)


def test_ssh_deploy_releases_rollback(cli, golden_copy, tmp_path, sshd):
    www = tmp_path / "remote-www"
    to = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}{www}"
    run = deploy(cli, golden_copy, to, "--now", NOW, *sshd["options"])
    assert run.code == 0, run.err
    first = live(www)
    assert file_hashes(first) == file_hashes(golden_copy / "dist" / "website")
    run = deploy(cli, golden_copy, to, "--now", LATER, *sshd["options"])
    assert run.code == 0, run.err
    second = live(www)
    assert second != first
    assert file_hashes(second) == file_hashes(golden_copy / "dist" / "website")
    listing = cli("releases", "--site", golden_copy, "--to", to, *sshd["options"])
    assert listing.code == 0 and first.name in listing.out and f"* {second.name}" in listing.out
    run = cli("rollback", "--site", golden_copy, "--to", to, *sshd["options"])
    assert run.code == 0, run.err
    assert live(www) == first
    # another target to the same folder: refused over SSH too
    run = deploy(cli, golden_copy, to, "--now", NOW, "--target", "intranet", *sshd["options"])
    assert run.code == 1 and "website" in run.err and live(www) == first
    # one deploy at a time, on the server too; the message says where to remove a lock left behind
    _hold(www, {"host": "ci-runner-7", "pid": 4242, "user": "zwgk", "command": "部署"})
    run = deploy(cli, golden_copy, to, "--now", LATER, *sshd["options"])
    assert run.code == 1 and "ci-runner-7" in run.err and live(www) == first
    assert f"在 {sshd['user']}@127.0.0.1 上运行 rm -r {www}/.zwgk-lock" in run.err
    shutil.rmtree(www / STATE_LOCK)
    run = deploy(cli, golden_copy, to, "--now", LATER, *sshd["options"])
    assert run.code == 0, run.err
    assert live(www) != first and _leftovers(www) == []


def test_ssh_unknown_host_key_is_refused(cli, golden_copy, tmp_path, sshd):
    www = tmp_path / "remote-www"
    to = f"ssh://{sshd['user']}@127.0.0.1:{sshd['port']}{www}"
    run = deploy(cli, golden_copy, to, "--now", NOW, "--identity", sshd["home"] / "user",
                 "--known-hosts", sshd["home"] / "empty_known_hosts", "--ssh-config", sshd["home"] / "ssh_config")
    assert run.code == 1 and "主机密钥" in run.err
    assert not www.exists()


def test_ssh_settings_from_site_toml_with_rsync_notation(cli, golden_copy, tmp_path, sshd):
    """user@host:/path (rsync's notation): the port comes from the ssh config, as an administrator writes it."""
    home = sshd["home"]
    config = tmp_path / "ssh_config"
    config.write_text(f"Host gk-server\n  HostName 127.0.0.1\n  Port {sshd['port']}\n  User {sshd['user']}\n"
                      f"  IdentityFile {home / 'user'}\n  UserKnownHostsFile {home / 'known_hosts'}\n")
    www = tmp_path / "remote-www"
    toml = golden_copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[deploy]\nto = "gk-server:{www}"\nssh_config = "{config}"\n',
                    encoding="utf-8")
    run = cli("deploy", "--site", golden_copy, "--now", NOW, "-q")
    assert run.code == 0, run.err
    assert file_hashes(live(www)) == file_hashes(golden_copy / "dist" / "website")
