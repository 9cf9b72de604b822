"""Edit-to-reload time of the preview server (issue 4), on a generated corpus.

    python bench/preview_reload.py [--items 10000] [--edits 9]

Starts the real preview server (watchdog watcher, debounce, in-memory rebuild,
server-sent events) on 127.0.0.1 over a corpus from bench/corpus.py, then edits
item files and times, for each edit, the moment of the write to the moment the
`build` event reaches a client listening on /__preview/events — the event that
makes the browser reload. Prints the median of the body edits and of the title
edits, with the rebuild's own time and render count.
"""
from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

# bench/ is first on sys.path when run as a script; `generator` comes from the venv (`make site` installs it editable).
import corpus  # noqa: E402

from generator.preview import PreviewSite  # noqa: E402
from generator.serve import make_server, watch  # noqa: E402


class Listener(threading.Thread):
    """An EventSource client: records when each `build` event arrives."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.events, self.ready = port, [], threading.Event()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/__preview/events")
        response = conn.getresponse()
        self.ready.set()
        while True:
            line = response.fp.readline()
            if not line:
                return
            if line.startswith(b"event: build"):
                self.events.append(time.perf_counter())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=9)
    parser.add_argument("--with-search", action="store_true",
                        help="also run the background search indexer, as `serve` does")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="preview-bench-"))
    site_root = work / "site"
    corpus.generate(args.items, site_root)
    site = PreviewSite(site_root.resolve(), "website", datetime.fromisoformat(corpus.NOW))
    started = time.perf_counter()
    first = site.rebuild()
    print(f"{args.items} items: first build {time.perf_counter() - started:.2f} s, {first.rendered} pages")
    rebuilds = []
    observer = watch(site, on_rebuild=lambda stats, paths: rebuilds.append(stats))
    search = None
    if args.with_search:
        from generator.preview import SearchIndexer
        search = SearchIndexer(site, work / "scratch")
        search.schedule(site.snapshot)
    server = make_server(site, "127.0.0.1", 0, search)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    listener = Listener(server.server_address[1])
    listener.start()
    listener.ready.wait(5)
    time.sleep(0.5)

    published = [p for p in sorted((site_root / "content").rglob("*.md")) if "status: approved" in p.read_text()]
    targets = published[100:100 + args.edits]
    results = {"body": [], "title": []}
    for kind in ("body", "title"):
        for n, path in enumerate(targets):
            text = path.read_text(encoding="utf-8")
            if kind == "body":
                text = text + f"\n补充说明第{n}条。\n"
            else:
                text = text.replace("title: ", f"title: 修订{n} ", 1)
            before = len(listener.events)
            t0 = time.perf_counter()
            path.write_text(text, encoding="utf-8")
            deadline = time.time() + 30
            while len(listener.events) == before and time.time() < deadline:
                time.sleep(0.001)
            results[kind].append((listener.events[-1] - t0, rebuilds[-1]))
            time.sleep(0.3)
    print("| edit | median edit-to-reload | median rebuild | pages re-rendered | runs |")
    print("|---|---|---|---|---|")
    for kind, rows in results.items():
        total = statistics.median(r[0] for r in rows) * 1000
        rebuild = statistics.median(r[1].seconds for r in rows) * 1000
        rendered = statistics.median(r[1].rendered for r in rows)
        print(f"| {kind} | {total:.0f} ms | {rebuild:.0f} ms | {rendered:.0f} | {len(rows)} |")
    print("(edit-to-reload includes watchdog's notice and the 50 ms debounce)")
    observer.stop()
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
