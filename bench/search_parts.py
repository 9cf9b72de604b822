"""What a search costs the browser for each number of parts of the Pagefind bundle (issue 18 §3).

    .venv/bin/python bench/search_parts.py SITE_OUTPUT --parts 1,2,5,10 [--runs 5] [--work DIR]

SITE_OUTPUT is a website build's output folder (its pagefind/ is ignored). For each part count the
folder is hard-linked into WORK/parts-K, indexed afresh in K parts (search.index.index_site with
the part count forced), served by Python's http.server on 127.0.0.1, and searched from the search
page in Debian's Chromium, each run in a fresh browser context (nothing cached):

- cold: from calling `siteSearch(q)` on a page that has loaded nothing of the index, to its
  results: every part's pagefind.js, WebAssembly, metadata, index chunks and fragments;
- warm: the next query in the same page (only new index chunks and fragments are fetched);
- requests and kilobytes fetched from pagefind/ for the cold query.

Also prints each count's indexing time (wall). Run after run, the counts take turns.
Medians of --runs. Writes every figure to WORK/search-parts.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
QUERIES = [("许可", "行政处罚"), ("电梯", "xzxk"), ("抽查结果", "2024"), ("计量", "特种设备")]

SEARCH = """async ([q]) => {
  const t0 = performance.now();
  const results = await window.siteSearch(q, {limit: 10});
  return {ms: performance.now() - t0, total: results.total, first: results.length ? results[0].url : null};
}"""


def index_in_parts(source: Path, target: Path, parts: int) -> float:
    from generator.search import index, parts as parts_module
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=os.link, ignore=shutil.ignore_patterns("pagefind"))
    saved = parts_module.part_count
    parts_module.part_count = lambda pages: parts
    try:
        started = time.perf_counter()
        index.index_site(target, reuse=False)
        return time.perf_counter() - started
    finally:
        parts_module.part_count = saved


def measure(folders: dict[int, Path], runs: int) -> dict[int, dict]:
    """Run after run, each part count in turn (so that the machine's load hits every count alike)."""
    from playwright.sync_api import sync_playwright
    servers, bases = [], {}
    for k, folder in folders.items():
        server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1",
                                   "--directory", str(folder)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        servers.append(server)
        line = server.stdout.readline()           # "Serving HTTP on 127.0.0.1 port N …"
        bases[k] = f"http://127.0.0.1:{int(line.split(' port ')[1].split()[0])}/search/"
    out = {k: {"cold": [], "warm": [], "requests": [], "kb": []} for k in folders}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            for _ in range(runs):
                for cold_q, warm_q in QUERIES:
                    for k in folders:
                        context = browser.new_context()
                        page = context.new_page()
                        fetched = []
                        page.on("requestfinished", lambda r: fetched.append(r) if "/pagefind/" in r.url else None)
                        page.goto(bases[k])
                        page.wait_for_function("typeof window.siteSearch === 'function'")
                        cold = page.evaluate(SEARCH, [cold_q])
                        out[k]["requests"].append(len(fetched))
                        out[k]["kb"].append(sum(r.sizes()["responseBodySize"] for r in fetched) / 1024)
                        warm = page.evaluate(SEARCH, [warm_q])
                        out[k]["cold"].append(cold["ms"])
                        out[k]["warm"].append(warm["ms"])
                        context.close()
            browser.close()
        return out
    finally:
        for server in servers:
            server.terminate()
            server.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--parts", default="1,2,5,10")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep WORK/parts-K folders already indexed")
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "zwgk-search-parts")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folders, seconds = {}, {}
    for k in [int(x) for x in args.parts.split(",")]:
        folders[k] = args.work / f"parts-{k}"
        if args.reuse and (folders[k] / "pagefind" / "parts.json").is_file():
            seconds[k] = None
            continue
        seconds[k] = index_in_parts(args.output, folders[k], k)
        print(f"{k:>3} parts: indexed in {seconds[k]:.1f} s", flush=True)
    figures = measure(folders, args.runs)
    rows = []
    for k in folders:
        row = {"parts": k, "index_wall_s": seconds[k],
               **{f"median_{key}": statistics.median(v) for key, v in figures[k].items()}, "all": figures[k]}
        rows.append(row)
        print(f"{k:>3} parts: cold query {row['median_cold']:7.1f} ms, {row['median_requests']:.0f} requests, "
              f"{row['median_kb']:.0f} KB | warm query {row['median_warm']:6.1f} ms", flush=True)
    (args.work / "search-parts.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
