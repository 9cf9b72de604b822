"""The repository's own site (the example bureau) builds cleanly, shows every feature, and reads as a
real mainland bureau's catalogue: no test markers or placeholder text, titles in Simplified Chinese.
The leak tests with markers use fixture sites under tests/fixtures/sites/ (tests/test_leaks.py)."""
import json
import re
from collections import Counter

import pytest

from support import NOW, ROOT, tree_bytes

from generator.config import load_config

TARGETS = ("website", "intranet", "kiosk")
# what a test fixture leaves behind: 留痕标记-…, placeholders, lorem ipsum, English test words
TEST_TEXT = re.compile(r"留痕|标记-|测试标记|测试数据|测试条目|占位|待填写|此处填写|lorem|ipsum|"
                       r"\b(?:test|tests|testing|marker|todo|fixme|xxx|foo|dummy|placeholder)\b", re.I)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    from generator.cli import main
    out = tmp_path_factory.mktemp("example")
    result = {}
    for target in TARGETS:
        code = main(["build", "--site", str(ROOT), "--target", target, "--now", NOW,
                     "--out", str(out / target), "--report", str(out / f"{target}.json"), "--quiet"])
        assert code == 0
        result[target] = (out / target, json.loads((out / f"{target}.json").read_text(encoding="utf-8")))
    return result


@pytest.fixture(scope="module")
def reports(builds):
    return {target: report for target, (_, report) in builds.items()}


@pytest.fixture(scope="module")
def content():
    from generator.content import load_content
    loaded = load_content(load_config(ROOT))
    assert loaded.items and loaded.pages and not loaded.problems.errors
    return loaded


def t2s(text: str) -> str:
    import opencc
    return opencc.OpenCC("t2s").convert(text)


def test_builds_without_errors_or_warnings(reports):
    for report in reports.values():
        assert report["errors"] == [] and report["warnings"] == []


def test_at_least_sixty_items(reports):
    website = reports["website"]
    assert len(website["published"]) + len(website["held_back"]) >= 60


def test_every_leaf_category_has_a_published_item(reports):
    config = load_config(ROOT)
    shown = {e["category"] for r in reports.values() for e in r["published"]}
    assert set(config.leaf_codes()) <= shown


def test_every_visibility_state_is_represented(reports):
    reasons = Counter(e["reason"] for e in reports["website"]["held_back"])
    for reason in ("draft", "proposed", "withdrawn", "not_reviewed", "future", "expired", "abolished",
                   "internal", "channel"):
        assert reasons[reason] >= 1, reason
    assert Counter(e["reason"] for e in reports["kiosk"]["held_back"])["channel"] >= 1


def test_full_catalogue_and_sections():
    config = load_config(ROOT)
    leaves = {c.code: c for c in config.categories.values() if c.is_leaf}
    assert len(leaves) == 24 and len(config.sections) >= 5
    assert {leaves[c].audience for c in ("0404", "0405", "0407")} == {"internal"}
    assert all(c.slug.isascii() for c in config.categories.values())


def test_fixed_pages(reports):
    urls = {p["url"] for p in reports["website"]["pages"]}
    assert {"/guide/", "/apply/", "/annual-report-2025/"} <= urls


def test_content_holds_no_test_marker_or_placeholder():
    files = sorted(p for p in (ROOT / "content").rglob("*") if p.is_file())
    assert len(files) >= 60
    found = [(p.relative_to(ROOT).as_posix(), m.group(0)) for p in files
             for m in TEST_TEXT.finditer(p.read_bytes().decode("utf-8", errors="replace"))]
    assert found == []
    assert TEST_TEXT.search("正文。留痕标记-internal-d1") and TEST_TEXT.search("Lorem ipsum") \
        and not TEST_TEXT.search("泰州市计量测试院")          # the pattern itself: real names pass


def test_titles_and_metadata_are_simplified_chinese(content):
    """A mainland bureau writes in Simplified: OpenCC t2s leaves every title, 内容概述, keyword and 文号
    unchanged, and the site's own names too."""
    config = load_config(ROOT)
    names = [config.site.title, config.site.publisher] + [c.name for c in config.categories.values()] + \
        [s.department for s in config.sections.values()]
    fields = [(i.file, v) for i in content.items for v in (i.title, i.summary, i.doc_no, i.publisher, *i.keywords) if v]
    fields += [(p.file, v) for p in content.pages for v in (p.title, p.summary) if v]
    fields += [("site.toml", n) for n in names]
    assert len(fields) > 200
    assert [(f, v) for f, v in fields if t2s(v) != v] == []
    assert t2s("行政處罰決定書") != "行政處罰決定書"                   # OpenCC does convert


def test_traditional_text_only_in_quotations(content):
    """Traditional characters in a body only inside a block quotation (a document or letter quoted as
    written, e.g. a certificate from Taiwan or a resident's letter from Hong Kong)."""
    lines = [(d.file, line) for d in [*content.items, *content.pages] for line in d.body.splitlines()]
    assert len(lines) > 1000
    assert [(f, line) for f, line in lines if t2s(line) != line and not line.lstrip().startswith(">")] == []


def test_held_back_items_leave_no_trace(builds, content):
    """What the markers of tests/fixtures/sites/bureau prove there, on the example itself: an item not published on
    a target leaves neither its title, nor its 索引号, nor its slug, nor a sentence of its own there."""
    items = {i.file: i for i in content.items}
    checked = 0
    for target, (out, report) in builds.items():
        published = [items[e["file"]] for e in report["published"]]
        cited = "\n".join(f"{i.title}\n{i.summary}\n{i.body}" for i in published)
        texts = {p: b.decode("utf-8", errors="replace") for p, b in tree_bytes(out).items()}
        assert report["held_back"]
        for entry in report["held_back"]:
            item = items[entry["file"]]
            needles = [item.index_no, item.slug] if item.index_no else [item.slug]
            sentences = re.findall(r"[\u4e00-\u9fff，、；：“”（）0-9]{16,}", item.body)
            needles += [s for s in [item.title, item.summary, *sentences] if s and s not in cited]
            for needle in needles:
                assert not [p for p, text in texts.items() if needle in text], (target, item.file, needle)
                checked += 1
    assert checked > 200
