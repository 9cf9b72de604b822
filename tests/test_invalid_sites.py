"""Each folder of tests/fixtures/invalid/ must fail with its exact `path:line` messages,
exit with its code, and leave the previous output exactly as it was."""
import shutil
from pathlib import Path

import pytest

from support import INVALID, NOW, tree_bytes
from generator.publish import MARKER, MARKER_BYTES

CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("_"))


def materialise(case: str, tmp_path: Path) -> Path:
    site = tmp_path / case
    shutil.copytree(INVALID / case, site, ignore=shutil.ignore_patterns("expected.txt"))
    if not (site / "site.toml").exists():
        shutil.copy(INVALID / "_base" / "site.toml", site / "site.toml")
    return site


@pytest.mark.parametrize("case", CASES)
def test_invalid_site(case, tmp_path, cli):
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    code = int(expected[0].removeprefix("exit "))
    site = materialise(case, tmp_path)
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    (out / "old" / "index.html").write_text("上一次的输出", encoding="utf-8")
    (out / MARKER).write_bytes(MARKER_BYTES)            # it is a build output: a build may replace it
    before = tree_bytes(out)

    run = cli("build", "--site", site, "--now", NOW, "--out", out)

    assert run.code == code, run.err
    printed = run.err.splitlines()
    for line in expected[1:]:
        assert line in printed, f"missing: {line}\n--- printed:\n{run.err}"
    assert "Traceback" not in run.err
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([case, "out"])   # no staging left behind


@pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("config-")])
def test_check_reports_the_same(case, tmp_path, cli):
    expected = (INVALID / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    run = cli("check", "--site", materialise(case, tmp_path), "--now", NOW)
    assert run.code == 1
    for line in expected[1:]:
        assert line in run.err.splitlines()
