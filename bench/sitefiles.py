"""Read a site root of this project's format without the generator (for the converters).

The benchmark's Hugo and Pelican sites are converted from the same files the
generator reads; this module reads them with PyYAML and tomllib only, so a
converter never shares code (or bugs) with the code being measured.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Iterator, Optional

import yaml

CHANNEL = "website"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Record:
    """One content file: its front matter and body, and what the website build does with it."""

    path: Path                 # the source file
    section: Optional[str]     # folder under content/ (None for a fixed page)
    meta: dict
    body: str

    def moment(self, key: str, tz: timezone) -> Optional[datetime]:
        value = self.meta.get(key)
        if value is None:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=tz)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=tz)
        text = str(value).strip()
        parsed = datetime.fromisoformat(text) if len(text) > 10 else \
            datetime.combine(date.fromisoformat(text), time(0, 0))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


@dataclass(frozen=True)
class Site:
    root: Path
    config: dict
    categories: dict           # code -> {"code", "name", "slug", "audience", "path"}
    departments: dict          # section folder -> department name
    tz: timezone

    def leaf(self, given: str) -> Optional[dict]:
        given = str(given)
        if given in self.categories:
            return self.categories[given]
        return next((c for c in self.categories.values() if c["name"] == given), None)


def load_site(root: Path) -> Site:
    config = tomllib.loads((root / "site.toml").read_text(encoding="utf-8"))
    cats: dict = {}
    for entry in config["categories"]:
        code = str(entry["code"])
        parent = cats.get(code[:-2]) if len(code) > 2 else None
        slug = entry.get("slug") or code
        audience = entry.get("audience") or (parent["audience"] if parent else "public")
        cats[code] = {"code": code, "name": entry["name"], "slug": slug, "audience": audience,
                      "path": f"{parent['path']}/{slug}" if parent else slug, "parent": parent and parent["code"]}
    departments = {s["folder"]: s["department"] for s in config.get("sections", [])}
    return Site(root, config, cats, departments, timezone(timedelta(hours=8)))


def records(site: Site) -> Iterator[Record]:
    """Every Markdown file of content/, sorted by path."""
    base = site.root / "content"
    for path in sorted(base.rglob("*.md")):
        rel = path.relative_to(base).parts
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        _, head, body = text.split("---\n", 2)
        section = None if rel[0] == "pages" else rel[0]
        yield Record(path, section, yaml.load(head, Loader=_LOADER) or {}, body.lstrip("\n"))


def on_website(site: Site, record: Record, now: datetime) -> bool:
    """Would the website show this item at `now`? (The benchmark's own reading of SPEC's rule,
    used only to hand the other tools the same set of pages.)"""
    meta = record.meta
    if meta.get("status") != "approved" or not meta.get("reviewer") or not meta.get("index_no"):
        return False
    pub, expiry = record.moment("pub_date", site.tz), record.moment("expiry_date", site.tz)
    if pub is None or now < pub or (expiry is not None and now >= expiry) or meta.get("abolished"):
        return False
    category = site.leaf(meta.get("category", ""))
    audience = meta.get("audience") or (category or {}).get("audience", "public")
    channels = meta.get("channels") or (["intranet"] if audience == "internal" else [CHANNEL])
    return audience == "public" and CHANNEL in channels


def slug_of(record: Record) -> str:
    meta = record.meta
    if meta.get("slug"):
        return str(meta["slug"])
    if meta.get("index_no"):
        return str(meta["index_no"]).split("/", 1)[1]
    return record.path.stem.lower()
