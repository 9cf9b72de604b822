"""The stop characters of a part of the search index, and the texts of its fragments.

Pagefind's time and memory go with its posting lists, and the longest are those of the characters
on most pages (的, 公, 开 …). A character on at least STOP_SHARE of a part's pages is a *stop
character* of that part: left out of the copies Pagefind indexes (copies.copy_html; a title keeps
all its characters), and given instead as a bitmap of the pages that hold it,
`stop/<code point, hex>.bin` in the part's folder (bit i, byte i // 8, bit i % 8 from the lowest:
the page of sort "n" i, in the part's order), with `stop.json` naming the part's stop characters.
search.js asks Pagefind for a query's other words and keeps the pages whose bitmaps hold its stop
characters; a query of stop characters only takes the bitmaps' pages. Which characters are stop
characters depends on the part's pages only, so a part made by a CI shard is the same.

A copy holds each character once, so the text Pagefind stores is not the page's, and it lies flat in
its folder, so its URL is not the page's either: put_texts gives each fragment the page's URL and
text (copies.page_text) in place of what Pagefind stored."""
from __future__ import annotations

import gzip
import hashlib
import json
import math
from collections import Counter
from pathlib import Path

from .copies import page_url

STOP_SHARE = 0.2        # measured at 10,000 items: 1.5 s of Pagefind for a 1,600-page part instead of 7.8
STOP_MIN = 2            # a character of one page is never a stop character
STOP_FILE = "stop.json"
STOP_DIR = "stop"
PAGES_FILE = "pages.json"
_SIGNATURE = b"pagefind_dcd"


def stop_chars(pages: list[str]) -> frozenset:
    """The stop characters of a part whose pages hold `pages` (each page's characters, each once)."""
    counts: Counter = Counter()
    for chars in pages:
        counts.update(chars)
    floor = max(STOP_MIN, math.ceil(STOP_SHARE * len(pages)))
    return frozenset(c for c, n in counts.items() if n >= floor)


def write_stops(folder: Path, stops: frozenset, pages: list[str], ids: list[str], filters: list[dict]) -> None:
    """folder/stop/<hex>.bin: a bitmap of `pages` (in sort "n" order) per stop character;
    folder/pages.json: the pages' ids in that order and the pages of each filter value,
    {"ids": [...], "filters": {facet: {value: [i, ...]}}}, which search.js reads instead of asking
    Pagefind for every page (a search for no word makes the browser load every index chunk);
    folder/stop.json: the stop characters and a version of the other two, which search.js asks
    them by (their names stay the same from build to build, and browsers keep them a while)."""
    if len(ids) != len(pages) or len(filters) != len(pages):
        raise ValueError(f"{len(pages)} pages, {len(ids)} ids, {len(filters)} filter sets")
    size = (len(pages) + 7) // 8
    maps = {c: bytearray(size) for c in stops}
    for i, chars in enumerate(pages):
        byte, bit = i >> 3, 1 << (i & 7)
        for c in stops.intersection(chars):
            maps[c][byte] |= bit
    values: dict = {}
    for i, page_filters in enumerate(filters):
        for facet, found in page_filters.items():
            for value in found:
                values.setdefault(facet, {}).setdefault(value, []).append(i)
    listing = {"ids": ids, "filters": {facet: dict(sorted(found.items())) for facet, found in sorted(values.items())}}
    listed = (json.dumps(listing, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    version = hashlib.sha1(listed)
    (folder / STOP_DIR).mkdir(parents=True, exist_ok=True)
    for c, bits in sorted(maps.items()):
        (folder / STOP_DIR / f"{ord(c):x}.bin").write_bytes(bits)
        version.update(c.encode("utf-8") + bytes(bits))
    (folder / PAGES_FILE).write_bytes(listed)
    data = {"pages": len(pages), "chars": "".join(sorted(stops)), "version": version.hexdigest()[:16]}
    (folder / STOP_FILE).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def put_text(fragment: Path, pages: list[str], texts: dict[int, str]) -> tuple[int, dict]:
    """Give one fragment of a bundle (gzip: signature, JSON) its page's URL and text in place of its
    copy's (the copy of the page at position i of `pages` is /<i>.html: copies.copy_name). Returns
    the page's position and its filters."""
    data = gzip.decompress(fragment.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{fragment.name}: not a Pagefind fragment")
    record = json.loads(data[len(_SIGNATURE):])
    position = int(record["url"].strip("/").removesuffix(".html"))
    record["url"], record["content"] = page_url(pages[position]), texts[position]
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    fragment.write_bytes(gzip.compress(_SIGNATURE + body, compresslevel=6, mtime=0))
    return position, record.get("filters", {})


def put_texts(bundle: Path, pages: list[str], texts: dict[int, str]) -> dict[int, dict]:
    """put_text for every fragment of a bundle Pagefind made from the copies of `pages`; returns
    {position: filters} of the pages."""
    return dict(put_text(fragment, pages, texts) for fragment in sorted((bundle / "fragment").glob("*.pf_fragment")))
