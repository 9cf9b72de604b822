"""What a visitor sees on the website build of the golden site."""
import re

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
    labels = ["索引号", "目录分类", "发布机构", "成文日期", "发布日期", "文号", "名称", "主题词", "内容概述", "有效性",
              "责任部门", "更新日期"]                          # the national order, then the 科室 (公开范围: intranet only)
    assert meta.get_by_role("rowheader").all_inner_texts() == labels
    for label in labels:
        assert meta.get_by_role("rowheader", name=label, exact=True).is_visible()
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


ZHUANLAN = ["政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "依申请公开"]


def test_zhuanlan_entries_are_visible_and_reachable(site, page):
    """The 政府信息公开专栏 (site.toml [[columns]]) is every page's main navigation, and each entry opens its page."""
    page.goto(site)
    nav = page.get_by_role("navigation", name="政府信息公开专栏")
    assert nav.get_by_role("link").all_inner_texts() == ZHUANLAN
    for link in nav.get_by_role("link").all():
        assert link.is_visible()
    cards = page.locator(".zhuanlan-cards")
    assert cards.get_by_role("heading", name="政府信息公开年报").is_visible()
    screenshot(page, "website-zhuanlan-home-1280")
    expected = {"政府信息公开指南": ("guide/", "政府信息公开指南"), "政府信息公开制度": ("zhuanlan/zhidu/", "政府信息公开制度"),
                "法定主动公开内容": ("", "政府信息公开目录"), "政府信息公开年报": ("zhuanlan/nianbao/", "政府信息公开年报"),
                "依申请公开": ("zhuanlan/yishenqinggongkai/", "依申请公开")}
    for title in ZHUANLAN:
        page.goto(site + "sitemap/")
        with page.expect_navigation():
            page.get_by_role("navigation", name="政府信息公开专栏").get_by_role("link", name=title, exact=True).click()
        path, heading = expected[title]
        assert page.url == site + path
        assert page.locator("h1").inner_text() == heading
        current = page.get_by_role("navigation", name="政府信息公开专栏").locator('[aria-current="page"]')
        assert current.all_inner_texts() == [title]
    page.goto(site + "zhuanlan/zhidu/")
    assert page.locator("main").get_by_text("暂无内容。").is_visible()
    assert page.external_requests == []


def test_sitemap_and_contact_pages_from_the_footer(site, page):
    page.goto(site + "quanli/xuke/2026-00001/")
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="网站地图").click()
    assert page.locator("h1").inner_text() == "网站地图"
    for name in ("行政许可", "行政处罚", "政府采购", "法规处", "办公室", "政府信息公开指南", "政府信息公开年报"):
        assert page.locator("main").get_by_role("link", name=name, exact=True).first.is_visible(), name
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="行政处罚", exact=True).click()
    assert page.locator("h1").inner_text().startswith("行政处罚")
    with page.expect_navigation():
        page.locator("footer").get_by_role("link", name="联系我们").click()
    assert page.locator("h1").inner_text() == "联系我们"
    assert page.get_by_role("rowheader", name="通讯地址").is_visible()
    police = page.locator("footer").get_by_role("link", name=re.compile("苏公网安备"))
    assert police.get_attribute("href") == "https://beian.mps.gov.cn/#/query/webSearch?code=32120002000000"
    assert page.evaluate("document.querySelector('.police img').naturalWidth") > 0      # the local icon loads
    badge = page.locator(".gov-badge img").bounding_box()
    width = page.evaluate("document.documentElement.clientWidth")
    assert abs(badge["x"] + badge["width"] / 2 - width / 2) < 4                     # 党政机关网站标识 at the centre
    screenshot(page, "website-contact-1280")
    assert page.external_requests == []
