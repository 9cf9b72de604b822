"""Old addresses in Chromium (issue 17 §3): a changed slug and an alias lead to the item's page."""
import pytest

from support import NOW

ITEM = "content/fagui/xuke-2.md"


@pytest.fixture
def moved(golden_copy, tmp_path, cli):
    """The golden site recorded, then xuke-2 given a new slug and an alias; its website and kiosk builds."""
    assert cli("check", "--site", golden_copy, "--now", NOW, "--record-urls").code == 0
    path = golden_copy / ITEM
    path.write_text(path.read_text(encoding="utf-8").replace(
        "review: collective", "review: collective\nslug: xingshi-pizhun\naliases: [/old/xuke-2/]", 1), encoding="utf-8")
    outs = {}
    for target in ("website", "kiosk"):
        outs[target] = tmp_path / target
        assert cli("build", "--site", golden_copy, "--now", NOW, "--target", target, "--out", outs[target]).code == 0
    return outs


@pytest.mark.parametrize("old", ["quanli/xuke/2026-00002/", "quanli/xuke/2026-00002/index.html", "old/xuke-2/"])
def test_an_old_address_leads_to_the_new_page(moved, serve, page, old):
    site = serve(moved["website"])
    page.goto(site + old)
    page.wait_for_url(site + "quanli/xuke/xingshi-pizhun/")
    assert page.locator("h1").inner_text().startswith("计量器具型式批准决定")
    assert page.external_requests == []


def test_the_kiosk_shows_a_link_to_the_new_page(moved, page):
    page.goto((moved["kiosk"] / "quanli/xuke/2026-00002/index.html").as_uri())
    assert page.locator("h1").inner_text() == "页面已迁移"
    with page.expect_navigation():
        page.get_by_role("link", name="计量器具型式批准决定 <第2号>").click()
    assert page.url.endswith("/quanli/xuke/xingshi-pizhun/index.html")
    assert page.locator("h1").inner_text().startswith("计量器具型式批准决定")
