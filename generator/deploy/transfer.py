"""Upload a release with rsync: only what changed travels.

rsync writes the new release into its own folder; `--link-dest` names the live release, so
every file whose content is the same (`--checksum`: content, not times) becomes a hard link to
the live one on the server instead of a copy sent over the wire. Over SSH rsync uses the
system's `ssh` with the destination's options (host key always verified).
"""
from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .destination import Destination, ssh_failure
from .errors import DeployError


@dataclass
class Stats:
    files: int = 0            # regular files in the release
    transferred: int = 0      # regular files sent (new or changed)
    sent: int = 0             # bytes sent over the wire (rsync's "Total bytes sent")
    received: int = 0
    literal: int = 0          # file data sent
    seconds: float = 0.0


_FIELDS = {"files": r"Number of regular files transferred|Number of files transferred",
           "sent": r"Total bytes sent", "received": r"Total bytes received", "literal": r"Literal data"}


def parse_stats(text: str) -> Stats:
    stats = Stats()
    for name, label in _FIELDS.items():
        found = re.search(rf"^(?:{label}): ([\d,.]+)", text, re.M)
        if found:
            setattr(stats, "transferred" if name == "files" else name, int(re.sub(r"[,.]", "", found.group(1))))
    found = re.search(r"^Number of files: [\d,.]+ \(reg: ([\d,.]+)", text, re.M)
    if found:
        stats.files = int(re.sub(r"[,.]", "", found.group(1)))
    return stats


def upload(dest: Destination, sources: list[Path], folder: str, link_dest: Optional[str],
           files_from: Optional[list[str]] = None) -> Stats:
    """Copy the contents of `sources` (in order, merged) into `folder` below the deploy folder.
    `link_dest`: a folder beside `folder` (the live release) to share unchanged files with.
    `files_from`: only these files (of the one source), into a folder that holds the rest already."""
    import tempfile
    import time
    command = ["rsync", "-rlpc", "--stats", "--chmod=Du=rwx,Dgo=rx,Fu=rw,Fgo=r"]
    if files_from is None:
        command.append("--delete")
    if link_dest:
        command.append(f"--link-dest=../{link_dest}")
    listing = None
    if files_from is not None:
        listing = tempfile.NamedTemporaryFile("wb", prefix="zwgk-files-", delete=False)
        listing.write(b"\0".join(name.encode("utf-8") for name in files_from) + b"\0")
        listing.close()
        command += ["--from0", f"--files-from={listing.name}"]
    if dest.remote:
        command += ["-e", " ".join(shlex.quote(a) for a in dest.ssh_args())]
    command += [f"{source}/" for source in sources]
    command.append(dest.rsync_path(folder) + "/")
    started = time.monotonic()
    try:
        done = subprocess.run(command, capture_output=True)
    except FileNotFoundError:
        raise DeployError("找不到 rsync 命令。", "请在本机安装 rsync（Debian/Ubuntu：apt-get install rsync）。")
    finally:
        if listing is not None:
            Path(listing.name).unlink(missing_ok=True)
    stderr = done.stderr.decode("utf-8", "replace")
    if done.returncode == 255 or dest.remote and done.returncode in (12,) and "ssh" in stderr.lower() and "Permission" in stderr:
        raise ssh_failure(dest, stderr)
    if done.returncode != 0:
        last = stderr.strip().splitlines()[-1] if stderr.strip() else f"退出码 {done.returncode}"
        hint = "请检查部署文件夹的权限和磁盘空间。"
        if "command not found" in stderr or done.returncode == 127:
            hint = "服务器上需要安装 rsync（Debian/Ubuntu：apt-get install rsync）。"
        raise DeployError(f"上传到 {dest.where()} 失败（rsync）：{last}", hint + "网站仍是原来的版本。")
    stats = parse_stats(done.stdout.decode("utf-8", "replace"))
    stats.seconds = time.monotonic() - started
    return stats


def upload_changes(dest: Destination, output: Path, meta: Path, folder: str, live: str,
                   live_hashes: dict[str, str], hashes: dict[str, str]) -> Stats:
    """When this machine knows the live release's manifest (it deployed it): the new release starts
    as hard links to the live one on the server (`cp -al`), the files gone are removed, and only
    the files that differ travel — no list of every file over the wire."""
    changed = sorted(rel for rel, digest in hashes.items() if live_hashes.get(rel) != digest)
    removed = sorted(rel for rel in live_hashes if rel not in hashes)
    dest.run('cd "$1/releases" && rm -rf "$3" && cp -al "$2" "$3" && cd "$3" && '
             'xargs -0 -r rm -f -- && find . -mindepth 1 -type d -empty -delete', dest.path, live,
             folder.split("/", 1)[1], input=b"".join(name.encode("utf-8") + b"\0" for name in removed))
    stats = upload(dest, [output], folder, None, files_from=changed) if changed else Stats()
    extra = upload(dest, [meta], folder, None, files_from=sorted(p.name for p in meta.iterdir()))
    stats.transferred += extra.transferred
    stats.sent += extra.sent
    stats.received += extra.received
    stats.literal += extra.literal
    stats.seconds += extra.seconds
    stats.files = len(hashes)
    return stats
