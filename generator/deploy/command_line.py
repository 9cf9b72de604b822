"""The options of deploy, rollback and releases, and their handlers (generator/cli.py adds them).

Settings come from the command line, else from site.toml's [deploy] table (when there is a site.toml).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional

from .. import __version__
from ..config import CONFIG_FILE, DeployToml, load_config
from ..errors import UsageError
from ..messages import program
from . import commands, destination
from .errors import DeployError

EXIT_OK, EXIT_REFUSED = 0, 1
TARGETS = ("website", "intranet", "kiosk")


def add_destination(p) -> None:
    """--site, --to and the SSH options: every command that reaches a deploy folder (deploy, rollback,
    releases, publish)."""
    p.add_argument("--site", default=".", metavar="目录", help="站点根目录（含 site.toml，可在 [deploy] 中写默认设置），默认当前目录")
    p.add_argument("--to", metavar="地址", help="部署文件夹：本机路径 /srv/www/gk，或 SSH 地址 用户@主机:/srv/www/gk、ssh://用户@主机:端口/路径")
    p.add_argument("--identity", metavar="私钥", help="SSH 私钥文件（默认按 ~/.ssh/config）")
    p.add_argument("--known-hosts", metavar="文件", help="核对主机密钥用的 known_hosts 文件（默认 ~/.ssh/known_hosts）")
    p.add_argument("--ssh-config", metavar="文件", help="ssh 配置文件（默认 ~/.ssh/config）")


def add_parsers(sub) -> None:
    where = add_destination

    deploy = sub.add_parser("deploy", help="构建并部署到本局网站服务器（releases/ + current 原子切换）")
    where(deploy)
    deploy.add_argument("--target", choices=TARGETS, help="载体，默认 website")
    deploy.add_argument("--out", metavar="目录", help="部署这个已构建的输出（不再构建）；其构建报告须在旁边：<目录>.report.json")
    deploy.add_argument("--report", metavar="文件", help="与 --out 一起：构建报告的位置")
    deploy.add_argument("--now", metavar="时刻", help="以此时刻构建（ISO 8601）")
    deploy.add_argument("--keep", type=int, metavar="个数", help="保留最新的几个版本，默认 5（线上版本和它前一个总会保留）")
    deploy.add_argument("--check-url", metavar="网址", help="切换后从此网址取回 .zwgk-release.json 核对，不符则切换回去")
    deploy.add_argument("-q", "--quiet", action="store_true", help="构建时只输出错误")
    rollback = sub.add_parser("rollback", help="回滚：把线上版本切换到前一个（或指定的）版本")
    where(rollback)
    rollback.add_argument("--release", metavar="版本", help="切换到这个版本（名称见 releases 命令），默认线上版本的前一个")
    listing = sub.add_parser("releases", help="列出部署文件夹里的版本：构建时刻、提交、载体、条目数、哪个在线")
    where(listing)


def _settings(args):
    """[deploy] of site.toml, when the site has one (a deploy of --out needs none)."""
    if (Path(args.site) / CONFIG_FILE).is_file():
        return load_config(Path(args.site)).deploy or DeployToml()
    return DeployToml()


def _destination(args, settings) -> destination.Destination:
    root = Path(args.site)
    relative = lambda value: str(root / Path(value).expanduser()) if value else None    # noqa: E731
    to = args.to or settings.to
    if not to:
        raise UsageError("缺少 --to（部署到哪里），site.toml 的 [deploy] to 也没有写。")
    return destination.parse(to, args.identity or relative(settings.identity),
                             args.known_hosts or relative(settings.known_hosts),
                             args.ssh_config or relative(settings.ssh_config))


def _refused(exc: DeployError) -> int:
    print(f"{program()}: {exc.message}", file=sys.stderr)
    if exc.hint:
        print(exc.hint, file=sys.stderr)
    return EXIT_REFUSED


def _commit(root: Path) -> Optional[str]:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True)
    except OSError:
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def deploy(args, build: Callable[[argparse.Namespace], int]) -> int:
    """`build` is the CLI's build command: deploy builds exactly as `build --report` does."""
    settings = _settings(args)
    target = args.target or settings.target or "website"
    keep = args.keep if args.keep is not None else settings.keep
    if keep < 2:
        raise UsageError("--keep 至少为 2（线上版本和它前一个总会保留）。")
    if args.report and not args.out:
        raise UsageError("--report 只能与 --out 一起使用（deploy 自己构建时把报告写在输出旁边）。")
    try:
        dest = _destination(args, settings)
        if args.out:
            out_dir = Path(args.out)
            report_file = Path(args.report) if args.report else commands.report_path(out_dir)
        else:
            out_dir = Path(args.site) / "dist" / target
            report_file = commands.report_path(out_dir)
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            code = build(argparse.Namespace(site=args.site, now=args.now, target=target, out=str(out_dir),
                                            report=str(report_file), keep_going=False, quiet=args.quiet,
                                            jobs=0, no_cache=False))
            if code != EXIT_OK:
                print(f"构建未成功，没有部署；{dest.where()} 的网站保持原样。", file=sys.stderr)
                return code
        report = commands.read_report(out_dir, report_file, target)
        dest = destination.connected(dest)         # after the build: one SSH login for every step
        commands.deploy(dest, out_dir, report, keep=keep, check_url=args.check_url or settings.check_url or None,
                        commit=_commit(Path(args.site)), generator=__version__)
    except DeployError as exc:
        return _refused(exc)
    return EXIT_OK


def rollback(args) -> int:
    try:
        commands.rollback(destination.connected(_destination(args, _settings(args))), args.release)
    except DeployError as exc:
        return _refused(exc)
    return EXIT_OK


def releases(args) -> int:
    try:
        dest = destination.connected(_destination(args, _settings(args)))
        sys.stdout.write(commands.releases_table(dest, commands.list_releases(dest)))
    except DeployError as exc:
        return _refused(exc)
    return EXIT_OK
