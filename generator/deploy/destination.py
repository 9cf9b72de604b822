"""Where a deploy goes (`--to`): a local or NFS folder, or a folder on another machine over SSH.

    /srv/www/gk                      a folder of this machine (an NFS mount is one)
    user@host:/srv/www/gk            SSH, rsync's own notation (port, key … from ~/.ssh/config)
    ssh://user@host:2222/srv/www/gk  SSH with a port

Every operation on the destination is a small POSIX shell script (coreutils, find, sha256sum),
run by `sh -c` here or through the system's `ssh` there: the same script for both, so what the
local tests check is what runs on the server. SSH always verifies the host key
(StrictHostKeyChecking=yes, BatchMode=yes: an unknown or changed host key is an error, never a prompt).
"""
from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import DeployError

TO_HINT = "请写本机文件夹（如 /srv/www/gk）或 SSH 地址（如 deploy@www.example.gov.cn:/srv/www/gk，或 ssh://deploy@主机:端口/srv/www/gk）。"


@dataclass(frozen=True)
class Destination:
    text: str                         # as given
    path: str                         # the deploy folder (absolute)
    host: Optional[str] = None        # [user@]host for SSH; None: this machine
    port: Optional[int] = None
    identity: Optional[Path] = None   # --identity
    known_hosts: Optional[Path] = None
    ssh_config: Optional[Path] = None
    control: Optional[str] = None     # an ssh master connection's socket (connected()), shared by every step

    @property
    def remote(self) -> bool:
        return self.host is not None

    def ssh_args(self) -> list[str]:
        args = ["ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=20"]
        if self.ssh_config:
            args += ["-F", str(self.ssh_config)]
        if self.identity:
            args += ["-i", str(self.identity), "-o", "IdentitiesOnly=yes"]
        if self.known_hosts:
            args += ["-o", f"UserKnownHostsFile={self.known_hosts}"]
        if self.port:
            args += ["-p", str(self.port)]
        if self.control:
            args += ["-o", f"ControlPath={self.control}", "-o", "ControlMaster=no"]
        return args

    def rsync_path(self, inner: str) -> str:
        """`inner` (below the deploy folder) as rsync names it."""
        full = f"{self.path.rstrip('/')}/{inner}"
        return f"{self.host}:{full}" if self.remote else full

    def run(self, script: str, *args: str, check: bool = True, timeout: float = 600, input: bytes = b"") -> str:
        """Run a POSIX shell script with `args` ($1 …) on the destination; its stdout."""
        if self.remote:
            remote = "sh -c " + shlex.quote(script) + " sh " + " ".join(shlex.quote(a) for a in args)
            command = self.ssh_args() + ["--", self.host, remote]
        else:
            command = ["sh", "-c", script, "sh", *args]
        try:
            done = subprocess.run(command, capture_output=True, timeout=timeout, input=input)
        except FileNotFoundError as exc:
            raise DeployError(f"找不到命令 {exc.filename}。", "请安装 openssh-client（ssh）。")
        except subprocess.TimeoutExpired:
            raise DeployError(f"在 {self.where()} 上执行操作超时（{timeout:.0f} 秒）。", "请检查网络和服务器。")
        if self.remote and done.returncode == 255:
            raise ssh_failure(self, done.stderr.decode("utf-8", "replace"))
        if check and done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise DeployError(f"在 {self.where()} 上执行操作失败：{detail[-1] if detail else '退出码 ' + str(done.returncode)}",
                              "请检查部署文件夹的权限和磁盘空间。")
        return done.stdout.decode("utf-8", "replace")

    def where(self) -> str:
        return f"{self.host}:{self.path}" if self.remote else self.path


def connected(dest: Destination) -> Destination:
    """For SSH: one master connection for every step of a command (each step would otherwise log in
    again). It ends itself a minute after its last use, also when the command is killed; where it
    cannot start, every step connects on its own."""
    if not dest.remote:
        return dest
    import atexit
    import shutil
    import tempfile
    folder = tempfile.mkdtemp(prefix="zwgk-ssh-")
    control = f"{folder}/c"
    command = dest.ssh_args() + ["-o", "ControlMaster=yes", "-o", f"ControlPath={control}", "-o", "ControlPersist=60",
                                 "-N", "-f", "--", dest.host]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        shutil.rmtree(folder, ignore_errors=True)
        return dest
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ssh_failure(dest, done.stderr.decode("utf-8", "replace"))

    def close() -> None:
        subprocess.run(dest.ssh_args() + ["-o", f"ControlPath={control}", "-O", "exit", "--", dest.host],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        shutil.rmtree(folder, ignore_errors=True)
    atexit.register(close)
    from dataclasses import replace
    return replace(dest, control=control)


def ssh_failure(dest: Destination, stderr: str) -> DeployError:
    """ssh's own failure (exit 255), in plain words."""
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "连接失败"
    if "Host key verification failed" in stderr or "REMOTE HOST IDENTIFICATION HAS CHANGED" in stderr:
        return DeployError(f"无法通过 SSH 连接 {dest.host}：服务器的主机密钥未知或已改变（{last}）。",
                           "为防止连到冒充的服务器，部署只连接主机密钥已在 known_hosts 里的服务器。请向服务器管理员核对密钥指纹后，"
                           "用 ssh 手动登录一次确认（或 ssh-keyscan 加入 known_hosts），再部署。")
    if "Permission denied" in stderr:
        return DeployError(f"无法通过 SSH 登录 {dest.host}：密钥被拒绝（{last}）。",
                           "请用 --identity 指定私钥文件，或在 ~/.ssh/config 里为该主机设置 IdentityFile。")
    return DeployError(f"无法通过 SSH 连接 {dest.host}：{last}", "请检查主机名、端口和网络。")


def parse(text: str, identity: Optional[str] = None, known_hosts: Optional[str] = None,
          ssh_config: Optional[str] = None) -> Destination:
    """`--to` as a Destination; DeployError for what cannot be a destination."""
    text = (text or "").strip()
    if not text:
        raise DeployError("没有指定部署到哪里（--to）。", TO_HINT + "也可以写在 site.toml 的 [deploy] to。")
    extra = dict(identity=Path(identity).expanduser() if identity else None,
                 known_hosts=Path(known_hosts).expanduser() if known_hosts else None,
                 ssh_config=Path(ssh_config).expanduser() if ssh_config else None)
    for name, value in extra.items():
        if value is not None and not value.is_file():
            option = {"identity": "--identity", "known_hosts": "--known-hosts", "ssh_config": "--ssh-config"}[name]
            raise DeployError(f"{option} 指定的文件 {value} 不存在。", "请写私钥、known_hosts 或 ssh 配置文件的路径。")
    found = re.fullmatch(r"ssh://([^/@\s]+@)?([^/:\s\[\]]+|\[[0-9a-fA-F:]+\])(?::(\d+))?(/.*)", text)
    if found:
        user, host, port, path = found.groups()
        return _checked(Destination(text, _clean(path, text), (user or "") + host, int(port) if port else None, **extra))
    if "://" in text:
        raise DeployError(f"不支持的部署地址“{text}”。", TO_HINT)
    found = re.fullmatch(r"([^/:\s]+@)?([^/:\s]+):(.*)", text)     # rsync's rule: a colon before any slash
    if found:
        user, host, path = found.groups()
        if not path.startswith("/"):
            raise DeployError(f"SSH 地址“{text}”里的文件夹要写绝对路径（以 / 开头）。", TO_HINT)
        return _checked(Destination(text, _clean(path, text), (user or "") + host, **extra))
    path = str(Path(text).expanduser().absolute())
    if path == "/":
        raise DeployError("部署文件夹不能是根目录 /。", TO_HINT)
    return Destination(text, path, **extra)


def _clean(path: str, text: str) -> str:
    path = "/" + path.strip("/")
    if path == "/" or any(part in (".", "..") for part in path.split("/")):
        raise DeployError(f"部署地址“{text}”的文件夹不能是根目录，也不能含 . 或 ..。", TO_HINT)
    return path


def _checked(dest: Destination) -> Destination:
    if dest.host.startswith("-"):
        raise DeployError(f"主机名“{dest.host}”无效。", TO_HINT)
    return dest
