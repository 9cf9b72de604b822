"""content/ -> Items and Pages: read, parse, validate, resolve defaults.

Every file yields either a resolved record or errors pinned to its lines;
nothing is dropped silently. Site-wide rules (unique 索引号, unique URLs) run
after all files are read.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Optional

from pydantic import ValidationError

from . import privacy
from .config import Config, suggest_category
from .errors import BuildAborted, Problem, Problems
from .gitdates import FileDates, read_dates
from .inputs import HINT, REASONS, escape, real_folder
from .frontmatter_lines import FrontMatterError, parse, split
from .bodylinks import body_links, index_links, local_file, normalise_alias
from .messages import describe_schema_error, did_you_mean
from .reuse import CODE_VERSION, cache_dir
from .slugs import pinyin_slug
from .workers import parallel_map
from .model import CHANNELS_FOR, FIELD_LABELS, Attachment, FrontMatter, Item, Page, PageMatter, with_digest

PAGES_FOLDER = "pages"

# The file types an attachment may have (an allow-list: pages, scripts, SVG and sources are refused).
_KINDS = {".pdf": "PDF", ".doc": "Word", ".docx": "Word", ".wps": "WPS", ".xls": "Excel",
          ".xlsx": "Excel", ".et": "WPS 表格", ".csv": "CSV", ".ofd": "OFD", ".zip": "ZIP",
          ".rar": "RAR", ".7z": "7Z", ".jpg": "图片", ".jpeg": "图片", ".png": "图片", ".gif": "图片",
          ".txt": "文本", ".ppt": "PowerPoint", ".pptx": "PowerPoint", ".dps": "WPS 演示", ".rtf": "RTF",
          ".odt": "ODF 文档", ".ods": "ODF 表格", ".odp": "ODF 演示", ".mp4": "视频", ".mp3": "音频"}


@dataclass
class Content:
    items: list[Item] = field(default_factory=list)
    pages: list[Page] = field(default_factory=list)
    invalid: dict[str, int] = field(default_factory=dict)   # file -> first error line
    problems: Problems = field(default_factory=Problems)
    reloaded: int = 0                                       # files read and parsed (not from the cache)


SAVE_CHUNK = 500         # entries per pickle of the on-disk LoadCache


class LoadCache:
    """Parsed files by path, reused while the file (and its attachments) stay unchanged.

    The preview server keeps one across rebuilds, so an edit re-reads one file,
    not ten thousand. A cache belongs to one Config: drop it when site.toml changes.
    """

    def __init__(self, key: str = ""):
        self.key = key                         # what every entry depends on beyond its file
        self.entries: dict[str, tuple] = {}   # rel -> (signature, record, problems)

    # Command-line builds keep the cache on disk between runs (reuse.py's folder): a build
    # after a one-file edit parses one file. The key covers the generator's code and
    # site.toml; each entry's signature covers its file, its folder and its git dates.

    @classmethod
    def open(cls, config: Config) -> "LoadCache":
        key = hashlib.sha1(repr((CODE_VERSION, (config.root / "site.toml").read_bytes(),
                                 str(config.content_dir.resolve()), "detached")).encode()).hexdigest()
        cache = cls(key)
        cache.path = cache_dir(config.content_dir) / "content.pickle"
        try:
            with open(cache.path, "rb") as stream:
                stored_key, chunks = pickle.load(stream)
                if stored_key == key:
                    entries = {}
                    for _ in range(chunks):
                        entries.update(pickle.load(stream))
                    cache.entries = entries
        except Exception:   # missing, truncated or from another version: start afresh
            pass
        return cache

    def save(self) -> None:
        path = getattr(self, "path", None)
        if path is None or not getattr(self, "dirty", True):
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_suffix(f".{os.getpid()}.tmp")
            # in chunks: one pickle of every entry keeps a memo of every object it wrote (at
            # 100,000 items, hundreds of MB while the render workers run)
            entries = list(self.entries.items())
            chunks = [dict(entries[i:i + SAVE_CHUNK]) for i in range(0, len(entries), SAVE_CHUNK)]
            with open(temp, "wb") as stream:
                pickle.dump((self.key, len(chunks)), stream, protocol=pickle.HIGHEST_PROTOCOL)
                for chunk in chunks:
                    pickle.dump(chunk, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, path)
        except OSError:
            pass



def load_content(config: Config, dates: Optional[FileDates] = None, cache: Optional[LoadCache] = None,
                 changed: Optional[set[str]] = None, workers: int = 1, detach_bodies: bool = False) -> Content:
    """Every file of content/. `dates` (git history) is read here unless given.

    `changed` (the preview's watcher): absolute paths known to be the only ones
    modified since the cache's last walk — when they are all existing .md files the
    cache already knows, the folder walk is skipped and only they are looked at.
    Files are parsed in `workers` processes when there are many (each is a pure
    function of its text, its folder and its git dates). `detach_bodies`: items keep
    only a hash of their body, which read_body reads again when the page is rendered."""
    content = Content()
    base = config.content_dir
    if not base.is_dir():
        content.problems.error("content", 0, "", "找不到 content 文件夹。", "请在站点根目录下建立 content/，每个科室一个子文件夹。")
        return content
    if not real_folder(base).startswith(real_folder(config.root)):
        content.problems.error("content", 0, "", "content 文件夹是指向站点之外的链接，不能发布。", HINT)
        return content
    dates = dates if dates is not None else read_dates(config.root, config.tz)
    prefix = base.relative_to(config.root).as_posix() + "/"
    seen = set()
    quick = _quick_listing(base, cache, changed)
    # when the watcher named every file that changed, the others are as they were: not read again
    listing, named = quick if quick is not None else (list(_markdown_files(str(base))), None)
    if cache is not None:
        if quick is None:
            cache.positions = {inner: i for i, (inner, _) in enumerate(listing)}
        cache.listing = listing
    files = []                         # (rel, signature or its part after the digest, cached entry or None)
    for inner, signature in listing:
        rel = prefix + inner
        seen.add(rel)
        rest = signature[2:] + (dates.last.get(rel), dates.first.get(rel))   # Items carry their git dates
        cached = cache.entries.get(rel) if cache is not None else None
        if cached is not None:
            if named is not None and inner not in named and cached[0][1:] == rest:
                signature = cached[0]       # the watcher saw no change to it: its bytes are not read again
            else:
                # the file's bytes, not its time and size: `cp -p` and `rsync -a` restore both after an edit
                signature = (_file_digest(os.path.join(base, inner)),) + rest
            if cached[0] != signature:
                cached = None
        files.append((rel, rest, cached))
    todo = [rel for rel, _, cached in files if cached is None]
    # a file parsed now is hashed from the bytes its loader read (not read twice)
    shared: dict = {}
    parsed = dict(zip(todo, parallel_map(
        todo, lambda rel: _load_file(config, dates, rel, len(prefix), detach_bodies, base, shared), workers)))
    for rel, rest, cached in files:
        if cached is not None:
            record, problems = cached[1], cached[2]
        else:
            content.reloaded += 1
            record, problems, digest = parsed[rel]
            if cache is not None:
                cache.entries[rel] = ((digest,) + rest, record, problems)
        if record is not None:
            (content.pages if isinstance(record, Page) else content.items).append(record)
        if problems.errors:
            content.invalid[rel] = min(p.line for p in problems.errors)
        content.problems.extend(problems)
    if cache is not None:
        for gone in set(cache.entries) - seen:
            del cache.entries[gone]
            cache.dirty = True
        cache.dirty = getattr(cache, "dirty", False) or content.reloaded > 0
    _check_unique(content)
    return content


# Values that many records hold alike (each comes from its own parse): one object for each, shared
# by the records a process parses, and so pickled once per chunk of them (the worker processes send
# fewer bytes). At 10,000 items that is a fifth of the records' memory, and less for the render
# workers to copy when they touch the records they inherit. Records are frozen; `lines` never changes.
_SHARED = {Item: ("section", "category", "status", "review", "audience", "period", "channels", "publisher",
                  "department", "reviewer", "pub_date", "expiry_date", "doc_date", "formed_date", "proposed_date",
                  "updated", "keywords", "lines"),
           Page: ("status", "updated", "lines")}


def _share(record, shared: dict) -> None:
    for name in _SHARED[type(record)]:
        value = getattr(record, name)
        if value is None:
            continue
        if name == "lines":
            key = (dict, tuple(value.items()))
        elif isinstance(value, datetime):    # equal instants in other zones, or another fold, are not the same
            key = (datetime, value.replace(tzinfo=None), value.fold, value.tzinfo)
        else:
            key = (type(value), value)
        known = shared.setdefault(key, value)
        if known is not value:
            object.__setattr__(record, name, known)


def reload_files(config: Config, dates: FileDates, cache: LoadCache, changed: set[str]) -> Optional[list]:
    """The preview's look at just the files its watcher named, when they are all .md files the last walk
    found: [(rel, entry before, entry now)], an entry being the LoadCache's (signature, record, problems);
    a file whose bytes changed is parsed again and its entry replaced, as load_content would. None when
    a walk is needed (a new, deleted or other file): then load_content does everything."""
    base = config.content_dir
    quick = _quick_listing(base, cache, changed)
    if quick is None:
        return None
    listing, named = quick
    cache.listing = listing
    prefix = base.relative_to(config.root).as_posix() + "/"
    found = []
    for inner in sorted(named):
        rel = prefix + inner
        rest = listing[cache.positions[inner]][1][2:] + (dates.last.get(rel), dates.first.get(rel))
        before = cache.entries.get(rel)
        if before is not None and before[0] == (_file_digest(os.path.join(base, inner)),) + rest:
            found.append((rel, before, before))
            continue
        record, problems, digest = _load_file(config, dates, rel, len(prefix), False, base)
        cache.entries[rel] = now = ((digest,) + rest, record, problems)
        cache.dirty = True
        found.append((rel, before, now))
    return found


def _load_file(config: Config, dates: FileDates, rel: str, prefix_length: int, detach: bool = False,
               content_dir: Optional[Path] = None, shared: Optional[dict] = None) -> tuple:
    """(record or None, problems, the file's digest for the LoadCache) of one file of content/.
    `shared`: values of the records parsed before, to hold alike values as one object (_share)."""
    problems = Problems()
    inner = rel[prefix_length:]
    parts = tuple(inner.split("/"))
    content_dir = content_dir or config.content_dir
    path = content_dir / inner
    refused = escape(path, real_folder(content_dir), walked=True)
    if refused is not None:
        problems.error(rel, 1, "", ("文件夹" if refused == "folder" else "文件") + REASONS[refused] + "。", HINT)
        return None, problems, _file_digest(str(path))
    data = read_bytes(path)
    if parts[0] == PAGES_FOLDER and len(parts) > 1:
        record = _load_page(config, path, data, rel, problems, dates, content_dir)
    else:
        record = _load_item(config, path, data, rel, parts, problems, dates, content_dir)
    if record is not None:
        body = record.body.encode("utf-8")
        body_hash = hashlib.sha1(body).hexdigest()
        record = with_digest(record, body_hash)
        if detach and isinstance(record, Item):       # in place, like with_digest: the record is not shared yet
            object.__setattr__(record, "body_hash", body_hash)
            object.__setattr__(record, "body", "")
            if b"\r" not in data and data.endswith(body):     # the body is the file's last bytes, as they are
                object.__setattr__(record, "body_at", len(data) - len(body))
        if shared is not None:
            _share(record, shared)
    return record, problems, hashlib.blake2b(data, digest_size=16).digest()


def _file_digest(path: str) -> Optional[bytes]:
    """A content file's identity for the LoadCache (blake2b: 10,000 files in well under 0.1 s; the
    loader hashes the bytes it read the same way)."""
    try:
        return hashlib.blake2b(read_bytes(path), digest_size=16).digest()
    except OSError:
        return None            # a link to a folder or to nothing: _load_file names it


def _body_hash(body: str) -> str:
    return hashlib.sha1(body.encode("utf-8")).hexdigest()


def read_body(config: Config, item: Item) -> str:
    """An item's Markdown body: kept in memory, or read again from its file (detached)."""
    if not item.body_hash:
        return item.body
    try:
        data = read_bytes(os.path.join(config.root, item.file))
        if item.body_at >= 0:
            tail = data[item.body_at:]
            if hashlib.sha1(tail).hexdigest() == item.body_hash:
                return tail.decode("utf-8")
        body = split(_decode(data))[1]
    except (OSError, UnicodeDecodeError, ValueError):
        body = None
    if body is None or _body_hash(body) != item.body_hash:
        raise BuildAborted([Problem(item.file, 1, "", "文件在构建过程中被修改或删除，本次构建已放弃，输出文件夹保持原样。",
                                   "请在编辑完成后重新构建。")])
    return body


def _quick_listing(base: Path, cache: Optional[LoadCache], changed: Optional[set[str]]) -> Optional[tuple]:
    """(the last walk's listing with fresh signatures for `changed`, the changed files' paths inside
    content/), if that is all that changed; else None (walk)."""
    listing = getattr(cache, "listing", None) if cache is not None else None
    if listing is None or changed is None:
        return None
    root = str(base.resolve()) + os.sep
    positions = cache.positions
    fresh, named = None, set()
    for path in changed:
        if not path.startswith(root) or not path.endswith(".md"):
            return None
        inner = path[len(root):].replace(os.sep, "/")
        at = positions.get(inner)
        if at is None:
            return None                      # a new file: walk
        try:
            stat = os.stat(path)
        except OSError:
            return None                      # deleted: walk
        fresh = fresh or list(listing)
        fresh[at] = (inner, (stat.st_mtime_ns, stat.st_size, listing[at][1][2]))
        named.add(inner)
    return fresh or listing, named


def _markdown_files(base: str, inner: str = ""):
    """(path inside content/, signature) of every .md file, sorted; hidden files and folders skipped.

    The signature (mtime, size, and the folder's mtime, which moves when an
    attachment beside the file is added or removed) tells the LoadCache whether
    to read the file again. One scandir per folder keeps 10,000 files cheap.
    """
    folder = os.path.join(base, inner) if inner else base
    folder_mtime = os.stat(folder).st_mtime_ns
    with os.scandir(folder) as entries:
        listing = sorted(entries, key=lambda e: e.name)
    for entry in listing:
        if entry.name.startswith("."):
            continue
        name = f"{inner}/{entry.name}" if inner else entry.name
        if entry.is_dir(follow_symlinks=False):
            yield from _markdown_files(base, name)
        elif entry.is_symlink() and (entry.name.endswith(".md") or entry.is_dir()):
            # never followed here; _load_file names it (a link out of the site, a folder, a dangling one)
            stat = entry.stat(follow_symlinks=False)
            yield name, (stat.st_mtime_ns, stat.st_size, folder_mtime)
        elif entry.name.endswith(".md") and entry.is_file():
            stat = entry.stat()
            yield name, (stat.st_mtime_ns, stat.st_size, folder_mtime)


def read_bytes(path) -> bytes:
    """A file's bytes in four system calls (Path.read_bytes makes eight): read 20,000 times a build."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _decode(data: bytes) -> str:
    """A content file's text as the loader reads it (UTF-8, without BOM, \n line ends)."""
    return data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")


def _text(data: bytes, rel: str, problems: Problems) -> Optional[str]:
    try:
        return _decode(data)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.error(rel, line, "", "文件不是 UTF-8 编码（可能是 GBK 或 GB2312）。",
                       "请在编辑器中选择“另存为 UTF-8”后再提交。")
        return None


def _front_matter(text: str, rel: str, problems: Problems):
    try:
        return parse(text)
    except FrontMatterError as exc:
        problems.error(rel, exc.line, exc.field, exc.message, exc.hint)
        return None


def _schema(model, parsed, rel: str, config: Config, problems: Problems):
    try:
        return model.model_validate(parsed.data, context={"tz": config.tz})
    except ValidationError as exc:
        for err in exc.errors():
            loc = err["loc"]
            name = str(loc[0]) if loc else ""
            line = parsed.lines.get(tuple(loc[:2]) if len(loc) > 1 else name) or parsed.lines.get(name, 1)
            message, hint = describe_schema_error(err)
            if err.get("type") == "missing":
                hint = f"请在 front matter 中加上 {name}:（{FIELD_LABELS.get(name, name)}）。"
            problems.error(rel, line, name, message, hint)
        return None


def _unknown_fields(model, parsed, rel: str, problems: Problems) -> None:
    for name in sorted(set(parsed.data) - set(model.model_fields), key=str):
        guess = did_you_mean(str(name), model.model_fields)
        problems.warn(rel, parsed.lines.get(name, 1), str(name), "未知字段，已忽略。",
                      f"{guess}请改正拼写，否则这一项不起作用（字段说明见《编辑手册》“字段一览”）。" if guess
                      else "请检查拼写（字段说明见《编辑手册》“字段一览”）。")


def _load_item(config: Config, path: Path, data: bytes, rel: str, parts: tuple, problems: Problems,
               dates: FileDates, content_dir: Path) -> Optional[Item]:
    text = _text(data, rel, problems)
    if text is None:
        return None
    section = config.sections.get(parts[0]) if len(parts) > 1 else None
    if section is None:
        folders = "、".join(config.sections) or "（未声明）"
        problems.error(rel, 1, "", "条目不在任何科室文件夹中。",
                       f"请把文件放到 content/<科室文件夹>/ 下（已声明：{folders}），或在 site.toml 的 [[sections]] 中声明该文件夹。")
    parsed = _front_matter(text, rel, problems)
    if parsed is None:
        return None
    fm = _schema(FrontMatter, parsed, rel, config, problems)
    _unknown_fields(FrontMatter, parsed, rel, problems)
    if fm is None or section is None:
        _check_the_rest(path, rel, parsed, problems, config, content_dir)
        return None
    line = parsed.lines.get

    code = _resolve_category(config, fm.category, rel, line("category", 1), problems)
    attachments = _attachments(path, fm.attachments, rel, parsed.lines, problems, content_dir)
    hits = privacy.scan_record(text, fm, parsed.lines, path.name)   # the text, the shown fields, the file name
    if fm.status == "approved" and fm.pub_date is None:
        problems.error(rel, line("status", 1), "pub_date", "已审核（approved）的条目缺少发布日期。",
                       "请加上 pub_date: 2026-06-01（发布前不会公开）。")
    if fm.index_no and not fm.index_no.startswith(config.site.org_code + "/"):
        problems.warn(rel, line("index_no", 1), "index_no",
                      f"索引号前缀与本单位机构代码 {config.site.org_code} 不一致。", "请核对索引号。")
    if fm.pub_date and fm.expiry_date and fm.expiry_date <= fm.pub_date:
        problems.warn(rel, line("expiry_date", 1), "expiry_date", "失效日期早于或等于发布日期，该条目不会公开。", "")
    if code is None:
        return None
    category = config.categories[code]
    audience = fm.audience or category.audience
    channels = tuple(fm.channels) if fm.channels is not None else CHANNELS_FOR[audience]
    if audience == "internal" and set(channels) - {"intranet"}:
        problems.warn(rel, line("channels", 1), "channels", "内部（internal）条目只会在局域网公开，其他载体已忽略。", "")
    slug = fm.slug or (fm.index_no.split("/", 1)[1] if fm.index_no else _file_slug(path))
    aliases = _aliases(fm.aliases, rel, parsed.lines, problems)
    images = _body_images(path, parsed.body, parsed.body_line, attachments, rel, problems, content_dir)
    if problems.errors:
        return None
    return Item(
        file=rel, section=section.folder, title=fm.title, category=code, status=fm.status,
        review=fm.review, audience=audience, period=fm.period or category.period, channels=channels,
        publisher=fm.publisher or section.publisher, department=section.department, slug=slug,
        body=parsed.body, index_no=fm.index_no, reviewer=fm.reviewer, pub_date=fm.pub_date,
        expiry_date=fm.expiry_date, abolished=fm.abolished, doc_date=fm.doc_date,
        formed_date=fm.formed_date or fm.doc_date or (fm.pub_date.astimezone(config.tz).date() if fm.pub_date else None),
        proposed_date=fm.proposed_date or dates.first_or_mtime(rel, path, config.tz), doc_no=fm.doc_no,
        summary=fm.summary, keywords=tuple(fm.keywords),
        updated=fm.updated or dates.last_or_mtime(rel, path, config.tz), attachments=attachments,
        privacy_hits=hits, decision_count=fm.decision_count, fee_amount=fm.fee_amount,
        aliases=aliases, body_images=images, index_refs=index_links(parsed.body),
        lines=dict(parsed.lines) | {"_body": parsed.body_line},
    )


def _check_the_rest(path: Path, rel: str, parsed, problems: Problems, config: Config, content_dir: Path) -> None:
    """After a wrong field, the checks of the fields that are right, so that an editor sees every
    problem of the file in one run rather than one round at a time."""
    wrong = {p.field for p in problems.errors if p.file == rel}
    data, line = parsed.data, parsed.lines.get
    category = data.get("category")
    if "category" not in wrong and isinstance(category, (str, int)) and not isinstance(category, bool):
        _resolve_category(config, str(category), rel, line("category", 1), problems)
    names = data.get("attachments")
    if "attachments" not in wrong and isinstance(names, list) and all(isinstance(n, str) for n in names):
        _attachments(path, names, rel, parsed.lines, problems, content_dir)
    if data.get("status") == "approved" and data.get("pub_date") is None and "pub_date" not in wrong:
        problems.error(rel, line("status", 1), "pub_date", "已审核（approved）的条目缺少发布日期。",
                       "请加上 pub_date: 2026-06-01（发布前不会公开）。")


def _load_page(config: Config, path: Path, data: bytes, rel: str, problems: Problems, dates: FileDates,
               content_dir: Path) -> Optional[Page]:
    text = _text(data, rel, problems)
    parsed = _front_matter(text, rel, problems) if text is not None else None
    if parsed is None:
        return None
    fm = _schema(PageMatter, parsed, rel, config, problems)
    _unknown_fields(PageMatter, parsed, rel, problems)
    if fm is None:
        return None
    attachments = _attachments(path, fm.attachments, rel, parsed.lines, problems, content_dir)
    aliases = _aliases(fm.aliases, rel, parsed.lines, problems)
    images = _body_images(path, parsed.body, parsed.body_line, attachments, rel, problems, content_dir)
    if problems.errors:
        return None
    return Page(file=rel, title=fm.title, slug=fm.slug or _file_slug(path), body=parsed.body,
                summary=fm.summary, status=fm.status, order=fm.order,
                updated=fm.updated or dates.last_or_mtime(rel, path, config.tz),
                attachments=attachments, privacy_hits=privacy.scan_record(text, fm, parsed.lines, path.name),
                aliases=aliases, body_images=images, index_refs=index_links(parsed.body),
                lines=dict(parsed.lines) | {"_body": parsed.body_line})


def _resolve_category(config: Config, given: str, rel: str, line: int, problems: Problems) -> Optional[str]:
    code = given if given in config.categories else config.by_name.get(given)
    if code is None:
        near = suggest_category(config, given)
        problems.error(rel, line, "category", f"未知的目录分类“{given}”。",
                       f"是不是“{near}”？" if near else "请填写 site.toml 中叶子分类的代码或名称。")
        return None
    category = config.categories[code]
    if not category.is_leaf:
        leaves = "、".join(f"{c} {config.categories[c].name}" for c in category.children[:4])
        problems.error(rel, line, "category", f"“{category.code} {category.name}”是上级分类，条目只能归入最末一级分类。",
                       f"请从其下级中选择，例如 {leaves}。")
        return None
    return code


def _attachments(path: Path, names: list[str], rel: str, lines: dict, problems: Problems,
                 content_dir: Path) -> tuple[Attachment, ...]:
    found = []
    folder = path.parent
    inside = real_folder(content_dir)
    for i, name in enumerate(names):
        line = lines.get(("attachments", i), lines.get("attachments", 1))
        pure = PurePosixPath(name)
        target = folder / name
        if pure.is_absolute() or ".." in pure.parts or not target.is_file():
            refused = None if pure.is_absolute() or ".." in pure.parts else escape(target, inside)
            problems.error(rel, line, "attachments", f"附件“{name}”{REASONS[refused]}。" if refused else
                           f"找不到附件“{name}”。", HINT if refused else
                           "附件应放在条目文件旁边（或其子文件夹），路径相对于条目文件。")
            continue
        refused = escape(target, inside)
        if refused is not None:
            problems.error(rel, line, "attachments", f"附件“{name}”{REASONS[refused]}。", HINT)
            continue
        # a document, never a page or a script: an attachment shares its folder with the item's index.html,
        # and through a link could publish another item's source; the real file's type must qualify too
        kinds = {pure.suffix.lower(), Path(os.path.realpath(target)).suffix.lower()}
        if not kinds <= set(_KINDS) or pure.name.startswith("."):
            problems.error(rel, line, "attachments", f"附件“{name}”不是可公开的文件类型。",
                           "附件只能是文档、表格、图片或压缩包（" + "、".join(sorted(k.lstrip(".") for k in _KINDS)) +
                           "）；网页、脚本和 Markdown 文件不能作为附件。")
            continue
        found.append(Attachment(name=pure.as_posix(), size=target.stat().st_size,
                                kind=_KINDS[pure.suffix.lower()]))
    return tuple(found)


def _aliases(given: list[str], rel: str, lines: dict, problems: Problems) -> tuple[str, ...]:
    """Old addresses of the record (links.py writes a redirect page at each): site paths."""
    found = []
    for i, text in enumerate(given):
        alias = normalise_alias(text)
        if alias is None:
            problems.error(rel, lines.get(("aliases", i), lines.get("aliases", 1)), "aliases",
                           f"旧网址“{text}”不是本站的网址路径。",
                           "请写站内路径，以 / 开头，如 /0204/2026-00001/（不要写 https:// 和域名，只用字母、数字、"
                           "- _ .；见《编辑手册》“链接与网址的变更”）。")
        elif alias not in found:
            found.append(alias)
    return tuple(found)


def _body_images(path: Path, body: str, body_line: int, attachments, rel: str, problems: Problems,
                 content_dir: Path) -> tuple[Attachment, ...]:
    """Images the body shows from beside the file (`![说明](plan.png)`), not listed as attachments:
    copied like attachments (links.py finds them); a missing one is an error at the body's line."""
    if "![" not in body:
        return ()
    listed = {a.name for a in attachments}
    found: dict[str, Attachment] = {}
    inside = real_folder(content_dir)
    for number, destination, image in body_links(body):
        name = local_file(destination) if image else None
        if name is None or name in listed or name in found:
            continue
        line = body_line + number
        pure = PurePosixPath(name)
        target = path.parent / name
        if pure.is_absolute() or ".." in pure.parts or pure.name.startswith("."):
            continue             # not beside the file: a link into the output, checked by `check` (links.py)
        if not target.is_file():
            problems.error(rel, line, "body", f"找不到正文中的图片“{name}”。",
                           "图片应放在条目文件旁边（或其子文件夹），路径相对于条目文件；请核对文件名（含大小写）。")
            continue
        refused = escape(target, inside)
        kinds = {pure.suffix.lower(), Path(os.path.realpath(target)).suffix.lower()}
        if refused is not None or any(_KINDS.get(k) != "图片" for k in kinds):
            problems.error(rel, line, "body", f"正文中的图片“{name}”" +
                           (f"{REASONS[refused]}。" if refused else "不是图片文件（jpg、jpeg、png、gif）。"),
                           HINT if refused else "正文中只能显示图片；其他文件请列入 attachments。")
            continue
        found[name] = Attachment(name=pure.as_posix(), size=target.stat().st_size, kind="图片")
    return tuple(found.values())


def _file_slug(path: Path) -> str:
    stem = path.stem
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", stem):
        stem = pinyin_slug(stem, "-", "page")
    return stem.lower()


def _check_unique(content: Content) -> None:
    """索引号 is unique and never reused; two published pages cannot share a URL."""
    seen: dict[str, Item] = {}
    for item in content.items:
        if not item.index_no:
            continue
        other = seen.get(item.index_no)
        if other is None:
            seen[item.index_no] = item
            continue
        for a, b in ((other, item), (item, other)):
            content.problems.error(a.file, a.line("index_no"), "index_no",
                                   f"索引号 {item.index_no} 重复，{b.file}:{b.line('index_no')} 也使用了它。",
                                   "索引号不得重复使用，请为新条目另取下一个空号。")
            content.invalid.setdefault(a.file, a.line("index_no"))
    urls: dict[tuple[str, str], Item] = {}
    for item in content.items:
        key = (item.category, item.slug)
        other = urls.get(key)
        if other is None:
            urls[key] = item
        elif item.file not in content.invalid and other.file not in content.invalid:
            for a, b in ((other, item), (item, other)):
                content.problems.error(a.file, a.line("slug"), "slug",
                                       f"网址与 {b.file} 相同（同一分类下 slug“{item.slug}”重复）。",
                                       "请修改其中一个条目的 slug 或索引号。")
                content.invalid.setdefault(a.file, a.line("slug"))
    pages: dict[str, Page] = {}
    for page in content.pages:
        other = pages.setdefault(page.slug, page)
        if other is not page:
            content.problems.error(page.file, page.lines.get("slug", 1), "slug",
                                   f"固定页面网址与 {other.file} 相同。", "请设置不同的 slug。")
            content.invalid.setdefault(page.file, 1)
