"""`annual-report` (年度报告统计) and `archive` (归档) on the compliance fixture site."""
import csv
import io
import json
import zipfile

import pytest

from support import SITES

SITE = SITES / "compliance"
NOW = "2027-01-20T10:00:00+08:00"


def annual(cli, year="2026", now=NOW):
    run = cli("annual-report", "--site", SITE, "--now", now, "--year", year, "--format", "json")
    assert run.code == 0, run.err
    return json.loads(run.out)


def test_annual_report_figures(cli):
    data = annual(cli)
    assert data["year"] == 2026 and data["complete"] is True
    # published in 2026: a, b, f (法规处: 0204, 0204, 0103), c, d (法规处: 0205), j, l (办公室: 0101, 0103);
    # l expired on 2026-12-31 and was still published in 2026; m (internal) is 2027's
    assert data["published"] == {"public": 7, "internal": 0}
    assert {code: c["public"] for code, c in data["by_category"].items()} == {"0101": 1, "0103": 2, "0204": 2, "0205": 2}
    assert data["by_department"] == {"法规处": {"public": 5, "internal": 0}, "办公室": {"public": 2, "internal": 0}}
    # 规范性文件 by 文号 …规〔YYYY〕…: i (2025), j (2026), k (2024, abolished 2026-12-01)
    assert data["normative_documents"] == {"new": 1, "abolished": 1, "expired": 0, "in_force": 2}
    assert data["decisions"] == {"行政许可": 2, "行政处罚": 2}
    assert data["timely"] == {"on_time": 4, "late": 2, "pending": 0, "overdue": 0}


def test_annual_report_of_the_running_year(cli):
    data = annual(cli, year="2027")
    assert data["complete"] is False
    assert data["published"] == {"public": 0, "internal": 1}          # m, 内部公开
    assert data["normative_documents"]["in_force"] == 2               # i and j (j expires 2027-02-10)
    assert data["timely"]["overdue"] == 1 and data["timely"]["pending"] == 1 and data["timely"]["on_time"] == 1


def test_annual_report_text(cli):
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026")
    assert run.code == 0
    assert "主动公开政府信息：7 条" in run.out
    assert "行政规范性文件：本年制发 1 件，本年废止 1 件，本年失效 0 件，现行有效 2 件" in run.out


def test_annual_report_page_on_the_intranet(tmp_path, cli):
    out = tmp_path / "intranet"
    assert cli("build", "--site", SITE, "--target", "intranet", "--now", NOW, "--out", out, "--quiet").code == 0
    page = (out / "dashboard" / "annual" / "2026" / "index.html").read_text(encoding="utf-8")
    assert "2026 年政府信息公开工作年度报告" in page
    # the template's columns: 本年制发, 本年废止, 现行有效 (本年失效 is in the note below the tables)
    assert '<th scope="row">行政规范性文件</th><td>1</td><td>1</td><td>2</td>' in page
    assert "主动公开政府信息（条）" in page
    years = sorted(p.name for p in (out / "dashboard" / "annual").iterdir())
    assert years == ["2024", "2025", "2026", "2027"]
    assert 'href="annual/2026/"' in (out / "dashboard" / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- archive

@pytest.fixture
def archived(tmp_path, cli):
    out = tmp_path / "guidang.zip"
    run = cli("archive", "--site", SITE, "--until", "2027-01-01", "--out", out)
    assert run.code == 0, run.err
    assert "已归档 3 个条目（已失效 1，已废止 1，已撤回 1）" in run.out
    return out


def test_archive_contents(archived):
    with zipfile.ZipFile(archived) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert names == [
            "chehui/fagui/g-withdrawn/g-withdrawn.md", "chehui/fagui/g-withdrawn/metadata.json",
            "feizhi/bangong/k-abolished/k-abolished.md", "feizhi/bangong/k-abolished/k-fujian.pdf",
            "feizhi/bangong/k-abolished/metadata.json",
            "index.csv",
            "shixiao/bangong/l-expired/l-expired.md", "shixiao/bangong/l-expired/metadata.json",
        ]
        assert zf.read("feizhi/bangong/k-abolished/k-fujian.pdf") == (SITE / "content/bangong/k-fujian.pdf").read_bytes()
        assert zf.read("shixiao/bangong/l-expired/l-expired.md") == (SITE / "content/bangong/l-expired.md").read_bytes()
        meta = json.loads(zf.read("feizhi/bangong/k-abolished/metadata.json"))
        assert meta["index_no"] == "014000184/2024-00043" and meta["archive_reason"] == "abolished"
        assert meta["doc_no"] == "泰质监规〔2024〕2号" and meta["attachments"][0]["name"] == "k-fujian.pdf"
        for info in zf.infolist():
            assert info.date_time == (2027, 1, 1, 0, 0, 0)
        raw = zf.read("index.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["索引号", "名称", "归档原因"]
    assert [(r[0], r[2]) for r in rows[1:]] == [("014000184/2024-00043", "已废止"), ("014000184/2026-00044", "已失效"),
                                                ("014000184/2026-00037", "已撤回")]


def test_archive_holds_no_published_item(archived, tmp_path, cli):
    report = tmp_path / "r.json"
    cli("build", "--site", SITE, "--target", "intranet", "--now", "2027-01-01", "--out", tmp_path / "o",
        "--report", report, "--quiet")
    published = {e["file"].rsplit("/", 1)[1] for e in json.loads(report.read_text(encoding="utf-8"))["published"]}
    with zipfile.ZipFile(archived) as zf:
        packed = {n.rsplit("/", 1)[1] for n in zf.namelist() if n.endswith(".md")}
    assert packed and not packed & published
    assert "j-stale.md" in published       # expires 2027-02-10: still in force, not archived


def test_archive_is_deterministic(archived, tmp_path, cli):
    again = tmp_path / "again.zip"
    assert cli("archive", "--site", SITE, "--until", "2027-01-01", "--out", again).code == 0
    assert again.read_bytes() == archived.read_bytes()


def test_archive_until_an_earlier_date_holds_less(tmp_path, cli):
    out = tmp_path / "a.zip"
    run = cli("archive", "--site", SITE, "--until", "2026-12-30", "--out", out)
    assert run.code == 0 and "已归档 2 个条目" in run.out      # l expires on 12-31


def test_archive_bad_date_is_a_usage_error(tmp_path, cli):
    run = cli("archive", "--site", SITE, "--until", "去年", "--out", tmp_path / "a.zip")
    assert run.code == 2 and "--until" in run.err
    assert not (tmp_path / "a.zip").exists()
