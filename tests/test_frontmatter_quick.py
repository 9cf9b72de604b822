"""The quick path of frontmatter_lines (one `field: value` per line, read without composing YAML nodes)
gives exactly what the full YAML path gives — the same values of the same types, the same lines — and
leaves everything else, errors included, to the full path."""
import datetime
import itertools
import random

import pytest

from generator import frontmatter_lines as F

KEYS = ["title", "category", "keywords", "summary", "index_no", "slug", "attachments", "aliases", "pub_date",
        "yes", "null", "On", "x_1", "_a", "a-b", "1a"]
VALUES = ["0204", "2024", "0x1F", "1:30", "1_000", "+1", "-1", ".5", ".inf", "~", "null", "Null", "NULL", "true",
          "Yes", "off", "y", "2026-10-30", "2026-13-01", "2026-10-30 10:00:00+08:00", "2026-10-30T10:00:00Z",
          "2026-1-3", "2001-12-14t21:59:43.10-05:00", "abc", "a b", "关于 a", "a: b", "a:b", "http://x.y/z",
          "a #b", "a#b", "it's", 'say "hi"', "a, b", "a]b", "&a", "*a", "!tag", "|", ">", "'q'", '"q"', "'it''s'",
          '"a\\x41"', '"a#b"', "'a: b'", '"', "<<", "=", "@x", "%x", "?x", "- x", ":x", "　全角", "\u00a0nb", "a\u3000",
          "ab ", "[a, b]", "[]", "[ ]", "[a,]", "[a, ]", "[0204, '0204']", "[\"x\", 'y', z w]", "[a: b]", "[[a]]",
          "[a] x", "{a: b}", "[ 1 , 2 ]", "[,a]", "[a,,b]", "[2026-10-30]", "[~, null, Null]", "[yes]", "a\tb",
          "a\u2028b", "a\x85b"]


def same(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return b != b
    if isinstance(a, datetime.datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


def full(fm_text: str):
    try:
        try:
            return F._compose(fm_text, 2, "", 10, F._LOADER)
        except F.yaml.YAMLError:
            return F._compose(fm_text, 2, "", 10, F.yaml.SafeLoader)
    except Exception as exc:          # the quick path must have left this one to the full path
        return exc


def check(fm_text: str) -> bool:
    """True when the quick path answered (and agreed with the full path); False when it declined."""
    quick = F._plain_lines(fm_text, 2, "", 10)
    if quick is None:
        return False
    slow = full(fm_text)
    assert not isinstance(slow, Exception), (fm_text, slow)
    assert same(quick.data, slow.data) and quick.lines == slow.lines, (fm_text, quick, slow)
    return True


def test_every_field_and_value_alone_or_after_others():
    answered = 0
    for key, value, sep, tail, before in itertools.product(KEYS, VALUES, (": ", ":  ", ":"), ("", " ", " # c"),
                                                            ("", "a: 1\n", "# x\n\n")):
        answered += check("\n" + before + key + sep + value + tail + "\n")
    assert answered > 1000          # the common shapes do take the quick path


def test_random_documents():
    rng = random.Random(20261126)
    for _ in range(3000):
        lines = []
        for _ in range(rng.randint(1, 6)):
            roll = rng.random()
            if roll < 0.05:
                lines.append("")
            elif roll < 0.08:
                lines.append("# comment")
            elif roll < 0.1:
                lines.append("  indented: x")
            else:
                key = rng.choice(KEYS) + (str(rng.randint(0, 99)) if rng.random() < 0.5 else "")
                lines.append(key + rng.choice([": ", ":"]) + rng.choice(VALUES))
        check("\n" + "\n".join(lines) + "\n")


def test_a_typical_record_takes_the_quick_path():
    text = ('---\ntitle: "机关党委2026年9月主题党日情况"\ncategory: "0407"\nindex_no: "014000184/2026-00547"\n'
            "status: approved\nreviewer: 顾维中\npub_date: 2026-10-30 10:00:00+08:00\ndoc_date: 2026-10-23\n"
            "keywords: [依法行政, 0204]\nupdated: 2026-11-21\n---\n\n正文\n")
    assert F._plain_lines(text.split("---\n")[1], 2, "", 10) is not None
    parsed = F.parse(text)
    assert parsed.data["keywords"] == ["依法行政", "0204"] and parsed.lines[("keywords", 1)] == 9
    assert parsed.data["doc_date"] == datetime.date(2026, 10, 23) and parsed.body == "\n正文\n"


@pytest.mark.parametrize("text, line, message", [
    ("---\ntitle: a\ntitle: b\n---\n", 3, "字段写了两次"),
    ("---\ntitle: a\npub_date: 2026-13-01\n---\n", 3, "不是有效的值"),
    ("---\ntitle: a\nb: [x\n---\n", 3, "YAML 格式错误"),
])
def test_errors_keep_their_words_and_lines(text, line, message):
    with pytest.raises(F.FrontMatterError) as caught:
        F.parse(text)
    assert caught.value.line == line and message in caught.value.message
