"""The command line speaks Chinese to editors: usage errors, help, --version, "did you mean",
a plain summary of approved items that will not go live, every problem of a run at once,
and no English exception text inside a Chinese message."""
from __future__ import annotations

import errno
import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.messages import os_error_text, python_error_text, yaml_problem
from support import NOW, ROOT

ENGLISH = re.compile(r"usage:|unrecognized arguments|invalid choice|the following arguments are required|"
                     r"show this help message|positional arguments|options:|expected one argument|"
                     r"invalid int value|error:|Traceback")


def build_py(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def no_english(text: str) -> None:
    found = ENGLISH.search(text)
    assert found is None, f"English argparse text “{found.group(0)}” in:\n{text}"


# 1. argparse in Chinese, exit 2 for usage errors ------------------------------------------

@pytest.mark.parametrize("args", [
    ["build", "--target", "foo"],            # invalid choice
    ["new"],                                 # required arguments
    ["--bogus"],                             # unrecognized arguments
    ["build", "--jobs", "many"],             # invalid int value
    ["check", "--format"],                   # expected one argument
    ["schedule", "--sha", "abc"],            # required --state
])
def test_usage_errors_are_chinese_and_exit_2(args, cli):
    run = cli(*args)
    assert run.code == 2
    no_english(run.err)
    assert "用法错误" in run.err


def test_invalid_choice_names_the_choices_and_guesses(cli):
    run = cli("build", "--target", "websit")
    assert run.code == 2
    assert "--target" in run.err and "website、intranet、kiosk" in run.err
    assert "是不是“website”？" in run.err


def test_required_arguments_are_named(cli):
    run = cli("new", "fagui")
    assert run.code == 2 and "--category" in run.err and "--title" in run.err and "缺少" in run.err


def test_mistyped_option_gets_a_guess(cli):
    run = cli("build", "--tagret", "kiosk")
    assert run.code == 2 and "是不是“--target”？" in run.err


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["check", "--help"], ["build", "-h"], ["new", "--help"]])
def test_help_is_chinese(args):
    run = build_py(*args)
    assert run.returncode == 0
    no_english(run.stdout + run.stderr)
    assert run.stdout.startswith("用法：")
    assert "显示此帮助信息并退出" in run.stdout


def test_help_in_process_returns_0(cli):
    run = cli("--help")
    assert run.code == 0 and "用法：" in run.out


def test_help_command(cli):
    run = cli("help", "check")
    assert run.code == 0 and run.out.startswith("用法：build.py check")


def test_the_installed_command_names_itself_in_its_help(tmp_path):
    """`zwgk` (the command `pip install -e .` puts in the venv) says `zwgk` in its usage, build.py says build.py."""
    zwgk = Path(sys.executable).with_name("zwgk")
    if not zwgk.exists():
        pytest.skip("zwgk is not installed beside this Python (make site installs it)")
    run = subprocess.run([str(zwgk), "help", "check"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0 and run.stdout.startswith("用法：zwgk check"), run.stdout + run.stderr
    assert build_py("help", "check").stdout.startswith("用法：build.py check")
    # its errors too, and the way to its help
    run = subprocess.run([str(zwgk), "check", "--no-such-option"], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and run.stderr.startswith("zwgk: 用法错误："), run.stderr
    assert "运行 zwgk check --help 查看用法。" in run.stderr
    run = subprocess.run([str(zwgk), "rollback", "--to", str(ROOT / "no-such-deploy-folder")], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 1 and run.stderr.startswith("zwgk: "), run.stderr
    assert "请先用 zwgk deploy 部署。" in run.stderr and "build.py" not in run.stderr
    # and a damaged transfer bundle: the command to make it again is its own
    damaged = tmp_path / "site.tar.gz"
    damaged.write_bytes(b"not a bundle")
    run = subprocess.run([str(zwgk), "apply", str(damaged), "--to", str(tmp_path / "www")], capture_output=True,
                         text=True, cwd=ROOT)
    assert run.returncode == 1 and "请在外网一侧重新运行 zwgk bundle" in run.stderr and "build.py" not in run.stderr, run.stderr
    run = build_py("apply", str(damaged), "--to", str(tmp_path / "www"))
    assert run.returncode == 1 and "请在外网一侧重新运行 python build.py bundle" in run.stderr, run.stderr
    run = build_py("check", "--no-such-option")
    assert run.stderr.startswith("build.py: 用法错误：") and "运行 python build.py check --help 查看用法。" in run.stderr


def test_command_after_options_is_explained(cli):
    run = cli("--site", ROOT, "check")
    assert run.code == 2 and "命令要写在最前面" in run.err


# 2. --version -----------------------------------------------------------------------------

def test_version():
    run = build_py("--version")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"zwgk {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)


def test_version_in_process(cli):
    run = cli("--version")
    assert run.code == 0 and run.out.strip() == f"zwgk {__version__}"


# 3. did you mean ---------------------------------------------------------------------------

def test_mistyped_command():
    run = build_py("buld")
    assert run.returncode == 2
    no_english(run.stderr)
    assert "未知的命令“buld”" in run.stderr and "是不是“build”？" in run.stderr


def test_mistyped_command_in_process(cli):
    run = cli("chek", "--site", ROOT)
    assert run.code == 2 and "是不是“check”？" in run.err


def test_unknown_command_without_guess_lists_the_commands(cli):
    run = cli("xyzzy")
    assert run.code == 2 and "未知的命令“xyzzy”" in run.err and "check" in run.err


def test_misspelt_field_gets_a_guess(golden_copy, cli):
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("reviewer:", "reviewr:"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert "content/fagui/xuke-3.md:6: reviewr: 未知字段，已忽略。 是不是“reviewer”？" in run.err


def test_unrelated_unknown_field_gets_no_wild_guess(golden_copy, cli):
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("status:", "colour: red\nstatus:"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = next(l for l in run.err.splitlines() if "colour" in l)
    assert "未知字段，已忽略。" in line and "是不是" not in line


# 4. approved items that will not be published -----------------------------------------------

def _summary(err: str) -> list[str]:
    lines = err.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith("已审核（approved）但不会公开的条目"))
    out = []
    for line in lines[start + 1:]:
        if not line.startswith("  "):
            break
        out.append(line.strip())
    return out


def test_check_names_approved_items_that_will_not_go_live(golden_copy, cli):
    run = cli("check", "--site", golden_copy, "--now", NOW)
    summary = _summary(run.err)
    text = "\n".join(summary)
    assert any(l.startswith("content/fagui/noreviewer.md:5: ") and "缺少 reviewer（审核人）" in l for l in summary), text
    assert any(l.startswith("content/fagui/future.md:7: ") and "2026-12-01" in l for l in summary), text
    assert any(l.startswith("content/fagui/expired.md:8: ") and "已失效" in l and "2026-11-01" in l for l in summary), text
    assert any(l.startswith("content/fagui/abolished.md:8: ") and "已废止" in l for l in summary), text
    assert not any("xuke-3.md" in l or "draft.md" in l or "proposed.md" in l or "withdrawn.md" in l for l in summary)
    assert "4 个已审核条目暂不公开" in run.err


def test_misspelt_reviewer_explains_why_the_item_is_held_back(golden_copy, cli):
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("reviewer:", "reviewr:"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = next(l for l in _summary(run.err) if "xuke-3.md" in l)
    assert line.startswith("content/fagui/xuke-3.md:5: ")          # the status: approved line
    assert "缺少 reviewer（审核人）" in line and "第 6 行的“reviewr”是不是“reviewer”" in line


def test_check_json_carries_the_held_back_approved_items(golden_copy, cli):
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    data = json.loads(run.out)
    assert {"errors", "warnings"} <= set(data)
    held = {e["file"]: e for e in data["not_published"]}
    assert held["content/fagui/noreviewer.md"]["reason"] == "not_reviewed"
    assert held["content/fagui/noreviewer.md"]["line"] == 5
    assert held["content/fagui/future.md"]["reason"] == "future"
    assert held["content/fagui/future.md"]["until"].startswith("2026-12-01T00:00:00")
    assert held["content/fagui/expired.md"]["reason"] == "expired"
    assert held["content/fagui/abolished.md"]["reason"] == "abolished"
    assert all(e["message"] for e in held.values())
    assert "content/fagui/draft.md" not in held


def test_named_files_limit_the_summary(golden_copy, cli):
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json",
              golden_copy / "content" / "fagui" / "future.md")
    assert [e["file"] for e in json.loads(run.out)["not_published"]] == ["content/fagui/future.md"]


# 5. every problem of a run at once ------------------------------------------------------------

def test_config_error_does_not_hide_content_errors(golden_copy, cli):
    toml = golden_copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 2\nauthor = \"x\""),
                    encoding="utf-8")
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace('category: "0204"', "category: 0299"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 2
    assert "site.toml:8: site.author: 未知的设置项。" in run.err
    assert "content/fagui/xuke-3.md:3: category: 未知的目录分类“0299”。" in run.err


def test_config_errors_hidden_behind_others_are_reported_too(golden_copy, cli):
    """A schema error (unknown key, a bad code) used to hide the checks run on a valid file (a missing
    parent category); one run names all three, on the lines of the file as written."""
    toml = golden_copy / "site.toml"
    text = toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 2\nauthor = \"x\"")
    text = text.replace('code = "0205"', 'code = "2x"')       # categories[2], left out while checking
    toml.write_text(text + '[[categories]]\ncode = "0901"\nname = "孤儿"\n', encoding="utf-8")
    bad, orphan = text[:text.index('code = "2x"')].count("\n") + 1, text.count("\n") + 2
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 2
    assert "site.toml:8: site.author: 未知的设置项。" in run.err
    assert f"site.toml:{bad}: categories[2].code: 格式不对：“2x”。" in run.err
    assert f"site.toml:{orphan}: categories[6].code: 分类“0901”的上级“09”不存在。" in run.err
    assert "content/fagui/chufa-1.md:3: category: 未知的目录分类“0205”" in run.err   # its category is gone


def test_config_errors_alone_still_exit_2(golden_copy, cli):
    toml = golden_copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page = 2\nauthor = \"x\""),
                    encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 2
    data = json.loads(run.out)
    assert any(e["file"] == "site.toml" and e["field"] == "site.author" for e in data["errors"])


def test_unusable_config_in_json_is_json(golden_copy, cli):
    toml = golden_copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page 2"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 2
    assert json.loads(run.out)["errors"][0]["file"] == "site.toml"


def test_errors_in_several_files_are_all_reported(golden_copy, cli):
    fagui = golden_copy / "content" / "fagui"
    (fagui / "y1.md").write_text("---\ntitle: a\ncategory: \"0204\"\nstatus: approved: yes\n---\n", encoding="utf-8")
    (fagui / "y2.md").write_text("---\ntitle: b\ncategory: \"0204\"\npub_date: 2026-02-30\n---\n", encoding="utf-8")
    (fagui / "y3.md").write_text("---\ncategory: \"0204\"\nstatus: published\nabolished: maybe\n---\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    for expected in ("content/fagui/y1.md:4: YAML", "content/fagui/y2.md:4: pub_date:",
                     "content/fagui/y3.md:1: title:", "content/fagui/y3.md:3: status:", "content/fagui/y3.md:4: abolished:"):
        assert expected in run.err, expected


# 6. no English exception text ---------------------------------------------------------------

def test_bad_dates_are_explained_in_chinese(golden_copy, cli):
    fagui = golden_copy / "content" / "fagui"
    (fagui / "d1.md").write_text("---\ntitle: a\ncategory: \"0204\"\npub_date: 2026-13-01\n---\n", encoding="utf-8")
    (fagui / "d2.md").write_text("---\ntitle: b\ncategory: \"0204\"\npub_date: 2026-02-30\n---\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert "月份应在 1 到 12 之间" in run.err and "这个月没有这一天" in run.err
    assert "must be in" not in run.err and "out of range" not in run.err


def test_yaml_problems_are_chinese(golden_copy, cli):
    (golden_copy / "content" / "fagui" / "y.md").write_text(
        "---\ntitle: a\ncategory: \"0204\"\nstatus: approved: yes\n---\n", encoding="utf-8")
    (golden_copy / "content" / "fagui" / "z.md").write_text(
        "---\ntitle: a\ncategory: \"0204\"\nkeywords: [a, b\n---\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    lines = [l for l in run.err.splitlines() if "YAML" in l]
    assert len(lines) == 2
    for line in lines:
        assert not re.search(r"[A-Za-z]{3,} [a-z]{2,} [a-z]{2,}", line.replace("YAML", "")), line


@pytest.mark.parametrize("problem", [
    "mapping values are not allowed here", "could not find expected ':'",
    "found character '@' that cannot start any token", "expected ',' or ']', but got '<stream end>'",
    "found unknown escape character 'q'", "expected <block end>, but found '<scalar>'",
    "found undefined alias 'x'", "expected the node content, but found ','",
    "found a tab character where an indentation space is expected", "something PyYAML never said",
])
def test_yaml_table_has_no_english(problem):
    text = yaml_problem(problem)
    assert not re.search(r"[a-z]{4,} [a-z]{2,}", text), text


@pytest.mark.parametrize("english, chinese", [
    ("month must be in 1..12", "月份应在 1 到 12 之间"),
    ("day is out of range for month", "这个月没有这一天"),
    ("hour must be in 0..23", "小时应在 0 到 23 之间"),
    ("year 0 is out of range", "年份超出范围"),
    ("Invalid isoformat string: '2026-1-1'", "不是 ISO 8601 格式"),
])
def test_python_value_errors(english, chinese):
    assert chinese in python_error_text(ValueError(english))


def test_os_errors_by_errno():
    assert os_error_text(PermissionError(errno.EACCES, "Permission denied")) == "没有权限"
    assert os_error_text(OSError(errno.EADDRINUSE, "Address already in use")) == "地址或端口已被占用"
    assert os_error_text(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"
    assert "Permission" not in os_error_text(PermissionError(errno.EACCES, "Permission denied"))


def test_unreadable_output_folder_is_chinese(golden_copy, cli, tmp_path, monkeypatch):
    import generator.cli as cli_module

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "out"))
    monkeypatch.setattr(cli_module, "build_site", refuse)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out")
    assert run.code == 2
    assert "没有权限" in run.err and "Permission denied" not in run.err and "Errno" not in run.err


def test_port_in_use_is_chinese(golden_copy, cli):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        run = cli("serve", "--site", golden_copy, "--port", taken.getsockname()[1], "--now", NOW)
    finally:
        taken.close()
    assert run.code == 2
    assert "已被占用" in run.err and "Address already in use" not in run.err


def test_toml_syntax_error_is_chinese(golden_copy, cli):
    toml = golden_copy / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("per_page = 2", "per_page 2"), encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 2
    line = next(l for l in run.err.splitlines() if l.startswith("site.toml:"))
    assert line.startswith("site.toml:7: TOML 语法错误")
    assert "Expected" not in line and "at line" not in line
