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

Used by the kiosk target (targets/kiosk.py), which decides what a kiosk page carries.
"""
from __future__ import annotations

import html
import json
import posixpath
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import unquote


from .catalogue import Catalogue
from .config import Category, Config
from .output import Output
from .render import copy_theme_files
from .views import fmt_date

INDEX_URL = "/static/kiosk-index.js"      # generated: the search index
CONFIG_URL = "/static/kiosk-config.js"    # generated: settings from site.toml [kiosk]
SEARCH_URL = "/search/"                   # the search screen with its on-screen keyboard
STATIC_FOLDER = "kiosk-static"            # in a theme: kiosk.css, kiosk.js, kiosk-search.js -> /static/
KEYBOARD = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")   # rows of the on-screen keyboard
INDEX_FORMAT = 2       # 2: each item carries "expires"
# The fields of one record in KIOSK_INDEX.items, in order (kiosk-search.js reads them by position).
ITEM_FIELDS = ("url", "title", "index_no", "date", "category", "department", "summary", "keywords",
               "title_py", "title_ini", "text_py", "text_ini", "expires")
SEPARATOR = "|"       # between the parts of a joined text, so a match cannot span two keywords


@dataclass(frozen=True)
class Elsewhere:
    """Where a kiosk visitor gets the attachments of a record (附件获取方式)."""

    web_url: str        # the record's address on the website, printed as text ("" if not on the website)
    qr_svg: str         # that address as an inline SVG QR code ("" if not on the website)
    contact: str        # the footer's telephone (政务公开举报电话), for records not on the website


def contribute(renderer, output: Output, plan) -> None:
    """The kiosk's own files: its assets, the offline search index, its settings, the search screen."""
    catalogue: Catalogue = renderer.catalogue
    _static(output, catalogue.config)
    renderer.put(output, INDEX_URL, index_script(catalogue))
    renderer.put(output, CONFIG_URL, config_script(catalogue.config, plan.now, catalogue))
    renderer.put(output, SEARCH_URL, renderer.page("search.html", SEARCH_URL, keyboard_rows=KEYBOARD))


def _static(output: Output, config: Config) -> None:
    """The kiosk's own assets (kiosk-static/ of the themes, the site's over the default's). They live
    outside static/ so that the website and intranet do not carry them."""
    copy_theme_files(output, config, STATIC_FOLDER, "主题的 kiosk-static 文件夹")


def config_script(config: Config, now: datetime, catalogue: Catalogue) -> bytes:
    """window.KIOSK_CONFIG: the settings of site.toml [kiosk] and this build's version, read by kiosk.js
    on every page. It is written at every build (the pages themselves are reused while unchanged), so
    what changes with the moment of the build lives here and not in the pages:
    - built / built_label: the build's --now, shown on screen as 内容更新于 …; stale_days after it the
      kiosk asks staff to update it;
    - expires: {url: [moment, department folder]} of every shown item that has an expiry_date, so that
      the pages hide the item, its rows and its counts once the kiosk's clock passes that moment (no
      server, no network; an item's categories are the folders its url lies in)."""
    expires = {catalogue.url(item): [expiry_moment(item.expiry_date, config), item.section]
               for item in catalogue.items if item.expiry_date is not None}
    settings = {"idle_seconds": config.kiosk.idle_seconds, "stale_days": config.kiosk.stale_days,
                "built": now.astimezone(config.tz).isoformat(),
                "built_label": now.astimezone(config.tz).strftime("%Y-%m-%d %H:%M"),
                "expires": dict(sorted(expires.items()))}
    data = json.dumps(settings, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return ("/* 电子触摸屏设置与本次生成的版本：由 build.py 生成，请勿手工修改。 */\n"
            f"window.KIOSK_CONFIG={data};\n").encode("utf-8")


def expiry_moment(moment: datetime | None, config: Config) -> str:
    """An expiry_date as the kiosk's scripts read it: ISO 8601 with the site's offset ("" for none)."""
    return moment.astimezone(config.tz).isoformat() if moment is not None else ""


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


def pinyin_forms(text: str) -> tuple[str, str]:
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
        title_py, title_ini = pinyin_forms(item.title)
        text = SEPARATOR.join([item.summary or ""] + list(item.keywords))
        text_py, text_ini = pinyin_forms(text)
        items.append([catalogue.url(item), item.title, item.index_no or "", fmt_date(item.pub_date, config),
                      position[item.category], dept_position[item.section], item.summary or "",
                      list(item.keywords), title_py, title_ini, text_py, text_ini,
                      expiry_moment(item.expiry_date, config)])
    return {
        "format": INDEX_FORMAT,
        "fields": list(ITEM_FIELDS),
        "categories": categories,                      # [code, name, full pinyin, initials]
        "departments": [[folder, name, *pinyin_forms(name)] for folder, name in departments],
        "items": items,
    }


def _category_record(category: Category) -> list:
    return [category.code, category.name, *pinyin_forms(category.name)]


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


def _as_file(reference: str) -> str:
    """The file a relative href or src of a page names beside the page: "a%20b.pdf" -> "a b.pdf"."""
    path = re.split(r"[?#]", html.unescape(reference), maxsplit=1)[0]
    return unquote(path.removeprefix("./"))


# --- links in bodies ------------------------------------------------------------------------------
#
# A kiosk page is opened from file://, so a relative link is a path on the kiosk PC's disk: "../../../"
# from an item would list the folders above the kiosk's, and from there the whole machine. Every href
# and src of a page is therefore resolved against the page's own place in the output; what stays inside
# the output folder stays a link, anything else (a path that climbs out, an absolute path "/etc/",
# "C:/", any scheme: http:, file:, javascript:, data: …, "//host") becomes inert: a link its words, an
# image its alt text, any other element loses the attribute.

_URL_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "poster", "data", "background", "cite",
                   "longdesc", "xlink:href", "ping", "manifest", "codebase", "archive", "icon", "lowsrc", "dynsrc"}
# a start tag with at least one of those attributes (the others are passed over without a look)
_TAG = re.compile(r"<([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*?\s?(?<![\w:-])(?:" +
                  "|".join(sorted(_URL_ATTRIBUTES, key=len, reverse=True)) + r")\s*=[^<>]*?)(/?)>", re.I)
_ATTRIBUTE = re.compile(r'(\s*)([^\s"\'<>/=]+)(?:(\s*=\s*)(?:"([^"]*)"|\'([^\']*)\'|([^\s"\'=<>`]+)))?')
_END_A = re.compile(r"</a\s*>", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DRIVE = re.compile(r"^[a-zA-Z][:|]$")
_HOME = re.compile(r'<body\b[^>]*?\sdata-home="((?:\.\./)*)index\.html"')
_LEAVES = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")      # kept for themes that import it


def page_depth(page: str, url: str | None = None) -> int:
    """How many folders below the output's root the page lies: from its URL when known ("/a/b/" -> 2,
    "/404.html" -> 0), else from the home link the kiosk frame carries (body data-home="../../index.html").
    Unknown: 0, so that nothing may climb at all."""
    if url is not None:
        return max(0, len([p for p in url.split("/")[:-1] if p]))
    match = _HOME.search(page)
    return match.group(1).count("../") if match else 0


@lru_cache(maxsize=8192)          # the frame's links repeat on every page at the same depth
def stays_inside(value: str, depth: int) -> bool:
    """Whether a relative reference (an attribute's raw value), followed from a page `depth` folders
    below the output's root, names something inside the output folder. Read as a browser reads it:
    character references decoded, tabs and line breaks dropped, surrounding spaces and controls
    stripped, backslashes as slashes, percent-escapes decoded (%2e%2e is ".."; on Windows %5c is a
    separator)."""
    reference = html.unescape(value)
    reference = re.sub(r"[\t\n\r]", "", reference).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e"
                                                         "\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
                                                         "\x1a\x1b\x1c\x1d\x1e\x1f ")
    if _SCHEME.match(reference):
        return False                      # http:, file:, javascript:, data:, C: …
    path = re.split(r"[?#]", reference, maxsplit=1)[0]
    if path[:1] in ("/", "\\"):
        return False                      # the disk's root, or another host (//host)
    folders = depth
    for part in re.split(r"[/\\]", unquote(path)):
        if _DRIVE.match(part) or "\x00" in part:
            return False
        if part in ("", "."):
            continue
        if part == "..":
            folders -= 1
            if folders < 0:
                return False
        else:
            folders += 1
    return True


def offline_links(page: str, url: str | None = None, absent: frozenset = frozenset()) -> str:
    """Make a rendered page safe for `file://` without network (`url`: the page's place in the output,
    when the caller knows it). A link that leaves the folder (http:, https:, mailto:, //host, a path
    above the output's root …) becomes its text; an image from elsewhere its alt text; another element
    drops such an attribute; a link to a folder ("../xuke/", "../2026-00001") gets the `index.html`
    that file:// needs. `absent`: output URLs the kiosk does not carry (attachments it does not hand
    out); a link to one becomes its words too."""
    if url is None or not absent:
        return _offline(page, page_depth(page, url))
    return _offline(page, page_depth(page, url), lambda value: _names(value, url) in absent)


def _names(value: str, url: str) -> str:
    """The output URL a relative reference of the page at `url` names ("a%20b.pdf" -> "/x/y/a b.pdf")."""
    return posixpath.normpath(posixpath.join(url, _as_file(value)))


def _offline(page: str, depth: int, gone=None) -> str:
    out, position = [], 0
    for match in _TAG.finditer(page):
        if match.start() < position:
            continue                                   # inside a link already made text
        name = match.group(1).lower()
        attributes = list(_ATTRIBUTE.finditer(match.group(2) or ""))
        leaving = [a for a in attributes if a.group(2).lower() in _URL_ATTRIBUTES
                   and (not _inside(a.group(2).lower(), _value(a), depth)
                        or gone is not None and a.group(2).lower() in ("href", "src") and gone(_value(a)))]
        out.append(page[position:match.start()])
        position = match.end()
        names = {a.group(2).lower() for a in leaving}
        if name == "a" and "href" in names:
            close = _END_A.search(page, position)
            end = close.start() if close else len(page)
            out.append(f'<span class="offline-link">{_offline(page[position:end], depth, gone)}</span>')
            position = close.end() if close else len(page)
        elif name == "img" and names & {"src", "srcset"}:
            alt = next((_value(a) for a in attributes if a.group(2).lower() == "alt"), "")
            out.append(f'<span class="offline-img">［图片：{alt or "未能显示"}］</span>')
        elif leaving or (name == "a" and "href" in {a.group(2).lower() for a in attributes}):
            inner, kept, last = match.group(2) or "", [], 0
            for a in attributes:
                kept.append(inner[last:a.start()])
                last = a.end()
                if a not in leaving:
                    kept.append(_folder_index(a) if name == "a" and a.group(2).lower() == "href" else a.group(0))
            kept.append(inner[last:])
            out.append(f"<{match.group(1)}{''.join(kept)}{match.group(3)}>")
        else:
            out.append(match.group(0))
    out.append(page[position:])
    return "".join(out)


def _value(attribute: re.Match) -> str:
    value = attribute.group(4)
    if value is None:
        value = attribute.group(5)
    if value is None:
        value = attribute.group(6)
    return value or ""


def _inside(name: str, value: str, depth: int) -> bool:
    if name in ("srcset",):
        candidates = [c.strip().split()[0] for c in value.split(",") if c.strip()]
        return all(stays_inside(c, depth) for c in candidates)
    if name in ("archive", "ping"):
        return all(stays_inside(c, depth) for c in value.split())
    return stays_inside(value, depth)


def _folder_index(attribute: re.Match) -> str:
    """A link's href attribute, to a folder given its index.html (file:// would list the folder)."""
    path, rest = re.match(r"([^?#]*)(.*)", _value(attribute), re.S).groups()     # rest: ?query#fragment
    last = path.rstrip("/").rsplit("/", 1)[-1]
    if not (path and (path.endswith("/") or "." not in last or last in (".", ".."))):
        return attribute.group(0)
    path = "index.html" if path in ("./", ".") else path.rstrip("/") + "/index.html"
    return f'{attribute.group(1)}{attribute.group(2)}="{path}{rest}"'
