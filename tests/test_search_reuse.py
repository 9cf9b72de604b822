"""Reusing the previous output's search bundle (generator/search/bundle.py), part by part: a part
whose indexed pages are the same set with the same bytes is hard-linked from the previous pagefind/
folder instead of indexed by Pagefind; any change of one of its pages, of its set, of its files or of
the code that makes it indexes it afresh. Pagefind runs are counted through a wrapper around the
real binary."""
from __future__ import annotations

import gzip
import json
import os
import stat
import threading

import pytest

from generator import reuse as reuse_module
from generator.search import bundle as search_bundle, index as search_index, parts as search_parts
from support import NOW, tree_bytes


@pytest.fixture
def runs(tmp_path, monkeypatch):
    """The number of Pagefind runs so far (the real binary, run through a counting wrapper)."""
    real = search_bundle.pagefind_executable()
    log = tmp_path / "pagefind-runs.log"
    wrapper = tmp_path / "pagefind-counting"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(search_parts, "pagefind_executable", lambda: wrapper)
    return lambda: len(log.read_text().splitlines()) if log.exists() else 0


def build(cli, site, out, *extra):
    run = cli("build", "--site", site, "--now", NOW, "--out", out, "--quiet", *extra)
    assert run.code == 0, run.err
    return run


def inodes(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def fragment_text(out):
    import gzip
    return "".join(gzip.decompress(p.read_bytes()).decode("utf-8").replace("\u200b", "")
                   for p in sorted((out / "pagefind").glob("**/fragment/*")))      # every part's


def test_unchanged_item_pages_keep_the_previous_bundle(tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    assert runs() == 1
    before = inodes(out / "pagefind")
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")     # a fixed page: not indexed
    build(cli, golden_copy, out)
    assert runs() == 1                                    # Pagefind did not run
    assert "通过政府门户网站" in (out / "guide/index.html").read_text(encoding="utf-8")
    assert inodes(out / "pagefind") == before             # the very files, hard-linked
    fresh = tmp_path / "fresh"
    build(cli, golden_copy, fresh, "--no-cache")          # the same bundle as indexing afresh
    assert runs() == 2
    assert tree_bytes(out / "pagefind") == tree_bytes(fresh / "pagefind")


def test_item_pages_rewritten_with_the_same_bytes_keep_the_bundle(tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    (reuse_module.cache_dir(out) / "manifest.json").unlink()    # the render cache: every page is written anew
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")
    build(cli, golden_copy, out)
    assert runs() == 1


def test_a_changed_item_page_is_indexed_again(tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（更正）见下表。")
    build(cli, golden_copy, out)
    assert runs() == 2
    assert "第三批办理结果（更正）见下表" in fragment_text(out).replace(" ", "")


@pytest.mark.parametrize("parts", [1, 2])
def test_an_item_that_leaves_or_joins_is_indexed_again(parts, tmp_path, cli, golden_copy, runs, monkeypatch):
    if parts == 2:
        monkeypatch.setattr(search_parts, "part_count", lambda pages: 2)
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    assert runs() == parts
    edit(golden_copy / "content/fagui/xuke-3.md", "status: approved", "status: draft")
    build(cli, golden_copy, out)
    assert runs() == 2 if parts == 1 else runs() > 2    # in parts: its own, and its neighbours' parts
    assert "/quanli/xuke/2026-00003/" not in fragment_text(out)
    assert "第三批办理结果" not in fragment_text(out).replace(" ", "")
    edit(golden_copy / "content/fagui/xuke-3.md", "status: draft", "status: approved")
    before = runs()
    build(cli, golden_copy, out)
    assert runs() == 3 if parts == 1 else runs() > before
    assert "/quanli/xuke/2026-00003/" in fragment_text(out)


def test_a_touched_bundle_or_other_code_is_indexed_again(tmp_path, cli, golden_copy, runs, monkeypatch):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    entry = out / "pagefind" / "pagefind-entry.json"
    entry.write_text(entry.read_text(encoding="utf-8") + " ", encoding="utf-8")     # edited by hand
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")
    build(cli, golden_copy, out)
    assert runs() == 2
    json.loads(entry.read_text(encoding="utf-8"))
    monkeypatch.setattr(search_index, "recipe", lambda: "another version of the generator")
    edit(golden_copy / "content/pages/guide.md", "通过政府门户网站", "通过门户网站")
    build(cli, golden_copy, out)
    assert runs() == 3


@pytest.mark.parametrize("damage", ["not json", '{"version": 2}', "version 1", "dates", "a part"])
def test_a_damaged_manifest_only_costs_the_reuse(damage, tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    manifest = reuse_module.cache_dir(out) / search_bundle.MANIFEST
    if damage in ("version 1", "dates", "a part"):
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if damage == "version 1":           # a manifest of the earlier, whole-bundle format
            data["version"] = 1
        elif damage == "dates":
            del data["dates"]
        else:
            data["parts"][0]["pages"] = "not a list"
        damage = json.dumps(data)
    manifest.write_text(damage, encoding="utf-8")
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")
    build(cli, golden_copy, out)
    assert runs() == 2
    edit(golden_copy / "content/pages/guide.md", "通过政府门户网站", "通过门户网站")
    build(cli, golden_copy, out)            # and the manifest is whole again
    assert runs() == 2


def test_no_cache_indexes_afresh(tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")
    build(cli, golden_copy, out, "--no-cache")
    assert runs() == 2


def test_a_failed_index_after_a_change_keeps_the_previous_output_and_its_reuse(tmp_path, cli, golden_copy, runs,
                                                                               monkeypatch):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    before = tree_bytes(out)
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（更正）见下表。")
    monkeypatch.setattr(search_bundle, "stabilise", lambda bundle: 0)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 2 and "生成搜索索引失败" in run.err
    assert tree_bytes(out) == before
    monkeypatch.undo()
    monkeypatch.setattr(search_parts, "pagefind_executable", lambda: (_ for _ in ()).throw(AssertionError("ran")))
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果（更正）见下表。", "第三批办理结果见下表。")
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")
    build(cli, golden_copy, out)            # back to the indexed pages of the output: its bundle serves


def test_the_preview_folder_is_indexed_without_a_manifest(tmp_path, cli, golden_copy, runs):
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    assert search_bundle.previous_output(out) is None
    staging = tmp_path / ".w.new-abc123"
    assert search_bundle.previous_output(staging) == tmp_path / "w"
    os.rename(out / "pagefind", tmp_path / "old-bundle")
    assert search_index.index_site(out) == 5 and runs() == 2


def test_only_the_part_of_a_changed_item_is_indexed_again(tmp_path, cli, golden_copy, runs, monkeypatch):
    """In parts, a change indexes its own part again; the other part keeps
    its files, and the bundle is the one indexing afresh makes."""
    monkeypatch.setattr(search_parts, "part_count", lambda pages: 2)
    out = tmp_path / "w"
    build(cli, golden_copy, out)
    assert runs() == 2                                    # one Pagefind run per part
    parts = json.loads((reuse_module.cache_dir(out) / search_bundle.MANIFEST).read_text(encoding="utf-8"))["parts"]
    k = next(i for i, part in enumerate(parts) if "quanli/xuke/2026-00003/index.html" in part["pages"])
    before = [search_bundle.part_files(out / "pagefind", i) for i in range(2)]
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（更正）见下表。")
    build(cli, golden_copy, out)
    assert runs() == 3
    assert search_bundle.part_files(out / "pagefind", 1 - k) == before[1 - k]      # the very files
    assert search_bundle.part_files(out / "pagefind", k) != before[k]
    assert "第三批办理结果（更正）见下表" in "".join(
        gzip.decompress(p.read_bytes()).decode("utf-8") for p in (out / "pagefind" / search_bundle.part_path(k)
                                                                   / "fragment").iterdir()).replace(" ", "")
    fresh = tmp_path / "fresh"
    build(cli, golden_copy, fresh, "--no-cache")
    assert runs() == 5
    assert tree_bytes(out / "pagefind") == tree_bytes(fresh / "pagefind")
    edit(golden_copy / "content/pages/guide.md", "通过门户网站", "通过政府门户网站")     # nothing indexed changed
    build(cli, golden_copy, out)
    assert runs() == 5
    assert tree_bytes(out / "pagefind") == tree_bytes(fresh / "pagefind")


def test_parts_end_at_month_boundaries_so_a_new_item_changes_one_part():
    dated = [(f"p{n:03}", f"2025-{1 + n // 10:02}-{1 + n % 10:02}") for n in range(95)]    # ten pages a month
    parts = search_parts.split_parts(dated, 2)
    months = [{search_date[:7] for rel, search_date in dated if rel in part} for part in parts]
    assert not months[0] & months[1] and min(months[0]) > max(months[1])
    grown = search_parts.split_parts(dated + [("new", "2025-12-31")], 2)
    assert grown[1] == parts[1] and grown[0] == ["new"] + parts[0]
    lopsided = [("p0", "2026-06-01"), ("p1", "2026-06-02"), ("p2", "2026-06-03")] + \
        [(f"n{n}", "2026-05-01") for n in range(6)] + [("o", "2026-04-01")]
    assert [len(part) for part in search_parts.split_parts(lopsided, 2)] == [3, 7]     # May to the older part: nearer
    same_month = [(f"q{n}", "2026-03-01") for n in range(5)]
    assert search_parts.split_parts(same_month, 2) == [["q0", "q1", "q2"], ["q3", "q4"]]    # no boundary: equal sizes


def test_a_part_is_indexed_while_the_later_parts_are_still_read(tmp_path, golden_copy, monkeypatch):
    """Pagefind starts on part 0 as soon as its pages are read, before the pages of part 1 are; the
    bundle is the same as a build that reads every page first (one job at a time, then Pagefind)."""
    from pathlib import Path
    monkeypatch.setattr(search_parts, "part_count", lambda pages: 2)
    out = tmp_path / "w"
    build_site_folder = search_index.index_site
    from generator.cli import main
    assert main(["build", "--site", str(golden_copy), "--now", NOW, "--out", str(out), "--quiet",
                 "--no-search-index"]) == 0
    events: list = []
    real_read, real_run = search_parts.read_job, search_bundle.run_pagefind

    def read_job(job):
        events.append(("read", int(Path(job[1]).name[4:])))
        threading.Event().wait(0.1)            # reading is slow: Pagefind has time to start
        return real_read(job)

    def run_pagefind(executable, copies, bundle, expected):
        events.append(("pagefind", int(Path(copies).name[4:])))
        return real_run(executable, copies, bundle, expected)

    monkeypatch.setattr(search_parts, "read_job", read_job)
    monkeypatch.setattr(search_bundle, "run_pagefind", run_pagefind)
    assert build_site_folder(out, workers=1, reuse=False) == 5
    reads = [i for i, (kind, _) in enumerate(events) if kind == "read"]
    assert events.index(("pagefind", 0)) < reads[-1], events      # part 0 indexed while part 1 is read
    assert ("pagefind", 1) in events
    piped = tree_bytes(out / "pagefind")

    fresh = tmp_path / "fresh"
    assert main(["build", "--site", str(golden_copy), "--now", NOW, "--out", str(fresh), "--quiet", "--no-cache"]) == 0
    assert tree_bytes(fresh / "pagefind") == piped
