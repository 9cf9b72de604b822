"""Whole builds: determinism, atomic output, exit codes, --keep-going, check."""
import json
import os
from pathlib import Path

import pytest

from support import GOLDEN_SITE, NOW, tree_bytes
from generator import publish as publish_module


def test_two_builds_are_byte_identical(tmp_path, cli):
    for name in ("a", "b"):
        assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / name).code == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_a_later_now_changes_only_what_came_due(tmp_path, cli):
    cli("build", "--site", GOLDEN_SITE, "--now", "2026-11-30T23:59:59+08:00", "--out", tmp_path / "a")
    cli("build", "--site", GOLDEN_SITE, "--now", "2026-12-01T00:00:00+08:00", "--out", tmp_path / "b")
    assert not (tmp_path / "a" / "quanli" / "xuke" / "2026-00007").exists()
    assert (tmp_path / "b" / "quanli" / "xuke" / "2026-00007" / "index.html").is_file()


def test_failed_build_leaves_previous_output(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    before = tree_bytes(out)
    bad = golden_copy / "content" / "fagui" / "xuke-3.md"
    bad.write_text(bad.read_text().replace('category: "0204"', "category: 9999"), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 1
    assert "content/fagui/xuke-3.md:3: category: 未知的目录分类“9999”" in run.err
    assert tree_bytes(out) == before


def test_crash_while_writing_leaves_previous_output(golden_copy, tmp_path, cli, monkeypatch):
    out = tmp_path / "out"
    cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    before = tree_bytes(out)
    calls = {"n": 0}
    real = publish_module._write

    def failing(path, data, made):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError("disk full")
        real(path, data, made)

    monkeypatch.setattr(publish_module, "_write", failing)
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache").code == 2
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_keep_going_holds_bad_items_back_and_publishes_the_rest(golden_copy, tmp_path, cli):
    bad = golden_copy / "content" / "fagui" / "chufa-1.md"
    bad.write_text(bad.read_text() + "\n当事人联系电话 13812345678。\n", encoding="utf-8")
    broken = golden_copy / "content" / "fagui" / "broken.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    report = tmp_path / "r.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o").code == 1
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--keep-going", "--report", report)
    assert run.code == 0
    data = json.loads(report.read_text())
    held = {e["file"]: e["reason"] for e in data["held_back"]}
    assert held["content/fagui/chufa-1.md"] == "privacy"
    assert held["content/fagui/broken.md"] == "invalid"
    assert len(data["published"]) == 4
    assert {e["file"] for e in data["errors"]} == {"content/fagui/chufa-1.md", "content/fagui/broken.md"}
    assert "13812345678" not in report.read_text() and "13812345678" not in run.err
    assert not list((tmp_path / "o").rglob("2025-00011"))


def test_missing_site_toml_exits_2(tmp_path, cli):
    run = cli("build", "--site", tmp_path)
    assert run.code == 2 and "找不到 site.toml" in run.err


def test_bad_now_exits_2(cli):
    run = cli("build", "--site", GOLDEN_SITE, "--now", "yesterday")
    assert run.code == 2 and "--now" in run.err


def test_refuses_to_overwrite_the_site(golden_copy, cli):
    run = cli("build", "--site", golden_copy, "--out", golden_copy, "--now", NOW)
    assert run.code == 2
    assert (golden_copy / "site.toml").exists()


def test_default_out_is_dist_target_under_the_site(golden_copy, cli):
    assert cli("--site", golden_copy, "--now", NOW).code == 0
    assert (golden_copy / "dist" / "website" / "index.html").is_file()


def test_check_json(golden_copy, cli):
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 0
    assert json.loads(run.out)["errors"] == []
    (golden_copy / "content" / "fagui" / "x.md").write_text("---\ntitle: x\ncategory: 0299\n---\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 1
    errors = json.loads(run.out)["errors"]
    assert errors[0]["file"] == "content/fagui/x.md" and errors[0]["line"] == 3 and errors[0]["field"] == "category"


def test_check_catches_a_future_item_carrying_a_number(golden_copy, cli):
    future = golden_copy / "content" / "fagui" / "future.md"
    future.write_text(future.read_text() + "\n联系人 13812345678\n", encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", golden_copy / "dist" / "w").code == 0
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1 and "138****5678" in run.err


def test_unquoted_codes_keep_their_digits(golden_copy, cli, tmp_path):
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text().replace('category: "0204"', "category: 0204"), encoding="utf-8")
    report = tmp_path / "r.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--report", report).code == 0
    assert any(e["file"].endswith("xuke-3.md") and e["category"] == "0204"
               for e in json.loads(report.read_text())["published"])


def test_templates_escape_titles(tmp_path, cli):
    cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / "o")
    page = (tmp_path / "o" / "quanli" / "xuke" / "2026-00002" / "index.html").read_text()
    assert "计量器具型式批准决定 &lt;第2号&gt;" in page
    body = (tmp_path / "o" / "quanli" / "xuke" / "2026-00001" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_parallel_and_cached_builds_equal_a_serial_uncached_one(golden_copy, tmp_path, cli, monkeypatch):
    """Workers and the reuse of the previous output never change a byte."""
    from generator import workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)     # the fixture is small: fork even for it
    monkeypatch.setattr(workers, "CHUNK", 3)
    forked = []
    real = workers.render_jobs
    monkeypatch.setattr("generator.render.render_jobs", lambda jobs, *a, **k: forked.append(len(jobs)) or real(jobs, *a, **k))
    serial, fast = tmp_path / "serial", tmp_path / "fast"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", serial, "--jobs", "1", "--no-cache").code == 0
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", fast, "--jobs", "2").code == 0
    assert tree_bytes(serial) == tree_bytes(fast)
    assert forked and forked[0] >= 15
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("行政许可事项办理结果公示（第三批）", "办理结果公示（更正）"),
                    encoding="utf-8")
    for out, extra in ((serial, ("--jobs", "1", "--no-cache")), (fast, ("--jobs", "2"))):
        assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, *extra).code == 0
    assert tree_bytes(serial) == tree_bytes(fast)
    assert "办理结果公示（更正）" in (fast / "quanli" / "xuke" / "2026-00003" / "index.html").read_text()


def test_unchanged_pages_are_reused_and_edited_outputs_are_not(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    page = out / "quanli" / "xuke" / "2026-00001" / "index.html"
    inode = page.stat().st_ino
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)     # nothing changed: nothing written
    assert run.code == 0 and page.stat().st_ino == inode
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert page.stat().st_ino == inode                          # an untouched page is the same file, linked
    assert "补充" in (out / "quanli" / "xuke" / "2026-00003" / "index.html").read_text()
    page.write_text("被手工改动", encoding="utf-8")             # a hand-edited output is never trusted
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert "被手工改动" not in page.read_text()


def test_a_new_item_renders_again_only_the_pages_that_show_it(golden_copy, tmp_path, cli):
    """Category counts change with every new item; no page outside its listings, its neighbours and
    the home page may be rendered again for that (the nav's links carry no counts)."""
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    elsewhere = [out / "neiwu" / "caigou" / "2026-00013" / "index.html",
                 out / "quanli" / "xingzhengchufa" / "2025-00011" / "index.html"]
    inodes = [page.stat().st_ino for page in elsewhere]
    text = (golden_copy / "content" / "fagui" / "xuke-3.md").read_text(encoding="utf-8")
    (golden_copy / "content" / "fagui" / "xuke-9.md").write_text(
        text.replace("014000184/2026-00003", "014000184/2026-00099").replace("（第三批）", "（第九批）"),
        encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert "（第九批）" in (out / "quanli" / "xuke" / "index.html").read_text(encoding="utf-8")
    assert [page.stat().st_ino for page in elsewhere] == inodes        # the same files, linked


def test_template_edit_invalidates_the_cache(golden_copy, tmp_path, cli):
    import shutil
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    template = golden_copy / "themes" / "default" / "templates" / "item.html"
    template.write_text(template.read_text(encoding="utf-8").replace("上一篇：", "上一条："), encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert "上一条：" in (out / "quanli" / "xuke" / "2026-00001" / "index.html").read_text()


def test_pager_links_stay_few_on_long_listings():
    from generator.render import pager_links
    assert pager_links("/a/", 1, 2) == ((1, "/a/"), (2, "/a/page/2/"))
    numbers = [n for n, _ in pager_links("/a/", 50, 2693)]
    assert numbers == [1, 2, None, 47, 48, 49, 50, 51, 52, 53, None, 2692, 2693]
    assert all(len(pager_links("/a/", n, 5000)) <= 13 for n in (1, 2500, 5000))


def test_parallel_loading_equals_serial(golden_copy, tmp_path, monkeypatch):
    """Files parsed in worker processes give the same records and the same problems, in the same order."""
    from generator import workers
    from generator.config import load_config
    from generator.content import load_content
    from test_invalid_sites import CASES, materialise
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 2)
    sites = [golden_copy] + [materialise(case, tmp_path) for case in CASES if not case.startswith("config-")]
    for site in sites:
        config = load_config(site)
        serial, parallel = load_content(config, workers=1), load_content(config, workers=2)
        assert serial.items == parallel.items and serial.pages == parallel.pages, site
        assert [p.as_json() for p in serial.problems.sorted_errors()] == \
            [p.as_json() for p in parallel.problems.sorted_errors()], site
        assert serial.invalid == parallel.invalid


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_crash_while_rendering_leaves_previous_output(golden_copy, tmp_path, cli, monkeypatch, jobs):
    """Pages go to the staging folder as they are rendered: a failure half-way removes it."""
    from generator import render, workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    out = tmp_path / "out"
    cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    before = tree_bytes(out)
    real, calls = render.spill, {"n": 0}

    def failing(folder, path, data, made):
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError("disk full")
        real(folder, path, data, made)

    monkeypatch.setattr(render, "spill", failing)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache", "--jobs", jobs)
    assert run.code == 2
    assert "无法读写文件：disk full。输出文件夹保持原样。" in run.err and "Traceback" not in run.err
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_item_edited_during_the_build_stops_it(golden_copy, tmp_path, cli, monkeypatch, jobs):
    """Bodies are read again when pages are rendered (not kept in memory): a body that is no
    longer the one loaded, checked and decided on, abandons the build."""
    from generator import pipeline, workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    before = tree_bytes(out)
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    real = pipeline.build_catalogue

    def edit_then_build(*args, **kwargs):
        item.write_text(item.read_text(encoding="utf-8") + "\n新增一段。\n", encoding="utf-8")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_catalogue", edit_then_build)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--jobs", jobs, "--no-cache")
    assert run.code == 2
    assert "content/fagui/xuke-3.md:1: 文件在构建过程中被修改或删除，本次构建已放弃，输出文件夹保持原样。" in run.err
    assert "Traceback" not in run.err
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


def test_a_second_build_parses_no_file_again(golden_copy, tmp_path, cli, monkeypatch):
    """The parsed content kept on disk (in chunks) is read back whole; an edited file alone is parsed again."""
    from generator import content
    out = tmp_path / "out"
    monkeypatch.setattr(content, "SAVE_CHUNK", 3)     # several chunks even for the small fixture
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    parsed = []
    real = content._load_file
    monkeypatch.setattr(content, "_load_file", lambda config, dates, rel, *a: parsed.append(rel) or real(config, dates, rel, *a))
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    assert parsed == ["content/fagui/xuke-3.md"]
    assert "补充说明" in (out / "quanli" / "xuke" / "2026-00003" / "index.html").read_text(encoding="utf-8")
