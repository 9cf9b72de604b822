"""The preview server as an editor uses it: edit, save, see; break, see the overlay; fix."""
import threading
from datetime import datetime

import pytest

from support import NOW, screenshot

from generator.preview import PreviewSite
from generator.serve import make_server, watch


@pytest.fixture
def preview(golden_copy):
    def start(as_published=False):
        site = PreviewSite(golden_copy.resolve(), "website", datetime.fromisoformat(NOW), as_published)
        site.rebuild()
        observer = watch(site)
        server = make_server(site, "127.0.0.1", 0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append((server, observer))
        return f"http://127.0.0.1:{server.server_address[1]}/"
    started = []
    yield start
    for server, observer in started:
        server.closing = True
        observer.stop()
        server.shutdown()
        server.server_close()


def test_edit_reload_overlay_and_recovery(preview, golden_copy, page):
    base = preview()
    page.goto(base + "quanli/xuke/2026-00003/")
    assert "第三批办理结果见下表" in page.locator(".body").inner_text()
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    text = item.read_text(encoding="utf-8")

    with page.expect_navigation(timeout=10000):          # the live-reload script reloads the page
        item.write_text(text.replace("第三批办理结果见下表。", "第三批办理结果已更新。"), encoding="utf-8")
    page.wait_for_load_state()
    assert "第三批办理结果已更新" in page.locator(".body").inner_text()

    item.write_text(text.replace("status: approved", "status: [approved"), encoding="utf-8")
    overlay = page.locator("#zwgk-preview-overlay")
    overlay.wait_for(state="visible", timeout=10000)
    assert "content/fagui/xuke-3.md:5" in overlay.inner_text()
    assert "第三批办理结果已更新" in page.locator(".body").inner_text()      # the last good page stays
    page.reload()                                                            # and survives a reload
    overlay.wait_for(state="visible", timeout=10000)
    screenshot(page, "preview-error-overlay")

    with page.expect_navigation(timeout=10000):
        item.write_text(text, encoding="utf-8")
    page.wait_for_load_state()
    page.wait_for_timeout(300)
    assert page.locator("#zwgk-preview-overlay").count() == 0
    assert "第三批办理结果见下表" in page.locator(".body").inner_text()


def test_draft_badge_in_preview_not_as_published(preview, page):
    base = preview()
    page.goto(base + "quanli/xuke/draft/")
    banner = page.locator(".held-banner")
    assert banner.is_visible() and "草稿" in banner.inner_text()
    screenshot(page, "preview-draft-banner")
    published = preview(as_published=True)
    response = page.goto(published + "quanli/xuke/draft/")
    assert response.status == 404
    page.goto(published + "quanli/xuke/")
    assert page.locator(".badge-held").count() == 0
    assert "草稿条目" not in page.content()


def test_search_works_in_preview_after_background_indexing(golden_copy, page, tmp_path):
    """The index is built in the background; once ready, the search page finds an edited item."""
    from generator.preview import SearchIndexer
    site = PreviewSite(golden_copy.resolve(), "website", datetime.fromisoformat(NOW))
    site.rebuild()
    search = SearchIndexer(site, tmp_path / "scratch")
    search.schedule(site.snapshot)
    server = make_server(site, "127.0.0.1", 0, search)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for _ in range(300):
            if search.ready is not None:
                break
            page.wait_for_timeout(100)
        assert search.ready is not None
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/search/")
        results = page.evaluate("window.siteSearch('起重机械').then(r => r.map(x => x.url))")
        assert "/quanli/xuke/2026-00001/" in results
    finally:
        search.stop()
        server.shutdown()
        server.server_close()


RECURSIVE_TEMPLATE = "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"


def test_broken_at_start_shows_the_overlay_then_the_page_once_fixed(preview, golden_copy, page):
    """A template that recurses without end (an exception the build does not expect) from the start:
    the preview starts, the browser shows the overlay in Chinese, and the page once it is fixed."""
    import shutil
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    template = golden_copy / "themes/default/templates/item.html"
    good = template.read_text(encoding="utf-8")
    template.write_text(RECURSIVE_TEMPLATE + good, encoding="utf-8")
    base = preview()
    response = page.goto(base + "quanli/xuke/2026-00003/")
    assert response.status == 404                                  # nothing was ever built
    overlay = page.locator("#zwgk-preview-overlay")
    overlay.wait_for(state="visible", timeout=10000)
    text = overlay.inner_text()
    assert "themes/default/templates/item.html" in text and "递归" in text and "Traceback" not in text
    assert "还没有成功生成的页面" in page.locator("h1").inner_text()
    screenshot(page, "preview-broken-at-start")
    with page.expect_navigation(timeout=10000):
        template.write_text(good, encoding="utf-8")
    page.wait_for_load_state()
    assert "第三批办理结果见下表" in page.locator(".body").inner_text()
    page.wait_for_timeout(300)
    assert page.locator("#zwgk-preview-overlay").count() == 0


def test_a_build_while_the_page_loads_is_not_missed(preview, golden_copy, page):
    """The event stream only tells of builds after it connects: a page from before a rebuild
    whose stream connects after it compares its build with the status, and reloads."""
    import json
    import time
    import urllib.request
    base = preview()
    url = base + "quanli/xuke/2026-00003/"
    stale = urllib.request.urlopen(url, timeout=5).read()
    version = json.load(urllib.request.urlopen(base + "__preview/status", timeout=5))["version"]
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    text = item.read_text(encoding="utf-8")
    item.write_text(text.replace("第三批办理结果见下表。", "第三批办理结果已更新。"), encoding="utf-8")
    deadline = time.monotonic() + 10
    while json.load(urllib.request.urlopen(base + "__preview/status", timeout=5))["version"] == version:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    # the browser gets the page as it was before the rebuild (once); its stream connects after it
    page.route(url, lambda route: route.fulfill(status=200, body=stale, content_type="text/html; charset=utf-8"),
               times=1)
    page.goto(url)
    page.wait_for_function("document.querySelector('.body') && "
                           "document.querySelector('.body').innerText.includes('第三批办理结果已更新')", timeout=10000)


def test_another_site_cannot_load_the_kiosk_index_from_the_preview(golden_copy, serve, page, tmp_path):
    """A page on another site (here http://localhost:…, another site than 127.0.0.1) includes the
    preview's kiosk index as a script: it must not get window.KIOSK_INDEX (held-back items)."""
    site = PreviewSite(golden_copy.resolve(), "kiosk", datetime.fromisoformat(NOW))
    assert site.rebuild().ok
    server = make_server(site, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        preview_base = f"http://127.0.0.1:{server.server_address[1]}/"
        evil = tmp_path / "evil"
        evil.mkdir()
        (evil / "index.html").write_text(
            f'<!doctype html><meta charset="utf-8"><script src="{preview_base}static/kiosk-index.js"></script>'
            '<script>document.title = typeof window.KIOSK_INDEX;</script>', encoding="utf-8")
        evil_base = serve(evil).replace("127.0.0.1", "localhost")
        page.goto(evil_base + "index.html")
        assert page.title() == "undefined"
        page.goto(preview_base + "static/kiosk-index.js")           # opened directly: fine
        assert "KIOSK_INDEX" in page.content()
    finally:
        server.closing = True
        server.shutdown()
        server.server_close()
