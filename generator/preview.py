"""The editor's preview: build in memory, serve on 127.0.0.1, rebuild on change, reload the browser.

Correctness first (MkDocs' dev server): a rebuild that fails keeps the last
good pages served and shows an overlay naming file, line and field. Held-back
items are shown with a badge, so an editor sees what the real build would drop;
`--as-published` shows exactly the real build. Work is incremental: unchanged
files are not re-read (LoadCache) and unchanged pages not re-rendered
(RenderCache); a template or site.toml change invalidates what depends on it
through the cache keys themselves.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

from . import links
from .catalogue import Catalogue, build_catalogue, with_records
from .config import Config, load_config
from .content import Content, LoadCache, load_content, reload_files
from .errors import BuildAborted, Problem
from .gitdates import FileDates, read_dates
from .model import Item
from .pipeline import Plan, _no_updates_from_the_future, plan_target
from .targets import TARGETS, for_plan
from .output import Output, PageFiles, output_path
from .render import RenderCache, Renderer
from .visibility import REASON_LABELS


@dataclass
class Snapshot:
    """What the server shows: the last good output, and the problems of the latest attempt."""

    output: Output = field(default_factory=Output)
    problems: list[Problem] = field(default_factory=list)   # errors of the latest attempt (overlay)
    warnings: list[Problem] = field(default_factory=list)
    version: int = 0
    built_at: float = 0.0


@dataclass
class RebuildStats:
    reloaded: int = 0      # files read and parsed
    rendered: int = 0      # pages rendered (not from the cache)
    urls: tuple = ()       # … and which
    seconds: float = 0.0
    ok: bool = True


# What an edit may change of an item and leave the catalogue as it was: what pages show of it (its own
# page, its neighbours', the listings and the home page, the feeds: Renderer.render_edits renders those
# again; the target's own pages are made again anyway). Every other field decides where the item goes,
# whether and how it is shown (order, URLs, decision, badge, attachments, redirects) or a problem's line.
_SHOWN_ONLY = frozenset({"body", "digest", "body_hash", "body_at", "index_refs", "title", "summary", "keywords",
                         "doc_no", "doc_date", "formed_date", "proposed_date", "publisher", "updated",
                         "decision_count", "fee_amount"})
_PLACING = tuple(f.name for f in fields(Item) if f.name not in _SHOWN_ONLY)


def placing(item: Item) -> tuple:
    """The fields of an item that place it in the catalogue (see _SHOWN_ONLY)."""
    return tuple(getattr(item, name) for name in _PLACING)


@dataclass
class LastBuild:
    """What the last good rebuild was made of, for the next edit to start from when it can."""

    content: Content
    plan: Plan
    catalogue: Catalogue
    badges: dict
    output: Output
    errors: list
    warnings: list
    positions: dict = field(default_factory=dict)     # item file -> its index in content.items
    horizon: Optional[datetime] = None                # the first item date after plan.now (made when asked)
    horizon_known: bool = False


def badge_for(reason: str, until: Optional[datetime], item, config: Config) -> str:
    label = REASON_LABELS[reason]
    if reason == "future" and until is not None:
        return f"{label} {until.astimezone(config.tz).strftime('%Y-%m-%d %H:%M')}"
    if reason == "privacy":
        return f"{label}：" + "、".join(hit.masked for hit in item.privacy_hits)
    return label


class PreviewSite:
    """Builds one target in memory, again and again, as cheaply as the change allows."""

    def __init__(self, root: Path, target: str = "website", now: Optional[datetime] = None,
                 as_published: bool = False, clock: Callable[[Config], datetime] = None):
        self.root = root
        self.target = target
        self.fixed_now = now
        self.as_published = as_published
        self.clock = clock or (lambda config: datetime.now(config.tz))
        self.config: Optional[Config] = None
        self.load_cache = LoadCache()
        self.render_cache = RenderCache()
        self.dates: Optional[FileDates] = None
        self.snapshot = Snapshot()
        self.changed = threading.Condition()
        self.after_build: list[Callable[[Snapshot], None]] = []   # e.g. the background search indexer
        self.last: Optional[LastBuild] = None    # the last good rebuild, while an edit can start from it
        self.last_stats = RebuildStats()
        self.building = threading.Lock()     # one rebuild at a time: the caches are shared
        self.session = os.urandom(6).hex()   # tells the page a restarted server from a new build

    def rebuild(self, config_changed: bool = False, changed: Optional[set[str]] = None) -> RebuildStats:
        """Build again. `changed`: the absolute paths the watcher saw change, when it knows.

        Never raises for what the site holds: content and config errors, and anything
        unexpected (a template that recurses without end, a bug), become the overlay's
        problems while the last good output stays served."""
        with self.building:
            started = time.perf_counter()
            stats = RebuildStats()
            try:
                return self._rebuild(config_changed, changed, stats, started)
            except Exception as exc:
                # the caches may hold half of a build: start the next one afresh
                self.config, self.load_cache, self.render_cache = None, LoadCache(), RenderCache()
                self.last = None
                return self._failed([unexpected_problem(exc, self.root, changed)], [], stats, started)

    def _rebuild(self, config_changed: bool, changed: Optional[set[str]], stats: RebuildStats,
                 started: float) -> RebuildStats:
        try:
            if self.config is None or config_changed:
                self.config = load_config(self.root)
                self.load_cache = LoadCache()
                self.dates = read_dates(self.root, self.config.tz)    # once: later edits are dirty files anyway
                self.last = None
            config = self.config
            last, self.last = self.last, None      # set again only by a good rebuild
            if changed and last is not None:
                found = reload_files(config, self.dates, self.load_cache, changed)
                if found is not None:
                    stats.reloaded = sum(before is not now for _, before, now in found)
                    if self._edit(config, last, found, stats):
                        stats.seconds = time.perf_counter() - started
                        self.last_stats = stats
                        return stats
            content = load_content(config, self.dates, self.load_cache, changed)
            stats.reloaded += content.reloaded
            now = self.fixed_now or self.clock(config)
            plan = plan_target(config, content, self.target, now, with_next_change=False)
            blocking = [p for p in content.problems.sorted_errors()]
            if blocking:
                return self._failed(blocking, plan.problems.sorted_warnings(), stats, started)
            output, urls, catalogue, badges = self._render(config, plan)
            stats.rendered, stats.urls = len(urls), tuple(urls)
            # privacy hits do not stop the preview: the item shows its badge, the overlay lists them
            errors, warnings = plan.problems.sorted_errors(), plan.problems.sorted_warnings()
            self._publish(output, errors, warnings)
            self.last = LastBuild(content, plan, catalogue, badges, output, errors, warnings)
        except BuildAborted as exc:
            self.config = None
            return self._failed(exc.problems, [], stats, started)
        stats.seconds = time.perf_counter() - started
        self.last_stats = stats
        return stats

    def _edit(self, config: Config, last: LastBuild, found: list, stats: RebuildStats) -> bool:
        """The rebuild of an edit that leaves the catalogue as it was: only item files changed, each
        keeps every field that places it (see _SHOWN_ONLY) and its problems, and no item's date has
        passed since the last rebuild (so every decision stands). Its output is then exactly a full
        rebuild's: the last output, with the pages that show the edited items evaluated again
        (Renderer.render_edits) and the target's own pages made as always. False: a full rebuild."""
        edited = []
        for rel, before, now in found:
            if before is now:
                continue
            if before is None or not isinstance(before[1], Item) or not isinstance(now[1], Item) or \
                    before[2] != now[2] or placing(before[1]) != placing(now[1]):
                return False
            edited.append(now[1])
        moment = self.fixed_now or self.clock(config)
        previous = last.plan.now
        if moment != previous:
            if moment < previous or moment.astimezone(config.tz).date() != previous.astimezone(config.tz).date():
                return False      # 更新日期 is clamped to the build's day
            if not last.horizon_known:
                dates = (m for i in last.content.items for m in (i.pub_date, i.expiry_date) if m is not None)
                last.horizon, last.horizon_known = min((m for m in dates if m > previous), default=None), True
            if last.horizon is not None and moment >= last.horizon:
                return False      # an item appears or goes since the last rebuild
        if not last.positions:
            last.positions = {item.file: i for i, item in enumerate(last.content.items)}
        clamped = Content(items=edited)
        _no_updates_from_the_future(clamped, moment.astimezone(config.tz).date())   # as plan_target does
        items, swapped = list(last.content.items), []
        for record in clamped.items:
            at = last.positions.get(record.file)
            if at is None:
                return False
            swapped.append((items[at], record))
            items[at] = record
        content = replace(last.content, items=items, reloaded=stats.reloaded)
        plan = replace(last.plan, content=content, now=moment,
                       redirects=links.retitled(config, last.plan.redirects, [new for _, new in swapped]))
        shown = [(old, new) for old, new in swapped if old.file in last.catalogue.urls]
        catalogue = with_records(last.catalogue, shown)
        own = for_plan(plan)
        renderer = Renderer(catalogue, own, cache=self.render_cache, badges=last.badges)
        output = _copy(last.output)
        renderer.render_edits(output, [record for _, record in shown])
        own.extra_pages(renderer, output, plan)
        links.write_redirects(renderer, output, plan)     # a redirect page shows its item's title
        stats.rendered, stats.urls = len(renderer.rendered_urls), tuple(renderer.rendered_urls)
        self._publish(output, last.errors, last.warnings)
        self.last = LastBuild(content, plan, catalogue, last.badges, output, last.errors, last.warnings,
                              last.positions, last.horizon, last.horizon_known)
        return True

    def _render(self, config: Config, plan: Plan) -> tuple:
        valid = [i for i in plan.content.items if i.file not in plan.content.invalid]
        if self.as_published:
            shown, badges = plan.published, {}
        else:
            shown = valid
            badges = {i.file: badge_for(d.reason, d.until, i, config)
                      for i in valid for d in [plan.decisions[i.file]] if not d.published}
        catalogue = build_catalogue(config, self.target, shown, plan.pages)
        own = for_plan(plan)
        renderer = Renderer(catalogue, own, cache=self.render_cache, badges=badges)
        output = renderer.render_all()
        own.extra_pages(renderer, output, plan)
        links.write_redirects(renderer, output, plan)     # old addresses, as the build makes them
        if len(self.render_cache.pages) > 1.2 * len(output.files) + 16:   # pages that are gone: keep it small
            live = set(output.files)
            for url in [u for u in self.render_cache.pages if not u.startswith("<") and output_path(u) not in live]:
                del self.render_cache.pages[url]
        return output, renderer.rendered_urls, catalogue, badges

    def _publish(self, output: Output, errors: list[Problem], warnings: list[Problem]) -> None:
        with self.changed:
            self.snapshot = Snapshot(output, errors, warnings, self.snapshot.version + 1, time.time())
            self.changed.notify_all()
        for hook in self.after_build:
            try:
                hook(self.snapshot)
            except Exception:         # a hook (the search indexer) never spoils a good build
                pass

    def _failed(self, errors: list[Problem], warnings: list[Problem], stats: RebuildStats, started: float):
        """Keep the last good output; report the problems (the overlay)."""
        self.last = None
        with self.changed:
            old = self.snapshot
            self.snapshot = Snapshot(old.output, errors, warnings, old.version + 1, old.built_at)
            self.changed.notify_all()
        stats.ok = False
        stats.seconds = time.perf_counter() - started
        self.last_stats = stats
        return stats

    def status(self) -> dict:
        snap = self.snapshot
        return {"session": self.session, "version": snap.version, "ok": not snap.problems,
                "errors": [p.as_json() | {"text": p.text()} for p in snap.problems],
                "warnings": [p.as_json() | {"text": p.text()} for p in snap.warnings]}


def _copy(output: Output) -> Output:
    """A new Output holding what `output` holds (the snapshot being served is never changed)."""
    files = PageFiles(output.files.spill_dir)
    files.memory, files.on_disk = dict(output.files.memory), dict(output.files.on_disk)
    return Output(files, dict(output.copies), dict(output.reused), dict(output.keys), dict(output.owners))


def unexpected_problem(exc: BaseException, root: Path, changed: Optional[set[str]] = None) -> Problem:
    """An exception the build did not expect -> one problem for the overlay, in Chinese.

    Where it can, it names the file and line: a template's (Jinja puts template frames in
    the traceback), else the content file being read, else the one file that changed."""
    from jinja2 import TemplateSyntaxError
    root = Path(root)
    file, line = "", 0
    if isinstance(exc, TemplateSyntaxError) and exc.filename:
        file, line = _site_relative(exc.filename, root) or "", exc.lineno or 0
    if not file:
        file, line = _located(exc, root)
    if not file and changed and len(changed) == 1:
        file = _site_relative(next(iter(changed)), root) or ""
    if isinstance(exc, RecursionError):
        what = "嵌套或递归过深，无法生成（例如 YAML 嵌套了成千上万层，或模板中的宏无限调用自身）。"
    elif isinstance(exc, TemplateSyntaxError):
        what = f"模板语法错误：{exc.message}。"
    elif type(exc).__module__.startswith("jinja2"):
        what = f"模板出错：{exc}。"
    elif isinstance(exc, MemoryError):
        what = "内存不足，无法生成。"
    else:
        detail = str(exc)[:300]
        what = f"生成时出现意外错误（{type(exc).__name__}{'：' + detail if detail else ''}）。"
    hint = "改正后保存即可自动重试；若找不到原因，请把这条信息和最近修改的文件交给维护人员。"
    return Problem(file or "预览", line, "", what, hint)


def _site_relative(path, root: Path) -> Optional[str]:
    try:
        full = Path(os.path.realpath(path))
        return full.relative_to(Path(os.path.realpath(root))).as_posix()
    except (ValueError, OSError, TypeError):
        return None


def _located(exc: BaseException, root: Path) -> tuple[str, int]:
    """The deepest frame of the traceback inside the site (a template), else a `rel` being loaded."""
    template, loading = ("", 0), ("", 0)
    real_root = os.path.realpath(root)
    tb = exc.__traceback__
    seen = 0
    while tb is not None and seen < 100000:
        seen += 1
        frame = tb.tb_frame
        filename = frame.f_code.co_filename
        if filename.startswith((str(root), real_root)) and not filename.endswith(".py"):
            relative = _site_relative(filename, root)
            if relative:
                template = (relative, tb.tb_lineno)
        rel = frame.f_locals.get("rel") if frame.f_code.co_name.startswith("_load") else None
        if isinstance(rel, str) and (root / rel).is_file():
            loading = (rel, 0)
        tb = tb.tb_next
    return template if template[0] else loading



def status_json(site: PreviewSite) -> bytes:
    return json.dumps(site.status(), ensure_ascii=False).encode("utf-8")


_INDEX_SCRIPT = "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; " \
    "from generator.search import index_site; index_site(Path(sys.argv[2]))"


class SearchIndexer:
    """Re-indexes the preview for search in the background after each good rebuild.

    Pages never wait for it: until the first index is ready /pagefind/ answers 404
    (the search page says search is not ready); a newer build supersedes one
    still waiting, so an editor typing fast costs at most one extra indexing.
    """

    def __init__(self, site: PreviewSite, folder: Path, settle: float = 1.0):
        self.site, self.folder, self.settle = site, folder, settle
        self.ready: Optional[Path] = None          # the folder holding the newest finished pagefind/
        self.pending: Optional[Snapshot] = None
        self.wake = threading.Condition()
        self.stopped = False
        self.process: Optional[subprocess.Popen] = None
        self.thread = threading.Thread(target=self._run, daemon=True, name="preview-search")
        self.thread.start()
        site.after_build.append(self.schedule)

    def schedule(self, snapshot: Snapshot) -> None:
        with self.wake:
            self.pending = snapshot
            self.wake.notify()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop, ending an indexing under way, and wait: after this nothing writes to `folder`."""
        with self.wake:
            self.stopped = True
            self.wake.notify()
            process = self.process
        if process is not None and process.poll() is None:
            try:
                if os.name == "posix":
                    os.killpg(process.pid, signal.SIGKILL)     # the indexer and whatever it started
                else:
                    process.kill()
            except OSError:
                pass
        if self.thread is not threading.current_thread():
            self.thread.join(timeout)

    def _run(self) -> None:
        generation = 0
        while True:
            with self.wake:
                while self.pending is None and not self.stopped:
                    self.wake.wait()
                if self.stopped:
                    return
                snapshot, self.pending = self.pending, None
            if not TARGETS[self.site.target].searchable:
                continue
            with self.wake:       # let a burst of saves settle before starting a long job
                self.wake.wait(timeout=self.settle)
                if self.pending is not None:
                    snapshot, self.pending = self.pending, None
            generation += 1
            work = self.folder / f"index-{generation}"
            try:
                for rel, data in snapshot.output.files.items():
                    if self.stopped:
                        raise _Stopped
                    if rel.endswith(".html") and b"data-pagefind-body" in data:
                        path = work / rel
                        path.parent.mkdir(parents=True, exist_ok=True)
                        path.write_bytes(data)
                self._index(work)
            except _Stopped:
                shutil.rmtree(work, ignore_errors=True)
                return
            except Exception:      # a failed index leaves the previous one in place
                shutil.rmtree(work, ignore_errors=True)
                continue
            previous, self.ready = self.ready, work
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)

    def _index(self, work: Path) -> None:
        """A separate, lower-priority process: the rebuilds of the next edits keep the CPU and the GIL."""
        with self.wake:
            if self.stopped:
                raise _Stopped
            # its temp files go inside our folder, and it leads its own process group (its workers, Pagefind):
            # stopping the preview removes both, even when the indexing is cut short
            temp = self.folder / "tmp"
            temp.mkdir(parents=True, exist_ok=True)
            env = dict(os.environ, TMPDIR=str(temp), TEMP=str(temp), TMP=str(temp))
            posix = os.name == "posix"
            self.process = subprocess.Popen(
                [sys.executable, "-c", _INDEX_SCRIPT, str(Path(__file__).parent.parent), str(work)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                preexec_fn=_lower_priority if posix else None, start_new_session=posix)
        try:
            code = self.process.wait()
        finally:
            with self.wake:
                self.process = None
        if self.stopped:
            raise _Stopped
        if code != 0:
            raise subprocess.CalledProcessError(code, "index_site")


class _Stopped(Exception):
    pass


def _lower_priority() -> None:
    try:
        os.nice(10)
    except OSError:
        pass
