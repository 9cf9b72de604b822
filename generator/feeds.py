"""Website-only machine-readable files: Atom feed, sitemap, catalogue.json, robots.txt.

All URLs here are absolute under `base_url`: these files leave the site.
Dates come from the items, never from the build clock, so that a rebuild at
another moment with the same published set writes the same bytes.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from xml.sax.saxutils import escape as _escape


from .catalogue import Catalogue, page_url
from .views import fmt_date

# What XML 1.0 forbids in a document (§2.2 Char): C0 controls but tab, newline and carriage return;
# lone surrogates; U+FFFE and U+FFFF. An editor's title or summary may carry one (pasted from a PDF or
# a word processor): it is dropped, or no reader would accept the feed or the sitemap.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# In an attribute value a parser turns tab, newline and carriage return into spaces: kept as references.
_ATTR = {'"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}


def escape(text: str) -> str:
    """Character data: &, <, > escaped, what XML 1.0 cannot hold removed."""
    return _escape(_NOT_XML.sub("", text))


def attr(text: str) -> str:
    """An attribute value between double quotes: `escape` and the quote, tab and line breaks too."""
    return _escape(_NOT_XML.sub("", text), _ATTR)


FEED_SIZE = 50
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def feed_fields(item) -> tuple:
    """Everything of an item these files show: when it is unchanged, they are too."""
    return (item.index_no, item.title, item.category, item.publisher, item.department, item.doc_no,
            item.doc_date, item.pub_date, item.expiry_date, item.summary, item.keywords, item.updated)


FILES = ("feed.xml", "sitemap.xml", "catalogue.json", "robots.txt")     # what website_files makes


def website_files(cat: Catalogue, memo: dict | None = None) -> dict[str, bytes]:
    """`memo` keeps each item's serialised fragments across rebuilds (the preview): an edit
    re-serialises one item, not ten thousand."""
    memo = {} if memo is None else memo
    return {"feed.xml": atom(cat), "sitemap.xml": sitemap(cat, memo),
            "catalogue.json": catalogue_json(cat, memo), "robots.txt": robots(cat)}


def _fragment(memo: dict, kind: str, item, cat: Catalogue, make) -> bytes:
    """An item's fragment, encoded, made again only when what it shows changed: the same record (the
    preview keeps unchanged records), or one with the same fields, at the same URL."""
    key = (kind, item.file)
    url = cat.url(item)
    known = memo.get(key)
    if known is not None and known[1] == url:
        if known[0] is item:
            return known[3]
        fields = feed_fields(item)
        if known[2] == fields:
            memo[key] = (item, url, fields, known[3])
            return known[3]
    else:
        fields = feed_fields(item)
    text = make().encode("utf-8")
    memo[key] = (item, url, fields, text)
    return text


def _abs(cat: Catalogue, url: str) -> str:
    return cat.config.base_url + url.lstrip("/")


def _iso(moment, cat: Catalogue):
    return moment.astimezone(cat.config.tz).isoformat() if moment is not None else None


def atom(cat: Catalogue) -> bytes:
    config = cat.config
    latest = [i for i in cat.items if i.pub_date is not None][:FEED_SIZE]   # (a preview shows undated drafts)
    updated = latest[0].pub_date if latest else EPOCH
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{attr(config.site.language)}">',
             f"  <title>{escape(config.site.title)}</title>",
             f"  <id>{escape(config.base_url)}</id>",
             f'  <link href="{attr(config.base_url)}"/>',
             f'  <link rel="self" href="{attr(_abs(cat, "/feed.xml"))}"/>',
             f"  <updated>{_iso(updated, cat)}</updated>",
             f"  <author><name>{escape(config.site.publisher)}</name></author>"]
    for item in latest:
        link = _abs(cat, cat.url(item))
        parts += ["  <entry>",
                  f"    <title>{escape(item.title)}</title>",
                  f"    <id>{escape(link)}</id>",
                  f'    <link href="{attr(link)}"/>',
                  f"    <updated>{_iso(item.pub_date, cat)}</updated>",
                  f'    <category term="{attr(item.category)}" label="{attr(config.categories[item.category].name)}"/>',
                  f"    <author><name>{escape(item.publisher)}</name></author>"]
        if item.summary:
            parts.append(f"    <summary>{escape(item.summary)}</summary>")
        parts.append("  </entry>")
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def _sitemap_line(cat: Catalogue, url: str, lastmod: str) -> str:
    return f"  <url><loc>{escape(_abs(cat, url))}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>"


def sitemap(cat: Catalogue, memo: dict | None = None) -> bytes:
    config, memo = cat.config, ({} if memo is None else memo)
    head = ['<?xml version="1.0" encoding="utf-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
            _sitemap_line(cat, "/", "")]
    head += [_sitemap_line(cat, f"/{c.path}/", "") for c in cat.shown_categories()]
    items = [_fragment(memo, "sitemap", item, cat, lambda item=item: _sitemap_line(
        cat, cat.url(item), fmt_date(item.updated or item.pub_date, config))) for item in cat.items]
    tail = [_sitemap_line(cat, "/departments/", "")]
    tail += [_sitemap_line(cat, f"/departments/{folder}/", "") for folder in config.sections]
    tail += [_sitemap_line(cat, page_url(p), fmt_date(p.updated, config)) for p in cat.pages]
    tail.append("</urlset>\n")
    # the lines joined as text and encoded, the items' lines kept encoded
    return b"\n".join([_encoded(head)] + items + [_encoded(tail)])


def _encoded(lines: list[str]) -> bytes:
    return "\n".join(lines).encode("utf-8")


def _record(cat: Catalogue, item) -> str:
    config = cat.config
    record = {
        "index_no": item.index_no, "title": item.title,
        "category": item.category, "category_name": config.categories[item.category].name,
        "publisher": item.publisher, "department": item.department,
        "doc_no": item.doc_no, "doc_date": fmt_date(item.doc_date, config) or None,
        "pub_date": _iso(item.pub_date, cat),
        "expiry_date": _iso(item.expiry_date, cat) if item.expiry_date else None,
        "summary": item.summary, "keywords": list(item.keywords),
        "path": cat.url(item), "url": _abs(cat, cat.url(item)),
    }
    # indented as json.dumps(document, indent=1) would place it, two levels down
    lines = ["  {"]
    for name, value in record.items():
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            lines.append(f'   {_STRING(name)}: [')
            lines.append(",\n".join(f"    {_STRING(v)}" for v in value))
            lines.append("   ],")
        else:
            lines.append(f"   {_STRING(name)}: {_json_value(value)},")
    lines[-1] = lines[-1][:-1]
    lines.append("  }")
    return "\n".join(lines)


# json.dumps(…, ensure_ascii=False) of a text, in C; the slow general path (indent) is only for the rest
_STRING = json.encoder.encode_basestring


def _json_value(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _STRING(value)
    return "\n".join(("   " + line) if i else line
                     for i, line in enumerate(json.dumps(value, ensure_ascii=False, indent=1).splitlines()))


def catalogue_json(cat: Catalogue, memo: dict | None = None) -> bytes:
    """Every published item's metadata, as open data (政府数据开放)."""
    config, memo = cat.config, ({} if memo is None else memo)
    records = [_fragment(memo, "json", item, cat, lambda item=item: _record(cat, item)) for item in cat.items]
    head = {"site": config.site.title, "publisher": config.site.publisher,
            "base_url": config.base_url, "count": len(records)}
    text = json.dumps(head, ensure_ascii=False, indent=1)[:-2]          # without the closing "\n}"
    items = b"[\n" + b",\n".join(records) + b"\n ]" if records else b"[]"
    return (text + ',\n "items": ').encode("utf-8") + items + b"\n}\n"


def robots(cat: Catalogue) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {_abs(cat, '/sitemap.xml')}\n".encode("utf-8")
