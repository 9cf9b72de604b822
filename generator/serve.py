"""`python build.py serve`: the preview over HTTP, with a file watcher and live reload.

Listens on 127.0.0.1 unless `--bind` says otherwise. Serves only what the
in-memory build holds (no path ever reaches the file system by name, so `..`
cannot escape). The reload script is added to HTML responses here, at serve
time: a real build never contains it.
"""
from __future__ import annotations

import http.server
import json
import os
import mimetypes
import posixpath
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from .preview import PreviewSite, SearchIndexer, status_json

PREFIX = "/__preview/"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
         ".json": "application/json; charset=utf-8", ".xml": "application/xml; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".wasm": "application/wasm",
         ".pagefind": "application/octet-stream", ".pf_meta": "application/octet-stream",
         ".pf_index": "application/octet-stream", ".pf_fragment": "application/octet-stream",
         ".csv": "text/csv; charset=utf-8"}
LIVE_JS = (Path(__file__).parent / "preview_live.js").read_bytes()
INJECT = b'<script src="/__preview/live.js"></script>\n'


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    return TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def resolve(raw_path: str) -> Optional[str]:
    """A request path -> the output path it names, or None for anything that tries to climb out."""
    path = unquote(urlsplit(raw_path).path)
    if "\\" in path or "\0" in path:
        return None
    parts = path.split("/")
    if any(part in ("..", ".") for part in parts):
        return None
    clean = "/".join(p for p in parts if p)
    return clean + "/" if path.endswith("/") and clean else clean


class Handler(http.server.BaseHTTPRequestHandler):
    site: PreviewSite          # set on the subclass made per server
    search: Optional[SearchIndexer] = None
    protocol_version = "HTTP/1.1"
    server_version = "zwgk-preview"

    def log_message(self, *args):   # quiet: the terminal shows rebuilds, not every request
        pass

    def do_GET(self):
        if self.path.startswith(PREFIX):
            return self._internal(self.path[len(PREFIX):].split("?", 1)[0])
        rel = resolve(self.path)
        if rel is None:
            return self._not_found()
        output = self.site.snapshot.output
        key = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        if key not in output.files and key not in output.copies and key + "/index.html" in output.files:
            return self._redirect("/" + key + "/")
        if key in output.files:
            data = output.files[key]
        elif key in output.copies and output.copies[key].is_file():
            data = output.copies[key].read_bytes()
        elif key.startswith("pagefind/") and self.search is not None and self.search.ready is not None \
                and (self.search.ready / key).is_file():
            data = (self.search.ready / key).read_bytes()
        else:
            return self._not_found()
        if key.endswith(".html"):
            data = _inject(data)
        self._send(200, content_type(key), data)

    do_HEAD = do_GET

    def _internal(self, name: str):
        if name == "live.js":
            return self._send(200, TYPES[".js"], LIVE_JS)
        if name == "status":
            return self._send(200, TYPES[".json"], status_json(self.site))
        if name == "events":
            return self._events()
        return self._not_found()

    def _events(self):
        """Server-sent events: one message per rebuild (its version and whether it failed)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        site = self.site
        seen = site.snapshot.version
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not getattr(self.server, "closing", False):
                with site.changed:
                    site.changed.wait(timeout=15)
                    version = site.snapshot.version
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    seen = version
                    payload = json.dumps(site.status(), ensure_ascii=False)
                    self.wfile.write(f"event: build\ndata: {payload}\n\n".encode("utf-8"))
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True

    def _not_found(self):
        page = self.site.snapshot.output.files.get("404.html")
        self._send(404, TYPES[".html"], _inject(page) if page else b"<h1>404</h1>")

    def _redirect(self, location: str):
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, code: int, ctype: str, data: bytes):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _inject(page: bytes) -> bytes:
    at = page.rfind(b"</body>")
    return page[:at] + INJECT + page[at:] if at >= 0 else page + INJECT


class Watcher(FileSystemEventHandler):
    """Collects file events; a quiet period of `debounce` seconds triggers one rebuild."""

    def __init__(self, site: PreviewSite, debounce: float = 0.05, on_rebuild=None):
        self.site, self.debounce, self.on_rebuild = site, debounce, on_rebuild
        self.pending: set[str] = set()
        self.lock = threading.Lock()
        self.timer: Optional[threading.Timer] = None

    CHANGES = {"created", "modified", "deleted", "moved", "closed"}   # not "opened"/"closed_no_write": reads

    def on_any_event(self, event):
        if event.event_type not in self.CHANGES or event.is_directory and event.event_type == "modified":
            return
        paths = {getattr(event, "src_path", ""), getattr(event, "dest_path", "") or ""}
        paths = {p for p in paths if p and not _ignored(p) and self._watched(p)}
        if not paths:
            return
        with self.lock:
            self.pending |= paths
            if self.timer is not None:
                self.timer.cancel()
            self.timer = threading.Timer(self.debounce, self._fire)
            self.timer.daemon = True
            self.timer.start()

    def _watched(self, path: str) -> bool:
        """Under the root itself only site.toml counts (the root is watched for it alone)."""
        return Path(path).parent != self.site.root.resolve() or Path(path).name == "site.toml"

    def _fire(self):
        with self.lock:
            paths, self.pending = self.pending, set()
        config_changed = any(Path(p).name == "site.toml" for p in paths)
        stats = self.site.rebuild(config_changed=config_changed, changed={os.path.realpath(p) for p in paths})
        if self.on_rebuild:
            self.on_rebuild(stats, paths)


def _ignored(path: str) -> bool:
    name = Path(path).name
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or "/dist/" in path


def make_server(site: PreviewSite, bind: str, port: int, search: Optional[SearchIndexer] = None):
    handler = type("PreviewHandler", (Handler,), {"site": site, "search": search})
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    server.daemon_threads = True
    return server


def watch(site: PreviewSite, on_rebuild=None, debounce: float = 0.05) -> Observer:
    observer = Observer()
    handler = Watcher(site, debounce, on_rebuild)
    root = site.root
    observer.schedule(handler, str(root / "content"), recursive=True)
    observer.schedule(handler, str(root), recursive=False)                  # site.toml
    theme = site.config.theme_dir if site.config else root / "themes"
    if theme.is_dir():
        observer.schedule(handler, str(theme), recursive=True)
    observer.start()
    return observer


def run(root: Path, target: str, port: int, bind: str, now, as_published: bool, out=print) -> int:
    site = PreviewSite(root.resolve(), target, now, as_published)
    stats = site.rebuild()
    if not stats.ok:
        for problem in site.snapshot.problems:
            out(problem.text())
    scratch = Path(tempfile.mkdtemp(prefix="zwgk-preview-"))
    search = SearchIndexer(site, scratch)
    search.schedule(site.snapshot)
    server = make_server(site, bind, port, search)
    host = "127.0.0.1" if bind in ("127.0.0.1", "0.0.0.0") else bind

    def report(stats, paths):
        names = ", ".join(sorted(Path(p).name for p in paths))[:80]
        if stats.ok:
            out(f"[{time.strftime('%H:%M:%S')}] {names}：重新生成 {stats.rendered} 个页面，用时 {stats.seconds * 1000:.0f} 毫秒")
        else:
            out(f"[{time.strftime('%H:%M:%S')}] {names}：有错误，浏览器中仍显示上次成功的页面")
            for problem in site.snapshot.problems:
                out("  " + problem.text())

    observer = watch(site, report)
    mode = "与正式发布完全一致" if as_published else "暂不公开的条目也显示，并标注原因"
    out(f"预览（{target}，{mode}）：http://{host}:{server.server_address[1]}/  按 Ctrl-C 停止。")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.closing = True
        with site.changed:
            site.changed.notify_all()
        observer.stop()
        search.stop()
        server.server_close()
        observer.join(timeout=2)
        shutil.rmtree(scratch, ignore_errors=True)
        out("预览已停止。")
    return 0
