"""Web addresses from Chinese names: the one place pinyin becomes a slug (a category's default
slug, a fixed page named in Chinese)."""
from __future__ import annotations

import re


def pinyin_slug(text: str, joiner: str, fallback: str) -> str:
    """"行政许可" -> "xingzhengxuke" (joiner "") or "xing-zheng-xu-ke" (joiner "-")."""
    from pypinyin import lazy_pinyin    # ~60 MB of dictionaries: loaded only when a slug is derived
    return re.sub(r"[^a-z0-9]+", "-", joiner.join(lazy_pinyin(text)).lower()).strip("-") or fallback
