"""site.toml -> Config: read once, validated whole, derived values computed.

Unknown keys and bad values are errors with their line (Zola's
`deny_unknown_fields`); every problem of the file is reported at once.
"""
from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError, Problem
from .messages import closest, describe_schema_error, toml_problem
from .model import Audience, Period
from .slugs import pinyin_slug
from .tomllines import key_lines, line_of
from .urls import reserved_reason

CONFIG_FILE = "site.toml"
# The shipped themes: beside the package in a checkout (and an editable install), else where a plain
# `pip install .` puts them (pyproject.toml: data-files).
PROJECT_THEMES = next((p for p in (Path(__file__).resolve().parent.parent / "themes",
                                   Path(sys.prefix) / "share" / "zwgk" / "themes") if (p / "default").is_dir()),
                      Path(__file__).resolve().parent.parent / "themes")

_SLUG = r"^[a-z0-9][a-z0-9_-]*$"
BADGE_SUFFIXES = (".png", ".gif", ".jpg", ".jpeg", ".svg", ".webp")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FooterToml(_Strict):
    site_code: str = ""        # 网站标识码
    icp: str = ""              # ICP 备案号
    police_record: str = ""    # 公安备案号
    contact: str = ""          # 政务公开举报电话
    mailbox: str = ""          # 政务公开信箱
    badge: str = ""            # 党政机关网站标识 image path (optional), relative to the site root
    badge_link: str = Field(default="", pattern=r"^(https?://\S+)?$")   # the badge's 开办单位 check page (conac)


class ContactToml(_Strict):
    """The 联系我们 page (/contact/), with the footer's telephone and mailbox; every key optional."""

    office: str = ""           # 受理机构, e.g. "泰州市质量技术监督局办公室"
    address: str = ""          # 通讯地址
    postcode: str = Field(default="", pattern=r"^(\d{6})?$")   # 邮政编码
    phone: str = ""            # 咨询电话
    fax: str = ""              # 传真
    hours: str = ""            # 办公时间


class SiteToml(_Strict):
    title: str = Field(min_length=1)
    base_url: str = Field(pattern=r"^https?://[^\s]+$")
    language: str = "zh-CN"
    timezone: str = "Asia/Shanghai"
    org_code: str = Field(min_length=1, pattern=r"^[A-Za-z0-9]+$")
    publisher: str = Field(min_length=1)
    theme: str = Field(default="default", pattern=r"^[A-Za-z0-9_-]+$")
    per_page: int = Field(default=20, ge=1, le=500)
    latest: int = Field(default=10, ge=0, le=100)
    footer: FooterToml = FooterToml()
    contact: ContactToml = ContactToml()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"未知的时区“{value}”。|请写 IANA 时区名，例如 Asia/Shanghai。")
        return value


class SectionToml(_Strict):
    folder: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    department: str = Field(min_length=1)
    owners: list[str] = []
    full_name: Optional[str] = None    # the 科室's full name, its items' 责任部门 row; default: department


class CategoryToml(_Strict):
    code: str = Field(pattern=r"^(\d\d)+$")
    name: str = Field(min_length=1)
    slug: Optional[str] = Field(default=None, pattern=_SLUG)
    audience: Optional[Audience] = None
    period: Optional[Period] = None


PAGE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*\*?$"    # a fixed page's slug; a trailing * matches a prefix


class ColumnToml(_Strict):
    """One entry of the 政府信息公开专栏 (`[[columns]]`): its title and the fixed pages that fill it, or the
    catalogue itself. Shown, in this order, as the site's 专栏 navigation on the website and intranet."""

    title: str = Field(min_length=1, max_length=30)     # 栏目名称, e.g. 政府信息公开指南
    slug: Optional[str] = Field(default=None, pattern=_SLUG)   # its landing page /zhuanlan/<slug>/; default: pinyin
    pages: list[str] = []      # fixed pages by slug, in this order; "annual-report-*": every page so named, newest first
    catalogue: bool = False    # this entry is the catalogue itself (法定主动公开内容): it links to the home page

    @field_validator("pages")
    @classmethod
    def _page_slugs(cls, value: list[str]) -> list[str]:
        for slug in value:
            if not re.match(PAGE_PATTERN, slug):
                raise ValueError(f"“{slug}”不是固定页面的网址名。|请写 content/pages/ 中页面的 slug（字母、数字、-、_、.），"
                                 "或以 * 结尾的前缀，例如 annual-report-*。")
        return value


class CalendarToml(_Strict):
    """[calendar]: the State Council's holiday schedule for years chinese-calendar lacks (reports/workdays.py).
    A year counts as known only once it is in `complete_years`; dates listed for any other year are used,
    but figures counted through that year stay uncertain."""

    holidays: list[date] = []
    workdays: list[date] = []
    complete_years: list[int] = []     # years whose schedule above is entered whole (the notice's every date)

    @field_validator("complete_years")
    @classmethod
    def _complete_years_have_holidays(cls, value: list[int], info) -> list[int]:
        holidays = info.data.get("holidays")
        if holidays is None:           # holidays themselves invalid: that error is reported already
            return value
        listed = {d.year for d in holidays}
        for year in value:
            if year not in listed:
                raise ValueError(f"complete_years 列出了 {year} 年，但 holidays 中没有 {year} 年的任何放假日期。|"
                                 f"国务院公布 {year} 年放假安排后，先把放假日写进 holidays、调休上班日写进 workdays，"
                                 f"再把 {year} 列入 complete_years；没有写全之前不要列入。")
        return value


class KioskToml(_Strict):
    idle_seconds: int = Field(default=90, ge=5, le=3600)
    stale_days: int = Field(default=7, ge=1, le=365)     # older content: the kiosk asks staff to update it


class AnnualReportToml(_Strict):
    """[annual_report]: which leaf categories fill the rows of 二 主动公开政府信息情况 of the annual report
    (国办公开办函〔2021〕30号); each a list of leaf codes or names. Left out: the default rule
    (generator/reports/annual.py: 规范性文件 by 文号, 行政许可 and 行政处罚 by category name)."""

    regulations: Optional[list[str]] = None    # 规章
    normative: Optional[list[str]] = None      # 行政规范性文件 (besides those recognised by 文号)
    licensing: Optional[list[str]] = None      # 行政许可
    penalty: Optional[list[str]] = None        # 行政处罚
    enforcement: Optional[list[str]] = None    # 行政强制
    fees: Optional[list[str]] = None           # 行政事业性收费


class DeployToml(_Strict):
    """[deploy]: defaults of `build.py deploy`, `rollback`, `releases` (each option overrides its key)."""

    to: str = ""                          # /srv/www/gk, deploy@host:/srv/www/gk or ssh://deploy@host:2222/srv/www/gk
    target: Optional[str] = Field(default=None, pattern=r"^(website|intranet|kiosk)$")
    identity: str = ""                    # SSH private key (relative to the site root)
    known_hosts: str = ""                 # a known_hosts file instead of ~/.ssh/known_hosts
    ssh_config: str = ""                  # an ssh config file instead of ~/.ssh/config
    keep: int = Field(default=5, ge=2, le=1000)
    check_url: str = Field(default="", pattern=r"^(https?://\S+)?$")


class ConfigToml(_Strict):
    site: SiteToml
    sections: list[SectionToml] = []
    categories: list[CategoryToml] = Field(min_length=1)
    columns: list[ColumnToml] = []
    calendar: CalendarToml = CalendarToml()
    kiosk: KioskToml = KioskToml()
    annual_report: AnnualReportToml = AnnualReportToml()
    deploy: DeployToml = DeployToml()


@dataclass(frozen=True)
class Category:
    """One node of the catalogue (目录分类). Leaves hold items."""

    code: str
    name: str
    slug: str
    audience: str
    period: str
    parent: Optional[str]
    children: tuple[str, ...]
    path: str           # "quanli/xuke": the URL folder of its listing

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def depth(self) -> int:
        return len(self.code) // 2


@dataclass(frozen=True)
class Section:
    """An editing section (科室): one folder under content/, one department."""

    folder: str
    department: str
    owners: tuple[str, ...]
    publisher: str      # 发布机构 of its items: the bureau (条例 第十条: the 行政机关, not its 科室)
    full_name: str = ""  # the 科室's name in its items' 责任部门 row: `full_name`, else the department


@dataclass(frozen=True)
class Column:
    """An entry of the 政府信息公开专栏: a fixed page list, or the catalogue (`catalogue`)."""

    title: str
    slug: str
    pages: tuple[str, ...]      # page slugs; one ending in "*" matches every page of that prefix, newest first
    catalogue: bool

    @property
    def url(self) -> str:
        """Its landing page (the catalogue entry's is the home page)."""
        return "/" if self.catalogue else f"/zhuanlan/{self.slug}/"


@dataclass(frozen=True)
class Config:
    root: Path
    site: SiteToml
    tz: ZoneInfo
    base_url: str                     # always ends with "/"
    sections: dict[str, Section]      # by folder
    categories: dict[str, Category]   # by code, in catalogue order
    by_name: dict[str, str]           # category name -> code
    theme_dir: Path                   # the site's theme: its own themes/<name>/, else the shipped one
    calendar: CalendarToml
    kiosk: KioskToml
    annual_report: Optional[dict] = None   # [annual_report] row -> leaf codes (None: the default rule)
    deploy: Optional[DeployToml] = None    # [deploy]: defaults of build.py deploy
    columns: tuple[Column, ...] = ()       # [[columns]]: the 政府信息公开专栏, in the order of site.toml

    @property
    def theme_dirs(self) -> tuple[Path, ...]:
        """Where templates and static files are looked up, first match wins (Hugo's lookup order): the
        site's theme, then the shipped default theme, so a bureau overrides one file at a time."""
        default = PROJECT_THEMES / "default"
        return (self.theme_dir,) if self.theme_dir.resolve() == default.resolve() else (self.theme_dir, default)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    def top_categories(self) -> list[Category]:
        return [c for c in self.categories.values() if c.parent is None]

    def leaf_codes(self) -> list[str]:
        return [c.code for c in self.categories.values() if c.is_leaf]

    def lineage(self, code: str) -> list[Category]:
        """From the top category down to `code`."""
        chain = []
        current: Optional[str] = code
        while current:
            chain.append(self.categories[current])
            current = self.categories[current].parent
        return chain[::-1]


def load_config(root: Path) -> Config:
    """Read and validate `root/site.toml`. Raises ConfigError with every problem."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise ConfigError([Problem(CONFIG_FILE, 0, "", f"在 {root} 找不到 site.toml。",
                                   "请在站点根目录运行，或用 --site 指定含 site.toml 的文件夹。")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError([Problem(CONFIG_FILE, 1, "", f"文件不是 UTF-8 编码（第 {exc.start} 字节）。",
                                   "请用 UTF-8 保存。")])
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise ConfigError([Problem(CONFIG_FILE, line, "", f"TOML 语法错误：{toml_problem(str(exc))}。", "请检查引号、括号和等号。")])
    lines = key_lines(text)
    try:
        model = ConfigToml.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            message, hint = describe_schema_error(err)
            problems.append(Problem(CONFIG_FILE, line_of(lines, loc), _dotted(loc), message, hint))
        raise ConfigError(sorted(set(problems)))
    return _derive(root, model, lines)


def _derive(root: Path, model: ConfigToml, lines: dict[tuple, int]) -> Config:
    problems: list[Problem] = []

    def fail(loc: tuple, message: str, hint: str = "") -> None:
        problems.append(Problem(CONFIG_FILE, line_of(lines, loc), _dotted(loc), message, hint))

    sections: dict[str, Section] = {}
    for i, s in enumerate(model.sections):
        if s.folder in sections:
            fail(("sections", i, "folder"), f"科室文件夹“{s.folder}”重复。", "每个文件夹只能声明一次。")
        if s.folder == "pages":
            fail(("sections", i, "folder"), "“pages”是固定页面的文件夹，不能作为科室。", "请换一个文件夹名。")
        sections[s.folder] = Section(s.folder, s.department, tuple(s.owners), model.site.publisher,
                                     s.full_name or s.department)

    raw_cats: dict[str, tuple[int, CategoryToml]] = {}
    for i, c in enumerate(model.categories):
        if c.code in raw_cats:
            fail(("categories", i, "code"), f"分类代码“{c.code}”重复。", "每个代码只能出现一次。")
            continue
        raw_cats[c.code] = (i, c)
    names: dict[str, str] = {}
    for code, (i, c) in raw_cats.items():
        parent = code[:-2] or None
        if parent and parent not in raw_cats:
            fail(("categories", i, "code"), f"分类“{code}”的上级“{parent}”不存在。",
                 "上级代码是本代码去掉最后两位，请先声明上级分类。")
        if c.name in names:
            fail(("categories", i, "name"), f"分类名称“{c.name}”与 {names[c.name]} 重复。",
                 "条目可以用名称指定分类，名称必须唯一。")
        names.setdefault(c.name, code)

    categories: dict[str, Category] = {}
    seen_paths: dict[str, str] = {}
    for code, (i, c) in raw_cats.items():
        parent = code[:-2] or None
        children = tuple(k for k in raw_cats if k[:-2] == code and len(k) == len(code) + 2)
        slug = c.slug or _pinyin_slug(c.name)
        path_parts = []
        audience, period = c.audience, c.period
        for cut in range(2, len(code) + 1, 2):
            ancestor = raw_cats.get(code[:cut])
            if ancestor is None:
                break
            path_parts.append(ancestor[1].slug or _pinyin_slug(ancestor[1].name))
        for cut in range(len(code) - 2, 0, -2):   # inherit from the nearest ancestor that says
            ancestor = raw_cats.get(code[:cut])
            if ancestor:
                audience = audience or ancestor[1].audience
                period = period or ancestor[1].period
        path = "/".join(path_parts)
        if path in seen_paths:
            fail(("categories", i, "slug"), f"分类网址“{path}”与分类 {seen_paths[path]} 相同。",
                 "请给其中一个分类另设 slug。")
        seen_paths[path] = code
        categories[code] = Category(code, c.name, slug, audience or "public", period or "long_term",
                                    parent, children, path)
    for code, cat in categories.items():
        why = reserved_reason(cat.slug, top=cat.parent is None)
        if why:
            i = raw_cats[code][0]
            fail(("categories", i, "slug"), f"“{cat.slug}”是保留的网址（{why}）。", "请换一个 slug。")

    columns: list[Column] = []
    column_slugs: dict[str, int] = {}
    for i, c in enumerate(model.columns):
        slug = c.slug or _pinyin_slug(c.title)
        if slug in column_slugs:
            fail(("columns", i, "slug" if c.slug else "title"),
                 f"专栏网址“{slug}”与第 {column_slugs[slug] + 1} 个专栏相同。", "请给其中一个专栏另设 slug。")
        column_slugs.setdefault(slug, i)
        if c.catalogue and c.pages:
            fail(("columns", i, "pages"), f"专栏“{c.title}”是目录本身（catalogue = true），不能再列固定页面。",
                 "请删去 pages，或删去 catalogue。")
        columns.append(Column(c.title, slug, tuple(c.pages), c.catalogue))

    badge = model.site.footer.badge
    if badge:
        source = (root / badge).resolve()
        if not source.is_relative_to(root.resolve()) or not source.is_file():
            fail(("site", "footer", "badge"), f"找不到党政机关网站标识图片“{badge}”。",
                 "请写站点文件夹（site.toml 所在处）里的图片路径，例如 static/dzjg.png。")
        elif source.suffix.lower() not in BADGE_SUFFIXES:
            fail(("site", "footer", "badge"), f"党政机关网站标识“{badge}”不是图片。",
                 "请用 " + "、".join(s.lstrip(".") for s in BADGE_SUFFIXES) + " 格式的图片。")
    annual_rows: dict = {}
    for row, given in model.annual_report.model_dump().items():
        if given is None:
            annual_rows[row] = None
            continue
        codes = []
        for i, name in enumerate(given):
            code = name if name in categories else names.get(name)
            if code is None or not categories[code].is_leaf:
                fail(("annual_report", row, i), f"“{name}”不是目录中的末级分类。",
                     "请写末级分类的代码或名称，例如 \"0204\" 或 \"行政许可\"。")
            elif code not in codes:
                codes.append(code)
        annual_rows[row] = tuple(codes)
    theme_dir = _find_theme(root, model.site.theme)
    if theme_dir is None:
        fail(("site", "theme"), f"找不到主题“{model.site.theme}”。",
             f"请在 themes/{model.site.theme}/templates/ 放置模板，或使用 default。")
    if problems:
        raise ConfigError(sorted(set(problems)))
    base = model.site.base_url if model.site.base_url.endswith("/") else model.site.base_url + "/"
    return Config(root=root, site=model.site, tz=ZoneInfo(model.site.timezone), base_url=base,
                  sections=sections, categories=categories, by_name=names, theme_dir=theme_dir,
                  calendar=model.calendar, kiosk=model.kiosk, annual_report=annual_rows,
                  deploy=model.deploy, columns=tuple(columns))


def badge_url(badge: str) -> str:
    """Where the 党政机关网站标识 image of `[site.footer] badge` is copied in every target's output."""
    return "/static/badge/" + Path(badge).name


def _find_theme(root: Path, name: str) -> Optional[Path]:
    """A site's own themes/<name>/ (it may hold only the files it changes), else the shipped one."""
    for base in (root / "themes", PROJECT_THEMES):
        if (base / name).is_dir() and (base != PROJECT_THEMES or (base / name / "templates").is_dir()):
            return base / name
    return None


def _pinyin_slug(name: str) -> str:
    return pinyin_slug(name, "", "category")


def _toml_error_line(text: str) -> int:
    match = re.search(r"line (\d+)", text)
    return int(match.group(1)) if match else 1


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def suggest_category(config: Config, given: str) -> Optional[str]:
    """The category (code and name) nearest to a wrong `category:` value."""
    candidates = {c.code: c for c in config.categories.values() if c.is_leaf}
    labels = {f"{c.code} {c.name}": c for c in candidates.values()}
    pool = list(candidates) + [c.name for c in candidates.values()]
    best = closest(given, pool)
    if best is None:
        return None
    cat = candidates.get(best) or next(c for c in candidates.values() if c.name == best)
    return next(label for label, c in labels.items() if c is cat)
