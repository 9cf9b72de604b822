"""Website-only machine-readable files: Atom feed, sitemap, catalogue.json, robots.txt.

All URLs here are absolute under `base_url`: these files leave the site.
Dates come from the items, never from the build clock, so that a rebuild at
another moment with the same published set writes the same bytes.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from xml.sax.saxutils import escape

from .catalogue import Catalogue, page_url
from .views import fmt_date

FEED_SIZE = 50
EPOCH = datetime(2000, 1, 1, tzinfo=timezone.utc)


def website_files(cat: Catalogue) -> dict[str, bytes]:
    return {"feed.xml": atom(cat), "sitemap.xml": sitemap(cat),
            "catalogue.json": catalogue_json(cat), "robots.txt": robots(cat)}


def _abs(cat: Catalogue, url: str) -> str:
    return cat.config.base_url + url.lstrip("/")


def _iso(moment: datetime, cat: Catalogue) -> str:
    return moment.astimezone(cat.config.tz).isoformat()


def atom(cat: Catalogue) -> bytes:
    config = cat.config
    latest = cat.items[:FEED_SIZE]
    updated = latest[0].pub_date if latest else EPOCH
    parts = ['<?xml version="1.0" encoding="utf-8"?>',
             f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{escape(config.site.language)}">',
             f"  <title>{escape(config.site.title)}</title>",
             f"  <id>{escape(config.base_url)}</id>",
             f'  <link href="{escape(config.base_url)}"/>',
             f'  <link rel="self" href="{escape(_abs(cat, "/feed.xml"))}"/>',
             f"  <updated>{_iso(updated, cat)}</updated>",
             f"  <author><name>{escape(config.site.publisher)}</name></author>"]
    for item in latest:
        link = escape(_abs(cat, cat.url(item)))
        parts += ["  <entry>",
                  f"    <title>{escape(item.title)}</title>",
                  f"    <id>{link}</id>",
                  f'    <link href="{link}"/>',
                  f"    <updated>{_iso(item.pub_date, cat)}</updated>",
                  f"    <category term=\"{escape(item.category)}\" label=\"{escape(config.categories[item.category].name)}\"/>",
                  f"    <author><name>{escape(item.publisher)}</name></author>"]
        if item.summary:
            parts.append(f"    <summary>{escape(item.summary)}</summary>")
        parts.append("  </entry>")
    parts.append("</feed>\n")
    return "\n".join(parts).encode("utf-8")


def sitemap(cat: Catalogue) -> bytes:
    config = cat.config
    entries: list[tuple[str, str]] = [("/", "")]
    for category in cat.shown_categories():
        entries.append((f"/{category.path}/", ""))
    for item in cat.items:
        entries.append((cat.url(item), fmt_date(item.updated or item.pub_date, config)))
    entries.append(("/departments/", ""))
    entries += [(f"/departments/{folder}/", "") for folder in config.sections]
    entries += [(page_url(p), fmt_date(p.updated, config)) for p in cat.pages]
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, lastmod in entries:
        lines.append(f"  <url><loc>{escape(_abs(cat, url))}</loc>" +
                     (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def catalogue_json(cat: Catalogue) -> bytes:
    """Every published item's metadata, as open data (政府数据开放)."""
    config = cat.config
    records = []
    for item in cat.items:
        records.append({
            "index_no": item.index_no, "title": item.title,
            "category": item.category, "category_name": config.categories[item.category].name,
            "publisher": item.publisher, "department": item.department,
            "doc_no": item.doc_no, "doc_date": fmt_date(item.doc_date, config) or None,
            "pub_date": _iso(item.pub_date, cat),
            "expiry_date": _iso(item.expiry_date, cat) if item.expiry_date else None,
            "summary": item.summary, "keywords": list(item.keywords),
            "path": cat.url(item), "url": _abs(cat, cat.url(item)),
        })
    document = {"site": config.site.title, "publisher": config.site.publisher,
                "base_url": config.base_url, "count": len(records), "items": records}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def robots(cat: Catalogue) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {_abs(cat, '/sitemap.xml')}\n".encode("utf-8")
