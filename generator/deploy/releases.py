"""The layout on the server (Capistrano's, Deployer's):

    <deploy folder>/
      .zwgk-deploy.json            which target this folder is for (written by the first deploy)
      .zwgk-lock/                  held while a deploy, apply or rollback runs (lock.py)
      releases/20261204T093000Z-1a2b3c4/   one complete release per deploy (its name: UTC time, commit)
      releases/.incoming-…/        a release being uploaded (never served; removed by the next deploy)
      current -> releases/…        the live release: the web server's root

`current` is switched in one atomic step: a new symbolic link under a temporary name, renamed
over `current` (rename(2) replaces it atomically, `mv -T`). Whatever moment a deploy is killed,
`current` names a complete release, the old one or the new one.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from .destination import Destination
from .errors import DeployError

TARGET_FILE = ".zwgk-deploy.json"
NAME = re.compile(r"\d{8}T\d{6}Z-[0-9a-z]+")

# what the deploy folder holds now: one "key<TAB>value" per line
_STATE = r'''d="$1"
[ -e "$d" ] || { echo "missing	1"; exit 0; }
[ -d "$d" ] || { echo "notdir	1"; exit 0; }
for entry in "$d"/* "$d"/.[!.]* "$d"/..?*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  case "${entry##*/}" in releases|current|.zwgk-deploy.json|.current.tmp-*|.zwgk-lock|.zwgk-lock.*) ;; *) echo "foreign	${entry##*/}";; esac
done
[ -f "$d/.zwgk-deploy.json" ] && printf 'target\t%s\n' "$(tr -d '\n' < "$d/.zwgk-deploy.json")"
if [ -L "$d/current" ]; then printf 'current\t%s\n' "$(readlink "$d/current")"
elif [ -e "$d/current" ]; then echo "currentnotlink	1"; fi
if [ -d "$d/releases" ]; then for r in "$d"/releases/*/; do [ -d "$r" ] && r="${r%/}" && printf 'release\t%s\n' "${r##*/}"; done; fi
exit 0'''


@dataclass
class State:
    exists: bool = True
    target: Optional[str] = None
    current: Optional[str] = None           # name of the live release
    releases: list[str] = field(default_factory=list)   # complete releases, oldest first
    foreign: list[str] = field(default_factory=list)    # entries that are not the layout's

    def before(self, name: Optional[str]) -> Optional[str]:
        """The release before `name` (by time)."""
        older = [r for r in self.releases if name is None or r < name]
        return older[-1] if older else None


def read_state(dest: Destination) -> State:
    state = State()
    for line in dest.run(_STATE, dest.path).splitlines():
        key, _, value = line.partition("\t")
        if key == "missing":
            state.exists = False
        elif key == "notdir":
            raise DeployError(f"部署地址 {dest.where()} 已存在，但不是文件夹。", "请换一个部署文件夹。")
        elif key == "foreign":
            state.foreign.append(value)
        elif key == "target":
            try:
                state.target = json.loads(value).get("target")
            except (ValueError, AttributeError):
                state.target = "?"
        elif key == "current":
            name = value.rstrip("/").rsplit("/", 1)[-1]
            state.current = name
        elif key == "currentnotlink":
            raise DeployError(f"{dest.where()}/current 不是符号链接。",
                              "current 必须是指向 releases/ 里某个版本的符号链接；请先把它移走（网站服务器的根目录改为部署文件夹里的 current）。")
        elif key == "release" and NAME.fullmatch(value):
            state.releases.append(value)
    state.releases.sort()
    return state


def check_deploy_folder(dest: Destination, state: State, target: str) -> None:
    """Refuse a folder that is not (and cannot become) this target's deploy folder."""
    if state.target is not None and state.target != target:
        raise DeployError(f"{dest.where()} 是“{state.target}”载体的部署文件夹，不能部署“{target}”。",
                          "每种载体部署到自己的文件夹；请检查 --to 和 --target。网站保持原样。")
    if state.target is None and state.foreign:
        shown = "、".join(sorted(state.foreign)[:5])
        raise DeployError(f"{dest.where()} 不是空文件夹，也不是部署文件夹（其中有 {shown}）。",
                          "为防止与其他文件混在一起，请部署到一个新的或空的文件夹；网站服务器的根目录指向其中的 current。")


def record_target(dest: Destination, target: str) -> None:
    data = json.dumps({"format": 1, "target": target}, ensure_ascii=False)
    dest.run('mkdir -p "$1/releases" && printf "%s\\n" "$2" > "$1/.zwgk-deploy.json.tmp" && '
             'mv -f "$1/.zwgk-deploy.json.tmp" "$1/.zwgk-deploy.json"', dest.path, data)


def clean_stale(dest: Destination) -> None:
    """Uploads and links left by killed deploys (never served)."""
    dest.run('cd "$1" || exit 0; rm -rf releases/.incoming-* releases/.trash-*; rm -f .current.tmp-*; '
             # a lock being made or removed by a deploy killed then (an hour old: not one starting now)
             'find . -maxdepth 1 -name ".zwgk-lock.*" -mmin +60 -exec rm -rf {} +', dest.path)


def new_name(state: State, commit: Optional[str], fingerprint: str, now: Optional[datetime] = None) -> str:
    """`<UTC time>-<commit or fingerprint>`, later than every existing release's name: names sort in
    the order of the deploys (a clock set back, or two deploys in one second, take the next second)."""
    moment = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(microsecond=0)
    if state.releases:
        newest = datetime.strptime(state.releases[-1][:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        moment = max(moment, newest + timedelta(seconds=1))
    return f"{moment.strftime('%Y%m%dT%H%M%SZ')}-{(commit or fingerprint)[:7].lower()}"


def incoming(name: str) -> str:
    return f"releases/.incoming-{name}"


def complete(dest: Destination, name: str) -> None:
    """The uploaded release under its own name (still not live)."""
    dest.run('cd "$1" && mv -T "releases/.incoming-$2" "releases/$2"', dest.path, name)


def switch(dest: Destination, name: str) -> None:
    """`current` -> releases/<name>, atomically."""
    dest.run('cd "$1" && [ -d "releases/$2" ] && ln -s "releases/$2" ".current.tmp-$2" && mv -T ".current.tmp-$2" current',
             dest.path, name)


def prune(dest: Destination, state: State, keep: int) -> list[str]:
    """Remove all but the newest `keep` releases; never the live one or the one before it."""
    live = state.current
    spared = set(state.releases[-keep:]) | {live, state.before(live)}
    gone = [r for r in state.releases if r not in spared]
    for name in gone:     # renamed away first: a killed removal leaves no half release under its name
        dest.run('cd "$1/releases" && mv -T "$2" ".trash-$2" && rm -rf ".trash-$2"', dest.path, name)
    return gone
