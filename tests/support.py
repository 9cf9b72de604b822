"""Constants and helpers shared by the tests (fixtures live in conftest.py)."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"           # inputs: sites to build, invalid sites, overlays
SITES = FIXTURES / "sites"
GOLDEN_SITE = SITES / "golden"
INVALID = FIXTURES / "invalid"                   # one folder per site that must fail (tests/test_invalid_sites.py)
KIOSK_OVERLAY = FIXTURES / "kiosk_overlay"       # laid over a copy of GOLDEN_SITE by the kiosk tests
EXPECTED = ROOT / "tests" / "expected"           # outputs the builds must equal
GOLDEN_EXPECTED = EXPECTED / "golden"            # GOLDEN_SITE built at NOW (`make golden` rewrites it)
BENCH = ROOT / "bench"
NOW = "2026-11-26T08:00:00+08:00"
LATER = "2027-06-01T08:00:00+08:00"      # xuke-2 of GOLDEN_SITE has expired by then: a one-item change
ARTIFACTS = ROOT / "test-artifacts"


def bench_module(name: str) -> ModuleType:
    """bench/<name>.py, imported under its own name the way `python bench/<name>.py` sees its siblings.

    bench/ is not put on sys.path (there bench/profile.py would hide the standard library's `profile`,
    which cProfile imports): a sibling the script imports (`import corpus`) is loaded the same way first."""
    path = BENCH / f"{name}.py"
    loaded = sys.modules.get(name)
    if loaded is not None:
        assert Path(getattr(loaded, "__file__", "")) == path, f"{name} is already {loaded!r}"
        return loaded
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except ModuleNotFoundError as missing:
        del sys.modules[name]
        if missing.name and missing.name != name and (BENCH / f"{missing.name}.py").is_file():
            bench_module(missing.name)
            return bench_module(name)
        raise
    except BaseException:
        del sys.modules[name]
        raise
    return module


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot in test-artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def kiosk_site(site: Path) -> Path:
    """A copy of GOLDEN_SITE at `site` with KIOSK_OVERLAY laid over it (the kiosk tests' site)."""
    shutil.copytree(GOLDEN_SITE, site)
    shutil.copytree(KIOSK_OVERLAY / "content", site / "content", dirs_exist_ok=True)
    return site


def systemd_problems(units: list[Path], tmp_path: Path) -> list[str]:
    """What `systemd-analyze verify` finds in example units (copied to tmp_path: only the paths of the
    installation, absent here, may be missing)."""
    copies = [shutil.copy(unit, tmp_path / unit.name) for unit in units]
    done = subprocess.run(["systemd-analyze", "verify", *map(str, copies)], capture_output=True, text=True, timeout=60)
    return [line for line in (done.stdout + done.stderr).splitlines()
            if line.strip() and "is not executable: No such file or directory" not in line]


def snapshot(folder: Path) -> dict:
    """Every path below `folder` with its kind, link target or bytes' hash (a deploy folder compared
    before and after something that must not change it)."""
    out = {}
    for path in sorted(folder.rglob("*")) if folder.exists() else []:
        rel = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def live(www: Path) -> Path:
    """The release a deploy folder's `current` names."""
    return www / "releases" / os.readlink(www / "current").split("/")[-1]
