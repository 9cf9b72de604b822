"""The privacy guard: GB 11643 check digits, mobile formats, what is not a hit, masking."""
import pytest

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
