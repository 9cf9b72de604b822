"""The command line: parse arguments, read the clock once, call the pipeline, exit 0/1/2.

This is the only place that reads the current time; everything below gets `now`.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import date, datetime
from pathlib import Path
from typing import Optional
from zoneinfo import ZoneInfo

from .config import load_config
from .content import load_content
from .errors import ConfigError, Problem, Problems
from . import schedule
from .scaffold import new_item
from .workers import default_workers
from .sections import changed_files, check_codeowners, repo_layout, write_codeowners
from .pipeline import Progress, build_site, plan_target, privacy_errors, report
from .visibility import TARGETS, decide

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # argparse exits 2 too; keep its words, in our format
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="build.py", description="政务公开目录静态网站生成器")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p):
        p.add_argument("--site", default=".", help="站点根目录（含 site.toml），默认当前目录")
        p.add_argument("--now", help="以此时刻构建（ISO 8601，如 2026-11-26T08:00:00+08:00），用于可重复构建")

    build = sub.add_parser("build", help="构建网站（默认命令）")
    common(build)
    build.add_argument("--target", default="website", choices=TARGETS)
    build.add_argument("--out", help="输出文件夹，默认 <站点>/dist/<target>")
    build.add_argument("--report", help="把构建报告（JSON）写到此文件")
    build.add_argument("--keep-going", action="store_true", help="有错误的条目暂不公开，其余照常发布")
    build.add_argument("-q", "--quiet", action="store_true", help="只输出错误")
    build.add_argument("--jobs", type=int, default=0, help="并行渲染的进程数，默认为 CPU 核数")
    build.add_argument("--no-cache", action="store_true", help="不复用上次构建的页面（全部重新渲染）")

    check = sub.add_parser("check", help="只检查内容，不输出网站（拉取请求的把关）")
    common(check)
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--changed-since", metavar="REF", help="只报告自该 git 版本以来改动的文件的问题（全站规则照常检查）")
    check.add_argument("files", nargs="*", help="只报告这些文件的问题（全站规则照常检查）")

    owners = sub.add_parser("codeowners", help="根据 site.toml 的科室生成 .github/CODEOWNERS")
    owners.add_argument("--site", default=".")

    sched = sub.add_parser("schedule", help="定时发布：判断本次是否需要构建/部署（供 publish.yml 使用）")
    common(sched)
    sched.add_argument("--state", required=True, help="上次发布的状态文件（JSON）")
    sched.add_argument("--sha", required=True, help="本次的 git 提交")
    sched.add_argument("--report", help="本次构建报告；与 --output 一起给出时判断是否部署，并更新状态文件")
    sched.add_argument("--output", help="本次构建的输出文件夹")

    new = sub.add_parser("new", help="新建一个草稿条目（自动取下一个索引号）")
    common(new)
    new.add_argument("section", help="科室文件夹，如 fagui")
    new.add_argument("--category", required=True, help="目录分类代码或名称，如 0204")
    new.add_argument("--title", required=True, help="标题")

    comp = sub.add_parser("compliance", help="公开时限报告：超期、逾期、待更新、即将失效（信息，退出码为 0）")
    common(comp)
    comp.add_argument("--format", choices=("text", "json", "html"), default="text")
    annual = sub.add_parser("annual-report", help="政府信息公开工作年度报告所需的目录统计")
    common(annual)
    annual.add_argument("--year", type=int, help="年份，默认上一年")
    annual.add_argument("--format", choices=("text", "json"), default="text")
    arch = sub.add_parser("archive", help="把已失效、已废止、已撤回的条目打包归档（zip，含 CSV 索引）")
    common(arch)
    arch.add_argument("--until", required=True, help="截至此日期（或时刻）已失效、废止、撤回的条目")
    arch.add_argument("--out", required=True, help="输出的 zip 文件")

    serve = sub.add_parser("serve", help="本地预览：实时刷新，暂不公开的条目也显示并标注")
    common(serve)
    serve.add_argument("--target", default="website", choices=TARGETS)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--bind", default="127.0.0.1", help="监听地址，默认只允许本机访问")
    serve.add_argument("--as-published", action="store_true", help="与正式构建完全一致（不显示暂不公开的条目）")

    # Further commands: each adds its parser here and its handler to HANDLERS below;
    # a handler's work lives in its own module, the CLI only parses and dispatches.
    return parser


def parse_now(text: Optional[str], tz: ZoneInfo) -> datetime:
    if text is None:
        return datetime.now(tz)
    try:
        if len(text.strip()) == 10:
            moment = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
        else:
            moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--now 的值“{text}”不是 ISO 8601 时刻，例如 2026-11-26T08:00:00+08:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in HANDLERS and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")    # `python build.py --target kiosk` means `build --target kiosk`
    try:
        args = _parser().parse_args(argv)
        return HANDLERS[args.command](args)
    except UsageError as exc:
        print(f"build.py: 用法错误：{exc}", file=sys.stderr)
        print("运行 python build.py --help 查看用法。", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem.text(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断；输出文件夹保持原样。", file=sys.stderr)
        return 130
    except OSError as exc:      # disk full, no permission …: the build is abandoned, the output untouched
        where = f"{exc.filename}：" if exc.filename else ""
        print(f"build.py: 无法读写文件：{where}{exc.strerror or exc}。输出文件夹保持原样。", file=sys.stderr)
        print("请检查磁盘空间和文件夹权限后重新构建。", file=sys.stderr)
        return EXIT_USAGE


def _print_problems(problems: Problems, stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems.sorted_errors():
        print(problem.text(), file=stream)
    for problem in problems.sorted_warnings():
        print("警告：" + problem.text(), file=stream)


def _build(args) -> int:
    started = time.monotonic()
    root = Path(args.site)
    config = load_config(root)
    now = parse_now(args.now, config.tz)
    out_dir = Path(args.out) if args.out else root / "dist" / args.target
    result = build_site(root, args.target, now, out_dir, keep_going=args.keep_going,
                        progress=Progress(enabled=not args.quiet), workers=args.jobs or default_workers(),
                        reuse=not args.no_cache)
    plan = result.plan
    _print_problems(plan.problems)
    if args.report:
        Path(args.report).write_text(json.dumps(report(plan), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not result.written:
        print(f"构建失败：{len(plan.problems.errors)} 个错误，未写入任何文件（{out_dir} 保持原样）。", file=sys.stderr)
        return EXIT_CONTENT
    held = len(plan.content.items) - len(plan.published) + len(plan.content.invalid)
    if not args.quiet:
        changes = f"；下次变化：{plan.next_change.astimezone(config.tz).isoformat()}" if plan.next_change else ""
        print(f"已构建 {args.target}：发布 {len(plan.published)} 个条目，暂不公开 {held} 个"
              f"{changes}。输出：{out_dir}（用时 {time.monotonic() - started:.1f} 秒）")
    return EXIT_OK


def _check(args) -> int:
    root = Path(args.site)
    config = load_config(root)
    now = parse_now(args.now, config.tz)
    content = load_content(config)
    problems = Problems()
    for target in TARGETS:
        plan = plan_target(config, content, target, now)
        problems.extend(plan.problems)
        for item in content.items:   # a future item must not come due carrying a number
            decision = plan.decisions.get(item.file)
            if decision and decision.reason == "future" and decide(item, decision.until, target).reason == "privacy":
                privacy_errors(problems, item)
    check_codeowners(config, problems)
    wanted: Optional[set[str]] = None
    if args.changed_since:
        wanted = changed_files(root, args.changed_since)
        if wanted is None:
            raise UsageError(f"--changed-since：找不到 git 版本“{args.changed_since}”。")
    if args.files:
        named = {_site_relative(root, f) for f in args.files}
        wanted = named if wanted is None else wanted & named
    if wanted is not None:
        # whole-site rules (site.toml, CODEOWNERS, duplicate 索引号 naming a changed file) always count
        keep = lambda p: (p.file in wanted or not p.file.startswith("content/")
                          or any(w in p.message for w in wanted if w.startswith("content/")))
        problems = Problems([p for p in problems.errors if keep(p)], [p for p in problems.warnings if keep(p)])
    if args.format == "json":
        print(json.dumps({"errors": [p.as_json() for p in problems.sorted_errors()],
                          "warnings": [p.as_json() for p in problems.sorted_warnings()]},
                         ensure_ascii=False, indent=1))
    else:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            _annotate(problems, root)
        _print_problems(problems)
        print(f"检查完成：{len(content.items)} 个条目，{len(problems.sorted_errors())} 个错误，"
              f"{len(problems.sorted_warnings())} 个警告。", file=sys.stderr)
    return EXIT_CONTENT if problems.errors else EXIT_OK


def _site_relative(root: Path, name: str) -> str:
    path = Path(name)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return name


def _annotate(problems: Problems, root: Path) -> None:
    """GitHub Actions workflow commands: the errors appear on the pull request's lines."""
    _, prefix = repo_layout(root)
    esc = lambda text: text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    for kind, items in (("error", problems.sorted_errors()), ("warning", problems.sorted_warnings())):
        for p in items:
            where = f"file={prefix}{p.file}" + (f",line={p.line}" if p.line else "")
            title = f",title={esc(p.field).replace(',', '%2C').replace(':', '%3A')}" if p.field else ""
            print(f"::{kind} {where}{title}::{esc(p.message + (' ' + p.hint if p.hint else ''))}")


def _codeowners(args) -> int:
    config = load_config(Path(args.site))
    path = write_codeowners(config)
    print(f"已写入 {path}（{sum(1 for s in config.sections.values() if s.owners)} 个科室文件夹）。")
    return EXIT_OK


def _new(args) -> int:
    config = load_config(Path(args.site))
    today = parse_now(args.now, config.tz).date()
    path = new_item(config, args.section, args.category, args.title, today)
    print(f"已新建草稿：{path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else path}")
    return EXIT_OK


def _schedule(args) -> int:
    config = load_config(Path(args.site))
    now = parse_now(args.now, config.tz)
    if bool(args.report) != bool(args.output):
        raise UsageError("--report 与 --output 需要一起给出。")
    state = Path(args.state)
    go, why, new = schedule.decide(state, args.sha, now, Path(args.report) if args.report else None,
                                   Path(args.output) if args.output else None)
    if new is not None:
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    step = "deploy" if args.report else "build"
    print(f"{step}={'true' if go else 'false'}：{why}")
    if os.environ.get("GITHUB_OUTPUT"):
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"{step}={'true' if go else 'false'}\n")
    return EXIT_OK


def _compliance(args) -> int:
    from .compliance import command
    config = load_config(Path(args.site))
    content = load_content(config)
    sys.stdout.write(command(config, content, parse_now(args.now, config.tz), args.format))
    if content.invalid:
        print(f"注意：{len(content.invalid)} 个文件有错误，未计入（运行 python build.py check 查看）。", file=sys.stderr)
    return EXIT_OK


def _annual_report(args) -> int:
    from .annual import command
    config = load_config(Path(args.site))
    sys.stdout.write(command(config, load_content(config), parse_now(args.now, config.tz), args.year, args.format))
    return EXIT_OK


def _archive(args) -> int:
    from .archive import archive, summary
    config = load_config(Path(args.site))
    try:
        until = parse_now(args.until, config.tz)
    except UsageError:
        raise UsageError(f"--until 的值“{args.until}”不是日期或 ISO 8601 时刻，例如 2026-12-31")
    entries = archive(config, load_content(config), until, Path(args.out))
    print(summary(entries, Path(args.out)))
    return EXIT_OK


def _serve(args) -> int:
    from .serve import run
    root = Path(args.site)
    config = load_config(root)
    now = parse_now(args.now, config.tz) if args.now else None
    try:
        return run(root, args.target, args.port, args.bind, now, args.as_published)
    except OSError as exc:
        raise UsageError(f"无法在 {args.bind}:{args.port} 监听（{exc.strerror}）；请用 --port 换一个端口。")


HANDLERS = {"serve": _serve, "build": _build, "check": _check, "codeowners": _codeowners, "new": _new, "schedule": _schedule}
HANDLERS.update({"compliance": _compliance, "annual-report": _annual_report, "archive": _archive})
