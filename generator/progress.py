"""Progress of a long build on stderr: a bar on a terminal, plain phase lines elsewhere, nothing with --quiet.

A build goes through a few long phases (读取, 渲染, 搜索索引); pipeline.build_site opens a Task for each:

- on a terminal (stderr is a tty, TERM is not "dumb", no --quiet): a tqdm bar per phase, or per step of
  a phase (搜索索引: the indexing copies, then the Pagefind parts), with n/total, a percentage and the
  time spent. A step that waits on a child program (Pagefind prints nothing) redraws its bar every TICK
  seconds from a thread (`Task.ticking`), so the time keeps moving and the parts running are named;
- elsewhere (CI logs, cron, a pipe): plain lines — a phase's start and end, and while it runs at most one
  line every EVERY seconds, never one per item;
- --quiet (enabled=False): nothing at all. The CLI prints errors and warnings itself, after the build,
  when every bar is closed (`Progress.close`), so a bar never garbles them.

Nothing is shown before a build has run DELAY seconds, so that small builds stay silent. Progress goes to
stderr only: no byte of the output depends on it. tqdm is imported only when a bar is drawn.

The workers report without being handed anything: the task of the phase under way is the current one
of the thread that opened it (`current()`, a context variable), which workers.parallel_map and
search.bundle.PartRuns update. Other threads — the preview server's — see NULL (no progress), so the
preview never shows a bar.
"""
from __future__ import annotations

import contextvars
import os
import sys
import threading
import time
from contextlib import contextmanager
from typing import Callable, Optional

DELAY = 1.0      # seconds a build runs before any progress is shown
EVERY = 10.0     # without a bar: at most one line per running phase every this many seconds
TICK = 0.5       # a step waiting on a child program is redrawn (or, without a bar, looked at) this often
REDRAW = 0.1     # a bar is redrawn at most this often when counts come in

# a bar: the phase (or its step), the count, the time spent and the time left, and what is running
KNOWN_TOTAL = "{desc}：{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} {unit}（已用 {elapsed}{left}）{note}"
UNKNOWN_TOTAL = "{desc}：{count}已用 {elapsed}{note}"


class NullTask:
    """No progress: the task of a quiet build, and of threads with no build under way (the preview)."""

    def __bool__(self) -> bool:          # `if progress:` callers (render.py) skip their messages
        return False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def __call__(self, message: str) -> None:
        pass

    def update(self, done: int, total: Optional[int] = None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def event(self, text: str) -> None:
        pass

    def stage(self, step: str, total: Optional[int] = None, unit: Optional[str] = None) -> None:
        pass

    @contextmanager
    def ticking(self):
        yield self


NULL = NullTask()
_CURRENT: contextvars.ContextVar = contextvars.ContextVar("zwgk_progress_task", default=NULL)


def current():
    """The task of the phase under way in this thread (NULL when none): what workers report to."""
    return _CURRENT.get()


def wants_bar(stream, environ=None) -> bool:
    """A bar only on a terminal that can redraw a line."""
    environ = os.environ if environ is None else environ
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
    return bool(tty) and environ.get("TERM", "") != "dumb"


class Progress:
    """The progress of one build. Calling it with a message prints the message (a timestamped line,
    above the bar on a terminal); `task(name)` opens a phase.

    `bar`: None chooses (wants_bar of the stream); `delay`, `every`: DELAY and EVERY unless given
    (tests lower them); `clock`: time.monotonic unless given."""

    def __init__(self, enabled: bool = True, stream=None, bar: Optional[bool] = None,
                 delay: Optional[float] = None, every: Optional[float] = None,
                 clock: Callable[[], float] = time.monotonic):
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.bar = enabled and (wants_bar(self.stream) if bar is None else bar)
        self.delay = DELAY if delay is None else delay
        self.every = EVERY if every is None else every
        self.clock = clock
        self.start = clock()
        self.lock = threading.RLock()      # the tick threads and Pagefind's threads report too
        self.task_open: Optional[Task] = None

    def elapsed(self) -> float:
        return self.clock() - self.start

    def shown(self) -> bool:
        return self.enabled and self.elapsed() >= self.delay

    def __call__(self, message: str) -> None:
        if self.shown():
            self.line(message)

    def line(self, text: str, at: Optional[float] = None) -> None:
        """Print `[elapsed] text`, clearing the bar first and drawing it again after."""
        with self.lock:
            line = f"[{self.elapsed() if at is None else at:5.1f}s] {text}"
            bar = self.task_open.bar if self.task_open is not None else None
            if bar is not None:
                bar.clear()
            print(line, file=self.stream, flush=True)
            if bar is not None:
                bar.refresh()

    def task(self, name: str, total: Optional[int] = None, unit: str = ""):
        """A phase of the build, as a context manager: `with progress.task("渲染", unit="个页面") as t:`."""
        return Task(self, name, total, unit) if self.enabled else NULL

    def around(self, name: str, work: Optional[Callable], unit: str = ""):
        """`work(*args)` run as the phase `name` (None stays None): the finisher of a target."""
        if work is None or not self.enabled:
            return work

        def run(*args, **kwargs):
            with self.task(name, unit=unit):
                return work(*args, **kwargs)
        return run

    def close(self) -> None:
        """Close the bar still drawn, if any: before errors are printed, whatever happened."""
        with self.lock:
            task = self.task_open
            while task is not None:
                task.close_bar()
                task = task.parent


class Task:
    """One phase of a build (or, after `stage`, one step of it): counts, the caller's own status
    words when it has no counts, a note (what is running), events (a step of Pagefind done)."""

    def __init__(self, progress: Progress, name: str, total: Optional[int], unit: str):
        self.progress = progress
        self.name, self.step = name, ""
        self.total, self.unit, self.done = total, unit, 0
        self.status = ""                 # the caller's words, shown when there are no counts
        self.note_text = ""              # what is running now (shown beside the bar)
        self.started = self.step_started = progress.clock()
        self.last_line = self.started    # without a bar: when the last running line was printed
        self.announced = False           # without a bar: the start line is printed
        self.bar = None                  # with a bar: the bar of the current step, made when first shown
        self.drawn = 0.0
        self.parent: Optional[Task] = None
        self.token = None

    @property
    def label(self) -> str:
        return f"{self.name}（{self.step}）" if self.step else self.name

    # ------------------------------------------------------------ the phase

    def __enter__(self) -> "Task":
        p = self.progress
        with p.lock:
            self.parent = p.task_open
            if self.parent is not None:        # one bar at a time: the outer one is drawn again later
                self.parent.close_bar(leave=False)
            p.task_open = self
            if not p.bar and p.shown():
                self._announce()
        self.token = _CURRENT.set(self)
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        _CURRENT.reset(self.token)
        p = self.progress
        with p.lock:
            if p.bar:
                self.close_bar()
            elif p.shown():
                self._announce()
                word = "完成" if kind is None else "未完成"
                counts = self._counts()
                p.line(f"{self.name}：{word}{' ' + counts if counts else ''}"
                       f"（用时 {p.clock() - self.started:.1f} 秒）")
            p.task_open = self.parent
        return False

    # ------------------------------------------------------------ what callers report

    def update(self, done: int, total: Optional[int] = None) -> None:
        """`done` of `total` (the total of the step unless given)."""
        with self.progress.lock:
            if total is not None:
                self.total = total
            self.done = done
            self._show()

    def advance(self, n: int = 1) -> None:
        with self.progress.lock:
            self.done += n
            self._show()

    def __call__(self, message: str) -> None:
        """The caller's own words on how far it is (render.py's 已渲染 …): shown while there are no counts."""
        with self.progress.lock:
            self.status = message
            self._show()

    def note(self, text: str) -> None:
        """What is running now (搜索索引's Pagefind parts), beside the bar and in the running lines."""
        with self.progress.lock:
            self.note_text = text
            self._show(force=True)

    def event(self, text: str) -> None:
        """A moment worth a line without a bar (a Pagefind part started or done); the bar shows the note."""
        p = self.progress
        with p.lock:
            if not p.bar and p.shown():
                self._announce()
                p.line(f"{self.label}：{text}")
                self.last_line = p.clock()

    def stage(self, step: str, total: Optional[int] = None, unit: Optional[str] = None) -> None:
        """The next step of the phase: counts start again (a bar of its own)."""
        p = self.progress
        with p.lock:
            if p.bar:
                self.close_bar()
            self.step, self.total, self.done = step, total, 0
            self.unit = self.unit if unit is None else unit
            self.status = self.note_text = ""
            self.step_started = self.last_line = p.clock()
            if not p.bar and p.shown():
                self._announce()
                p.line(f"{self.label}：开始" + (f"（共 {total} {self.unit}）" if total else ""))
            self._show()

    @contextmanager
    def ticking(self):
        """While the step waits on something silent (a child program): the bar's time keeps moving
        (without a bar: a running line every EVERY seconds). A thread, only for that while: worker
        processes are forked at other times."""
        stop = threading.Event()

        def tick():
            while not stop.wait(TICK):
                with self.progress.lock:
                    self._show(force=True)

        thread = threading.Thread(target=tick, name="zwgk-progress", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            stop.set()
            thread.join()

    # ------------------------------------------------------------ drawing

    def _counts(self) -> str:
        if self.total:
            return f"{self.done}/{self.total} {self.unit}".rstrip()
        return f"{self.done} {self.unit}".rstrip() if self.done else ""

    def _announce(self) -> None:
        """Without a bar: the start line of the phase, once, timed when it started."""
        if not self.announced:
            self.announced = True
            p = self.progress
            p.line(f"{self.name}：开始" + (f"（共 {self.total} {self.unit}）" if self.total else ""),
                   at=self.started - p.start)

    def _show(self, force: bool = False) -> None:
        p = self.progress
        if not p.shown():
            return
        now = p.clock()
        if p.bar:
            if force or now - self.drawn >= REDRAW or (self.total and self.done >= self.total):
                self._draw()
                self.drawn = now
        elif now - self.last_line >= p.every:
            self._announce()
            words = self._counts() or self.status or "进行中"
            note = f"，{self.note_text}" if self.note_text else ""
            p.line(f"{self.label}：{words}{note}（已用 {now - self.step_started:.0f} 秒）")
            self.last_line = now

    def _draw(self) -> None:
        if self.bar is None:
            try:
                bar_class = _bar_class()
            except ImportError:          # an install without tqdm (requirements.txt): phase lines instead
                self.progress.bar = False
                return
            self.bar = bar_class(total=self.total, initial=self.done, desc=self.label, unit=self.unit,
                                 file=self.progress.stream, leave=True, dynamic_ncols=True,
                                 bar_format=KNOWN_TOTAL if self.total else UNKNOWN_TOTAL)
            # the time spent counts from the step's start (tqdm's clock is time.time)
            self.bar.start_t = self.bar._time() - (self.progress.clock() - self.step_started)
        self._sync()
        self.bar.refresh()

    def _sync(self) -> None:
        bar = self.bar
        bar.total, bar.n = self.total, self.done
        bar.bar_format = KNOWN_TOTAL if self.total else UNKNOWN_TOTAL
        bar.note = self.note_text or ("" if self.total else self.status)

    def close_bar(self, leave: bool = True) -> None:
        """End the bar's line with its last state drawn (leave), or wipe it."""
        if self.bar is None:
            return
        if leave:
            self._sync()          # tqdm's close draws it
        else:
            self.bar.leave = False
        self.bar.close()
        self.bar = None


_BAR = None


def _bar_class():
    """tqdm's bar with the keys of KNOWN_TOTAL/UNKNOWN_TOTAL; tqdm is imported here, on the first bar."""
    global _BAR
    if _BAR is None:
        from tqdm import tqdm

        class Bar(tqdm):
            monitor_interval = 0      # no monitor thread: worker processes are forked while bars are up
            note = ""

            @property
            def format_dict(self):
                d = super().format_dict
                n, total, elapsed = d["n"], d["total"], d["elapsed"]
                left = ""
                if total and 0 < n < total and elapsed > 0:
                    left = f"，约剩 {self.format_interval((total - n) * elapsed / n)}"
                d.update(left=left, count=f"{n} {self.unit}，" if n else "", note=f"，{self.note}" if self.note else "")
                return d

        _BAR = Bar
    return _BAR
