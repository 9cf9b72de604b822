"""A build reaches its output folder here: all of it, or none of it.

The new output is written into a temporary sibling folder (the renderers write
their pages into it as they go; this module adds the rest) and swapped in with
one atomic step: Linux `renameat2(RENAME_EXCHANGE)` trades the two folders'
places, so at every moment the output path holds a complete output, the
previous one or the new one (where the file system cannot exchange, two
renames, as Lektor's `os.replace`). A failed, interrupted or killed build leaves
the previous output exactly as it was and a web server never serves a mix.

Where a build may write (check_destination): a folder that does not exist, an
empty folder, or a folder carrying this generator's marker file `.zwgk-output`
(written into every output), never a file, the site itself, its sources
(content/, themes/, .git/) or the generator. An output of an earlier version
(no marker) is accepted when this machine's build cache recorded exactly that
folder as its last output (reuse.recorded_files); otherwise the editor is asked
to remove it once.

The staging folders (`.<name>.new-…`, `.<name>.old-…` beside the output) of a
killed build are removed by the next build: each build holds an flock on its
own staging folders while it uses them, so a concurrent build's are left alone.
"""
from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Optional

try:
    import fcntl
except ImportError:       # pragma: no cover  (not Unix: no locks, stale staging folders are kept)
    fcntl = None

from .errors import BuildAborted, Problem
from .output import Output, file_keys
from .reuse import OutputStore, cache_dir, manifest_entries, recorded_files, write_manifest

MARKER = ".zwgk-output"
MARKER_BYTES = ("zwgk-output 1\n"
                "本文件夹是政务公开目录生成器（python build.py build）的输出，每次构建时整体替换。\n"
                "请勿在此存放其他文件。\n").encode("utf-8")

GENERATOR_DIR = Path(__file__).resolve().parent
NEW_OUTPUT_HINT = "请指定一个不存在的或空的文件夹，例如站点里的 dist/website（默认为 <站点>/dist/<target>）。"
FILE_HINT = "请换一个位置，例如站点根目录或 dist/ 文件夹里的一个新文件。"


# ---------------------------------------------------------------- where a build may write

def _refuse(given, option: str, message: str, hint: str) -> BuildAborted:
    return BuildAborted([Problem(str(given), 0, option, message, hint)])


def _protected(site_root: Path, theme_dir: Optional[Path]) -> list[tuple[Path, str]]:
    """Folders no output may be, be inside, or contain: the site's sources and the generator."""
    root = site_root.resolve()
    found = [(root / "content", "内容文件夹 content/"), (root / "themes", "主题文件夹 themes/"),
             (root / ".git", "git 仓库文件夹 .git/"), (GENERATOR_DIR, "生成器程序文件夹 generator/")]
    if theme_dir is not None:
        found.append((theme_dir.resolve(), f"主题文件夹 {theme_dir}"))
    return found


def _check_place(given, target: Path, site_root: Path, option: str, what: str, hint: str,
                 theme_dir: Optional[Path] = None) -> None:
    """`target` (resolved) is not the site root, one of its parents, or in or above its sources."""
    root = site_root.resolve()
    if target == root or target in root.parents:
        raise _refuse(given, option, f"{what} {target} 是站点根目录或其上级文件夹，写入会替换站点的源文件。", hint)
    for folder, name in _protected(site_root, theme_dir):
        if target == folder or folder in target.parents:
            where = f"就是{name}" if target == folder else f"在{name} 里"
            raise _refuse(given, option, f"{what} {target} {where}，写入会改动源文件。", hint)
        if target in folder.parents:
            raise _refuse(given, option, f"{what} {target} 包含{name}，写入会删除源文件。", hint)


def check_destination(out_dir: Path, site_root: Path, theme_dir: Optional[Path] = None) -> Path:
    """Refuse an output folder whose replacement would destroy anything but an earlier output.
    Returns the real path to write to (a symbolic link's target). Nothing is changed on disk."""
    out = out_dir.resolve()
    _check_place(out_dir, out, site_root, "--out", "输出文件夹", NEW_OUTPUT_HINT, theme_dir)
    if os.path.lexists(out) and not out.is_dir():
        raise _refuse(out_dir, "--out", f"{out} 已存在，是一个文件而不是文件夹；构建不会替换它。", NEW_OUTPUT_HINT)
    if not out.is_dir():
        return out
    try:
        entries = set(os.listdir(out))
    except OSError as exc:
        raise _refuse(out_dir, "--out", f"无法读取输出文件夹 {out}（{exc.strerror}）。", "请检查文件夹权限，或另指定一个文件夹。")
    if entries & {"site.toml", ".git"}:
        raise _refuse(out_dir, "--out", f"输出文件夹 {out} 里有 site.toml 或 .git，不像是构建输出，构建会删除它们。",
                      "为防止误删，请另指定一个单独的文件夹。" + NEW_OUTPUT_HINT)
    if not entries or MARKER in entries and (out / MARKER).is_file() or _earlier_output(out_dir, out, entries):
        return out
    raise _refuse(out_dir, "--out", f"文件夹 {out} 不是空的，也没有构建输出的标记文件 {MARKER}，构建会删除其中的全部文件，"
                  "所以没有写入。",
                  NEW_OUTPUT_HINT + f"如果它是旧版本生成器的输出（旧版本不写 {MARKER}），请确认后先删除或改名该文件夹再构建；"
                  "本机构建缓存里记录着它是上次构建的输出时，会自动接受。")


def _earlier_output(given: Path, out: Path, entries: set[str]) -> bool:
    """An output of an earlier version (no marker): the build cache (reuse.py) of this machine
    recorded this very folder as its last output, and the folder holds nothing else."""
    for candidate in {out, given.absolute()}:
        files = recorded_files(candidate)
        if files and "index.html" in files:
            if entries <= {f.split("/", 1)[0] for f in files} | {"pagefind"}:   # pagefind/: the indexer's
                return True
    return False


def prepare_destination(out_dir: Path, site_root: Path, theme_dir: Optional[Path] = None) -> Path:
    """At the start of a build: check the output folder (check_destination) and remove the
    staging folders that killed builds left beside it. Returns the real path to write to."""
    out = check_destination(out_dir, site_root, theme_dir)
    clean_stale(out)
    return out


def check_file_destination(path: Path, site_root: Path, option: str, ours: Callable[[Path], bool], what: str,
                           out_dir: Optional[Path] = None, theme_dir: Optional[Path] = None,
                           make_parent: bool = False) -> Path:
    """A file a command writes (a build report, an archive): not in the sources nor in the output
    folder, and, where it exists, an empty file or one this generator wrote before (`ours`).
    `make_parent`: the writer makes missing folders. Returns the real path; nothing is changed."""
    target = path.resolve()
    _check_place(path, target, site_root, option, what, FILE_HINT, theme_dir)
    if out_dir is not None:
        out = out_dir.resolve()
        if target == out or out in target.parents:
            raise _refuse(path, option, f"{what} {target} 在输出文件夹 {out} 里，构建会整体替换该文件夹。",
                          "请写到输出文件夹之外，例如站点根目录或 dist/ 文件夹里的一个新文件。")
    if os.path.lexists(target):
        if target.is_dir():
            raise _refuse(path, option, f"{what} {target} 已存在，是一个文件夹。", "请写文件名，不要写文件夹。" + FILE_HINT)
        if not target.is_file():
            raise _refuse(path, option, f"{what} {target} 已存在，不是普通文件。", "请换一个文件名。")
        if target.stat().st_size and not ours(target):
            raise _refuse(path, option, f"{target} 已存在，且不是本程序以前写的{what}；为防止覆盖其中的内容，没有写入。",
                          "请换一个文件名，或确认后先删除该文件。")
    parent = target.parent
    while make_parent and not os.path.lexists(parent) and parent != parent.parent:
        parent = parent.parent            # the writer makes the missing folders: the first existing one counts
    if not parent.is_dir():
        raise _refuse(path, option, f"{what}所在的文件夹 {parent} 不存在。", "请先创建该文件夹，或换一个位置。")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise _refuse(path, option, f"没有在文件夹 {parent} 里写入{what}的权限。", "请检查文件夹权限，或换一个位置。")
    return target


def is_build_report(path: Path) -> bool:
    """A build report of an earlier build (SPEC: `--report`)."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and {"target", "published", "held_back"} <= data.keys()


def is_archive(path: Path) -> bool:
    """A zip made by `archive` (it always holds index.csv)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return "index.csv" in zf.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def write_beside(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a temporary file beside it, renamed over it."""
    path = path.absolute()
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- one build at a time per output

_BUILDING: set[str] = set()     # the outputs this process has the turn of


@contextmanager
def one_build_at_a_time(out_dir: Path, say: Callable[[str], None]):
    """Builds into one output folder take turns (an flock in its build cache folder, held from loading
    to the swap). A build reuses the previous output's unchanged files (hard links, reuse.py): another
    build swapping its own output in meanwhile would take them away ("找不到该文件", seen when two
    builds ran at once). The second build says that it waits, then goes on. Without flock (not Unix)
    or a cache folder that cannot be made, no turns are taken."""
    key = str(out_dir)
    if key in _BUILDING:            # this process has the turn already (a build within a build): never
        yield                       # wait for ourselves (flock on a second descriptor would, for ever)
        return
    fd = None
    if fcntl is not None:
        try:
            folder = cache_dir(out_dir)
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            fd = None
    try:
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                say(f"另一个构建正在写入 {out_dir}，等它完成后继续……")     # at once: a wait is not progress
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:
                pass                # a file system without locks: no turns
        _BUILDING.add(key)
        yield
    finally:
        _BUILDING.discard(key)
        if fd is not None:
            os.close(fd)


# ---------------------------------------------------------------- staging folders and their locks

_HELD: dict[str, int] = {}       # staging folder -> descriptor holding its flock


def _stale_pattern(out_dir: Path) -> re.Pattern:
    return re.compile(rf"\.{re.escape(out_dir.name)}\.(new|old)-[A-Za-z0-9_]+")


@contextmanager
def _locked_parent(parent: Path):
    """The output's parent folder, locked while staging folders are made or removed in it."""
    fd = os.open(parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
            except OSError:
                pass
        yield
    finally:
        os.close(fd)


def _try_lock(folder: Path) -> Optional[int]:
    """A descriptor holding an exclusive flock on `folder`, or None (in use, not a folder, no locks)."""
    if fcntl is None:
        return None
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _release(folder: Path) -> None:
    fd = _HELD.pop(str(folder), None)
    if fd is not None:
        os.close(fd)


def _new_sibling(out_dir: Path, kind: str) -> Path:
    """A new locked `.<name>.<kind>-…` folder beside the output."""
    with _locked_parent(out_dir.parent):
        if kind == "new":
            _clean_stale_locked(out_dir)
        folder = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{kind}-", dir=out_dir.parent))
        fd = _try_lock(folder)
        if fd is not None:
            _HELD[str(folder)] = fd
    return folder


def new_staging(out_dir: Path) -> Path:
    """The hidden sibling folder a build is written into before the swap, locked by this process
    until it is swapped in or discarded (discard_staging)."""
    out_dir = out_dir.absolute()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return _new_sibling(out_dir, "new")


def discard_staging(staging: Path) -> None:
    """Remove a staging folder that will not be swapped in."""
    shutil.rmtree(staging, ignore_errors=True)
    _release(staging)


def clean_stale(out_dir: Path) -> None:
    """Remove the staging folders of builds that were killed (no process holds their lock)."""
    out_dir = out_dir.absolute()
    if out_dir.parent.is_dir():
        with _locked_parent(out_dir.parent):
            _clean_stale_locked(out_dir)


def _clean_stale_locked(out_dir: Path) -> None:
    pattern = _stale_pattern(out_dir)
    try:
        names = sorted(os.listdir(out_dir.parent))
    except OSError:
        return
    for name in names:
        match = pattern.fullmatch(name)
        folder = out_dir.parent / name
        if match is None or str(folder) in _HELD:
            continue
        fd = _try_lock(folder)
        if fd is None:
            continue              # a running build's, or not a folder
        try:
            previous = folder / "previous"
            if match.group(1) == "old" and not os.path.lexists(out_dir) and previous.is_dir():
                os.rename(previous, out_dir)    # killed between the two renames: the previous output back
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass
        finally:
            os.close(fd)


# ---------------------------------------------------------------- writing and swapping

def publish(output: Output, out_dir: Path, finish: Optional[Callable[[Path], None]] = None,
            store: Optional[OutputStore] = None, staging: Optional[Path] = None,
            before_swap: Optional[Callable[[], None]] = None) -> bool:
    """Write `output` to `out_dir` atomically. `finish(staging)` runs on the complete
    staging folder before the swap (the search indexer), so its work is atomic too.
    `staging` (from new_staging) may already hold the pages renderers wrote there.
    `before_swap()` runs last before the swap (the build report is moved into place
    there): when it fails, the output is left as it was.

    With `store` (the previous output and its manifest), unchanged files are hard
    links to the previous ones, and an output identical to the previous one is
    not written at all. Returns whether anything was written."""
    out_dir = out_dir.absolute()
    if out_dir.is_symlink():
        out_dir = out_dir.resolve()             # the link stays; the folder it names is replaced
    keys = file_keys(output) if store is not None else {}
    if store is not None and (out_dir / MARKER).is_file() and store.same_as_before(keys):
        try:
            if before_swap is not None:
                before_swap()
        finally:
            if staging is not None:
                discard_staging(staging)
        return False
    staging = staging or new_staging(out_dir)
    try:
        output.write_into(staging, keys, store)          # what the renderers did not write there already
        if finish is not None:
            finish(staging)
        (staging / MARKER).write_bytes(MARKER_BYTES)
        os.chmod(staging / MARKER, 0o644)
        os.chmod(staging, 0o755)
        if before_swap is not None:
            before_swap()
        entries = manifest_entries(staging, keys) if store is not None else {}
        retired = _swap(staging, out_dir)
    except BaseException:
        discard_staging(staging)
        raise
    _release(staging)
    if retired is not None:                     # the previous output, now under a staging name
        shutil.rmtree(retired, ignore_errors=True)
        _release(retired)
    if store is not None:
        write_manifest(out_dir, entries)
    output.files.spill_dir = out_dir          # spilled pages are read from where they now are
    return True


# renameat2(2): Linux 3.15; glibc has the wrapper from 2.28, else the raw system call
_RENAME_EXCHANGE, _AT_FDCWD = 2, -100
_SYSCALLS = {"x86_64": 316, "amd64": 316, "aarch64": 276, "arm64": 276, "riscv64": 276, "loongarch64": 276,
             "i386": 353, "i686": 353, "armv7l": 382, "armv6l": 382, "ppc64le": 357, "ppc64": 357, "s390x": 347}
_UNSUPPORTED = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}
_renameat2: Optional[Callable] = None


def _renameat2_function() -> Optional[Callable]:
    global _renameat2
    if _renameat2 is None and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
        except OSError:
            return None
        wrapper = getattr(libc, "renameat2", None)
        if wrapper is not None:
            wrapper.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            wrapper.restype = ctypes.c_int
            _renameat2 = wrapper
        elif platform.machine().lower() in _SYSCALLS:
            number, syscall = _SYSCALLS[platform.machine().lower()], libc.syscall
            syscall.restype = ctypes.c_long
            _renameat2 = lambda a, old, b, new, flags: syscall(                      # noqa: E731
                ctypes.c_long(number), ctypes.c_int(a), ctypes.c_char_p(old), ctypes.c_int(b),
                ctypes.c_char_p(new), ctypes.c_uint(flags))
    return _renameat2


def exchange(a: Path, b: Path) -> bool:
    """Trade the places of two existing paths in one atomic step. False (and nothing done)
    where the system or the file system cannot; an OSError for any other failure."""
    function = _renameat2_function()
    if function is None:
        return False
    if function(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, out_dir: Path) -> Optional[Path]:
    """Put `staging` at `out_dir`. Returns the folder now holding the previous output, to delete."""
    if not os.path.lexists(out_dir):
        try:
            os.rename(staging, out_dir)
            return None
        except OSError as exc:          # made meanwhile (a concurrent build): exchange with it
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    if exchange(staging, out_dir):
        return staging
    # no exchange here: two renames, the previous output kept in a locked `.old-` folder between them
    retired = _new_sibling(out_dir, "old")
    try:
        os.replace(out_dir, retired / "previous")
    except BaseException:
        shutil.rmtree(retired, ignore_errors=True)
        _release(retired)
        raise
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(retired / "previous", out_dir)    # put the old output back
        shutil.rmtree(retired, ignore_errors=True)
        _release(retired)
        raise
    return retired
