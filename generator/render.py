"""Catalogue -> rendered pages {output path: bytes}.

Rendering never touches the disk (Hugo's publisher, Lektor's Artifact): it
returns bytes, and `publish` is the only writer. Templates get an explicit
context (see views.py), autoescaping on, and StrictUndefined so that a typo in
a theme fails the build instead of printing nothing.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context

from . import feeds
from .catalogue import Catalogue, page_url
from .views import (Link, category_link, item_view, page_view, site_view, summary_of, tree)


@dataclass
class Output:
    """Everything a build writes: rendered files and files copied as they are."""

    files: dict[str, bytes] = field(default_factory=dict)     # "quanli/xuke/index.html" -> bytes
    copies: dict[str, Path] = field(default_factory=dict)     # output path -> source file


def output_path(url: str) -> str:
    """ "/a/b/" -> "a/b/index.html"; "/feed.xml" -> "feed.xml". """
    path = url.lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def relative(from_url: str, to_url: str, explicit_index: bool = False) -> str:
    """A link from one page to another that works under any base path and from file://."""
    here = [p for p in (from_url if from_url.endswith("/") else from_url.rsplit("/", 1)[0] + "/").split("/") if p]
    there = to_url.lstrip("/").split("/")          # last part is a file name, or "" for a folder
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    link = "../" * (len(here) - common) + "/".join(there[common:])
    if explicit_index and (link == "" or link.endswith("/")):
        link += "index.html"
    return link or "./"


def make_environment(theme_dir: Path, target: str = "website") -> Environment:
    """Templates of `templates/<target>/` (e.g. the kiosk's) override those of `templates/`."""
    folders = [theme_dir / "templates" / target, theme_dir / "templates"]
    env = Environment(loader=FileSystemLoader([str(f) for f in folders if f.is_dir()]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)

    @pass_context
    def url(ctx, to: str) -> str:
        if ctx["absolute_links"]:
            return ctx["site"].base_url + to.lstrip("/")
        return relative(ctx["page_url"], to, ctx["explicit_index"])

    env.globals["url"] = url
    return env


class Renderer:
    """Renders every page kind of one target from its Catalogue."""

    def __init__(self, catalogue: Catalogue, explicit_index: bool = False,
                 extra_context: Optional[Callable[[str], dict]] = None):
        self.catalogue = catalogue
        self.config = catalogue.config
        self.env = make_environment(self.config.theme_dir, catalogue.target)
        self.site = site_view(self.config, catalogue.target)
        self.nav = tuple(category_link(c, catalogue) for c in catalogue.children(None))
        self.fixed_pages = tuple(Link(p.title, page_url(p)) for p in catalogue.pages)
        self.explicit_index = explicit_index
        self.extra_context = extra_context or (lambda url: {})
        self.rendered = 0

    def page(self, template: str, url: str, absolute_links: bool = False, **context) -> bytes:
        self.rendered += 1
        html = self.env.get_template(template).render(
            site=self.site, nav=self.nav, fixed_pages=self.fixed_pages, page_url=url, absolute_links=absolute_links,
            explicit_index=self.explicit_index, **self.extra_context(url), **context)
        return html.encode("utf-8")

    def render_all(self) -> Output:
        out = Output()
        cat = self.catalogue
        self._put(out, "/", self.page("home.html", "/", tree=tree(cat),
                                      latest=tuple(summary_of(i, cat) for i in cat.items[:self.config.site.latest]),
                                      total=len(cat.items)))
        for category in cat.shown_categories():
            self._listing(out, f"/{category.path}/", "category.html", cat.by_category[category.code],
                          category=category_link(category, cat),
                          breadcrumbs=(Link("首页", "/"),) + tuple(Link(c.name, f"/{c.path}/")
                                                                  for c in self.config.lineage(category.code)),
                          children=tuple(category_link(c, cat) for c in cat.children(category.code)))
        for item in cat.items:
            self.item(out, item)
        departments = tuple(Link(s.department, f"/departments/{s.folder}/", len(cat.by_department[s.folder]))
                            for s in self.config.sections.values())
        self._put(out, "/departments/", self.page("departments.html", "/departments/", departments=departments))
        for section, link in zip(self.config.sections.values(), departments):
            self._listing(out, link.url, "department.html", cat.by_department[section.folder], department=link)
        for page in cat.pages:
            url = page_url(page)
            self._put(out, url, self.page("page.html", url, page=page_view(page, url),
                                          attachments=self._attachments(out, page, url)))
        self._put(out, "/404.html", self.page("404.html", "/404.html",
                                              absolute_links=cat.target == "website"))
        self._static(out)
        if cat.target == "website":
            out.files.update(feeds.website_files(cat))
        return out

    def put(self, out: Output, url: str, data: bytes) -> None:
        """Add a page or file rendered elsewhere (search page, dashboard …) at `url`."""
        self._put(out, url, data)

    def item(self, out: Output, item) -> None:
        url = self.catalogue.url(item)
        attachment_urls = self._attachments(out, item, url)
        view = item_view(item, self.catalogue, {a.name: u for a, u in zip(item.attachments, attachment_urls)})
        self._put(out, url, self.page("item.html", url, item=view))

    def _attachments(self, out: Output, record, url: str) -> list[str]:
        """Copy a record's attachments beside its page; return their URLs."""
        urls = []
        source_dir = self.config.root / Path(record.file).parent
        for attachment in record.attachments:
            target = url + attachment.name
            out.copies[output_path(target)] = source_dir / attachment.name
            urls.append(target)
        return urls

    def _listing(self, out: Output, base: str, template: str, items, **context) -> None:
        per_page = self.config.site.per_page
        pages = max(1, math.ceil(len(items) / per_page))
        for number in range(1, pages + 1):
            url = base if number == 1 else f"{base}page/{number}/"
            chunk = items[(number - 1) * per_page: number * per_page]
            pager = {
                "number": number, "pages": pages,
                "newer": (base if number == 2 else f"{base}page/{number - 1}/") if number > 1 else None,
                "older": f"{base}page/{number + 1}/" if number < pages else None,
                "links": tuple((n, base if n == 1 else f"{base}page/{n}/") for n in range(1, pages + 1)),
            }
            self._put(out, url, self.page(template, url, items=tuple(summary_of(i, self.catalogue) for i in chunk),
                                          total=len(items), pager=pager, **context))

    def _static(self, out: Output) -> None:
        static = self.config.theme_dir / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    out.copies["static/" + path.relative_to(static).as_posix()] = path

    @staticmethod
    def _put(out: Output, url: str, data: bytes) -> None:
        out.files[output_path(url)] = data
