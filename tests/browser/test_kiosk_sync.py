"""The kiosk picks up a release switched by kiosk-sync at its next idle return: Chromium opens an item
page of release A through DIR/current (file://), kiosk-sync switches current to B, the idle timer
(Playwright's clock) sends the page home, and the home page is B's."""

import pytest

from support import LATER, NOW, kiosk_site

from generator.cli import main

IDLE = 5


@pytest.fixture(scope="module")
def kiosk_bundles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-sync-browser")
    site = folder / "site"
    kiosk_site(site)
    made = []
    for name, now in (("a.tar.gz", NOW), ("b.tar.gz", LATER)):
        out = folder / name
        assert main(["bundle", "--site", str(site), "--target", "kiosk", "--now", now, "--out", str(out), "-q"]) == 0
        made.append(out)
    return folder, made


def open_screen(screen):
    """A kiosk screen whose idle return comes after IDLE seconds, its clock in our hands."""
    page = screen(idle_seconds=IDLE)
    page.clock.install(time="2026-11-27T09:00:00+08:00")
    return page


def test_idle_return_loads_the_switched_release(kiosk_bundles, screen, tmp_path, capsys):
    folder, (a, b) = kiosk_bundles
    kiosk = tmp_path / "kiosk"
    assert main(["kiosk-sync", "--from", str(a), "--to", str(kiosk)]) == 0
    page = open_screen(screen)
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


def test_the_home_screen_reloads_at_idle_only_when_current_was_switched(kiosk_bundles, screen, tmp_path):
    folder, (a, b) = kiosk_bundles
    kiosk = tmp_path / "kiosk"
    assert main(["kiosk-sync", "--from", str(a), "--to", str(kiosk)]) == 0
    page = open_screen(screen)
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
