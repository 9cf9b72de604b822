"""`build.py bundle` and `build.py apply`: carry a release across 内外网隔离 (摆渡) as one file.

The bundle is a tar archive (gzip-compressed when its name ends in .gz/.tgz), deterministic: the
same output gives the same bytes (sorted entries, fixed times, owner 0, modes 644/755, no gzip
time or name). Its members, in this order:

    zwgk-bundle.json     what it holds: target, build time, commit, item counts, files, fingerprint
    zwgk-manifest        one line per file, `<SHA-256>  <path>` (deploy's .zwgk-manifest, sha256sum's format)
    site/<path> …        the output's files, sorted by path

The fingerprint is the SHA-256 of the manifest, as deploy computes it, so a release applied from
a bundle and one deployed directly from the same output are the same release.

`apply` reads the whole archive once and checks everything before anything changes: every
member a plain file under site/ (no absolute path, no `..`, no link, device or FIFO), every file
in the manifest and its SHA-256 right, nothing more. Only then it writes the release beside the
live one (releases/.incoming-<name>/, never served), checks it on disk again, and switches
`current` with releases.py: the same layout, atomic switch, rollback and pruning as deploy.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import zlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from ..messages import how_to_run, os_error_text
from . import lock, releases, verify
from .destination import Destination
from .errors import DeployError

INFO = "zwgk-bundle.json"
MANIFEST = "zwgk-manifest"
PREFIX = "site/"
FORMAT = 1
_BROKEN = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError)


def bundle_hint() -> str:
    return f"请在外网一侧重新运行 {how_to_run()} bundle，重新拷贝后再 apply。线上网站保持原样。"


def _compressed(path: Path) -> bool:
    return path.name.endswith((".gz", ".tgz"))


def _epoch(iso: str) -> int:
    try:
        return int(datetime.fromisoformat(iso).timestamp())
    except (TypeError, ValueError):
        return 0


def write(out_dir: Path, report: dict, out_file: Path, *, commit: Optional[str] = None,
          generator: str = "") -> dict:
    """Write the bundle of `out_dir` (checked with its `report`) to `out_file`, whole or not at all.
    Returns its information (zwgk-bundle.json)."""
    hashes = verify.file_hashes(out_dir)
    manifest = verify.manifest_text(hashes)
    info = {"format": FORMAT, "target": report["target"], "built": report["now"], "commit": commit,
            "published": len(report["published"]), "held_back": len(report["held_back"]),
            "next_change": report.get("next_change"), "files": len(hashes),
            "fingerprint": verify.fingerprint(manifest), "generator": generator}
    mtime = _epoch(report["now"])
    out_file = out_file.absolute()
    out_file.parent.mkdir(parents=True, exist_ok=True)
    temp = out_file.parent / f".{out_file.name}.{os.getpid()}.tmp"
    try:
        with open(temp, "wb") as raw:
            stream = gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) if _compressed(out_file) else raw
            with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
                def add(name: str, data: Optional[bytes] = None, path: Optional[Path] = None) -> None:
                    member = tarfile.TarInfo(name)
                    member.size = len(data) if data is not None else path.stat().st_size
                    member.mtime, member.mode, member.uid, member.gid, member.uname, member.gname = mtime, 0o644, 0, 0, "", ""
                    if data is not None:
                        tar.addfile(member, io.BytesIO(data))
                    else:
                        with open(path, "rb") as source:
                            tar.addfile(member, source)
                add(INFO, (json.dumps(info, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8"))
                add(MANIFEST, manifest.encode("utf-8"))
                for rel in sorted(hashes):
                    add(PREFIX + rel, path=out_dir / rel)
            if stream is not raw:
                stream.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, out_file)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return info


def is_bundle(path: Path) -> bool:
    """A bundle this program wrote (its first member is zwgk-bundle.json): `bundle --out` may replace it."""
    try:
        with tarfile.open(path, mode="r:*") as tar:
            first = tar.next()
            return first is not None and first.name == INFO
    except _BROKEN:
        return False


def _bad(bundle: Path, what: str) -> DeployError:
    return DeployError(f"摆渡包 {bundle} 未通过校验：{what}。没有改动任何文件。", bundle_hint())


def _safe_rel(name: str) -> Optional[str]:
    """The output path of a member named `name`, or None when it may not be written."""
    if not name.startswith(PREFIX) or "\0" in name or "\\" in name:
        return None
    rel = name[len(PREFIX):]
    parts = rel.split("/")
    if not rel or any(part in ("", ".", "..") for part in parts) or rel in verify.META_FILES:
        return None
    return rel


def _parse_manifest(text: str) -> dict[str, str]:
    hashes = {}
    for line in text.splitlines():
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64 or rel in hashes:
            raise ValueError(line)
        hashes[rel] = digest
    return hashes


def _members(bundle: Path, tar: tarfile.TarFile):
    """The archive's members, in order; every kind of damage as DeployError."""
    last = "（开头）"
    while True:
        try:
            member = tar.next()
        except _BROKEN:
            raise _bad(bundle, f"归档在 {last} 之后损坏或不完整")
        if member is None:
            return
        last = member.name
        yield member


def _read(bundle: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, sink=None) -> tuple[str, bytes]:
    """The member's SHA-256 (and its bytes when `sink` is None; else each block goes to `sink`)."""
    digest, kept = hashlib.sha256(), []
    try:
        stream = tar.extractfile(member)
        while True:
            block = stream.read(1 << 20)
            if not block:
                break
            digest.update(block)
            if sink is None:
                kept.append(block)
            else:
                sink(block)
    except _BROKEN:
        raise _bad(bundle, f"文件 {member.name} 不完整或损坏")
    return digest.hexdigest(), b"".join(kept)


def check(bundle: Path) -> tuple[dict, dict[str, str]]:
    """Read the whole bundle and check it; nothing is written. Returns (information, manifest).
    DeployError naming the first member that failed."""
    try:
        tar = tarfile.open(bundle, mode="r:*")
    except FileNotFoundError:
        raise DeployError(f"找不到摆渡包 {bundle}。", "请写 bundle 命令生成的文件的路径。")
    except _BROKEN:
        raise _bad(bundle, "不是完整的 tar 归档")
    info = manifest = None
    seen: set[str] = set()
    folders: set[str] = set()
    with tar:
        for member in _members(bundle, tar):
            if info is None or manifest is None:      # the first two members, in this order
                wanted = INFO if info is None else MANIFEST
                if member.name != wanted or not member.isreg():
                    raise _bad(bundle, f"第一个成员应为 {INFO}，第二个应为 {MANIFEST}，实际是 {member.name}")
                if member.size > 256 << 20:
                    raise _bad(bundle, f"{member.name} 过大（{member.size} 字节）")
                _, data = _read(bundle, tar, member)
                try:
                    if info is None:
                        info = json.loads(data.decode("utf-8"))
                        if not isinstance(info, dict) or info.get("format") != FORMAT or not {
                                "target", "fingerprint", "files"} <= info.keys():
                            raise ValueError(INFO)
                    else:
                        manifest = _parse_manifest(data.decode("utf-8"))
                        if verify.fingerprint(data.decode("utf-8")) != info["fingerprint"] or len(manifest) != info["files"]:
                            raise _bad(bundle, f"{MANIFEST} 与 {INFO} 的指纹或文件数不符")
                except (ValueError, UnicodeDecodeError):
                    raise _bad(bundle, f"{member.name} 不是有效的摆渡包说明")
                continue
            if member.isdir() and _safe_rel(member.name.rstrip("/")):
                continue
            rel = _safe_rel(member.name)
            if rel is None:
                raise _bad(bundle, f"成员 {member.name} 的路径不安全（须在 {PREFIX} 下，不能是绝对路径或含 ..）")
            if not member.isreg():
                kind = "符号链接" if member.issym() else "硬链接" if member.islnk() else "设备文件" if (
                    member.ischr() or member.isblk()) else "特殊文件（如命名管道）"
                raise _bad(bundle, f"成员 {member.name} 是{kind}，摆渡包只能包含普通文件")
            if rel in seen:
                raise _bad(bundle, f"文件 {rel} 在归档中出现了两次")
            if rel not in manifest:
                raise _bad(bundle, f"文件 {rel} 不在文件清单里")
            digest, _ = _read(bundle, tar, member, sink=lambda block: None)
            if digest != manifest[rel]:
                raise _bad(bundle, f"文件 {rel} 的 SHA-256 与清单不符（已损坏或被改动）")
            seen.add(rel)
            parts = rel.split("/")
            folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
        try:          # a compressed bundle is read to its very end: gzip's own length and CRC-32 checked too
            while tar.fileobj.read(1 << 20):
                pass
        except _BROKEN:
            raise _bad(bundle, "归档末尾不完整或损坏")
    if info is None or manifest is None:
        raise _bad(bundle, "归档里没有摆渡包说明，或它被截断了")
    missing = sorted(set(manifest) - seen)
    if missing:
        raise _bad(bundle, f"缺少 {len(missing)} 个文件（如 {missing[0]}），归档可能被截断")
    clash = sorted(folders & seen)
    if clash:
        raise _bad(bundle, f"{clash[0]} 既是文件又是文件夹")
    return info, manifest


def _extract(bundle: Path, root: Path, manifest: dict[str, str], live: Optional[Path],
             live_hashes: dict[str, str]) -> None:
    """Write the files into `root` (a new folder). A file the live release has with the same hash
    becomes a hard link to it (the releases share their unchanged files, as with deploy)."""
    root.mkdir(mode=0o755)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with tarfile.open(bundle, mode="r:*") as tar:
        for member in _members(bundle, tar):
            rel = _safe_rel(member.name)
            if rel is None or not member.isreg():
                continue
            target = root / rel
            target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
            if live is not None and live_hashes.get(rel) == manifest[rel]:
                try:
                    os.link(live / rel, target, follow_symlinks=False)
                    continue
                except OSError:
                    pass
            handle = os.open(target, flags, 0o644)
            with os.fdopen(handle, "wb") as out:
                _read(bundle, tar, member, sink=out.write)


def apply(bundle: Path, dest: Destination, *, keep: int = 5, generator: str = "",
          say: Callable[[str], None] = print, now: Optional[datetime] = None) -> Optional[str]:
    """Install the bundle as a new release in the local deploy folder `dest`; its name
    (None: the live release is already this one)."""
    if dest.remote:
        raise DeployError("apply 只能安装到本机（或挂载到本机）的文件夹。",
                          f"请把摆渡包拷到网站服务器上，在那里运行 {how_to_run()} apply 包 --to /srv/www/gk。")
    info, manifest = check(bundle)                 # everything checked before anything changes
    say(f"摆渡包已校验：{info['target']}，构建于 {info.get('built', '?')}，{len(manifest)} 个文件的 SHA-256 全部正确"
        f"（指纹 {info['fingerprint'][:12]}…）。")
    with lock.held(dest, "安装摆渡包", say=say):
        return _install(bundle, info, manifest, dest, keep=keep, generator=generator, say=say, now=now)


def _install(bundle: Path, info: dict, manifest: dict, dest: Destination, *, keep: int, generator: str,
             say: Callable[[str], None], now: Optional[datetime]) -> Optional[str]:
    target, fingerprint = info["target"], info["fingerprint"]
    state = releases.read_state(dest)
    releases.check_deploy_folder(dest, state, target)
    live_info = verify.read_info(dest, "current") if state.current else {}
    if live_info.get("fingerprint") == fingerprint:
        say(f"线上版本 {state.current} 与摆渡包完全相同，无需安装。")
        return None
    releases.clean_stale(dest)
    if state.target is None:
        releases.record_target(dest, target)
    name = releases.new_name(state, info.get("commit"), fingerprint, now)
    release_info = {"format": 1, "name": name, "target": target, "built": info.get("built"),
                    "deployed": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds"),
                    "commit": info.get("commit"), "published": info.get("published"), "held_back": info.get("held_back"),
                    "next_change": info.get("next_change"), "files": len(manifest), "fingerprint": fingerprint,
                    "generator": info.get("generator") or generator, "via": "bundle"}
    root = Path(dest.path)
    incoming = root / releases.incoming(name)
    live = root / "releases" / state.current if state.current else None
    live_hashes = _live_hashes(live) if live is not None else {}
    for attempt in (live_hashes, {}):              # with links to the live release; if that fails, without
        try:
            _extract(bundle, incoming, manifest, live if attempt else None, attempt)
        except OSError as exc:
            _remove(incoming)
            raise DeployError(f"无法写入 {incoming}：{os_error_text(exc)}。", "请检查部署文件夹的权限和磁盘空间。网站仍是原来的版本。")
        (incoming / verify.MANIFEST).write_text(verify.manifest_text(manifest), encoding="utf-8")
        (incoming / verify.RELEASE_INFO).write_text(json.dumps(release_info, ensure_ascii=False) + "\n", encoding="utf-8")
        _sync(incoming)
        try:
            verify.check_files(dest, releases.incoming(name), manifest)
            break
        except DeployError:
            _remove(incoming)
            if not attempt:
                raise
    releases.complete(dest, name)
    releases.switch(dest, name)
    if verify.read_info(dest, "current").get("fingerprint") != fingerprint:
        if state.current:
            releases.switch(dest, state.current)
        raise DeployError(f"切换后 {dest.where()}/current 的指纹与摆渡包不符。",
                          f"已切换回原来的版本 {state.current}。" if state.current else "")
    state.releases = sorted(state.releases + [name])
    state.current = name
    gone = releases.prune(dest, state, keep)
    say(f"已安装摆渡包到 {dest.where()}：版本 {name}（{target}，发布 {info.get('published', '?')} 个条目，{len(manifest)} 个文件）。")
    say(f"current → releases/{name}" + (f"；已删除旧版本 {'、'.join(gone)}" if gone else "") + "。")
    return name


def _live_hashes(live: Path) -> dict[str, str]:
    try:
        return _parse_manifest((live / verify.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}


def _sync(folder: Path) -> None:
    """The release's bytes on disk before it can be switched to (a power cut after the switch)."""
    try:
        os.sync()
    except (AttributeError, OSError):
        pass


def _remove(folder: Path) -> None:
    import shutil
    shutil.rmtree(folder, ignore_errors=True)


def describe(info: dict, out_file: Path) -> str:
    size = out_file.stat().st_size
    shown = f"{size / 1048576:.1f} MB" if size >= 1048576 else f"{size / 1024:.1f} KB"
    return (f"已写入摆渡包 {out_file}（{info['target']}，构建于 {info['built']}，发布 {info['published']} 个条目，"
            f"{info['files']} 个文件，{shown}；指纹 {info['fingerprint'][:12]}…）。")
