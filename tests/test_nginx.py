"""docs/examples/nginx.conf in front of a real nginx (Debian's package), as the bureau's server runs it.

The example file is used as it is shipped; only its four site-specific values are replaced (the port,
the publish folder), each of which must occur exactly as documented. nginx runs as the current user on
127.0.0.1 on a free port, with its prefix, pid, logs and temp folders in a temporary folder, in front of
the website output laid out as a deployment: releases/A/, releases/B/ and current -> releases/A.
Checked: pages and index.html under the base_url's subpath /zwgk/, the 404 page, directory redirects,
Cache-Control (short for HTML, long for Pagefind's hashed files), gzip, robots.txt at the host root,
and that switching `current` atomically to releases/B is served at once, without a reload.
Skipped, saying why, only when nginx is not installed or cannot start here.
"""
from __future__ import annotations

import gzip
import http.client
import os
import pwd
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from support import GOLDEN_SITE, NOW, ROOT

from generator.cli import main

EXAMPLE = ROOT / "docs" / "examples" / "nginx.conf"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
BASE_URL = "https://www.example.gov.cn/zwgk/"      # the example's subpath
LATER = "2026-12-02T08:00:00+08:00"                # release B: the golden site's future item is out
FUTURE_ITEM = "/zwgk/quanli/xuke/2026-00007/"      # golden future.md: pub_date 2026-12-01
SHORT = "public, max-age=300"
LONG = "public, max-age=31536000, immutable"


def build_release(site: Path, out: Path, now: str) -> None:
    assert main(["build", "--site", str(site), "--now", now, "--out", str(out), "--quiet"]) == 0


def switch(deploy: Path, release: str) -> None:
    """current -> releases/<release>, atomically: a new link under a temporary name, renamed over it."""
    temporary = deploy / ".current.tmp"
    if temporary.is_symlink():
        temporary.unlink()
    temporary.symlink_to(Path("releases") / release)
    os.replace(temporary, deploy / "current")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_config(deploy: Path, port: int) -> str:
    """The shipped example with its site-specific values replaced; each must be there exactly once
    or as often as documented, so that the file under test is the file the manual tells admins to copy."""
    text = EXAMPLE.read_text(encoding="utf-8")
    directives = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    assert directives.count("listen 80;") == 1
    assert directives.count("/srv/www/zwgk/current") == 2     # robots.txt and the site's alias
    text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return text.replace("/srv/www/zwgk", str(deploy))


class Nginx:
    def __init__(self, prefix: Path, port: int, process: subprocess.Popen):
        self.prefix, self.port, self.process = prefix, port, process

    def get(self, path: str, gzip_ok: bool = False, host: str = "www.example.gov.cn"):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": host}
        if gzip_ok:
            headers["Accept-Encoding"] = "gzip"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body


def start_nginx(prefix: Path, site_conf: str, port: int) -> Nginx:
    if NGINX is None:
        pytest.skip("nginx 未安装：make test 会从 Debian 安装 nginx 软件包（apt-get install nginx）")
    for folder in ("logs", "temp", "conf"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    (prefix / "conf" / "zwgk.conf").write_text(site_conf, encoding="utf-8")
    user = ""
    if os.geteuid() == 0:          # as root nginx would hand its workers to `nobody`: keep the current user
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    temp = prefix / "temp"
    (prefix / "conf" / "nginx.conf").write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {prefix / 'nginx.pid'};\n"
        f"error_log {prefix / 'logs' / 'error.log'} info;\n"
        "events { worker_connections 64; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {prefix / 'logs' / 'access.log'};\n"
        f"    client_body_temp_path {temp / 'body'};\n    proxy_temp_path {temp / 'proxy'};\n"
        f"    fastcgi_temp_path {temp / 'fastcgi'};\n    uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"    scgi_temp_path {temp / 'scgi'};\n"
        f"    include {prefix / 'conf' / 'zwgk.conf'};\n"
        "}\n", encoding="utf-8")
    command = [NGINX, "-p", str(prefix), "-e", str(prefix / "logs" / "error.log"), "-c", str(prefix / "conf" / "nginx.conf")]
    check = subprocess.run(command + ["-t"], capture_output=True, text=True)
    if check.returncode != 0:
        if "syntax is ok" not in check.stderr:
            pytest.fail(f"docs/examples/nginx.conf 未通过 nginx -t：\n{check.stderr}")
        pytest.skip(f"nginx 无法在本机启动：{check.stderr.strip()}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.skip(f"nginx 无法在本机启动：{process.stderr.read().decode(errors='replace').strip()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return Nginx(prefix, port, process)
        except OSError:
            time.sleep(0.05)
    process.kill()
    pytest.skip("nginx 在 10 秒内没有开始监听")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nginx")
    site = folder / "site"
    shutil.copytree(GOLDEN_SITE, site)
    toml = site / "site.toml"
    text = toml.read_text(encoding="utf-8")
    text, changed = re.subn(r'(?m)^base_url = ".*"$', f'base_url = "{BASE_URL}"', text)
    assert changed == 1
    toml.write_text(text, encoding="utf-8")
    deploy = folder / "srv"
    build_release(site, deploy / "releases" / "A", NOW)
    build_release(site, deploy / "releases" / "B", LATER)
    switch(deploy, "A")
    port = free_port()
    nginx = start_nginx(folder / "nginx", site_config(deploy, port), port)
    nginx.deploy = deploy
    yield nginx
    nginx.process.terminate()
    try:
        nginx.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        nginx.process.kill()
        nginx.process.wait()


def release(server, name: str) -> Path:
    return server.deploy / "releases" / name


def test_pages_under_the_subpath_with_index_html(server):
    response, body = server.get("/zwgk/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert body == (release(server, "A") / "index.html").read_bytes()
    response, body = server.get("/zwgk/quanli/xuke/2026-00001/")
    assert response.status == 200
    assert body == (release(server, "A") / "quanli/xuke/2026-00001/index.html").read_bytes()
    response, _ = server.get("/zwgk/quanli/xuke")                   # a folder without its slash
    assert response.status == 301
    assert response.getheader("Location") == "/zwgk/quanli/xuke/"
    response, _ = server.get("/")                                    # the host root leads to the site
    assert response.status == 302 and response.getheader("Location") == "/zwgk/"
    response, body = server.get("/zwgk/static/site.css")
    assert response.status == 200 and response.getheader("Content-Type").startswith("text/css")
    response, body = server.get("/zwgk/feed.xml")
    assert response.status == 200 and body == (release(server, "A") / "feed.xml").read_bytes()


def test_missing_pages_get_the_sites_404_page(server):
    for path in ("/zwgk/no/such/page/", "/zwgk/quanli/xuke/2099-99999/", "/zwgk/missing.pdf"):
        response, body = server.get(path)
        assert response.status == 404, path
        assert body == (release(server, "A") / "404.html").read_bytes()
    assert "页面不存在" in body.decode("utf-8") or "404" in body.decode("utf-8")
    assert BASE_URL in body.decode("utf-8")                         # its links are absolute: any depth works
    response, _ = server.get(FUTURE_ITEM)                            # held back at A's moment: no page
    assert response.status == 404


def test_cache_headers_short_for_html_long_for_hashed_search_files(server):
    assert server.get("/zwgk/")[0].getheader("Cache-Control") == SHORT
    assert server.get("/zwgk/quanli/")[0].getheader("Cache-Control") == SHORT
    assert server.get("/zwgk/sitemap.xml")[0].getheader("Cache-Control") == SHORT
    assert server.get("/zwgk/static/site.css")[0].getheader("Cache-Control") == "public, max-age=3600"
    pagefind = release(server, "A") / "pagefind"
    hashed = sorted(p for p in pagefind.rglob("*") if p.suffix in (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta"))
    assert {p.suffix for p in hashed} == {".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta"}
    for path in hashed:
        response, body = server.get("/zwgk/" + path.relative_to(release(server, "A")).as_posix())
        assert response.status == 200, path
        assert response.getheader("Cache-Control") == LONG, path
        assert body == path.read_bytes()
    for name in ("pagefind.js", "pagefind-entry.json", "parts.json"):    # fixed names: short
        if (pagefind / name).exists():
            response, _ = server.get(f"/zwgk/pagefind/{name}")
            assert response.status == 200 and response.getheader("Cache-Control") == SHORT, name


def test_gzip_for_text_and_not_for_pagefinds_compressed_files(server):
    for path, file in (("/zwgk/", "index.html"), ("/zwgk/static/site.css", "static/site.css"),
                       ("/zwgk/catalogue.json", "catalogue.json")):
        response, body = server.get(path, gzip_ok=True)
        assert response.getheader("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in (response.getheader("Vary") or "")
        assert gzip.decompress(body) == (release(server, "A") / file).read_bytes()
    response, body = server.get("/zwgk/", gzip_ok=False)
    assert response.getheader("Content-Encoding") is None
    fragment = next((release(server, "A") / "pagefind" / "fragment").iterdir())
    response, body = server.get(f"/zwgk/pagefind/fragment/{fragment.name}", gzip_ok=True)
    assert response.getheader("Content-Encoding") is None and body == fragment.read_bytes()


def test_robots_txt_at_the_host_root(server):
    expected = (release(server, "A") / "robots.txt").read_bytes()
    response, body = server.get("/robots.txt")
    assert response.status == 200 and body == expected
    assert response.getheader("Content-Type").startswith("text/plain")
    assert f"Sitemap: {BASE_URL}sitemap.xml".encode() in body


def test_switching_current_is_served_without_reloading_nginx(server):
    """Last in this module: it leaves `current` on B."""
    master = int((server.prefix / "nginx.pid").read_text().strip())
    assert server.get(FUTURE_ITEM)[0].status == 404
    home_a = server.get("/zwgk/")[1]
    switch(server.deploy, "B")
    assert os.readlink(server.deploy / "current") == "releases/B"
    response, body = server.get(FUTURE_ITEM)
    assert response.status == 200
    assert body == (release(server, "B") / FUTURE_ITEM.removeprefix("/zwgk/") / "index.html").read_bytes()
    home_b = server.get("/zwgk/")[1]
    assert home_b == (release(server, "B") / "index.html").read_bytes() != home_a
    assert server.get("/robots.txt")[0].status == 200
    # and back: a rollback is the same switch
    switch(server.deploy, "A")
    assert server.get(FUTURE_ITEM)[0].status == 404
    switch(server.deploy, "B")
    # the same master process, never signalled to reload (no "reconfiguring" in its log)
    assert int((server.prefix / "nginx.pid").read_text().strip()) == master == server.process.pid
    assert server.process.poll() is None
    assert "reconfiguring" not in (server.prefix / "logs" / "error.log").read_text(errors="replace")
