"""The compliance report (公开时限) on a fixture site at a fixed --now, and the intranet dashboard.

Every expected date below was counted by hand on the 2026 calendar (see test_workdays.py)
and site.toml's [calendar] for 2027 (only 元旦 2027-01-01 listed). That list is partial (2027 is not
in `complete_years`), so every figure counted through 2027 is reported as uncertain (issue 17 §4).
"""
import json
import re
import shutil

import pytest

from support import SITES

SITE = SITES / "compliance"
NOW = "2027-01-20T10:00:00+08:00"

EXPECTED = {   # file -> fields of its item in `compliance --format json`
    "content/fagui/a-ontime.md": dict(   # SPEC's example
        period="timely", formed_date="2026-09-18", proposal_deadline="2026-09-29", publish_deadline="2026-10-22",
        published_on="2026-10-21", proposed_on="2026-09-25", proposed_late=False, state="on_time",
        working_days_late=0, expiring_soon=False, index_no="014000184/2026-00031", department="法规处"),
    "content/fagui/b-late.md": dict(      # National Day, with the make-up Saturday 10-10 counted
        formed_date="2026-09-30", proposal_deadline="2026-10-15", publish_deadline="2026-11-03",
        published_on="2026-11-06", proposed_on="2026-10-16", proposed_late=True, state="late", working_days_late=3),
    "content/fagui/c-spring-edge.md": dict(   # Spring Festival; published on the last allowed day
        formed_date="2026-02-10", proposal_deadline="2026-02-26", publish_deadline="2026-03-16",
        published_on="2026-03-16", proposed_on="2026-02-26", proposed_late=False, state="on_time", working_days_late=0),
    "content/fagui/d-spring-late.md": dict(
        publish_deadline="2026-03-16", published_on="2026-03-17", proposed_late=True, state="late", working_days_late=1),
    "content/fagui/e-overdue.md": dict(   # crosses into 2027; 元旦 from [calendar]
        formed_date="2026-12-10", proposal_deadline="2026-12-21", publish_deadline="2027-01-08", published_on=None,
        proposed_late=False, state="overdue", working_days_late=8),
    "content/fagui/f-git-proposed.md": dict(   # proposal date from git, younger than the publication: unknown
        proposal_deadline="2026-10-19", publish_deadline="2026-11-05", published_on="2026-10-21",
        proposed_on=None, proposed_late=None, state="on_time"),
    "content/bangong/i-fresh.md": dict(
        period="long_term", state="fresh", refreshed_on="2027-01-05", window_start="2027-01-01",
        proposal_deadline=None, publish_deadline=None, expiring_soon=False),
    "content/bangong/j-stale.md": dict(
        period="long_term", state="stale", refreshed_on="2026-08-01", expiring_soon=True),
    "content/bangong/l-expired.md": dict(state="on_time", published_on="2026-06-03", expiring_soon=False),
    "content/bangong/m-internal.md": dict(   # internal items count too; the holiday 2027-01-01 skipped
        proposal_deadline="2027-01-07", publish_deadline="2027-01-26", published_on="2027-01-06", state="on_time"),
    "content/bangong/n-pending.md": dict(
        formed_date="2027-01-12", publish_deadline="2027-02-09", published_on=None, state="pending",
        working_days_late=0),
}

DEPARTMENTS = {
    "法规处": {"on_time": 3, "late": 2, "pending": 0, "overdue": 1, "fresh": 0, "due": 0, "stale": 0, "expiring_soon": 0},
    "办公室": {"on_time": 2, "late": 0, "pending": 1, "overdue": 0, "fresh": 1, "due": 0, "stale": 1, "expiring_soon": 1},
}


def compliance_json(cli, *args, site=SITE, now=NOW):
    run = cli("compliance", "--site", site, "--now", now, "--format", "json", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


@pytest.fixture(scope="module")
def report():
    from generator.cli import main
    import contextlib
    import io
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["compliance", "--site", str(SITE), "--now", NOW, "--format", "json"]) == 0
    return json.loads(out.getvalue())


def test_items_and_states(report):
    items = {i["file"]: i for i in report["items"]}
    # withdrawn, the long-term draft, the abolished long-term item and the one without a clock are left out
    assert set(items) == set(EXPECTED)
    for file, fields in EXPECTED.items():
        got = {key: items[file][key] for key in fields}
        assert got == fields, file


def test_item_shape_follows_spec(report):
    spec_keys = {"file", "index_no", "department", "period", "formed_date", "proposal_deadline",
                 "publish_deadline", "published_on", "state", "working_days_late", "expiring_soon"}
    for item in report["items"]:
        assert spec_keys <= set(item)
    assert report["items"] == sorted(report["items"], key=lambda i: i["file"])


def test_department_counts(report):
    assert report["now"] == NOW
    assert report["departments"] == DEPARTMENTS
    assert list(report["departments"]) == ["法规处", "办公室"]       # site.toml order
    assert report["proposed_late"] == {"法规处": 2, "办公室": 0}
    assert report["behind"] == ["法规处", "办公室"]


def test_category_counts(report):
    cats = report["categories"]
    assert list(cats) == ["0101", "0103", "0204", "0205", "0404"]
    assert cats["0204"]["on_time"] == 1 and cats["0204"]["late"] == 1 and cats["0204"]["overdue"] == 1
    assert cats["0101"] == {"on_time": 0, "late": 0, "pending": 0, "overdue": 0, "fresh": 1, "due": 0,
                            "stale": 1, "expiring_soon": 1}
    assert sum(c["on_time"] for c in cats.values()) == report["totals"]["on_time"] == 5


def test_warning_for_a_timely_item_without_a_clock(report):
    items = [w for w in report["warnings"] if w["field"] != "calendar"]
    assert items == [{"file": "content/fagui/h-noformed.md", "line": 4, "field": "formed_date",
                      "message": "及时公开（timely）条目没有信息形成日期，无法计算公开时限。 请写 formed_date:（或 doc_date:）。"}]


# ---------------------------------------------------------------- working days across years (issue 17 §4)

UNCERTAIN = {"content/fagui/e-overdue.md", "content/bangong/m-internal.md", "content/bangong/n-pending.md"}


def with_calendar(tmp_path, calendar: str):
    """A copy of the fixture site whose [calendar] table is `calendar` (TOML lines after the header)."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    toml = (site / "site.toml").read_text(encoding="utf-8").split("[calendar]")[0]
    (site / "site.toml").write_text(toml + "[calendar]\n" + calendar, encoding="utf-8")
    return site


def test_a_deadline_in_2027_with_a_partial_list_is_uncertain(report):
    """Only 元旦 listed for 2027: the dates use it, but every deadline counted through 2027 is uncertain."""
    items = {i["file"]: i for i in report["items"]}
    for file, item in items.items():
        assert item["deadline_uncertain"] is (file in UNCERTAIN), file
        assert item["uncertain_years"] == ([2027] if file in UNCERTAIN else []), file
    assert items["content/fagui/e-overdue.md"]["publish_deadline"] == "2027-01-08"     # 元旦 skipped all the same
    assert report["uncertain_years"] == [2027] and report["uncertain_items"] == 3
    [warning] = [w for w in report["warnings"] if w["field"] == "calendar"]
    assert warning["file"] == "site.toml"
    assert warning["message"].startswith("2027 年的节假日安排不完整") and "complete_years" in warning["message"]


def test_uncertain_in_text_output(cli):
    text = cli("compliance", "--site", SITE, "--now", NOW).out
    assert "期限不确定：3 个条目的时限计算经过 2027 年" in text
    block = text.split("content/bangong/m-internal.md", 1)[1].split("\n  content/", 1)[0]
    assert "期限未定：期限的计算经过 2027 年" in block             # on time, yet listed: its deadline is uncertain
    assert text.count("期限未定：期限的计算经过 2027 年") == 3
    assert "2027 年的节假日安排不完整" in text.split("警告：", 1)[1]


def test_uncertain_on_the_dashboard(intranet):
    html = (intranet / "dashboard" / "index.html").read_text(encoding="utf-8")
    note = re.search(r'<p class="dash-uncertain" role="note">([^<]*)</p>', html)
    assert note and "期限不确定：3 个条目的时限计算经过 2027 年" in note.group(1) and "complete_years" in note.group(1)
    # the internal item published on the intranet is named, with the mark beside its state
    item = html.split("时限测试寅", 1)[0].rsplit("<li>", 1)[1]
    assert '<span class="state">按时公开</span><span class="state uncertain">期限未定</span>' in item
    assert html.count('<span class="state uncertain">期限未定</span>') == 1    # the other two are held back
    assert "2027 年的节假日安排不完整" in html                              # the warning under 提示


def test_complete_years_make_the_figures_exact(cli, tmp_path):
    site = with_calendar(tmp_path, 'holidays = ["2027-01-01"]\nworkdays = []\ncomplete_years = [2027]\n')
    data = compliance_json(cli, site=site)
    items = {i["file"]: i for i in data["items"]}
    for file, fields in EXPECTED.items():          # the same dates, now exact
        assert {key: items[file][key] for key in fields} == fields, file
        assert items[file]["deadline_uncertain"] is False and items[file]["uncertain_years"] == [], file
    assert data["uncertain_years"] == [] and data["uncertain_items"] == 0
    assert not [w for w in data["warnings"] if w["field"] == "calendar"]
    text = cli("compliance", "--site", site, "--now", NOW).out
    assert "期限未定" not in text and "期限不确定" not in text
    html = cli("compliance", "--site", site, "--now", NOW, "--format", "html").out
    assert "期限未定" not in html and 'class="dash-uncertain"' not in html
    out = tmp_path / "intranet"
    assert cli("build", "--site", site, "--target", "intranet", "--now", NOW, "--out", out, "--quiet").code == 0
    dashboard = (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "期限未定" not in dashboard and 'class="dash-uncertain"' not in dashboard


def test_a_partial_list_does_not_silence_the_warning(cli, tmp_path):
    """More dates listed for 2027, even a make-up day, but no complete_years: still uncertain."""
    site = with_calendar(tmp_path, 'holidays = ["2027-01-01", "2027-02-08"]\nworkdays = ["2027-02-06"]\n'
                                   'complete_years = []\n')
    data = compliance_json(cli, site=site)
    items = {i["file"]: i for i in data["items"]}
    assert {f for f, i in items.items() if i["deadline_uncertain"]} == UNCERTAIN
    assert data["uncertain_years"] == [2027]
    [warning] = [w for w in data["warnings"] if w["field"] == "calendar"]
    assert "2027 年的节假日安排不完整" in warning["message"]


def test_only_the_late_count_uncertain():
    """An application (the same rule as items) due in 2026 (exact) and still open in 2027: its deadline is
    certain, its working_days_late is counted through 2027, so uncertain_years names it and the note says so."""
    from datetime import date
    from generator.reports.compliance import assess_application, uncertain_note
    from generator.reports.registers import Application
    from generator.reports.workdays import WorkCalendar
    calendar = WorkCalendar()
    app = Application("registers/applications.csv", 2, "2026-001", date(2026, 11, 2), "natural", "法规处",
                      None, None, None, False)
    a = assess_application(app, calendar, date(2027, 1, 6))
    assert a.final_deadline == date(2026, 11, 30) and a.state == "overdue"
    assert a.deadline_uncertain is False and a.uncertain_years == (2027,)
    assert uncertain_note(a).startswith("期限未定：超期工作日数的计算经过 2027 年")
    exact = assess_application(app, calendar, date(2026, 12, 31))
    assert exact.uncertain_years == () and exact.working_days_late == 23


def test_a_complete_year_needs_its_holidays(cli, tmp_path):
    """complete_years = [2028] with no 2028 holiday listed: a site.toml error at the key's line, exit 2."""
    site = with_calendar(tmp_path, 'holidays = ["2027-01-01"]\nworkdays = []\ncomplete_years = [2027, 2028]\n')
    lines = (site / "site.toml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if text.startswith("complete_years"))
    for command in (("compliance", "--now", NOW), ("check",)):
        run = cli(*command, "--site", site)
        assert run.code == 2
        assert f"site.toml:{line}: calendar.complete_years: complete_years 列出了 2028 年" in run.err
        assert "2027 年" not in run.err.split("complete_years 列出了", 1)[1].split("。", 1)[0]


def test_long_term_item_is_due_while_the_window_is_open(cli):
    data = compliance_json(cli, now="2027-01-15T23:00:00+08:00")
    items = {i["file"]: i for i in data["items"]}
    assert items["content/bangong/j-stale.md"]["state"] == "due"
    assert items["content/bangong/i-fresh.md"]["state"] == "fresh"
    assert data["departments"]["办公室"]["due"] == 1
    data = compliance_json(cli, now="2027-01-16T00:00:00+08:00")
    assert {i["file"]: i for i in data["items"]}["content/bangong/j-stale.md"]["state"] == "stale"


def test_pending_until_the_deadline_day_ends(cli):
    last_day = {i["file"]: i for i in compliance_json(cli, now="2027-01-08T23:59:00+08:00")["items"]}
    assert last_day["content/fagui/e-overdue.md"]["state"] == "pending"
    next_day = {i["file"]: i for i in compliance_json(cli, now="2027-01-09T00:00:00+08:00")["items"]}
    assert next_day["content/fagui/e-overdue.md"]["state"] == "overdue"
    assert next_day["content/fagui/e-overdue.md"]["working_days_late"] == 1   # Saturday after the deadline


def test_expiring_soon_is_thirty_days(cli):
    before = {i["file"]: i for i in compliance_json(cli, now="2027-01-10T23:59:00+08:00")["items"]}
    assert before["content/bangong/j-stale.md"]["expiring_soon"] is False
    on = {i["file"]: i for i in compliance_json(cli, now="2027-01-11T00:00:00+08:00")["items"]}
    assert on["content/bangong/j-stale.md"]["expiring_soon"] is True


def test_without_calendar_data_2027_is_monday_to_friday_with_one_warning(cli, tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    toml = (site / "site.toml").read_text(encoding="utf-8")
    (site / "site.toml").write_text(toml.split("[calendar]")[0], encoding="utf-8")
    data = compliance_json(cli, site=site)
    items = {i["file"]: i for i in data["items"]}
    assert items["content/fagui/e-overdue.md"]["publish_deadline"] == "2027-01-07"    # 元旦 counted as a working day
    calendar = [w for w in data["warnings"] if w["field"] == "calendar"]
    assert len(calendar) == 1 and calendar[0]["message"].startswith("2027 年的节假日安排未知")
    assert calendar[0]["file"] == "site.toml"
    assert {f for f, i in items.items() if i["deadline_uncertain"]} == UNCERTAIN    # uncertain too


def test_text_and_html_formats_exit_zero(cli):
    text = cli("compliance", "--site", SITE, "--now", NOW)
    assert text.code == 0
    assert "落后科室：法规处、办公室" in text.out
    assert "超期未公开：应于 2027-01-08 前公开，已超过 8 个工作日" in text.out
    assert "逾期公开：2026-11-06 公开，期限 2026-11-03，晚 3 个工作日" in text.out
    html = cli("compliance", "--site", SITE, "--now", NOW, "--format", "html")
    assert html.code == 0
    assert html.out.startswith("<!DOCTYPE html>") and "<svg" in html.out and "<script" not in html.out
    assert "时限测试戊 跨年超期未公开" in html.out        # the command's own page names every item


def test_example_site_report_is_information(cli):
    from support import ROOT
    run = cli("compliance", "--site", ROOT, "--now", "2026-11-26T08:00:00+08:00", "--format", "json")
    assert run.code == 0
    data = json.loads(run.out)
    assert data["warnings"] == [] and data["uncertain_years"] == []
    assert set(data["departments"]) == {"办公室", "法规处", "质量监督处", "特种设备安全监察处", "计量处", "人事教育处", "机关党委"}


# ---------------------------------------------------------------- published: one rule (visibility.was_published)

def test_an_item_the_privacy_guard_stops_was_never_published(cli, tmp_path):
    """Its pub_date has passed, but no target ever showed it: not published, so overdue (SPEC: visibility)."""
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    source = site / "content" / "fagui" / "a-ontime.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n联系人身份证号 11010519491231002X\n", encoding="utf-8")
    item = {i["file"]: i for i in compliance_json(cli, site=site)["items"]}["content/fagui/a-ontime.md"]
    assert item["published_on"] is None and item["state"] == "overdue"
    run = cli("annual-report", "--site", site, "--now", NOW, "--year", "2026", "--format", "json")
    assert json.loads(run.out)["published"] == {"public": 6, "internal": 0}     # 7 without the hit


def test_was_published_is_decide_at_the_pub_date():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from generator.model import Item, PrivacyHit
    from generator.visibility import was_published

    tz = ZoneInfo("Asia/Shanghai")
    pub, later = datetime(2026, 3, 2, tzinfo=tz), datetime(2027, 1, 20, tzinfo=tz)

    def item(**overrides) -> Item:
        fields = dict(file="content/a/x.md", section="a", title="t", category="0204", status="approved",
                      review="leader", audience="public", period="timely", channels=("website",), publisher="p",
                      department="d", slug="2026-00001", body="", index_no="014000184/2026-00001",
                      reviewer="王建春", pub_date=pub)
        return Item(**(fields | overrides))

    assert was_published(item(), pub, None) and not was_published(item(), pub.replace(day=1), None)
    assert was_published(item(expiry_date=datetime(2026, 6, 1, tzinfo=tz)), later, None)   # expired since
    assert was_published(item(abolished=True), later, None)                                # abolished since
    assert not was_published(item(expiry_date=pub), later, None)                           # expired on arrival
    assert not was_published(item(status="proposed"), later, None)
    assert not was_published(item(reviewer=None), later, None)
    assert not was_published(item(privacy_hits=(PrivacyHit(1, "身份证号", "110105********002X"),)), later, None)
    assert not was_published(item(audience="internal"), later, None)       # internal, but only on the website
    assert was_published(item(audience="internal", channels=("intranet",)), later, None)
    assert not was_published(item(), later, "intranet") and was_published(item(), later, "website")


# ---------------------------------------------------------------- the dashboard

HELD_BACK_TITLES = ["时限测试戊", "时限测试庚", "时限测试辛", "时限测试子", "时限测试丑", "时限测试卯", "时限测试辰"]


@pytest.fixture(scope="module")
def intranet(tmp_path_factory):
    from generator.cli import main
    out = tmp_path_factory.mktemp("compliance") / "intranet"
    assert main(["build", "--site", str(SITE), "--target", "intranet", "--now", NOW, "--out", str(out), "--quiet"]) == 0
    return out


def test_dashboard_shows_the_figures(intranet):
    html = (intranet / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "落后科室：法规处、办公室" in html
    scripts = re.findall(r"<script[^>]*>", html)     # only the 无障碍 toggle's; the charts are inline SVG
    assert scripts == ['<script src="../static/a11y.js">']
    assert html.count("<svg") == 3 and "http" not in html.split("<main", 1)[1].split("</main>")[0]
    assert re.search(r'class="figure-overdue"><strong>1</strong>', html)
    assert re.search(r'class="figure-on_time"><strong>5</strong>', html)
    # named: published late / stale items, linked to their pages
    assert 'href="../quanli/xuke/2026-00032/"' in html and "时限测试癸" in html
    assert "另有 2 个尚未在局域网公开的条目" in html


def test_dashboard_names_no_held_back_item(intranet):
    for path in intranet.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for title in HELD_BACK_TITLES:
            assert title not in text, (title, path)
        assert "2026-00035" not in text and "2027-00001" not in text


def test_dashboard_is_linked_from_the_intranet_navigation(intranet):
    home = (intranet / "index.html").read_text(encoding="utf-8")
    assert '<a href="dashboard/">公开时限监督</a>' in home


def test_website_and_kiosk_have_no_dashboard(tmp_path, cli):
    for target in ("website", "kiosk"):
        out = tmp_path / target
        assert cli("build", "--site", SITE, "--target", target, "--now", NOW, "--out", out, "--quiet").code == 0
        assert not (out / "dashboard").exists()
        assert not [p for p in out.rglob("*.html") if "公开时限监督" in p.read_text(encoding="utf-8")]


def test_dashboard_is_deterministic(intranet, tmp_path, cli):
    again = tmp_path / "again"
    cli("build", "--site", SITE, "--target", "intranet", "--now", NOW, "--out", again, "--quiet")
    for name in ("dashboard/index.html", "dashboard/annual/2026/index.html"):
        assert (again / name).read_bytes() == (intranet / name).read_bytes()


def test_dashboard_warnings_name_no_held_back_file(intranet):
    html = (intranet / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "h-noformed" not in html
