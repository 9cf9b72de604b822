"""The website's machine-readable files (generator/feeds.py) stay well-formed XML whatever an editor
types: control characters XML 1.0 forbids (pasted from a PDF or a word processor), quotes, ampersands
and angle brackets in titles, summaries, category names and the site's address. Each file is parsed
with xml.etree, as a feed reader or a search engine would, and what it says is checked."""
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

from support import NOW

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# every C0 control but tab, line feed and carriage return, DEL's neighbours that XML allows, and U+FFFE/U+FFFF
FORBIDDEN = "".join(chr(c) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)) + "\ufffe\uffff"
HOSTILE_TITLE = 'A"1\x01引号"与\x0b<标题>&\x1f末\ufffe'
HOSTILE_SUMMARY = 'B"摘要\x02含 & < > \'单引号\' 与\x1b控制\uffff字符'
CLEAN_TITLE = 'A"1引号"与<标题>&末'
CLEAN_SUMMARY = 'B"摘要含 & < > \'单引号\' 与控制字符'
BASE_URL = "https://zwgk.example.gov.cn/zj/"          # tests/fixtures/sites/golden/site.toml


def catalogue(site, change=lambda item: item, target: str = "website"):
    """The site's published catalogue as the build makes it (load, decide, collect), each published item
    passed through `change` first."""
    from generator.catalogue import build_catalogue
    from generator.config import load_config
    from generator.content import load_content
    from generator.pipeline import plan_target
    from support import NOW as now
    from datetime import datetime
    config = load_config(site)
    plan = plan_target(config, load_content(config), target, datetime.fromisoformat(now))
    assert not plan.problems.errors
    return build_catalogue(config, target, [change(i) for i in plan.published], plan.pages)


def parse(data: bytes) -> ET.Element:
    text = data.decode("utf-8")
    assert not set(text) & set(FORBIDDEN), sorted({hex(ord(c)) for c in set(text) & set(FORBIDDEN)})
    return ET.fromstring(data)                               # raises on ill-formed XML


def entry_of(root: ET.Element, url_end: str) -> ET.Element:
    return next(e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(url_end))


def test_forbidden_characters_and_quotes_in_item_fields(golden_copy):
    """An item whose title and summary hold every character XML 1.0 forbids, quotes and markup characters
    (whatever the loader lets through today, the feed must not depend on it): both files parse, and the
    words are there without the forbidden characters."""
    from generator import feeds
    cat = catalogue(golden_copy, lambda i: replace(i, title=HOSTILE_TITLE + FORBIDDEN, summary=HOSTILE_SUMMARY)
                    if i.index_no == "014000184/2026-00001" else i)
    files = feeds.website_files(cat)
    entry = entry_of(parse(files["feed.xml"]), "/quanli/xuke/2026-00001/")
    assert entry.findtext(f"{ATOM}title") == CLEAN_TITLE
    assert entry.findtext(f"{ATOM}summary") == CLEAN_SUMMARY
    assert entry.find(f"{ATOM}link").get("href") == entry.findtext(f"{ATOM}id") == BASE_URL + "quanli/xuke/2026-00001/"
    sitemap = parse(files["sitemap.xml"])
    assert BASE_URL + "quanli/xuke/2026-00001/" in [u.findtext(f"{SITEMAP}loc") for u in sitemap.findall(f"{SITEMAP}url")]
    record = next(r for r in json.loads(files["catalogue.json"])["items"] if r["path"] == "/quanli/xuke/2026-00001/")
    assert record["title"] == HOSTILE_TITLE + FORBIDDEN      # JSON escapes them (\u0001): kept as they are


def test_quotes_in_every_attribute(golden_copy):
    """Attribute values (category term and label, link href, xml:lang) with a double quote, an ampersand,
    angle brackets, tab and line break: each reads back exactly."""
    from generator import feeds
    cat = catalogue(golden_copy)
    hostile = 'x" onload="y & <z>\t\n'
    config = cat.config
    category = config.categories["0204"]
    config.categories["0204"] = category.model_copy(update={"name": hostile}) if hasattr(category, "model_copy") \
        else replace(category, name=hostile)
    item = next(i for i in cat.items if i.category == "0204")
    root = parse(feeds.atom(cat))
    entry = entry_of(root, cat.url(item))
    assert entry.find(f"{ATOM}category").get("label") == hostile
    assert entry.find(f"{ATOM}category").get("term") == "0204"
    assert [c.tag for c in entry] == [f"{ATOM}{n}" for n in ("title", "id", "link", "updated", "category", "author")] \
        + ([f"{ATOM}summary"] if item.summary else [])


def test_quote_in_the_site_address(golden_copy, tmp_path, cli):
    """A base_url with a query holding & and a quote (site.toml lets it through or refuses it): when the
    build accepts it, the feed's hrefs are that address exactly."""
    toml = golden_copy / "site.toml"
    text = toml.read_text(encoding="utf-8")
    old = 'base_url = "https://zwgk.example.gov.cn/zj"'
    assert old in text
    toml.write_text(text.replace(old, 'base_url = "https://zwgk.example.gov.cn/zj/?a=1&b=\\"2\\"/"'), encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet")
    if run.code != 0:
        assert "base_url" in run.err, run.err                # refused, and said why
        return
    base = 'https://zwgk.example.gov.cn/zj/?a=1&b="2"/'
    root = parse((out / "feed.xml").read_bytes())
    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert base in links and base + "feed.xml" in links
    assert all(href.startswith(base) for href in links)
    parse((out / "sitemap.xml").read_bytes())


def test_a_built_site_with_noncharacters_in_the_front_matter(golden_copy, tmp_path, cli):
    """End to end: U+FFFE and U+FFFF written as escapes in a quoted title and summary (the loader refuses
    C0 controls, not these); the built feed.xml and sitemap.xml parse and keep the words."""
    (golden_copy / "content" / "fagui" / "hostile.md").write_text(
        "---\n"
        'title: "非字符\\uFFFE标题\\"引号\\" & <b>"\n'
        'category: "0204"\n'
        "index_no: 014000184/2026-00099\n"
        "status: approved\n"
        "reviewer: 王建春\n"
        "pub_date: 2026-11-20\n"
        'summary: "摘要\\uFFFF结束"\n'
        "---\n\n正文。\n", encoding="utf-8")
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "--quiet")
    if run.code != 0:
        assert "hostile.md" in run.err, run.err              # a loader that refuses them is fine too
        return
    published = json.loads((out / "catalogue.json").read_text(encoding="utf-8"))["items"]
    record = next(r for r in published if r["index_no"] == "014000184/2026-00099")
    entry = entry_of(parse((out / "feed.xml").read_bytes()), record["path"])
    assert entry.findtext(f"{ATOM}title") == '非字符标题"引号" & <b>'
    assert entry.findtext(f"{ATOM}summary") == "摘要结束"
    parse((out / "sitemap.xml").read_bytes())


def test_escaping_functions_directly():
    from generator.feeds import attr, escape
    assert escape("a\x00b\x01c\x08d\x0be\x0cf\x1fg\ufffeh\uffffi\ud800j") == "abcdefghij"
    assert escape("tab\tnl\ncr\r") == "tab\tnl\ncr\r"
    assert escape('<&>"') == '&lt;&amp;&gt;"'
    assert attr('<&>"\t\n\r\x01') == "&lt;&amp;&gt;&quot;&#9;&#10;&#13;"
    element = ET.fromstring(f'<x a="{attr(chr(9) + "q" + chr(34) + "&" + chr(10))}">{escape(FORBIDDEN + "ok")}</x>')
    assert element.get("a") == '\tq"&\n' and element.text == "ok"
    assert escape("𠀀中文") == "𠀀中文"                             # outside the BMP: allowed
