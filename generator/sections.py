"""Editing sections in git: CODEOWNERS from site.toml, and the files a change touched.

Each department (科室) owns one folder of content/; `.github/CODEOWNERS` makes its
reviewers' approval required for changes there. The file is generated, never
edited by hand, and `check` fails when the committed one is out of date.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Optional

from .config import CONFIG_FILE, Config
from .errors import Problems

HEADER = ("# 由 `python build.py codeowners` 根据 site.toml 的 [[sections]] 生成，请勿手工修改。\n"
          "# Generated from site.toml [[sections]] by `python build.py codeowners`; do not edit by hand.\n")


def _git(root: Path, *args: str) -> Optional[str]:
    try:
        return subprocess.run(["git", "-c", "core.quotepath=false", *args], cwd=root, capture_output=True,
                              text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None


def repo_layout(root: Path) -> tuple[Path, str]:
    """(folder that holds .github/, path of the site root inside it with a trailing slash or "")."""
    top = _git(root, "rev-parse", "--show-toplevel")
    prefix = _git(root, "rev-parse", "--show-prefix")
    if top is None or prefix is None:
        return root, ""
    return Path(top.strip()), prefix.strip()


def codeowners_text(config: Config) -> str:
    _, prefix = repo_layout(config.root)
    lines = [HEADER]
    for section in config.sections.values():
        if section.owners:
            lines.append(f"# {section.department}\n/{prefix}content/{section.folder}/ {' '.join(section.owners)}\n")
    return "".join(lines)


def codeowners_path(config: Config) -> Path:
    top, _ = repo_layout(config.root)
    return top / ".github" / "CODEOWNERS"


def write_codeowners(config: Config) -> Path:
    path = codeowners_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(codeowners_text(config), encoding="utf-8")
    return path


def check_codeowners(config: Config, problems: Problems) -> None:
    """An out-of-date CODEOWNERS is an error; a missing one, in a git checkout with owners, a warning."""
    path = codeowners_path(config)
    rel = _site_relative(config, path)
    if not path.exists():
        in_git = _git(config.root, "rev-parse", "--show-toplevel") is not None
        if in_git and any(s.owners for s in config.sections.values()):
            problems.warn(rel, 0, "", "没有 CODEOWNERS 文件，科室文件夹的审核人不会被强制要求。",
                          "请运行 python build.py codeowners 并提交。")
        return
    want = codeowners_text(config).splitlines()
    have = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if want == have:
        return
    line = next((i + 1 for i, (a, b) in enumerate(zip(want, have)) if a != b), min(len(want), len(have)) + 1)
    problems.error(rel, line, "", f"CODEOWNERS 与 {CONFIG_FILE} 的 [[sections]] 不一致。",
                   "请运行 python build.py codeowners 并提交生成的文件。")


def _site_relative(config: Config, path: Path) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def changed_files(root: Path, ref: str) -> Optional[set[str]]:
    """Site-relative paths changed since `ref`: committed, staged, unstaged and new files. None: bad ref."""
    if _git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}") is None:
        return None
    diff = _git(root, "diff", "--name-only", "--relative", "--no-renames", ref, "--", ".") or ""
    new = _git(root, "ls-files", "--others", "--exclude-standard", "--", ".") or ""
    return {p.strip() for p in (diff + new).splitlines() if p.strip()}
