"""The content model: what an item (one disclosure record, 公开条目) is.

`FrontMatter` is the schema of the YAML an editor writes (validated by
pydantic); `Item` is the frozen, fully resolved record that every later
phase reads. Nothing changes an Item after loading.
"""
from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

Status = Literal["draft", "proposed", "approved", "withdrawn"]
Review = Literal["leader", "collective"]
Audience = Literal["public", "internal"]
Period = Literal["long_term", "timely"]
Channel = Literal["website", "touchscreen", "intranet"]

CHANNELS_FOR = {"public": ("website", "touchscreen", "intranet"), "internal": ("intranet",)}

FIELD_LABELS = {  # field -> label shown to editors and on the site
    "title": "名称", "category": "目录分类", "index_no": "索引号", "status": "状态",
    "reviewer": "审核人", "review": "审核方式", "pub_date": "发布日期", "expiry_date": "失效日期",
    "abolished": "废止", "doc_date": "成文日期", "formed_date": "信息形成/变更日期",
    "proposed_date": "提出日期", "doc_no": "文号", "publisher": "发布机构", "audience": "公开范围",
    "period": "公开时限", "channels": "公开载体", "summary": "内容概述", "keywords": "主题词",
    "updated": "更新日期", "slug": "网址名", "attachments": "附件", "privacy_allow": "隐私放行",
    "decision_count": "处理决定数量", "fee_amount": "收费金额（元）", "aliases": "旧网址（别名）",
}


def _moment(value: Any, info: ValidationInfo) -> Any:
    """A date or datetime -> an aware datetime. A bare date is 00:00 in the site's zone."""
    tz = (info.context or {}).get("tz")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = datetime.fromisoformat(text) if ("T" in text or " " in text or ":" in text) \
                else date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"不是有效的日期或时间：“{text}”。|请写成 2026-06-01 或 2026-06-01 09:30:00+08:00。")
    if isinstance(value, date):
        _in_range(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tzinfo=tz)
    raise ValueError(f"不是日期：“{value}”。|请写成 2026-06-01 或 2026-06-01 09:30:00+08:00。")


# Years a record can carry. Beyond them time arithmetic overflows (year 1 with +23:59, year 9999
# with -23:59 leave datetime's range once converted to the site's zone) — and no 政务公开 date is there.
FIRST_YEAR, LAST_YEAR = 1900, 2199


def _in_range(value: date) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"日期“{value.isoformat()}”超出可用范围（{FIRST_YEAR}—{LAST_YEAR} 年）。|请核对年份。")


def _day(value: Any) -> Any:
    """A calendar date; a datetime keeps its date part (成文日期 has no time)."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"不是有效的日期：“{value}”。|请写成 2026-06-01。")
    if isinstance(value, date):
        _in_range(value)
    return value


Moment = Annotated[datetime, BeforeValidator(_moment)]
Day = Annotated[date, BeforeValidator(_day)]
Text = Annotated[str, Field(min_length=1)]


class FrontMatter(BaseModel):
    """The fields an editor may write at the top of an item (see docs/编辑手册.md, 字段一览)."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    category: str = Field(min_length=1)
    index_no: Optional[str] = Field(default=None, pattern=r"^[A-Za-z0-9]+/\d{4}-\d{5}$")
    status: Status = "draft"
    reviewer: Optional[Text] = None
    review: Review = "leader"
    pub_date: Optional[Moment] = None
    expiry_date: Optional[Moment] = None
    abolished: bool = False
    doc_date: Optional[Day] = None
    formed_date: Optional[Day] = None
    proposed_date: Optional[Day] = None
    doc_no: Optional[Text] = None
    publisher: Optional[Text] = None
    audience: Optional[Audience] = None
    period: Optional[Period] = None
    channels: Optional[list[Channel]] = None
    summary: Optional[str] = Field(default=None, max_length=100)
    keywords: list[Text] = Field(default_factory=list)
    updated: Optional[Day] = None
    slug: Optional[str] = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    attachments: list[Text] = Field(default_factory=list)
    privacy_allow: list[Text] = Field(default_factory=list)
    # the annual report (年度报告): how many decisions the record stands for (default 1), the fees it reports
    decision_count: Optional[Annotated[int, Field(strict=True, ge=0)]] = None
    fee_amount: Optional[Annotated[Decimal, Field(ge=0, decimal_places=2, allow_inf_nan=False)]] = None
    aliases: list[Text] = Field(default_factory=list)          # old addresses (site paths) that redirect here (links.py)


class PageMatter(BaseModel):
    """A fixed page (公开指南, 依申请公开, 年度报告): no catalogue fields needed."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    summary: Optional[str] = Field(default=None, max_length=100)
    slug: Optional[str] = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    status: Optional[Status] = None
    updated: Optional[Day] = None
    keywords: list[Text] = Field(default_factory=list)
    attachments: list[Text] = Field(default_factory=list)
    privacy_allow: list[Text] = Field(default_factory=list)
    order: int = 0
    aliases: list[Text] = Field(default_factory=list)


STRING_FIELDS = {"title", "category", "index_no", "reviewer", "doc_no", "publisher", "summary", "slug"}
STRING_LIST_FIELDS = {"keywords", "privacy_allow", "attachments", "aliases"}


def with_digest(record, body_hash: str):
    """The record with `digest` set: a stable hash of its fields (their reprs are deterministic), the
    body standing as `body_hash` (the loader hashes it anyway; the repr of a long text is slow).
    Set in place (the loader's fresh record, not yet shared): a copy costs 10 % of loading."""
    values = _DIGESTED[type(record)](record)
    text = f"{type(record).__name__}{values!r}{body_hash}"
    object.__setattr__(record, "digest", hashlib.sha1(text.encode("utf-8")).hexdigest())
    return record


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str          # file name as written, relative to the item
    size: int          # bytes
    kind: str          # 类型 shown to readers: PDF, Excel …


@dataclass(frozen=True, slots=True)
class PrivacyHit:
    line: int
    kind: str          # "身份证号" or "手机号"
    masked: str        # what may be printed: 110105********002X


@dataclass(frozen=True, slots=True)
class Item:
    """One disclosure record, resolved: defaults applied, dates aware, category a leaf code."""

    file: str                       # relative to the site root, e.g. content/fagui/a.md
    section: str                    # folder under content/
    title: str
    category: str                   # leaf code
    status: str
    review: str
    audience: str
    period: str
    channels: tuple[str, ...]
    publisher: str
    department: str
    slug: str
    body: str                       # Markdown ("" when detached: see body_hash)
    index_no: Optional[str] = None
    reviewer: Optional[str] = None
    pub_date: Optional[datetime] = None
    expiry_date: Optional[datetime] = None
    abolished: bool = False
    doc_date: Optional[date] = None
    formed_date: Optional[date] = None
    proposed_date: Optional[date] = None
    doc_no: Optional[str] = None
    summary: Optional[str] = None
    keywords: tuple[str, ...] = ()
    updated: Optional[date] = None
    attachments: tuple[Attachment, ...] = ()
    privacy_hits: tuple[PrivacyHit, ...] = ()
    decision_count: Optional[int] = None         # 处理决定数量 (annual report); None: the record is one
    fee_amount: Optional[Decimal] = None         # 收费金额, yuan (annual report)
    aliases: tuple[str, ...] = ()                # old addresses ("/0204/old/") redirected here (links.py)
    body_images: tuple[Attachment, ...] = ()     # images beside the file the body shows, copied like attachments
    index_refs: tuple[str, ...] = ()             # the 索引号 the body links to (links by 索引号)
    lines: dict = field(default_factory=dict, compare=False, hash=False, repr=False)   # field -> line
    digest: str = field(default="", compare=False, repr=False)   # hash of everything above: render-cache key
    # Command-line builds do not keep ten thousand bodies in memory: `body` is emptied after
    # loading and read again from the file when the page is rendered (content.read_body),
    # which checks it against this hash of the body that was loaded.
    body_hash: str = field(default="", repr=False)
    # where the body's bytes start in the file (-1: not known, the file is split again): the body is then
    # the file's bytes from there, when they still hash to body_hash
    body_at: int = field(default=-1, repr=False, compare=False)

    def line(self, name: str) -> int:
        return self.lines.get(name, 1)


@dataclass(frozen=True, slots=True)
class Page:
    """A fixed page under content/pages/."""

    file: str
    title: str
    slug: str
    body: str
    summary: Optional[str] = None
    status: Optional[str] = None
    order: int = 0
    updated: Optional[date] = None
    attachments: tuple[Attachment, ...] = ()
    privacy_hits: tuple[PrivacyHit, ...] = ()
    aliases: tuple[str, ...] = ()
    body_images: tuple[Attachment, ...] = ()
    index_refs: tuple[str, ...] = ()
    lines: dict = field(default_factory=dict, compare=False, hash=False, repr=False)
    digest: str = field(default="", compare=False, repr=False)


def _quick_pickling(cls):
    """The dataclass's own pickling of a frozen slotted class calls fields() for every object (a quarter
    of a no-change rebuild at 10,000 items goes to unpickling the parse cache); the same state — the
    field values in order — with the names looked up once."""
    names = tuple(f.name for f in fields(cls))
    setattr_ = object.__setattr__

    def getstate(self):
        return [getattr(self, name) for name in names]

    def setstate(self, state):
        for name, value in zip(names, state):
            setattr_(self, name, value)
    cls.__getstate__, cls.__setstate__ = getstate, setstate
    return cls


for _record in (Attachment, PrivacyHit, Item, Page):
    _quick_pickling(_record)

# what a record's digest covers: every field its repr shows but the body (hashed apart)
_DIGESTED = {cls: operator.attrgetter(*(f.name for f in fields(cls) if f.repr and f.name != "body"))
             for cls in (Item, Page)}
