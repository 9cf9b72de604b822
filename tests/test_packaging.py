"""`pip install .` stands alone: the installed `zwgk` command finds the default theme (installed as
data files) and builds the same bytes as the checkout's build.py."""
import os
import shutil
import subprocess
import sys
import sysconfig

import pytest

from support import GOLDEN_SITE, NOW, ROOT, tree_bytes


def test_a_plain_install_builds_what_the_checkout_builds(tmp_path, cli):
    source = tmp_path / "source"
    source.mkdir()
    for name in ("generator", "themes", "pyproject.toml", "requirements.txt", "README.md"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(
            ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                           if (ROOT / name).is_dir() else {}))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-deps", str(source)],
                             capture_output=True, text=True)
    if install.returncode != 0 and "Could not find a version that satisfies" in install.stderr:
        pytest.skip("setuptools (the build backend) cannot be fetched from PyPI here")
    assert install.returncode == 0, install.stderr[-2000:]
    installed = tmp_path / "installed"
    # the dependencies come from this interpreter's site-packages (PYTHONPATH runs no .pth files, so the
    # checkout's editable install is not seen); the working folder is outside the checkout
    env = dict(os.environ, PYTHONPATH=sysconfig.get_paths()["purelib"])
    run = subprocess.run([str(venv / "bin" / "zwgk"), "build", "--site", str(GOLDEN_SITE), "--now", NOW,
                          "--out", str(installed), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import generator.config as c; print(c.PROJECT_THEMES)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert probe == str(venv / "share" / "zwgk" / "themes")
    checkout = tmp_path / "checkout"
    assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", checkout, "--no-cache").code == 0
    assert tree_bytes(installed) == tree_bytes(checkout)
