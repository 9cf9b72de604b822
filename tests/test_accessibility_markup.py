"""Accessibility in the markup of every page of every target (无障碍), and the site identification
that 国办发〔2017〕47号 asks of a government site on every page: 网站标识码, ICP 备案号 (linked to the MIIT
filing site, except on the offline kiosk), 公安备案号, 党政机关网站标识, 政务公开举报电话 and 信箱.

The golden fixture site is built for the three targets; every HTML page is parsed (html.parser)."""
import re
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin
from urllib.request import urlopen

import pytest

from support import GOLDEN_SITE, NOW

from generator.cli import main

FOOTER = {"site_code": "3212000001", "icp": "苏ICP备00000000号", "police": "苏公网安备32120002000000号",
          "contact": "0523-86880000", "mailbox": "zwgk@example.gov.cn"}       # tests/fixtures/sites/golden/site.toml
MIIT = "https://beian.miit.gov.cn/"
BADGE = "static/badge/dzjg.png"
BADGE_LINK = "https://bszs.conac.cn/sitename?method=show&id=0000000000000000"
STANDALONE = {"pagefind"}          # folders of other tools' files, not pages


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    out = tmp_path_factory.mktemp("a11y-markup")
    for target in ("website", "intranet", "kiosk"):
        assert main(["build", "--site", str(GOLDEN_SITE), "--target", target, "--now", NOW,
                     "--out", str(out / target), "--quiet"]) == 0
    return out


class Page(HTMLParser):
    """What the checks need of one page: tags with attributes, text of h1s, table structure."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.stack: list[str] = []
        self.h1: list[str] = []
        self.text: list[str] = []
        self.tables: list[dict] = []       # {"th": [scope…], "in_head": [bool…]}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "table":
            self.tables.append({"th": [], "meta": "meta" in (attrs.get("class") or "")})
        if tag == "th" and self.tables:
            self.tables[-1]["th"].append(attrs.get("scope"))
        if tag not in ("meta", "link", "br", "img", "input", "hr", "source", "col", "wbr"):
            self.stack.append(tag)
            if tag == "h1":
                self.h1.append("")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if "h1" in self.stack and self.h1:
            self.h1[-1] += data
        if "script" not in self.stack and "style" not in self.stack:
            self.text.append(data)

    def find(self, tag, **want):
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in want.items())]


def pages(folder):
    for path in sorted(folder.rglob("*.html")):
        rel = path.relative_to(folder)
        if rel.parts[0] in STANDALONE:
            continue
        parser = Page()
        parser.feed(path.read_text(encoding="utf-8"))
        yield rel.as_posix(), parser


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
def test_structure_of_every_page(builds, target):
    seen = 0
    for rel, page in pages(builds / target):
        seen += 1
        html = page.find("html")
        assert html and html[0].get("lang") == "zh-CN", rel
        assert len(page.h1) == 1 and page.h1[0].strip(), (rel, page.h1)          # exactly one, not empty
        assert len(page.find("main")) == 1 and page.find("main")[0].get("id") == "main", rel
        assert page.find("header") and page.find("footer") and page.find("nav"), rel   # landmarks
        assert page.find("title"), rel
        for img in page.find("img"):
            assert img.get("alt"), (rel, img)
        for table in page.tables:
            assert table["th"], (rel, "a data table without headers")
            assert all(scope in ("col", "row") for scope in table["th"]), (rel, table)
        if target != "kiosk":
            assert page.find("a", **{"class": "skip", "href": "#main"}), rel          # skip link
            bar = page.find("div", id="a11y-bar")                                    # 长者模式 toggle
            assert bar and "hidden" in bar[0] and bar[0].get("role") == "group", rel
            assert [b.get("data-a11y") for b in page.find("button", **{"class": "a11y-toggle"})] == ["elder", "xl"]
            assert any(s.get("src", "").endswith("static/a11y.js") and "defer" not in s for s in page.find("script")), rel
    assert seen >= 15


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
def test_site_identification_on_every_page(builds, target):
    out = builds / target
    assert (out / BADGE).read_bytes() == (GOLDEN_SITE / "badge" / "dzjg.png").read_bytes()
    for rel, page in pages(out):
        text = "".join(page.text)
        assert f"网站标识码：{FOOTER['site_code']}" in text, rel
        assert FOOTER["icp"] in text and FOOTER["police"] in text, rel
        assert f"政务公开举报电话：{FOOTER['contact']}" in text, rel
        assert f"信箱：{FOOTER['mailbox']}" in text, rel
        badge = page.find("img", alt="党政机关网站标识")
        assert len(badge) == 1, rel
        assert (out / rel).parent.joinpath(badge[0]["src"]).resolve() == (out / BADGE).resolve() or \
            badge[0]["src"].endswith(BADGE), rel                 # relative, or absolute under base_url (404)
        icp_links = [a for a in page.find("a") if a.get("href") == MIIT]
        conac = [a for a in page.find("a") if a.get("href") == BADGE_LINK]
        if target == "kiosk":
            assert icp_links == [] and conac == [], rel              # offline: no external links
            assert not [a for a in page.find("a") if a.get("href", "").startswith("mailto:")], rel
        else:
            assert len(icp_links) == 1 and len(conac) == 1, rel
            assert [a for a in page.find("a") if a.get("href") == "mailto:" + FOOTER["mailbox"]], rel


class Named(HTMLParser):
    """Links and buttons with an aria-label, and the words they show (aria-hidden parts left out)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.open: list[list] = []         # [tag, label, words, hidden depth]
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for control in self.open:
            if tag not in ("img", "br", "input"):
                control[3] += 1 if control[3] or attrs.get("aria-hidden") == "true" else 0
        if tag in ("a", "button") or attrs.get("role") in ("button", "link", "tab", "menuitem"):
            self.open.append([tag, attrs.get("aria-label"), "", 0])

    def handle_endtag(self, tag):
        for control in self.open:
            if control[3]:
                control[3] -= 1
        if self.open and self.open[-1][0] == tag:
            control = self.open.pop()
            if control[1] is not None:
                self.found.append((control[0], control[1], control[2].strip()))

    def handle_data(self, data):
        for control in self.open:
            if not control[3]:
                control[2] += data


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
def test_an_accessible_name_holds_the_words_shown(builds, target):
    """WCAG 2.5.3 (label in name): a link or button whose aria-label differs from its words is named by
    something a speech-input user cannot say. The kiosk's 字号 button once said 字号 and showed 标准."""
    for path in sorted((builds / target).rglob("*.html")):
        if path.relative_to(builds / target).parts[0] in STANDALONE:
            continue
        parser = Named()
        parser.feed(path.read_text(encoding="utf-8"))
        for tag, label, words in parser.found:
            assert " ".join(words.split()) in " ".join(label.split()), (path, tag, label, words)


def test_item_page_prints_its_address_and_index_number(builds):
    page = (builds / "website" / "quanli/xuke/2026-00001/index.html").read_text(encoding="utf-8")
    assert ('<p class="print-only print-url">本页网址：<span data-print-url="https://zwgk.example.gov.cn/zj/'
            'quanli/xuke/2026-00001/">https://zwgk.example.gov.cn/zj/quanli/xuke/2026-00001/</span></p>') in page
    assert '<link rel="canonical" href="https://zwgk.example.gov.cn/zj/quanli/xuke/2026-00001/">' in page
    intranet = (builds / "intranet" / "quanli/xuke/2026-00001/index.html").read_text(encoding="utf-8")
    assert '本页网址：<span data-print-url="">/quanli/xuke/2026-00001/</span>' in intranet


def test_badge_is_optional_and_checked(golden_copy, tmp_path, cli):
    toml = golden_copy / "site.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(re.sub(r"^badge.*\n", "", text, flags=re.M), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "plain", "--quiet")
    assert run.code == 0, run.err
    assert "党政机关网站标识" not in (tmp_path / "plain" / "index.html").read_text(encoding="utf-8")
    assert not (tmp_path / "plain" / "static" / "badge").exists()

    line = text.splitlines().index('badge = "badge/dzjg.png"                         '
                                   '# 党政机关网站标识 (a test placeholder, not the real mark)') + 1
    (tmp_path / "outside.png").write_bytes((GOLDEN_SITE / "badge" / "dzjg.png").read_bytes())
    for value, message in (("badge/missing.png", "找不到党政机关网站标识图片“badge/missing.png”。"),
                           ("../outside.png", "找不到党政机关网站标识图片“../outside.png”。"),   # outside the site
                           ("site.toml", "党政机关网站标识“site.toml”不是图片。")):
        toml.write_text(text.replace('badge = "badge/dzjg.png"', f'badge = "{value}"'), encoding="utf-8")
        run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "bad", "--quiet")
        assert run.code == 2
        assert f"site.toml:{line}: site.footer.badge: {message}" in run.err, run.err
        assert not (tmp_path / "bad").exists()


# --- links to attachments: valid URLs, percent-encoded; the names shown as they are ----------------

ODD_NAMES = ("a#1.pdf", "a b.pdf", "中文.pdf", "100%.pdf", "q&a'\"x.pdf", "sub/问 答?.pdf")


def odd_attachments(site):
    """An item and a fixed page whose attachments have names that are not valid in a URL as they are."""
    folder = site / "content" / "fagui"
    (folder / "sub").mkdir()
    for name in ODD_NAMES:
        (folder / name).write_bytes(f"%PDF-1.4 {name}".encode("utf-8"))
    names = ", ".join('"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"' for n in ODD_NAMES)
    (folder / "odd.md").write_text(
        "---\ntitle: 附件名称测试\ncategory: \"0204\"\nindex_no: 014000184/2026-00041\nstatus: approved\n"
        f"reviewer: 王建春\npub_date: 2026-03-03\nattachments: [{names}]\n---\n\n"
        "正文中的附件：[附件一](<a b.pdf>)、[附件二](中文.pdf)、[附件三](a%231.pdf)。\n", encoding="utf-8")
    pages = site / "content" / "pages"
    (pages / "a b.pdf").write_bytes(b"%PDF-1.4 page")
    (pages / "odd-page.md").write_text("---\ntitle: 附件页\norder: 9\nattachments: [\"a b.pdf\"]\n---\n\n正文。\n",
                                       encoding="utf-8")


def test_attachment_links_are_percent_encoded_and_resolve(golden_copy, tmp_path, cli, serve):
    odd_attachments(golden_copy)
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet")
    assert run.code == 0, run.err
    page_dir = out / "quanli/xuke/2026-00041"
    parser = Page()
    parser.feed((page_dir / "index.html").read_text(encoding="utf-8"))
    links = [a for a in parser.find("a") if "download" in a]
    hrefs = [a["href"] for a in links]
    assert len(hrefs) == len(ODD_NAMES)
    base = serve(out) + "quanli/xuke/2026-00041/"
    for name, href in zip(ODD_NAMES, hrefs):
        assert re.fullmatch(r"[A-Za-z0-9._~/%-]+", href) and not re.search(r"%(?![0-9A-F]{2})", href), href
        assert unquote(href) == name                                  # the file's own name, encoded
        assert (page_dir / name).read_bytes() == f"%PDF-1.4 {name}".encode("utf-8")   # on disk as it is
        with urlopen(urljoin(base, href)) as response:                 # and the link fetches it
            assert response.read() == f"%PDF-1.4 {name}".encode("utf-8")
    text = "".join(parser.text)
    for name in ODD_NAMES:
        assert name.rsplit("/", 1)[-1] in text                        # shown as it is
    body = [a["href"] for a in parser.find("a") if "download" not in a and a.get("href", "").endswith(".pdf")]
    assert body == ["a%20b.pdf", "%E4%B8%AD%E6%96%87.pdf", "a%231.pdf"]   # the body's own links (markdown-it)
    fixed = Page()
    fixed.feed((out / "odd-page" / "index.html").read_text(encoding="utf-8"))
    [link] = [a for a in fixed.find("a") if a.get("href", "").endswith(".pdf")]
    assert link["href"] == "a%20b.pdf" and "a b.pdf" in "".join(fixed.text)
    with urlopen(urljoin(serve(out) + "odd-page/", link["href"])) as response:
        assert response.read() == b"%PDF-1.4 page"


