"""The 政府信息公开专栏 around the catalogue (issue 17, section 1): the `[[columns]]` entries of site.toml
(validated like every key), the item's metadata table in the national order with no blank cell or half row,
发布机构 = the bureau by default and the 科室 in its own row, the HTML 网站地图 and 联系我们 pages and their
reserved addresses, and the footer's 公安备案 link."""
import re
from html.parser import HTMLParser

import pytest

from support import GOLDEN_SITE, NOW

from generator import urls
from generator.cli import main
from generator.config import load_config
from generator.errors import ConfigError
from generator.targets import TARGETS

SITE = """\
[site]
title = "测试局 政府信息公开"
base_url = "https://zwgk.example.gov.cn/zj"
org_code = "014000184"
publisher = "测试局"

[[sections]]
folder = "fagui"
department = "法规处"

[[categories]]
code = "02"
name = "行政权力运行公开"
slug = "quanli"
"""
NATIONAL = ["索引号", "目录分类", "发布机构", "成文日期", "发布日期", "文号", "名称", "主题词", "内容概述", "有效性"]


def write(tmp_path, text):
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    return tmp_path


def line_of(text, needle):
    return text[:text.index(needle)].count("\n") + 1


def problems_of(root):
    with pytest.raises(ConfigError) as raised:
        load_config(root)
    return raised.value.problems


# ---------------------------------------------------------------- site.toml: [[columns]] and [site.contact]

def test_columns_are_read_in_order_with_pinyin_slugs(tmp_path):
    text = SITE + ('[[columns]]\ntitle = "政府信息公开指南"\npages = ["guide"]\n'
                   '[[columns]]\ntitle = "法定主动公开内容"\nslug = "fading"\ncatalogue = true\n'
                   '[[columns]]\ntitle = "政府信息公开年报"\nslug = "nianbao"\npages = ["annual-report-*"]\n')
    config = load_config(write(tmp_path, text))
    assert [(c.title, c.slug, c.pages, c.catalogue) for c in config.columns] == [
        ("政府信息公开指南", "zhengfuxinxigongkaizhinan", ("guide",), False),
        ("法定主动公开内容", "fading", (), True),
        ("政府信息公开年报", "nianbao", ("annual-report-*",), False)]
    assert [c.url for c in config.columns] == ["/zhuanlan/zhengfuxinxigongkaizhinan/", "/", "/zhuanlan/nianbao/"]
    assert load_config(write(tmp_path, SITE)).columns == ()          # no [[columns]]: no 专栏


@pytest.mark.parametrize("entry, needle, field, message", [
    ('title = "指南"\nmenu = "x"\n', "menu", "columns[0].menu", "未知的设置项。"),
    ('title = "指南"\npages = ["../etc"]\n', "pages", "columns[0].pages", "“../etc”不是固定页面的网址名。"),
    ('title = "指南"\nslug = "Zhi Nan"\n', "slug", "columns[0].slug", "格式不对"),
    ('slug = "zhinan"\n', "[[columns]]", "columns[0].title", "缺少必填字段。"),
    ('title = "目录"\ncatalogue = true\npages = ["guide"]\n', "pages", "columns[0].pages", "是目录本身"),
])
def test_a_bad_column_is_an_error_at_its_line(tmp_path, entry, needle, field, message):
    text = SITE + "\n[[columns]]\n" + entry
    [problem] = problems_of(write(tmp_path, text))
    start = text.index("[[columns]]")
    assert (problem.file, problem.field) == ("site.toml", field)
    assert problem.line == text[:text.index(needle, start)].count("\n") + 1
    assert message in problem.message


def test_two_columns_with_one_address_are_an_error(tmp_path):
    text = SITE + '[[columns]]\ntitle = "指南"\nslug = "zhinan"\n[[columns]]\ntitle = "另一个"\nslug = "zhinan"\n'
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.line, problem.field) == (text.count("\n"), "columns[1].slug")
    assert "与第 1 个专栏相同" in problem.message


def test_contact_settings_are_checked(tmp_path):
    text = SITE.replace("[[sections]]", '[site.contact]\naddress = "某路1号"\npostcode = "2253"\nemail = "x"\n\n'
                                        "[[sections]]")
    found = {(p.line, p.field) for p in problems_of(write(tmp_path, text))}
    assert found == {(line_of(text, "postcode"), "site.contact.postcode"), (line_of(text, "email"), "site.contact.email")}


def test_the_new_addresses_are_reserved_and_written_by_website_and_intranet(tmp_path):
    for name in ("zhuanlan", "sitemap", "contact"):
        assert name in urls.GENERATED
        assert name in TARGETS["website"].writes and name in TARGETS["intranet"].writes
        assert name not in TARGETS["kiosk"].writes          # the kiosk's own templates have no such pages
    text = SITE.replace('slug = "quanli"', 'slug = "sitemap"')
    [problem] = problems_of(write(tmp_path, text))
    assert (problem.line, problem.field) == (line_of(text, 'slug = "sitemap"'), "categories[0].slug")
    assert "网站地图" in problem.message


def test_a_fixed_page_cannot_take_the_contact_address(golden_copy, tmp_path, cli):
    (golden_copy / "content" / "pages" / "lianxi.md").write_text("---\ntitle: 联系方式\nslug: contact\n---\n正文。\n",
                                                                 encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out", "--quiet")
    assert run.code == 1
    assert "content/pages/lianxi.md:3: slug: 网址 /contact/ 已被 生成器的联系我们 使用。" in run.err


# ---------------------------------------------------------------- the golden site, built

class Parsed(HTMLParser):
    """The metadata table's rows ((label, value, classes)) and every link of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows, self.links, self.cell, self.in_meta, self.tr_class = [], [], None, False, ""
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "meta" in (attrs.get("class") or ""):
            self.in_meta = True
        if self.in_meta and tag == "tr":
            self.tr_class, self.row = attrs.get("class") or "", []
        if self.in_meta and tag in ("th", "td"):
            self.cell = ""
        if tag == "a":
            self.links.append(attrs.get("href"))

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_meta = False
        if self.in_meta and tag in ("th", "td"):
            self.row.append(self.cell.strip())
            self.cell = None
        if self.in_meta and tag == "tr":
            self.rows.append((*self.row, self.tr_class))

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        self.text.append(data)


def parse(path):
    parser = Parsed()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("columns")
    for target in ("website", "intranet", "kiosk"):
        assert main(["build", "--site", str(GOLDEN_SITE), "--target", target, "--now", NOW,
                     "--out", str(out / target), "--quiet"]) == 0
    return out


def item_pages(folder):
    return [p for p in sorted(folder.rglob("index.html")) if re.search(r"/\d{4}-\d{5}/index\.html$", p.as_posix())]


@pytest.mark.parametrize("target", ["website", "intranet"])
def test_metadata_in_the_national_order_with_no_blank_cell_or_half_row(built, target):
    pages = item_pages(built / target)
    assert len(pages) >= 5
    for path in pages:
        rows = parse(path).rows
        labels = [r[0] for r in rows]
        extra = ["责任部门", "更新日期"] + (["公开范围"] if target == "intranet" else [])
        assert labels == NATIONAL + extra, path
        assert all(r[1] for r in rows), (path, rows)                 # never a blank cell: "—" instead
        half = 0                                                    # short rows pair up between the wide ones
        for label, value, classes in rows:
            if "wide" in classes:
                assert half % 2 == 0, (path, label)
                half = 0
            else:
                half += 1
        assert half % 2 == 0, path
        assert {r[0] for r in rows if "wide" in r[2]} >= {"名称", "主题词", "内容概述"}


def test_metadata_values_of_the_golden_items(built):
    full = {r[0]: r[1] for r in parse(built / "website/quanli/xuke/2026-00001/index.html").rows}
    assert full == {"索引号": "014000184/2026-00001", "目录分类": "行政权力运行公开 > 行政许可",
                    "发布机构": "示例市质量技术监督局", "成文日期": "2026-02-27", "发布日期": "2026-03-02",
                    "文号": "示质监许〔2026〕1号", "名称": "关于准予泰州市恒达起重机械有限公司特种设备生产许可的决定",
                    "主题词": "行政许可、特种设备", "内容概述": "准予许可，许可项目为桥式起重机制造。", "有效性": "有效",
                    "责任部门": "法规处", "更新日期": full["更新日期"]}
    sparse = {r[0]: r[1] for r in parse(built / "website/neiwu/caigou/2026-00013/index.html").rows}
    assert (sparse["成文日期"], sparse["文号"], sparse["主题词"]) == ("—", "—", "—")
    assert (sparse["发布机构"], sparse["责任部门"]) == ("示例市质量技术监督局", "办公室")
    expiring = {r[0]: r[1] for r in parse(built / "website/quanli/xuke/2026-00002/index.html").rows}
    assert expiring["有效性"] == "有效（2027-05-10 起失效）"
    internal = built / "intranet"
    scopes = {parse(p).rows[-1][1] for p in item_pages(internal)}
    assert scopes == {"主动公开", "内部公开 内部"}                      # the intranet's internal items say so


def test_publisher_defaults_to_the_bureau_and_full_name_names_the_section(tmp_path):
    text = SITE.replace('department = "法规处"', 'department = "法规处"\nfull_name = "测试局政策法规处"')
    config = load_config(write(tmp_path, text))
    assert config.sections["fagui"].publisher == "测试局"
    assert config.sections["fagui"].full_name == "测试局政策法规处"
    assert load_config(write(tmp_path, SITE)).sections["fagui"].full_name == "法规处"


def test_every_page_links_the_zhuanlan_entries(built):
    config = load_config(GOLDEN_SITE)
    home = (built / "website" / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="zhuanlan-nav" aria-label="政府信息公开专栏">(.*?)</nav>', home, re.S).group(1)
    assert re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav) == [
        ("guide/", "政府信息公开指南"),                  # one named page: straight to it
        ("zhuanlan/zhidu/", "政府信息公开制度"),          # no page yet: its landing page says so
        ("./", "法定主动公开内容"),                       # the catalogue: the home page
        ("zhuanlan/nianbao/", "政府信息公开年报"),
        ("zhuanlan/yishenqinggongkai/", "依申请公开")]
    assert [c.title for c in config.columns] == [t for _, t in re.findall(r'<a href="([^"]*)"[^>]*>([^<]*)</a>', nav)]
    for target in ("website", "intranet"):
        for path in sorted((built / target).rglob("*.html")):
            rel = path.relative_to(built / target).as_posix()
            if rel.startswith("pagefind/"):
                continue
            html = path.read_text(encoding="utf-8")
            assert 'aria-label="政府信息公开专栏"' in html, rel
            assert ">网站地图</a>" in html and ">联系我们</a>" in html, rel
    zhidu = parse(built / "website" / "zhuanlan" / "zhidu" / "index.html")
    assert "暂无内容。" in "".join(zhidu.text)
    apply = parse(built / "website" / "zhuanlan" / "yishenqinggongkai" / "index.html")
    assert "暂无内容。" in "".join(apply.text)                         # "apply" is not in the fixture
    for name in ("zhuanlan", "sitemap", "contact"):
        assert not (built / "kiosk" / name).exists()


def test_annual_reports_newest_first(golden_copy, tmp_path, cli):
    pages = golden_copy / "content" / "pages"
    for year in (2023, 2025, 2024):
        (pages / f"annual-report-{year}.md").write_text(
            f"---\ntitle: 示例市质量技术监督局{year}年政府信息公开工作年度报告\n---\n正文。\n", encoding="utf-8")
    (pages / "annual-draft.md").write_text("---\ntitle: 草稿\nslug: annual-report-2026\nstatus: draft\n---\n正文。\n",
                                           encoding="utf-8")
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet").code == 0
    column = (out / "zhuanlan" / "nianbao" / "index.html").read_text(encoding="utf-8")
    main_part = column[column.index("<main"):column.index("</main>")]
    assert re.findall(r'href="\.\./\.\./annual-report-(\d+)/"', main_part) == ["2025", "2024", "2023"]
    home = (out / "index.html").read_text(encoding="utf-8")
    card = home[home.index("<h3><a href=\"zhuanlan/nianbao/\">政府信息公开年报</a>"):]
    assert re.findall(r'href="annual-report-(\d+)/"', card[:card.index("</ul>")]) == ["2025", "2024", "2023"]
    assert "annual-report-2026" not in home                          # a draft page is in no entry


def test_sitemap_lists_every_category_fixed_page_and_department(built):
    config = load_config(GOLDEN_SITE)
    for target in ("website", "intranet"):
        page = parse(built / target / "sitemap" / "index.html")
        text = "".join(page.text)
        assert "网站地图" in text
        shown = {c.code for c in config.categories.values() if (built / target / c.path / "index.html").is_file()}
        assert shown
        for code in shown:
            cat = config.categories[code]
            assert f"../{cat.path}/" in page.links, (target, code)
        assert all(f"../departments/{s}/" in page.links for s in config.sections)
        assert "../guide/" in page.links and "../contact/" in page.links and "../zhuanlan/" in page.links
        assert all(col.url == "/" and "../" in page.links or f"..{col.url}" in page.links for col in config.columns)
        for href in page.links:                                        # every link of the map leads somewhere
            if href.startswith("../"):
                target_path = (built / target / "sitemap" / href).resolve()
                assert (target_path / "index.html").is_file() or target_path.is_file(), (target, href)
    internal = built / "intranet"
    assert "../neiwu/renmian/" in parse(internal / "sitemap" / "index.html").links       # internal category
    assert "../neiwu/renmian/" not in parse(built / "website" / "sitemap" / "index.html").links


def test_contact_page_from_site_toml(built):
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>(.*?)</td></tr>',
                      (built / "website" / "contact" / "index.html").read_text(encoding="utf-8"))
    assert rows == [("主办单位", "示例市质量技术监督局"), ("受理机构", "示例市质量技术监督局办公室"),
                    ("通讯地址", "示例市人民路1号"), ("邮政编码", "225300"), ("咨询电话", "0523-86880001"),
                    ("政务公开举报电话", "0523-86880000"),
                    ("电子邮箱", '<a href="mailto:zwgk@example.gov.cn">zwgk@example.gov.cn</a>')]   # no 传真, 办公时间


def test_police_record_links_its_register_with_a_local_icon(built):
    home = (built / "website" / "index.html").read_text(encoding="utf-8")
    assert ('<a href="https://beian.mps.gov.cn/#/query/webSearch?code=32120002000000" rel="noopener">'
            '<img src="static/gongan.png" alt="公安备案" width="16" height="16">苏公网安备32120002000000号</a>') in home
    assert (built / "website" / "static" / "gongan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    kiosk = (built / "kiosk" / "index.html").read_text(encoding="utf-8")
    assert "beian.mps.gov.cn" not in kiosk                             # offline: the record as text only
    foot = home[home.index('<footer'):]
    assert foot.index("苏公网安备") < foot.index('class="gov-badge"')     # the 党政机关网站标识 last, at the centre
