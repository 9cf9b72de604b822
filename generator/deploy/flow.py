"""`build.py bundle`, `apply` and `publish`: the options and handlers (generator/cli.py adds them).

bundle   build (as deploy does) or take a built output with its report, and write one 摆渡包 (bundle.py)
apply    on the other side of 内外网隔离: check the bundle whole, then install it as a release (bundle.py)
publish  for a timer or CI job: update from git, build, deploy only when the output changed,
         and say how long it took from the start to the switch
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Optional

from .. import __version__
from ..clock import parse_now
from .. import schedule
from ..config import CONFIG_FILE, load_config
from ..errors import UsageError
from ..messages import how_to_run
from ..publish import check_file_destination
from . import bundle as bundles, commands, command_line, destination
from .errors import DeployError

EXIT_OK, EXIT_REFUSED = command_line.EXIT_OK, command_line.EXIT_REFUSED
TARGETS = command_line.TARGETS


def add_parsers(sub) -> None:
    made = sub.add_parser("bundle", help="内外网隔离时的摆渡：把一个载体的输出和文件清单打成一个包（tar）")
    made.add_argument("--site", default=".", metavar="目录", help="站点根目录（含 site.toml），默认当前目录")
    made.add_argument("--out", required=True, metavar="文件", help="摆渡包文件，如 gk-website.tar.gz（以 .gz 结尾时压缩）")
    made.add_argument("--target", choices=TARGETS, help="载体，默认 website（或 [deploy] target）")
    made.add_argument("--from", dest="output", metavar="目录", help="打包这个已构建的输出（不再构建）；其构建报告须在旁边：<目录>.report.json")
    made.add_argument("--report", metavar="文件", help="与 --from 一起：构建报告的位置")
    made.add_argument("--now", metavar="时刻", help="以此时刻构建（ISO 8601）")
    made.add_argument("-q", "--quiet", action="store_true", help="构建时只输出错误")

    taken = sub.add_parser("apply", help="在内网一侧安装摆渡包：先校验全部文件，再作为新版本原子切换")
    taken.add_argument("bundle", metavar="摆渡包", help="bundle 命令生成的文件")
    taken.add_argument("--to", required=True, metavar="目录", help="本机的部署文件夹（网站服务器的根目录指向其中的 current）")
    taken.add_argument("--keep", type=int, default=5, metavar="个数", help="保留最新的几个版本，默认 5（线上版本和它前一个总会保留）")
    taken.add_argument("--check-only", action="store_true", help="只校验摆渡包，不安装")

    pub = sub.add_parser("publish", help="定时发布：git 更新、构建，输出有变化时才部署（供 systemd 定时器、cron、GitLab CI、Gitea Actions 使用）")
    command_line.add_destination(pub)
    pub.add_argument("--target", choices=TARGETS, help="载体，默认 website")
    pub.add_argument("--keep", type=int, metavar="个数", help="保留最新的几个版本，默认 5")
    pub.add_argument("--check-url", metavar="网址", help="切换后从此网址取回 .zwgk-release.json 核对，不符则切换回去")
    pub.add_argument("--state", metavar="文件", help="发布状态文件（与 schedule 命令同一格式）：提交未变且未到下次变化时刻时，连构建也跳过")
    pub.add_argument("--no-pull", action="store_true", help="不从 git 更新（CI 已检出最新提交时）")
    pub.add_argument("--now", metavar="时刻", help="以此时刻构建（ISO 8601）")
    pub.add_argument("-q", "--quiet", action="store_true", help="构建时只输出错误")


def _refused(exc: DeployError) -> int:
    return command_line._refused(exc)


def _build_output(args, target: str, build: Callable[[argparse.Namespace], int]) -> Optional[Path]:
    """Build the target into <site>/dist/<target> with its report beside it; None when the build failed."""
    out_dir = Path(args.site) / "dist" / target
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    code = build(argparse.Namespace(site=args.site, now=args.now, target=target, out=str(out_dir),
                                    report=str(commands.report_path(out_dir)), keep_going=False, quiet=args.quiet,
                                    jobs=0, no_cache=False))
    return out_dir if code == EXIT_OK else None


# ------------------------------------------------------------------ bundle / apply


def bundle(args, build: Callable[[argparse.Namespace], int]) -> int:
    settings = command_line._settings(args)
    target = args.target or settings.target or "website"
    if args.report and not args.output:
        raise UsageError("--report 只能与 --from 一起使用（bundle 自己构建时把报告写在输出旁边）。")
    out_file = Path(args.out)
    if out_file.is_dir():
        raise UsageError(f"--out {out_file} 是文件夹；请写摆渡包的文件名，如 gk-{target}.tar.gz。")
    if not out_file.name.endswith((".tar", ".tar.gz", ".tgz")):
        raise UsageError(f"--out 的文件名应以 .tar、.tar.gz 或 .tgz 结尾（实际是 {out_file.name}）。")
    root = Path(args.site)
    theme_dir = load_config(root).theme_dir if (root / CONFIG_FILE).is_file() else None
    # not into the sources nor an output folder; an existing file only when it is an earlier bundle
    check_file_destination(out_file, root, "--out", bundles.is_bundle, "摆渡包", theme_dir=theme_dir, make_parent=True,
                           out_dir=Path(args.output) if args.output else root / "dist" / target)
    try:
        if args.output:
            out_dir = Path(args.output)
            report_file = Path(args.report) if args.report else commands.report_path(out_dir)
        else:
            out_dir = _build_output(args, target, build)
            if out_dir is None:
                print("构建未成功，没有生成摆渡包。", file=sys.stderr)
                return EXIT_REFUSED
            report_file = commands.report_path(out_dir)
        report = commands.read_report(out_dir, report_file, target)
        info = bundles.write(out_dir, report, out_file, commit=command_line._commit(Path(args.site)),
                             generator=__version__)
    except DeployError as exc:
        return _refused(exc)
    print(bundles.describe(info, out_file))
    print(f"拷到内网后运行：{how_to_run()} apply {out_file.name} --to 部署文件夹")
    return EXIT_OK


def apply(args) -> int:
    if args.keep < 2:
        raise UsageError("--keep 至少为 2（线上版本和它前一个总会保留）。")
    try:
        if args.check_only:
            info, manifest = bundles.check(Path(args.bundle))
            print(f"摆渡包完好：{info['target']}，构建于 {info.get('built', '?')}，{len(manifest)} 个文件的 SHA-256 全部正确"
                  f"（指纹 {info['fingerprint'][:12]}…）。")
            return EXIT_OK
        dest = destination.parse(args.to)
        bundles.apply(Path(args.bundle), dest, keep=args.keep, generator=__version__)
    except DeployError as exc:
        return _refused(exc)
    return EXIT_OK


# ------------------------------------------------------------------ publish


def _git(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=timeout, env=env)


def update_from_git(root: Path, say: Callable[[str], None] = print) -> None:
    """`git pull --ff-only` when the site is a git checkout whose branch has an upstream.
    DeployError when the pull fails (nothing is built or deployed then)."""
    try:
        inside = _git(root, "rev-parse", "--is-inside-work-tree")
    except (OSError, subprocess.TimeoutExpired):
        say("未找到 git，跳过更新。")
        return
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        say(f"{root} 不是 git 仓库，跳过更新，直接构建。")
        return
    upstream = _git(root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
    if upstream.returncode != 0:
        say("当前分支没有上游分支（upstream），跳过 git pull，构建当前的提交。")
        return
    before = _git(root, "rev-parse", "HEAD").stdout.strip()
    try:
        pulled = _git(root, "pull", "--ff-only", "--quiet")
    except subprocess.TimeoutExpired:
        raise DeployError(f"从 {upstream.stdout.strip()} 更新（git pull）超时。", "请检查网络和 git 服务器；没有构建，也没有部署，网站保持原样。")
    if pulled.returncode != 0:
        lines = [line for line in (pulled.stderr + pulled.stdout).strip().splitlines() if line.strip()]
        detail = lines[-1] if lines else f"退出码 {pulled.returncode}"
        hint = "没有构建，也没有部署，网站保持原样。"
        if "Not possible to fast-forward" in pulled.stderr or "diverg" in pulled.stderr:
            hint = "本机的提交与远程分叉了（本机有未推送的提交？），只能快进更新。请在本机检查 git status / git log 后处理。" + hint
        elif "overwritten" in pulled.stderr or "local changes" in pulled.stderr:
            hint = "本机有未提交的改动与远程的改动冲突。发布机上的站点文件夹不应直接修改；请检查 git status。" + hint
        raise DeployError(f"从 {upstream.stdout.strip()} 更新失败（git pull --ff-only）：{detail}", hint)
    after = _git(root, "rev-parse", "HEAD").stdout.strip()
    say(f"已从 {upstream.stdout.strip()} 更新：{before[:7]} → {after[:7]}。" if after != before
        else f"已是 {upstream.stdout.strip()} 的最新提交（{after[:7]}）。")


def publish(args, build: Callable[[argparse.Namespace], int]) -> int:
    started = time.monotonic()
    root = Path(args.site)
    try:
        if not args.no_pull:
            update_from_git(root)
        settings = command_line._settings(args)          # site.toml as pulled
        target = args.target or settings.target or "website"
        keep = args.keep if args.keep is not None else settings.keep
        if keep < 2:
            raise UsageError("--keep 至少为 2（线上版本和它前一个总会保留）。")
        dest = command_line._destination(args, settings)
        commit = command_line._commit(root)
        state_file = Path(args.state) if args.state else None
        if state_file is not None and commit:
            now = parse_now(args.now, load_config(root).tz)
            go, why = schedule.needs_build(schedule.read_state(state_file), commit, now)
            if not go:
                print(f"无需发布：{why}。")
                return EXIT_OK
        pulled = time.monotonic()
        out_dir = _build_output(args, target, build)
        if out_dir is None:
            print(f"构建未成功，没有部署；{dest.where()} 的网站保持原样。", file=sys.stderr)
            return EXIT_REFUSED
        built = time.monotonic()
        report = commands.read_report(out_dir, commands.report_path(out_dir), target)
        dest = destination.connected(dest)
        name = commands.deploy(dest, out_dir, report, keep=keep, check_url=args.check_url or settings.check_url or None,
                               commit=commit, generator=__version__)
        switched = time.monotonic()
        if state_file is not None and commit:
            state_file.parent.mkdir(parents=True, exist_ok=True)
            state_file.write_text(json.dumps(schedule.new_state(commit, report, out_dir), ensure_ascii=False, indent=1)
                                  + "\n", encoding="utf-8")
    except DeployError as exc:
        return _refused(exc)
    timing = f"更新 {pulled - started:.1f} 秒，构建 {built - pulled:.1f} 秒，部署 {switched - built:.1f} 秒"
    if name is None:
        print(f"输出的指纹与线上版本相同，没有部署（共用时 {switched - started:.1f} 秒：{timing}）。")
    else:
        print(f"从开始到切换完成用时 {switched - started:.1f} 秒（{timing}）。")
    if report.get("next_change"):
        print(f"下次变化：{report['next_change']}（届时需要再次发布）。")
    return EXIT_OK
