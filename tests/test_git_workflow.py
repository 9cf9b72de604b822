"""Editing in git, for real: a temporary repository with two sections' commits."""
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support import GOLDEN_SITE, NOW

from generator.config import load_config
from generator.gitdates import read_dates
from generator.sections import codeowners_text

TZ = ZoneInfo("Asia/Shanghai")


def git(repo: Path, *args: str, when: str = "2026-03-10T10:00:00+08:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when, GIT_AUTHOR_NAME="编辑",
               GIT_AUTHOR_EMAIL="e@example.gov.cn", GIT_COMMITTER_NAME="编辑", GIT_COMMITTER_EMAIL="e@example.gov.cn")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """The golden site as a repository: fagui committed on 2026-03-10, bangong on 2026-04-20 (late evening UTC)."""
    site = tmp_path / "repo"
    shutil.copytree(GOLDEN_SITE, site)
    git(site, "init", "-q", "-b", "main")
    git(site, "add", "site.toml", "content/pages", "content/fagui")
    git(site, "commit", "-q", "-m", "法规处条目")
    git(site, "add", "content/bangong")
    # 2026-04-20 17:30 UTC is 2026-04-21 01:30 in Beijing: the date must be Beijing's
    git(site, "commit", "-q", "-m", "办公室条目", when="2026-04-20T17:30:00Z")
    return site


def test_updated_comes_from_the_last_commit_in_one_call(repo, cli, tmp_path):
    dates = read_dates(repo, TZ)
    assert dates.from_git
    assert dates.last["content/fagui/xuke-1.md"] == date(2026, 3, 10)
    assert dates.last["content/bangong/caigou-1.md"] == date(2026, 4, 21)
    item = repo / "content" / "fagui" / "xuke-1.md"
    item.write_text(item.read_text() + "\n补充说明。\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "补充", when="2026-05-05T09:00:00+08:00")
    dates = read_dates(repo, TZ)
    assert dates.last["content/fagui/xuke-1.md"] == date(2026, 5, 5)
    assert dates.first["content/fagui/xuke-1.md"] == date(2026, 3, 10)
    out = tmp_path / "out"
    assert cli("build", "--site", repo, "--now", NOW, "--out", out).code == 0
    page = (out / "quanli" / "xuke" / "2026-00001" / "index.html").read_text()
    assert "<th scope=\"row\">更新日期</th><td>2026-05-05</td>" in page


def test_uncommitted_and_outside_git_fall_back_to_mtime(repo, tmp_path):
    new = repo / "content" / "fagui" / "new.md"
    new.write_text("---\ntitle: 新条目\ncategory: \"0204\"\n---\n", encoding="utf-8")
    os.utime(new, (1767225600, 1767225600))            # 2026-01-01 08:00 Beijing
    changed = repo / "content" / "fagui" / "xuke-2.md"
    changed.write_text(changed.read_text() + "\n改动\n", encoding="utf-8")
    os.utime(changed, (1767225600, 1767225600))
    dates = read_dates(repo, TZ)
    assert "content/fagui/new.md" not in dates.last
    assert "content/fagui/xuke-2.md" not in dates.last       # modified since its commit: its mtime counts
    assert dates.last_or_mtime("content/fagui/new.md", new, TZ) == date(2026, 1, 1)
    outside = read_dates(tmp_path / "nowhere", TZ)
    assert not outside.from_git and outside.last == {}


def test_check_changed_since_reports_only_the_changed_file(repo, cli):
    base = git(repo, "rev-parse", "HEAD").strip()
    # an old error in a file that does not change …
    old = repo / "content" / "bangong" / "caigou-1.md"
    old.write_text(old.read_text().replace("审核", "审核") + "\n", encoding="utf-8")
    bad_old = repo / "content" / "fagui" / "chufa-1.md"
    bad_old.write_text(bad_old.read_text().replace('category: "0205"', "category: 0299"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "旧错误")
    base = git(repo, "rev-parse", "HEAD").strip()
    # … and a new one on line 5 of a changed file
    changed = repo / "content" / "fagui" / "xuke-3.md"
    changed.write_text(changed.read_text().replace("reviewer: 李明", "reviewer: 李明\nabolished: perhaps"),
                       encoding="utf-8")
    git(repo, "commit", "-q", "-am", "新错误")
    run = cli("check", "--site", repo, "--now", NOW, "--changed-since", base)
    assert run.code == 1
    errors = [l for l in run.err.splitlines() if l.startswith("content/")]
    assert errors == ["content/fagui/xuke-3.md:7: abolished: 应为 true 或 false，实际是 “perhaps”。"]
    full = cli("check", "--site", repo, "--now", NOW)
    assert "content/fagui/chufa-1.md:3: category" in full.err


def test_github_annotations(repo, cli, monkeypatch):
    item = repo / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text().replace('category: "0204"', "category: 0299"), encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    run = cli("check", "--site", repo, "--now", NOW, "--changed-since", "HEAD")
    assert run.code == 1
    assert "::error file=content/fagui/xuke-3.md,line=3,title=category::未知的目录分类“0299”。" in run.out


def test_bad_ref_is_a_usage_error(repo, cli):
    run = cli("check", "--site", repo, "--changed-since", "no-such-ref")
    assert run.code == 2 and "no-such-ref" in run.err


def test_codeowners_matches_sections_and_check_enforces_it(repo, cli):
    assert cli("codeowners", "--site", repo).code == 0
    text = (repo / ".github" / "CODEOWNERS").read_text(encoding="utf-8")
    assert "/content/fagui/ @bureau/fagui\n" in text and "/content/bangong/ @bureau/bangong\n" in text
    assert text == codeowners_text(load_config(repo))
    assert cli("check", "--site", repo, "--now", NOW).code == 0
    toml = repo / "site.toml"
    toml.write_text(toml.read_text().replace('owners = ["@bureau/fagui"]', 'owners = ["@bureau/fagui-new"]'),
                    encoding="utf-8")
    run = cli("check", "--site", repo, "--now", NOW)
    assert run.code == 1 and ".github/CODEOWNERS:4: CODEOWNERS 与 site.toml" in run.err


def test_codeowners_paths_are_relative_to_the_repository(tmp_path, cli):
    top = tmp_path / "top"
    shutil.copytree(GOLDEN_SITE, top / "sites" / "zj")
    git(top, "init", "-q")
    assert cli("codeowners", "--site", top / "sites" / "zj").code == 0
    assert "/sites/zj/content/fagui/ @bureau/fagui" in (top / ".github" / "CODEOWNERS").read_text()


def test_new_scaffolds_the_next_free_index_no(golden_copy, cli, tmp_path):
    run = cli("new", "fagui", "--site", golden_copy, "--category", "0204", "--title", "关于准予某公司许可的决定",
              "--now", "2026-11-26T10:00:00+08:00")
    assert run.code == 0, run.err
    path = golden_copy / "content" / "fagui" / "xuke-2026-00014.md"     # 00013 is the highest of 2026
    text = path.read_text(encoding="utf-8")
    assert 'index_no: "014000184/2026-00014"' in text and "status: draft" in text
    assert "formed_date: 2026-11-26" in text and "period: timely" in text and "audience: public" in text
    report = tmp_path / "r.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--report", report).code == 0
    held = {e["file"]: e["reason"] for e in json.loads(report.read_text())["held_back"]}
    assert held["content/fagui/xuke-2026-00014.md"] == "draft"
    again = cli("new", "fagui", "--site", golden_copy, "--category", "行政许可", "--title", "第二个", "--now", "2026-11-27")
    assert again.code == 0 and (golden_copy / "content" / "fagui" / "xuke-2026-00015.md").exists()
    next_year = cli("new", "bangong", "--site", golden_copy, "--category", "0402", "--title", "采购", "--now", "2027-01-04")
    assert next_year.code == 0 and (golden_copy / "content" / "bangong" / "caigou-2027-00001.md").exists()


@pytest.mark.parametrize("args,needle", [
    (("keji", "--category", "0204"), "没有名为“keji”的科室文件夹"),
    (("fagui", "--category", "0299"), "目录分类“0299”未知"),
    (("fagui", "--category", "02"), "不是最末一级分类"),
])
def test_new_refuses_unknown_section_or_category(golden_copy, cli, args, needle):
    run = cli("new", *args, "--site", golden_copy, "--title", "标题")
    assert run.code == 2 and needle in run.err
    assert not list((golden_copy / "content").rglob("*2026-00014.md"))
