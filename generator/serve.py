"""`python build.py serve`: the preview over HTTP, with a file watcher and live reload.

Listens on 127.0.0.1 unless `--bind` says otherwise. Serves only what the
in-memory build holds (no path ever reaches the file system by name, so `..`
cannot escape). The reload script is added to HTML responses here, at serve
time: a real build never contains it.

The preview shows drafts and held-back items, so the server guards them:
- the `Host` header must name this server (127.0.0.1:PORT or localhost:PORT), so a web page
  whose domain is re-pointed at 127.0.0.1 (DNS rebinding) is refused;
- another site's page may link to the preview but not load from it (`Sec-Fetch-Site`): a
  `<script src>` of the kiosk's index would otherwise hand it the held-back items;
- a bounded number of connections, each with socket timeouts and a deadline for its request
  line and headers, so idle or dripping sockets cannot pile up threads or starve the editor;
- a client that goes away (broken pipe, reset) is nobody's error and is not reported.
"""
from __future__ import annotations

import errno
import http.server
import ipaddress
import json
import os
import mimetypes
import posixpath
import select
import shutil
import socket
import socketserver
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional, Union
from urllib.parse import unquote, urlsplit

from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from .errors import UsageError
from .interrupts import hold_interrupts, restore, stop_on_signals
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
INJECT = '<script src="/__preview/live.js" data-build="{build}"></script>\n'   # the build the page is from

MAX_CONNECTIONS = 64      # a browser uses six per host, plus one event stream per open tab
HEADER_TIMEOUT = 10.0     # seconds to send a request line and its headers (an idle keep-alive included)
IO_TIMEOUT = 30.0         # seconds any one read or write on a connection may block
KEEPALIVE = 15.0          # seconds between comments on an idle event stream
GONE = (ConnectionError, TimeoutError)   # BrokenPipe, ConnectionReset, ConnectionAborted, timeouts: the client left

# What the server answers itself, in Chinese (BaseHTTPRequestHandler's own pages are English HTML).
ERRORS = {
    400: "请求格式错误，预览服务器无法处理。",
    403: "禁止访问。",
    404: "页面不存在。",
    408: "请求超时：预览服务器没有及时收到完整的请求。",
    414: "网址太长，预览服务器无法处理。",
    431: "请求头太大，预览服务器无法处理。",
    500: "预览服务器内部错误，请查看运行 build.py serve 的终端窗口。",
    501: "预览只支持 GET 和 HEAD 请求。",
    503: "预览服务器同时连接过多，请稍后刷新页面。",
    505: "不支持的 HTTP 版本。",
}
BUSY = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Length: {length}\r\nRetry-After: 2\r\nConnection: close\r\n\r\n{body}")
NO_PAGES = ("<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>预览：内容有错误</title></head>"
            "<body><h1>还没有成功生成的页面</h1><p>内容有错误，错误列在下方（也显示在运行 build.py serve 的终端窗口中）。"
            "改正后保存，页面会自动刷新。</p></body></html>\n").encode("utf-8")


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


def split_host(value: str) -> Optional[tuple[str, int]]:
    """A Host header -> (lower-case name, port; 80 when absent), or None when it is malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or rest and not rest.startswith(":"):
            return None
        port = rest[1:] if rest else ""
        name = "[" + name + "]"
    else:
        name, _, port = value.partition(":")
    if not name or port and not port.isdigit() or port and len(port) > 5:
        return None
    return name, int(port) if port else 80


def _ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
        return True
    except ValueError:
        return False


def url_host(bind: str) -> str:
    """How the URL printed for an editor names the bound address."""
    if bind in ("", "0.0.0.0"):
        return "127.0.0.1"
    if bind == "::":
        return "[::1]"
    return f"[{bind}]" if ":" in bind else bind


class Handler(http.server.BaseHTTPRequestHandler):
    site: PreviewSite          # set on the subclass made per server
    search: Optional[SearchIndexer] = None
    protocol_version = "HTTP/1.1"
    server_version = "zwgk-preview"
    timeout = IO_TIMEOUT       # StreamRequestHandler sets it on the socket: no read or write blocks for ever
    default_request_version = "HTTP/1.0"   # a request without a version still gets a status line
    _answered = False          # whether a status line has gone out for the current request

    def log_message(self, *args):   # quiet: the terminal shows rebuilds, not every request
        pass

    # --- the request: its deadline, its Host ------------------------------------------------------

    def handle_one_request(self):
        self._answered = False
        self.server.reading(self.connection)           # the header deadline runs from here …
        try:
            super().handle_one_request()
        finally:
            self.server.done_reading(self.connection)

    def parse_request(self) -> bool:
        ok = super().parse_request()
        self.server.done_reading(self.connection)      # … to here: the body of an answer is not timed
        if not ok:
            return False
        if not self.path.startswith("/"):              # absolute-form or `*`: no way around the Host check
            self.send_error(403 if "://" in self.path else 400)
            return False
        if not self.server.host_allowed(self.headers.get("Host")):
            self._refuse_host()
            return False
        if self.headers.get("Sec-Fetch-Site", "").lower() in ("cross-site", "same-site") \
                and self.headers.get("Sec-Fetch-Mode", "").lower() != "navigate":
            self._refuse_other_site()
            return False
        return True

    def _refuse_other_site(self):
        """Another site's page asks for a script, an image, data …: `<script src>` of the kiosk's index
        would hand it the held-back items. Following a link (a navigation) stays allowed: the page that
        linked cannot read what opens."""
        port = self.server.server_address[1]
        text = (f"403 禁止访问：其他网站的网页不能读取预览的内容。"
                f"请直接在浏览器地址栏打开 http://{self.server.host_names[0]}:{port}/。\n")
        self.close_connection = True
        self._send(403, "text/plain; charset=utf-8", text.encode("utf-8"), close=True)

    def _refuse_host(self):
        port = self.server.server_address[1]
        names = " 或 ".join(f"http://{name}:{port}/" for name in self.server.host_names)
        shown = (self.headers.get("Host") or "")[:100]
        text = f"403 禁止访问：Host 头“{shown}”不是本预览服务器的地址。请用 {names} 打开预览。\n"
        self.close_connection = True
        self._send(403, "text/plain; charset=utf-8", text.encode("utf-8"), close=True)

    def send_error(self, code, message=None, explain=None):
        """BaseHTTPRequestHandler's error answers, in Chinese and as plain text."""
        self.close_connection = True
        if self._answered:              # a status line has gone out already: closing is all that is left
            return
        body = f"{code} {ERRORS.get(code, '请求无法处理。')}\n".encode("utf-8")
        if not hasattr(self, "command") or self.command is None:
            self.command = ""
        self._send(code, "text/plain; charset=utf-8", body, close=True)

    # --- methods ----------------------------------------------------------------------------------

    def do_GET(self):
        try:
            self._get()
        except GONE:
            self.close_connection = True       # the client went away: nothing to report
        except Exception as exc:               # a bug must not cost the editor the preview
            self.server.report(f"预览服务器处理 {self.path[:200]} 时出错（{type(exc).__name__}：{exc}）；预览继续运行。")
            self.send_error(500)

    do_HEAD = do_GET

    def _get(self):
        if self.path.startswith(PREFIX):
            return self._internal(self.path[len(PREFIX):].split("?", 1)[0])
        rel = resolve(self.path)
        if rel is None:
            return self._not_found()
        snapshot = self.site.snapshot
        output = snapshot.output
        key = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        if key not in output.files and key not in output.copies and key + "/index.html" in output.files:
            return self._redirect("/" + key + "/")
        data = output.files.get(key)
        if data is None and key in output.copies:
            data = _read(output.copies[key])
        if data is None and key.startswith("pagefind/") and self.search is not None:
            ready = self.search.ready
            data = _read(ready / key) if ready is not None else None
        if data is None:
            return self._not_found()
        if key.endswith(".html"):
            data = _inject(data, self.site, snapshot)
        self._send(200, content_type(key), data)

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
        self._answered = True
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":          # the headers are the whole answer
            return
        site = self.site
        seen = site.snapshot.version
        try:
            self.wfile.write(b": connected\n\n")
            written = time.monotonic()
            while not self.server.closing:
                with site.changed:
                    if site.snapshot.version == seen:
                        site.changed.wait(timeout=1.0)
                    version = site.snapshot.version
                if version != seen:
                    seen = version
                    payload = json.dumps(site.status(), ensure_ascii=False)
                    self.wfile.write(f"event: build\ndata: {payload}\n\n".encode("utf-8"))
                    written = time.monotonic()
                elif time.monotonic() - written >= KEEPALIVE:
                    self.wfile.write(b": keep-alive\n\n")
                    written = time.monotonic()
                elif self._peer_gone():
                    return
        except OSError:                     # the tab was closed or reloaded
            pass

    def _peer_gone(self) -> bool:
        """An event stream's client sends nothing after its request: readable means it hung up."""
        try:
            if hasattr(select, "poll"):
                poller = select.poll()
                poller.register(self.connection, select.POLLIN)
                readable = poller.poll(0)
            else:
                readable = select.select([self.connection], [], [], 0)[0]
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def _not_found(self):
        snapshot = self.site.snapshot
        page = snapshot.output.files.get("404.html")
        if page is None and not snapshot.output.files and snapshot.problems:
            page = NO_PAGES                  # nothing built yet: a page that shows the overlay and reloads
        self._send(404, TYPES[".html"], _inject(page, self.site, snapshot) if page else b"<h1>404</h1>")

    def _redirect(self, location: str):
        self._answered = True
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, code: int, ctype: str, data: bytes, close: bool = False):
        self._answered = True
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:                          # gone or unreadable since the build listed it
        return None


def _inject(page: bytes, site: PreviewSite, snapshot) -> bytes:
    tag = INJECT.format(build=f"{site.session}:{snapshot.version}").encode("ascii")
    at = page.rfind(b"</body>")
    return page[:at] + tag + page[at:] if at >= 0 else page + tag


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threading server with a bounded number of connections, each with a header deadline."""

    daemon_threads = True
    block_on_close = False    # stopping does not wait for open connections (an idle tab, an event stream)

    def __init__(self, address, handler, max_connections: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_TIMEOUT, report=None):
        self.slots = threading.BoundedSemaphore(max_connections)
        self.header_timeout = header_timeout
        self.closing = False
        self.report = report or _warn
        self._deadlines: dict[socket.socket, float] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        super().__init__(address, handler)           # binds and listens, or raises (and closes)
        bound, port = self.server_address[:2]
        wildcard = bound in ("0.0.0.0", "::")
        names = ["127.0.0.1" if bound == "0.0.0.0" else "[::1]" if bound == "::" else
                 f"[{bound}]" if ":" in bound else bound, "localhost"]
        self.host_names = names
        self._allowed = {(name, port) for name in names}
        self._any_ip = wildcard             # bound to every address (--bind 0.0.0.0): any IP literal, no names
        self._reaper = threading.Thread(target=self._reap, daemon=True, name="preview-deadlines")
        self._reaper.start()

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)     # no getfqdn(): no reverse DNS at start
        self.server_name, self.server_port = str(self.server_address[0]), self.server_address[1]

    def host_allowed(self, value: Optional[str]) -> bool:
        parsed = split_host(value) if value else None
        if parsed is None:
            return False
        name, port = parsed
        if port != self.server_address[1]:
            return False
        return (name, port) in self._allowed or self._any_ip and _ip_literal(name)

    # --- the connection limit ---------------------------------------------------------------------

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            return self._busy(request)
        thread = threading.Thread(target=self.process_request_thread, args=(request, client_address), daemon=True)
        try:
            thread.start()
        except RuntimeError:        # no thread could be started: the slot is still ours to give back
            self.slots.release()    # (a Ctrl-C during start() leaves a started thread, which releases it)
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def _busy(self, request):
        """Full: answer 503 straight away (a fresh socket's send buffer is empty) and close."""
        body = ERRORS[503] + "\n"
        try:
            request.settimeout(0.2)
            request.sendall(BUSY.format(length=len(body.encode("utf-8")), body=body).encode("utf-8"))
        except OSError:
            pass
        self.shutdown_request(request)

    # --- the header deadline ----------------------------------------------------------------------

    def reading(self, sock):
        with self._lock:
            self._deadlines[sock] = time.monotonic() + self.header_timeout

    def done_reading(self, sock):
        with self._lock:
            self._deadlines.pop(sock, None)

    def _reap(self):
        """Shut down the sockets whose request line and headers are late: idle or dripping."""
        while not self._stopped.wait(min(0.25, self.header_timeout / 4)):
            now = time.monotonic()
            with self._lock:
                late = [sock for sock, deadline in self._deadlines.items() if deadline < now]
                for sock in late:
                    del self._deadlines[sock]
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

    def server_close(self):
        self._stopped.set()
        super().server_close()

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, GONE) or isinstance(exc, OSError) and exc.errno in (errno.EPIPE, errno.ECONNRESET,
                                                                               errno.ENOTCONN, errno.EBADF):
            return                                  # the client went away
        self.report(f"预览服务器处理一个请求时出错（{type(exc).__name__}：{exc}）；预览继续运行。")


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _say(text: str) -> None:
    print(text, flush=True)


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
        if not paths:
            return
        try:
            config_changed = any(Path(p).name == "site.toml" for p in paths)
            stats = self.site.rebuild(config_changed=config_changed, changed={os.path.realpath(p) for p in paths})
            if self.on_rebuild:
                self.on_rebuild(stats, paths)
        except Exception as exc:      # rebuild() turns build errors into the overlay; this is a last guard
            _warn(f"预览重新生成时出错（{type(exc).__name__}：{exc}）；预览继续运行，保存文件后会再试。")


def _ignored(path: str) -> bool:
    name = Path(path).name
    return name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or "/dist/" in path


def make_server(site: PreviewSite, bind: str, port: int, search: Optional[SearchIndexer] = None,
                max_connections: int = MAX_CONNECTIONS, header_timeout: float = HEADER_TIMEOUT,
                report=None) -> PreviewServer:
    handler = type("PreviewHandler", (Handler,), {"site": site, "search": search})
    server_class = PreviewServer
    if ":" in bind:
        server_class = type("PreviewServer6", (PreviewServer,), {"address_family": socket.AF_INET6})
    return server_class((bind, port), handler, max_connections, header_timeout, report)


def watch(site: PreviewSite, on_rebuild=None, debounce: float = 0.05) -> Observer:
    observer = Observer()
    handler = Watcher(site, debounce, on_rebuild)
    root = site.root
    if (root / "content").is_dir():        # missing: the overlay says so; serve must be run again once made
        observer.schedule(handler, str(root / "content"), recursive=True)
    observer.schedule(handler, str(root), recursive=False)                  # site.toml
    theme = site.config.theme_dir if site.config else root / "themes"
    if theme.is_dir():
        observer.schedule(handler, str(theme), recursive=True)
    observer.start()
    return observer


def check_port(port: Union[int, str]) -> int:
    """--port as given -> the port number; a Chinese usage error for anything else."""
    text = str(port).strip()
    try:
        number = int(text)
    except ValueError:
        number = None
    if number is None or not 0 <= number <= 65535:
        raise UsageError(f"--port 的值“{text}”不是可用的端口号：端口号是 0 到 65535 之间的整数"
                         "（常用 8000；0 表示自动选一个空闲端口）。")
    return number


def listen(site: PreviewSite, bind: str, port: int, search: Optional[SearchIndexer] = None) -> PreviewServer:
    """make_server, with what can go wrong said in Chinese (a UsageError: exit code 2)."""
    where = f"{url_host(bind)}:{port}"
    try:
        return make_server(site, bind, port, search)
    except socket.gaierror:
        raise UsageError(f"--bind 的值“{bind}”不是本机的地址，无法监听。默认的 127.0.0.1 只允许本机访问。") from None
    except OverflowError:
        raise UsageError(f"--port 的值“{port}”不是可用的端口号：端口号是 0 到 65535 之间的整数。") from None
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"端口 {port} 已被占用（可能另一个预览或程序正在使用 {where}）。"
                             f"请用 --port 换一个端口，例如 --port {port + 1 if 0 < port < 65535 else 8001}，"
                             "或用 --port 0 自动选择空闲端口。") from None
        if exc.errno in (errno.EACCES, errno.EPERM):
            raise UsageError(f"没有权限监听端口 {port}（1024 以下的端口需要管理员权限）。"
                             "请用 --port 换一个 1024 以上的端口，例如 --port 8000。") from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise UsageError(f"本机没有地址 {bind}，无法监听。请去掉 --bind，使用默认的 127.0.0.1。") from None
        raise UsageError(f"无法在 {where} 监听（{exc.strerror or exc}）。请用 --port 换一个端口。") from None


SCRATCH = "zwgk-preview-"      # + pid + "-": the temp folder of one preview (its search index)


def _remove_stale_scratch() -> None:
    """Temp folders of previews that were killed outright (SIGKILL, a power cut): their process is gone."""
    if os.name != "posix":
        return
    try:
        entries = list(os.scandir(tempfile.gettempdir()))
    except OSError:
        return
    for entry in entries:
        pid = entry.name[len(SCRATCH):].split("-", 1)[0]
        if not entry.name.startswith(SCRATCH) or not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            if not entry.is_dir(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(entry.path, ignore_errors=True)
        except (OSError, OverflowError):
            continue                        # alive (another user's), or not ours to judge


def run(root: Path, target: str, port: Union[int, str], bind: str, now, as_published: bool,
        out=_say, err=_warn) -> int:
    """The preview until Ctrl-C (or SIGTERM). Bad --port or --bind: UsageError before anything is made."""
    port = check_port(port)
    site = PreviewSite(root.resolve(), target, now, as_published)
    server = listen(site, bind, port)             # first: a port in use is reported before a long build
    server.report = err
    previous: dict = {}
    scratch: Optional[Path] = None
    search: Optional[SearchIndexer] = None
    observer = None
    try:
        previous = stop_on_signals()
        stats = site.rebuild()
        if not stats.ok:
            out("内容有错误，浏览器中会显示错误列表：")
            for problem in site.snapshot.problems:
                out("  " + problem.text())
        _remove_stale_scratch()
        scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-"))
        search = SearchIndexer(site, scratch)
        search.schedule(site.snapshot)
        server.RequestHandlerClass.search = search

        def report(stats, paths):
            names = ", ".join(sorted(Path(p).name for p in paths))[:80]
            if stats.ok:
                out(f"[{time.strftime('%H:%M:%S')}] {names}：重新生成 {stats.rendered} 个页面，用时 {stats.seconds * 1000:.0f} 毫秒")
            else:
                out(f"[{time.strftime('%H:%M:%S')}] {names}：有错误，浏览器中仍显示上次成功的页面")
                for problem in site.snapshot.problems:
                    out("  " + problem.text())

        try:
            observer = watch(site, report)
        except OSError as exc:       # e.g. the system's limit on watched folders (inotify)
            why = "已达到系统允许监视的文件夹数量上限" if exc.errno in (errno.ENOSPC, errno.EMFILE) else \
                "没有读取权限" if exc.errno in (errno.EACCES, errno.EPERM) else f"错误码 {exc.errno}"
            err(f"无法监视文件变化（{why}）：预览仍可使用，但修改文件后需要重新运行 build.py serve。")
        mode = "与正式发布完全一致" if as_published else "暂不公开的条目也显示，并标注原因"
        if server.server_address[0] in ("0.0.0.0", "::"):
            err("注意：--bind 让局域网内的其他电脑也能打开此预览，包括草稿和暂不公开的条目。")
        out(f"预览（{target}，{mode}）：http://{url_host(bind)}:{server.server_address[1]}/  按 Ctrl-C 停止。")
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:     # Ctrl-C (or SIGTERM) at any point, even during the first build: a normal stop
        pass
    finally:
        held = hold_interrupts()
        try:
            server.closing = True
            with site.changed:
                site.changed.notify_all()
            if search is not None:
                search.stop()
            if observer is not None:
                observer.stop()
            server.server_close()
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
            if observer is not None:
                observer.join(timeout=2)
            out("预览已停止。")
        finally:
            restore(held)
            restore(previous)
    return 0
