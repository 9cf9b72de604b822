"""The privacy guard: GB 11643 check digits, mobile formats, what is not a hit, masking."""
import random
import re
import unicodedata

import pytest

from generator import privacy
from generator.model import PrivacyHit
from generator.privacy import mask_id, scan, valid_resident_id
from support import NOW

VALID_ID = "11010519491231002X"        # the GB 11643 standard's example number
VALID_ID2 = "440524188001010014"


def test_check_digit():
    assert valid_resident_id(VALID_ID)
    assert valid_resident_id(VALID_ID2)
    assert not valid_resident_id("110105194912310021")     # wrong check digit
    assert not valid_resident_id("110105194913310027")     # month 13


@pytest.mark.parametrize("text,masked", [
    (f"身份证号{VALID_ID}。", "110105********002X"),
    (f"身份证号 {VALID_ID.lower()}", "110105********002X"),
    ("电话13812345678", "138****5678"),
    ("电话 138 1234 5678", "138****5678"),
    ("电话 138-1234-5678", "138****5678"),
    ("电话 +86 13812345678", "138****5678"),
    ("电话+86-138-1234-5678", "138****5678"),
    ("两个号码 13812345678 13912345678", "138****5678"),
])
def test_hits_are_masked(text, masked):
    hits = scan(text)
    assert hits and hits[0].masked == masked
    assert all(VALID_ID not in h.masked and "13812345678" not in h.masked for h in hits)


@pytest.mark.parametrize("text", [
    "索引号 014000184/2026-00031",
    "发布日期 2026-11-26，成文日期 20261126",
    "泰质监发〔2016〕12号",
    "电话 0523-86880000，传真 0523-86881234",
    "固话 (0523)86880000",
    "统一社会信用代码 91321200MA1XXXXX3N",
    "银行账号 6222021234567890123",
    "110105194912310021",              # 18 digits with a wrong check digit
    "12345678901",                     # 11 digits but not 1[3-9]
    "订单号 1381234567890",             # a longer run of digits
])
def test_not_hits(text):
    assert scan(text) == ()


def test_allow_list_lets_exact_numbers_through():
    text = "举报专线 13905260000，联系人 13812345678"
    hits = scan(text, ["13905260000"])
    assert [h.masked for h in hits] == ["138****5678"]
    assert scan("举报专线 139-0526-0000", ["13905260000"]) == ()


def test_lines_are_reported():
    hits = scan(f"a\nb\nc {VALID_ID}\n", first_line=1)
    assert hits[0].line == 3 and hits[0].kind == "身份证号"


def test_mask_id():
    assert mask_id(VALID_ID) == "110105********002X"


def _whole_text_hits(text, allowed):
    hits = []
    line_of = lambda pos: 1 + text.count("\n", 0, pos)
    ids = []
    for match in privacy._ID.finditer(text):
        number = re.sub(r"[^0-9]", "", match.group(1)[:-1]) + match.group(1)[-1].upper()
        if privacy.valid_resident_id(number):
            ids.append(range(*match.span()))
            if number not in allowed:
                hits.append(PrivacyHit(line_of(match.start()), "身份证号", privacy.mask_id(number)))
    for match in privacy._MOBILE.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group(2))
        if match.group(0).strip() in allowed or digits in allowed:
            continue
        if any(set(span) & set(range(*match.span())) for span in ids):      # inside an ID number
            continue
        hits.append(PrivacyHit(line_of(match.start(2)), "手机号", privacy.mask_mobile(digits)))
    return hits


def _scan_whole_text(text, allow=()):
    """The guard without its shortcut: both patterns over each reading of the whole text — entities decoded,
    with and without link targets, NFKC with what shows nothing dropped or as a space, with and without
    numerals as digits, with and without markup (the reference for scan's runs)."""
    allowed = privacy._allowed(allow)
    decoded = privacy._ENTITY.sub(privacy._entity, text)
    texts = [decoded] + ([privacy._LINK_TARGET.sub("]", decoded)] if "](" in decoded or "][" in decoded else [])
    hits = set()
    for whole in texts:
        normal = unicodedata.normalize("NFKC", whole)
        for table in (privacy._TABLE, privacy._SPACED):
            folded = normal.translate(table)
            for reading in (folded, folded.translate(privacy._NUMERAL_TABLE)):
                for variant in (reading, reading.translate(privacy._STRIP)):
                    hits.update(_whole_text_hits(variant, allowed))
    return hits


def test_scanning_digit_runs_finds_what_a_whole_text_scan_finds():
    """scan() looks only at runs of the characters a number can be made of, folding only those; on random
    texts full of near-misses (and planted numbers, written in many ways) it finds exactly what the
    patterns find in the whole folded text."""
    rng = random.Random(11643)
    alphabet = ("0123456789" * 3 + "1313" + "Xx +-+\n\n" + "ab中文号：" + "8686" + "１３８＋－\u200b\u3000\u00a0"
                + "**`_[](#)\\" + "（）" + "一三八〇\u0332")
    planted = ["11010519491231002X", "110105194912310021", "13800138000", "138 0013 8000", "+86 138-0013-8000",
               "008613800138000", "1380013800", "１３８００１３８０００", "138**0013**8000", "&#49;3800138000",
               "110105\u200b19491231002x", "86-138-0013-8000", "138[0013](#)8000", "(+86)13800138000"]
    found = 0
    for _ in range(20000):
        parts = [rng.choice(alphabet) for _ in range(rng.randint(0, 60))]
        for _ in range(rng.randint(0, 2)):
            parts.insert(rng.randint(0, len(parts)), rng.choice(planted))
        text = "".join(parts)
        allow = tuple(rng.sample(planted, rng.randint(0, 2)))    # an allowed number is matched as written
        expected = _scan_whole_text(text, allow)
        assert set(privacy.scan(text, allow)) == expected, (text, allow)
        found += bool(expected)
    assert found > 1000          # the comparison saw many real hits, not only empty results


# --- What readers see: numbers typed with an input method, split by what shows nothing or by markup, in
# the fields as parsed, in the URL and in file names. Each goes through the real loader (`check`).

ITEM = """---
title: 某某公司行政处罚决定书
category: "0205"
index_no: 014000184/2025-00099
status: approved
reviewer: 王建春
pub_date: 2025-12-30
{front}---

当事人违反《中华人民共和国产品质量法》第二十六条。

{body}
"""


def _check(site, cli, front="", body="", name="chufa-9.md", folder="fagui", text=None):
    """Write one approved item into the golden copy and run `check`: its output lines about that file."""
    path = site / "content" / folder / name
    path.write_text(text if text is not None else ITEM.format(front=front, body=body), encoding="utf-8")
    run = cli("check", "--site", site, "--now", NOW)
    lines = [line for line in (run.out + run.err).splitlines() if line.startswith(f"content/{folder}/{name}:")]
    return run, lines


def _privacy_error(lines, line, field, masked):
    wanted = f":{line}: {field}: 发现未打码的"
    return any(wanted in text and f" {masked}，不能公开（个人隐私）" in text for text in lines)


BODY_LINE = 12          # the line of {body} in ITEM


@pytest.mark.parametrize("body,masked", [
    ("联系电话１３８００１３８０００。", "138****8000"),                        # full-width digits
    ("联系电话＋８６　１３８－００１３－８０００。", "138****8000"),            # ＋８６, ideographic space, －
    ("身份证号１１０１０５１９４９１２３１００２Ｘ。", "110105********002X"),
    ("联系电话 𝟏𝟑𝟖𝟎𝟎𝟏𝟑𝟖𝟎𝟎𝟎。", "138****8000"),                             # mathematical digits (NFKC)
    ("联系电话 1\u03323\u03328\u033200138000。", "138****8000"),               # combining underlines
    ("联系电话一三八〇〇一三八〇〇〇。", "138****8000"),                        # Chinese numerals, digit by digit
    ("身份证号壹壹〇壹〇伍壹玖肆玖壹贰叁壹〇〇贰X。", "110105********002X"),
], ids=["fullwidth-mobile", "fullwidth-plus86", "fullwidth-id", "math-digits", "combining", "numerals",
        "financial-numerals"])
def test_numbers_typed_full_width_are_hits(golden_copy, cli, body, masked):
    run, lines = _check(golden_copy, cli, body=body)
    assert run.code == 1 and _privacy_error(lines, BODY_LINE, "body", masked), lines
    assert "13800138000" not in run.out + run.err and "11010519491231002X" not in run.out + run.err


@pytest.mark.parametrize("split", ["\u200b", "\u00a0", "\u3000", "\u00ad", "\u2060", "\ufeff", "\u200d", "\u202f",
                                   "\u2028", "\u2014", "\ufe0f"])
def test_numbers_split_by_invisible_or_space_characters_are_hits(golden_copy, cli, split):
    run, lines = _check(golden_copy, cli, body=f"联系电话 138{split}0013{split}8000，身份证 110105{split}19491231{split}002X。")
    assert run.code == 1
    assert _privacy_error(lines, BODY_LINE, "body", "138****8000"), lines
    assert _privacy_error(lines, BODY_LINE, "body", "110105********002X"), lines


@pytest.mark.parametrize("body", [
    "联系电话 &#49;3800138000。",
    "联系电话 &#x31;38&#x30;0138000。",
    "联系电话 138&nbsp;0013&nbsp;8000。",
    "联系电话 138&#8203;0013&ZeroWidthSpace;8000。",
    "联系电话 &#xFF11;&#xFF13;800138000。",
    "联系电话 138**0013**8000。",
    "联系电话 138*0013*8000。",
    "联系电话 __138__00138000。",
    "联系电话 `138`00138000。",
    "联系电话 138\\-0013\\-8000。",
    "联系电话 138~~0013~~8000。",
    "联系电话 138[0013](https://example.cn/a)8000。",
    "联系电话 [138](#)[0013][x]8000。\n\n[x]: https://example.cn/",
    "联系电话 138\n00138000。",                 # a soft line break is shown as a space
], ids=["dec-entity", "hex-entity", "nbsp-entity", "zwsp-entity", "fullwidth-entity", "strong", "em",
        "underscore", "code-span", "escape", "strike", "link", "reference-link", "soft-break"])
def test_numbers_split_by_markup_or_escapes_are_hits(golden_copy, cli, body):
    run, lines = _check(golden_copy, cli, body=body)
    assert run.code == 1 and _privacy_error(lines, BODY_LINE, "body", "138****8000"), lines
    assert "13800138000" not in run.out + run.err


def test_entity_for_a_line_break_does_not_move_the_lines(golden_copy, cli):
    run, lines = _check(golden_copy, cli, body="第一段&#10;&#10;第二段。\n\n联系电话 138 0013 8000。")
    assert _privacy_error(lines, BODY_LINE + 2, "body", "138****8000"), lines


def test_yaml_escapes_in_front_matter_are_read_as_parsed(golden_copy, cli):
    title = '"\\u0031\\u0033\\u0038\\u0030\\u0030\\u0031\\u0033\\u0038\\u0030\\u0030\\u0030 来电处理情况"'
    text = ITEM.format(front="", body="").replace("title: 某某公司行政处罚决定书", f"title: {title}")
    text = text.replace("reviewer: 王建春\n", 'reviewer: 王建春\nkeywords: ["\\x31\\x31\\x30105194912310\\x302X"]\n')
    run, lines = _check(golden_copy, cli, text=text)
    assert run.code == 1
    assert _privacy_error(lines, 2, "title", "138****8000"), lines
    assert _privacy_error(lines, 7, "keywords", "110105********002X"), lines


@pytest.mark.parametrize("slug,masked", [
    ("ID11010519491231002X", "110105********002X"),
    ("Tel13800138000", "138****8000"),
    ("sfz11010519491231002x-zhangsan", "110105********002X"),
])
def test_numbers_glued_to_latin_letters_in_the_slug_are_hits(golden_copy, cli, slug, masked):
    run, lines = _check(golden_copy, cli, front=f"slug: {slug}\n")
    assert run.code == 1 and _privacy_error(lines, 8, "slug", masked), lines


@pytest.mark.parametrize("body", ["联系电话 86-13800138000。", "联系电话 86 138 0013 8000。", "联系电话 (86)13800138000。",
                                  "[联系电话](tel:8613800138000)",
                                  "联系电话（＋８６）１３８００１３８０００。", "联系电话 0086-138-0013-8000。"])
def test_country_code_without_plus_is_a_hit(golden_copy, cli, body):
    run, lines = _check(golden_copy, cli, body=body)
    assert run.code == 1 and _privacy_error(lines, BODY_LINE, "body", "138****8000"), lines


def test_number_in_the_file_name_is_a_hit(golden_copy, cli):
    run, lines = _check(golden_copy, cli, name="zhangsan-13800138000.md")
    assert run.code == 1
    assert any(":1: 文件名: 发现未打码的手机号（文件名） 138****8000，不能公开（个人隐私）" in line for line in lines), lines


def test_number_in_the_file_name_that_becomes_the_url_is_a_hit(golden_copy, cli):
    """A fixed page without slug is published at /<its file name>/."""
    run, lines = _check(golden_copy, cli, name="张三１１０１０５１９４９１２３１００２Ｘ.md", folder="pages",
                        text="---\ntitle: 联系我们\n---\n\n联系我们。\n")
    assert run.code == 1
    assert any(":1: 文件名: 发现未打码的身份证号（文件名） 110105********002X" in line for line in lines), lines


def test_number_in_an_attachment_name_is_a_hit(golden_copy, cli):
    (golden_copy / "content" / "fagui" / "ID11010519491231002X.pdf").write_bytes(b"%PDF-1.4\n")
    (golden_copy / "content" / "fagui" / "fj").mkdir()
    (golden_copy / "content" / "fagui" / "fj" / "回执１３８００１３８０００.pdf").write_bytes(b"%PDF-1.4\n")
    run, lines = _check(golden_copy, cli,
                        front="attachments:\n  - ID11010519491231002X.pdf\n  - fj/回执１３８００１３８０００.pdf\n")
    assert run.code == 1
    assert _privacy_error(lines, 9, "attachments", "110105********002X"), lines
    assert _privacy_error(lines, 10, "attachments", "138****8000"), lines


def test_fixed_pages_are_scanned_the_same_way(golden_copy, cli):
    text = "---\ntitle: \"联系\\u6211们 \\uff11\\uff13\\uff18\\uff10\\uff10\\uff11\\uff13\\uff18\\uff10\\uff10\\uff10\"\n---\n\n电话 138**0013**8000\n"
    run, lines = _check(golden_copy, cli, name="lianxi.md", folder="pages", text=text)
    assert run.code == 1
    assert _privacy_error(lines, 2, "title", "138****8000"), lines
    assert _privacy_error(lines, 5, "body", "138****8000"), lines


def test_allow_list_entries_are_folded_too(golden_copy, cli):
    front = 'privacy_allow: ["１３９０５２６００００", "+86 138-0013-8000"]\n'
    body = "举报专线 139\u200b0526\u200b0000，服务热线 ＋８６　１３８ ００１３ ８０００、13800138000、86-13800138000。"
    run, lines = _check(golden_copy, cli, front=front, body=body)
    assert not [line for line in lines if "个人隐私" in line], lines
    run, lines = _check(golden_copy, cli, front=front, body=body + "联系人 １３９１２３４５６７８。")
    assert run.code == 1 and _privacy_error(lines, BODY_LINE + 1, "body", "139****5678"), lines


@pytest.mark.parametrize("text", [
    "索引号 ０１４０００１８４/２０２４-０００１２",
    "索引号 014000184/2024-00012，发布日期 ２０２６年１１月２６日，成文日期 ２０２６－１１－２６",
    "泰质监发〔２０１６〕１２号",
    "电话 ０５２３－８６８８００００，传真（０５２３）８６８８１２３４",
    "电话 0523-86880000 转 8001",
    "统一社会信用代码 91320000MA1XXXXX3N，91321200ＭＡ１ＸＸＸＸＸ３Ｎ",
    "统一社会信用代码 913205821347829250",
    "银行账号 6222 0212 3456 7890 123",
    "ABC110105194912310021",                               # letters before an 18-digit run with a wrong check digit
    "| 2019 | 1380 | 0013 | 8000 |\n| 2020 | 1392 | 1402 | 1577 |",
    "合计 13,800,138,000 元",
    "**2024年**合计**138001380001**元",
    "12 13 14 15 16 17 18 19 20 21 22 23 24 25",
    "二〇二四年一月一日至二〇二四年十二月三十一日",
    "一二三四五六七八九十",
    "订单号 8612345678901",
    "2024-01-05 至 2024-03-31；2025-01-01 至 2025-12-31",
    "---------------------------------",
    "　　根据《中华人民共和国政府信息公开条例》第二十条，现将２０２４年度情况公开如下。",
])
def test_folded_texts_that_are_not_hits(text):
    assert scan(text) == ()


def test_an_id_number_written_in_groups_holds_no_mobile_number():
    """110105 19491231 002X: 19491231 002 looks like a mobile number, and its mask would tell the birth year."""
    for text in ("身份证 110105 19491231 002X", "身份证 110105\u200b19491231\u200b002X", "身份证 110105-1949-1231-002X"):
        assert [(h.kind, h.masked) for h in scan(text)] == [("身份证号", "110105********002X")], text
    assert [h.masked for h in scan("身份证 110105 19491231 002X", [VALID_ID])] == []


def test_folding_keeps_lines_and_masks_only():
    text = "第一行\n第二行 ＆\n身份证号：１１０１０５\u200b１９４９１２３１\u200b００２ｘ\n电话：&#49;38 0013 8000\n"
    hits = scan(text)
    assert [(h.line, h.kind, h.masked) for h in hits] == [(3, "身份证号", "110105********002X"), (4, "手机号", "138****8000")]


def test_the_character_table_covers_what_unicode_folds_or_hides():
    """Every character NFKC folds to a number's characters, and every space, dash and format character of
    this Python's Unicode data, is in the table the runs are found with (regenerate it when Unicode grows)."""
    import unicodedata
    ascii_chars = set("0123456789Xx +-\t*_`~\\[]!()")
    covered = {c for a, b in privacy._WIDE_RANGES for c in range(a, b + 1)}
    missing = []
    for code in range(0x80, 0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        folded = unicodedata.normalize("NFKC", char)
        if category in ("Cf", "Zs", "Zl", "Zp", "Pd") or (folded != char and folded and set(folded) <= ascii_chars):
            if code not in covered:
                missing.append(f"U+{code:04X}")
    assert not missing
    assert privacy.fold("１\u200b３\u00a0８\u3000－\u00ad＋\u2014\ufe0f") == "13 8 -+-"


@pytest.mark.parametrize("text,shown", [
    ("格式不对：“tel 13800138000”。", "格式不对：“tel 138****8000”。"),
    ("链接 138[0013](#)8000。", "链接 ***[****](#)****。"),
    ("找不到附件“ID11010519491231002X.pdf”。", "找不到附件“ID110105********002X.pdf”。"),
    ("联系人 １３８００１３８０００", "联系人 138****8000"),
    ("电话 138**0013**8000", "电话 ***************"),
    ("索引号 014000184/2024-00012，电话 0523-86880000", "索引号 014000184/2024-00012，电话 0523-86880000"),
])
def test_redact_masks_numbers_in_quoted_text(text, shown):
    """For messages that quote an editor's value (privacy.redact): only masks, the rest as written."""
    assert privacy.redact(text) == shown
    assert not scan(privacy.redact(text))


@pytest.mark.parametrize("unit", ["1 ", "1  ", "1 - ", "1\n", "１\u3000", "1\u200b", "1**", "一 "])
def test_long_near_misses_take_linear_time(unit):
    """Digits with a separator after each, 17 at a time, never quite a number: every start fails late.
    A separator pattern that can read one space two ways made this 2^16 steps a start (4.6 s for 7,000 chars)."""
    import time
    text = (unit * 16 + "1a ") * 1000
    started = time.process_time()
    scan(text)
    assert time.process_time() - started < 2.0
