"""What templates receive: small, documented, read-only views (Zola's SerializingPage).

A theme author reads this file to know every name a template may use; no
template ever sees the raw settings or an Item.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional
from urllib.parse import quote

from .catalogue import Catalogue
from .config import Category, Config, badge_url
from .content import read_body
from .markup import to_html
from .model import Item, Page


@dataclass(frozen=True)
class SiteView:
    title: str
    publisher: str
    language: str
    base_url: str
    footer: dict            # site_code, icp, police_record, contact, mailbox, badge (its path in the output), badge_link
    target: str             # website | intranet | kiosk


@dataclass(frozen=True)
class Link:
    title: str
    url: str                # path inside the output, "/quanli/xuke/"
    count: Optional[int] = None


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


@dataclass(frozen=True)
class ItemView(ItemSummary):
    """An item page: metadata table rows, body HTML, attachments, neighbours."""

    meta: tuple             # ((label, value), …) in the order of SPEC
    body_html: str
    keywords: tuple
    attachments: tuple      # AttachmentView …
    newer: Optional[Link]   # 上一篇
    older: Optional[Link]   # 下一篇
    feedback: str           # mailto: link carrying the 索引号
    breadcrumbs: tuple      # Link … from the home page down to the category


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


def href(path: str) -> str:
    """A path in the output as an href: every character but the unreserved ones and "/" percent-encoded
    (UTF-8), so that a file named "a#1.pdf", "a b.pdf", "100%.pdf" or "中文.pdf" is what the link asks for."""
    return quote(path, safe="/")


def site_view(config: Config, target: str) -> SiteView:
    footer = config.site.footer.model_dump()
    if footer["badge"]:
        footer["badge"] = badge_url(footer["badge"])
    return SiteView(config.site.title, config.site.publisher, config.site.language, config.base_url,
                    footer, target)


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


def item_view(item: Item, catalogue: Catalogue, attachment_urls: dict[str, str], badge: str = "") -> ItemView:
    config = catalogue.config
    base = summary_of(item, catalogue, badge)
    category = config.categories[item.category]
    meta = (
        ("索引号", item.index_no or ""),
        ("目录分类", " > ".join(c.name for c in config.lineage(item.category))),
        ("发布机构", item.publisher),
        ("成文日期", fmt_date(item.doc_date, config)),
        ("发布日期", fmt_date(item.pub_date, config)),
        ("文号", item.doc_no or ""),
        ("有效性", "有效"),
        ("公开范围", "内部公开" if item.audience == "internal" else "主动公开"),
    )
    if item.updated:
        meta += (("更新日期", fmt_date(item.updated, config)),)
    newer, older = catalogue.neighbours.get(item.file, (None, None))
    mailbox = config.site.footer.mailbox
    subject = quote(f"意见反馈：{item.index_no} {item.title}")
    feedback = f"mailto:{mailbox}?subject={subject}" if mailbox else ""
    attachments = tuple(AttachmentView(a.name.rsplit("/", 1)[-1], href(attachment_urls[a.name]), a.kind, fmt_size(a.size))
                        for a in item.attachments)
    crumbs = (Link("首页", "/"),) + tuple(Link(c.name, f"/{c.path}/") for c in config.lineage(category.code))
    return ItemView(**vars(base), meta=meta, body_html=to_html(read_body(config, item)), keywords=item.keywords,
                    attachments=attachments,
                    newer=Link(newer.title, catalogue.url(newer)) if newer else None,
                    older=Link(older.title, catalogue.url(older)) if older else None,
                    feedback=feedback, breadcrumbs=crumbs)


@dataclass(frozen=True)
class PageView:
    title: str
    url: str
    body_html: str
    summary: str


def page_view(page: Page, url: str) -> PageView:
    return PageView(page.title, url, to_html(page.body), page.summary or "")
