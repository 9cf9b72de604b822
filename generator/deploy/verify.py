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


# find the files (not deploy's own), hash them: `<hash>  ./<path>` per line
_HASH_SCRIPT = r'''cd "$1" || exit 3
find . -type f ! -path ./.zwgk-manifest ! -path ./.zwgk-release.json -exec sha256sum -- {} +'''


def remote_hashes(dest: Destination, folder: str) -> dict[str, str]:
    """What the destination's `folder` (below the deploy folder) holds, hashed there."""
    text = dest.run(_HASH_SCRIPT, f"{dest.path}/{folder}")
    found = {}
    for line in text.splitlines():
        digest, _, name = line.partition("  ")
        if digest.startswith("\\"):          # sha256sum escapes unusual names; ours are plain
            digest = digest[1:]
        found[name[2:] if name.startswith("./") else name] = digest
    return found


def check_files(dest: Destination, folder: str, expected: dict[str, str]) -> None:
    """DeployError unless `folder` on the destination holds exactly the `expected` files and bytes."""
    found = remote_hashes(dest, folder)
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    changed = sorted(rel for rel in set(expected) & set(found) if expected[rel] != found[rel])
    if missing or extra or changed:
        parts = []
        for label, names in (("缺少", missing), ("多出", extra), ("内容不符", changed)):
            if names:
                parts.append(f"{label} {len(names)} 个文件（如 {names[0]}）")
        raise DeployError(f"{dest.where()}/{folder} 与构建结果不一致：{'；'.join(parts)}。",
                          "上传可能不完整或文件被改动。")


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
        reason = getattr(exc, "reason", exc)
        raise DeployError(f"--check-url：无法访问 {address}（{reason}）。", "请检查网址和网站服务器。")
    try:
        served = json.loads(body).get("fingerprint")
    except (ValueError, AttributeError):
        served = None
    if served != expected_fingerprint:
        raise DeployError(f"--check-url：{address} 提供的不是刚部署的版本（指纹 {str(served)[:12]}…，应为 {expected_fingerprint[:12]}…）。",
                          "请确认网站服务器的根目录是部署文件夹里的 current（符号链接），且没有缓存旧页面。")
