"""What a visitor sees on the website build of the golden site."""
import pytest

from support import GOLDEN_SITE, NOW
from support import screenshot


@pytest.fixture
def site(tmp_path, cli, serve):
    out = tmp_path / "website"
    assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", out).code == 0
    return serve(out)


def test_browse_from_home_to_an_item(site, page):
    page.goto(site)
    assert page.title() == "示例市质量技术监督局 政府信息公开"
    tree = page.locator(".tree")
    assert "行政许可 (3)" in tree.inner_text()
    with page.expect_navigation():
        tree.get_by_role("link", name="行政许可").click()
    assert page.locator("h1").inner_text().startswith("行政许可")
    links = page.locator("ol.items > li > a")
    assert links.count() == 2                                # per_page = 2 in the fixture
    with page.expect_navigation():
        page.get_by_role("link", name="下一页").click()
    assert page.url.endswith("/quanli/xuke/page/2/")
    assert page.locator("ol.items > li > a").count() == 1
    with page.expect_navigation():
        page.locator("ol.items > li > a").first.click()
    meta = page.locator("table.meta")
    for label in ("索引号", "目录分类", "发布机构", "成文日期", "发布日期", "文号", "有效性", "公开范围"):
        assert meta.get_by_role("rowheader", name=label).is_visible()
    assert "014000184/2026-00001" in meta.inner_text()
    assert page.locator(".body table th").first.get_attribute("scope") == "col"
    assert page.get_by_role("link", name="意见反馈").get_attribute("href").startswith("mailto:zwgk@example.gov.cn?subject=")
    screenshot(page, "website-item-1280")
    assert page.external_requests == []


def test_escaped_title_and_inert_script(site, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(site + "quanli/xuke/2026-00001/")
    assert "<script>alert(1)</script>" in page.locator(".body").inner_text()
    page.goto(site + "quanli/xuke/2026-00002/")
    assert page.locator("h1").inner_text() == "计量器具型式批准决定 <第2号>"
    assert dialogs == []


def test_skip_link_and_keyboard(site, page):
    page.goto(site)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_phone_layout_has_no_horizontal_scroll(site, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    pg = context.new_page()
    pg.goto(site + "quanli/xuke/2026-00001/")
    assert pg.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(pg, "website-item-390")
    context.close()


def test_404_links_home_under_base_url(site, page):
    page.goto(site + "404.html")
    assert page.get_by_role("link", name="返回政府信息公开目录首页").get_attribute("href") == "https://zwgk.example.gov.cn/zj/"
