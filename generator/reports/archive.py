"""归档: pack the items that left the catalogue for the records office (档案室).

`python build.py archive --until DATE --out FILE.zip` takes every item that, at DATE
(00:00 in the site's time zone when no time is given, as `--now`), is held back because
it is expired (失效), abolished (废止) or withdrawn (撤回), and writes one zip:

    index.csv                               UTF-8 with BOM (Excel opens it), one row per item
    <reason>/<section>/<file stem>/<file>.md          the source as written
    <reason>/<section>/<file stem>/metadata.json      the resolved metadata
    <reason>/<section>/<file stem>/<attachment>       its attachments

The zip is deterministic: entries sorted, every timestamp fixed to DATE (not before
1980, the format's first year), fixed permissions; the same content and DATE give the
same bytes. It is written beside --out and moved into place, so a failure leaves no
half-written file.
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from ..config import Config
from ..content import Content
from ..model import Item
from ..visibility import decide

REASONS = {"expired": "已失效", "abolished": "已废止", "withdrawn": "已撤回"}
FOLDERS = {"expired": "shixiao", "abolished": "feizhi", "withdrawn": "chehui"}
COLUMNS = ("索引号", "名称", "归档原因", "目录分类", "科室", "发布机构", "文号", "成文日期", "发布日期",
           "失效日期", "公开范围", "公开时限", "状态", "源文件", "附件", "归档路径")


@dataclass(frozen=True)
class Entry:
    item: Item
    reason: str          # expired | abolished | withdrawn
    folder: str          # inside the zip, with a trailing slash


def select(content: Content, until: datetime) -> list[Entry]:
    """Items held back at `until` as expired, abolished or withdrawn; by file."""
    found = []
    for item in sorted(content.items, key=lambda i: i.file):
        if item.file in content.invalid:
            continue
        reason = decide(item, until, "intranet").reason     # the intranet admits every audience
        if reason in REASONS:
            stem = PurePosixPath(item.file).stem
            found.append(Entry(item, reason, f"{FOLDERS[reason]}/{item.section}/{stem}/"))
    return found


def _day(value, config: Config) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(config.tz).date().isoformat()
    return value.isoformat()


def metadata(item: Item, config: Config, reason: str) -> dict:
    category = config.categories[item.category]
    return {
        "file": item.file, "index_no": item.index_no, "title": item.title, "archive_reason": reason,
        "category": item.category, "category_name": category.name,
        "category_path": " > ".join(c.name for c in config.lineage(item.category)),
        "department": item.department, "publisher": item.publisher, "status": item.status,
        "reviewer": item.reviewer, "review": item.review, "doc_no": item.doc_no,
        "doc_date": _day(item.doc_date, config) or None, "formed_date": _day(item.formed_date, config) or None,
        "pub_date": item.pub_date.astimezone(config.tz).isoformat() if item.pub_date else None,
        "expiry_date": item.expiry_date.astimezone(config.tz).isoformat() if item.expiry_date else None,
        "abolished": item.abolished, "audience": item.audience, "period": item.period,
        "channels": list(item.channels), "summary": item.summary, "keywords": list(item.keywords),
        "updated": _day(item.updated, config) or None,
        "attachments": [{"name": a.name, "kind": a.kind, "size": a.size} for a in item.attachments],
    }


def index_csv(entries: list[Entry], config: Config) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for e in entries:
        i = e.item
        writer.writerow([
            i.index_no or "", i.title, REASONS[e.reason], f"{i.category} {config.categories[i.category].name}",
            i.department, i.publisher, i.doc_no or "", _day(i.doc_date, config), _day(i.pub_date, config),
            _day(i.expiry_date, config), "内部公开" if i.audience == "internal" else "主动公开",
            "长期公开" if i.period == "long_term" else "及时公开", i.status, i.file,
            "；".join(a.name for a in i.attachments), e.folder,
        ])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def files_of(entries: list[Entry], config: Config) -> dict[str, bytes]:
    """Every entry of the zip: name -> bytes."""
    files = {"index.csv": index_csv(entries, config)}
    for e in entries:
        source = config.root / e.item.file
        files[e.folder + source.name] = source.read_bytes()
        files[e.folder + "metadata.json"] = (json.dumps(metadata(e.item, config, e.reason), ensure_ascii=False,
                                                        indent=1) + "\n").encode("utf-8")
        for a in e.item.attachments:
            files[e.folder + a.name] = (source.parent / a.name).read_bytes()
    return files


def write_zip(files: dict[str, bytes], out: Path, stamp: datetime) -> None:
    """Sorted entries, fixed times and permissions; written beside `out`, then moved into place."""
    date_time = (stamp.year, stamp.month, stamp.day, 0, 0, 0) if stamp.year >= 1980 else (1980, 1, 1, 0, 0, 0)
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".archive-", suffix=".zip", dir=out.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(files):
                info = zipfile.ZipInfo(name, date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                zf.writestr(info, files[name], compresslevel=9)
        os.replace(temp, out)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def archive(config: Config, content: Content, until: datetime, out: Path) -> list[Entry]:
    entries = select(content, until)
    write_zip(files_of(entries, config), out, until.astimezone(config.tz))
    return entries


def summary(entries: list[Entry], out: Path) -> str:
    counts = {reason: sum(1 for e in entries if e.reason == reason) for reason in REASONS}
    parts = "，".join(f"{REASONS[r]} {n}" for r, n in counts.items())
    return f"已归档 {len(entries)} 个条目（{parts}）：{out}"
