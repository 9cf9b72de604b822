"""The search-index command: the search index of a website or intranet output built with
--no-search-index, made here in one go or by shards (one job of a CI matrix each) and assembled.

    build.py build --no-search-index --out public          # job 1: the pages
    build.py search-index public --parts                   # how many parts (for a dynamic matrix)
    build.py search-index public --shard 2/4 --into s2     # jobs 2…: parts 1, 5, 9 … (k % 4 == 1)
    build.py search-index public --assemble s1 s2 s3 s4    # last job: public/pagefind/, then publish
    build.py search-index public                           # all parts here, one after another

A bundle assembled from shards is byte-for-byte the one `build` makes (tests/test_search_shards.py).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from ..errors import BuildAborted, Problem, UsageError
from ..workers import default_workers

EXIT_OK = 0
_SHARD = re.compile(r"(\d+)/(\d+)")


def add_parser(sub) -> None:
    p = sub.add_parser("search-index", help="为 --no-search-index 构建的输出生成搜索索引（可分片并行，再合并）")
    p.add_argument("out", metavar="输出目录", help="build --no-search-index 的输出文件夹（网站或局域网）")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--parts", action="store_true", help="只打印索引分为几部分（用于 CI 矩阵）")
    what.add_argument("--shard", metavar="I/N", help="只生成第 I 个分片（共 N 个）负责的部分：第 k 部分归 k %% N + 1 号分片")
    what.add_argument("--assemble", nargs="+", metavar="分片目录", help="把各分片的输出合并为 <输出目录>/pagefind/")
    p.add_argument("--into", metavar="目录", help="与 --shard 一起：分片输出写到这里")
    p.add_argument("--jobs", type=int, default=0, metavar="个数", help="并行的进程数，默认为 CPU 核数")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出错误")


def _output(args) -> Path:
    from ..publish import MARKER
    out = Path(args.out)
    if not (out / MARKER).is_file():
        raise UsageError(f"{out} 不是构建输出文件夹（没有 {MARKER}）。请先运行 build --no-search-index --out {out}。")
    if not (out / "search" / "zh-t2s.json").is_file():        # written by the searchable targets only
        raise UsageError(f"{out} 没有搜索页：只有网站（website）和局域网（intranet）的输出有搜索索引。")
    return out


def run(args) -> int:
    from . import index, parts
    out = _output(args)
    workers = args.jobs or default_workers()
    say = (lambda message: None) if args.quiet else (lambda message: print(message, file=sys.stderr, flush=True))
    if args.parts:
        print(len(parts.scan(out).parts))
        return EXIT_OK
    if args.shard:
        match = _SHARD.fullmatch(args.shard)
        if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
            raise UsageError(f"--shard 应写成 I/N，1 ≤ I ≤ N，例如 2/4；收到“{args.shard}”。")
        if not args.into:
            raise UsageError("--shard 需要 --into 目录（分片输出写到哪里）。")
        into = Path(args.into).resolve()
        if into == out.resolve() or out.resolve() in into.parents:
            raise UsageError(f"--into {args.into} 在输出文件夹 {out} 里面：分片文件会被一同发布。请写到输出文件夹之外，例如 shard-1。")
        made = parts.index_shard(out, int(match.group(1)), int(match.group(2)), Path(args.into), workers, say)
        say(f"分片 {args.shard}：生成了第 {'、'.join(map(str, made)) or '（无）'} 部分，写入 {args.into}")
        return EXIT_OK
    if args.into:
        raise UsageError("--into 只与 --shard 一起使用。")
    from ..publish import one_build_at_a_time
    with one_build_at_a_time(out.resolve(), say):      # it writes into the output: not while a build swaps it
        if args.assemble:
            count = parts.assemble(out, [Path(p) for p in args.assemble])
            say(f"已合并搜索索引：{count} 个条目，写入 {out / 'pagefind'}")
            return EXIT_OK
        if (out / "pagefind").exists():
            raise BuildAborted([Problem(str(out / "pagefind"), 0, "search", "输出文件夹里已有搜索索引。",
                                        "这个命令只为 build --no-search-index 的输出生成索引；请重新构建。")])
        count = index.index_site(out, say, workers=workers, reuse=False)
        say(f"已生成搜索索引：{count} 个条目，写入 {out / 'pagefind'}")
        return EXIT_OK
