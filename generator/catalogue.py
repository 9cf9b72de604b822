"""Published items -> Catalogue: the category tree, departments, order and URLs.

Only published items ever enter a Catalogue, which is what makes "a held-back
item leaves no trace" hold by construction: counts, listings, feeds and the
sitemap all read from here.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from .config import Category, Config
from .model import Item, Page
from .visibility import AUDIENCES


def newest_first(items: list[Item]) -> list[Item]:
    """Newest 发布日期 first; 索引号 then file break ties so the order is stable."""
    by_file = sorted(items, key=lambda i: i.file)
    return sorted(by_file, key=lambda i: (i.pub_date.timestamp() if i.pub_date else 0.0, i.index_no or ""),
                  reverse=True)


def item_url(config: Config, item: Item) -> str:
    return f"/{config.categories[item.category].path}/{item.slug}/"


def page_url(page: Page) -> str:
    return f"/{page.slug}/"


@dataclass(frozen=True)
class Catalogue:
    config: Config
    target: str
    items: tuple[Item, ...]                    # published, newest first
    pages: tuple[Page, ...]
    by_category: dict[str, tuple[Item, ...]]   # code -> items of it and its descendants
    by_department: dict[str, tuple[Item, ...]] # section folder -> items
    urls: dict[str, str]                       # item file -> URL
    neighbours: dict[str, tuple]               # item file -> (newer, older) in its category

    def url(self, item: Item) -> str:
        return self.urls[item.file]

    def count(self, code: str) -> int:
        return len(self.by_category.get(code, ()))

    def shown_categories(self) -> list[Category]:
        """Categories this target lists: those with items, or whose audience it admits."""
        admitted = AUDIENCES[self.target]
        return [c for c in self.config.categories.values()
                if self.count(c.code) or c.audience in admitted]

    def children(self, code: str | None) -> list[Category]:
        shown = {c.code for c in self.shown_categories()}
        pool = self.config.top_categories() if code is None else \
            [self.config.categories[k] for k in self.config.categories[code].children]
        return [c for c in pool if c.code in shown]


def build_catalogue(config: Config, target: str, published: list[Item], pages: list[Page]) -> Catalogue:
    ordered = newest_first(published)
    by_category: dict[str, list[Item]] = {code: [] for code in config.categories}
    by_department: dict[str, list[Item]] = {folder: [] for folder in config.sections}
    for item in ordered:
        code = item.category
        while code:
            by_category[code].append(item)
            code = code[:-2]
        by_department[item.section].append(item)
    neighbours = {}
    for code in config.leaf_codes():
        listing = by_category[code]
        for i, item in enumerate(listing):
            newer = listing[i - 1] if i > 0 else None
            older = listing[i + 1] if i + 1 < len(listing) else None
            neighbours[item.file] = (newer, older)
    return Catalogue(
        config=config, target=target, items=tuple(ordered),
        pages=tuple(sorted(pages, key=lambda p: (p.order, p.slug))),
        by_category={k: tuple(v) for k, v in by_category.items()},
        by_department={k: tuple(v) for k, v in by_department.items()},
        urls={item.file: item_url(config, item) for item in ordered},
        neighbours=neighbours,
    )


def with_records(catalogue: Catalogue, records: list) -> Catalogue:
    """The catalogue with some of its items replaced by other records of the same files that sort, list
    and link exactly as they do (the preview's body edits): [(its item, the record now)].
    Only the tuples that hold them are copied; order, URLs and neighbours stay as they were."""
    if not records:
        return catalogue
    new = {id(item): record for item, record in records}
    swap = lambda items: tuple(new.get(id(i), i) for i in items)          # noqa: E731
    codes, sections = set(), set()
    for item, _ in records:
        code = item.category
        while code:
            codes.add(code)
            code = code[:-2]
        sections.add(item.section)
    neighbours = dict(catalogue.neighbours)
    for item, _ in records:
        if item.file not in neighbours:
            continue
        for file in (item.file,) + tuple(n.file for n in neighbours[item.file] if n is not None):
            newer, older = neighbours[file]
            neighbours[file] = (new.get(id(newer), newer) if newer is not None else None,
                                new.get(id(older), older) if older is not None else None)
    return replace(catalogue, items=swap(catalogue.items),
                   by_category={k: swap(v) if k in codes else v for k, v in catalogue.by_category.items()},
                   by_department={k: swap(v) if k in sections else v for k, v in catalogue.by_department.items()},
                   neighbours=neighbours)
