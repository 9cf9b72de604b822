"""The output folder: under the site by default, never the site itself, and replaced all at once or not
at all — a failed check, a crash while writing or rendering, or an item edited mid-build leave it as it was."""
import pytest

from support import NOW, tree_bytes
from generator import output as output_module


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
    real = output_module._write

    def failing(path, data, made):
        calls["n"] += 1
        if calls["n"] == 1:     # (pages and feeds go to the staging folder as they are made: few files are left)
            raise OSError("disk full")
        real(path, data, made)

    monkeypatch.setattr(output_module, "_write", failing)
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache").code == 2
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_crash_while_rendering_leaves_previous_output(golden_copy, tmp_path, cli, monkeypatch, jobs):
    """Pages go to the staging folder as they are rendered: a failure half-way removes it."""
    from generator import output, render, workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    out = tmp_path / "out"
    cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    before = tree_bytes(out)
    real, calls = output.spill, {"n": 0}

    def failing(folder, path, data, made):
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError("disk full")
        real(folder, path, data, made)

    monkeypatch.setattr(render, "spill", failing)      # the renderer's name for output.spill
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache", "--jobs", jobs)
    assert run.code == 2
    assert "无法读写文件：disk full。输出文件夹保持原样。" in run.err and "Traceback" not in run.err
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_feed_that_cannot_be_written_leaves_previous_output(golden_copy, tmp_path, cli, monkeypatch, jobs):
    """The feeds, sitemap and catalogue.json go into the staging folder while the workers render: a
    failure there is the build's failure, with the same message, and the output is left as it was."""
    from generator import output, render, workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    out = tmp_path / "out"
    cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    before = tree_bytes(out)
    real, failed = output.spill, []

    def failing(folder, path, data, made):
        if path == "catalogue.json":
            failed.append(path)
            raise OSError("disk full")
        real(folder, path, data, made)

    monkeypatch.setattr(render, "spill", failing)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--no-cache", "--jobs", jobs)
    assert failed and run.code == 2
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


def test_refuses_to_overwrite_the_site(golden_copy, cli):
    run = cli("build", "--site", golden_copy, "--out", golden_copy, "--now", NOW)
    assert run.code == 2
    assert (golden_copy / "site.toml").exists()


def test_default_out_is_dist_target_under_the_site(golden_copy, cli):
    assert cli("--site", golden_copy, "--now", NOW).code == 0
    assert (golden_copy / "dist" / "website" / "index.html").is_file()
