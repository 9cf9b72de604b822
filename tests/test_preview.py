"""The preview's incremental rebuilds: what is re-read and re-rendered for each kind of edit
(Hugo's rebuild tests assert render counts), held-back badges, and the last good output kept."""
import http.client
import json
import threading
from datetime import datetime
from pathlib import Path

import pytest

from support import NOW

from generator.preview import PreviewSite
from generator.serve import make_server, resolve

MOMENT = datetime.fromisoformat(NOW)


@pytest.fixture
def site(golden_copy):
    preview = PreviewSite(golden_copy, "website", MOMENT)
    first = preview.rebuild()
    assert first.ok and first.rendered > 10
    return preview


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_no_change_renders_nothing(site):
    stats = site.rebuild()
    assert (stats.reloaded, stats.rendered) == (0, 0)


def test_body_edit_rerenders_only_that_item(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（已更正）见下表。")
    stats = site.rebuild()
    assert (stats.reloaded, stats.rendered) == (1, 1)
    page = site.snapshot.output.files["quanli/xuke/2026-00003/index.html"].decode()
    assert "已更正" in page


def test_title_edit_rerenders_the_item_its_neighbours_and_listings(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "行政许可事项办理结果公示（第三批）", "行政许可事项办理结果公示（第三批·更正）")
    stats = site.rebuild()
    files = site.snapshot.output.files
    # the item; its neighbours in 行政许可 (上一篇/下一篇 show the title: the preview lists held-back
    # items too, so the newer one is the future item 2026-00007); the listings that show it: home
    # (最新公开), /quanli/xuke/ page 1, /quanli/ page 1, /departments/fagui/ page 1
    assert sorted(stats.urls) == sorted([
        "/quanli/xuke/2026-00003/", "/quanli/xuke/2026-00007/", "/quanli/xuke/2026-00002/", "/",
        "/quanli/xuke/", "/quanli/", "/departments/fagui/"])
    for url in stats.urls:
        path = url.lstrip("/") + "index.html"
        assert "第三批·更正" in files[path].decode(), path


def test_template_edit_rerenders_everything(site, golden_copy):
    total = len([p for p in site.snapshot.output.files if p.endswith(".html")])
    theme = golden_copy / "themes" / "default" / "templates"
    theme.parent.parent.mkdir(exist_ok=True)
    import shutil
    from generator.config import PROJECT_THEMES
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    site.rebuild(config_changed=True)           # the site now has its own theme folder
    edit(theme / "404.html", "页面不存在", "页面不存在或已删除")
    stats = site.rebuild()
    assert stats.reloaded == 0
    assert stats.rendered >= total - 1          # every page whose HTML comes from templates
    assert "已删除" in site.snapshot.output.files["404.html"].decode()


def test_config_change_rerenders_everything(site, golden_copy):
    edit(golden_copy / "site.toml", 'title = "示例市质量技术监督局 政府信息公开"', 'title = "示例市局 政府信息公开"')
    stats = site.rebuild(config_changed=True)
    assert stats.reloaded > 10 and stats.rendered >= 20
    assert "示例市局 政府信息公开" in site.snapshot.output.files["index.html"].decode()


def test_held_back_items_are_badged_and_as_published_is_the_real_build(site, golden_copy):
    files = site.snapshot.output.files
    draft = files["quanli/xuke/draft/index.html"].decode()      # no 索引号: the file name is its slug
    assert "预览：正式构建不会发布此条目（草稿）" in draft
    future = [v.decode() for v in files.values() if "定时发布 2026-12-01 00:00" in v.decode()]
    assert future
    listings = "".join(v.decode() for k, v in files.items() if k.startswith(("quanli/xuke/index", "quanli/xuke/page/")))
    assert '<span class="badge badge-held">草稿</span>' in listings
    assert '<span class="badge badge-held">定时发布 2026-12-01 00:00</span>' in listings
    real = PreviewSite(golden_copy, "website", MOMENT, as_published=True)
    real.rebuild()
    assert not any("留痕标记" in v.decode("utf-8", "replace") for v in real.snapshot.output.files.values())


def test_a_broken_file_keeps_the_last_good_output(site, golden_copy):
    good = dict(site.snapshot.output.files)
    edit(golden_copy / "content/fagui/xuke-3.md", "status: approved", "status: [approved")
    stats = site.rebuild()
    assert not stats.ok
    assert site.snapshot.output.files == good
    assert site.status()["errors"][0]["text"].startswith("content/fagui/xuke-3.md:5: YAML 格式错误：方括号 [ 没有闭合")
    edit(golden_copy / "content/fagui/xuke-3.md", "status: [approved", "status: approved")
    assert site.rebuild().ok and site.status()["errors"] == []


def test_privacy_hit_is_badged_with_the_masked_number_only(site, golden_copy):
    edit(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "联系人 13812345678。")
    site.rebuild()
    page = site.snapshot.output.files["quanli/xuke/2026-00003/index.html"].decode()
    assert "隐私检查未通过：138****5678" in page
    assert site.status()["errors"][0]["field"] == "body"
    assert "13812345678" not in str(site.status())


@pytest.mark.parametrize("raw,expected", [
    ("/", ""), ("/quanli/xuke/", "quanli/xuke/"), ("/static/site.css?v=1", "static/site.css"),
    ("/../etc/passwd", None), ("/%2e%2e/%2e%2e/etc/passwd", None), ("/quanli/..%2f..%2fsite.toml", None),
    ("/a/./b", None), ("/x%5c..%5cy", None), ("/%00", None),
])
def test_resolve_refuses_climbing(raw, expected):
    assert resolve(raw) == expected


def test_server_listens_on_loopback_and_serves_types(site):
    server = make_server(site, "127.0.0.1", 0)
    assert server.server_address[0] == "127.0.0.1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
            conn.request("GET", path)
            response = conn.getresponse()
            return response.status, response.getheader("Content-Type"), response.read()
        status, ctype, body = get("/quanli/xuke/2026-00001/")
        assert status == 200 and ctype == "text/html; charset=utf-8" and b"/__preview/live.js" in body
        assert get("/static/site.css")[1] == "text/css; charset=utf-8"
        assert get("/quanli/xuke/2026-00001/xuke-1-jueding.csv")[0] == 200
        assert get("/../site.toml")[0] == 404 and get("/%2e%2e/site.toml")[0] == 404
        assert get("/quanli")[0] == 301
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------
# The server under hostile use: real server on 127.0.0.1, real HTTP, no mocks.

import os
import signal
import socket
import subprocess
import sys
import time

from support import ROOT

DEEP_YAML = "x: " + "[" * 5000 + "]" * 5000          # nested thousands deep (a RecursionError in the loader)
RECURSIVE_TEMPLATE = "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"


@pytest.fixture
def running(site):
    """running(**options) -> a started preview server on 127.0.0.1 (stopped after the test)."""
    started = []

    def start(preview=None, **options):
        server = make_server(preview or site, "127.0.0.1", 0, **options)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        started.append(server)
        return server
    yield start
    for server in started:
        server.closing = True
        server.shutdown()
        server.server_close()


def request(port, path="/", host=None, method="GET", timeout=5):
    """One HTTP request with an explicit Host header -> (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", host if host is not None else f"127.0.0.1:{port}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw_exchange(port, data: bytes, timeout=3.0) -> tuple[bytes, bool]:
    """Send bytes; read until the server closes or `timeout` passes -> (bytes read, closed by server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        received, deadline = b"", time.monotonic() + timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return received, False
            except ConnectionResetError:
                return received, True
            if not chunk:
                return received, True
            received += chunk
        return received, False


def test_host_header_must_name_this_server(site, running):
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 must read nothing."""
    port = running().server_address[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}"):
        assert request(port, "/quanli/xuke/draft/", host)[0] == 200, host
    for host in (f"evil.example:{port}", "evil.example", f"localhost:{port + 1}", f"127.0.0.1:{port + 1}",
                 "localhost", f"127.0.0.2:{port}", f"127.0.0.1.evil.example:{port}", "", f"[::1]:{port}"):
        for path in ("/quanli/xuke/draft/", "/__preview/status", "/__preview/events", "/", "/static/site.css"):
            status, headers, body = request(port, path, host)
            assert status in (403, 421), (host, path, status)
            text = body.decode("utf-8")
            assert "正式构建不会发布" not in text and "version" not in text and "Host" in text and "预览" in text, text
            assert headers["Content-Type"].startswith("text/plain")
    # no Host header at all (HTTP/1.0): refused too
    data, _ = raw_exchange(port, b"GET /quanli/xuke/draft/ HTTP/1.0\r\n\r\n")
    assert data.startswith(b"HTTP/1.0 403") or data.startswith(b"HTTP/1.1 403"), data[:40]
    # an absolute URL naming another host is no way around it
    data, _ = raw_exchange(port, f"GET http://evil.example:{port}/quanli/xuke/draft/ HTTP/1.1\r\n"
                                 f"Host: evil.example:{port}\r\nConnection: close\r\n\r\n".encode())
    assert b" 403 " in data.split(b"\r\n", 1)[0] and "正式构建不会发布".encode() not in data


def test_error_answers_are_in_chinese(site, running):
    port = running().server_address[1]
    status, headers, body = request(port, "/quanli/xuke/", method="POST")
    assert status == 501 and "只支持" in body.decode("utf-8") and headers["Content-Type"].startswith("text/plain")
    data, closed = raw_exchange(port, b"NONSENSE\r\n\r\n")
    assert data.split(b"\r\n", 1)[0].split(b" ")[1] == b"400" and "请求" in data.decode("utf-8", "replace")


def test_head_on_the_event_stream_ends_at_once(site, running):
    port = running().server_address[1]
    started = time.monotonic()
    data, closed = raw_exchange(port, f"HEAD /__preview/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert closed and time.monotonic() - started < 2
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"text/event-stream" in head and body == b""
    status, headers, body = request(port, "/quanli/xuke/", method="HEAD")   # an ordinary HEAD still answers
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 1000


def _handler_threads() -> int:
    return sum(1 for t in threading.enumerate() if "process_request" in t.name)


def test_idle_and_dripping_connections_neither_pile_up_nor_block(site, running):
    """Slowloris: idle and dripping sockets are closed after the header deadline, excess ones at once,
    and the thread count stays bounded; an ordinary request is answered within a few seconds."""
    server = running(max_connections=4, header_timeout=1.0)
    port = server.server_address[1]
    before = _handler_threads()
    idle = []
    for _ in range(10):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % port)      # never finished
        idle.append(sock)
    stop = threading.Event()

    def drip(sock):   # one header byte at a time, each well inside any per-read timeout
        try:
            while not stop.wait(0.2):
                sock.sendall(b"X")
        except OSError:
            pass
    drippers = idle[:3]
    for sock in drippers:
        threading.Thread(target=drip, args=(sock,), daemon=True).start()
    try:
        time.sleep(0.3)
        assert _handler_threads() - before <= 4                  # bounded, not one thread per socket
        answered = None
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            try:
                status = request(port, "/", timeout=2)[0]
            except OSError:          # refused or reset while the server is full: try again
                status = None
            if status == 200:
                answered = time.monotonic() - (deadline - 6)
                break
            assert status in (None, 503)
            time.sleep(0.1)
        assert answered is not None and answered < 5, "an ordinary request was not answered"
        # every idle or dripping socket has been closed by the server by now
        for sock in idle:
            sock.settimeout(3)
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    assert chunk.startswith(b"HTTP/1.1 503") or chunk.startswith(b"HTTP/1.1 408") \
                        or b"HTTP/1.1 4" in chunk, chunk[:60]
            except ConnectionResetError:
                pass
    finally:
        stop.set()
        for sock in idle:
            sock.close()


def test_excess_connections_get_503_in_chinese(site, running):
    server = running(max_connections=2, header_timeout=5.0)
    port = server.server_address[1]
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=3) as extra:
            data = b""
            try:
                while chunk := extra.recv(4096):
                    data += chunk
            except ConnectionResetError:
                pass
        assert data.startswith(b"HTTP/1.1 503"), data[:60]
        assert "稍后" in data.decode("utf-8")
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 3
    while request(port, "/")[0] != 200:                  # slots come back once the clients leave
        assert time.monotonic() < deadline
        time.sleep(0.05)


def _abort(port, payload: bytes, wait: float = 0.0):
    """Send a request and vanish with a reset (SO_LINGER 0), as a closed browser tab does."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(payload)
    if wait:
        time.sleep(wait)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    sock.close()


def test_clients_that_go_away_are_not_reported(site, running, capfd):
    port = running().server_address[1]
    big = max(site.snapshot.output.files, key=lambda k: len(site.snapshot.output.files[k]))
    for _ in range(20):
        _abort(port, f"GET /{big} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        _abort(port, f"GET /{big} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode(), wait=0.01)
        _abort(port, f"GET /__preview/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode(), wait=0.01)
        _abort(port, f"GET /{big} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nHost: 127".encode())
    site.rebuild()                                          # event streams whose client left write once
    time.sleep(1.5)
    assert request(port, "/")[0] == 200
    captured = capfd.readouterr()
    for word in ("Traceback", "BrokenPipe", "ConnectionReset", "Errno", "Exception"):
        assert word not in captured.err + captured.out, captured.err[-2000:]


def _wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_unexpected_rebuild_errors_keep_the_preview_alive(site, golden_copy, running):
    """Content nested thousands deep, a template that recurses without end: the watcher's rebuild
    fails, the server keeps serving the last good pages, and the overlay says what went wrong."""
    from generator.config import PROJECT_THEMES
    from generator.serve import watch
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    assert site.rebuild(config_changed=True).ok
    site.root = site.root.resolve()
    observer = watch(site)
    port = running().server_address[1]
    try:
        item = golden_copy / "content/fagui/xuke-3.md"
        good = item.read_text(encoding="utf-8")
        template = golden_copy / "themes/default/templates/item.html"
        good_template = template.read_text(encoding="utf-8")
        for path, broken in ((item, good.replace("status: approved", "status: approved\n" + DEEP_YAML)),
                             (template, RECURSIVE_TEMPLATE + good_template)):
            version = site.snapshot.version
            path.write_text(broken, encoding="utf-8")
            _wait_for(lambda: site.snapshot.version > version)
            status = json.loads(request(port, "/__preview/status")[2])
            assert status["ok"] is False and status["errors"], status
            text = status["errors"][0]["text"]
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "Traceback" not in text, text
            code, _, body = request(port, "/quanli/xuke/2026-00003/")
            assert code == 200 and "第三批办理结果见下表" in body.decode("utf-8")   # the last good page
            version = site.snapshot.version
            path.write_text(good if path == item else good_template, encoding="utf-8")
            _wait_for(lambda: site.snapshot.version > version and site.status()["ok"])
        if "RecursionError" in str(site.status()):
            pytest.fail("recovered but still reports the old error")
    finally:
        observer.stop()
        observer.join(timeout=2)


def test_a_template_error_names_the_template_and_line(site, golden_copy):
    from generator.config import PROJECT_THEMES
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    assert site.rebuild(config_changed=True).ok
    template = golden_copy / "themes/default/templates/404.html"
    lines = template.read_text(encoding="utf-8").splitlines()
    lines.insert(4, "{{ no_such_thing }}")                 # inside {% block main %}
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stats = site.rebuild()
    assert not stats.ok
    error = site.status()["errors"][0]
    assert error["file"] == "themes/default/templates/404.html" and error["line"] == 5, error
    assert "no_such_thing" in error["message"] and "模板" in error["message"]
    lines.pop(4)
    lines.insert(1, "{% if %}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert not site.rebuild().ok
    error = site.status()["errors"][0]
    assert error["file"] == "themes/default/templates/404.html" and error["line"] == 2, error
    lines.pop(1)
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert site.rebuild().ok and site.status()["errors"] == []


# --- `python build.py serve` as a process ---------------------------------------------------------

class Serve:
    """`build.py serve` in its own process, with a private TMPDIR to see what it leaves behind."""

    def __init__(self, site_dir: Path, tmp: Path, *args):
        self.tmp = tmp / "tmpdir"
        self.tmp.mkdir(exist_ok=True)
        env = dict(os.environ, TMPDIR=str(self.tmp), PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site_dir),
                                      "--now", NOW, *map(str, args)], cwd=str(tmp), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     # a suite started in the background (`make test &`) ignores SIGINT, and so
                                     # would the server (Python installs its Ctrl-C handler only where it is not)
                                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.lines = []

    def wait_url(self, timeout=30) -> int:
        """The port from the 'http://127.0.0.1:PORT/' line it prints."""
        import re
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                return int(found.group(1))
        self.proc.kill()
        raise AssertionError("no URL printed: " + "".join(self.lines) + self.proc.stderr.read())

    def finish(self, sig=None, timeout=15):
        if sig is not None:
            self.proc.send_signal(sig)
        try:
            out, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
            raise AssertionError(f"build.py serve did not stop: {''.join(self.lines) + out}\n{err}")
        return self.proc.returncode, "".join(self.lines) + out, err

    def leftovers(self):
        return sorted(p.name for p in self.tmp.iterdir())


@pytest.mark.parametrize("port", ["99999", "65536", "-1", "-8000"])
def test_serve_refuses_an_impossible_port_in_chinese(golden_copy, tmp_path, port):
    run = Serve(golden_copy, tmp_path, "--port", port)
    code, out, err = run.finish(timeout=30)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "端口" in err and "0" in err and "65535" in err, err
    assert run.leftovers() == []


def test_serve_on_a_port_in_use_says_so_in_chinese(golden_copy, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = Serve(golden_copy, tmp_path, "--port", port)
        code, out, err = run.finish(timeout=30)
    assert code == 2, (out, err)
    assert "Traceback" not in err and "Address already in use" not in err and "已被占用" in err, err
    assert f"--port {port + 1}" in err or "--port" in err
    assert run.leftovers() == []


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on `port`, from /proc/net/tcp and tcp6."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            address, hexport = fields[1].split(":")
            if int(hexport, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_serve_listens_on_loopback_only_and_cleans_up_on_stop(golden_copy, tmp_path, sig):
    run = Serve(golden_copy, tmp_path, "--port", "0")
    port = run.wait_url()
    try:
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == {"0100007F"}          # 127.0.0.1, nothing else
        status, _, body = request(port, "/quanli/xuke/2026-00001/")
        assert status == 200 and b"/__preview/live.js" in body
        assert run.leftovers()                                        # its scratch folder, while it runs
    finally:
        code, out, err = run.finish(sig)
    assert code == 0 and "预览已停止" in out and "Traceback" not in err, (out, err)
    assert run.leftovers() == []


@pytest.mark.parametrize("broken", ["content", "template"])
def test_serve_starts_with_broken_content_and_shows_the_overlay(golden_copy, tmp_path, broken):
    """Nested thousands deep (a content error) or a template recursing without end (an exception
    the build does not expect): the preview starts all the same, and shows what is wrong."""
    if broken == "content":
        item, where = golden_copy / "content/fagui/xuke-3.md", "content/fagui/xuke-3.md"
        good = item.read_text(encoding="utf-8")
        item.write_text(good.replace("status: approved", "status: approved\n" + DEEP_YAML), encoding="utf-8")
    else:
        from generator.config import PROJECT_THEMES
        import shutil
        shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
        item, where = golden_copy / "themes/default/templates/item.html", "themes/default/templates/item.html"
        good = item.read_text(encoding="utf-8")
        item.write_text(RECURSIVE_TEMPLATE + good, encoding="utf-8")
    run = Serve(golden_copy, tmp_path, "--port", "0")
    port = run.wait_url()
    try:
        assert any(where in line for line in run.lines), run.lines
        status = json.loads(request(port, "/__preview/status")[2])
        assert status["ok"] is False and where in status["errors"][0]["text"], status
        code, _, body = request(port, "/")                # nothing good yet: a page that carries the overlay
        page = body.decode("utf-8")
        assert code in (200, 404, 503) and "/__preview/live.js" in page and "错误" in page
        item.write_text(good, encoding="utf-8")            # fixed: the real pages appear
        _wait_for(lambda: request(port, "/")[0] == 200, timeout=15)
        assert json.loads(request(port, "/__preview/status")[2])["ok"] is True
    finally:
        code, out, err = run.finish(signal.SIGINT)
    assert code == 0 and "Traceback" not in err and "RecursionError" not in out + err, (out, err)
    assert run.leftovers() == []


@pytest.mark.parametrize("value,expected", [
    ("127.0.0.1:8000", ("127.0.0.1", 8000)), ("LOCALHOST:8000", ("localhost", 8000)), ("localhost", ("localhost", 80)),
    ("[::1]:8000", ("[::1]", 8000)), ("[::1]", ("[::1]", 80)), ("[::1", None), ("[::1]x", None),
    ("localhost:80a", None), (":8000", None), ("localhost:123456", None), ("", None),
])
def test_host_header_parsing(value, expected):
    from generator.serve import split_host
    assert split_host(value) == expected


def test_bound_to_ipv6_loopback_accepts_its_own_names(site, running):
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        pytest.skip("no IPv6 loopback here")
    server = make_server(site, "::1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        port = server.server_address[1]

        def status(host):
            conn = http.client.HTTPConnection("::1", port, timeout=5)
            conn.putrequest("GET", "/", skip_host=True)
            conn.putheader("Host", host)
            conn.endheaders()
            return conn.getresponse().status
        assert status(f"[::1]:{port}") == 200 and status(f"localhost:{port}") == 200
        assert status(f"127.0.0.1:{port}") == 403 and status(f"evil.example:{port}") == 403
    finally:
        server.shutdown()
        server.server_close()


def test_other_sites_may_link_to_the_preview_but_not_load_from_it(golden_copy):
    """`<script src="http://127.0.0.1:8000/static/kiosk-index.js">` on any site would define
    window.KIOSK_INDEX, held-back items included: browsers say where a request comes from."""
    kiosk = PreviewSite(golden_copy, "kiosk", MOMENT)
    assert kiosk.rebuild().ok
    index = "static/kiosk-index.js"
    assert b'"/quanli/xuke/draft/"' in kiosk.snapshot.output.files[index]     # the preview lists the draft
    server = make_server(kiosk, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        port = server.server_address[1]

        def get(path, **headers):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            return response.status, response.read().decode("utf-8", "replace")
        for site_ in ("cross-site", "same-site"):
            for mode in ("no-cors", "cors", "same-origin"):
                status, body = get("/" + index, **{"Sec-Fetch-Site": site_, "Sec-Fetch-Mode": mode})
                assert status == 403 and "KIOSK_INDEX" not in body and "其他网站" in body, (site_, mode, status)
        assert get("/", **{"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"})[0] == 200   # a link
        assert get("/" + index, **{"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "no-cors"})[0] == 200
        assert get("/" + index, **{"Sec-Fetch-Site": "none", "Sec-Fetch-Mode": "navigate"})[0] == 200
        assert get("/" + index)[0] == 200                          # no Sec-Fetch headers: curl, older browsers
    finally:
        server.shutdown()
        server.server_close()


def test_serve_removes_temp_folders_of_previews_that_were_killed(golden_copy, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    tmp = tmp_path / "tmpdir"
    stale, alive, other = (tmp / f"zwgk-preview-{int(dead.stdout)}-abc", tmp / f"zwgk-preview-{os.getpid()}-xyz",
                           tmp / "zwgk-previewer-1-keep")
    for folder in (stale, alive, other):
        (folder / "index-1").mkdir(parents=True)
    run = Serve(golden_copy, tmp_path, "--port", "0")
    run.wait_url()
    code, out, err = run.finish(signal.SIGINT)
    assert code == 0, (out, err)
    assert run.leftovers() == sorted([alive.name, other.name])     # a running preview's folder stays


def _processes_naming(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            pass
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_stopping_during_search_indexing_leaves_no_files_and_no_processes(golden_copy, tmp_path):
    run = Serve(golden_copy, tmp_path, "--port", "0")
    run.wait_url()
    deadline = time.monotonic() + 20
    while not list(run.tmp.glob("**/search-index-*")):          # the indexer is at work
        assert time.monotonic() < deadline and run.proc.poll() is None, "indexing never started"
        time.sleep(0.005)
    assert _processes_naming(str(run.tmp))
    code, out, err = run.finish(signal.SIGINT)
    assert code == 0, (out, err)
    assert run.leftovers() == []
    time.sleep(0.2)
    assert _processes_naming(str(run.tmp)) == []


# --- edits the watcher names: only the pages that show what changed are evaluated again --------------------

STEADY = 1767225600     # every content file's mtime: 更新日期 falls back to it (the fixture has no git)


@pytest.fixture
def steady(golden_copy):
    for path in (golden_copy / "content").rglob("*"):
        os.utime(path, (STEADY, STEADY))
    preview = PreviewSite(golden_copy, "website", MOMENT)
    assert preview.rebuild().ok
    return preview


def save(path: Path, old: str, new: str) -> set[str]:
    """An editor's save, as the watcher reports it (the file's date kept)."""
    edit(path, old, new)
    os.utime(path, (STEADY, STEADY))
    return {str(path.resolve())}


def full_passes(monkeypatch) -> list:
    from generator.render import Renderer
    calls = []
    original = Renderer.render_all
    monkeypatch.setattr(Renderer, "render_all", lambda self: calls.append(1) or original(self))
    return calls


def assert_as_fresh(preview: PreviewSite, root: Path, **options) -> None:
    """The preview shows exactly what a new preview of the same files shows."""
    fresh = PreviewSite(root, "website", **({"now": MOMENT} | options))
    fresh.rebuild()
    mine, theirs = preview.snapshot, fresh.snapshot
    assert mine.output.files.keys() == theirs.output.files.keys()
    assert [p for p in theirs.output.files if mine.output.files[p] != theirs.output.files[p]] == []
    assert mine.output.copies == theirs.output.copies
    assert [p.text() for p in mine.problems + mine.warnings] == [p.text() for p in theirs.problems + theirs.warnings]


def test_watched_body_edit_renders_its_page_without_a_pass_over_every_item(steady, golden_copy, monkeypatch):
    passes = full_passes(monkeypatch)
    changed = save(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "第三批办理结果（已更正）见下表。")
    stats = steady.rebuild(changed=changed)
    assert (stats.reloaded, stats.rendered, passes) == (1, 1, [])
    assert "已更正" in steady.snapshot.output.files["quanli/xuke/2026-00003/index.html"].decode()
    assert_as_fresh(steady, golden_copy)


def test_watched_title_edit_renders_the_pages_that_show_the_title(steady, golden_copy, monkeypatch):
    passes = full_passes(monkeypatch)
    changed = save(golden_copy / "content/fagui/xuke-3.md", "行政许可事项办理结果公示（第三批）",
                   "行政许可事项办理结果公示（第三批·更正）")
    stats = steady.rebuild(changed=changed)
    assert passes == []
    assert sorted(stats.urls) == sorted([
        "/quanli/xuke/2026-00003/", "/quanli/xuke/2026-00007/", "/quanli/xuke/2026-00002/", "/",
        "/quanli/xuke/", "/quanli/", "/departments/fagui/"])
    assert_as_fresh(steady, golden_copy)


@pytest.mark.parametrize("old, new", [
    ("pub_date: 2026-06-01T08:00:00Z", "pub_date: 2026-06-02T08:00:00Z"),     # moves in the listings
    ("category: \"0204\"", "category: \"0205\""),                              # moves to another address
    ("status: approved", "status: draft"),                                     # held back now
    ("第三批办理结果见下表。", "联系人 13812345678。"),                           # a privacy hit: badge, overlay
])
def test_watched_edits_that_move_or_hold_back_an_item_rebuild_everything(steady, golden_copy, monkeypatch, old, new):
    passes = full_passes(monkeypatch)
    steady.rebuild(changed=save(golden_copy / "content/fagui/xuke-3.md", old, new))
    assert passes == [1]
    assert_as_fresh(steady, golden_copy)


def test_the_clock_passing_an_items_date_rebuilds_everything(golden_copy, monkeypatch):
    for path in (golden_copy / "content").rglob("*"):
        os.utime(path, (STEADY, STEADY))
    clock = [MOMENT]
    preview = PreviewSite(golden_copy, "website", clock=lambda config: clock[0])
    future = golden_copy / "content/fagui/future.md"
    save(future, "pub_date: 2026-12-01", "pub_date: 2026-11-26T12:00:00+08:00")
    assert preview.rebuild().ok
    assert "正式构建不会发布此条目（定时发布" in preview.snapshot.output.files["quanli/xuke/2026-00007/index.html"].decode()
    passes = full_passes(monkeypatch)
    clock[0] = MOMENT.replace(hour=13)          # the same day, past the item's moment
    preview.rebuild(changed=save(golden_copy / "content/fagui/xuke-3.md", "第三批办理结果见下表。", "见下表。"))
    assert passes == [1]
    assert "正式构建不会发布此条目" not in preview.snapshot.output.files["quanli/xuke/2026-00007/index.html"].decode()
    assert_as_fresh(preview, golden_copy, now=clock[0])


def test_watched_edits_of_every_kind_show_what_a_fresh_preview_shows(steady, golden_copy):
    import random
    import re
    rng = random.Random(20261126)
    files = sorted(p for p in (golden_copy / "content").rglob("*.md") if "pages" not in p.parts)
    edits = [(None, "\n新增一段。\n"), ("title", "改过的标题"), ("summary", "新的概述"), ("keywords", "[词一, 词二]"),
             ("doc_no", "示例〔2026〕9号"), ("updated", "2026-03-04"), ("publisher", "另一机构"),
             ("pub_date", "2026-02-03"), ("status", "draft"), ("status", "approved"), (None, "\n见[另一条](索引号:014000184/2026-00001)。\n")]
    for n in range(30):
        paths = rng.sample(files, rng.choice([1, 1, 2]))
        field, value = rng.choice(edits)
        for path in paths:
            text = path.read_text(encoding="utf-8")
            if field is None:
                text += value
            elif re.search(rf"^{field}:", text, re.M):
                text = re.sub(rf"^{field}:.*$", f"{field}: {value}", text, count=1, flags=re.M)
            else:
                text = text.replace("---\n", f"---\n{field}: {value}\n", 1)
            path.write_text(text, encoding="utf-8")
            os.utime(path, (STEADY, STEADY))
        assert steady.rebuild(changed={str(p.resolve()) for p in paths}).ok
        assert_as_fresh(steady, golden_copy)


def test_old_addresses_lead_to_the_new_page_in_the_preview_too(golden_copy, cli, monkeypatch):
    """A changed slug and an alias (as tests/browser/test_redirects.py): the preview serves the redirect
    pages and redirects.json the build makes, and a title edit (the edit path) shows in them."""
    assert cli("check", "--site", golden_copy, "--now", NOW, "--record-urls").code == 0
    item = golden_copy / "content/fagui/xuke-2.md"
    edit(item, "review: collective", "review: collective\nslug: xingshi-pizhun\naliases: [/old/xuke-2/]")
    for path in (golden_copy / "content").rglob("*"):
        os.utime(path, (STEADY, STEADY))
    out = golden_copy.parent / "built"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "-q").code == 0
    preview = PreviewSite(golden_copy, "website", MOMENT, as_published=True)
    assert preview.rebuild().ok
    files = preview.snapshot.output.files
    for page in ("quanli/xuke/2026-00002/index.html", "old/xuke-2/index.html", "redirects.json", "redirects.map"):
        assert files[page] == (out / page).read_bytes(), page
    assert 'url=../xingshi-pizhun/' in files["quanli/xuke/2026-00002/index.html"].decode()
    passes = full_passes(monkeypatch)
    preview.rebuild(changed=save(item, "计量器具型式批准决定", "计量器具型式批准决定（更正）"))
    assert passes == []                                   # the edit path, not a full rebuild
    assert "计量器具型式批准决定（更正）" in preview.snapshot.output.files["old/xuke-2/index.html"].decode()
    assert_as_fresh(preview, golden_copy, as_published=True)
    drafts = PreviewSite(golden_copy, "website", MOMENT)   # held-back items shown: the redirects all the same
    assert drafts.rebuild().ok
    assert "页面已迁移" in drafts.snapshot.output.files["quanli/xuke/2026-00002/index.html"].decode()


def test_an_alias_on_a_held_back_items_address_is_the_alias_error_not_a_clash(golden_copy):
    """The preview draws held-back items too: an alias on the address of one (check's error) must give
    that error at its line, not stop the preview with "two sources" for the redirect page."""
    edit(golden_copy / "content/bangong/caigou-1.md", "\n---", "\naliases: [/neiwu/caigou/2026-00012/]\n---")
    preview = PreviewSite(golden_copy, "website", MOMENT)
    assert preview.rebuild().ok
    texts = [p.text() for p in preview.snapshot.problems]
    assert any(t.startswith("content/bangong/caigou-1.md:") and "旧网址 /neiwu/caigou/2026-00012/ 现在是条目 "
               "content/bangong/caigou-intranet.md的网址，不能再作为别名。" in t for t in texts), texts
    assert not any("两个来源" in t for t in texts)
    assert "页面已迁移" not in preview.snapshot.output.files["neiwu/caigou/2026-00012/index.html"].decode()
