"""generator/content.py: every file of content/ to an Item (or a Page) or to problems — the defaults an item
takes from its category, section and file, the bodies kept detached (read again, and checked, at render
time), and the codes YAML would turn into numbers."""
import json

import pytest

from support import NOW
from generator.config import load_config
from generator.content import load_content, read_body
from generator import errors

# A build given up on (exit 2); called ConfigError until errors.py named the wider BuildAborted.
Aborted = getattr(errors, "BuildAborted", errors.ConfigError)

ITEM = """\
---
title: 行政许可事项办理结果公示
category: "0204"
status: approved
reviewer: 李明
pub_date: 2026-06-01T08:00:00+08:00
{extra}---

正文第一段。
"""


@pytest.fixture
def site(golden_copy):
    """The golden site without its items (its sections and fixed pages stay), to fill item by item."""
    for path in (golden_copy / "content").rglob("*.md"):
        if "pages" not in path.relative_to(golden_copy / "content").parts:
            path.unlink()
    return golden_copy


def item(site, name, extra="", body=None):
    text = ITEM.format(extra=extra)
    if body is not None:
        text = text.replace("正文第一段。\n", body)
    (site / "content" / "fagui" / name).write_text(text, encoding="utf-8")


def load(site, **kwargs):
    content = load_content(load_config(site), **kwargs)
    return content, {i.file.rsplit("/", 1)[1]: i for i in content.items}


def test_an_item_takes_its_defaults_from_category_section_and_file(site):
    config = load_config(site)
    item(site, "jieguo.md")
    item(site, "numbered.md", extra="index_no: 014000184/2026-00042\n")
    item(site, "own.md", extra="slug: Own-Slug\naudience: internal\nperiod: timely\npublisher: 另一机构\n")
    item(site, "公示名单.md")
    content, items = load(site)
    assert content.problems.errors == []
    plain = items["jieguo.md"]
    assert plain.section == "fagui" and plain.department == config.sections["fagui"].department
    assert plain.publisher == config.sections["fagui"].publisher           # the section's 发布机构
    assert (plain.audience, plain.period) == (config.categories["0204"].audience, config.categories["0204"].period)
    assert plain.channels == ("website", "touchscreen", "intranet")          # public: every channel
    assert plain.slug == "jieguo"                                           # the file name
    assert plain.formed_date.isoformat() == "2026-06-01"                    # from pub_date, in the site's zone
    assert plain.review == "leader" and plain.keywords == () and plain.attachments == ()
    assert items["numbered.md"].slug == "2026-00042"                        # the number of the 索引号
    own = items["own.md"]
    assert (own.slug, own.audience, own.period, own.publisher) == ("Own-Slug", "internal", "timely", "另一机构")
    assert own.channels == ("intranet",)                                   # internal: the intranet only
    assert items["公示名单.md"].slug == "gong-shi-ming-dan"                 # a Chinese file name: its pinyin


def test_an_item_outside_every_section_is_an_error_at_line_1(site):
    (site / "content" / "elsewhere").mkdir()
    (site / "content" / "elsewhere" / "x.md").write_text(ITEM.format(extra=""), encoding="utf-8")
    content, items = load(site)
    assert "x.md" not in items
    assert content.invalid == {"content/elsewhere/x.md": 1}
    assert [(p.file, p.line) for p in content.problems.errors] == [("content/elsewhere/x.md", 1)]


def test_approved_without_pub_date_is_an_error_on_the_status_line(site):
    item(site, "undated.md")
    path = site / "content" / "fagui" / "undated.md"
    path.write_text(path.read_text(encoding="utf-8").replace("pub_date: 2026-06-01T08:00:00+08:00\n", ""),
                    encoding="utf-8")
    content, items = load(site)
    assert items == {}
    [problem] = content.problems.errors
    assert (problem.file, problem.line, problem.field) == ("content/fagui/undated.md", 4, "pub_date")


def test_detached_bodies_are_read_again_and_must_be_the_ones_loaded(site):
    item(site, "jieguo.md", body="第一段。\n\n第二段。\n")
    config = load_config(site)
    kept = load_content(config).items[0]
    detached = load_content(config, detach_bodies=True).items[0]
    assert kept.body.strip() == "第一段。\n\n第二段。"
    assert detached.body == "" and detached.body_hash                      # only a hash stays in memory
    assert read_body(config, kept) == kept.body                            # kept: no file read
    assert read_body(config, detached) == kept.body                        # read again: the same text
    path = site / "content" / "fagui" / "jieguo.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n第三段。\n", encoding="utf-8")
    with pytest.raises(Aborted) as raised:
        read_body(config, detached)
    [problem] = raised.value.problems
    assert (problem.file, problem.line) == ("content/fagui/jieguo.md", 1)
    assert "构建过程中被修改或删除" in problem.message
    path.unlink()
    with pytest.raises(Aborted):
        read_body(config, detached)


def test_unquoted_codes_keep_their_digits(golden_copy, cli, tmp_path):
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text().replace('category: "0204"', "category: 0204"), encoding="utf-8")
    report = tmp_path / "r.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--report", report).code == 0
    assert any(e["file"].endswith("xuke-3.md") and e["category"] == "0204"
               for e in json.loads(report.read_text())["published"])


def test_values_many_items_hold_alike_are_one_object_but_never_another_zones_moment(site):
    """Records loaded in separate parses share one object per equal value (memory: a fifth of the
    records at 10,000 items), except a moment written in another zone or fold, which is equal as an
    instant but shown differently: each item keeps its own, and its page shows what it wrote."""
    item(site, "a.md", extra="keywords: [许可, 公示]\n")
    item(site, "b.md", extra="keywords: [许可, 公示]\n")
    item(site, "c.md", extra="keywords: [许可, 公示]\n")
    (site / "content" / "fagui" / "c.md").write_text(
        (site / "content" / "fagui" / "c.md").read_text(encoding="utf-8")
        .replace("2026-06-01T08:00:00+08:00", "2026-06-01T00:00:00+00:00"), encoding="utf-8")
    content, items = load(site, detach_bodies=True)
    a, b, c = items["a.md"], items["b.md"], items["c.md"]
    assert a.keywords == ("许可", "公示") and a.keywords is b.keywords
    assert a.reviewer is b.reviewer and a.category is b.category and a.lines is b.lines
    assert a.pub_date is b.pub_date
    assert c.pub_date == a.pub_date and c.pub_date is not a.pub_date
    assert str(c.pub_date.utcoffset()) == "0:00:00" and str(a.pub_date.utcoffset()) == "8:00:00"
    assert c.lines == a.lines and c.lines is a.lines       # the same fields on the same lines
