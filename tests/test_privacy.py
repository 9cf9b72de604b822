"""The privacy guard: GB 11643 check digits, mobile formats, what is not a hit, masking."""
import random
import re

import pytest

from generator import privacy
from generator.model import PrivacyHit
from generator.privacy import mask_id, scan, valid_resident_id

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


def _scan_whole_text(text, allow=()):
    """The guard as first written: both patterns over the whole text (the reference for scan's runs)."""
    allowed = {a.strip() for a in allow} | {re.sub(r"\D", "", a) for a in allow}
    allowed.discard("")
    hits = []
    line_of = lambda pos: 1 + text.count("\n", 0, pos)
    for match in privacy._ID.finditer(text):
        number = match.group(1)
        if privacy.valid_resident_id(number) and number not in allowed and number.upper() not in allowed:
            hits.append(PrivacyHit(line_of(match.start()), "身份证号", privacy.mask_id(number)))
    for match in privacy._MOBILE.finditer(text):
        digits = re.sub(r"\D", "", match.group(2))
        if match.group(0).strip() in allowed or digits in allowed:
            continue
        hits.append(PrivacyHit(line_of(match.start(2)), "手机号", privacy.mask_mobile(digits)))
    return tuple(sorted(hits, key=lambda h: h.line))


def test_scanning_digit_runs_finds_what_a_whole_text_scan_finds():
    """scan() looks only at runs of the characters a number can be made of; on random texts full
    of near-misses (and planted numbers) it finds exactly what the patterns find in the whole text."""
    rng = random.Random(11643)
    alphabet = "0123456789" * 3 + "1313" + "Xx +-+\n\n" + "ab中文号：" + "8686"
    planted = ["11010519491231002X", "110105194912310021", "13800138000", "138 0013 8000", "+86 138-0013-8000",
               "008613800138000", "1380013800"]
    found = 0
    for _ in range(20000):
        parts = [rng.choice(alphabet) for _ in range(rng.randint(0, 60))]
        for _ in range(rng.randint(0, 2)):
            parts.insert(rng.randint(0, len(parts)), rng.choice(planted))
        text = "".join(parts)
        allow = tuple(rng.sample(planted, rng.randint(0, 2)))    # an allowed number is matched as written
        expected = _scan_whole_text(text, allow)
        assert privacy.scan(text, allow) == expected, (text, allow)
        found += bool(expected)
    assert found > 1000          # the comparison saw many real hits, not only empty results
