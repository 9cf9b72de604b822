"""build.py publish (issue 16, part 3): git pull --ff-only, build, deploy only when the output changed;
and the templates that run it (systemd service and timer, cron, GitLab CI, Gitea Actions), parsed,
with every build.py command they run checked against the command line.

The site is a real git checkout of a real (bare) upstream; the deploy folder is local.
"""
from __future__ import annotations

import configparser
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.deploy.verify import file_hashes
from support import LATER, NOW, ROOT, live, systemd_problems

EXAMPLES = ROOT / "docs" / "examples"

pytestmark = pytest.mark.skipif(shutil.which("rsync") is None or shutil.which("git") is None,
                                reason="rsync 或 git 未安装")


@pytest.fixture
def git_env(monkeypatch):
    for key, value in {"GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
                       "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
                       "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}.items():
        monkeypatch.setenv(key, value)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def checkout(golden_copy, tmp_path, git_env):
    """(the publishing machine's checkout, an editor's clone) of one bare upstream holding the golden site."""
    git(golden_copy, "init", "-q", "-b", "main")
    (golden_copy / ".gitignore").write_text("dist/\n.zwgk-state/\n", encoding="utf-8")
    git(golden_copy, "add", "-A")
    git(golden_copy, "commit", "-q", "-m", "站点")
    upstream = tmp_path / "upstream.git"
    git(tmp_path, "clone", "-q", "--bare", str(golden_copy), str(upstream))
    site = tmp_path / "publisher"
    git(tmp_path, "clone", "-q", str(upstream), str(site))
    editor = tmp_path / "editor"
    git(tmp_path, "clone", "-q", str(upstream), str(editor))
    return site, editor


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): (os.readlink(p) if p.is_symlink() else p.stat().st_ino)
            for p in sorted(folder.rglob("*"))} if folder.exists() else {}


def edit_and_push(editor: Path, n: int) -> str:
    item = editor / "content" / "fagui" / "xuke-1.md"
    item.write_text(item.read_text(encoding="utf-8") + f"\n修订第 {n} 次。\n", encoding="utf-8")
    git(editor, "commit", "-q", "-am", f"修订 {n}")
    git(editor, "push", "-q")
    return git(editor, "rev-parse", "HEAD")


def test_publish_pulls_builds_and_deploys_only_changes(cli, checkout, tmp_path):
    site, editor = checkout
    www = tmp_path / "www"
    run = cli("publish", "--site", site, "--to", www, "--now", NOW, "-q")
    assert run.code == 0, run.err
    assert "已是 origin/main 的最新提交" in run.out and "从开始到切换完成用时" in run.out
    first = live(www)
    assert file_hashes(first) == file_hashes(site / "dist" / "website")
    assert json.loads((first / ".zwgk-release.json").read_text())["commit"] == git(site, "rev-parse", "HEAD")
    # nothing new: built again, the same fingerprint, nothing deployed
    before = snapshot(www)
    again = cli("publish", "--site", site, "--to", www, "--now", NOW, "-q")
    assert again.code == 0 and "没有部署" in again.out and snapshot(www) == before
    # an editor pushes: the next publish pulls it and deploys it
    sha = edit_and_push(editor, 1)
    third = cli("publish", "--site", site, "--to", www, "--now", NOW, "-q")
    assert third.code == 0, third.err
    assert "已从 origin/main 更新" in third.out and git(site, "rev-parse", "HEAD") == sha
    assert live(www) != first
    assert any("修订第 1 次" in p.read_text(encoding="utf-8") for p in live(www).rglob("*.html"))
    assert json.loads((live(www) / ".zwgk-release.json").read_text())["commit"] == sha


def test_failed_pull_deploys_nothing(cli, checkout, tmp_path):
    site, editor = checkout
    www = tmp_path / "www"
    assert cli("publish", "--site", site, "--to", www, "--now", NOW, "-q").code == 0
    # the publishing machine has a commit of its own, the upstream another: no fast-forward
    edit_and_push(editor, 1)
    (site / "local.txt").write_text("本机改动\n", encoding="utf-8")
    git(site, "add", "local.txt")
    git(site, "commit", "-q", "-m", "本机提交")
    built = (site / "dist" / "website.report.json").stat().st_mtime_ns
    before = snapshot(www)
    run = cli("publish", "--site", site, "--to", www, "--now", LATER, "-q")
    assert run.code == 1
    assert "git pull --ff-only" in run.err and "网站保持原样" in run.err
    assert snapshot(www) == before and (site / "dist" / "website.report.json").stat().st_mtime_ns == built
    # an unreachable upstream: the same
    git(site, "reset", "-q", "--hard", "origin/main")
    git(site, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    run = cli("publish", "--site", site, "--to", www, "--now", LATER, "-q")
    assert run.code == 1 and "更新失败" in run.err and snapshot(www) == before


def test_not_a_checkout_or_no_upstream_builds_what_is_there(cli, golden_copy, tmp_path, git_env):
    www = tmp_path / "www"
    run = cli("publish", "--site", golden_copy, "--to", www, "--now", NOW, "-q")
    assert run.code == 0 and "不是 git 仓库" in run.out and (www / "current").is_symlink()
    git(golden_copy, "init", "-q", "-b", "main")
    git(golden_copy, "add", "-A")
    git(golden_copy, "commit", "-q", "-m", "站点")
    run = cli("publish", "--site", golden_copy, "--to", www, "--now", LATER, "-q")
    assert run.code == 0 and "没有上游分支" in run.out


def test_state_skips_the_build_until_next_change(cli, checkout, tmp_path):
    site, editor = checkout
    www, state = tmp_path / "www", tmp_path / "state.json"
    assert cli("publish", "--site", site, "--to", www, "--now", NOW, "--state", state, "-q").code == 0
    saved = json.loads(state.read_text(encoding="utf-8"))
    assert saved["sha"] == git(site, "rev-parse", "HEAD") and saved["next_change"]
    report = site / "dist" / "website.report.json"
    built = report.stat().st_mtime_ns
    run = cli("publish", "--site", site, "--to", www, "--now", NOW, "--state", state, "-q")
    assert run.code == 0 and "无需发布" in run.out and report.stat().st_mtime_ns == built     # not even built
    due = saved["next_change"]
    run = cli("publish", "--site", site, "--to", www, "--now", due, "--state", state, "-q")
    assert run.code == 0 and "无需发布" not in run.out and report.stat().st_mtime_ns != built
    assert json.loads(state.read_text(encoding="utf-8"))["now"] == due


def test_a_build_with_errors_is_not_deployed(cli, checkout, tmp_path):
    site, _ = checkout
    www = tmp_path / "www"
    assert cli("publish", "--site", site, "--to", www, "--now", NOW, "-q").code == 0
    before = snapshot(www)
    item = site / "content" / "fagui" / "xuke-1.md"
    item.write_text(item.read_text(encoding="utf-8").replace("---", "---\nbroken: [", 1), encoding="utf-8")
    run = cli("publish", "--site", site, "--to", www, "--now", NOW, "-q")
    assert run.code == 1 and "没有部署" in run.err and snapshot(www) == before


# ------------------------------------------------------------------ the templates


def systemd_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, delimiters=("=",), comment_prefixes=("#", ";"))
    parser.optionxform = str              # systemd keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def commands_in(text: str) -> list[list[str]]:
    """Every `build.py <command> …` in a template's text, as words."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():
        if line.lstrip().startswith("#"):
            continue
        for match in re.finditer(r"build\.py\s+([^\n;&|>]*)", line):
            found.append(shlex.split(match.group(1)))
    return found


def check_command_exists(words: list[str]) -> None:
    assert words and not words[0].startswith("-"), words
    done = subprocess.run([sys.executable, str(ROOT / "build.py"), words[0], "--help"], capture_output=True, text=True)
    assert done.returncode == 0, (words, done.stderr)
    for option in (w.split("=", 1)[0] for w in words[1:] if w.startswith("--")):
        assert option in done.stdout, f"build.py {words[0]} has no option {option}"


def test_systemd_service_and_timer():
    service = systemd_unit(EXAMPLES / "zwgk-publish.service")
    assert set(service.sections()) == {"Unit", "Service", "Install"}
    assert service["Service"]["Type"] == "oneshot"
    start = shlex.split(service["Service"]["ExecStart"])
    assert start[0].endswith("python") and start[1] == "build.py" and start[2] == "publish"
    check_command_exists(start[2:])
    assert service["Service"]["ExecStartPost"].startswith("+/usr/local/bin/zwgk-wake-next ")
    timer = systemd_unit(EXAMPLES / "zwgk-publish.timer")
    assert set(timer.sections()) == {"Unit", "Timer", "Install"}
    assert timer["Timer"]["OnCalendar"] == "hourly" and timer["Timer"]["Unit"] == "zwgk-publish.service"
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze 不可用")
def test_systemd_analyze_verify(tmp_path):
    """systemd's own check of both units: only the paths of the installation (absent here) may be missing."""
    problems = systemd_problems([EXAMPLES / "zwgk-publish.service", EXAMPLES / "zwgk-publish.timer"], tmp_path)
    assert not problems, problems
    done = subprocess.run(["systemd-analyze", "calendar", "hourly"], capture_output=True)
    assert done.returncode == 0


def test_wake_next_script_schedules_at_next_change(tmp_path):
    script = EXAMPLES / "zwgk-wake-next.sh"
    assert os.access(script, os.X_OK)
    subprocess.run(["sh", "-n", str(script)], check=True)
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"target": "website", "next_change": "2026-12-01T00:00:00+08:00", "published": []},
                                 ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    env = {**os.environ, "ZWGK_DRY_RUN": "1", "TZ": "Asia/Shanghai"}
    done = subprocess.run([str(script), str(report)], capture_output=True, text=True, env=env, check=True)
    assert "--on-calendar=2026-12-01 00:00:00 systemctl start zwgk-publish.service" in done.stdout
    report.write_text(json.dumps({"next_change": None}, indent=1), encoding="utf-8")
    done = subprocess.run([str(script), str(report)], capture_output=True, text=True, env=env, check=True)
    assert "没有 next_change" in done.stdout


def test_cron_line():
    lines = [line for line in (EXAMPLES / "zwgk-publish.cron").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert len(lines) == 1
    minute, hour, day, month, weekday, user, command = lines[0].split(None, 6)
    assert minute.isdigit() and (hour, day, month, weekday) == ("*", "*", "*", "*") and user == "zwgk"
    (words,) = commands_in(command)
    assert words[0] == "publish"
    check_command_exists(words)


def test_gitlab_ci():
    data = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text(encoding="utf-8"))
    assert data["stages"] == ["check", "publish"]
    job = data["publish"]
    assert job["stage"] == "publish" and job["resource_group"]
    assert ".zwgk-state/" in job["cache"]["paths"]
    scripts = [line for name in ("check", "publish") for line in data[name]["script"]] + data["default"]["before_script"]
    found = [words for line in scripts for words in commands_in(line)]
    assert {words[0] for words in found} == {"check", "publish"}
    for words in found:
        check_command_exists(words)


def test_gitea_actions():
    data = yaml.safe_load((EXAMPLES / "gitea-actions.yml").read_text(encoding="utf-8"))
    triggers = data.get("on", data.get(True))           # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ["main"] and triggers["schedule"][0]["cron"]
    steps = data["jobs"]["publish"]["steps"]
    found = [words for step in steps for words in commands_in(step.get("run", ""))]
    assert [words[0] for words in found] == ["publish"]
    for words in found:
        check_command_exists(words)
    assert "--state" in found[0] and "--no-pull" in found[0]
