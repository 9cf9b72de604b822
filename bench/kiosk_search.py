"""The kiosk's offline search at scale: index size and first-result latency in Chromium.

    .venv/bin/python bench/kiosk_search.py [--items 10000] [--runs 7] [--work DIR]

Writes (or reuses) the corpus of bench/corpus.py with N items, builds its kiosk target, then opens
the output from file:// in Debian's Chromium (1080×1920, touch, every non-file request blocked)
and measures, run after run, each run in a fresh browser context:

- cold: on an item page that has not loaded the index yet, the time from calling
  `siteSearch("xzxk")` to its results (reading and parsing kiosk-index.js included);
- search screen: the time from opening search/index.html to the index being ready, then from a
  tap on the on-screen keyboard to the results shown on screen, for each key of x, z, x, k.

Prints the medians and writes every measurement to DIR/kiosk-search.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

# bench/ is first on sys.path when run as a script; `generator` comes from the venv (`make site` installs it editable).

from corpus import NOW, generate  # noqa: E402

from generator.cli import main as build  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
KEYS = "xzxk"

TAP_TO_RESULTS = """async (key) => {
  const list = document.getElementById('results');
  const before = document.getElementById('query').textContent;
  const button = document.querySelector(`#keyboard [data-key="${key}"]`);
  const start = performance.now();
  const shown = new Promise(resolve => {
    const observer = new MutationObserver(() => {
      const status = document.getElementById('search-status').textContent;
      if (!/正在/.test(status)) { observer.disconnect(); resolve(performance.now()); }
    });
    observer.observe(document.getElementById('search-status'), {childList: true, characterData: true, subtree: true});
  });
  button.click();
  const end = await shown;
  return {ms: end - start, results: list.children.length, query: document.getElementById('query').textContent};
}"""


def measure(out: Path, runs: int) -> dict:
    from playwright.sync_api import sync_playwright
    item_page = next(p for p in sorted(out.rglob("index.html")) if p.parent.name[:2] == "20").as_uri()
    search_page = (out / "search" / "index.html").as_uri()
    cold, ready, taps, left = [], [], [[] for _ in KEYS], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
                          else (left.append(r.request.url), r.abort()))
            page = context.new_page()
            page.goto(item_page)
            cold.append(page.evaluate("""async () => { const t = performance.now();
                const r = await window.siteSearch('xzxk'); return [performance.now() - t, r.length]; }"""))
            page.goto(search_page)
            ready.append(page.evaluate("() => window.siteSearch.preload().then(() => performance.now())"))
            for position, key in enumerate(KEYS):
                taps[position].append(page.evaluate(TAP_TO_RESULTS, key))
            context.close()
        browser.close()
    assert not left, left
    return {"cold_first_result_ms": [c[0] for c in cold], "cold_results": cold[0][1],
            "search_screen_ready_ms": ready,
            "tap_to_results_ms": [[t["ms"] for t in v] for v in taps],
            "results_shown": [v[0]["results"] for v in taps], "queries": [v[0]["query"] for v in taps]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--work", default="/tmp/kiosk-bench")
    args = parser.parse_args()
    work = Path(args.work)
    site = work / f"corpus-{args.items}"
    generate(args.items, site, reuse=True)
    out = work / f"kiosk-{args.items}"
    started = time.perf_counter()
    assert build(["build", "--site", str(site), "--target", "kiosk", "--now", NOW, "--out", str(out), "--quiet"]) == 0
    build_s = time.perf_counter() - started
    index = (out / "static" / "kiosk-index.js").read_bytes()
    records = index.count(b'["/')
    result = {"items": args.items, "kiosk_items": records, "index_bytes": len(index),
              "index_gzip_bytes": len(gzip.compress(index, 6, mtime=0)), "build_s": build_s,
              **measure(out, args.runs)}
    (work / "kiosk-search.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    med = statistics.median
    print(f"corpus {args.items} items, {records} on the kiosk; build {build_s:.1f} s")
    print(f"kiosk-index.js: {len(index) / 1e6:.2f} MB ({result['index_gzip_bytes'] / 1e6:.2f} MB gzipped)")
    print(f"cold first result (item page, index not loaded): median {med(result['cold_first_result_ms']):.0f} ms"
          f" over {args.runs} runs, {result['cold_results']} results")
    print(f"search screen: navigation start -> index ready: median {med(result['search_screen_ready_ms']):.0f} ms")
    for values, shown, query in zip(result["tap_to_results_ms"], result["results_shown"], result["queries"]):
        print(f"tap -> {query}: results on screen in median {med(values):.1f} ms ({shown} shown)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
