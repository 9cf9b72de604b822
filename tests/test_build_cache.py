"""What a build reuses from the previous one (parsed content, rendered pages) and when it must not."""
from support import NOW


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
