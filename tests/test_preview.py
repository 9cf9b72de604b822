"""The preview's incremental rebuilds: what is re-read and re-rendered for each kind of edit
(Hugo's rebuild tests assert render counts), held-back badges, and the last good output kept."""
import http.client
import threading
from datetime import datetime
from pathlib import Path

import pytest

from support import NOW

from generator.preview import PreviewSite
from generator.serve import make_server, resolve

MOMENT = datetime.fromisoformat(NOW)


@pytest.fixture
def site(golden_copy):
    preview = PreviewSite(golden_copy, "website", MOMENT)
    first = preview.rebuild()
    assert first.ok and first.rendered > 10
    return preview


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_no_change_renders_nothing(site):
    stats = site.rebuild()
    assert (stats.reloaded, stats.rendered) == (0, 0)


def test_body_edit_rerenders_only_that_item(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（已更正）见下表。")
    stats = site.rebuild()
    assert (stats.reloaded, stats.rendered) == (1, 1)
    page = site.snapshot.output.files["quanli/xuke/2026-00003/index.html"].decode()
    assert "已更正" in page


def test_title_edit_rerenders_the_item_its_neighbours_and_listings(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "行政许可事项办理结果公示（第三批）", "行政许可事项办理结果公示（第三批·更正）")
    stats = site.rebuild()
    files = site.snapshot.output.files
    # the item; its neighbours in 行政许可 (上一篇/下一篇 show the title: the preview lists held-back
    # items too, so the newer one is the future item 2026-00007); the listings that show it: home
    # (最新公开), /quanli/xuke/ page 1, /quanli/ page 1, /departments/fagui/ page 1
    assert sorted(stats.urls) == sorted([
        "/quanli/xuke/2026-00003/", "/quanli/xuke/2026-00007/", "/quanli/xuke/2026-00002/", "/",
        "/quanli/xuke/", "/quanli/", "/departments/fagui/"])
    for url in stats.urls:
        path = url.lstrip("/") + "index.html"
        assert "第三批·更正" in files[path].decode(), path


def test_template_edit_rerenders_everything(site, golden_copy):
    total = len([p for p in site.snapshot.output.files if p.endswith(".html")])
    theme = golden_copy / "themes" / "default" / "templates"
    theme.parent.parent.mkdir(exist_ok=True)
    import shutil
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    site.rebuild(config_changed=True)           # the site now has its own theme folder
    edit(theme / "404.html", "页面不存在", "页面不存在或已删除")
    stats = site.rebuild()
    assert stats.reloaded == 0
    assert stats.rendered >= total - 1          # every page whose HTML comes from templates
    assert "已删除" in site.snapshot.output.files["404.html"].decode()


def test_config_change_rerenders_everything(site, golden_copy):
    edit(golden_copy / "site.toml", 'title = "示例市质量技术监督局 政府信息公开"', 'title = "示例市局 政府信息公开"')
    stats = site.rebuild(config_changed=True)
    assert stats.reloaded > 10 and stats.rendered >= 20
    assert "示例市局 政府信息公开" in site.snapshot.output.files["index.html"].decode()


def test_held_back_items_are_badged_and_as_published_is_the_real_build(site, golden_copy):
    files = site.snapshot.output.files
    draft = files["quanli/xuke/draft/index.html"].decode()      # no 索引号: the file name is its slug
    assert "预览：正式构建不会发布此条目（草稿）" in draft
    future = [v.decode() for v in files.values() if "定时发布 2026-12-01 00:00" in v.decode()]
    assert future
    listings = "".join(v.decode() for k, v in files.items() if k.startswith(("quanli/xuke/index", "quanli/xuke/page/")))
    assert '<span class="badge badge-held">草稿</span>' in listings
    assert '<span class="badge badge-held">定时发布 2026-12-01 00:00</span>' in listings
    real = PreviewSite(golden_copy, "website", MOMENT, as_published=True)
    real.rebuild()
    assert not any("留痕标记" in v.decode("utf-8", "replace") for v in real.snapshot.output.files.values())


def test_a_broken_file_keeps_the_last_good_output(site, golden_copy):
    good = dict(site.snapshot.output.files)
    edit(golden_copy / "content/fagui/xuke-3.md", "status: approved", "status: [approved")
    stats = site.rebuild()
    assert not stats.ok
    assert site.snapshot.output.files == good
    assert site.status()["errors"][0]["text"].startswith("content/fagui/xuke-3.md:5: YAML 格式错误：方括号 [ 没有闭合")
    edit(golden_copy / "content/fagui/xuke-3.md", "status: [approved", "status: approved")
    assert site.rebuild().ok and site.status()["errors"] == []


def test_privacy_hit_is_badged_with_the_masked_number_only(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "联系人 13812345678。")
    site.rebuild()
    page = site.snapshot.output.files["quanli/xuke/2026-00003/index.html"].decode()
    assert "隐私检查未通过：138****5678" in page
    assert site.status()["errors"][0]["field"] == "body"
    assert "13812345678" not in str(site.status())


@pytest.mark.parametrize("raw,expected", [
    ("/", ""), ("/quanli/xuke/", "quanli/xuke/"), ("/static/site.css?v=1", "static/site.css"),
    ("/../etc/passwd", None), ("/%2e%2e/%2e%2e/etc/passwd", None), ("/quanli/..%2f..%2fsite.toml", None),
    ("/a/./b", None), ("/x%5c..%5cy", None), ("/%00", None),
])
def test_resolve_refuses_climbing(raw, expected):
    assert resolve(raw) == expected


def test_server_listens_on_loopback_and_serves_types(site):
    server = make_server(site, "127.0.0.1", 0)
    assert server.server_address[0] == "127.0.0.1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        status, ctype, body = get("/quanli/xuke/2026-00001/")
        assert status == 200 and ctype == "text/html; charset=utf-8" and b"/__preview/live.js" in body
        assert get("/static/site.css")[1] == "text/css; charset=utf-8"
        assert get("/quanli/xuke/2026-00001/xuke-1-jueding.csv")[0] == 200
        assert get("/../site.toml")[0] == 404 and get("/%2e%2e/site.toml")[0] == 404
        assert get("/quanli")[0] == 301
    finally:
        server.shutdown()
        server.server_close()
