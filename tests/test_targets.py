"""The Target interface: each output states what it adds; the pipeline asks it; themes fall back
one file at a time; an output file has one maker."""
from pathlib import Path

import pytest

from support import NOW
from generator import urls
from generator.targets import TARGETS
from generator.targets.base import Target


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_target_is_one_implementation_of_the_interface():
    assert sorted(TARGETS) == ["intranet", "kiosk", "website"]
    for name, kind in TARGETS.items():
        target = kind()
        assert isinstance(target, Target) and target.name == name
        assert set(target.writes) <= set(urls.GENERATED), name      # what it writes is reserved everywhere
    assert TARGETS["kiosk"]().explicit_index and not TARGETS["website"]().explicit_index
    assert TARGETS["website"]().feeds and not TARGETS["intranet"]().feeds
    assert TARGETS["intranet"]().audiences == ("public", "internal")
    assert TARGETS["kiosk"]().channel == "touchscreen"


def test_a_site_theme_overrides_one_file_and_keeps_the_rest(golden_copy, tmp_path, cli):
    theme = golden_copy / "themes" / "bureau"
    _write(theme / "templates" / "404.html", "<!DOCTYPE html><title>本局自己的 404</title>\n")
    _write(theme / "static" / "site.css", "body{color:#000}\n")
    config = golden_copy / "site.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("[site]\n", '[site]\ntheme = "bureau"\n', 1),
                      encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 0, run.err
    assert "本局自己的 404" in (out / "404.html").read_text(encoding="utf-8")
    assert (out / "static" / "site.css").read_text() == "body{color:#000}\n"
    assert "<h1>" in (out / "guide" / "index.html").read_text(encoding="utf-8")    # the default page.html
    assert (out / "static" / "search.js").is_file()                                # a default static file
    intranet = tmp_path / "intranet"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--target", "intranet", "--out", intranet).code == 0
    assert (intranet / "dashboard" / "index.html").is_file()        # its templates come from the default theme


def test_an_output_file_with_two_makers_is_an_error_naming_both(golden_copy, tmp_path, cli):
    from generator.config import PROJECT_THEMES
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    _write(golden_copy / "themes" / "default" / "kiosk-static" / "kiosk-index.js", "window.KIOSK_INDEX={}\n")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--target", "kiosk", "--out", tmp_path / "out")
    assert run.code == 2
    assert "static/kiosk-index.js" in run.err and "主题的 kiosk-static 文件夹" in run.err and "生成器" in run.err
    assert not (tmp_path / "out").exists()


def test_the_kiosk_keeps_images_drops_documents_and_says_where_to_get_them(golden_copy, tmp_path, cli):
    folder = golden_copy / "content" / "fagui"
    (folder / "tu.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    item = folder / "xuke-1.md"
    text = item.read_text(encoding="utf-8").replace("attachments: [xuke-1-jueding.csv]",
                                                      "attachments: [xuke-1-jueding.csv, tu.png]")
    item.write_text(text + "\n见[决定书](xuke-1-jueding.csv)与图：![现场](tu.png)\n", encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--target", "kiosk", "--out", out).code == 0
    page_dir = out / "quanli" / "xuke" / "2026-00001"
    page = (page_dir / "index.html").read_text(encoding="utf-8")
    assert not (page_dir / "xuke-1-jueding.csv").exists() and (page_dir / "tu.png").is_file()
    assert 'href="xuke-1-jueding.csv"' not in page and '<span class="offline-link">决定书</span>' in page
    assert 'src="tu.png"' in page
    assert "触摸屏不提供下载" in page and "zwgk.example.gov.cn" in page
