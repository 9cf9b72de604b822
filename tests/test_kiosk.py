"""The kiosk target (电子触摸屏): its search index, what it must never hold, and offline links.

The site is the golden fixture with tests/kiosk_overlay/ laid over it: a long touchscreen-only item
with an attachment and links that would leave the folder, and a website-only item.
"""
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from support import NOW, ROOT, kiosk_site, tree_bytes

from generator.cli import main
from generator.kiosk import INDEX_URL, pinyin_forms, qr_svg

BASE_URL = "https://zwgk.example.gov.cn/zj/"          # tests/sites/golden/site.toml
MARKER = re.compile(r"留痕标记-[\w-]+")
PREFIX = "window.KIOSK_INDEX="


def build(site: Path, out: Path, target: str = "kiosk") -> dict:
    report = out.parent / f"{out.name}.json"
    code = main(["build", "--site", str(site), "--target", target, "--now", NOW, "--out", str(out),
                 "--report", str(report), "--quiet"])
    assert code == 0
    return json.loads(report.read_text(encoding="utf-8"))


def read_index(out: Path) -> dict:
    text = (out / INDEX_URL.lstrip("/")).read_text(encoding="utf-8")
    body = text[text.index(PREFIX) + len(PREFIX):].rstrip().rstrip(";")
    return json.loads(body)


def read_config(out: Path) -> dict:
    text = (out / "static" / "kiosk-config.js").read_text(encoding="utf-8")
    prefix = "window.KIOSK_CONFIG="
    return json.loads(text[text.index(prefix) + len(prefix):].rstrip().rstrip(";"))


def records(index: dict) -> list[dict]:
    return [dict(zip(index["fields"], row)) for row in index["items"]]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk")
    site = kiosk_site(folder / "site")
    kiosk = build(site, folder / "kiosk")
    website = build(site, folder / "website", "website")
    return site, folder / "kiosk", kiosk, website


def test_index_holds_exactly_the_published_kiosk_items(built):
    _, out, report, website = built
    index = read_index(out)
    urls = [r["url"] for r in records(index)]
    assert sorted(urls) == sorted(e["url"] for e in report["published"])
    assert len(urls) == 6                                        # 5 of the golden site + the kiosk-only one
    assert "/quanli/xuke/2026-00020/" in urls                    # touchscreen only
    web_only = next(e for e in website["published"] if e["index_no"].endswith("2026-00021"))
    assert web_only["url"] not in urls
    held = {e["file"] for e in report["held_back"]}
    assert "content/bangong/web-only.md" in held and "content/bangong/renmian.md" in held
    by_url = {r["url"]: r for r in records(index)}
    assert by_url["/quanli/xuke/2026-00001/"]["index_no"] == "014000184/2026-00001"
    assert by_url["/quanli/xuke/2026-00001/"]["keywords"] == ["行政许可", "特种设备"]
    assert urls == sorted(urls, key=lambda u: by_url[u]["date"], reverse=True)       # newest first


def test_index_carries_pinyin_full_and_initials(built):
    _, out, _, _ = built
    index = read_index(out)
    by_url = {r["url"]: r for r in records(index)}
    third = by_url["/quanli/xuke/2026-00003/"]                  # 行政许可事项办理结果公示（第三批）
    assert third["title_py"].startswith("xingzhengxukeshixiangbanlijieguogongshi")
    assert third["title_ini"] == "xzxksxbljggsdsp"
    guide = by_url["/quanli/xuke/2026-00020/"]
    assert guide["summary"] == "在服务大厅触摸屏上查阅的行政许可办事指南。"
    assert guide["text_ini"].split("|") == ["zfwdtcmpscydxzxkbszn", "bszn", "yhjf"]
    assert "yinhangjiaofei" in guide["text_py"]                 # 银行: hang, not xing
    categories = {c[0]: c for c in index["categories"]}
    assert categories["0204"] == ["0204", "行政许可", "xingzhengxuke", "xzxk"]
    assert "0404" not in categories                             # 干部任免 is internal: no kiosk item, no name
    assert [d[1] for d in index["departments"]] == ["法规处", "办公室"]


@pytest.mark.parametrize("text, full, initials", [
    ("行政许可", "xingzhengxuke", "xzxk"),
    ("中国银行", "zhongguoyinhang", "zgyh"),                     # phrase-aware: 行 in 银行 is hang
    ("银行行政", "yinhangxingzheng", "yhxz"),
    ("ISO9001认证", "iso9001renzheng", "iso9001rz"),
    ("《第2号》", "di2hao", "d2h"),
    ("", "", ""),
])
def test_pinyin_keys(text, full, initials):
    assert pinyin_forms(text) == (full, initials)


def test_no_trace_of_internal_website_only_or_held_back_items(built):
    """Every 留痕标记 of an item not published on the kiosk, and its 索引号 and title, are absent."""
    site, out, report, _ = built
    published = {e["file"] for e in report["published"]}
    absent = set()
    for path in sorted((site / "content").rglob("*.md")):
        rel = path.relative_to(site).as_posix()
        if rel in published or "/pages/" in rel:
            continue
        text = path.read_text(encoding="utf-8")
        absent |= set(MARKER.findall(text))
        absent |= set(re.findall(r'^index_no: "?([^"\n]+)"?$', text, re.M))
        absent |= {re.search(r"^title: \"?(.+?)\"?$", text, re.M).group(1)}
    assert {"留痕标记-internal", "留痕标记-channel", "留痕标记-website-only", "留痕标记-future",
            "014000184/2026-00021"} <= absent
    files = {p: data.decode("utf-8", "replace") for p, data in tree_bytes(out).items()}
    assert "static/kiosk-index.js" in files
    leaks = sorted((needle, path) for needle in absent for path, text in files.items() if needle in text)
    assert leaks == []


def test_example_site_kiosk_holds_no_website_only_item(tmp_path):
    # (held-back markers per target are proved on tests/sites/bureau in test_leaks.py)
    report = build(ROOT, tmp_path / "kiosk")
    files = {p: data.decode("utf-8", "replace") for p, data in tree_bytes(tmp_path / "kiosk").items()}
    text = "\n".join(files.values())
    website = build(ROOT, tmp_path / "website", "website")
    kiosk_files = {e["file"] for e in report["published"]}
    web_only = [e for e in website["published"] if e["file"] not in kiosk_files]
    assert web_only                                             # the example has website-only items
    for entry in web_only:
        assert entry["index_no"] not in text, entry["file"]
    assert len(records(read_index(tmp_path / "kiosk"))) == len(report["published"])


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data") and value is not None:
                self.links.append((tag, name, value))


def test_no_external_url_and_every_link_works_from_file(built):
    """No kiosk file names anything outside the folder. The one allowed exception is the website
    address printed as text beside an attachment's QR code (class web-address): it is not a link,
    the browser never requests it, and it must be exactly base_url + the page's path. The QR code
    itself is SVG path data, which holds no URL text."""
    _, out, _, _ = built
    printed = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.suffix not in (".html", ".js", ".css", ".svg", ".json"):
            continue
        rel = path.relative_to(out).as_posix()
        text = path.read_text(encoding="utf-8")
        for address in re.findall(r'<p class="web-address">([^<]*)</p>', text):
            assert address == BASE_URL + rel.removesuffix("index.html"), rel
            printed.append(address)
        rest = re.sub(r'<p class="web-address">[^<]*</p>', "", text)
        for needle in ("http://", "https://", "ftp://", "mailto:"):
            assert needle not in rest, f"{needle} in {rel}"
        assert not re.search(r"""(url\(|@import|src=|href=)\s*['"]?//""", rest), f"protocol-relative URL in {rel}"
        if path.suffix != ".html":
            continue
        parser = _Links()
        parser.feed(text)
        for tag, attr, value in parser.links:
            target = urlsplit(value)
            assert not target.scheme and not target.netloc and not value.startswith("/"), (rel, value)
            if not target.path:
                continue                                          # "#fn1" on the same page
            assert not target.path.endswith("/"), (rel, value)   # file:// shows a folder listing there
            resolved = (path.parent / unquote(target.path)).resolve()
            assert resolved.is_file() and out.resolve() in resolved.parents, (rel, value)
    assert printed == [BASE_URL + "apply/", BASE_URL + "quanli/xuke/2026-00001/"]   # all with attachments on the website


def test_attachments_are_not_copied_and_point_to_the_website(built):
    _, out, _, _ = built
    on_web = (out / "quanli/xuke/2026-00001/index.html").read_text(encoding="utf-8")
    assert "xuke-1-jueding.csv" in on_web and "download" not in on_web
    assert not (out / "quanli/xuke/2026-00001/xuke-1-jueding.csv").exists()
    address = BASE_URL + "quanli/xuke/2026-00001/"
    assert qr_svg(address, "本页网址二维码") in on_web                 # the QR code encodes that address
    assert '<svg width="' in on_web and 'class="qr" role="img"' in on_web
    kiosk_only = (out / "quanli/xuke/2026-00020/index.html").read_text(encoding="utf-8")
    assert "kiosk-only-biao.csv" in kiosk_only
    assert not (out / "quanli/xuke/2026-00020/kiosk-only-biao.csv").exists()
    assert "web-address" not in kiosk_only and '<svg width="' not in kiosk_only   # not on the website: no address
    assert "政务公开受理点" in kiosk_only and "0523-86880000" in kiosk_only
    page = (out / "apply/index.html").read_text(encoding="utf-8")
    assert "apply-form.csv" in page and qr_svg(BASE_URL + "apply/", "本页网址二维码") in page
    assert not [p for p in out.rglob("*") if p.suffix in (".csv", ".pdf", ".doc", ".xls", ".xlsx")]


def test_links_that_would_leave_the_folder_become_text(built):
    _, out, _, _ = built
    page = (out / "quanli/xuke/2026-00020/index.html").read_text(encoding="utf-8")
    assert '<span class="offline-link">门户网站</span>' in page
    assert '<span class="offline-link">办公室</span>' in page
    assert "［图片：流程示意图］" in page and "flow.png" not in page
    assert '<a href="../index.html">行政许可目录</a>' in page
    assert '<span class="offline-link">附件</span>' in page                # the attachment is not copied


def test_settings_search_screen_and_determinism(tmp_path):
    site = kiosk_site(tmp_path / "site")
    toml = site / "site.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + "\n[kiosk]\nidle_seconds = 30\n", encoding="utf-8")
    build(site, tmp_path / "a")
    build(site, tmp_path / "b")
    first, second = tree_bytes(tmp_path / "a"), tree_bytes(tmp_path / "b")
    assert first == second
    config = read_config(tmp_path / "a")
    assert config["idle_seconds"] == 30 and config["stale_days"] == 7          # stale_days: its default
    assert b'data-key="x"' in first["search/index.html"]
    for name in ("static/kiosk.css", "static/kiosk.js", "static/kiosk-search.js", "static/kiosk-index.js"):
        assert name in first
    website = build(site, tmp_path / "w", "website")
    assert website["errors"] == []
    assert not [p for p in tree_bytes(tmp_path / "w") if "kiosk" in p]          # no kiosk assets on the website


def test_rebuild_over_the_previous_output_reusing_its_pages(tmp_path):
    """The CLI reuses unchanged pages of the previous output (reuse.py): the kiosk's own files and its
    pages with attachments (re-rendered with `elsewhere`, links rewritten) must come out the same."""
    site = kiosk_site(tmp_path / "site")
    out = tmp_path / "kiosk"
    build(site, out)
    build(site, out)                                             # nothing changed: every page reusable
    fresh = tmp_path / "fresh"
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW, "--out", str(fresh),
                 "--quiet", "--no-cache"]) == 0
    assert tree_bytes(out) == tree_bytes(fresh)
    item = site / "content" / "fagui" / "kiosk-only.md"
    item.write_text(item.read_text(encoding="utf-8").replace("办事指南（触摸屏版）", "办事指南（第二版）"), encoding="utf-8")
    build(site, out)
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW, "--out", str(fresh),
                 "--quiet", "--no-cache"]) == 0
    assert tree_bytes(out) == tree_bytes(fresh)
    assert "办事指南（第二版）" in (out / "static" / "kiosk-index.js").read_text(encoding="utf-8")
    assert not (out / "quanli/xuke/2026-00001/xuke-1-jueding.csv").exists()


# --- hostile links: nothing may lead out of the kiosk folder ---------------------------------------

HOSTILE = """---
title: 上溯链接测试
category: "0204"
index_no: "014000184/2026-00031"
status: approved
reviewer: 王建春
pub_date: 2026-02-02
channels: [touchscreen]
---

上溯：[根目录](../../../../../../etc/)、[绝对路径](/etc/passwd)、[编码上溯](%2e%2e/%2E%2E/%2e%2e/%2e%2e/%2e%2e/)、
[斜杠编码](..%2F..%2F..%2F..%2F..%2F)、[反斜杠](..\\\\..\\\\..\\\\..\\\\..\\\\)、[盘符](C:/Windows/)、[竖线盘符](c|/Windows/)、
[主机](//fileserver/share/)、[文件协议](file:///etc/passwd)、[脚本](javascript:alert(1))、[引用式][up]、
[查询](../../../../?q=1)、[锚点](../../../../#top)、[先进后出](../../xuke/../../../../)、[空格](  ../../../../  )。

![](../../../../x.png)

[![图中链接](../../../../../y.png)](../../../../../)

站内：[本类目录](../)、[首页](../../../)、[同页锚点](#top)、[目录中转](../../../quanli/../quanli/xuke/)、[带查询](../?q=1#x)。

[up]: ../../../../../../../
"""
OUTSIDE = ("根目录", "绝对路径", "编码上溯", "斜杠编码", "反斜杠", "盘符", "竖线盘符", "主机", "引用式", "查询",
           "锚点", "先进后出", "空格")


def references(page: Path) -> list[tuple[str, str, str]]:
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.links


def leaves(out: Path, page: Path, value: str) -> bool:
    """Whether a reference of `page` (an attribute value, entities already decoded) names something
    outside `out`, read as a browser on Windows or Linux would: any scheme or host, an absolute path,
    and a relative path resolved with its percent-escapes decoded and backslashes as separators."""
    value = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(33))))
    target = urlsplit(value)
    if target.scheme or target.netloc or value.startswith(("/", "\\")):
        return True
    path = unquote(target.path).replace("\\", "/")
    if re.match(r"^[a-zA-Z][:|]", path):
        return True
    here = page.parent.relative_to(out).parts
    parts = list(here)
    for part in path.split("/"):
        if part == "..":
            if not parts:
                return True
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return False


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kiosk-hostile")
    site = kiosk_site(folder / "site")
    (site / "content" / "fagui" / "hostile-links.md").write_text(HOSTILE, encoding="utf-8")
    report = build(site, folder / "kiosk")
    assert "/quanli/xuke/2026-00031/" in [e["url"] for e in report["published"]]
    return folder / "kiosk"


def test_no_reference_of_any_page_leaves_the_kiosk_folder(hostile):
    out = hostile
    escaping = [(path.relative_to(out).as_posix(), tag, attr, value)
                for path in sorted(out.rglob("*.html")) for tag, attr, value in references(path)
                if leaves(out, path, value)]
    assert escaping == []
    # and every reference that remains names a file that is there
    for path in sorted(out.rglob("*.html")):
        for tag, attr, value in references(path):
            target = urlsplit(value)
            if target.path:
                assert (path.parent / unquote(target.path)).resolve().is_file(), (path, value)


def test_links_out_of_the_folder_become_their_words(hostile):
    page = (hostile / "quanli/xuke/2026-00031/index.html").read_text(encoding="utf-8")
    body = page[page.index('<div class="body">'):page.index("</article>")]
    for words in OUTSIDE:
        assert f'<span class="offline-link">{words}</span>' in body, words
    assert "文件协议" in body and "file:" not in body.replace("[文件协议](file:///etc/passwd)", "")
    assert "javascript:" not in body.replace("[脚本](javascript:alert(1))", "")   # shown as text by markdown-it
    assert body.count("［图片：") == 2 and "x.png" not in body and "y.png" not in body
    assert '<span class="offline-link"><span class="offline-img">［图片：图中链接］</span></span>' in body
    assert '<a href="../index.html">本类目录</a>' in body
    assert '<a href="../../../index.html">首页</a>' in body
    assert '<a href="#top">同页锚点</a>' in body
    assert '<a href="../../../quanli/../quanli/xuke/index.html">目录中转</a>' in body
    assert '<a href="../index.html?q=1#x">带查询</a>' in body


@pytest.mark.parametrize("depth, value, inside", [
    (3, "../", True), (3, "../../../", True), (3, "../../../../", False), (0, "../", False),
    (0, "index.html", True), (0, "./a/../b/", True), (1, "a/../../..", False),
    (3, "%2e%2e/%2e%2e/%2e%2e/%2e%2e/", False), (3, "..%2f..%2f..%2f..%2f", False),
    (3, "..%5c..%5c..%5c..%5c", False), (3, "..\\..\\..\\..\\", False), (3, "/etc/", False),
    (3, "\\etc", False), (3, "//host/x", False), (3, "C:/x", False), (3, "c|/x", False), (3, "x/C:/y", False),
    (3, "file:///etc/", False), (3, "javascript:alert(1)", False), (3, " javascript:x", False),
    (3, "java\tscript:x", False), (3, "&#106;avascript:x", False), (3, "data:text/html,x", False),
    (3, "#top", True), (3, "?q=1", True), (3, "", True), (3, "a%00b", False),
    (3, "../../../../?q", False), (3, "../../../#x", True),
])
def test_stays_inside(depth, value, inside):
    from generator.kiosk import stays_inside
    assert stays_inside(value, depth) is inside


def test_offline_links_reads_the_depth_of_the_page():
    from generator.kiosk import offline_links
    frame = '<body class="kiosk" data-page="item" data-home="{home}"><a href="{href}">x</a></body>'
    assert '<a href="../../../index.html">' in offline_links(frame.format(home="../../../index.html", href="../../../"))
    assert "offline-link" in offline_links(frame.format(home="../../../index.html", href="../../../../"))
    assert "offline-link" in offline_links(frame.format(home="index.html", href="../"))
    assert "offline-link" in offline_links('<a href="../">x</a>')                    # depth unknown: no climbing
    assert '<a href="../index.html">' in offline_links('<a href="../">x</a>', "/a/b/")
    # any tag, any attribute order, and attributes other than href and src
    page = ('<body data-home="../index.html"><a class="c" href="../../x">t</a><img alt="图" src="/x.png">'
            '<img alt="" src="ok.png" srcset="ok.png 1x, ../../../x.png 2x"><source srcset="../../y.png">'
            '<link rel="stylesheet" href="../static/kiosk.css"><form action="../../z"></form></body>')
    result = offline_links(page)
    assert '<span class="offline-link">t</span>' in result and "［图片：图］" in result
    assert "［图片：未能显示］" in result and "<source>" in result and '<form>' in result
    assert '<link rel="stylesheet" href="../static/kiosk.css">' in result
    # upper case, attributes without space between them or quotes, a URL-looking word inside another value
    odd = ('<body data-home="../index.html"><img alt="x"src="../../y.png"><a title="src=1"href="../../">t</a>'
           '<span title="src=../../">s</span><a data-href="../../x" href="../">ok</a><A HREF="../../../z">up</A>'
           '<img src=../../q.png alt=w></body>')
    assert offline_links(odd) == (
        '<body data-home="../index.html"><span class="offline-img">［图片：x］</span><span class="offline-link">t</span>'
        '<span title="src=../../">s</span><a data-href="../../x" href="../index.html">ok</a>'
        '<span class="offline-link">up</span><span class="offline-img">［图片：w］</span></body>')


def test_links_to_attachments_with_odd_names_become_their_words(tmp_path):
    """The body's links to attachments are percent-encoded by the Markdown renderer ("a%20b.pdf",
    "%E4%B8%AD%E6%96%87.pdf"); the kiosk does not copy the files, so those links become words too."""
    site = kiosk_site(tmp_path / "site")
    folder = site / "content" / "fagui"
    for name in ("a b.pdf", "中文.pdf", "a#1.pdf"):
        (folder / name).write_bytes(b"%PDF-1.4")
    (folder / "odd.md").write_text(
        "---\ntitle: 附件名称\ncategory: \"0204\"\nindex_no: 014000184/2026-00042\nstatus: approved\n"
        "reviewer: 王建春\npub_date: 2026-03-03\nchannels: [touchscreen]\n"
        "attachments: [\"a b.pdf\", \"中文.pdf\", \"a#1.pdf\"]\n---\n\n"
        "见[附件一](<a b.pdf>)、[附件二](中文.pdf)、[附件三](a%231.pdf)、[本类](../)。\n", encoding="utf-8")
    build(site, tmp_path / "kiosk")
    page = (tmp_path / "kiosk" / "quanli/xuke/2026-00042/index.html").read_text(encoding="utf-8")
    for words in ("附件一", "附件二", "附件三"):
        assert f'<span class="offline-link">{words}</span>' in page, words
    assert '<a href="../index.html">本类</a>' in page
    assert not list((tmp_path / "kiosk").rglob("*.pdf"))


# --- kiosks that stay current (issue 16): version stamp, expiry on the device, staleness ----------

EXPIRING = "/quanli/xuke/2026-00002/"        # golden xuke-2.md: expiry_date 2027-05-10, published at NOW


def test_the_build_carries_its_version_and_the_expiry_of_what_it_shows(built):
    _, out, report, _ = built
    config = read_config(out)
    assert config["built"] == NOW                                   # the build's --now, in the site's zone
    assert config["built_label"] == "2026-11-26 08:00"
    assert config["stale_days"] == 7
    # every shown item with an expiry_date, and only those; moments in the site's zone
    assert config["expires"] == {EXPIRING: ["2027-05-10T00:00:00+08:00", "fagui"]}
    assert set(config["expires"]) <= {e["url"] for e in report["published"]}
    by_url = {r["url"]: r for r in records(read_index(out))}
    assert by_url[EXPIRING]["expires"] == "2027-05-10T00:00:00+08:00"
    assert [u for u, r in by_url.items() if r["expires"]] == [EXPIRING]
    page = (out / EXPIRING.lstrip("/") / "index.html").read_text(encoding="utf-8")
    assert '<article class="record" data-expires="2027-05-10T00:00:00+08:00">' in page
    other = (out / "quanli/xuke/2026-00001/index.html").read_text(encoding="utf-8")
    assert '<article class="record" data-expires="">' in other
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'id="kiosk-version"' in home and 'id="kiosk-stale"' in home
    # what expired or was not yet due at build time is still not shipped (held back: no trace)
    held = {e["file"]: e["reason"] for e in report["held_back"]}
    assert held["content/fagui/expired.md"] == "expired" and held["content/fagui/future.md"] == "future"
    everything = b"".join(tree_bytes(out).values()).decode("utf-8", "replace")
    for entry in report["held_back"]:
        if entry.get("index_no"):
            assert entry["index_no"] not in everything


def test_version_follows_now_and_stale_days_is_validated(tmp_path):
    site = kiosk_site(tmp_path / "site")
    toml = site / "site.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text + "\n[kiosk]\nstale_days = 3\n", encoding="utf-8")
    report = tmp_path / "r.json"
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", "2026-11-27T23:59:00+00:00",
                 "--out", str(tmp_path / "k"), "--report", str(report), "--quiet"]) == 0
    config = read_config(tmp_path / "k")
    assert config["stale_days"] == 3
    assert config["built"] == "2026-11-28T07:59:00+08:00"           # shown in the site's zone
    assert config["built_label"] == "2026-11-28 07:59"
    for bad in ("0", "1000", '"一周"'):
        toml.write_text(text + f"\n[kiosk]\nstale_days = {bad}\n", encoding="utf-8")
        assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW,
                     "--out", str(tmp_path / "bad"), "--quiet"]) == 2
    toml.write_text(text + "\n[kiosk]\nstale_dayz = 3\n", encoding="utf-8")
    assert main(["build", "--site", str(site), "--target", "kiosk", "--now", NOW,
                 "--out", str(tmp_path / "bad"), "--quiet"]) == 2
