"""The annual report in the national template (国办公开办函〔2021〕30号), on tests/fixtures/sites/annual:
the golden site plus [annual_report] rows in site.toml, decision_count / fee_amount items and the two
registers (registers/applications.csv, registers/cases.csv) with known answers."""
import json
import shutil

import pytest

from support import SITES

SITE = SITES / "annual"
NOW = "2027-01-20T10:00:00+08:00"
CLIENTS = ("natural", "business", "research", "public_interest", "legal", "other", "total")


def report(cli, site=SITE, year="2026", *extra):
    run = cli("annual-report", "--site", site, "--now", NOW, "--year", year, "--format", "json", *extra)
    assert run.code == 0, run.err
    return json.loads(run.out)["template"]


def row(cells: dict) -> tuple:
    return tuple(cells[c] for c in CLIENTS)


# ---------------------------------------------------------------- 二 主动公开政府信息情况

def test_section2_from_the_catalogue(cli):
    s2 = report(cli)["section2"]
    assert (s2["regulations"]["new"], s2["regulations"]["abolished"], s2["regulations"]["in_force"]) == (0, 0, 0)
    # zhengce-1 (0101, 2026), zhengce-old (0101, abolished, updated 2026-09-30)
    assert (s2["normative"]["new"], s2["normative"]["abolished"], s2["normative"]["in_force"]) == (1, 1, 1)
    # xuke-1 (decision_count 12), xuke-2, xuke-3, future (2026-12-01): 15; expired.md is 2025's
    assert s2["licensing"]["count"] == 15
    assert s2["penalty"]["count"] == 3          # chufa-2 (3); chufa-1 is 2025's, withdrawn never published
    assert s2["enforcement"]["count"] == 2
    assert s2["fees"]["amount"] == "20345.67"   # 12345.67 + 8000 (yuan)


def test_section2_fee_in_wan_yuan_in_the_draft(cli):
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--format", "markdown")
    assert "| 行政事业性收费 | 2.03 |" in run.out
    assert "| 行政规范性文件 | 1 | 1 | 1 |" in run.out
    assert "| 行政许可 | 15 |" in run.out and "| 行政处罚 | 3 |" in run.out and "| 行政强制 | 2 |" in run.out


# ---------------------------------------------------------------- 三 收到和处理政府信息公开申请情况

EXPECTED_2026 = {
    #                         自然人 商业 科研 公益 法律 其他 总计
    "new":                    (3, 1, 1, 1, 1, 1, 8),
    "carried_in":             (1, 1, 0, 0, 0, 0, 2),    # 2025-007, 2025-008 (2025-003 closed in 2025)
    "disclosed":              (2, 0, 0, 0, 0, 0, 2),
    "partly":                 (0, 0, 0, 0, 1, 0, 1),    # 2026-003, the extended one
    "refused.third_party":    (1, 0, 0, 0, 0, 0, 1),
    "unable.not_held":        (0, 1, 0, 0, 0, 0, 1),
    "unable.needs_making":    (0, 0, 0, 1, 0, 0, 1),
    "not_handled.repeated":   (0, 1, 0, 0, 0, 0, 1),
    "other.other":            (0, 0, 1, 0, 0, 0, 1),    # 2026-004, withdrawn by the applicant
    "closed":                 (3, 2, 1, 1, 1, 0, 8),
    # subtotals (JSON only: the template shows just their reasons)
    "refused":                (1, 0, 0, 0, 0, 0, 1),
    "unable":                 (0, 1, 0, 1, 0, 0, 2),
    "not_handled":            (0, 1, 0, 0, 0, 0, 1),
    "other":                  (0, 0, 1, 0, 0, 0, 1),
    "carried_out":            (1, 0, 0, 0, 0, 1, 2),    # 2026-007 still open; 2026-008 closed in 2027
}


def test_section3_cell_by_cell(cli):
    s3 = report(cli)["section3"]
    reasons = [k for k in s3 if "." in k]
    assert len(reasons) == 8 + 3 + 5 + 3
    for key, cells in s3.items():
        assert row(cells) == EXPECTED_2026.get(key, (0,) * 7), key
    assert s3["refused"]["label"] == "（三）不予公开"
    assert s3["other.no_fee"]["label"] == "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"


def test_section3_balances_every_column(cli):
    s3 = report(cli)["section3"]
    for column in CLIENTS:
        assert s3["new"][column] + s3["carried_in"][column] == s3["closed"][column] + s3["carried_out"][column]


def test_section3_next_year_carries_in_what_this_year_carried_out(cli):
    s3 = report(cli, SITE, "2027")["section3"]
    assert row(s3["carried_in"]) == EXPECTED_2026["carried_out"]
    assert row(s3["new"]) == (0,) * 7
    assert row(s3["disclosed"]) == (0, 0, 0, 0, 0, 1, 1)      # 2026-008, closed 2027-01-05
    assert row(s3["carried_out"]) == (1, 0, 0, 0, 0, 0, 1)    # 2026-007


def test_section3_of_the_previous_year(cli):
    s3 = report(cli, SITE, "2025")["section3"]
    assert row(s3["new"]) == (2, 1, 0, 0, 0, 0, 3)
    assert row(s3["partly"]) == (1, 0, 0, 0, 0, 0, 1)
    assert row(s3["carried_out"]) == (1, 1, 0, 0, 0, 0, 2)


# ---------------------------------------------------------------- 四 行政复议、行政诉讼

def test_section4_cell_by_cell(cli):
    s4 = report(cli)["section4"]
    keys = ("upheld", "corrected", "other", "pending", "total")
    assert tuple(s4["review"][k] for k in keys) == (1, 1, 0, 1, 3)     # F2026-02 still open at year end
    assert tuple(s4["direct"][k] for k in keys) == (1, 0, 0, 0, 1)
    assert tuple(s4["after_review"][k] for k in keys) == (0, 0, 1, 0, 1)
    assert s4["direct"]["label"] == "未经复议直接起诉"


def test_section4_open_case_still_open_next_year(cli):
    s4 = report(cli, SITE, "2027")["section4"]
    assert (s4["review"]["pending"], s4["review"]["total"]) == (1, 1)


# ---------------------------------------------------------------- the outputs

def test_draft_page_is_a_draft_with_six_sections(cli, tmp_path):
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--format", "markdown")
    assert run.code == 0
    head = run.out.split("---", 2)[1]
    assert "status: draft" in head and "title: 示例市质量技术监督局2026年政府信息公开工作年度报告" in head
    for heading in ("## 一、总体情况", "## 二、主动公开政府信息情况", "## 三、收到和处理政府信息公开申请情况",
                    "## 四、政府信息公开行政复议、行政诉讼情况", "## 五、存在的主要问题及改进情况", "## 六、其他需要报告的事项"):
        assert heading in run.out
    assert "本年新收政府信息公开申请8件，上年结转2件" in run.out
    assert "经批准延长答复期限的1件" in run.out
    # the page goes into content/pages and is not published while it is a draft
    site = tmp_path / "site"
    shutil.copytree(SITE, site)
    (site / "content" / "pages" / "annual-report-2026.md").write_text(run.out, encoding="utf-8")
    out = tmp_path / "web"
    assert cli("build", "--site", site, "--now", NOW, "--out", out, "--quiet").code == 0
    assert not any("annual-report-2026" in p.as_posix() for p in out.rglob("*"))
    assert not any("2026年政府信息公开工作年度报告" in p.read_text(encoding="utf-8")
                   for p in out.rglob("*.html"))


def test_the_draft_is_deterministic(cli):
    args = ("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--format", "markdown")
    assert cli(*args).out == cli(*args).out


def test_explain_lists_files_and_lines(cli):
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--explain", "无法提供")
    assert run.code == 0, run.err
    assert "registers/applications.csv:5  编号 2025-008" in run.out
    assert "registers/applications.csv:12  编号 2026-006" in run.out
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--explain", "licensing")
    assert "content/fagui/xuke-1.md:" in run.out and "（12）" in run.out and "本年处理决定数量：15" in run.out
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--explain", "尚未审结")
    assert run.code == 2          # a column, not a row: the usage error lists the rows
    run = cli("annual-report", "--site", SITE, "--now", NOW, "--year", "2026", "--explain", "review")
    assert "registers/cases.csv:4  编号 F2026-02" in run.out


def test_intranet_page_has_the_template_tables(cli, tmp_path):
    out = tmp_path / "intranet"
    assert cli("build", "--site", SITE, "--target", "intranet", "--now", NOW, "--out", out, "--quiet").code == 0
    page = (out / "dashboard" / "annual" / "2026" / "index.html").read_text(encoding="utf-8")
    assert '<th scope="row" rowspan="22">三、本年度办理结果</th>' in page
    assert ('<th scope="row" rowspan="8">（三）不予公开</th><th scope="row">1.属于国家秘密</th>'
            + "<td>0</td>" * 7) in page
    assert ('<th scope="row" colspan="3">四、结转下年度继续办理</th>'
            + "".join(f"<td>{v}</td>" for v in EXPECTED_2026["carried_out"])) in page
    assert "<tr><td>1</td><td>1</td><td>0</td><td>1</td><td>3</td><td>1</td>" in page    # 四
    assert '<td colspan="3">2.03</td>' in page
    dashboard = (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "依申请公开办理时限" in dashboard and "编号 2026-007" in dashboard


def test_registers_never_reach_any_output(cli, tmp_path):
    secrets = ("备注含逗号", "早已审结", "applications.csv", "cases.csv")
    for target in ("website", "intranet", "kiosk"):
        out = tmp_path / target
        assert cli("build", "--site", SITE, "--target", target, "--now", NOW, "--out", out, "--quiet").code == 0
        for path in out.rglob("*"):
            assert "registers" not in path.relative_to(out).parts
            if path.is_file() and path.suffix in (".html", ".json", ".xml", ".txt", ".js", ".csv"):
                text = path.read_text(encoding="utf-8", errors="replace")
                assert not any(s in text for s in secrets), (target, path)


# ---------------------------------------------------------------- compliance: 条例 第三十三条

def test_compliance_applications_by_department(cli):
    run = cli("compliance", "--site", SITE, "--now", NOW, "--format", "json")
    data = json.loads(run.out)
    assert {"items", "departments", "categories", "totals", "warnings"} <= set(data)     # the old keys stay
    assert data["application_departments"]["法规处"] == {"on_time": 4, "late": 2, "pending": 0, "overdue": 0, "extended": 1}
    assert data["application_departments"]["办公室"] == {"on_time": 4, "late": 0, "pending": 0, "overdue": 1, "extended": 0}
    extended = next(a for a in data["applications"] if a["no"] == "2026-003")
    assert extended["deadline"] == "2026-04-30" and extended["final_deadline"] == "2026-06-01"
    assert extended["state"] == "on_time" and extended["line"] == 9
    overdue = next(a for a in data["applications"] if a["no"] == "2026-007")
    assert overdue["state"] == "overdue" and overdue["final_deadline"] == "2027-01-15"
    text = cli("compliance", "--site", SITE, "--now", NOW).out
    assert "超期未答复：应于 2027-01-15 前答复" in text and "延期答复：原期限 2026-04-30，延长至 2026-06-01" in text


# ---------------------------------------------------------------- validation

@pytest.fixture
def site(tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(SITE, copy)
    return copy


def broken(cli, site, rel, text):
    (site / rel).write_text(text, encoding="utf-8")
    return cli("annual-report", "--site", site, "--now", NOW, "--year", "2026")


def test_register_errors_name_file_line_and_column(cli, site):
    run = broken(cli, site, "registers/applications.csv",
                 "no,received,applicant,department,result,reason,closed,extended\n"
                 "A1,2026-02-30,自然人,办公室,,,,\n"
                 "A2,2026-03-01,个体户,办公室,,,,\n"
                 "A3,2026-03-01,自然人,财务科,,,,\n"
                 "A4,2026-03-01,自然人,办公室,不予公开,看心情,2026-03-05,\n"
                 "A5,2026-03-01,自然人,办公室,予以公开,,,\n"
                 "A5,2026-03-01,自然人,办公室,,,,也许\n")
    assert run.code == 1 and run.out == ""
    err = run.err
    assert "registers/applications.csv:2: received: 收到日期“2026-02-30”不是有效的日期。" in err
    assert "registers/applications.csv:3: applicant: 申请人类型“个体户”无效。" in err
    assert "registers/applications.csv:4: department: 未知的承办科室“财务科”。" in err
    assert "registers/applications.csv:5: reason: 不予公开：理由“看心情”无效。" in err
    assert "registers/applications.csv:6: closed:" in err
    assert "registers/applications.csv:7: no: 编号“A5”与第 6 行重复。" in err
    assert "registers/applications.csv:7: extended:" in err


def test_register_with_a_personal_data_column_is_refused(cli, site):
    run = broken(cli, site, "registers/applications.csv",
                 "no,received,applicant,department,name\nA1,2026-02-01,自然人,办公室,张三\n")
    assert run.code == 1
    assert "registers/applications.csv:1: name: 未知的列“name”。" in run.err and "个人信息" in run.err


def test_case_register_errors(cli, site):
    run = broken(cli, site, "registers/cases.csv",
                 "no,kind,filed,result,closed\n# 注释行\nC1,仲裁,2026-01-01,,\nC2,行政复议,2026-05-01,维持,2026-04-01\n")
    assert run.code == 1
    assert "registers/cases.csv:3: kind: 类别“仲裁”无效。" in run.err
    assert "registers/cases.csv:4: closed: 日期 2026-04-01 早于收到日期 2026-05-01。" in run.err


def test_item_fields_are_validated(cli, site):
    item = site / "content" / "fagui" / "chufa-2.md"
    item.write_text(item.read_text(encoding="utf-8").replace("decision_count: 3", "decision_count: -1"),
                    encoding="utf-8")
    shoufei = site / "content" / "bangong" / "shoufei-1.md"
    shoufei.write_text(shoufei.read_text(encoding="utf-8").replace("12345.67", "12.345"), encoding="utf-8")
    run = cli("check", "--site", site)
    assert run.code == 1
    assert "content/fagui/chufa-2.md:8: decision_count:" in run.err
    assert "content/bangong/shoufei-1.md:8: fee_amount:" in run.err


def test_site_toml_mapping_must_name_leaves(cli, site):
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('penalty = ["0205"]', 'penalty = ["02", "无此分类"]'),
                    encoding="utf-8")
    run = cli("annual-report", "--site", site, "--now", NOW)
    assert run.code == 2
    assert "annual_report.penalty[0]" in run.err and "“02”不是目录中的末级分类" in run.err
    assert "“无此分类”不是目录中的末级分类" in run.err


def test_a_site_without_registers_reports_zeros(cli):
    s3 = report(cli, SITES / "golden")["section3"]
    assert all(row(cells) == (0,) * 7 for cells in s3.values())


def test_dashboard_counts_register_problems_without_quoting_them(cli, site, tmp_path):
    path = site / "registers" / "applications.csv"
    path.write_text(path.read_text(encoding="utf-8") + "2026-099,2026-05-01,张某某,办公室,,,,否,\n", encoding="utf-8")
    out = tmp_path / "intranet"
    assert cli("build", "--site", site, "--target", "intranet", "--now", NOW, "--out", out, "--quiet").code == 0
    dashboard = (out / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "registers/applications.csv 有 1 个问题" in dashboard and "张某某" not in dashboard


def test_check_validates_the_registers_at_file_line(tmp_path, cli):
    site = tmp_path / "site"
    shutil.copytree(SITES / "annual", site)
    register = site / "registers" / "applications.csv"
    lines = register.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    number = next(i for i, line in enumerate(lines) if i and not line.startswith("#"))
    row = lines[number].split(",")
    row[header.index("received")] = "2026-13-40"
    lines[number] = ",".join(row)
    register.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = cli("check", "--site", site, "--now", NOW)
    assert run.code == 1
    assert f"registers/applications.csv:{number + 1}: received: " in run.err, run.err
