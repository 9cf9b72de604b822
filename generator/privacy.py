"""The privacy guard (个人隐私): resident ID numbers and mobile numbers.

A hit blocks publication. Only the masked form ever leaves this module, so a
build log or report cannot itself leak the number it warns about.
"""
from __future__ import annotations

import re
from datetime import date

from .model import PrivacyHit

# GB 11643: 17 digits weighted, sum mod 11 picks the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

# Every match below is made of these characters only, and is at least 11 long: the patterns run only
# over such runs (2 % of a typical text), which gives the matches of a scan of the whole text.
_RUN = re.compile(r"[0-9Xx +-]{11,}")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
# 1[3-9] + 9 digits; a space or hyphen may stand between digits; +86 / 0086 may lead.
_MOBILE = re.compile(r"(?<![\d])(?<!\d-)((?:\+86|0086)[ -]?)?(1[3-9](?:[ -]?\d){9})(?![\d])")


def valid_resident_id(number: str) -> bool:
    number = number.upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1800:
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17]


def mask_id(number: str) -> str:
    return number[:6] + "*" * 8 + number[14:].upper()


def mask_mobile(digits: str) -> str:
    return digits[:3] + "****" + digits[7:]


def scan(text: str, allow: tuple[str, ...] | list[str] = (), first_line: int = 1) -> tuple[PrivacyHit, ...]:
    """Every unmasked ID or mobile number in `text`, with its line.

    `allow` holds exact strings (official hotlines) that may stand; a match is
    allowed when it equals an entry as written or digit for digit.
    """
    runs = [(run.start(), run.end() + 1) for run in _RUN.finditer(text)]   # +1: the look-ahead's character
    if not runs:
        return ()
    allowed = {a.strip() for a in allow} | {re.sub(r"\D", "", a) for a in allow}
    allowed.discard("")
    hits: list[PrivacyHit] = []
    line_of = lambda pos: first_line + text.count("\n", 0, pos)   # only for hits, which are rare
    for start, end in runs:        # the look-behinds still see the character before the run
        for match in _ID.finditer(text, start, end):
            number = match.group(1)
            if valid_resident_id(number) and number not in allowed and number.upper() not in allowed:
                hits.append(PrivacyHit(line_of(match.start()), "身份证号", mask_id(number)))
    for start, end in runs:
        for match in _MOBILE.finditer(text, start, end):
            digits = re.sub(r"\D", "", match.group(2))
            if match.group(0).strip() in allowed or digits in allowed:
                continue
            hits.append(PrivacyHit(line_of(match.start(2)), "手机号", mask_mobile(digits)))
    return tuple(sorted(hits, key=lambda h: h.line))
