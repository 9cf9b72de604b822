"""The fingerprint of a release, and the checks that what is live is what was built.

Deploy writes two files into every release, beside the site's own files:
- `.zwgk-manifest`: one line per file, `<SHA-256>  <path>`, sorted by path (the format of
  `sha256sum`, so `cd current && sha256sum -c --quiet .zwgk-manifest` checks a release by hand);
- `.zwgk-release.json`: what was deployed (target, build time, commit, counts) and the
  fingerprint, the SHA-256 of the manifest: one hash over the sorted file list and contents.
"""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from pathlib import Path

from ..messages import network_error_text
from .destination import Destination
from .errors import DeployError

MANIFEST = ".zwgk-manifest"
RELEASE_INFO = ".zwgk-release.json"
META_FILES = (MANIFEST, RELEASE_INFO)


def file_hashes(folder: Path) -> dict[str, str]:
    """Every file below `folder` (relative POSIX path) -> its SHA-256, deploy's own files left out."""
    found = {}
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(folder).as_posix()
            if rel not in META_FILES:
                digest = hashlib.sha256()
                with open(path, "rb") as stream:
                    for block in iter(lambda: stream.read(1 << 20), b""):
                        digest.update(block)
                found[rel] = digest.hexdigest()
    return found


def manifest_text(hashes: dict[str, str]) -> str:
    return "".join(f"{hashes[rel]}  {rel}\n" for rel in sorted(hashes))


def fingerprint(manifest: str) -> str:
    return hashlib.sha256(manifest.encode("utf-8")).hexdigest()


def check_files(dest: Destination, folder: str, expected: dict[str, str]) -> None:
    """DeployError unless `folder` on the destination holds exactly the `expected` files and bytes.
    Checked there (`sha256sum -c` of its manifest, and the number of files): little travels back."""
    found = dest.run(_CHECK_SCRIPT, f"{dest.path}/{folder}", check=False)
    lines = found.splitlines()
    count = next((int(line.split()[1]) for line in lines if line.startswith("count ")), -1)
    bad = sorted(line.rsplit(": ", 1)[0].removeprefix("./") for line in lines if line.endswith(": FAILED")
                 or line.endswith(": FAILED open or read"))
    manifest_ok = "manifest " + fingerprint(manifest_text(expected)) in lines
    if bad or count != len(expected) or not manifest_ok:
        parts = []
        if bad:
            parts.append(f"缺少或内容不符 {len(bad)} 个文件（如 {bad[0]}）")
        if count != len(expected):
            parts.append(f"有 {count} 个文件，应为 {len(expected)} 个")
        if not manifest_ok and not parts:
            parts.append("文件清单不符")
        raise DeployError(f"{dest.where()}/{folder} 与构建结果不一致：{'；'.join(parts)}。",
                          "上传可能不完整或文件被改动。")


# in the release: every file of its manifest has its hash, the number of files, the manifest's own hash
_CHECK_SCRIPT = r'''cd "$1" || exit 3
sha256sum -c --quiet .zwgk-manifest 2>/dev/null
printf 'count %s\n' "$(find . -type f ! -path ./.zwgk-manifest ! -path ./.zwgk-release.json | wc -l)"
printf 'manifest %s\n' "$(sha256sum < .zwgk-manifest | cut -d' ' -f1)"'''


def read_info(dest: Destination, folder: str) -> dict:
    text = dest.run('cat "$1" 2>/dev/null || true', f"{dest.path}/{folder}/{RELEASE_INFO}")
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def check_url(url: str, expected_fingerprint: str, timeout: float = 20) -> None:
    """The web server serves the release: `<url>/.zwgk-release.json` carries its fingerprint."""
    address = url.rstrip("/") + "/" + RELEASE_INFO
    try:
        with urllib.request.urlopen(urllib.request.Request(address, headers={"Cache-Control": "no-cache"}),
                                    timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise DeployError(f"--check-url：{address} 返回 HTTP {exc.code}。",
                          f"请确认网站服务器的根目录是部署文件夹里的 current，并且不拦截 {RELEASE_INFO}。")
    except (urllib.error.URLError, OSError) as exc:
        raise DeployError(f"--check-url：无法访问 {address}（{network_error_text(exc)}）。", "请检查网址和网站服务器。")
    try:
        served = json.loads(body).get("fingerprint")
    except (ValueError, AttributeError):
        served = None
    if served != expected_fingerprint:
        raise DeployError(f"--check-url：{address} 提供的不是刚部署的版本（指纹 {str(served)[:12]}…，应为 {expected_fingerprint[:12]}…）。",
                          "请确认网站服务器的根目录是部署文件夹里的 current（符号链接），且没有缓存旧页面。")
