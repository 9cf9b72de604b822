"""Work in parallel: jobs (pages to render, files to parse, pages to prepare for the search index)
farmed out to worker processes.

Each job is a pure function of its input, so the jobs of a build can be split between processes. Workers are forked after the
catalogue is built and inherit it (and the Jinja environment) instead of
receiving pickled copies; only the rendered bytes travel back. Forking is used
only by command-line builds, never inside the threaded preview server.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
from typing import Callable, Optional

from .progress import current

_ACTIVE: Optional[tuple] = None        # (do_one, jobs, results made before forking) inherited by workers
CHUNK = 64
MIN_PARALLEL = 4 * CHUNK      # fewer jobs than this render faster in one process than forked
SERIAL_REPORT = 16            # in one process, the phase under way learns the count every this many jobs


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _chunk(bounds: tuple[int, int]) -> list:
    do_one, jobs, done = _ACTIVE
    return [done[i] if i in done else do_one(jobs[i]) for i in range(*bounds)]


def parallel_map(jobs: list, do_one: Callable, workers: int, progress: Optional[Callable[[int], None]] = None,
                 meanwhile: Optional[Callable[[], None]] = None, first_of: Optional[Callable] = None,
                 each: Optional[Callable[[int, object], None]] = None) -> list:
    """do_one(job) for every job, results in order; across `workers` processes when it pays.
    `meanwhile()` is other work of this process, done while the workers run. `first_of(job)` names a
    job's kind: the first job of each kind is done in this process before the workers are forked, so
    that what it loads and keeps (a template compiled, a module imported) is inherited and shared,
    not made again in every worker. `each(i, result)`, if given, is called in this process as each
    result comes back, in order, so that the caller can start on the first results while the workers
    go on; the results are then not kept (an empty list is returned).

    `progress(done)` is called every 500 jobs or so; the build's phase under way (progress.current(),
    a bar or phase lines) learns done/total as the jobs come back, so loading, rendering and the
    search index's copies show how far they are without their callers passing anything."""
    task = current()
    if workers <= 1 or len(jobs) < MIN_PARALLEL or "fork" not in multiprocessing.get_all_start_methods():
        if meanwhile is not None:
            meanwhile()
        results = []
        for i, job in enumerate(jobs):
            if each is not None:
                each(i, do_one(job))
            else:
                results.append(do_one(job))
            if progress and i % 500 == 499:
                progress(i + 1)
            if task and i % SERIAL_REPORT == 0:
                task.update(i + 1, len(jobs))
        if task and jobs:
            task.update(len(jobs), len(jobs))
        return results
    global _ACTIVE
    done: dict = {}
    if first_of is not None:
        kinds: dict = {}
        for i, job in enumerate(jobs):
            kinds.setdefault(first_of(job), i)
        done = {i: do_one(jobs[i]) for i in sorted(kinds.values())}
    _ACTIVE = (do_one, jobs, done)
    # Objects made before the fork are left out of the workers' garbage collections, which would
    # otherwise write to (and so copy) every page of the parent's memory they inherit.
    gc.freeze()
    try:
        bounds = [(i, min(i + CHUNK, len(jobs))) for i in range(0, len(jobs), CHUNK)]
        results: list = []
        count = 0
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.imap(_chunk, bounds)
            if meanwhile is not None:
                meanwhile()
            for part in parts:
                if each is not None:
                    for i, result in enumerate(part, count):
                        each(i, result)
                else:
                    results.extend(part)
                count += len(part)
                if progress and count % 512 < CHUNK:
                    progress(count)
                if task:
                    task.update(count, len(jobs))
        return results
    finally:
        _ACTIVE = None
        gc.unfreeze()
