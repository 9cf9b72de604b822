"""The touchscreen kiosk (电子触摸屏): what the `kiosk` target adds to the common pages.

A kiosk PC opens the output folder from `file://`, offline, with no server and no
keyboard. Pagefind cannot load its index there, so this module writes a compact
search index as a plain script (`/static/kiosk-index.js`, assigning
`window.KIOSK_INDEX`) that `static/kiosk-search.js` searches in the page through
the same `window.siteSearch(query, options)` contract as the website.

It also:
- gives item pages with attachments (附件) the item's website address as text and
  a QR code generated here (inline SVG, no network needed to show it) — the
  attachments themselves are not copied, a kiosk cannot hand out files;
- rewrites links in item bodies for `file://`: links and images that would leave
  the folder become plain text, folder links get their `index.html`.

Registered in `pipeline.CONTRIBUTORS` and `pipeline.PAGE_FILTERS`; does nothing for other targets.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


from .catalogue import Catalogue, page_url
from .config import PROJECT_THEMES, Category, Config
from .render import Output, output_path
from .views import fmt_date, page_view
from .visibility import decide

INDEX_URL = "/static/kiosk-index.js"      # generated: the search index
CONFIG_URL = "/static/kiosk-config.js"    # generated: settings from site.toml [kiosk]
SEARCH_URL = "/search/"                   # the search screen with its on-screen keyboard
STATIC_FOLDER = "kiosk-static"            # in a theme: kiosk.css, kiosk.js, kiosk-search.js -> /static/
KEYBOARD = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")   # rows of the on-screen keyboard
INDEX_FORMAT = 1
# The fields of one record in KIOSK_INDEX.items, in order (kiosk-search.js reads them by position).
ITEM_FIELDS = ("url", "title", "index_no", "date", "category", "department", "summary", "keywords",
               "title_py", "title_ini", "text_py", "text_ini")
SEPARATOR = "|"       # between the parts of a joined text, so a match cannot span two keywords


@dataclass(frozen=True)
class Elsewhere:
    """Where a kiosk visitor gets the attachments of a record (附件获取方式)."""

    web_url: str        # the record's address on the website, printed as text ("" if not on the website)
    qr_svg: str         # that address as an inline SVG QR code ("" if not on the website)
    contact: str        # the footer's telephone (政务公开举报电话), for records not on the website


def contribute(renderer, output: Output, plan) -> None:
    if plan.target != "kiosk":
        return
    catalogue: Catalogue = renderer.catalogue
    _static(output, catalogue.config)
    renderer.put(output, INDEX_URL, index_script(catalogue))
    renderer.put(output, CONFIG_URL, config_script(catalogue.config))
    renderer.put(output, SEARCH_URL, renderer.page("search.html", SEARCH_URL, keyboard_rows=KEYBOARD))
    _offer_elsewhere(renderer, output, plan)


def page_filter(target: str):
    """pipeline.PAGE_FILTERS: every kiosk page is made safe for file:// as it is rendered."""
    return offline_links if target == "kiosk" else None


def _static(output: Output, config: Config) -> None:
    """The kiosk's own assets: from the site theme's kiosk-static/, else the default theme's. They live
    outside static/ so that the website and intranet do not carry them."""
    folder = config.theme_dir / STATIC_FOLDER
    if not folder.is_dir():
        folder = PROJECT_THEMES / "default" / STATIC_FOLDER
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            output.copies["static/" + path.relative_to(folder).as_posix()] = path


def config_script(config: Config) -> bytes:
    settings = {"idle_seconds": config.kiosk.idle_seconds}
    return f"window.KIOSK_CONFIG={json.dumps(settings, sort_keys=True)};\n".encode("utf-8")


# --- the search index ------------------------------------------------------------------------------

@lru_cache(maxsize=4096)
def words(text: str) -> tuple[tuple[str, bool], ...]:
    """Phrase-aware pinyin (行政 -> xing zheng, 银行 -> yin hang), one (syllable, True) per Han
    character; any other run becomes one lower-case (letters-and-digits, False) word."""
    from pypinyin import lazy_pinyin    # imported by the kiosk build only (~60 MB of dictionaries)
    out = []
    for chunk in lazy_pinyin(text, errors=lambda other: _OTHER + other):
        han = not chunk.startswith(_OTHER)
        chunk = re.sub(r"[^a-z0-9]+", "", chunk.lower())
        if chunk:
            out.append((chunk, han))
    return tuple(out)


_OTHER = "\x00"      # marks what pypinyin passes through (Latin letters, digits, punctuation)


def pinyin_keys(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a text, without spaces: 行政许可 -> (xingzhengxuke, xzxk).
    A run of Latin letters or digits stays one word in both (ISO9001认证 -> iso9001renzheng,
    iso9001rz). The parts of a text joined by SEPARATOR stay apart."""
    parts = [words(part) for part in text.split(SEPARATOR)]
    full = SEPARATOR.join("".join(w for w, _ in part) for part in parts)
    initials = SEPARATOR.join("".join(w[0] if han else w for w, han in part) for part in parts)
    return full, initials


def index_data(catalogue: Catalogue) -> dict:
    """The kiosk search index: published items only (a Catalogue holds nothing else), newest first."""
    config = catalogue.config
    codes = sorted({c.code for item in catalogue.items for c in config.lineage(item.category)},
                   key=list(config.categories).index)
    categories = [_category_record(config.categories[code]) for code in codes]
    position = {code: i for i, code in enumerate(codes)}
    departments = sorted({(item.section, item.department) for item in catalogue.items},
                         key=lambda s: list(config.sections).index(s[0]))
    dept_position = {folder: i for i, (folder, _) in enumerate(departments)}
    items = []
    for item in catalogue.items:
        title_py, title_ini = pinyin_keys(item.title)
        text = SEPARATOR.join([item.summary or ""] + list(item.keywords))
        text_py, text_ini = pinyin_keys(text)
        items.append([catalogue.url(item), item.title, item.index_no or "", fmt_date(item.pub_date, config),
                      position[item.category], dept_position[item.section], item.summary or "",
                      list(item.keywords), title_py, title_ini, text_py, text_ini])
    return {
        "format": INDEX_FORMAT,
        "fields": list(ITEM_FIELDS),
        "categories": categories,                      # [code, name, full pinyin, initials]
        "departments": [[folder, name, *pinyin_keys(name)] for folder, name in departments],
        "items": items,
    }


def _category_record(category: Category) -> list:
    return [category.code, category.name, *pinyin_keys(category.name)]


def index_script(catalogue: Catalogue) -> bytes:
    data = json.dumps(index_data(catalogue), ensure_ascii=False, separators=(",", ":"))
    return ("/* 电子触摸屏检索索引：由 build.py 生成，请勿手工修改。 */\n"
            f"window.KIOSK_INDEX={data};\n").encode("utf-8")


# --- attachments: where to get them instead --------------------------------------------------------

def qr_svg(text: str, label: str) -> str:
    """`text` as an inline SVG QR code (error correction M), without XML namespace or declaration."""
    import segno
    code = segno.make(text, error="m", micro=False)
    svg = code.svg_inline(scale=8, border=4, title=label, dark="#000", light="#fff")
    return svg.replace('class="segno"', 'class="qr" role="img" aria-label="%s"' % html.escape(label), 1)


def elsewhere_for(config: Config, url: str, on_website: bool) -> Elsewhere:
    contact = config.site.footer.contact
    if not on_website:
        return Elsewhere("", "", contact)
    web_url = config.base_url + url.lstrip("/")
    return Elsewhere(web_url, qr_svg(web_url, "本页网址二维码"), contact)


def _offer_elsewhere(renderer, output: Output, plan) -> None:
    """Re-render the pages that have attachments with `elsewhere`, and drop the attachment files."""
    catalogue: Catalogue = renderer.catalogue
    config = catalogue.config
    previous = renderer.extra_context
    try:
        for item in catalogue.items:
            if not item.attachments:
                continue
            url = catalogue.url(item)
            on_website = decide(item, plan.now, "website").published
            there = elsewhere_for(config, url, on_website)
            renderer.extra_context = lambda _url, there=there: {"elsewhere": there}
            renderer.item(output, item)
            _drop_attachments(output, item, url)
        for page in catalogue.pages:
            if not page.attachments:
                continue
            url = page_url(page)
            there = elsewhere_for(config, url, True)          # fixed pages are on every target
            renderer.extra_context = lambda _url, there=there: {"elsewhere": there}
            names = tuple(a.name.rsplit("/", 1)[-1] for a in page.attachments)
            renderer.cached(output, url, "page.html", (page.digest, names),
                            lambda page=page, url=url, names=names: dict(page=page_view(page, url), attachments=names))
            _drop_attachments(output, page, url)
    finally:
        renderer.extra_context = previous


def _drop_attachments(output: Output, record, url: str) -> None:
    """Attachments are not offered on a kiosk, so not copied (one the text shows as an image stays);
    a link to one in the text becomes its words. A page reused from the previous build (reuse.py)
    was made by this same code and is left as it is."""
    path = output_path(url)
    fresh = path in output.files
    page = output.files[path].decode("utf-8") if fresh else Path(output.reused[path]).read_text(encoding="utf-8")
    for attachment in record.attachments:
        name = html.escape(attachment.name)
        if f'src="{name}"' in page:
            continue
        output.copies.pop(output_path(url + attachment.name), None)
        if fresh:
            page = re.sub(f'<a href="{re.escape(name)}"[^>]*>(.*?)</a>', r'<span class="offline-link">\1</span>',
                          page, flags=re.S)
    if fresh:
        output.files[path] = page.encode("utf-8")


# --- links in bodies ------------------------------------------------------------------------------

_LINK = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"[^>]*>')
_LEAVES = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")


def offline_links(page: str) -> str:
    """Make a rendered page safe for `file://` without network: a link that leaves the folder
    (http:, https:, mailto:, //host) becomes its text; an image from elsewhere becomes its alt
    text; a link to a folder ("../xuke/", "../2026-00001") gets the `index.html` that file:// needs."""
    def link(match: re.Match) -> str:
        href, attrs, inner = match.groups()
        if _LEAVES.match(href):
            return f'<span class="offline-link">{inner}</span>'
        path, hash_, fragment = href.partition("#")
        last = path.rstrip("/").rsplit("/", 1)[-1]
        if path and (path.endswith("/") or "." not in last or last in (".", "..")):
            path = "index.html" if path == "./" else path.rstrip("/") + "/index.html"
            href = path + hash_ + fragment
        return f'<a href="{href}"{attrs}>{inner}</a>'

    def image(match: re.Match) -> str:
        src, alt = match.groups()
        if _LEAVES.match(src):
            return f'<span class="offline-img">［图片：{alt or "未能显示"}］</span>'
        return match.group(0)

    return _IMG.sub(image, _LINK.sub(link, page))
