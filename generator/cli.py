"""The command line: parse arguments, read the clock once, call the pipeline, exit 0/1/2.

This is the only place that reads the current time; everything below gets `now`.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from jinja2 import TemplateError

from . import __version__
from .clock import parse_now
from .config import load_config
from .content import load_content
from .errors import BuildAborted, ConfigError, Problem, Problems, UsageError
from .messages import did_you_mean, how_to_run, os_error_text, program
from . import schedule
from .scaffold import new_item
from .workers import default_workers
from .sections import changed_files, check_codeowners, repo_layout, write_codeowners
from .pipeline import build_site, plan_target, privacy_errors, report
from .progress import Progress
from .reports import registers
from .visibility import REASON_LABELS as VISIBILITY_LABELS, TARGETS, decide

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class _Formatter(argparse.HelpFormatter):
    """Help in Chinese: argparse's own words (usage:, options …) replaced."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _format_action(self, action):
        """Columns aligned on screen: a Chinese metavar is two columns wide per character."""
        text = super()._format_action(action)
        invocation = self._format_action_invocation(action)
        extra = sum(unicodedata.east_asian_width(c) in "WF" for c in invocation)
        start = " " * self._current_indent + invocation
        if extra and text.startswith(start + " " * (extra + 2)):
            text = start + text[len(start) + extra:]
        return text


class _Parser(argparse.ArgumentParser):
    """argparse with Chinese help and errors; a usage error raises UsageError (exit 2)."""

    def __init__(self, *args, **kwargs):
        add_help = kwargs.pop("add_help", True)
        kwargs.setdefault("formatter_class", _Formatter)
        if kwargs.get("help") and not kwargs.get("description"):
            kwargs["description"] = kwargs["help"]
        kwargs.pop("help", None)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="显示此帮助信息并退出")

    def error(self, message: str):   # argparse's English, in plain Chinese
        raise UsageError(usage_message(message, self))


def usage_message(message: str, parser: argparse.ArgumentParser) -> str:
    """One of argparse's error texts in Chinese, with a guess for a mistyped option or value."""
    options = [o for a in parser._actions for o in a.option_strings]
    for action in parser._actions:         # the chosen command's options too
        if isinstance(action, argparse._SubParsersAction) and getattr(parser, "command", None) in action.choices:
            options += [o for a in action.choices[parser.command]._actions for o in a.option_strings]
    found = re.fullmatch(r"unrecognized arguments: (.*)", message, re.S)
    if found:
        parts, value_of_unknown = [], False
        for word in found.group(1).split():
            if word.startswith("-"):
                parts.append(f"未知的选项“{word}”。" + did_you_mean(word.split("=", 1)[0], options))
                value_of_unknown = "=" not in word
                continue
            if value_of_unknown:          # the value given to the unknown option
                value_of_unknown = False
                continue
            if word in HANDLERS:
                parts.append(f"多余的参数“{word}”。命令要写在最前面，例如 {how_to_run()} {word} --site 目录。")
            else:
                parts.append(f"多余的参数“{word}”。")
        return "".join(parts)
    for pattern, say in _PARSER_ERRORS:
        found = re.fullmatch(pattern, message, re.S)
        if found:
            return say(*found.groups())
    found = re.fullmatch(r"argument (.+?): (.*)", message, re.S)
    if not found:
        return f"命令行参数有误（{message}）。"
    name, what = found.group(1).split("/")[-1], found.group(2)
    found = re.fullmatch(r"invalid choice: '(.*)' \(choose from (.*)\)", what, re.S)
    if found:
        value, choices = found.group(1), [c.strip("'") for c in found.group(2).split(", ")]
        return f"{name} 的取值“{value}”无效，只能是 {'、'.join(choices)}。" + did_you_mean(value, choices, 0.5)
    for pattern, say in _ARGUMENT_ERRORS:
        found = re.fullmatch(pattern, what, re.S)
        if found:
            return name + say(*found.groups())
    return f"{name}：{what}"


_KINDS = {"int": "整数", "float": "数字"}
# argparse's whole-line texts, and its texts about one argument (said after the argument's name)
_PARSER_ERRORS = (
    (r"the following arguments are required: (.*)", lambda names: f"缺少必需的参数：{'、'.join(names.split(', '))}。"),
    (r"one of the arguments (.*) is required", lambda names: f"需要以下参数之一：{'、'.join(names.split())}。"),
    (r"ambiguous option: (\S+) could match (.*)",
     lambda option, names: f"选项“{option}”不明确，可能是 {'、'.join(names.split(', '))}。请写全。"),
)
_ARGUMENT_ERRORS = (
    (r"invalid (\w+) value: '(.*)'", lambda kind, value: f" 应为{_KINDS.get(kind, '有效的值')}，实际是“{value}”。"),
    (r"expected one argument", lambda: " 后面需要一个值。"),
    (r"expected at (least|most) one argument", lambda which: f" 后面{'至少' if which == 'least' else '最多'}需要一个值。"),
    (r"expected (\d+) arguments?", lambda count: f" 后面需要 {count} 个值。"),
    (r"ignored explicit argument '(.*)'", lambda value: f" 不接受值（“{value}”）。"),
    (r"not allowed with argument (.*)", lambda other: f" 不能与 {other} 同时使用。"),
)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=program(), description="政务公开目录静态网站生成器")
    parser.add_argument("--version", action="version", version=f"zwgk {__version__}", help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="命令",
                                help="以下命令之一；不写命令时为 build")

    def common(p):
        p.add_argument("--site", default=".", metavar="目录", help="站点根目录（含 site.toml），默认当前目录")
        p.add_argument("--now", metavar="时刻", help="以此时刻构建（ISO 8601，如 2026-11-26T08:00:00+08:00），用于可重复构建")

    build = sub.add_parser("build", help="构建网站（默认命令）")
    common(build)
    build.add_argument("--target", default="website", choices=TARGETS, help="输出哪一种：网站、局域网或触摸屏")
    build.add_argument("--out", metavar="目录", help="输出文件夹，默认 <站点>/dist/<target>")
    build.add_argument("--report", metavar="文件", help="把构建报告（JSON）写到此文件")
    build.add_argument("--keep-going", action="store_true", help="有错误的条目暂不公开，其余照常发布")
    build.add_argument("-q", "--quiet", action="store_true", help="不显示进度和构建摘要，只输出错误和警告")
    build.add_argument("--jobs", type=int, default=0, metavar="个数", help="并行渲染的进程数，默认为 CPU 核数")
    build.add_argument("--no-cache", action="store_true", help="不复用上次构建的页面（全部重新渲染）")
    build.add_argument("--no-search-index", action="store_true",
                       help="不生成搜索索引，之后用 search-index 命令生成（大规模站点可分片并行，见管理员手册）")

    check = sub.add_parser("check", help="只检查内容，不输出网站（拉取请求的把关）")
    common(check)
    check.add_argument("--format", choices=("text", "json"), default="text", help="输出格式，默认 text")
    check.add_argument("--changed-since", metavar="REF", help="只报告自该 git 版本以来改动的文件的问题（全站规则照常检查）")
    check.add_argument("files", nargs="*", metavar="文件", help="只报告这些文件的问题（全站规则照常检查）")
    check.add_argument("--record-urls", action="store_true",
                       help="没有错误时，把现在公开的网址写入 urls.lock.json（已发布网址记录，随内容提交）")

    owners = sub.add_parser("codeowners", help="根据 site.toml 的科室生成 .github/CODEOWNERS")
    owners.add_argument("--site", default=".", metavar="目录", help="站点根目录（含 site.toml），默认当前目录")

    sched = sub.add_parser("schedule", help="定时发布：判断本次是否需要构建/部署（供 publish.yml 使用）")
    common(sched)
    sched.add_argument("--state", required=True, metavar="文件", help="上次发布的状态文件（JSON）")
    sched.add_argument("--sha", required=True, metavar="提交", help="本次的 git 提交")
    sched.add_argument("--report", metavar="文件", help="本次构建报告；与 --output 一起给出时判断是否部署，并更新状态文件")
    sched.add_argument("--output", metavar="目录", help="本次构建的输出文件夹")

    new = sub.add_parser("new", help="新建一个草稿条目（自动取下一个索引号）")
    common(new)
    new.add_argument("section", metavar="科室文件夹", help="科室文件夹，如 fagui")
    new.add_argument("--category", required=True, metavar="分类", help="目录分类代码或名称，如 0204")
    new.add_argument("--title", required=True, metavar="标题", help="标题")

    comp = sub.add_parser("compliance", help="公开时限报告：超期、逾期、待更新、即将失效（信息，退出码为 0）")
    common(comp)
    comp.add_argument("--format", choices=("text", "json", "html"), default="text")
    annual = sub.add_parser("annual-report", help="政府信息公开工作年度报告（国办公开办函〔2021〕30号格式）")
    common(annual)
    annual.add_argument("--year", type=int, metavar="年份", help="年份，默认上一年")
    annual.add_argument("--format", choices=("text", "json", "markdown"), default="text",
                        help="text、json，或 markdown（年度报告草稿页面，可存入 content/pages/）")
    annual.add_argument("--explain", metavar="行", help="列出某一行的数字统计了哪些条目或登记行（文件和行号），如 不予公开 或 normative")
    arch = sub.add_parser("archive", help="把已失效、已废止、已撤回的条目打包归档（zip，含 CSV 索引）")
    common(arch)
    arch.add_argument("--until", required=True, metavar="日期", help="截至此日期（或时刻）已失效、废止、撤回的条目")
    arch.add_argument("--out", required=True, metavar="文件", help="输出的 zip 文件")

    serve = sub.add_parser("serve", help="本地预览：实时刷新，暂不公开的条目也显示并标注")
    common(serve)
    serve.add_argument("--target", default="website", choices=TARGETS)
    serve.add_argument("--port", type=int, default=8000, metavar="端口", help="端口，默认 8000")
    serve.add_argument("--bind", default="127.0.0.1", metavar="地址", help="监听地址，默认只允许本机访问")
    serve.add_argument("--as-published", action="store_true", help="与正式构建完全一致（不显示暂不公开的条目）")

    from .deploy.command_line import add_parsers as add_deploy_parsers
    add_deploy_parsers(sub)        # deploy, rollback, releases (generator/deploy/)
    from .deploy.flow import add_parsers as add_flow_parsers
    add_flow_parsers(sub)          # bundle, apply, publish (generator/deploy/flow.py)
    from .deploy.kiosk_sync import add_parser as add_kiosk_sync_parser
    add_kiosk_sync_parser(sub)     # kiosk-sync (generator/deploy/kiosk_sync.py)
    from .search.command_line import add_parser as add_search_index_parser
    add_search_index_parser(sub)   # search-index (generator/search/command_line.py)

    # Further commands: each adds its parser here and its handler to HANDLERS below;
    # a handler's work lives in its own module, the CLI only parses and dispatches.
    return parser


def main(argv: Optional[list[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["help"]:           # `python build.py help [command]`
        argv = [argv[1], "--help"] if len(argv) > 1 and argv[1] in HANDLERS else ["--help"]
    try:
        if argv and not argv[0].startswith("-") and argv[0] not in HANDLERS:
            guess = did_you_mean(argv[0], HANDLERS)
            raise UsageError(f"未知的命令“{argv[0]}”。" + (guess or f"可用的命令：{'、'.join(HANDLERS)}。"))
        if not argv or argv[0] not in HANDLERS and argv[0] not in ("-h", "--help", "--version"):
            argv.insert(0, "build")    # `python build.py --target kiosk` means `build --target kiosk`
        parser = _parser()
        parser.command = argv[0]
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:      # --help, --version: printed, done
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        try:
            return HANDLERS[args.command](args)
        except (TemplateError, RecursionError) as exc:    # a theme's mistake: named with its template and line
            from .preview import unexpected_problem
            problem = unexpected_problem(exc, Path(getattr(args, "site", ".")))
            raise ConfigError([replace(problem, file=problem.file if problem.file != "预览" else "主题",
                                       hint="请改正模板后重新构建；输出文件夹保持原样。")]) from None
    except UsageError as exc:
        print(f"{program()}: 用法错误：{exc}", file=sys.stderr)
        command = argv[0] if argv and argv[0] in HANDLERS else ""
        print(f"运行 {how_to_run()} {command + ' ' if command else ''}--help 查看用法。", file=sys.stderr)
        return EXIT_USAGE
    except BuildAborted as exc:
        for problem in exc.problems:
            print(problem.text(), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断；输出文件夹保持原样。", file=sys.stderr)
        return 130
    except OSError as exc:      # disk full, no permission …: the build is abandoned, the output untouched
        where = f"{exc.filename}：" if exc.filename else ""
        print(f"{program()}: 无法读写文件：{where}{os_error_text(exc)}。输出文件夹保持原样。", file=sys.stderr)
        print("请检查磁盘空间和文件夹权限后重新构建。", file=sys.stderr)
        return EXIT_USAGE


def _print_problems(problems: Problems, stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems.sorted_errors():
        print(problem.text(), file=stream)
    for problem in problems.sorted_warnings():
        print("警告：" + problem.text(), file=stream)


def _build(args) -> int:
    from .publish import check_file_destination, is_build_report, write_beside
    started = time.monotonic()
    root = Path(args.site)
    config = load_config(root)
    now = parse_now(args.now, config.tz)
    out_dir = Path(args.out) if args.out else root / "dist" / args.target
    # The report's place is checked before anything is built, and the report moved into place just
    # before the new output (after the build when nothing is published): a failure of either leaves
    # the output as it was, so "保持原样" is always true.
    report_file = (check_file_destination(Path(args.report), root, "--report", is_build_report, "构建报告",
                                          out_dir=out_dir, theme_dir=config.theme_dir) if args.report else None)
    reported: list = []

    def write_report(plan) -> None:
        write_beside(report_file, (json.dumps(report(plan), ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        reported.append(report_file)

    # a bar on a terminal, phase lines elsewhere, nothing with --quiet (progress.py); closed before
    # anything else is printed, errors and warnings included, whatever happened
    progress = Progress(enabled=not args.quiet)
    try:
        result = build_site(root, args.target, now, out_dir, keep_going=args.keep_going,
                            progress=progress, workers=args.jobs or default_workers(),
                            reuse=not args.no_cache, before_swap=write_report if report_file else None,
                            search_index=not getattr(args, "no_search_index", False))
    finally:
        progress.close()
    plan = result.plan
    _print_problems(plan.problems)
    if report_file is not None and not reported:
        write_report(plan)
    if not result.written:
        also = f"构建报告已写入 {args.report}；" if report_file is not None else ""
        print(f"构建失败：{len(plan.problems.errors)} 个错误，{also}输出文件夹未写入（{out_dir} 保持原样）。",
              file=sys.stderr)
        return EXIT_CONTENT
    held = len(plan.content.items) - len(plan.published) + len(plan.content.invalid)
    if not args.quiet:
        changes = f"；下次变化：{plan.next_change.astimezone(config.tz).isoformat()}" if plan.next_change else ""
        print(f"已构建 {args.target}：发布 {len(plan.published)} 个条目，暂不公开 {held} 个"
              f"{changes}。输出：{out_dir}（用时 {time.monotonic() - started:.1f} 秒）")
    return EXIT_OK


def _check(args) -> int:
    root = Path(args.site)
    config_errors: list[Problem] = []
    try:
        config = load_config(root)
    except ConfigError as exc:      # check the content anyway, so that one run shows every problem
        config, config_errors = _salvage_config(root, exc)
        if config is None and args.format == "json":
            print(json.dumps({"errors": [p.as_json() for p in sorted(set(config_errors))], "warnings": [],
                              "not_published": []}, ensure_ascii=False, indent=1))
            return EXIT_USAGE
        if config is None:
            raise ConfigError(config_errors) from None
    now = parse_now(args.now, config.tz)
    content = load_content(config)
    problems = Problems(list(config_errors))
    plans = {}
    for target in TARGETS:
        plan = plans[target] = plan_target(config, content, target, now)
        problems.extend(plan.problems)
        for item in content.items:   # a future item must not come due carrying a number
            decision = plan.decisions.get(item.file)
            if decision and decision.reason == "future" and decide(item, decision.until, target).reason == "privacy":
                privacy_errors(problems, item)
    check_codeowners(config, problems)
    problems.extend(registers.load(config).problems)      # 依申请公开 and 复议/诉讼 registers, validated like items
    from . import links
    links.check_bodies(config, content, plans, problems)  # links and images in bodies, at their lines
    if getattr(args, "record_urls", False):
        if problems.errors or config_errors:
            print(f"有错误，未更新 {links.RECORD_FILE}：请先改正错误。", file=sys.stderr)
        else:
            old = links.read_record(config.root, Problems())
            links.write_record(config.root, links.updated_record(plans, old))
            print(f"已更新 {links.RECORD_FILE}（已发布网址记录），请把它与内容一起提交。", file=sys.stderr)
    held = held_back_approved(config, content, plans)
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
        held = [h for h in held if h.file in wanted]
    if args.format == "json":
        print(json.dumps({"errors": [p.as_json() for p in problems.sorted_errors()],
                          "warnings": [p.as_json() for p in problems.sorted_warnings()],
                          "not_published": [h.as_json() for h in held]},
                         ensure_ascii=False, indent=1))
    else:
        if os.environ.get("GITHUB_ACTIONS") == "true":
            _annotate(problems, root, held)
        _print_problems(problems)
        if config_errors:
            print("site.toml 有错误（见上）；内容已按忽略出错设置项后的配置检查。", file=sys.stderr)
        if held:
            print(f"已审核（approved）但不会公开的条目（{len(held)} 个）：", file=sys.stderr)
            for entry in held:
                print(f"  {entry.text()}", file=sys.stderr)
        print(f"检查完成：{len(content.items)} 个条目，{len(problems.sorted_errors())} 个错误，"
              f"{len(problems.sorted_warnings())} 个警告，{len(held)} 个已审核条目暂不公开。", file=sys.stderr)
    if config_errors:
        return EXIT_USAGE
    return EXIT_CONTENT if problems.errors else EXIT_OK


@dataclass(frozen=True)
class HeldBack:
    """An approved item that no target publishes now, and why, in words an editor reads."""

    file: str
    line: int
    field: str
    reason: str                      # visibility.REASONS, or "nowhere" (no target's audience and channels admit it)
    message: str
    until: Optional[str] = None      # for "future": when it appears (ISO 8601, the site's zone)

    def text(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def as_json(self) -> dict:
        entry = {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason,
                 "label": VISIBILITY_LABELS.get(self.reason, "不在任何载体公开"), "message": self.message}
        if self.until:
            entry["until"] = self.until
        return entry


def held_back_approved(config, content, plans: dict) -> list[HeldBack]:
    """Every approved item that will not go live on any target, with the plain reason and line."""
    from .model import FIELD_LABELS, FrontMatter
    tz = config.tz
    shown = lambda moment: moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    out = []
    for item in content.items:
        if item.status != "approved" or item.file in content.invalid:
            continue
        decisions = [plan.decisions.get(item.file) for plan in plans.values()]
        decisions = [d for d in decisions if d is not None]
        if not decisions or any(d.published for d in decisions):
            continue
        reasons = {d.reason for d in decisions}
        first = decisions[0]
        if first.reason == "not_reviewed":
            missing = [f for f in ("reviewer", "index_no", "pub_date") if not getattr(item, f)]
            unknown = {k: v for k, v in item.lines.items()
                       if isinstance(k, str) and not k.startswith("_") and k not in FrontMatter.model_fields}
            hints = []
            for name in missing:
                near = [k for k in unknown if did_you_mean(k, [name])]
                hints += [f"第 {unknown[k]} 行的“{k}”是不是“{name}”？" for k in near]
            what = "、".join(f"{f}（{FIELD_LABELS.get(f, f)}）" for f in missing)
            message = f"未审核，不会公开：状态是 approved，但缺少 {what}。" + "".join(hints) + "补上后才会公开。"
            out.append(HeldBack(item.file, item.line("status"), "status", "not_reviewed", message))
        elif first.reason == "future":
            message = f"定时发布：将于 {shown(first.until)}（{tz.key}）起公开，此前不会公开。"
            if item.expiry_date is not None and item.expiry_date <= first.until:
                message = (f"定时发布，但到时也不会公开：失效日期 {shown(item.expiry_date)}（expiry_date）"
                           f"不晚于发布日期 {shown(first.until)}。请核对两个日期。")
            out.append(HeldBack(item.file, item.line("pub_date"), "pub_date", "future", message,
                                first.until.astimezone(tz).isoformat()))
        elif first.reason == "expired":
            out.append(HeldBack(item.file, item.line("expiry_date"), "expiry_date", "expired",
                                f"已失效，不会公开：失效日期 {shown(item.expiry_date)}（expiry_date）已过。"
                                "如仍需公开，请修改或删除 expiry_date。"))
        elif first.reason == "abolished":
            out.append(HeldBack(item.file, item.line("abolished"), "abolished", "abolished",
                                "已废止，不会公开：标记了 abolished: true。如仍有效，请删除这一行。"))
        elif "privacy" in reasons:
            line = min(hit.line for hit in item.privacy_hits) if item.privacy_hits else item.line("status")
            out.append(HeldBack(item.file, line, "body", "privacy",
                                "隐私检查未通过，不会公开：有未打码的个人信息（见上方错误），打码或删除后才会公开。"))
        elif reasons <= {"internal", "channel"}:
            field = "channels" if "channels" in item.lines else "audience"
            out.append(HeldBack(item.file, item.line(field), field, "nowhere",
                                "不在任何载体公开：按公开范围（audience）和公开载体（channels），它不在任何载体"
                                "（网站、局域网、触摸屏）公开。请核对这两项。"))
    return sorted(out, key=lambda h: h.file)


def _salvage_config(root: Path, error: ConfigError):
    """(Config, every problem of site.toml): the config without the settings its errors name, so
    that `check` can still check the content, and the errors that the first ones hid.

    A setting with an error is dropped (its default applies) and a [[categories]] or [[sections]]
    entry whose code, name, folder or department is wrong is left out; the checks that load_config
    runs only on a valid file then run on the rest. The config is None when that is not enough
    (a TOML syntax error, a required [site] setting)."""
    import tomllib
    from . import config as config_module
    from .tomllines import key_lines, line_of
    try:
        text = (root / config_module.CONFIG_FILE).read_bytes().decode("utf-8-sig")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, list(error.problems)
    found = list(error.problems)
    required = {("sections", "folder"), ("sections", "department"), ("categories", "code"), ("categories", "name")}
    problems = error.problems
    lines = key_lines(text)
    origin = {name: list(range(len(raw[name]))) for name in ("sections", "categories")
              if isinstance(raw.get(name), list)}      # entry now -> entry in the file, as entries go
    for _ in range(6):
        drops = []
        for problem in problems:
            loc = [int(part) if part.isdigit() else part
                   for part in re.findall(r"[^.\[\]]+", problem.field)]
            if not loc:
                return None, found
            drops.append(loc)
        # whole list entries first, from the end, so that the indices of the others still hold
        entries = sorted({(loc[0], loc[1]) for loc in drops if len(loc) >= 2 and isinstance(loc[1], int)
                          and loc[0] in ("sections", "categories")
                          and (len(loc) == 2 or (loc[0], loc[2]) in required
                               or not isinstance(_dig(raw, loc[:2]), dict) or loc[2] not in _dig(raw, loc[:2]))},
                         key=lambda e: (e[0], -e[1]))
        for name, index in entries:
            if isinstance(raw.get(name), list) and index < len(raw[name]):
                del raw[name][index]
                del origin[name][index]
        for loc in drops:
            if len(loc) >= 2 and (loc[0], loc[1]) in entries:
                continue
            parent = _dig(raw, loc[:-1])
            if loc[:1] == ["site"] and len(loc) == 2 and loc[1] in ("title", "base_url", "org_code", "publisher"):
                return None, found
            if isinstance(parent, dict) and loc[-1] in parent:
                del parent[loc[-1]]
            elif isinstance(parent, list) and isinstance(loc[-1], int) and loc[-1] < len(parent):
                del parent[loc[-1]]
            else:
                return None, found
        try:
            model = config_module.ConfigToml.model_validate(raw)
            return config_module._derive(root, model, lines), found
        except ConfigError as again:    # what the first errors hid (a missing parent category …)
            problems = again.problems
            for p in problems:          # named as in the file, whatever entries were left out
                loc = [int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", p.field)]
                if len(loc) >= 2 and loc[0] in origin and isinstance(loc[1], int) and loc[1] < len(origin[loc[0]]):
                    loc[1] = origin[loc[0]][loc[1]]
                    p = Problem(p.file, line_of(lines, tuple(loc)), config_module._dotted(tuple(loc)), p.message, p.hint)
                if p not in found:
                    found.append(p)
        except Exception as again:      # pydantic's: a required entry gone; its fields, not shown
            if not hasattr(again, "errors"):
                return None, found
            problems = [Problem("", 0, config_module._dotted(tuple(e["loc"])), "") for e in again.errors()]
    return None, found


def _dig(data, loc):
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _site_relative(root: Path, name: str) -> str:
    path = Path(name)
    path = path if path.is_absolute() else Path.cwd() / path
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return name


def _annotate(problems: Problems, root: Path, held: list = ()) -> None:
    """GitHub Actions workflow commands: the errors appear on the pull request's lines."""
    _, prefix = repo_layout(root)
    esc = lambda text: text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    for kind, items in (("error", problems.sorted_errors()), ("warning", problems.sorted_warnings())):
        for p in items:
            where = f"file={prefix}{p.file}" + (f",line={p.line}" if p.line else "")
            title = f",title={esc(p.field).replace(',', '%2C').replace(':', '%3A')}" if p.field else ""
            print(f"::{kind} {where}{title}::{esc(p.message + (' ' + p.hint if p.hint else ''))}")
    for h in held:       # approved, yet not going live: on the line, so the editor sees it in the review
        kind = "notice" if h.reason == "future" else "warning"
        print(f"::{kind} file={prefix}{h.file},line={h.line},title=暂不公开::{esc(h.message)}")


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
    from .reports import compliance, dashboard
    config = load_config(Path(args.site))
    content = load_content(config)
    report = compliance.assess(config, content, parse_now(args.now, config.tz))
    # the html page is the dashboard's template, with every item named; text and json are compliance's own
    sys.stdout.write(dashboard.standalone_html(report, config) if args.format == "html"
                     else compliance.formatted(report, config, args.format))
    if content.invalid:
        print(f"注意：{len(content.invalid)} 个文件有错误，未计入（运行 {how_to_run()} check 查看）。", file=sys.stderr)
    return EXIT_OK


def _annual_report(args) -> int:
    from .reports.annual import command
    config = load_config(Path(args.site))
    text, errors = command(config, load_content(config), parse_now(args.now, config.tz), args.year, args.format,
                           args.explain)
    for problem in errors:      # the registers (registers/*.csv): file, line and column
        print(problem.text(), file=sys.stderr)
    if errors:
        print(f"年度报告未生成：登记表有 {len(errors)} 个错误。", file=sys.stderr)
        return EXIT_CONTENT
    sys.stdout.write(text)
    return EXIT_OK


def _archive(args) -> int:
    from .reports.archive import archive, summary
    config = load_config(Path(args.site))
    try:
        until = parse_now(args.until, config.tz)
    except UsageError:
        raise UsageError(f"--until 的值“{args.until}”不是日期或 ISO 8601 时刻，例如 2026-12-31")
    from .publish import check_file_destination, is_archive
    # only a new file, an empty one or an earlier archive is replaced; never a source nor another file
    check_file_destination(Path(args.out), config.root, "--out", is_archive, "归档文件", theme_dir=config.theme_dir,
                           make_parent=True)
    entries = archive(config, load_content(config), until, Path(args.out))
    print(summary(entries, Path(args.out)))
    return EXIT_OK


def _serve(args) -> int:
    from .serve import run
    root = Path(args.site)
    config = load_config(root)
    now = parse_now(args.now, config.tz) if args.now else None
    return run(root, args.target, args.port, args.bind, now, args.as_published)   # run() names listen errors


HANDLERS = {"serve": _serve, "build": _build, "check": _check, "codeowners": _codeowners, "new": _new, "schedule": _schedule}
HANDLERS.update({"compliance": _compliance, "annual-report": _annual_report, "archive": _archive})


def _deploy(args) -> int:
    from .deploy import command_line
    return command_line.deploy(args, _build)      # deploy builds exactly as `build --report` does


def _deploy_command(name: str):
    def handler(args) -> int:
        from .deploy import command_line
        return getattr(command_line, name)(args)
    return handler


HANDLERS.update({"deploy": _deploy, "rollback": _deploy_command("rollback"), "releases": _deploy_command("releases")})


def _flow(name: str):
    def handler(args) -> int:
        from .deploy import flow
        return flow.apply(args) if name == "apply" else getattr(flow, name)(args, _build)
    return handler


HANDLERS.update({"bundle": _flow("bundle"), "apply": _flow("apply"), "publish": _flow("publish")})


def _kiosk_sync(args) -> int:
    from .deploy import kiosk_sync
    return kiosk_sync.run(args)


HANDLERS["kiosk-sync"] = _kiosk_sync


def _search_index(args) -> int:
    from .search import command_line
    return command_line.run(args)


HANDLERS["search-index"] = _search_index
