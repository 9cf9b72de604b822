"""Scheduled publishing: should this run deploy?

A scheduled run knows nothing has come due when the commit is the one last
deployed and `now` is still before the `next_change` that deploy reported: it
skips even the build. Otherwise it builds; because builds are deterministic, an
output whose fingerprint equals the deployed one needs no deploy either.
The state is a small JSON file the workflow keeps between runs (actions/cache).
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Optional


def fingerprint(folder: Path) -> str:
    """One hash over every output file's path and bytes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def needs_build(state: dict, sha: str, now: datetime) -> tuple[bool, str]:
    """Before building: (build?, why)."""
    if not state:
        return True, "没有上次发布的记录"
    if state.get("sha") != sha:
        return True, "内容有新的提交"
    due = state.get("next_change")
    if due and datetime.fromisoformat(due) <= now:
        return True, f"已到 {due}，有条目到期发布或失效"
    return False, "内容未变，且尚无条目到期" + (f"（下次变化 {due}）" if due else "")


def needs_deploy(state: dict, output: Path) -> tuple[bool, str]:
    """After building: (deploy?, why), comparing output fingerprints."""
    if state.get("fingerprint") == fingerprint(output):
        return False, "构建结果与上次发布的完全相同"
    return True, "构建结果有变化"


def new_state(sha: str, report: dict, output: Path) -> dict:
    return {"sha": sha, "next_change": report.get("next_change"), "fingerprint": fingerprint(output),
            "now": report.get("now")}


def decide(state_file: Path, sha: str, now: datetime, report_file: Optional[Path] = None,
           output: Optional[Path] = None) -> tuple[bool, str, Optional[dict]]:
    """Without a report: the pre-build decision. With report and output: the deploy decision and the new state."""
    state = read_state(state_file)
    if report_file is None or output is None:
        build, why = needs_build(state, sha, now)
        return build, why, None
    report = json.loads(report_file.read_text(encoding="utf-8"))
    deploy, why = needs_deploy(state, output)
    return deploy, why, new_state(sha, report, output)
