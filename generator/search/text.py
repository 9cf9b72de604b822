"""The text of search: Simplified normalisation (OpenCC's table, one character for one), pinyin
runs and keys (pypinyin), exact-match keys (FNV-1a) and the prefixes of short names.

static/search.js repeats normalise (from /search/zh-t2s.json), fnv_key and title_form (TITLE_NOISE,
TITLE_NOTE): a change here is a change there."""
from __future__ import annotations

import json
import re
from functools import lru_cache

KEY = "0y"             # prefix of an exact-match key (title, 索引号, 文号)
PINYIN_CAP = 12        # letters kept of each pinyin key; longer queries are checked in the page
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
HAN_RUN = re.compile(f"[{HAN_RANGES}]+")
HAN_CHAR = re.compile(f"[{HAN_RANGES}]")
PINYIN_SYLLABLE = re.compile(r"^[a-z]+$")
LATIN_OR_DIGITS = re.compile(r"[0-9A-Za-z]+")
WHITESPACE = re.compile(r"\s+")

# ---------------------------------------------------------------- Simplified normalisation

@lru_cache(maxsize=1)
def t2s_map() -> dict[str, str]:
    """Traditional -> Simplified, one character for one (OpenCC's t2s table, character by
    character), plus full-width ASCII -> ASCII. One character for one keeps positions: a match
    found in the normalised text is at the same place in the original."""
    import opencc       # imported when first needed: builds without search never load its tables
    converter = opencc.OpenCC("t2s")
    chars = [chr(c) for start, end in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FFFF))
             for c in range(start, end + 1)]
    converted = converter.convert("\n".join(chars)).split("\n")
    table = {c: s for c, s in zip(chars, converted) if s != c and len(s) == 1}
    table.update({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})
    table["\u3000"] = " "
    return table


@lru_cache(maxsize=1)
def _translation() -> dict[int, str]:
    return str.maketrans(t2s_map())


def normalise(text: str) -> str:
    """The form both the index and the queries are compared in (Simplified, half-width)."""
    return text.translate(_translation())


def t2s_json() -> bytes:
    """The table for search.js: {"map": "許许處处…"} (pairs), sorted, so the file is stable."""
    pairs = "".join(k + v for k, v in sorted(t2s_map().items()))
    return (json.dumps({"map": pairs}, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


# ---------------------------------------------------------------- keys

def fnv_key(value: str) -> str:
    """The exact-match key of a title, 索引号 or 文号 (two FNV-1a hashes; search.js has the same)."""
    text = normalise(value).strip().lower()
    parts = []
    for basis in (0x811C9DC5, 0x050C5D1F):
        h = basis
        for ch in text:
            h = ((h ^ ord(ch)) * 0x01000193) & 0xFFFFFFFF
        parts.append(f"{h:08x}")
    return KEY + "".join(parts)


@lru_cache(maxsize=1)
def _pinyin():
    """pypinyin's converter as lazy_pinyin(…, v_to_u=False, neutral_tone_with_five=False) makes it on
    every call; imported when first needed (~60 MB of dictionaries)."""
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin
    return Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


@lru_cache(maxsize=1 << 16)
def _word_pinyin(word: str) -> tuple:
    """The pinyin of one word of pypinyin's segmentation: words recur from title to title, and
    pypinyin reads each word on its own (without tone sandhi), so a word's reading is kept."""
    return tuple(_pinyin().lazy_pinyin([word]))


def _lazy_pinyin(run: str) -> list[str]:
    """pypinyin.lazy_pinyin(run, v_to_u=False, neutral_tone_with_five=False), word by word, cached."""
    return [syllable for word in _pinyin().seg(run) for syllable in _word_pinyin(word)]


def pinyin_runs(text: str) -> list[list[str]]:
    """Phrase-aware pinyin of each stretch of Han characters of the normalised text (`v` for ü).
    Punctuation between Han characters (“三公”经费) is skipped; letters and digits end a stretch."""
    runs = []
    stretches = ("".join(HAN_RUN.findall(part)) for part in LATIN_OR_DIGITS.split(normalise(text)))
    for run in filter(None, stretches):
        syllables = _lazy_pinyin(run)
        current: list[str] = []
        if len(syllables) != len(run):          # pypinyin left something unread: read char by char
            syllables = [_word_pinyin(c)[0] for c in run]
        for syllable in syllables:
            if PINYIN_SYLLABLE.match(syllable):
                current.append(syllable)
            elif current:                        # a character without a reading breaks the run
                runs.append(current)
                current = []
        if current:
            runs.append(current)
    return runs


def pinyin_keys(runs: list[list[str]]) -> set[str]:
    """From every syllable position: the full pinyin and the initials that follow, capped."""
    keys = set()
    for run in runs:
        initials = "".join(s[0] for s in run)
        for i in range(len(run)):
            # a syllable has a letter at least: PINYIN_CAP syllables hold the capped key
            keys.add("".join(run[i:i + PINYIN_CAP])[:PINYIN_CAP])
            keys.add(initials[i:i + PINYIN_CAP])
    return keys


# ---------------------------------------------------------------- short names (简称)
# 计量法 is the short name of 中华人民共和国计量法: a title less a common prefix. search.js ranks the
# title whose short name is the query (or reads so in pinyin) right after exact matches, before
# 中华人民共和国计量法实施细则; the prefixes come with the /search/ page (page.py).

TITLE_NOISE = re.compile(r"[\s《》〈〉]+")          # book-title marks and spaces: not part of a name
TITLE_NOTE = re.compile(r"[(（][^()（）]*[)）]$")   # a trailing note: （2017年修订）, （试行）
COUNTRY = "中华人民共和国"
PROVINCES = ("北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省",
             "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省",
             "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区",
             "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区",
             "澳门特别行政区")
_CITY = re.compile(f"[{HAN_RANGES}]{{1,7}}?市(?!场)")                 # 泰州市, not 国家市(场监督…)
_COUNTY = re.compile(f"[{HAN_RANGES}]{{1,7}}?(?:自治县|自治旗|县|区|旗)")  # 海陵区


def title_form(text: str) -> str:
    """A title or query as short names are compared: normalised, lower case, without 《》〈〉 and spaces."""
    return TITLE_NOISE.sub("", normalise(text)).lower()


def title_forms(title: str) -> list[str]:
    """The forms a title's short names are cut from: title_form, and that without a trailing note."""
    bare = title_form(title)
    core = TITLE_NOTE.sub("", bare)
    return [bare, core] if core and core != bare else [bare]


def place_names(name: str) -> list[str]:
    """The province, city and county a name begins with (江苏省泰州市海陵区… -> 江苏省, 泰州市, 海陵区)."""
    places, rest = [], title_form(name)
    province = next((p for p in PROVINCES if rest.startswith(p)), "")
    if province:
        places.append(province)
        rest = rest[len(province):]
    for pattern in (_CITY, _COUNTY):
        found = pattern.match(rest)
        if found:
            places.append(found.group())
            rest = rest[found.end():]
    return places


def title_prefixes(names: list[str]) -> list[str]:
    """The prefixes a title may carry before its short name: 中华人民共和国, the provinces, and the site's
    own names (site title, publishers): each whole, each of its words, the places it begins with.
    Longest first, in title_form."""
    found = {COUNTRY, *PROVINCES}
    for name in names:
        found.update(title_form(word) for word in [name] + name.split())
        found.update(place_names(name))
    return sorted((p for p in found if len(p) >= 2), key=lambda p: (-len(p), p))
