"""The kiosk opened as a touchscreen would: file://…/index.html, 1080×1920 portrait, touch, no network.

Every request that is not file: is blocked and recorded (context.route plus a request listener);
each test ends by asserting that none was made. Screenshots of the 1080×1920 screen go to test-artifacts/.
"""
import re

import pytest

from support import ARTIFACTS, NOW, kiosk_site

from generator.cli import main



@pytest.fixture(scope="module")
def kiosk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-browser")
    site = folder / "site"
    kiosk_site(site)
    out = folder / "kiosk"
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW, "--out", str(out), "--quiet"]) == 0
    return out


def screenshot(page, name: str):
    """What the 1080×1920 screen shows (support.screenshot takes the full page, which would draw the
    fixed toolbar in the middle of a long page)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


def home_url(kiosk) -> str:
    return (kiosk / "index.html").as_uri()


def tap_and_wait(page, locator):
    with page.expect_navigation():
        locator.tap()


def finish(page):
    assert page.left == [], page.left
    assert page.errors == []


def type_keys(page, keys: str):
    for key in keys:
        page.locator(f'#keyboard [data-key="{key}"]').tap()


def results(page):
    return page.locator("#results a .row-title").all_inner_texts()


SIZE_RULES = """() => {
  const small = [], tiny = [];
  const visible = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'; };
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e)) continue;
    const hasText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (hasText && parseFloat(getComputedStyle(e).fontSize) < 24) small.push(e.tagName + ':' + e.textContent.trim().slice(0, 20));
  }
  for (const e of document.querySelectorAll('a[href], button, [data-action], [data-key]')) {
    if (!visible(e)) continue;
    const r = e.getBoundingClientRect();
    if (r.width < 60 || r.height < 60) tiny.push(e.tagName + ':' + e.textContent.trim().slice(0, 20) + ` ${r.width}x${r.height}`);
  }
  return {small, tiny, select: getComputedStyle(document.body).userSelect,
          menu: !document.body.dispatchEvent(new MouseEvent('contextmenu', {bubbles: true, cancelable: true}))};
}"""


def check_touch_rules(page):
    found = page.evaluate(SIZE_RULES)
    assert found["small"] == [], f"text under 24px: {found['small']}"
    assert found["tiny"] == [], f"touch targets under 60×60: {found['tiny']}"
    assert found["select"] == "none" and found["menu"] is True        # no selection, no context menu


def test_home_renders_and_a_tile_lists_its_category(kiosk, screen):
    page = screen()
    page.goto(home_url(kiosk))
    assert page.title() == "示例市质量技术监督局 政府信息公开"
    tiles = page.locator(".tiles .tile")
    assert tiles.first.bounding_box()["height"] >= 200
    assert "行政权力运行公开" in tiles.first.inner_text()
    assert page.locator(".toolbar .tool-home").is_visible() and page.locator(".toolbar .tool-back").is_visible()
    check_touch_rules(page)
    screenshot(page, "kiosk-home-1080x1920")
    tap_and_wait(page, page.locator(".tile", has_text="行政权力运行公开"))
    assert page.locator("h1").inner_text().startswith("行政权力运行公开")
    assert page.url.endswith("/quanli/index.html")
    tap_and_wait(page, page.locator(".tile", has_text="行政许可"))
    assert page.locator("h1").inner_text().startswith("行政许可")
    assert page.locator(".rows .row").count() == 2                  # per_page = 2 in the fixture; 4 items
    assert "第 1/2 页，共 4 条" in page.locator(".pager").inner_text()
    check_touch_rules(page)
    screenshot(page, "kiosk-category-1080x1920")
    tap_and_wait(page, page.locator(".pager a", has_text="下一页"))
    assert page.locator(".rows .row").count() == 2
    tap_and_wait(page, page.locator(".toolbar .tool-home"))
    assert page.url == home_url(kiosk)
    finish(page)


def test_keyboard_initials_and_full_pinyin_find_a_xingzheng_xuke_item(kiosk, screen):
    page = screen()
    page.goto(home_url(kiosk))
    tap_and_wait(page, page.locator(".search-entry"))
    assert page.locator("#query").inner_text() == ""
    counts = []
    for key in "xzxk":
        type_keys(page, key)
        page.wait_for_function("document.getElementById('query').textContent.length > 0 && "
                               "!/正在/.test(document.getElementById('search-status').textContent)")
        counts.append(page.locator("#results a").count())
    assert page.locator("#query").inner_text() == "XZXK"
    assert counts[0] >= counts[-1] > 0                              # results follow every key
    titles = results(page)
    assert titles[0] == "行政许可事项办理结果公示（第三批）" or titles[0] == "行政许可办事指南（触摸屏版）"
    assert set(titles[:2]) == {"行政许可事项办理结果公示（第三批）", "行政许可办事指南（触摸屏版）"}
    assert "行政许可" in page.locator("#results a").first.inner_text()
    check_touch_rules(page)
    screenshot(page, "kiosk-search-xzxk-1080x1920")

    page.locator('[data-key="clear"]').tap()
    assert page.locator("#query").inner_text() == "" and page.locator("#results a").count() == 0
    type_keys(page, "xingzhengxukq")
    page.locator('[data-key="backspace"]').tap()
    type_keys(page, "e")
    page.wait_for_function("document.querySelectorAll('#results a').length > 0")
    assert page.locator("#query").inner_text() == "XINGZHENGXUKE"
    assert "行政许可事项办理结果公示（第三批）" in results(page)[:2]

    tap_and_wait(page, page.locator("#results a").first)            # a result opens its page
    assert re.search(r"/quanli/xuke/2026-000(03|20)/index\.html$", page.url)
    tap_and_wait(page, page.locator(".toolbar .tool-back"))         # 返回 comes back to the same search
    assert page.locator("#query").inner_text() == "XINGZHENGXUKE"
    page.wait_for_function("document.querySelectorAll('#results a').length > 0")
    finish(page)


def test_site_search_contract_on_every_page(kiosk, screen):
    page = screen()
    page.goto((kiosk / "quanli" / "xuke" / "2026-00001" / "index.html").as_uri())
    found = page.evaluate("window.siteSearch('xzxk')")
    assert found and all(set(r) >= {"url", "title"} for r in found)
    assert found[0]["url"] in ("/quanli/xuke/2026-00003/", "/quanli/xuke/2026-00020/")
    urls = {r["url"] for r in found}
    assert "/neiwu/caigou/2026-00021/" not in urls                  # website only
    exact = page.evaluate("window.siteSearch('执法装备采购项目中标公告')")
    assert exact[0]["url"] == "/neiwu/caigou/2026-00013/" and exact[0]["rank"] == 0
    by_number = page.evaluate("window.siteSearch('2026-00001')")
    assert by_number[0]["url"] == "/quanli/xuke/2026-00001/" and by_number[0]["rank"] == 0
    assert page.evaluate("window.siteSearch('014000184/2025-00011')")[0]["title"] == "泰州市某某电器有限公司行政处罚决定书"
    title_first = page.evaluate("window.siteSearch('特种设备')")    # title of xuke-1 beats a keyword
    assert title_first[0]["url"] == "/quanli/xuke/2026-00001/"
    assert [r["url"] for r in page.evaluate("window.siteSearch('yhjf')")] == ["/quanli/xuke/2026-00020/"]   # 银行缴费
    assert page.evaluate("window.siteSearch('xzxk', {filters: {category: '0205'}})") == []
    assert {r["category"] for r in page.evaluate("window.siteSearch('xk', {filters: {category: '行政许可'}})")} == {"行政许可"}
    quanli = page.evaluate("window.siteSearch('', {filters: {category: '行政权力运行公开'}})")
    assert len(quanli) == 5
    year = page.evaluate("window.siteSearch('', {filters: {year: 2025}})")
    assert [r["title"] for r in year] == ["泰州市某某电器有限公司行政处罚决定书"]
    office = page.evaluate("window.siteSearch('', {filters: {department: '办公室'}})")
    assert [r["title"] for r in office] == ["执法装备采购项目中标公告"]
    assert page.evaluate("window.siteSearch('')") == []
    assert page.evaluate("window.siteSearch('zzzzqqq')") == []
    finish(page)


def test_idle_timeout_returns_home_and_clears_the_search(kiosk, screen):
    page = screen(idle_seconds=1.5)
    page.goto((kiosk / "search" / "index.html").as_uri())
    type_keys(page, "xzxk")
    page.wait_for_function("document.querySelectorAll('#results a').length > 0")
    page.locator(".tool-font").tap()                                 # a bigger font, to be reset too
    assert "font-1" in page.evaluate("document.documentElement.className")
    page.wait_for_url(home_url(kiosk), timeout=6000)
    assert page.locator("body").get_attribute("data-page") == "home"
    assert "font-0" in page.evaluate("document.documentElement.className")
    tap_and_wait(page, page.locator(".toolbar .tool-search"))
    assert page.locator("#query").inner_text() == "" and page.locator("#results a").count() == 0
    finish(page)


def test_idle_time_from_the_address_and_from_site_toml(kiosk, screen):
    page = screen()
    page.goto((kiosk / "departments" / "index.html").as_uri() + "?idle=1")
    page.wait_for_url(home_url(kiosk), timeout=5000)
    page.goto((kiosk / "neiwu" / "index.html").as_uri())            # remembered for the session
    page.wait_for_url(home_url(kiosk), timeout=5000)
    fresh = screen()
    fresh.goto((kiosk / "neiwu" / "index.html").as_uri())
    assert fresh.evaluate("window.KIOSK_CONFIG.idle_seconds") == 90  # golden site.toml: the default
    fresh.wait_for_timeout(1500)
    assert fresh.url.endswith("/neiwu/index.html")
    finish(page)
    finish(fresh)


def test_long_item_scrolls_with_buttons_and_grows_its_font(kiosk, screen):
    page = screen()
    page.goto((kiosk / "quanli" / "xuke" / "2026-00020" / "index.html").as_uri())
    assert page.evaluate("document.documentElement.scrollHeight") > 2 * page.viewport_size["height"]
    body_size = lambda: page.evaluate("parseFloat(getComputedStyle(document.querySelector('.body p')).fontSize)")
    assert body_size() >= 24
    check_touch_rules(page)
    screenshot(page, "kiosk-item-1080x1920")
    assert page.left == []                                           # the remote image in the body was never asked for
    assert page.locator(".tool-up").get_attribute("aria-disabled") == "true"
    page.locator(".tool-down").tap()
    page.wait_for_function("window.scrollY > 500")
    assert page.locator(".tool-up").get_attribute("aria-disabled") == "false"
    page.locator(".tool-up").tap()
    page.wait_for_function("window.scrollY === 0")
    before = body_size()
    page.locator(".tool-font").tap()
    assert body_size() > before and page.locator(".font-label").inner_text() == "大字"
    page.locator(".tool-font").tap()
    page.locator(".tool-font").tap()
    assert body_size() == before and page.locator(".font-label").inner_text() == "标准"
    assert "门户网站" in page.locator(".offline-link").first.inner_text()
    assert page.locator(".body img").count() == 0
    tap_and_wait(page, page.locator(".body a", has_text="行政许可目录"))   # a body link works from file://
    assert page.url.endswith("/quanli/xuke/index.html")
    finish(page)


def test_attachment_shows_the_website_address_and_a_qr_code(kiosk, screen):
    page = screen()
    page.goto((kiosk / "quanli" / "xuke" / "2026-00001" / "index.html").as_uri())
    assert page.locator(".attachments a").count() == 0
    assert page.locator(".web-address").inner_text() == "https://zwgk.example.gov.cn/zj/quanli/xuke/2026-00001/"
    box = page.locator(".elsewhere svg.qr").bounding_box()
    assert box["width"] >= 200 and box["height"] >= 200
    page.evaluate("document.querySelector('.elsewhere').scrollIntoView({block: 'center'})")
    screenshot(page, "kiosk-item-attachment-1080x1920")
    finish(page)


HOSTILE = """---
title: 上溯链接测试
category: "0204"
index_no: "014000184/2026-00031"
status: approved
reviewer: 王建春
pub_date: 2026-02-02
channels: [touchscreen]
---

上溯：[根目录](../../../../../../etc/)、[绝对路径](/etc/)、[编码上溯](%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/)、
[反斜杠](..\\\\..\\\\..\\\\..\\\\..\\\\)、[主机](//fileserver/share/)、[引用式][up]。

![](../../../../x.png)

站内：[本类目录](../)、[首页](../../../)。

[up]: ../../../../../../../
"""


@pytest.fixture(scope="module")
def hostile_kiosk(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-hostile")
    site = folder / "site"
    kiosk_site(site)
    (site / "content" / "fagui" / "hostile-links.md").write_text(HOSTILE, encoding="utf-8")
    out = folder / "kiosk"
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW, "--out", str(out), "--quiet"]) == 0
    return out


def test_no_link_or_image_leads_out_of_the_folder(hostile_kiosk, screen):
    """Chromium's own reading of every href and src on the page with hostile body links (from file://):
    each is a file inside the kiosk folder; tapping every body link stays in the folder."""
    page = screen()
    root = hostile_kiosk.as_uri() + "/"
    page.goto((hostile_kiosk / "quanli" / "xuke" / "2026-00031" / "index.html").as_uri())
    found = page.evaluate("""() => [...document.querySelectorAll('[href], [src]')]
        .map(e => e.href && e.href.baseVal === undefined ? e.href : (e.src || e.getAttribute('href')))""")
    assert found and all(url.startswith(root) for url in found), [u for u in found if not u.startswith(root)]
    assert page.locator(".body img").count() == 0
    assert page.locator(".body a").count() == 2
    for words in ("根目录", "绝对路径", "编码上溯", "反斜杠", "主机", "引用式"):
        assert page.locator(".body .offline-link", has_text=words).count() == 1, words
    for words, target in (("本类目录", "/quanli/xuke/index.html"), ("首页", "/index.html")):
        page.goto((hostile_kiosk / "quanli" / "xuke" / "2026-00031" / "index.html").as_uri())
        tap_and_wait(page, page.locator(".body a", has_text=words))
        assert page.url == root + target.lstrip("/")
    finish(page)


# --- kiosks that stay current (issue 16): expiry on the device's own clock, version, staleness ------
# The kiosk's clock is set by Playwright's clock API; the pages are opened from file:// with the network cut.

EXPIRING = "计量器具型式批准决定 <第2号>"                 # golden xuke-2.md: expiry_date 2027-05-10 (+08:00)
EXPIRING_PATH = ("quanli", "xuke", "2026-00002", "index.html")
BEFORE_EXPIRY = "2027-05-09T23:59:00+08:00"
AFTER_EXPIRY = "2027-05-10T00:00:01+08:00"
STALE_NOTICE = "内容已超过 7 天未更新，请联系办公室更新触摸屏内容"


def at(screen, moment):
    """A kiosk screen whose clock reads `moment` (and runs on from there only when the test says so)."""
    page = screen()
    page.clock.install(time=moment)
    return page


def shown_rows(page) -> list[str]:
    return page.locator("#main .rows .row-title").filter(visible=True).all_inner_texts()


def test_an_item_is_shown_until_its_expiry_then_gone_from_listing_page_and_search(kiosk, screen):
    page = at(screen, BEFORE_EXPIRY)
    page.goto(home_url(kiosk))
    assert EXPIRING in shown_rows(page)                                  # 最新公开
    total = page.locator("[data-count-for='/']").inner_text()
    tile = page.locator(".tile", has_text="行政权力运行公开").locator(".tile-count").inner_text()
    page.goto(kiosk.joinpath("quanli", "xuke", "index.html").as_uri())
    assert EXPIRING in shown_rows(page)
    assert page.locator("h1 .count").inner_text() == "4 条"
    page.goto(kiosk.joinpath(*EXPIRING_PATH).as_uri())
    assert page.locator("article.record h1").inner_text() == EXPIRING
    assert "本条信息已失效" not in page.locator("#main").inner_text()
    assert "/quanli/xuke/2026-00002/" in [r["url"] for r in page.evaluate("window.siteSearch('jlqj')")]

    # the home screen stays open while midnight passes: the row and the counts go at the next check
    page.goto(home_url(kiosk))
    page.clock.set_system_time(AFTER_EXPIRY)
    page.clock.run_for(31_000)
    assert EXPIRING not in shown_rows(page)
    assert "执法装备采购项目中标公告" in shown_rows(page)                  # the others stay
    assert page.locator("[data-count-for='/']").inner_text() == total.replace(
        re.search(r"\d+", total).group(), str(int(re.search(r"\d+", total).group()) - 1))
    after_tile = page.locator(".tile", has_text="行政权力运行公开").locator(".tile-count").inner_text()
    assert int(re.search(r"\d+", after_tile).group()) == int(re.search(r"\d+", tile).group()) - 1
    finish(page)

    later = at(screen, AFTER_EXPIRY)
    later.goto(kiosk.joinpath("quanli", "xuke", "index.html").as_uri())
    assert EXPIRING not in shown_rows(later)
    assert "行政许可事项办理结果公示（第三批）" in shown_rows(later)
    assert later.locator("h1 .count").inner_text() == "3 条"
    later.goto(kiosk.joinpath("departments", "fagui", "index.html").as_uri())
    assert EXPIRING not in shown_rows(later)
    later.goto(kiosk.joinpath(*EXPIRING_PATH).as_uri())
    assert later.locator("#main h1").inner_text() == "本条信息已失效"
    assert later.locator("article.record").count() == 0                 # its content is not shown
    assert EXPIRING not in later.locator("#main").inner_text()
    screenshot(later, "kiosk-expired-item-1080x1920")
    assert "/quanli/xuke/2026-00002/" not in [r["url"] for r in later.evaluate("window.siteSearch('jlqj')")]
    assert later.evaluate("window.siteSearch('计量器具型式批准决定')") == []
    assert later.evaluate("window.siteSearch('xzxk')") != []             # the other items are still found
    # the search screen: typed on the on-screen keyboard, the expired item is not among the results
    later.goto((kiosk / "search" / "index.html").as_uri())
    for key in "jlqj":
        later.locator(f'.key[data-key="{key}"]').tap()
    later.wait_for_function("document.getElementById('search-status').textContent.indexOf('没有找到') === 0")
    assert shown_rows(later) == []
    finish(later)


def test_version_stamp_and_stale_notice_follow_the_kiosk_clock(kiosk, screen):
    page = at(screen, "2026-12-03T07:59:00+08:00")                       # 6 days 23:59 after the build
    page.goto(home_url(kiosk))
    assert page.locator("#kiosk-version").inner_text() == "内容更新于 2026-11-26 08:00"
    assert page.locator("#kiosk-version").is_visible()
    assert not page.locator("#kiosk-stale").is_visible()
    page.clock.set_system_time("2026-12-03T08:01:00+08:00")             # past [kiosk] stale_days = 7
    page.clock.run_for(31_000)
    assert page.locator("#kiosk-stale").is_visible()
    assert page.locator("#kiosk-stale").inner_text() == STALE_NOTICE
    screenshot(page, "kiosk-stale-notice-1080x1920")
    check_touch_rules(page)
    finish(page)

    later = at(screen, "2027-01-01T00:00:00+08:00")
    later.goto(kiosk.joinpath("quanli", "xuke", "2026-00001", "index.html").as_uri())
    assert later.locator("#kiosk-stale").inner_text() == STALE_NOTICE    # on every page
    assert later.locator("#kiosk-version").inner_text() == "内容更新于 2026-11-26 08:00"
    finish(later)
