"""The build, phase by phase (Zola's `Site::build`, MkDocs' `build()`):

    site.toml -> Config -> Items -> Visibility -> Catalogue -> pages -> publish

`build.py` and the CLI only call `build_site`; each phase lives in its own module.
"""
from __future__ import annotations

import hashlib
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from .catalogue import build_catalogue, item_url, page_url
from .config import Config, load_config
from .content import Content, LoadCache, load_content
from .errors import Problems
from .model import Item
from .privacy import FILE_NAME
from .publish import discard_staging, new_staging, one_build_at_a_time, prepare_destination, publish
from .reuse import OutputStore
from .targets import for_plan
from .urls import check_claims
from . import links
from .output import Output
from .progress import Progress      # phase messages, bars and phase lines (progress.py); the CLI makes one
from .render import Renderer
from .visibility import Visibility, decide, next_change


@dataclass
class Plan:
    """What a target holds at a moment: every item with its decision."""

    config: Config
    content: Content
    target: str
    now: datetime
    decisions: dict[str, Visibility] = field(default_factory=dict)   # file -> decision
    problems: Problems = field(default_factory=Problems)
    next_change: Optional[datetime] = None
    workers: int = 1             # processes a finisher may use (--jobs)
    reuse: bool = False          # may a finisher take unchanged work from the previous output (not with --no-cache)
    search_index: bool = True    # the searchable targets' index (not with --no-search-index: made by `search-index`)
    redirects: dict = field(default_factory=dict)   # old url -> (new url, title, from an alias): links.py

    @property
    def published(self) -> list[Item]:
        # an invalid item (a duplicate 索引号 under --keep-going) has no decision and is not published
        return [i for i in self.content.items if (d := self.decisions.get(i.file)) is not None and d.published]

    @property
    def pages(self):
        return [p for p in self.content.pages if p.status in (None, "approved") and p.file not in self.content.invalid]


@dataclass
class BuildResult:
    plan: Plan
    output: Optional[Output]
    written: bool
    rendered: int = 0

    @property
    def ok(self) -> bool:
        return not self.plan.problems.errors


def plan_target(config: Config, content: Content, target: str, now: datetime, with_next_change: bool = True) -> Plan:
    """Decide every item for `target` at `now`; privacy hits of would-be-published items are errors."""
    plan = Plan(config, content, target, now)
    plan.problems.extend(content.problems)
    _no_updates_from_the_future(content, now.astimezone(config.tz).date())
    valid = [i for i in content.items if i.file not in content.invalid]
    for item in content.items:
        if item.file in content.invalid:
            continue
        decision = decide(item, now, target)
        plan.decisions[item.file] = decision
        if decision.reason == "privacy":
            privacy_errors(plan.problems, item)
    for page in plan.pages:
        privacy_errors(plan.problems, page)
    check_claims(config, plan.pages, valid, plan.problems)
    links.check_aliases(config, plan.pages, valid, plan.problems)
    links.plan_links(plan)           # old addresses: redirects, or a warning saying why they are gone
    plan.next_change = next_change(valid, now, target) if with_next_change else None
    return plan


def _no_updates_from_the_future(content: Content, today) -> None:
    """更新日期 is at most the build's day: a fresh checkout dates untracked files "today", and a
    build with an earlier --now must not show a change it cannot have seen yet."""
    for records in (content.items, content.pages):
        for i, record in enumerate(records):
            if record.updated and record.updated > today:
                # the digest stands for the body too, which a detached record no longer holds
                clamped = replace(record, updated=today)
                object.__setattr__(clamped, "digest", hashlib.sha1(f"{record.digest}:{today}".encode()).hexdigest())
                records[i] = clamped


def privacy_errors(problems: Problems, record) -> None:
    """One error per privacy hit of an item or page that would be published."""
    lines = record.lines
    for hit in record.privacy_hits:
        field_name = "body"
        if hit.kind.endswith(FILE_NAME):           # the file's name, which the URL may be made of
            field_name = "文件名"
        elif hit.line < lines.get("_body", 1 << 30):
            keys = [(line, key) for key, line in lines.items() if isinstance(key, str) and line <= hit.line]
            field_name = max(keys)[1] if keys else ""
        problems.error(record.file, hit.line, field_name, f"发现未打码的{hit.kind} {hit.masked}，不能公开（个人隐私）。",
                       "请打码或删除；如确为公开的服务号码，请写入 privacy_allow 并在注释中说明理由。")


def build_site(root: Path, target: str, now: datetime, out_dir: Optional[Path] = None,
               keep_going: bool = False, write: bool = True, progress: Optional[Progress] = None,
               workers: int = 1, reuse: bool = False,
               before_swap: Optional[Callable[[Plan], None]] = None, search_index: bool = True) -> BuildResult:
    """Load, decide, render and (unless errors) publish one target. BuildAborted (and ConfigError) escape.

    `workers` > 1 renders in that many processes; `reuse` takes unchanged pages
    from the previous output (see reuse.py). Neither changes a byte of the output.
    `search_index=False` leaves the search index out (search/command_line.py makes it later).
    `before_swap(plan)` runs just before the new output replaces the previous one (the
    CLI writes the build report there): if it fails, the output is left as it was."""
    progress = progress or Progress(enabled=False)
    config = load_config(root)
    turn = nullcontext()
    if write and out_dir is not None:
        out_dir = prepare_destination(out_dir, root, config.theme_dir)   # the real path; stale staging removed
        turn = one_build_at_a_time(out_dir, say=lambda text: progress.line(text) if progress.enabled else None)
    with turn:
        return _build(config, target, now, out_dir, keep_going, write, progress, workers, reuse, before_swap,
                      search_index)


def _build(config: Config, target: str, now: datetime, out_dir: Optional[Path], keep_going: bool, write: bool,
           progress: Progress, workers: int, reuse: bool, before_swap: Optional[Callable[[Plan], None]],
           search_index: bool) -> BuildResult:
    load_cache = LoadCache.open(config) if reuse else None
    with progress.task("读取", unit="个文件"):        # parallel_map reports the files parsed
        content = load_content(config, cache=load_cache, workers=workers, detach_bodies=True)
    progress(f"已读取 {len(content.items)} 个条目、{len(content.pages)} 个固定页面")
    plan = plan_target(config, content, target, now)
    plan.workers, plan.reuse, plan.search_index = workers, reuse, search_index
    if plan.problems.errors and not keep_going:
        if load_cache is not None:
            load_cache.save()
        return BuildResult(plan, None, False)
    catalogue = build_catalogue(config, target, plan.published, plan.pages)
    store = OutputStore(out_dir) if reuse and write and out_dir is not None else None
    # pages go straight into the staging folder as they are rendered; any failure removes it
    staging = new_staging(out_dir) if write and out_dir is not None else None
    try:
        own = for_plan(plan)          # what this target adds: its pages, page filter, finisher
        # the pages rendered: counts from parallel_map, the renderer's own words (--jobs 1) otherwise
        with progress.task("渲染", unit="个页面") as rendering:
            renderer = Renderer(catalogue, own, store=store, workers=workers, progress=rendering, spill_dir=staging)
            if load_cache is not None:      # written while the workers render (this process mostly waits then)
                renderer.meanwhile.append(load_cache.save)
            output = renderer.render_all()
            own.extra_pages(renderer, output, plan)
            links.write_redirects(renderer, output, plan)     # old addresses (after every page has claimed its own)
        progress(f"已生成 {len(output.files)} 个文件")
        if staging is not None:
            # the finisher of the searchable targets is the search index: its copies, then Pagefind's parts
            finish = progress.around("搜索索引", own.finisher(plan, progress), unit="个页面")
            wrote = publish(output, out_dir, finish=finish, store=store,
                            staging=staging, before_swap=(lambda: before_swap(plan)) if before_swap else None)
            progress(f"已写入 {out_dir}" if wrote else f"输出与上次完全相同，未改动 {out_dir}")
    except BaseException:
        if staging is not None:
            discard_staging(staging)
        raise
    return BuildResult(plan, output, write and out_dir is not None, renderer.rendered)


def report(plan: Plan) -> dict:
    """The build report of SPEC: every item exactly once, published or held back."""
    config, tz = plan.config, plan.config.tz
    published, held = [], []
    for item in plan.content.items:
        if item.file in plan.content.invalid:
            continue
        decision = plan.decisions[item.file]
        if decision.published:
            published.append({"file": item.file, "index_no": item.index_no, "url": item_url(config, item),
                              "category": item.category, "title": item.title})
        else:
            entry = {"file": item.file, "reason": decision.reason}
            if decision.until:
                entry["until"] = decision.until.astimezone(tz).isoformat()
            held.append(entry)
    pages = {p.file for p in plan.content.pages}
    held += [{"file": f, "reason": "invalid"} for f in plan.content.invalid if f not in pages]
    return {
        "target": plan.target,
        "now": plan.now.astimezone(tz).isoformat(),
        "published": sorted(published, key=lambda e: e["file"]),
        "held_back": sorted(held, key=lambda e: e["file"]),
        "errors": [p.as_json() for p in plan.problems.sorted_errors()],
        "warnings": [p.as_json() for p in plan.problems.sorted_warnings()],
        "next_change": plan.next_change.astimezone(tz).isoformat() if plan.next_change else None,
        "pages": [{"file": p.file, "url": page_url(p)} for p in plan.pages],
    }
