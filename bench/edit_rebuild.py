"""One-item edit, searchable rebuild (issue 18 §3): what a build costs after an editor changes one item.

    .venv/bin/python bench/edit_rebuild.py CORPUS [--runs 3] [--work DIR] [--checkout DIR]

CORPUS is a site root written by bench/corpus.py (not changed: it is copied into WORK/site). After one
cold website build with its search index, run after run: the body of one old item is edited (a
sentence appended; another item each run), then one new item is added (dated today, so it joins the
newest part), each followed by a timed build (`build.py build --now … --out WORK/out`, cache warm,
as the bureau's publish job runs it). Prints medians of wall and CPU time (user + sys of the build and
of every process it waited for: workers, Pagefind) and the parts Pagefind indexed again (from the
build's phase lines). Writes every figure to WORK/edit-rebuild.json.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from corpus import NOW  # noqa: E402  (bench/ is first on sys.path when run as a script)

HERE = Path(__file__).resolve().parent


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"build failed:\n{out[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, out


def old_items(site: Path, count: int) -> list[Path]:
    """Published items of 2018 (an old part), in a fixed order."""
    found = []
    for path in sorted((site / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if "status: approved" in text and re.search(r"^pub_date: 2018-", text, re.M) and "audience: internal" not in text:
            found.append(path)
            if len(found) == count:
                break
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "zwgk-edit-rebuild")
    parser.add_argument("--checkout", type=Path, default=HERE.parent)
    args = parser.parse_args()
    site, out = args.work / "site", args.work / "out"
    if args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True)
    shutil.copytree(args.corpus, site, ignore=shutil.ignore_patterns(".git", "dist"))
    env_cache = args.work / "cache"
    os.environ["XDG_CACHE_HOME"] = str(env_cache)
    build = [sys.executable, str(args.checkout / "build.py"), "build", "--site", str(site), "--now", NOW, "--out", str(out)]
    wall, cpu, _ = timed(build, args.work)
    print(f"cold searchable build: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
    rows = {"edit": [], "new": []}
    for run, path in enumerate(old_items(site, args.runs)):
        with path.open("a", encoding="utf-8") as f:
            f.write(f"\n本条目于第 {run + 1} 次测试时补充说明。\n")
        wall, cpu, log = timed(build, args.work)
        rows["edit"].append({"wall": wall, "cpu": cpu, "log": [line for line in log.splitlines() if "搜索索引" in line]})
        new = path.with_name(f"bench-new-{run}.md")          # a copy of it, published today: the newest part
        text = path.read_text(encoding="utf-8")
        for field, value in (("title", f'"新增测试条目{run + 1}"'), ("index_no", f'"014000184/2026-9{run:04}"'),
                             ("pub_date", "2026-11-25"), ("doc_date", "2026-11-20"), ("proposed_date", "2026-11-21"),
                             ("updated", "2026-11-25")):
            text = re.sub(rf"^{field}: .*$", f"{field}: {value}", text, count=1, flags=re.M)
        new.write_text(text, encoding="utf-8")
        wall2, cpu2, log2 = timed(build, args.work)
        rows["new"].append({"wall": wall2, "cpu": cpu2, "log": [line for line in log2.splitlines() if "搜索索引" in line]})
        print(f"run {run + 1}: one old item edited {wall:.1f} s wall / {cpu:.1f} s CPU; one new item {wall2:.1f} s / "
              f"{cpu2:.1f} s", flush=True)
    for kind, label in (("edit", "one old item edited"), ("new", "one new item")):
        print(f"{label}: median {statistics.median(r['wall'] for r in rows[kind]):.1f} s wall, "
              f"{statistics.median(r['cpu'] for r in rows[kind]):.1f} s CPU; {rows[kind][-1]['log'][-1:]}")
    (args.work / "edit-rebuild.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
