"""`build.py kiosk-sync --from SOURCE --to DIR`: a touchscreen keeps itself current (run by its own timer).

SOURCE is a bundle written by `build.py bundle --target kiosk`: a file (a USB stick, a shared folder)
or an http(s) address on the intranet. A download goes to a temporary file beside DIR (the same
volume), with a timeout and a size limit; a failed download changes nothing. The bundle must be a
kiosk bundle; then bundle.apply does the rest exactly as `apply` does: every SHA-256 checked before
anything changes, a new release under DIR/releases/, `current` switched atomically, the newest N kept,
nothing done when the live release has the same fingerprint.

The kiosk's browser opens DIR/current/index.html; kiosk.js's idle return loads the home page anew
through that same `current` path, so the next idle return shows the new release.

The switch is a POSIX symbolic link made by the same shell steps as deploy and apply (releases.py),
so kiosk-sync runs where there is a POSIX shell and symbolic links (Linux). On Windows itself it
refuses rather than leave a copied folder where `current` must be a link (see 管理员手册).
"""
from __future__ import annotations

import json
import os
import tarfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable, Optional

from ..messages import how_to_run, network_error_text, os_error_text
from .. import __version__
from ..errors import UsageError
from . import bundle as bundles, command_line, destination
from .errors import DeployError

TARGET = "kiosk"
DEFAULT_MAX_MB = 2048
DEFAULT_TIMEOUT = 60
HINT = "触摸屏上的内容保持原样。"


def add_parser(sub) -> None:
    sync = sub.add_parser("kiosk-sync", help="触摸屏自动更新：取来（或从U盘读取）kiosk 摆渡包，校验后原子切换触摸屏文件夹（供定时器使用）")
    sync.add_argument("--from", dest="source", required=True, metavar="摆渡包",
                      help="kiosk 摆渡包：本机路径（如U盘上的文件），或内网的 http(s) 网址")
    sync.add_argument("--to", required=True, metavar="目录",
                      help="触摸屏文件夹（浏览器打开其中的 current/index.html）")
    sync.add_argument("--keep", type=int, default=5, metavar="个数", help="保留最新的几个版本，默认 5（线上版本和它前一个总会保留）")
    sync.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="秒",
                      help=f"下载时等待服务器的最长秒数，默认 {DEFAULT_TIMEOUT}")
    sync.add_argument("--max-size", type=int, default=DEFAULT_MAX_MB, metavar="MB",
                      help=f"摆渡包的最大大小（MB），超过则不下载，默认 {DEFAULT_MAX_MB}")


def run(args) -> int:
    if args.keep < 2:
        raise UsageError("--keep 至少为 2（线上版本和它前一个总会保留）。")
    if args.timeout <= 0 or args.max_size <= 0:
        raise UsageError("--timeout 和 --max-size 必须大于 0。")
    source = (args.source or "").strip()
    if "://" in source and not source.lower().startswith(("http://", "https://")):
        raise UsageError(f"--from 只能是本机的文件路径或 http(s) 网址（实际是 {source}）。")
    try:
        sync(source, args.to, keep=args.keep, timeout=args.timeout, max_bytes=args.max_size << 20)
    except DeployError as exc:
        return command_line._refused(exc)
    return command_line.EXIT_OK


def sync(source: str, to: str, *, keep: int = 5, timeout: float = DEFAULT_TIMEOUT,
         max_bytes: int = DEFAULT_MAX_MB << 20, say: Callable[[str], None] = print) -> Optional[str]:
    """Install the kiosk bundle `source` into the kiosk folder `to`; the new release's name
    (None: the live release is already this one). DeployError: nothing changed."""
    if os.name == "nt":
        raise DeployError("kiosk-sync 在 Windows 上不能直接运行：切换 current 需要 POSIX 符号链接和 sh。",
                          "请按《管理员手册》“触摸屏自动更新（kiosk-sync）”一节的 Windows 说明操作。" + HINT)
    dest = destination.parse(to)
    if dest.remote:
        raise DeployError(f"kiosk-sync 只能更新本机的触摸屏文件夹（--to {to} 是 SSH 地址）。",
                          "请在触摸屏电脑上运行 kiosk-sync，--to 写本机文件夹。")
    folder = Path(dest.path)
    if not folder.parent.is_dir():
        raise DeployError(f"触摸屏文件夹 {folder} 的上级文件夹不存在。", "请先建好上级文件夹（如 /opt）。" + HINT)
    with _lock(folder):
        if source.lower().startswith(("http://", "https://")):
            temp = _download(source, folder, timeout, max_bytes, say)
            try:
                return _install(temp, dest, keep, say, shown=source)
            finally:
                temp.unlink(missing_ok=True)
        return _install(Path(source).expanduser(), dest, keep, say, shown=source)


def _install(bundle: Path, dest: destination.Destination, keep: int, say, shown: str) -> Optional[str]:
    target = _target(bundle)
    if target is not None and target != TARGET:
        raise DeployError(f"{shown} 是“{target}”载体的摆渡包，不是触摸屏（kiosk）的。",
                          f"请用 {how_to_run()} bundle --target kiosk 生成触摸屏的摆渡包。" + HINT)
    name = bundles.apply(bundle, dest, keep=keep, generator=__version__, say=say)   # checks everything first
    if name is None:
        say("触摸屏已是最新版本，没有改动。")
    else:
        say(f"触摸屏将在下次无人操作回到首页时显示新版本（浏览器打开的是 {dest.path}/current/index.html）。")
    return name


def _target(bundle: Path) -> Optional[str]:
    """The target named by the bundle's first member; None when it cannot be read (apply's full check
    then says what is wrong)."""
    try:
        with tarfile.open(bundle, mode="r:*") as tar:
            first = tar.next()
            if first is None or first.name != bundles.INFO or not first.isreg() or first.size > 1 << 20:
                return None
            info = json.loads(tar.extractfile(first).read().decode("utf-8"))
            return info.get("target") if isinstance(info, dict) else None
    except (*bundles._BROKEN, ValueError, UnicodeDecodeError):
        return None


def _download(url: str, folder: Path, timeout: float, max_bytes: int, say) -> Path:
    """The bundle at `url` in a temporary file beside `folder`; DeployError (and no file) on failure."""
    temp = folder.parent / f".{folder.name}.kiosk-sync-{os.getpid()}.tmp"
    limit = f"{max_bytes >> 20} MB"
    try:
        request = urllib.request.Request(url, headers={"Cache-Control": "no-cache", "User-Agent": f"zwgk-kiosk-sync/{__version__}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise DeployError(f"{url} 的大小 {int(length)} 字节超过上限 {limit}。", "如确需更大的摆渡包，请加 --max-size。" + HINT)
            got = 0
            with open(temp, "wb") as out:
                while True:
                    block = response.read(1 << 20)
                    if not block:
                        break
                    got += len(block)
                    if got > max_bytes:
                        raise DeployError(f"{url} 超过大小上限 {limit}，已停止下载。", "如确需更大的摆渡包，请加 --max-size。" + HINT)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            if length and length.isdigit() and got != int(length):
                raise DeployError(f"从 {url} 下载不完整（收到 {got} 字节，应为 {length}）。", "请检查网络后重试。" + HINT)
    except DeployError:
        temp.unlink(missing_ok=True)
        raise
    except urllib.error.HTTPError as exc:
        temp.unlink(missing_ok=True)
        raise DeployError(f"下载 {url} 失败：HTTP {exc.code}。", "请检查网址，以及内网服务器上是否有这个摆渡包。" + HINT)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        temp.unlink(missing_ok=True)
        raise DeployError(f"下载 {url} 失败：{network_error_text(exc)}。", "请检查网络和网址（超时可用 --timeout 调整）。" + HINT)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    say(f"已下载 {url}（{got} 字节）。")
    return temp


class _lock:
    """One kiosk-sync at a time per kiosk folder (a lock file beside it, not inside: the folder holds
    only the release layout)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path = folder.parent / f".{folder.name}.kiosk-sync.lock"
        self.handle = None

    def __enter__(self):
        import fcntl
        try:
            self.handle = open(self.path, "a")
        except OSError as exc:
            raise DeployError(f"无法创建锁文件 {self.path}：{os_error_text(exc)}。", "请检查上级文件夹的权限。" + HINT)
        try:
            fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise DeployError(f"另一个 kiosk-sync 正在更新 {self.folder}。",
                              "这次不做任何改动；下次定时运行时再更新。")
        return self

    def __exit__(self, *exc):
        self.handle.close()
        return False
