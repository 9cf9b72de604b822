"""Input paths: a build reads nothing whose real path leaves the folder it belongs to.

Build machines (CI runners above all) hold secrets. A symlink in content/ or in a theme
(`x.pdf -> /etc/passwd`, an item linked in from elsewhere) must never carry a file of the
machine into the output, so every input file is resolved before it is read and refused,
with its path, when its real path leaves its folder. Links to folders are not followed
(they could also loop); links that point nowhere are named, not skipped.
"""
from __future__ import annotations

import os
from functools import lru_cache
import stat
from pathlib import Path
from typing import Optional

# why a path may not be read -> what the editor is told (after the file's name)
REASONS = {
    "outside": "是指向 content 文件夹之外的链接，不能发布",
    "broken": "是指向不存在文件的链接",
    "folder": "是链接，不能使用",
}
HINT = "请把文件本身（而不是链接）放进科室文件夹后再提交。"


@lru_cache(maxsize=64)
def real_folder(folder: Path) -> str:
    """The folder's real path with a trailing separator: the `inside` of `escape` (asked for every file
    loaded: resolved once per folder and process)."""
    return os.path.join(os.path.realpath(folder), "")


def escape(path, inside: str, walked: bool = False) -> Optional[str]:
    """Why the file `path` may not be read as part of the folder `inside`, or None.

    `walked`: the path was found by a walk that follows no folder links, so only its own
    last part can be a link (one lstat). Otherwise every part is resolved (attachments
    name subfolders, which could be links). A missing file is the caller's to report."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISLNK(mode):
        if not os.path.exists(path):
            return "broken"
        if os.path.isdir(path):
            return "folder"
    elif walked:
        return None
    return None if os.path.realpath(path).startswith(inside) else "outside"
