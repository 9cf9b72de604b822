"""The search index made apart from the build (generator/search/parts.py, command_line.py): a build
with --no-search-index, then `search-index` in one go, or shard by shard (one CI matrix job each)
and assembled. The assembled bundle is byte-for-byte the bundle `build` makes; parts made from
other pages, by other code, missing or twice are refused with a plain message."""
from __future__ import annotations

import json

import pytest

from generator.search import parts as search_parts
from support import NOW, tree_bytes

PARTS = 3


@pytest.fixture
def in_parts(monkeypatch):
    monkeypatch.setattr(search_parts, "part_count", lambda pages: PARTS)


def build(cli, site, out, *extra):
    run = cli("build", "--site", site, "--now", NOW, "--out", out, "--quiet", *extra)
    assert run.code == 0, run.err
    return run


def test_shards_assembled_are_the_bundle_a_build_makes(tmp_path, cli, golden_copy, in_parts):
    whole, apart = tmp_path / "whole", tmp_path / "apart"
    build(cli, golden_copy, whole)
    build(cli, golden_copy, apart, "--no-search-index")
    assert not (apart / "pagefind").exists() and (apart / "search" / "index.html").is_file()
    counted = cli("search-index", apart, "--parts")
    assert counted.code == 0 and counted.out.strip() == str(PARTS)
    for shard in (1, 2):                                   # two matrix jobs for three parts: 0 and 2, then 1
        run = cli("search-index", apart, "--shard", f"{shard}/2", "--into", tmp_path / f"s{shard}", "--quiet")
        assert run.code == 0, run.err
    assert sorted(p.name for p in (tmp_path / "s1").iterdir()) == ["part0", "part0.json", "part2", "part2.json"]
    assert sorted(p.name for p in (tmp_path / "s2").iterdir()) == ["part1", "part1.json"]
    run = cli("search-index", apart, "--assemble", tmp_path / "s1", tmp_path / "s2")
    assert run.code == 0, run.err
    assert tree_bytes(apart / "pagefind") == tree_bytes(whole / "pagefind")
    assert json.loads((apart / "pagefind" / "parts.json").read_text())["parts"] == ["", "part1/", "part2/"]


def test_search_index_in_one_go_is_the_same_bundle(tmp_path, cli, golden_copy, in_parts):
    whole, apart = tmp_path / "whole", tmp_path / "apart"
    build(cli, golden_copy, whole)
    build(cli, golden_copy, apart, "--no-search-index")
    assert cli("search-index", apart, "--quiet").code == 0
    assert tree_bytes(apart / "pagefind") == tree_bytes(whole / "pagefind")
    again = cli("search-index", apart)
    assert again.code != 0 and "已有搜索索引" in again.err


def test_missing_stale_foreign_and_doubled_shards_are_refused(tmp_path, cli, golden_copy, in_parts, monkeypatch):
    apart = tmp_path / "apart"
    build(cli, golden_copy, apart, "--no-search-index")
    for shard in (1, 2):
        assert cli("search-index", apart, "--shard", f"{shard}/2", "--into", tmp_path / f"s{shard}", "--quiet").code == 0

    missing = cli("search-index", apart, "--assemble", tmp_path / "s1")
    assert missing.code != 0 and "缺少搜索索引的第 1 部分（共 3 部分）" in missing.err
    assert not (apart / "pagefind").exists()

    doubled = cli("search-index", apart, "--assemble", tmp_path / "s1", tmp_path / "s2", tmp_path / "s2")
    assert doubled.code != 0 and "第 1 部分出现了两次" in doubled.err

    page = next(p for p in sorted(apart.rglob("index.html")) if b"data-pagefind-body" in p.read_bytes())
    original = page.read_bytes()
    page.write_bytes(original.replace(b"</h1>", b"</h1><p>changed after the shards were made</p>", 1))
    stale = cli("search-index", apart, "--assemble", tmp_path / "s1", tmp_path / "s2")
    assert stale.code != 0 and "不是由这个输出文件夹的页面生成的" in stale.err
    page.write_bytes(original)

    monkeypatch.setattr(search_parts, "recipe", lambda: "another version of the generator")
    foreign = cli("search-index", apart, "--assemble", tmp_path / "s1", tmp_path / "s2")
    assert foreign.code != 0 and "另一版本的生成器" in foreign.err
    assert not (apart / "pagefind").exists()


def test_search_index_needs_a_searchable_output(tmp_path, cli, golden_copy):
    plain = tmp_path / "plain"
    plain.mkdir()
    run = cli("search-index", plain, "--parts")
    assert run.code != 0 and "不是构建输出文件夹" in run.err
    kiosk = tmp_path / "kiosk"
    build(cli, golden_copy, kiosk, "--target", "kiosk")
    run = cli("search-index", kiosk, "--parts")
    assert run.code != 0 and "没有搜索页" in run.err
    run = cli("search-index", kiosk, "--shard", "3/2", "--into", tmp_path / "s")
    assert run.code != 0
    website = tmp_path / "website"
    build(cli, golden_copy, website, "--no-search-index")
    inside = cli("search-index", website, "--shard", "1/1", "--into", website / "shard")
    assert inside.code != 0 and "会被一同发布" in inside.err and not (website / "shard").exists()


def test_parts_are_bounded_in_pages(monkeypatch):
    """Parts of about PART_PAGES pages (a cut moves to a month boundary), so Pagefind's memory per run is bounded at any size."""
    monkeypatch.setattr(search_parts, "PART_PAGES", 4)
    dated = [(f"p{i:02}", f"20{10 + i // 6}-0{1 + i % 6}-01") for i in range(30)]
    parts = search_parts.split_parts(dated, search_parts.part_count(len(dated)))
    assert len(parts) == 8 and sum(map(len, parts)) == 30
    assert max(map(len, parts)) <= 4
    # Pagefind takes about 128 KB a page of the copies: four parts of 4,000 pages fit in 2 GiB, not five
    assert search_parts.runs_at_once([1650] * 5, 2) == 2 and search_parts.runs_at_once([4000, 3900], 8) == 4
    assert search_parts.runs_at_once([100], 1) == 1 and search_parts.runs_at_once([5000], 8) == 3


def test_deploy_refuses_an_output_whose_index_is_not_made_yet(tmp_path, cli, golden_copy):
    from generator.deploy import commands
    from generator.deploy.errors import DeployError
    apart = tmp_path / "apart"
    build(cli, golden_copy, apart, "--no-search-index", "--report", tmp_path / "apart.report.json")
    with pytest.raises(DeployError, match="没有搜索索引"):
        commands.read_report(apart, tmp_path / "apart.report.json", "website")
    assert cli("search-index", apart, "--quiet").code == 0
    assert commands.read_report(apart, tmp_path / "apart.report.json", "website")["target"] == "website"


def test_a_shard_holding_a_link_or_lacking_its_folder_is_refused(tmp_path, cli, golden_copy, in_parts):
    """A symlink in a shard's folder would copy whatever it points at into the published index."""
    apart = tmp_path / "apart"
    build(cli, golden_copy, apart, "--no-search-index")
    assert cli("search-index", apart, "--shard", "1/1", "--into", tmp_path / "s", "--quiet").code == 0
    secret = tmp_path / "secret.txt"
    secret.write_text("build machine's private file")
    (tmp_path / "s" / "part1" / "fragment" / "leak.pf_fragment").symlink_to(secret)
    linked = cli("search-index", apart, "--assemble", tmp_path / "s")
    assert linked.code != 0 and "符号链接" in linked.err and "Traceback" not in linked.err
    assert not (apart / "pagefind").exists()
    (tmp_path / "s" / "part1" / "fragment" / "leak.pf_fragment").unlink()
    import shutil
    shutil.rmtree(tmp_path / "s" / "part2")
    lacking = cli("search-index", apart, "--assemble", tmp_path / "s")
    assert lacking.code != 0 and "不完整" in lacking.err and "Traceback" not in lacking.err
