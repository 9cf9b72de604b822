"""The intranet's compliance dashboard in Chromium: charts drawn, nothing fetched from outside."""
import pytest

from support import SITES, screenshot

SITE = SITES / "compliance"
NOW = "2027-01-20T10:00:00+08:00"


@pytest.fixture
def site(tmp_path, cli, serve):
    out = tmp_path / "intranet"
    assert cli("build", "--site", SITE, "--target", "intranet", "--now", NOW, "--out", out, "--quiet").code == 0
    return serve(out)


def test_dashboard_renders_offline(site, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site)
    with page.expect_navigation():
        page.get_by_role("link", name="公开时限监督").click()
    assert page.locator("h1").inner_text() == "公开时限监督"
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for i in range(3):
        box = charts.nth(i).bounding_box()
        assert box and box["width"] > 300 and box["height"] > 80          # laid out, not collapsed
    # the bars are there and sized: 法规处 has 3 on time, 2 late, 1 overdue
    dept = page.locator("#chart-departments")
    assert dept.locator("rect.bar-overdue").count() == 1
    widths = [dept.locator("rect.bar-on_time").nth(i).bounding_box()["width"] for i in range(2)]
    assert widths[0] > widths[1] > 0                                     # 3 on time vs 2 on time
    assert page.locator("#chart-months rect.bar").count() >= 6
    assert "法规处、办公室" in page.locator(".dash-behind").inner_text()
    # no script but the 无障碍 toggle's (static/a11y.js): the charts are inline SVG
    assert page.evaluate("[...document.scripts].map(s => new URL(s.src).pathname)") == ["/static/a11y.js"]
    screenshot(page, "intranet-dashboard-1280")
    with page.expect_navigation():
        page.get_by_role("link", name="2026 年").click()
    assert "2026 年政府信息公开工作年度报告" in page.locator("h1").inner_text()
    assert page.external_requests == []
    assert all(url.startswith(site) for url in requests), requests


def test_uncertain_deadlines_are_marked_visibly(site, page):
    """The fixture lists only 元旦 for 2027 (not in complete_years): the note and the mark are on screen."""
    page.goto(site + "dashboard/")
    note = page.locator("p.dash-uncertain")
    assert note.is_visible() and "期限不确定" in note.inner_text() and "complete_years" in note.inner_text()
    mark = page.locator(".dash-items .state.uncertain")
    assert mark.count() == 1 and mark.first.is_visible() and mark.first.inner_text() == "期限未定"
    box = mark.first.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 10
    assert page.external_requests == []
