"""deploy, rollback, releases: the steps, in the order that keeps the live site whole.

deploy: check the build report → fingerprint the output → check the deploy folder (its target)
→ upload into releases/.incoming-<name>/ (rsync, --link-dest against the live release) → check
every file's hash there → rename to releases/<name>/ → switch `current` → check the live
release's fingerprint (and --check-url) → on failure switch back → remove old releases.
Killed anywhere, `current` names a complete release: nothing is live before the switch, and
the switch is one rename.
"""
from __future__ import annotations

import json
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from ..messages import how_to_run, python_error_text
from ..views import fmt_size
from . import lock, releases, transfer, verify
from .destination import Destination
from .errors import DeployError

def report_hint() -> str:
    run = how_to_run()
    return f"请用 {run} deploy 直接构建并部署（它会写构建报告），或先运行 {run} build --out 目录 --report 目录.report.json。"


def report_path(out_dir: Path) -> Path:
    """Where deploy writes and looks for an output's build report: beside it, `<output>.report.json`."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}.report.json"


def read_report(out_dir: Path, report_file: Path, target: str) -> dict:
    """The build report of `out_dir`; DeployError unless it is there, for `target`, without errors."""
    if not (out_dir / ".zwgk-output").is_file():
        raise DeployError(f"{out_dir} 不是构建输出（没有标记文件 .zwgk-output）。", report_hint())
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeployError(f"输出 {out_dir} 旁边没有构建报告 {report_file}，不知道它是哪个载体、何时构建、发布了多少条目，所以没有部署。",
                          report_hint())
    except (OSError, ValueError) as exc:
        raise DeployError(f"无法读取构建报告 {report_file}（{python_error_text(exc) if isinstance(exc, OSError) else '不是有效的 JSON'}）。", report_hint())
    if not isinstance(report, dict) or not {"target", "now", "published", "held_back"} <= report.keys():
        raise DeployError(f"{report_file} 不是构建报告。", report_hint())
    if report.get("errors"):
        raise DeployError(f"这次构建有 {len(report['errors'])} 个错误（见构建报告 {report_file}），不能部署。",
                          "请改正错误后重新构建；用 --keep-going 构建的输出也不会部署。网站保持原样。")
    if report["target"] != target:
        raise DeployError(f"构建报告 {report_file} 是“{report['target']}”载体的，不是“{target}”。",
                          "请用 --target 指定与构建相同的载体。")
    for entry in report["published"]:       # the report belongs to this output
        url = str(entry.get("url", "")).lstrip("/")
        page = out_dir / (url + "index.html" if url.endswith("/") or not url else url)
        if not page.is_file():
            raise DeployError(f"构建报告 {report_file} 与输出 {out_dir} 不符（报告中的 /{url} 不在输出里）。",
                              "请重新构建，使报告与输出出自同一次构建。")
    if report["published"] and (out_dir / "search" / "zh-t2s.json").is_file() \
            and not (out_dir / "pagefind" / "parts.json").is_file():
        raise DeployError(f"输出 {out_dir} 没有搜索索引（用 --no-search-index 构建后还没有生成或合并索引），部署后搜索页不能用。",
                          f"请先运行 build.py search-index {out_dir}（或合并各分片：--assemble），再部署。")
    return report


def deploy(dest: Destination, out_dir: Path, report: dict, *, keep: int = 5, check_url: Optional[str] = None,
           commit: Optional[str] = None, generator: str = "", say: Callable[[str], None] = print,
           now: Optional[datetime] = None) -> Optional[str]:
    """Deploy the output; the new release's name (None: the live release is already this one)."""
    with lock.held(dest, "部署", say=say):
        return _deploy(dest, out_dir, report, keep=keep, check_url=check_url, commit=commit, generator=generator,
                       say=say, now=now)


def _deploy(dest: Destination, out_dir: Path, report: dict, *, keep: int, check_url: Optional[str],
            commit: Optional[str], generator: str, say: Callable[[str], None], now: Optional[datetime]) -> Optional[str]:
    target = report["target"]
    hashes = verify.file_hashes(out_dir)
    manifest = verify.manifest_text(hashes)
    fingerprint = verify.fingerprint(manifest)
    state = releases.read_state(dest)
    releases.check_deploy_folder(dest, state, target)
    live_fingerprint = verify.read_info(dest, "current").get("fingerprint") if state.current else None
    if live_fingerprint == fingerprint:
        _remember_manifest(dest, fingerprint, manifest)
        say(f"线上版本 {state.current} 与这次构建完全相同，无需部署。")
        return None
    live_hashes = _known_manifest(dest, live_fingerprint)
    releases.clean_stale(dest)
    if state.target is None:
        releases.record_target(dest, target)
    name = releases.new_name(state, commit, fingerprint, now)
    info = {"format": 1, "name": name, "target": target, "built": report["now"],
            "deployed": (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds"),
            "commit": commit, "published": len(report["published"]), "held_back": len(report["held_back"]),
            "next_change": report.get("next_change"), "files": len(hashes), "fingerprint": fingerprint,
            "generator": generator}
    with tempfile.TemporaryDirectory(prefix="zwgk-deploy-") as meta:
        Path(meta, verify.MANIFEST).write_text(manifest, encoding="utf-8")
        Path(meta, verify.RELEASE_INFO).write_text(json.dumps(info, ensure_ascii=False) + "\n", encoding="utf-8")
        if live_hashes is not None:        # only the changed files travel
            stats = transfer.upload_changes(dest, out_dir, Path(meta), releases.incoming(name), state.current,
                                            live_hashes, hashes)
            try:
                verify.check_files(dest, releases.incoming(name), hashes)
            except DeployError:            # the live release was changed on the server: a full comparison
                live_hashes = None
        if live_hashes is None:
            stats = transfer.upload(dest, [out_dir, Path(meta)], releases.incoming(name), state.current)
            verify.check_files(dest, releases.incoming(name), hashes)
    releases.complete(dest, name)
    releases.switch(dest, name)
    try:
        live = verify.read_info(dest, "current")
        if live.get("fingerprint") != fingerprint:
            raise DeployError(f"切换后 {dest.where()}/current 的指纹与构建不符。", "")
        if check_url:
            verify.check_url(check_url, fingerprint)
    except DeployError as exc:
        if state.current:
            releases.switch(dest, state.current)
            raise DeployError(f"部署后检查未通过：{exc.message}", f"已切换回原来的版本 {state.current}。{exc.hint}")
        raise DeployError(f"部署后检查未通过：{exc.message}", f"这是第一次部署，没有可切换回的版本。{exc.hint}")
    _remember_manifest(dest, fingerprint, manifest)
    state.releases = sorted(state.releases + [name])
    state.current = name
    gone = releases.prune(dest, state, keep)
    say(f"已部署 {target} 到 {dest.where()}：版本 {name}（发布 {info['published']} 个条目，{info['files']} 个文件；"
        f"上传 {stats.transferred} 个文件，传输 {fmt_size(stats.sent)}，用时 {stats.seconds:.1f} 秒）。")
    say(f"current → releases/{name}" + (f"；已删除旧版本 {'、'.join(gone)}" if gone else "") + "。")
    return name


def rollback(dest: Destination, release: Optional[str] = None, say: Callable[[str], None] = print) -> str:
    """Switch `current` to `release` (default: the one before the live one), after checking it whole."""
    with lock.held(dest, "回滚", create=False, say=say):
        return _rollback(dest, release, say)


def _rollback(dest: Destination, release: Optional[str], say: Callable[[str], None]) -> str:
    state = releases.read_state(dest)
    if not state.releases:
        raise DeployError(f"{dest.where()} 里没有任何版本。", f"请先用 {how_to_run()} deploy 部署。")
    if release is None:
        release = state.before(state.current)
        if release is None:
            raise DeployError(f"线上版本 {state.current} 之前没有更早的版本，无法回滚。",
                              f"用 {how_to_run()} releases --to … 查看现有版本。")
    elif release not in state.releases:
        raise DeployError(f"{dest.where()} 里没有版本“{release}”。",
                          "现有版本：" + "、".join(state.releases) + "。")
    if release == state.current:
        say(f"{release} 已经是线上版本，未改动。")
        return release
    manifest = dest.run('cat "$1"', f"{dest.path}/releases/{release}/{verify.MANIFEST}", check=False)
    expected = {}
    for line in manifest.splitlines():
        digest, _, rel = line.partition("  ")
        expected[rel] = digest
    if not expected:
        raise DeployError(f"版本 {release} 没有文件清单 {verify.MANIFEST}，无法确认它是完整的。", "请选择另一个版本。")
    verify.check_files(dest, f"releases/{release}", expected)
    releases.switch(dest, release)
    info = verify.read_info(dest, "current")
    say(f"已回滚：current → releases/{release}（构建于 {info.get('built', '?')}，原线上版本 {state.current or '无'}）。")
    return release


def list_releases(dest: Destination) -> list[dict]:
    """Every release with its information (oldest first); `live` marks the current one."""
    state = releases.read_state(dest)
    out = []
    for name in state.releases:
        info = verify.read_info(dest, f"releases/{name}")
        out.append({**info, "name": name, "live": name == state.current})
    return out


def releases_table(dest: Destination, rows: list[dict]) -> str:
    if not rows:
        return f"{dest.where()} 里还没有任何版本。\n"
    lines = [f"{dest.where()} 的版本（* 为线上版本）：",
             "  版本                          构建时刻                   提交      载体      发布  暂不公开"]
    for row in rows:
        lines.append(f"{'*' if row['live'] else ' '} {row['name']:<30}{str(row.get('built', '?')):<27}"
                     f"{str(row.get('commit') or '-')[:8]:<10}{str(row.get('target', '?')):<10}"
                     f"{row.get('published', '?'):>4}  {row.get('held_back', '?'):>6}")
    return "\n".join(lines) + "\n"


def _manifests(dest: Destination) -> Path:
    """This machine's copies of the manifests it deployed to `dest` (a cache: may be deleted any time)."""
    import hashlib
    import os
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "zwgk" / "deploy" / hashlib.sha1(dest.where().encode()).hexdigest()[:16]


def _known_manifest(dest: Destination, live_fingerprint: Optional[str]) -> Optional[dict[str, str]]:
    """The live release's files and hashes, when this machine deployed it (its manifest is cached)."""
    if not live_fingerprint:
        return None
    try:
        text = (_manifests(dest) / f"{live_fingerprint}.manifest").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if verify.fingerprint(text) != live_fingerprint:
        return None
    found = {}
    for line in text.splitlines():
        digest, _, rel = line.partition("  ")
        found[rel] = digest
    return found


def _remember_manifest(dest: Destination, fingerprint: str, manifest: str) -> None:
    folder = _manifests(dest)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{fingerprint}.manifest").write_text(manifest, encoding="utf-8")
        kept = sorted(folder.glob("*.manifest"), key=lambda p: p.stat().st_mtime)
        for old in kept[:-10]:
            old.unlink(missing_ok=True)
    except OSError:
        pass          # only the next deploy's list of files costs more


