"""One deploy, apply or rollback at a time per deploy folder: a lock folder on the destination.

Without it, two publish jobs that start together (a push and the hourly timer, two editors' CI runs)
interleave: the second one's cleaning removes the first one's upload, and the one that switches
`current` last wins even when it carries the older build. A lock is made whole beside its place and
renamed into place (rename(2) of a folder onto a folder that holds a file fails, on NFS too), so of two
that start together exactly one gets <deploy folder>/.zwgk-lock; the other is refused (exit 1, the site untouched) and told who holds the lock and since when.

Ctrl-C, SIGTERM (systemctl stop, a CI job cancelled) and SIGHUP end a deploy as an error does: the
lock is given back. A deploy killed outright (kill -9, a power cut) leaves its lock. It is taken over
when its holder is surely gone: a process that no longer runs on this very system (the same host name,
boot and process namespace: containers that share a host name do not see each other's processes), or
a lock older than STALE_HOURS by the server's clock (no deploy takes that long). Otherwise the
message names the command that removes it.
"""
from __future__ import annotations

import getpass
import json
import os
import secrets
import shlex
import socket
import time
from contextlib import contextmanager
from functools import lru_cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

from ..interrupts import defer_interrupts, hold_interrupts, restore, stop_on_signals
from .destination import Destination
from .errors import DeployError

LOCK = ".zwgk-lock"
STALE_HOURS = 6
BREAK_SECONDS = 10       # a breaker's turn older than this was a killed breaker's (a break takes ms)
BREAK_WAIT = BREAK_SECONDS + 2     # how long a deploy waits for such a turn to end

# $1 the deploy folder, $2 the owner line, $3 "create" to make a missing deploy folder.
# The lock is made whole beside its place (its owner file written) and renamed into place: rename(2)
# of a folder onto a folder that holds a file fails, so of two deploys exactly one gets it, and a
# lock is never seen without its owner. Prints "taken", "none" (no folder to lock: what follows
# reports it), "held<TAB>server time<TAB>lock time<TAB>owner line", or "error<TAB>why".
_TAKE = r'''d="$1"; l="$d/.zwgk-lock"; n="$l.new-$$"
if [ ! -e "$d" ] && [ ! -L "$d" ]; then
  [ "$3" = create ] || { echo none; exit 0; }
  err=$(mkdir -p "$d" 2>&1) || { printf 'error\t%s\n' "$err"; exit 0; }
fi
[ -d "$d" ] || { echo none; exit 0; }
rm -rf "$n"
if ! err=$(mkdir "$n" 2>&1) || ! err=$(printf '%s\t%s\n' "$(date +%s)" "$2" 2>&1 > "$n/owner"); then
  rm -rf "$n"; printf 'error\t%s\n' "$err"; exit 0
fi
mv -T "$n" "$l" 2>/dev/null && { echo taken; exit 0; }
rm -rf "$n"
[ -e "$l" ] || [ -L "$l" ] || { echo "error	cannot rename $n to $l"; exit 0; }
line=""; [ -f "$l/owner" ] && line=$(head -n 1 "$l/owner" | head -c 4000)
printf 'held\t%s\t%s\t%s\n' "$(date +%s)" "$(date -r "$l" +%s 2>/dev/null || echo 0)" "$line"'''

# $1 the deploy folder, $2 the owner line seen, $3 the seconds after which a turn is abandoned.
# Breakers take turns (.zwgk-lock.break, made with mkdir), so a lock one of them has just broken and
# taken anew is never broken by the other: the owner is compared, then the lock renamed away and
# removed, with no other breaker in between. A break takes milliseconds: a turn older than $3
# seconds is a killed breaker's and is cleared. Prints "broken" or "kept".
_BREAK = r'''l="$1/.zwgk-lock"; b="$1/.zwgk-lock.break"
if [ -d "$b" ] && [ $(( $(date +%s) - $(date -r "$b" +%s 2>/dev/null || date +%s) )) -gt "$3" ]; then rm -rf "$b"; fi
mkdir "$b" 2>/dev/null || { echo kept; exit 0; }
if [ "$(head -n 1 "$l/owner" 2>/dev/null | head -c 4000)" = "$2" ] && mv -T "$l" "$l.stale-$$" 2>/dev/null; then
  rm -rf "$l.stale-$$"; rmdir "$b"; echo broken
else
  rmdir "$b"; echo kept
fi'''

# $1 the deploy folder, $2 this deploy's token: only its own lock is removed.
_RELEASE = r'''l="$1/.zwgk-lock"
head -n 1 "$l/owner" 2>/dev/null | grep -qF "$2" || exit 0
mv -T "$l" "$l.done-$$" 2>/dev/null && rm -rf "$l.done-$$"; exit 0'''


@lru_cache(maxsize=1)
def _system() -> str:
    """This system as a process sees it: its boot and its process namespace (empty where unknown).
    Two containers with one host name differ here, so neither takes the other's lock for abandoned."""
    parts = []
    for read in (lambda: Path("/proc/sys/kernel/random/boot_id").read_text().strip(),
                 lambda: os.readlink("/proc/self/ns/pid")):
        try:
            parts.append(read())
        except OSError:
            parts.append("")
    return "/".join(parts)


def _owner(command: str, token: str) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return json.dumps({"host": socket.gethostname(), "system": _system(), "pid": os.getpid(), "user": user,
                       "command": command, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                       "token": token}, ensure_ascii=False, separators=(",", ":"))


def _gone(holder: dict) -> bool:
    """The holder is a process of this very system (see _system) that no longer runs."""
    pid = holder.get("pid")
    system = _system()
    if holder.get("host") != socket.gethostname() or holder.get("system") != system or not all(system.split("/")):
        return False              # another system, or this one not known well enough to tell it apart
    if not isinstance(pid, int) or isinstance(pid, bool) or not 0 < pid < 1 << 22 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:               # it runs, as another user
        return False
    return False


def _removal(dest: Destination) -> str:
    """The command that removes the lock by hand, where to run it."""
    where = f"在 {dest.host} 上运行 " if dest.remote else "运行 "
    return f"{where}rm -r {shlex.quote(dest.path + '/' + LOCK)}"


def _held_message(dest: Destination, holder: dict, age_seconds: Optional[int]) -> DeployError:
    who = (f"{holder.get('host', '?')} 上用户 {holder.get('user', '?')} 的{holder.get('command', '部署')}"
           f"（进程 {holder.get('pid', '?')}，{holder.get('started', '开始时间不明')} 开始）") if holder else "另一个部署"
    how_long = f"已进行 {max(0, age_seconds) // 60} 分钟" if age_seconds is not None else "开始时间不明"
    return DeployError(
        f"{dest.where()} 正在由 {who}使用，{how_long}。"
        "同一个部署文件夹一次只能有一个部署、安装或回滚；这次没有做任何改动，网站保持原样。",
        f"请等它结束后再运行。如果确定它已经中断（例如那台机器已关机、CI 任务已取消），删除锁后重试：{_removal(dest)}"
        f"（超过 {STALE_HOURS} 小时的锁会被自动清除）。")


def _seconds(text: str) -> int:
    """A time the server's `date +%s` printed (0: none, or not a number)."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else 0      # not "１７…", which int() reads


def take(dest: Destination, command: str, create: bool = True, say=print) -> Optional[str]:
    """Take the deploy folder's lock; its token (None: there is no folder to lock). DeployError
    when another deploy holds it."""
    token = secrets.token_hex(8)
    owner = _owner(command, token)
    waited_until = time.monotonic() + BREAK_WAIT
    for _ in range(60):            # an abandoned lock broken, then taken (or lost to another deploy)
        answer = dest.run(_TAKE, dest.path, owner, "create" if create else "").strip()
        kind, _, rest = answer.partition("\t")
        if kind == "taken":
            return token
        if kind == "none":
            return None
        if kind != "held":
            raise DeployError(f"无法在 {dest.where()} 建立部署锁 {LOCK}（{rest or answer or '无输出'}）。",
                              "请检查部署文件夹的权限和磁盘空间。网站保持原样。")
        server_now, lock_time, line = (rest.split("\t", 2) + ["", ""])[:3]
        started, _, text = line.partition("\t")
        try:
            holder = json.loads(text) if text else {}
        except ValueError:
            holder = {}
        if not isinstance(holder, dict):
            holder = {}
        since = _seconds(started) or _seconds(lock_time)
        age = _seconds(server_now) - since if since and _seconds(server_now) else None
        if not (_gone(holder) or (age is not None and age > STALE_HOURS * 3600)):
            raise _held_message(dest, holder, age)
        if dest.run(_BREAK, dest.path, line, str(BREAK_SECONDS)).strip() == "broken":
            say(f"已清除中断的{holder.get('command', '部署')}留下的锁（{holder.get('host', '?')}，"
                f"{holder.get('started', '时间不明')}）。")
        elif time.monotonic() > waited_until:
            break                  # still there: it cannot be removed from here
        else:
            time.sleep(0.5)        # another deploy is breaking it right now (or was killed doing so): look again
    raise DeployError(f"{dest.where()} 里有中断的部署留下的锁 {LOCK}，但无法清除它。",
                      f"请检查部署文件夹的权限，确认没有部署在运行后删除锁再试：{_removal(dest)}。网站保持原样。")


def give_back(dest: Destination, token: Optional[str]) -> None:
    if token is not None:
        dest.run(_RELEASE, dest.path, token, check=False)


@contextmanager
def held(dest: Destination, command: str, create: bool = True, say=print) -> Iterator[None]:
    """The deploy folder locked for the block; given back however the block ends: an error, Ctrl-C,
    SIGTERM or SIGHUP (a process killed outright leaves it: see the module's docstring)."""
    pending: list = []
    deferred = defer_interrupts(pending)    # a stop while the lock is being taken: after, so it is given back
    try:
        token = take(dest, command, create, say)
        previous = stop_on_signals()
        try:
            restore({n: h for n, h in deferred.items() if n not in previous})    # Ctrl-C as before
            if pending:
                raise KeyboardInterrupt
            yield
        finally:
            held_back = hold_interrupts()          # a second signal must not stop the giving back
            try:
                give_back(dest, token)
            except DeployError:
                pass               # the connection is gone: the lock is taken over later as stale
            finally:
                restore(held_back)
                restore(previous)
    finally:
        restore(deferred)
