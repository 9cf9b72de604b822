"""Catalogue -> rendered pages {output path: bytes}.

Rendering never touches the output folder: the preview keeps the bytes in memory,
and a build's renderers write each page, as it is made, into the staging folder
that publish.py created and alone swaps in (or removes). Templates get an
explicit context (see views.py), autoescaping on, and StrictUndefined so that a
typo in a theme fails the build instead of printing nothing.
"""
from __future__ import annotations

import gc
import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup

from . import feeds
from .catalogue import Catalogue, page_url
from .config import badge_url
from .errors import ConfigError, Problem
from .inputs import REASONS, escape, real_folder
from .output import Output, output_path, spill
from .reuse import CODE_VERSION, OutputStore
from .workers import parallel_map
from .views import (ItemSummary, Link, category_link, column_views, item_view, page_view, site_view, summary_of,
                    tree)

if TYPE_CHECKING:               # the renderer asks its target; targets build on the renderer
    from .targets.base import Target


_LAST_FOLDER: tuple = ("", [])      # (page, its folder's parts): a page asks for several links in a row


def relative(from_url: str, to_url: str, explicit_index: bool = False) -> str:
    """A link from one page to another that works under any base path and from file://."""
    global _LAST_FOLDER
    last = _LAST_FOLDER
    if last[0] == from_url:
        here = last[1]
    else:
        here = [p for p in (from_url if from_url.endswith("/") else from_url.rsplit("/", 1)[0] + "/").split("/") if p]
        _LAST_FOLDER = (from_url, here)
    there = to_url.lstrip("/").split("/")          # last part is a file name, or "" for a folder
    common = 0
    while common < len(here) and common < len(there) - 1 and here[common] == there[common]:
        common += 1
    link = "../" * (len(here) - common) + "/".join(there[common:])
    if explicit_index and (link == "" or link.endswith("/")):
        link += "index.html"
    return link or "./"


class Place:
    """Where a page stands, as a chrome fragment (`chrome(name)` in base.html) may ask: `here.url(path)`
    (also plain `url(path)`) links to another page from it, `here.at(path)` is it that page,
    `here.within(path)` is it that page or below it, `here.at_any(paths)` is it one of them. It does not
    tell the page's own address: a fragment that only asks these questions is the same for every page
    that gets the same answers, which is what lets one rendering serve a whole folder of pages."""

    __slots__ = ("_where", "_link", "links", "asked")

    def __init__(self, page_url: str, link: Callable[[str], str]):
        self._where, self._link = page_url, link
        self.links: list[str] = []      # the paths linked to
        self.asked: list[tuple] = []    # (question, path(s), answer)

    def url(self, to: str) -> str:
        self.links.append(to)
        return self._link(to)

    def at(self, path: str) -> bool:
        answer = self._where == path
        self.asked.append((_at, path, answer))
        return answer

    def within(self, path: str) -> bool:
        answer = self._where.startswith(path)
        self.asked.append((_within, path, answer))
        return answer

    def at_any(self, paths) -> bool:
        paths = tuple(paths)
        answer = self._where in paths
        self.asked.append((_at_any, paths, answer))
        return answer


def _at(where: str, path: str) -> bool:
    return where == path


def _within(where: str, path: str) -> bool:
    return where.startswith(path)


def _at_any(where: str, paths: tuple) -> bool:
    return where in paths


class Chrome:
    """`chrome(name)` in a template: the fragment `name` (the header, the navigation, the footer),
    rendered once for all the pages that would get the same bytes, not once per page.

    A fragment receives only `site`, `nav`, `fixed_pages` and `here` (a Place; `url` is `here.url`):
    no `page_url`, nothing of the page. Its bytes are therefore a function of the page only through
    the answers `here` gave, and a rendering is reused for another page exactly when every one of
    those answers would be the same there:
    - `at`, `within`, `at_any`: asked again (string comparisons);
    - `url(path)`: a relative link depends on the page's folder. Pages of one parent folder at one
      depth (every item of a category: /a/b/<slug>/) get the same link to `path` unless `path` lies
      inside the page's own folder; the segments where that happens are kept with the rendering, and
      a page whose folder is one of them (or the rendering's own page, when it was) is rendered anew.
    Absolute links (the website's 404 page) and the target's index.html setting are part of the key.
    """

    MAX_VARIANTS = 16       # renderings kept per (fragment, folder): pages that keep differing

    def __init__(self, renderer: "Renderer"):
        self.renderer = renderer
        self.kept: dict[tuple, list] = {}
        self.place: tuple = ("", None)          # (page_url, absolute) -> (folder key, segment) of the last page
        self.rendered = 0

    def folder(self, page_url: str, absolute: bool) -> tuple:
        if self.place[0] == (page_url, absolute):
            return self.place[1]
        folder = page_url if page_url.endswith("/") else page_url.rsplit("/", 1)[0] + "/"
        here = [p for p in folder.split("/") if p]
        found = ((tuple(here[:-1]), len(here), absolute), here[-1] if here else None)
        self.place = ((page_url, absolute), found)
        return found

    def __call__(self, ctx, name: str) -> Markup:
        page_url, absolute = ctx["page_url"], ctx["absolute_links"]
        key, segment = self.folder(page_url, absolute)
        variants = self.kept.setdefault((name, key), [])
        for own, outside, asked, html in variants:
            if (segment == own or (segment not in outside and own not in outside)) and \
                    all(question(page_url, path) == answer for question, path, answer in asked):
                return html
        renderer = self.renderer
        if absolute:
            link = lambda to: renderer.site.base_url + to.lstrip("/")      # noqa: E731
        else:
            explicit = renderer.explicit_index
            link = lambda to: relative(page_url, to, explicit)            # noqa: E731
        place = Place(page_url, link)
        html = Markup(renderer.env.get_template(name).render(
            site=renderer.site, nav=renderer.nav, fixed_pages=renderer.fixed_pages, here=place, url=place.url))
        self.rendered += 1
        if len(variants) < self.MAX_VARIANTS:
            parent, depth = key[0], key[1]
            outside = set()             # segments of this folder level holding a linked path
            for to in place.links:
                there = to.lstrip("/").split("/")
                if depth and len(there) > depth and tuple(there[:depth - 1]) == parent:
                    outside.add(there[depth - 1])
            variants.append((segment, frozenset(outside), tuple(place.asked), html))
        return html


def make_environment(theme_dirs: tuple[Path, ...], target: str = "website", auto_reload: bool = True) -> Environment:
    """Templates are looked up theme by theme (the site's, then the default one: a site overrides one
    template at a time), and in each theme `templates/<target>/` (e.g. the kiosk's) before `templates/`.
    `auto_reload` (the preview, whose environment outlives an edit) checks every template's
    file each time it is used; a single build reads them once."""
    folders = [d / "templates" / sub for d in theme_dirs for sub in (target, "")]
    env = Environment(loader=FileSystemLoader([str(f) for f in folders if f.is_dir()]), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, auto_reload=auto_reload)

    @pass_context
    def url(ctx, to: str) -> str:
        if ctx["absolute_links"]:
            return ctx["site"].base_url + to.lstrip("/")
        return relative(ctx["page_url"], to, ctx["explicit_index"])

    env.globals["url"] = url
    return env


def pager_links(base: str, number: int, pages: int, around: int = 3) -> tuple:
    """(number, url) for the first two, the last two and the pages around `number`; (None, None)
    stands for the gap between. A listing of thousands of pages must not link every page from
    every page (that grows with the square of the listing)."""
    shown = sorted({1, 2, pages - 1, pages} | set(range(number - around, number + around + 1)))
    links, last = [], 0
    for n in (n for n in shown if 1 <= n <= pages):
        if n > last + 1:
            links.append((None, None))
        links.append((n, base if n == 1 else f"{base}page/{n}/"))
        last = n
    return tuple(links)


class RenderCache:
    """Rendered pages by URL with the inputs they were rendered from.

    Inputs are plain tuples of everything a page's template can see beyond the
    "chrome" (code, templates, site.toml, navigation) — which, when it changes,
    empties the cache. Equal inputs mean equal bytes, so a hit is never stale.
    The preview server keeps one across rebuilds: an edit re-renders only the
    pages whose inputs changed.
    """

    def __init__(self):
        self.chrome = ""
        self.environments: dict[tuple, Environment] = {}   # compiled templates, reused (Jinja reloads edited ones)
        self.pages: dict[str, tuple[tuple, bytes]] = {}
        self.summaries: dict[str, tuple[str, str, object]] = {}   # file -> (digest, badge, ItemSummary)
        self.feed_memo: dict = {}                                 # item fragments of sitemap/catalogue.json
        self.feed_fields: dict = {}                               # file -> (item, url, what the feeds show of it)

    def start(self, chrome: str) -> None:
        if chrome != self.chrome:
            self.chrome, self.pages, self.summaries, self.feed_memo, self.feed_fields = chrome, {}, {}, {}, {}

    def get(self, url: str, inputs: tuple) -> Optional[bytes]:
        entry = self.pages.get(url)
        return entry[1] if entry is not None and entry[0] == inputs else None

    def put(self, url: str, inputs: tuple, data: bytes) -> None:
        self.pages[url] = (inputs, data)




def theme_digest(theme_dirs: tuple[Path, ...]) -> str:
    """A hash of every template of every theme looked in: editing one invalidates every cached page."""
    digest = hashlib.sha1()
    for theme_dir in theme_dirs:
        for path in sorted((theme_dir / "templates").rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(theme_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _render(renderer: "Renderer", template: str, url: str, absolute_links: bool, context: dict) -> bytes:
    """The one place a template becomes bytes: the names every page gets, then its own, then the
    target's filter (the kiosk's offline links)."""
    found = renderer.templates.get(template)
    if found is None:
        found = renderer.env.get_template(template)
        if not renderer.env.auto_reload:      # a single build reads each template once
            renderer.templates[template] = found
    html = found.render(
        site=renderer.site, nav=renderer.nav, fixed_pages=renderer.fixed_pages, page_url=url,
        absolute_links=absolute_links, explicit_index=renderer.explicit_index, chrome=renderer.chrome, **context)
    if renderer.page_filter is not None:
        html = renderer.page_filter(html, url)
    return html.encode("utf-8")


def page_key(chrome_key: str, url: str, key: tuple) -> str:
    """The key a page's file is recorded with in the build manifest (reuse.py): a hash of its inputs."""
    return hashlib.sha1(repr((chrome_key, url, key)).encode("utf-8")).hexdigest()


def _make(renderer: "Renderer", job) -> tuple:
    """One page job, in this process or a forked worker (which has its own copy of the renderer and
    so of `_made`): (the bytes, or None when a spill folder holds them, and the page's key when the
    job asks for it: made here, so that workers hash the pages' inputs in parallel)."""
    path, url, key, template, absolute_links, make_context, keyed = job
    data = _render(renderer, template, url, absolute_links, make_context())
    made_key = page_key(renderer.chrome_key, url, key) if keyed else None
    if renderer.spill_dir is None:
        return data, made_key
    spill(renderer.spill_dir, path, data, renderer._made)
    return None, made_key


class Renderer:
    """Renders every page kind of one target from its Catalogue.

    `badges` (preview only) maps an item's file to the label of why the real
    build would hold it back; listings and the item page show it.
    """

    def __init__(self, catalogue: Catalogue, target: Target,
                 cache: Optional[RenderCache] = None, badges: Optional[dict[str, str]] = None,
                 store: Optional[OutputStore] = None, workers: int = 1,
                 progress: Optional[Callable[[str], None]] = None, spill_dir: Optional[Path] = None):
        self.catalogue = catalogue
        self.target = target
        self.config = catalogue.config
        one_build = cache is None               # the preview passes the cache it keeps across rebuilds
        self.one_build = one_build
        self.cache = cache if cache is not None else RenderCache()
        where = (self.config.theme_dirs, catalogue.target)
        if where not in self.cache.environments:
            self.cache.environments[where] = make_environment(*where, auto_reload=not one_build)
        self.env = self.cache.environments[where]
        self.site = site_view(self.config, catalogue.target)
        # no counts: every page's key holds the nav, and a new item must not change every page's key
        self.nav = tuple(Link(c.name, f"/{c.path}/") for c in catalogue.children(None))
        self.fixed_pages = tuple(Link(p.title, page_url(p)) for p in catalogue.pages)
        self.explicit_index = target.explicit_index
        self.chrome = pass_context(Chrome(self))    # the page frame's fragments, rendered once per folder
        self.templates: dict = {}
        self.page_filter = target.page_filter(catalogue)    # (html, url) -> html, on every page of the target
        self.badges = badges or {}
        self.store = store                 # the previous output, for command-line builds
        self.workers = workers
        self.progress = progress
        self.spill_dir = spill_dir         # command-line builds: the staging folder pages go to at once
        self.meanwhile: list[Callable[[], None]] = []    # work of this process to do while workers render
        self._made: set = set()
        self._by_index: Optional[dict[str, str]] = None     # 索引号 -> URL, for links by 索引号
        self.jobs: Optional[list] = None   # while render_all collects: pages still to render
        self.rendered = 0
        self.rendered_urls: list[str] = []
        config_text = (self.config.root / "site.toml").read_bytes()
        self.chrome_key = hashlib.sha1(repr((
            CODE_VERSION, theme_digest(self.config.theme_dirs), config_text, catalogue.target,
            self.explicit_index, self.nav, self.fixed_pages, bool(self.badges))).encode("utf-8")).hexdigest()
        self.cache.start(self.chrome_key)

    def page(self, template: str, url: str, absolute_links: bool = False, **context) -> bytes:
        """Render now, uncached (pages added by contributors use this)."""
        self.rendered += 1
        self.rendered_urls.append(url)
        return _render(self, template, url, absolute_links, context)

    def cached(self, out: Output, url: str, template: str, inputs: tuple, make_context: Callable[[], dict],
               absolute_links: bool = False) -> None:
        """Render `url` unless a cache holds it for the same inputs; `make_context` runs only on a miss.

        Two caches: the in-memory one of the preview, and the previous output on
        disk (`store`), whose file is reused when its recorded key is this key.
        """
        key = (template, inputs, None)
        path = output_path(url)
        out.claim(path, f"模板 {template} 生成的页面")
        data = self.cache.get(url, key)
        if data is not None:
            out.files[path] = data
            out.reused.pop(path, None)
            return
        keyed = False
        if self.store is not None:
            if path in self.store.entries:      # the previous build made it: is it the same page?
                digest = page_key(self.chrome_key, url, key)
                out.keys[path] = digest
                previous = self.store.reusable(path, digest)
                if previous is not None:
                    out.reused[path] = previous
                    out.files.pop(path, None)
                    return
            else:
                keyed = True                    # nothing to compare with: its key is made with the page
        job = (path, url, key, template, absolute_links, make_context, keyed)
        out.reused.pop(path, None)
        if self.jobs is not None:
            self.jobs.append(job)
        else:
            self._deliver(out, job, _make(self, job))

    def _deliver(self, out: Output, job, made: tuple) -> None:
        """Record a rendered job: spilled to disk (None), or bytes kept (and cached for the preview)."""
        path, url, key = job[:3]
        data, made_key = made
        if made_key is not None:
            out.keys[path] = made_key
        self.rendered += 1
        self.rendered_urls.append(url)
        if data is None:
            out.files.spilled(path)
        else:
            self.cache.put(url, key, data)
            out.files[path] = data

    def _flush(self, out: Output, meanwhile: Optional[Callable[[], None]] = None) -> None:
        """Render the collected jobs, in worker processes when there are many. With a spill
        folder the pages go to disk as they are made (and the in-memory cache, which only the
        preview keeps across builds, is not filled)."""
        jobs, self.jobs = self.jobs or [], None
        report = (lambda done: self.progress(f"已渲染 {done}/{len(jobs)} 个页面")) if self.progress else None
        if self.spill_dir is not None:
            out.files.spill_dir = self.spill_dir
        if self.workers > 1 and len(jobs) > 1:
            # the first page of each template is rendered before the workers are forked: they inherit
            # its compiled templates and the page frame's fragments instead of each making them
            results = parallel_map(jobs, lambda job: _make(self, job), self.workers, report, meanwhile,
                                   first_of=lambda job: job[3])
            for job, data in zip(jobs, results):
                self._deliver(out, job, data)
        else:
            if meanwhile is not None:
                meanwhile()
            for i, job in enumerate(jobs):
                self._deliver(out, job, _make(self, job))
                if report and i % 1000 == 999:
                    report(i + 1)

    def summary(self, item) -> ItemSummary:
        """An item as listings show it; kept across rebuilds while the item (the same object) is unchanged."""
        badge = self.badges.get(item.file, "") if self.badges else ""
        known = self.cache.summaries.get(item.file)
        if known is not None and known[0] is item and known[1] == badge:
            return known[2]
        summary = summary_of(item, self.catalogue, badge)
        self.cache.summaries[item.file] = (item, badge, summary)
        return summary

    def render_all(self) -> Output:
        # what exists now (the content, the catalogue) outlives rendering: left out of the garbage
        # collector's full passes, which otherwise walk ten thousand records several times
        gc.freeze()
        try:
            return self._render_all()
        finally:
            gc.unfreeze()

    def _render_all(self) -> Output:
        out = Output()
        self.jobs = []
        cat = self.catalogue
        home_tree = self._home(out)
        for category in cat.shown_categories():
            self._category(out, category)
        for item in cat.items:
            self.item(out, item)
        departments = self._departments()
        self.cached(out, "/departments/", "departments.html", departments, lambda: dict(departments=departments))
        for section, link in zip(self.config.sections.values(), departments):
            self._listing(out, link.url, "department.html", cat.by_department[section.folder], department=link)
        for page in cat.pages:
            url = page_url(page)
            attachments = self._attachments(out, page, url)
            own = self.target.record_context(page, url)
            # bound now: the context is made later, after this loop has moved on (late binding)
            refs = self._index_refs(page)
            self.cached(out, url, "page.html", (page.digest, tuple(attachments)) + ((repr(own),) if own else ()) +
                        ((refs,) if refs else ()),
                        lambda page=page, url=url, attachments=attachments, own=own, refs=refs:
                        dict(page=page_view(page, url, self._resolver(url) if refs else None),
                             attachments=attachments, **own))
        # 政府信息公开专栏 (/zhuanlan/ and one page per entry), 网站地图, 联系我们: on the targets that write them
        columns, writes = column_views(self.config, cat.pages), self.target.writes
        extra = [(f"/{name}/", f"{name}.html", ()) for name in ("zhuanlan", "sitemap", "contact") if name in writes]
        extra += [(c.url, "column.html", (c,)) for c in columns if not c.catalogue and "zhuanlan" in writes]
        for url, template, column in extra:
            self.cached(out, url, template, (home_tree, departments, columns, column),
                        lambda column=column: dict(tree=home_tree, departments=departments, columns=columns,
                                                   column=column[0] if column else None))
        self.cached(out, "/404.html", "404.html", (), dict, absolute_links=self.target.absolute_404)
        # the feeds are made in this process while the workers render the pages
        meanwhile = ([lambda: self._feeds(out)] if self.target.feeds else []) + self.meanwhile
        self._flush(out, meanwhile=lambda: [work() for work in meanwhile])
        self._static(out)
        return out

    def _home(self, out: Output) -> tuple:
        cat = self.catalogue
        latest = tuple(self.summary(i) for i in cat.items[:self.config.site.latest])
        home_tree = tree(cat)
        self.cached(out, "/", "home.html", (home_tree, latest, len(cat.items)),
                    lambda: dict(tree=home_tree, latest=latest, total=len(cat.items)))
        return home_tree

    def _category(self, out: Output, category, only: Optional[set] = None) -> None:
        cat = self.catalogue
        crumbs = (Link("首页", "/"),) + tuple(Link(c.name, f"/{c.path}/") for c in self.config.lineage(category.code))
        children = tuple(category_link(c, cat) for c in cat.children(category.code))
        self._listing(out, f"/{category.path}/", "category.html", cat.by_category[category.code], only=only,
                      category=category_link(category, cat), breadcrumbs=crumbs, children=children)

    def _departments(self) -> tuple:
        cat = self.catalogue
        return tuple(Link(s.department, f"/departments/{s.folder}/", len(cat.by_department[s.folder]))
                     for s in self.config.sections.values())

    def render_edits(self, out: Output, records) -> None:
        """After an edit that leaves the catalogue as it was — the same items in the same order at the
        same URLs, every decision, badge, attachment and problem the same (the preview's PreviewSite._edit
        checks it) — evaluate again only the pages that can show what changed in `records` (items of
        this catalogue): their own pages, their neighbours' (上一篇/下一篇 show titles), the home page
        and the category and department listings that list them, the feeds. The inputs of every other
        page of render_all are unchanged: a page kind added there that shows items must be added here.
        `out` holds the previous output; pages are rendered at once (no workers)."""
        cat = self.catalogue
        self._home(out)
        codes, sections, items = {}, {}, {}
        listed = {id(record) for record in records}      # the listings' other pages do not show them
        for record in records:
            items[record.file] = record
            for neighbour in cat.neighbours.get(record.file, ()):
                if neighbour is not None:
                    items.setdefault(neighbour.file, neighbour)
            code = record.category
            while code:
                codes[code] = None
                code = code[:-2]
            sections[record.section] = None
        for category in cat.shown_categories():
            if category.code in codes:
                self._category(out, category, listed)
        for item in items.values():
            self.item(out, item)
        for section, link in zip(self.config.sections.values(), self._departments()):
            if section.folder in sections:
                self._listing(out, link.url, "department.html", cat.by_department[section.folder], only=listed,
                              department=link)
        if self.target.feeds:
            self._feeds(out)

    def _feeds(self, out: Output) -> None:
        """feed.xml, sitemap.xml, catalogue.json, robots.txt: made again only when what they show changed."""
        cat = self.catalogue
        for name in feeds.FILES:
            out.claim(name, "订阅源、站点地图与开放数据")
        # a single build keeps nothing for a next one: the memos would hold every item's fields and
        # fragments (and the files twice) while the workers render, the build's peak of memory
        keep = not self.one_build
        memo = self.cache.feed_fields if keep else {}
        fields = []
        for item in cat.items:      # unchanged items are the same objects: their tuple is reused
            known = memo.get(item.file)
            if known is None or known[0] is not item or known[1] != cat.urls[item.file]:
                known = memo[item.file] = (item, cat.urls[item.file], feeds.feed_fields(item) + (cat.urls[item.file],))
            fields.append(known[2])
        inputs = tuple(fields) + \
            tuple((p.slug, p.updated) for p in cat.pages) + tuple((c.code, c.path) for c in cat.shown_categories())
        known = self.cache.pages.get("<feeds>")
        if known is not None and known[0] == inputs:
            out.files.update(known[1])
            return
        if self.store is not None:
            digest = hashlib.sha1(repr((self.chrome_key, "<feeds>", inputs)).encode("utf-8")).hexdigest()
            previous = {n: self.store.reusable(n, digest) for n in feeds.FILES}
            if all(previous.values()):
                out.reused.update(previous)
                out.keys.update({n: digest for n in feeds.FILES})
                return
        files = feeds.website_files(cat, self.cache.feed_memo if keep else None)
        if keep:
            self.cache.pages["<feeds>"] = (inputs, files)
        if self.store is not None:
            out.keys.update({n: digest for n in files})
        for name, data in files.items():
            if keep or self.spill_dir is None:
                out.files[name] = data
            else:                       # straight into the staging folder, as the pages are
                spill(self.spill_dir, name, data, self._made)
                out.files.spilled(name)

    def put(self, out: Output, url: str, data: bytes, owner: str = "生成器") -> None:
        """Add a page or file rendered elsewhere (search page, dashboard …) at `url`."""
        out.claim(output_path(url), owner)
        self._put(out, url, data)

    def item(self, out: Output, item) -> None:
        url = self.catalogue.url(item)
        attachment_urls = self._attachments(out, item, url)
        newer, older = self.catalogue.neighbours.get(item.file, (None, None))
        own = self.target.record_context(item, url)
        inputs = (item.digest, self.badges.get(item.file, ""), tuple(attachment_urls),
                  (newer.title, self.catalogue.url(newer)) if newer else None,
                  (older.title, self.catalogue.url(older)) if older else None) + ((repr(own),) if own else ())
        refs = self._index_refs(item)
        inputs += (refs,) if refs else ()       # a move of a linked item re-renders this page
        self.cached(out, url, "item.html", inputs, lambda: dict(item=item_view(
            item, self.catalogue, {a.name: u for a, u in zip(item.attachments, attachment_urls)},
            self.badges.get(item.file, ""), self._resolver(url) if refs else None), **own))

    def _index_refs(self, record) -> tuple:
        """(("索引号", its address on this target or None), …) for the links by 索引号 of a record's body
        (found when it was loaded): part of its page's key, so a move of a linked item re-renders it."""
        if not record.index_refs:
            return ()
        urls = self._index_urls()
        return tuple((number, urls.get(number)) for number in record.index_refs)

    def _index_urls(self) -> dict[str, str]:
        """索引号 -> address of every item published on this target (made once, when a body needs it)."""
        if self._by_index is None:
            self._by_index = {i.index_no: self.catalogue.url(i) for i in self.catalogue.items if i.index_no}
        return self._by_index

    def _resolver(self, url: str) -> Callable[[str], Optional[str]]:
        """索引号 -> a link from the page at `url` to that item (relative, like every link), or None when
        the item is not published on this target (markup makes the link its words)."""
        urls = self._index_urls()
        return lambda number: relative(url, urls[number]) if number in urls else None

    def _attachments(self, out: Output, record, url: str) -> list[str]:
        """Copy a record's attachments beside its page; return their URLs. Images the body shows
        from beside the file (links.py) are copied too, but are not attachments."""
        if not record.attachments and not record.body_images:
            return []                       # most records: no path arithmetic at all
        source_dir = self.config.root / Path(record.file).parent
        for image in record.body_images:
            if self.target.copies(image):
                out.claim(output_path(url + image.name), f"{record.file} 正文中的图片")
                out.copies[output_path(url + image.name)] = source_dir / image.name
        if not record.attachments:
            return []
        urls = []
        for attachment in record.attachments:
            target = url + attachment.name
            if self.target.copies(attachment):        # a kiosk hands out no documents
                out.claim(output_path(target), f"{record.file} 的附件")
                out.copies[output_path(target)] = source_dir / attachment.name
            urls.append(target)
        return urls

    def _listing(self, out: Output, base: str, template: str, items, *, only: Optional[set] = None,
                 **context) -> None:
        """Every page of a listing; `only` (ids of items): just the pages that list one of them."""
        per_page = self.config.site.per_page
        pages = max(1, math.ceil(len(items) / per_page))
        fixed = tuple(sorted(context.items()))            # Links and tuples of Links: compare by value
        numbers = range(1, pages + 1) if only is None else \
            sorted({i // per_page + 1 for i, item in enumerate(items) if id(item) in only})
        for number in numbers:
            url = base if number == 1 else f"{base}page/{number}/"
            summaries = tuple(self.summary(i) for i in items[(number - 1) * per_page: number * per_page])

            def values(summaries=summaries, number=number):
                pager = {
                    "number": number, "pages": pages,
                    "newer": (base if number == 2 else f"{base}page/{number - 1}/") if number > 1 else None,
                    "older": f"{base}page/{number + 1}/" if number < pages else None,
                    "links": pager_links(base, number, pages),
                }
                return dict(items=summaries, total=len(items), pager=pager, **context)
            # the summaries are shared objects: identical ones compare in O(1)
            self.cached(out, url, template, (summaries, len(items), pages, fixed), values)

    def _static(self, out: Output) -> None:
        copy_theme_files(out, self.config, "static", "主题的 static 文件夹")
        badge = self.config.site.footer.badge       # 党政机关网站标识, checked by config.py
        if badge:
            out.claim(badge_url(badge).lstrip("/"), "党政机关网站标识（site.toml [site.footer] badge）")
            out.copies[badge_url(badge).lstrip("/")] = self.config.root / badge

    @staticmethod
    def _put(out: Output, url: str, data: bytes) -> None:
        out.files[output_path(url)] = data


def _shown(path: Path, root: Path) -> str:
    """A path as messages name it: relative to the site root when inside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def copy_theme_files(out: Output, config, folder_name: str, owner: str) -> None:
    """Every file of a theme folder (static/, the kiosk's kiosk-static/) into /static/: the default
    theme's, then the site theme's over it one file at a time. A file linked out of its theme stops
    the build (a link must not carry a file of the build machine into the output)."""
    for theme_dir in reversed(config.theme_dirs):
        folder = theme_dir / folder_name
        if not folder.is_dir():
            continue
        inside = real_folder(theme_dir)
        for path in sorted(folder.rglob("*")):
            if path.is_file() or path.is_symlink():
                refused = escape(path, inside)
                if refused is not None:
                    raise ConfigError([Problem(_shown(path, config.root), 0, "",
                                               f"主题文件{REASONS[refused].replace('content', '主题')}。",
                                               f"请把文件本身放进主题的 {folder_name} 文件夹。")])
                name = "static/" + path.relative_to(folder).as_posix()
                out.claim(name, owner)
                out.copies[name] = path
