"""Where one build's time goes, by phase (profile before optimising).

    .venv/bin/python bench/profile.py SITE [--target website] [--now ISO] [--out DIR]
                                      [--checkout DIR] [--pyinstrument FILE.txt]

Runs `build.py build` in this process with timers around the pipeline's phases and
prints, per phase, wall time and CPU time (CPU time is what to compare on a machine
shared with other work: waiting for a core does not count; but only this process's CPU
is counted, so a phase that waits for a child program shows its wall time only). Phases:

    config        load_config (site.toml)
    load          load_content: files read, front matter parsed, schema, privacy, git dates
      git dates     read_dates (one git log)
      front matter  frontmatter_lines.parse
      schema        pydantic validation of front matter
      privacy       privacy.scan
    decide        plan_target: the visibility rule for every item, site-wide checks
    catalogue     build_catalogue
    render        Renderer.render_all: every page
      markdown      markup.to_html (bodies)
      templates     jinja2 Template.render
    contributors  pages added by other features (search page, kiosk …), each by name
    write         publish: staging folder, atomic swap
      finishers     run on the staging folder (the search indexer …), each by name

A timer wraps a module-level name the pipeline calls; a name that a later version of the
generator no longer has is reported as "not found", never guessed. The build runs with
`--jobs 1` (all rendering in this process, where the timers are; `--jobs 0` leaves the
generator's default) and an empty build cache (`--warm` keeps the user's). Work done in
worker processes or child programs (git, Pagefind) is not seen by the CPU timers, only as
wall time of the phase that waits for it. With --pyinstrument (importable
from PYTHONPATH; install it outside the project, see bench/README.md) the same build is
also sampled and the call tree written to FILE.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2026-11-26T08:00:00+08:00"

# (label, module, attribute): the name is replaced in that module's namespace
TIMED = [
    ("config", "generator.pipeline", "load_config"),
    ("load", "generator.pipeline", "load_content"),
    ("  git dates", "generator.content", "read_dates"),
    ("  front matter", "generator.content", "parse"),
    ("  schema", "generator.content", "_schema"),
    ("  privacy", "generator.privacy", "scan"),
    ("decide", "generator.pipeline", "plan_target"),
    ("catalogue", "generator.pipeline", "build_catalogue"),
    ("render", "generator.render.Renderer", "render_all"),
    ("  markdown", "generator.views", "to_html"),
    ("  templates", "jinja2.environment.Template", "render"),
    ("write", "generator.pipeline", "publish"),
]


class Timers:
    def __init__(self):
        self.wall: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.depth: dict[str, int] = {}
        self.missing: list[str] = []

    def wrap(self, label: str, fn):
        def timed(*args, **kwargs):
            if self.depth.get(label):                   # recursion: count the outer call only
                return fn(*args, **kwargs)
            self.depth[label] = 1
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall[label] = self.wall.get(label, 0.0) + time.perf_counter() - wall
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - cpu
                self.calls[label] = self.calls.get(label, 0) + 1
                self.depth[label] = 0
        timed.__name__ = getattr(fn, "__name__", label)
        timed.__wrapped__ = fn
        return timed


def _owner(path: str):
    """'generator.render.Renderer' -> the class; 'generator.pipeline' -> the module."""
    try:
        return importlib.import_module(path)
    except ImportError:
        module, _, attr = path.rpartition(".")
        return getattr(importlib.import_module(module), attr)


def install(timers: Timers) -> None:
    for label, owner_path, attr in TIMED:
        try:
            owner = _owner(owner_path)
        except (ImportError, AttributeError):
            owner = None
        if owner is None or not hasattr(owner, attr):
            timers.missing.append(f"{label.strip()} ({owner_path}.{attr})")
            continue
        setattr(owner, attr, timers.wrap(label, getattr(owner, attr)))
    pipeline = importlib.import_module("generator.pipeline")
    try:                                  # a target's own pages and finisher (generator/targets/)
        targets = importlib.import_module("generator.targets")
        for kind in targets.TARGETS.values():
            kind.extra_pages = timers.wrap(f"{kind.name} extra pages", kind.extra_pages)
            factory = kind.finisher

            def wrapped_finisher(self, *args, _factory=factory, _name=kind.name, **kwargs):
                finisher = _factory(self, *args, **kwargs)
                return timers.wrap(f"  finisher {_name}", finisher) if finisher is not None else None
            kind.finisher = wrapped_finisher
    except ImportError:
        pass
    for i, contribute in enumerate(list(getattr(pipeline, "CONTRIBUTORS", []))):
        name = f"{getattr(contribute, '__module__', '')}.{getattr(contribute, '__name__', i)}".removeprefix("generator.")
        pipeline.CONTRIBUTORS[i] = timers.wrap(f"contributor {name}", contribute)
    for i, factory in enumerate(list(getattr(pipeline, "FINISHERS", []))):
        name = f"{getattr(factory, '__module__', '')}.{getattr(factory, '__name__', i)}".removeprefix("generator.")

        def wrapped_factory(*args, _factory=factory, _name=name, **kwargs):
            finisher = _factory(*args, **kwargs)
            return timers.wrap(f"  finisher {_name}", finisher) if finisher is not None else None
        pipeline.FINISHERS[i] = wrapped_factory


def table(timers: Timers, total_wall: float, total_cpu: float) -> str:
    rows: list[tuple[str, float, float, str]] = []
    for label, _, _ in TIMED:
        if label == "write":
            for name in sorted(k for k in timers.wall if k.startswith("contributor ")):
                rows.append((name, timers.wall[name], timers.cpu[name], f"{timers.calls[name]:,}"))
        if label in timers.wall:
            rows.append((label, timers.wall[label], timers.cpu[label], f"{timers.calls[label]:,}"))
        if label == "  templates" and "render" in timers.wall:
            parts = ("  markdown", "  templates")
            rows.append(("  rest of render (views, links, encoding)",
                         timers.wall["render"] - sum(timers.wall.get(k, 0) for k in parts),
                         timers.cpu["render"] - sum(timers.cpu.get(k, 0) for k in parts), ""))
    for name in sorted(k for k in timers.wall if k.startswith("  finisher ")):
        rows.append((name, timers.wall[name], timers.cpu[name], f"{timers.calls[name]:,}"))
    lines = ["| phase | wall s | % of wall | CPU s (this process) | % of CPU | calls |", "|---|---|---|---|---|---|"]
    for label, wall, cpu, calls in rows:
        lines.append(f"| {label.replace('  ', '↳ ', 1) if label.startswith('  ') else label} | {wall:.2f} | "
                     f"{100 * wall / total_wall:.0f}% | {cpu:.2f} | {100 * cpu / total_cpu:.0f}% | {calls} |")
    lines.append(f"| **whole build** | {total_wall:.2f} | 100% | {total_cpu:.2f} | 100% | |")
    text = "\n".join(lines) + "\n"
    if timers.missing:
        text += "\nNot found in this generator (not timed): " + ", ".join(timers.missing) + "\n"
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Time one build of a site by phase.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--target", default="website")
    parser.add_argument("--now", default=NOW)
    parser.add_argument("--out", type=Path, help="output folder (default: a temporary one)")
    parser.add_argument("--checkout", type=Path, default=HERE.parent, help="the copy of this project to profile")
    parser.add_argument("--pyinstrument", type=Path, help="also sample the build with pyinstrument into FILE")
    parser.add_argument("--jobs", type=int, default=1,
                        help="build.py --jobs (default 1: all rendering in this process, where the timers are)")
    parser.add_argument("--warm", action="store_true",
                        help="keep the user's build cache (default: a new, empty one, so the build is cold)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.checkout.resolve()))
    import os
    import tempfile
    work = Path(tempfile.mkdtemp(prefix="zwgk-profile-"))
    if not args.warm:
        os.environ["XDG_CACHE_HOME"] = str(work / "cache")       # where the generator keeps its cache
    out = args.out or work / args.target
    timers = Timers()
    install(timers)
    from generator.cli import main as build
    build_args = ["build", "--site", str(args.site), "--target", args.target, "--now", args.now,
                  "--out", str(out), "--quiet"]
    if args.jobs:
        build_args += ["--jobs", str(args.jobs)]
    profiler = None
    if args.pyinstrument:
        from pyinstrument import Profiler
        profiler = Profiler(interval=0.005)
        profiler.start()
    wall, cpu = time.perf_counter(), time.process_time()
    code = build(build_args)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler:
        profiler.stop()
        args.pyinstrument.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    if code != 0:
        print(f"the build failed (exit {code})", file=sys.stderr)
        return code
    print(f"{args.site} → {out} ({args.target}), generator at {args.checkout}\n")
    print(table(timers, wall, cpu))
    return 0


if __name__ == "__main__":
    sys.exit(main())
