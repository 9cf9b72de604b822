"""The privacy guard (个人隐私): resident ID numbers and mobile numbers.

A hit blocks publication. Only the masked form ever leaves this module, so a
build log or report cannot itself leak the number it warns about.

What is scanned is what a reader sees, not only the bytes of the file: the text
is folded as Unicode NFKC folds it (full-width digits １３８, ＋８６, the many
spaces), format characters that show nothing (zero-width space, soft hyphen:
category Cf and the other default-ignorable characters) are dropped, HTML
entities (&#49;) are decoded, and Markdown that splits a number but is not
shown (138**0013**8000, `138`00138000, 138[0013](#)8000) is taken out.
`scan_record` adds the fields as parsed (a YAML "\u0031" escape is a 1 to the
reader), the URL's slug and the file names.
"""
from __future__ import annotations

import bisect
import html
import re
import unicodedata
from datetime import date

from .model import PrivacyHit

# GB 11643: 17 digits weighted, sum mod 11 picks the check character.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"

# Characters beyond ASCII that a number may be typed with or split by: those NFKC folds to digits, X, +, -,
# spaces or Markdown markup (full-width １, ＋, the circled and mathematical digits), every space (Zs, Zl, Zp),
# dash (Pd), format character (Cf) and default-ignorable character. tests/test_privacy.py checks this table
# against the running Python's Unicode data (regenerate it from there when it grows).
_WIDE_RANGES = (
    (0xA0, 0xA0), (0xAD, 0xAD), (0xB2, 0xB3), (0xB9, 0xB9), (0x2E3, 0x2E3), (0x34F, 0x34F), (0x58A, 0x58A),
    (0x5BE, 0x5BE), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F), (0x890, 0x891),
    (0x8E2, 0x8E2), (0x115F, 0x1160), (0x1400, 0x1400), (0x1680, 0x1680), (0x17B4, 0x17B5), (0x1806, 0x1806),
    (0x180B, 0x180F), (0x1FEF, 0x1FEF), (0x2000, 0x2015), (0x2028, 0x202F), (0x203C, 0x203C), (0x205F, 0x2070),
    (0x2074, 0x207A), (0x207D, 0x207E), (0x2080, 0x208A), (0x208D, 0x208E), (0x2093, 0x2093), (0x20E3, 0x20E3),
    (0x2169, 0x2169), (0x2179, 0x2179), (0x2212, 0x2212), (0x2460, 0x2487), (0x24B3, 0x24B3), (0x24CD, 0x24CD),
    (0x24E7, 0x24E7), (0x24EA, 0x24EA), (0x2E17, 0x2E17), (0x2E1A, 0x2E1A), (0x2E3A, 0x2E3B), (0x2E40, 0x2E40),
    (0x2E5D, 0x2E5D), (0x3000, 0x3000), (0x301C, 0x301C), (0x3030, 0x3030), (0x30A0, 0x30A0), (0x3164, 0x3164),
    (0x3251, 0x325F), (0x32B1, 0x32BF), (0xFB29, 0xFB29), (0xFE00, 0xFE0F), (0xFE15, 0xFE15), (0xFE31, 0xFE36),
    (0xFE47, 0xFE48), (0xFE4D, 0xFE4F), (0xFE57, 0xFE5A), (0xFE61, 0xFE63), (0xFE68, 0xFE68), (0xFEFF, 0xFEFF),
    (0xFF01, 0xFF01), (0xFF08, 0xFF0B), (0xFF0D, 0xFF0D), (0xFF10, 0xFF19), (0xFF38, 0xFF38), (0xFF3B, 0xFF3D),
    (0xFF3F, 0xFF40), (0xFF58, 0xFF58), (0xFF5E, 0xFF5E), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFFB),
    (0x10EAD, 0x10EAD), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x13438), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0x1D417, 0x1D417), (0x1D431, 0x1D431), (0x1D44B, 0x1D44B), (0x1D465, 0x1D465),
    (0x1D47F, 0x1D47F), (0x1D499, 0x1D499), (0x1D4B3, 0x1D4B3), (0x1D4CD, 0x1D4CD), (0x1D4E7, 0x1D4E7),
    (0x1D501, 0x1D501), (0x1D51B, 0x1D51B), (0x1D535, 0x1D535), (0x1D54F, 0x1D54F), (0x1D569, 0x1D569),
    (0x1D583, 0x1D583), (0x1D59D, 0x1D59D), (0x1D5B7, 0x1D5B7), (0x1D5D1, 0x1D5D1), (0x1D5EB, 0x1D5EB),
    (0x1D605, 0x1D605), (0x1D61F, 0x1D61F), (0x1D639, 0x1D639), (0x1D653, 0x1D653), (0x1D66D, 0x1D66D),
    (0x1D687, 0x1D687), (0x1D6A1, 0x1D6A1), (0x1D7CE, 0x1D7FF), (0x1F127, 0x1F127), (0x1F147, 0x1F147),
    (0x1FBF0, 0x1FBF9), (0xE0000, 0xE0FFF),
)
# Default-ignorable code points (Unicode DerivedCoreProperties) that are not Cf: shown as nothing.
_IGNORABLE = ((0x34F, 0x34F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180D), (0x180F, 0x180F),
              (0x2065, 0x2065), (0x20E3, 0x20E3), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0),
              (0xFFF0, 0xFFF8), (0xE0000, 0xE0FFF))
_MARKUP = "*_`~\\[]!"           # Markdown that can stand inside a number and is not shown to readers
# Combining marks, which sit on the digit before them (1̲3̲8̲, 1⃞): the digits are still read.
_MARKS = ((0x300, 0x36F), (0x1AB0, 0x1AFF), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
# Chinese numerals read digit by digit (一三八〇〇一三八〇〇〇, 二○二四), the financial ones too.
_NUMERALS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6",
             "七": "7", "八": "8", "九": "9", "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5", "陆": "6",
             "柒": "7", "捌": "8", "玖": "9"}


def _class(ranges) -> str:
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


def _fold_table() -> dict:
    """After NFKC: what shows nothing is dropped, every space is a space, every dash a hyphen."""
    table = {}
    ignorable = {c for a, b in _IGNORABLE for c in range(a, b + 1)}
    for a, b in _WIDE_RANGES:
        for code in range(a, b + 1):
            category = unicodedata.category(chr(code))
            if category == "Cf" or code in ignorable:
                table[code] = None
            elif category in ("Zs", "Zl", "Zp"):
                table[code] = " "
            elif category == "Pd" or code == 0x2212:
                table[code] = "-"
    table.update({code: None for a, b in _MARKS for code in range(a, b + 1)})
    return table


_TABLE = _fold_table()
# What shows nothing may also have stood for a space: 138\u200b0013 and 2024\u200b13800138000 are both read
_SPACED = _TABLE | {code: " " for code, to in _TABLE.items() if to is None}
# Numerals only in a variant of their own: 张三13800138000 keeps its number
_NUMERAL_TABLE = str.maketrans(_NUMERALS)
_STRIP = str.maketrans("", "", _MARKUP)
# Every match below is made of these characters only (before folding), and is at least 11 long: the patterns
# run only over such runs (a few % of a typical text), which gives the matches of a scan of the whole text.
# (Beyond U+FFFF the class takes every character, which keeps the regex engine on its fast table for the rest:
# naming the few astral ranges costs five times as much, and what a run holds beyond them only ends a match.)
_RUN = re.compile("[0-9Xx +\\-\t\n()" + re.escape(_MARKUP) + _class([r for r in _WIDE_RANGES if r[1] <= 0xFFFF])
                  + _class(_MARKS) + "".join(_NUMERALS) + "\U00010000-\U0010ffff]{11,}")
# Between two digits: up to two spaces or tabs, a hyphen or a line break (shown as a space), or one of these
# with a space or tab either side. Written so that one text can be matched one way only: `[ ]?[-]?[ ]?` can read
# a lone space two ways, and a failing match over "1 1 1 …" then tries 2^16 of them.
_SEP = r"(?:[ \t](?:[-\n][ \t]?|[ \t])?|[-\n][ \t]?)?"
_ID = re.compile(rf"(?<![0-9])([0-9](?:{_SEP}[0-9]){{16}}{_SEP}[0-9Xx])(?![0-9])")
# 1[3-9] + 9 digits; +86, 0086, (+86) or 86 may lead, a space or hyphen after it.
_MOBILE = re.compile(rf"(?<![0-9])(?<![0-9]-)((?:\+86|0086|\(\+?86\)|86)[ \t-]?)?(1[3-9](?:{_SEP}[0-9]){{9}})"
                     r"(?![0-9])")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")
# A link's or image's target and a reference label: not shown between the words around them.
_LINK_TARGET = re.compile(r"\]\([^()\s\x00]*(?:[ \t]+\"[^\"\n\x00]*\")?\)|\]\[[^\[\]\n\x00]*\]")
_NOT_DIGIT = re.compile(r"[^0-9]")
_NOT_DIGITS = re.compile(r"[^0-9]+")
_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)   # the front matter's --- lines

FILE_NAME = "（文件名）"         # the end of a hit's kind when the number is in the file's name


def valid_resident_id(number: str) -> bool:
    number = number.upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", number):
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


def _entity(match: re.Match) -> str:
    decoded = html.unescape(match.group())
    return decoded.replace("\r", " ").replace("\n", " ")     # &#10; must not move the lines after it


def fold(text: str) -> str:
    """`text` as a reader reads its numbers: entities decoded, NFKC, nothing invisible, plain spaces and
    hyphens. Line breaks stay where they are, so a position's line is the same as in `text`."""
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).translate(_TABLE)


def _allowed(allow) -> set[str]:
    allowed = set()
    for entry in allow:
        written = fold(entry).strip()
        digits = re.sub(r"[^0-9Xx]", "", written).upper()
        allowed |= {written, digits}
        if digits.startswith("0086"):
            allowed.add(digits[4:])
        elif digits.startswith("86") and len(digits) == 13:
            allowed.add(digits[2:])
    allowed.discard("")
    return allowed


def _runs(text: str, allowed: set[str], first_line: int, hits: list) -> None:
    """The hits in `text`, looking only at runs of the characters a number can be written with."""
    line, counted = first_line - 1, 0
    for run in _RUN.finditer(text):
        piece = run.group()
        if piece.isascii():
            if len(_NOT_DIGITS.sub("", piece)) < 11:    # most runs: dates, 索引号, rules of dashes
                continue
            variants = [piece]
        else:
            variants = _variants(piece)
            if not variants:
                continue
        stripped = [variant.translate(_STRIP) for variant in variants]
        found: list = []
        for variant in variants + [v for v, w in zip(stripped, variants) if v != w]:   # also as shown: 138**0013**8000
            if found:
                known = set(found)
                found += [hit for hit in _matches(variant, allowed) if hit not in known]
            else:
                found = _matches(variant, allowed)
        if found:                       # lines counted on from the last hit: a list of numbers stays linear
            line += text.count("\n", counted, run.start())
            counted = run.start()
            hits += [PrivacyHit(line + at, kind, masked) for at, kind, masked in found]


def _variants(piece: str) -> list[str]:
    """A run beyond ASCII as a reader may read it: NFKC-folded, with what shows nothing dropped, or taken
    as a space; each also with its Chinese numerals as digits. [] when no reading holds enough digits."""
    normal = unicodedata.normalize("NFKC", piece)
    variants = [normal.translate(_TABLE)]
    spaced = normal.translate(_SPACED)
    if spaced != variants[0]:
        variants.append(spaced)
    numerals = [variant.translate(_NUMERAL_TABLE) for variant in variants]
    if numerals[0] != variants[0]:
        variants += numerals
    return variants if len(_NOT_DIGITS.sub("", variants[-1])) >= 11 else []


def _digits_enough(run: re.Match) -> bool:
    piece = run.group()
    return len(_NOT_DIGITS.sub("", piece)) >= 11 if piece.isascii() else bool(_variants(piece))


def _matches(piece: str, allowed: set[str]) -> list[tuple[int, str, str]]:
    """(line in the piece from 1, kind, masked) of every number in one folded run."""
    found = []
    if len(piece) < 11:
        return found
    ids = []                 # where the ID numbers are: 110105 19491231 002X holds no mobile number 194 9123 1002
    for match in _ID.finditer(piece):
        number = _NOT_DIGIT.sub("", match.group(1)[:-1]) + match.group(1)[-1].upper()
        if valid_resident_id(number):
            ids.append(match.span())
            if number not in allowed:
                found.append((1 + piece.count("\n", 0, match.start()), "身份证号", mask_id(number)))
    for match in _MOBILE.finditer(piece):
        digits = _NOT_DIGIT.sub("", match.group(2))
        if match.group(0).strip() in allowed or digits in allowed:
            continue
        if ids and any(start < match.end() and match.start() < end for start, end in ids):
            continue
        found.append((1 + piece.count("\n", 0, match.start(2)), "手机号", mask_mobile(digits)))
    return found


def scan(text: str, allow: tuple[str, ...] | list[str] = (), first_line: int = 1) -> tuple[PrivacyHit, ...]:
    """Every unmasked ID or mobile number in `text`, with its line.

    `allow` holds exact strings (official hotlines) that may stand; a match is
    allowed when it equals an entry as written or digit for digit (both folded).
    """
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    found: list[PrivacyHit] = []
    allowed = _allowed(allow) if allow else set()
    _runs(text, allowed, first_line, found)
    if "](" in text or "][" in text:          # 138[0013](#)8000 reads 13800138000
        more: list[PrivacyHit] = []
        _runs(_LINK_TARGET.sub("]", text), allowed, first_line, more)
        known = set(found)
        found += [hit for hit in more if hit not in known]
    return tuple(sorted(found, key=lambda h: h.line))


# Fields a reader sees (on the page, in its URL, in the search and the feeds), as parsed from the front matter.
SHOWN_FIELDS = ("title", "summary", "doc_no", "publisher", "keywords", "index_no", "slug", "attachments",
                "reviewer", "category")


def scan_record(text: str, matter, lines: dict, file_name: str) -> tuple[PrivacyHit, ...]:
    """The hits of one content file: its text (folded), then what the text does not show as the reader
    reads it — each shown field as parsed (YAML escapes undone) on the field's line, and the file's name
    (an item's URL is made from it when it has no slug or 索引号; its kind ends with FILE_NAME, line 1).

    `matter` is the validated front matter (its `privacy_allow` applies to all), `lines` the parser's
    field -> line map. A number the text scan already reported on the field's lines is not reported again."""
    allow = matter.privacy_allow
    hits = list(scan(text, allow))
    data = matter.__dict__          # the validated values (pydantic keeps them there): faster than getattr
    values = [file_name]
    for name in SHOWN_FIELDS:
        value = data.get(name)
        if value:
            values += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    # the common case: no field holds a run of a number's characters (nor an entity or a link to undo)
    joined = "\x00".join(values)
    if not ("&" in joined or "](" in joined or "][" in joined or any(map(_digits_enough, _RUN.finditer(joined)))) \
            or not scan(joined, allow):
        return tuple(hits)
    shown = []
    for name in SHOWN_FIELDS:
        value = data.get(name)
        if isinstance(value, str):
            shown.append((lines.get(name, 1), value))
        elif isinstance(value, (list, tuple)):
            shown += [(lines.get((name, i), lines.get(name, 1)), v) for i, v in enumerate(value) if isinstance(v, str)]
    fences = [match.start() for _, match in zip(range(2), _FENCE.finditer(text))]
    body_line = 1 + text.count("\n", 0, fences[-1]) if len(fences) == 2 else 1 << 30   # the closing ---
    starts = sorted({line for line in lines.values() if isinstance(line, int)} | {body_line, 1 << 30})
    for line, value in shown:
        end = starts[bisect.bisect_right(starts, line)]     # the field's value stands on lines [line, end)
        for hit in scan(value.replace("\n", " "), allow, line):
            if not any(other.kind == hit.kind and other.masked == hit.masked and line <= other.line < end
                       for other in hits):                  # the text scan found it there already
                hits.append(hit)
    hits += [PrivacyHit(1, hit.kind + FILE_NAME, hit.masked) for hit in scan(file_name, allow)]
    return tuple(sorted(hits, key=lambda h: h.line))


def redact(text: str) -> str:
    """`text` with every number `scan` finds in it masked, for messages that quote what an editor wrote
    (a schema error showing a slug, a missing attachment's name): a build log must not carry the number.
    Only the runs that hold a number change (folded: full-width digits as ASCII, what shows nothing dropped)."""
    if not scan(text):
        return text

    def mask(match: re.Match) -> str:
        if match.re is _ID:
            number = _NOT_DIGIT.sub("", match.group(1)[:-1]) + match.group(1)[-1].upper()
            return mask_id(number) if valid_resident_id(number) else match.group()
        digits = _NOT_DIGIT.sub("", match.group(2))
        return match.group()[:match.start(2) - match.start()] + mask_mobile(digits)

    def run(match: re.Match) -> str:
        piece = match.group()
        if not scan(piece):
            return piece
        folded = _MOBILE.sub(mask, _ID.sub(mask, piece if piece.isascii() else
                                          unicodedata.normalize("NFKC", piece).translate(_TABLE)))
        # a number only markup, numerals or a space for what shows nothing kept together: hide every digit
        return re.sub(r"[0-9]", "*", folded.translate(_NUMERAL_TABLE)) if scan(folded) else folded

    shown = _RUN.sub(run, _ENTITY.sub(_entity, text) if "&" in text else text)
    return shown if not scan(shown) else re.sub(r"[0-9]", "*", fold(shown).translate(_NUMERAL_TABLE))
