"""The kiosk picks up a release switched by kiosk-sync at its next idle return: Chromium opens an item
page of release A through DIR/current (file://), kiosk-sync switches current to B, the idle timer
(Playwright's clock) sends the page home, and the home page is B's."""
import shutil

import pytest

from support import GOLDEN_SITE, NOW, ROOT

from generator.cli import main

OVERLAY = ROOT / "tests" / "fixtures" / "kiosk_overlay"
LATER = "2027-06-01T08:00:00+08:00"
IDLE = 5


@pytest.fixture(scope="module")
def kiosk_bundles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-sync-browser")
    site = folder / "site"
    shutil.copytree(GOLDEN_SITE, site)
    shutil.copytree(OVERLAY / "content", site / "content", dirs_exist_ok=True)
    made = []
    for name, now in (("a.tar.gz", NOW), ("b.tar.gz", LATER)):
        out = folder / name
        assert main(["bundle", "--site", str(site), "--target", "kiosk", "--now", now, "--out", str(out), "-q"]) == 0
        made.append(out)
    return folder, made


def open_screen(browser):
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True, locale="zh-CN",
                                  service_workers="block")
    left = []

    def route(r):
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            left.append(r.request.url)
            r.abort()
    context.route("**/*", route)
    context.add_init_script(f"window.KIOSK_IDLE_SECONDS = {IDLE};")
    page = context.new_page()
    page.errors, page.left = [], left
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.clock.install(time="2026-11-27T09:00:00+08:00")
    return context, page


def test_idle_return_loads_the_switched_release(kiosk_bundles, browser, tmp_path, capsys):
    folder, (a, b) = kiosk_bundles
    kiosk = tmp_path / "kiosk"
    assert main(["kiosk-sync", "--from", str(a), "--to", str(kiosk)]) == 0
    context, page = open_screen(browser)
    try:
        item = kiosk / "current" / "quanli" / "xuke" / "2026-00001" / "index.html"
        page.goto(item.as_uri())
        assert page.locator("#kiosk-version").inner_text() == "内容更新于 2026-11-26 08:00"
        page.locator("body").tap()                                   # someone is using it

        capsys.readouterr()
        assert main(["kiosk-sync", "--from", str(b), "--to", str(kiosk)]) == 0
        assert "下次无人操作回到首页" in capsys.readouterr().out
        # still A's page on screen until the idle return
        assert page.locator("#kiosk-version").inner_text() == "内容更新于 2026-11-26 08:00"

        with page.expect_navigation():
            page.clock.fast_forward((IDLE + 1) * 1000)
        assert page.url == (kiosk / "current" / "index.html").as_uri()
        assert page.locator("body").get_attribute("data-page") == "home"
        assert page.locator("#kiosk-version").inner_text() == "内容更新于 2027-06-01 08:00"
        assert page.errors == [] and page.left == []
    finally:
        context.close()


def test_the_home_screen_reloads_at_idle_only_when_current_was_switched(kiosk_bundles, browser, tmp_path):
    folder, (a, b) = kiosk_bundles
    kiosk = tmp_path / "kiosk"
    assert main(["kiosk-sync", "--from", str(a), "--to", str(kiosk)]) == 0
    context, page = open_screen(browser)
    try:
        page.goto((kiosk / "current" / "index.html").as_uri())
        assert page.locator("#kiosk-version").inner_text() == "内容更新于 2026-11-26 08:00"
        page.evaluate("window.sameDocument = true")
        page.clock.fast_forward((IDLE + 1) * 1000)                   # idle, nothing switched: no reload
        page.wait_for_timeout(500)
        assert page.evaluate("window.sameDocument") is True
        assert page.evaluate("window.KIOSK_CONFIG.built_label") == "2026-11-26 08:00"

        assert main(["kiosk-sync", "--from", str(b), "--to", str(kiosk)]) == 0
        with page.expect_navigation():
            page.clock.fast_forward((IDLE + 1) * 1000)
        assert page.evaluate("window.sameDocument") is None
        assert page.url == (kiosk / "current" / "index.html").as_uri()
        assert page.locator("#kiosk-version").inner_text() == "内容更新于 2027-06-01 08:00"
        assert page.errors == [] and page.left == []
    finally:
        context.close()
