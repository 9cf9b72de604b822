"""What templates receive: small, documented, read-only views (Zola's SerializingPage).

A theme author reads this file to know every name a template may use; no
template ever sees the raw settings or an Item.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Callable, Optional

from .catalogue import Catalogue
from .config import Category, Column, Config, badge_url
from .content import read_body
from .markup import to_html
from .model import Item, Page


EMPTY = "—"                 # an empty field of the metadata table: shown, never a blank cell


@dataclass(frozen=True)
class Link:
    title: str
    url: str                # path inside the output, "/quanli/xuke/"
    count: Optional[int] = None


@dataclass(frozen=True)
class ColumnNav:
    """An entry of the 政府信息公开专栏 (site.toml `[[columns]]`), as every page's navigation shows it.

    Its pages come from the `fixed_pages` every template gets (the pages published on this target), so the
    same settings serve every target: `col.pages(fixed_pages)` are its pages in order (Links), `col.href(fixed_pages)`
    is where its entry links to — the home page for the catalogue, the page itself for an entry of exactly
    one named page, else its landing page `/zhuanlan/<slug>/`.
    """

    title: str
    slug: str
    url: str                # its landing page; "/" for the catalogue
    catalogue: bool
    patterns: tuple         # page slugs; "prefix*" matches every page of that prefix, newest (highest) first

    def pages(self, fixed_pages) -> tuple:
        by_slug = {link.url.strip("/"): link for link in fixed_pages}
        return tuple(by_slug[s] for s in match_pages(self.patterns, by_slug))

    def href(self, fixed_pages) -> str:
        pages = self.pages(fixed_pages)
        if len(self.patterns) == 1 and not self.patterns[0].endswith("*") and len(pages) == 1:
            return pages[0].url
        return self.url

    def urls(self, fixed_pages) -> tuple:
        """Its landing page and its pages: where the entry is the current one (`here.at_any(...)`)."""
        return (self.url,) + tuple(link.url for link in self.pages(fixed_pages))

    def current(self, page_url: str, fixed_pages) -> bool:
        """Is `page_url` this entry's landing page or one of its pages?"""
        return page_url in self.urls(fixed_pages)


def match_pages(patterns, slugs) -> list[str]:
    """The slugs named by `patterns`, in their order, each once: a plain slug if it is there, "prefix*"
    every slug of that prefix, the highest first (annual-report-2025 before annual-report-2024)."""
    found: list[str] = []
    for pattern in patterns:
        if pattern.endswith("*"):
            named = sorted((s for s in slugs if s.startswith(pattern[:-1])), reverse=True)
        else:
            named = [pattern] if pattern in slugs else []
        found += [s for s in named if s not in found]
    return found


@dataclass(frozen=True)
class SiteView:
    title: str
    publisher: str
    language: str
    base_url: str
    footer: dict            # site_code, icp, police_record, police_link (公安备案 register, or ""), contact, mailbox,
                            # badge (its path in the output), badge_link
    target: str             # website | intranet | kiosk
    columns: tuple = ()     # ColumnNav …: the 政府信息公开专栏, in the order of site.toml
    contact: dict = field(default_factory=dict)   # [site.contact]: office, address, postcode, phone, fax, hours


@dataclass(frozen=True)
class AttachmentView:
    name: str               # the file's own name, shown as it is: "中文 #1.pdf"
    url: str                # its path in the output, percent-encoded for an href: "/a/%E4%B8%AD%E6%96%87%20%231.pdf"
    kind: str
    size: str               # "12.3 KB"


@dataclass(frozen=True)
class ItemSummary:
    """An item as listings show it."""

    title: str
    url: str
    date: str               # 发布日期, YYYY-MM-DD
    index_no: str
    category: str           # category name
    department: str
    internal: bool          # 内部 badge (intranet)
    summary: str
    badge: str = field(default="", kw_only=True)   # preview only: why the real build holds it back

    def __repr__(self) -> str:
        """As the dataclass writes it, made once: it is part of the key of every listing page that
        shows the item (four or five of them)."""
        known = self.__dict__.get("_repr")
        if known is None:
            known = f"{type(self).__qualname__}(" + ", ".join(
                f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr) + ")"
            object.__setattr__(self, "_repr", known)
        return known


@dataclass(frozen=True)
class ItemView(ItemSummary):
    """An item page: metadata table rows, body HTML, attachments, neighbours."""

    meta: tuple             # ((label, value), …): the national order, then 责任部门, 更新日期 (公开范围 on the intranet);
                            # an empty value is EMPTY ("—")
    body_html: str
    keywords: tuple
    attachments: tuple      # AttachmentView …
    newer: Optional[Link]   # 上一篇
    older: Optional[Link]   # 下一篇
    feedback: str           # mailto: link carrying the 索引号
    breadcrumbs: tuple      # Link … from the home page down to the category
    meta_wide: frozenset = frozenset()   # labels of rows that take the table's whole width (long values, an odd last)


@dataclass(frozen=True)
class CategoryNode:
    """The catalogue tree on the home page: a category, its count, its children."""

    code: str
    title: str
    url: str
    count: int
    children: tuple


def fmt_date(value: date | datetime | None, config: Config) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(config.tz).date()
    return value.isoformat()


def fmt_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# urllib.parse.quote(text, safe="/") one byte at a time, by table (quote runs a Python loop per byte)
_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~/")
_QUOTED = tuple(chr(b) if b in _SAFE else f"%{b:02X}" for b in range(256))


def quote(text: str) -> str:
    """urllib.parse.quote(text) (UTF-8; unreserved characters and "/" kept), by table."""
    return "".join(map(_QUOTED.__getitem__, text.encode("utf-8")))


def href(path: str) -> str:
    """A path in the output as an href: every character but the unreserved ones and "/" percent-encoded
    (UTF-8), so that a file named "a#1.pdf", "a b.pdf", "100%.pdf" or "中文.pdf" is what the link asks for."""
    return quote(path)


BEIAN = "https://beian.mps.gov.cn/#/query/webSearch?code="   # 全国互联网安全管理服务平台: a 公安备案's register


def police_link(record: str) -> str:
    """The register page of a 公安备案号 ("苏公网安备32120002000000号" -> …code=32120002000000), or "" when it
    carries no number."""
    digits = "".join(ch for ch in record if ch.isascii() and ch.isdigit())
    return BEIAN + digits if digits else ""


def column_nav(column: Column) -> ColumnNav:
    return ColumnNav(column.title, column.slug, column.url, column.catalogue, column.pages)


def site_view(config: Config, target: str) -> SiteView:
    footer = config.site.footer.model_dump()
    if footer["badge"]:
        footer["badge"] = badge_url(footer["badge"])
    footer["police_link"] = police_link(footer["police_record"])
    return SiteView(config.site.title, config.site.publisher, config.site.language, config.base_url,
                    footer, target, tuple(column_nav(c) for c in config.columns),
                    config.site.contact.model_dump())


def category_link(cat: Category, catalogue: Catalogue) -> Link:
    return Link(cat.name, f"/{cat.path}/", catalogue.count(cat.code))


def tree(catalogue: Catalogue, code: str | None = None) -> tuple:
    return tuple(CategoryNode(c.code, c.name, f"/{c.path}/", catalogue.count(c.code), tree(catalogue, c.code))
                 for c in catalogue.children(code))


def summary_of(item: Item, catalogue: Catalogue, badge: str = "") -> ItemSummary:
    config = catalogue.config
    return ItemSummary(item.title, catalogue.url(item), fmt_date(item.pub_date, config), item.index_no or "",
                       config.categories[item.category].name, item.department,
                       item.audience == "internal", item.summary or "", badge=badge)


def item_view(item: Item, catalogue: Catalogue, attachment_urls: dict[str, str], badge: str = "",
              resolve: Optional[Callable[[str], Optional[str]]] = None) -> ItemView:
    """`resolve`: 索引号 -> the href of that item from this page, or None when it is not published here
    (links by 索引号 in the body; see markup.to_html)."""
    config = catalogue.config
    base = summary_of(item, catalogue, badge)
    category = config.categories[item.category]
    section = config.sections.get(item.section)
    expiry = fmt_date(item.expiry_date, config)
    meta = (      # the national order of a record's 信息索引 (政府信息公开目录: 索引号 … 有效性)
        ("索引号", item.index_no or ""),
        ("目录分类", " > ".join(c.name for c in config.lineage(item.category))),   # the national 主题分类 slot
        ("发布机构", item.publisher),
        ("成文日期", fmt_date(item.doc_date, config)),
        ("发布日期", fmt_date(item.pub_date, config)),
        ("文号", item.doc_no or ""),
        ("名称", item.title),
        ("主题词", "、".join(item.keywords)),
        ("内容概述", item.summary or ""),
        ("有效性", f"有效（{expiry} 起失效）" if expiry else "有效"),
        ("责任部门", section.full_name if section and section.full_name else item.department),
        ("更新日期", fmt_date(item.updated, config)),
    )
    if catalogue.target == "intranet":     # only the intranet carries both; elsewhere every item is 主动公开
        meta += (("公开范围", "内部公开" if item.audience == "internal" else "主动公开"),)
    meta = tuple((label, value or EMPTY) for label, value in meta)
    newer, older = catalogue.neighbours.get(item.file, (None, None))
    mailbox = config.site.footer.mailbox
    subject = quote(f"意见反馈：{item.index_no} {item.title}")
    feedback = f"mailto:{mailbox}?subject={subject}" if mailbox else ""
    attachments = tuple(AttachmentView(a.name.rsplit("/", 1)[-1], href(attachment_urls[a.name]), a.kind, fmt_size(a.size))
                        for a in item.attachments)
    crumbs = (Link("首页", "/"),) + tuple(Link(c.name, f"/{c.path}/") for c in config.lineage(category.code))
    return ItemView(**vars(base), meta=meta, body_html=to_html(read_body(config, item), resolve), keywords=item.keywords,
                    attachments=attachments,
                    newer=Link(newer.title, catalogue.url(newer)) if newer else None,
                    older=Link(older.title, catalogue.url(older)) if older else None,
                    feedback=feedback, breadcrumbs=crumbs, meta_wide=wide_rows(meta))


WIDE = frozenset({"名称", "主题词", "内容概述"})


def wide_rows(meta: tuple) -> frozenset:
    """The rows that span the two-column table: the long ones, and the last of a run of short ones
    when the run is odd — no half row left empty."""
    wide, run = set(), []
    for label, _ in meta + (("", ""),):
        if label in WIDE or not label:
            if len(run) % 2:
                wide.add(run[-1])
            run = []
            if label:
                wide.add(label)
        else:
            run.append(label)
    return frozenset(wide)


@dataclass(frozen=True)
class PageView:
    title: str
    url: str
    body_html: str
    summary: str


def page_view(page: Page, url: str, resolve: Optional[Callable[[str], Optional[str]]] = None) -> PageView:
    return PageView(page.title, url, to_html(page.body, resolve), page.summary or "")


@dataclass(frozen=True)
class PageLink:
    title: str
    url: str
    summary: str


@dataclass(frozen=True)
class ColumnView:
    """An entry of the 政府信息公开专栏 on its landing page and on /zhuanlan/."""

    title: str
    slug: str
    url: str                # its landing page ("/" for the catalogue)
    catalogue: bool
    pages: tuple            # PageLink …, in the configured order (annual reports newest first)


def column_views(config: Config, pages) -> tuple:
    """Every `[[columns]]` entry with the fixed pages (published on this target) that fill it."""
    by_slug = {p.slug: p for p in pages}
    return tuple(ColumnView(c.title, c.slug, c.url, c.catalogue,
                            tuple(PageLink(by_slug[s].title, f"/{s}/", by_slug[s].summary or "")
                                  for s in match_pages(c.pages, by_slug)))
                 for c in config.columns)
