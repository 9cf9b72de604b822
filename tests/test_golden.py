"""The golden fixture site built end to end and compared byte for byte with tests/expected/golden/.

After an intended change of output: `make golden` (REGEN_GOLDEN=1) rewrites tests/expected/golden/;
review `git diff tests/expected/golden` before committing it.
"""
import json
import os
import shutil

from support import GOLDEN_EXPECTED, GOLDEN_SITE, NOW, tree_bytes

GOLDEN = GOLDEN_EXPECTED


FIXED_MTIME = 1767225600   # 2026-01-01T00:00:00Z: outside git, 更新日期 falls back to the file's mtime


def fixed_copy(tmp_path):
    """The golden site outside git, every file's mtime fixed, so 更新日期 is the same in every clone."""
    site = tmp_path / "golden-site"
    shutil.copytree(GOLDEN_SITE, site)
    for path in site.rglob("*"):
        os.utime(path, (FIXED_MTIME, FIXED_MTIME))
    return site


def test_website_matches_golden(tmp_path, cli):
    out = tmp_path / "website"
    report = tmp_path / "report.json"
    run = cli("build", "--site", fixed_copy(tmp_path), "--now", NOW, "--out", out, "--report", report, "--quiet")
    assert run.code == 0, run.err
    if os.environ.get("REGEN_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(out, GOLDEN / "website")
        shutil.copy(report, GOLDEN / "report.json")
    built, golden = tree_bytes(out), tree_bytes(GOLDEN / "website")
    assert sorted(built) == sorted(golden)
    for path in golden:
        assert built[path] == golden[path], f"{path} differs from tests/expected/golden/website/{path}"
    assert json.loads(report.read_text()) == json.loads((GOLDEN / "report.json").read_text())


def test_report_lists_every_item_once_with_its_reason(tmp_path, cli):
    report = tmp_path / "r.json"
    assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / "o", "--report", report).code == 0
    data = json.loads(report.read_text())
    files = [e["file"] for e in data["published"] + data["held_back"]]
    on_disk = sorted(p.relative_to(GOLDEN_SITE).as_posix() for p in (GOLDEN_SITE / "content").rglob("*.md")
                     if "pages" not in p.parts)
    assert sorted(files) == on_disk
    reasons = {e["file"].rsplit("/", 1)[1]: e["reason"] for e in data["held_back"]}
    assert reasons == {"draft.md": "draft", "proposed.md": "proposed", "withdrawn.md": "withdrawn",
                       "noreviewer.md": "not_reviewed", "future.md": "future", "expired.md": "expired",
                       "abolished.md": "abolished", "renmian.md": "internal", "caigou-intranet.md": "channel"}
    future = next(e for e in data["held_back"] if e["reason"] == "future")
    assert future["until"] == "2026-12-01T00:00:00+08:00"
    assert data["next_change"] == "2026-12-01T00:00:00+08:00"
    assert data["now"] == NOW and data["target"] == "website"
    urls = {e["url"] for e in data["published"]}
    assert "/quanli/xuke/2026-00001/" in urls
    assert all((tmp_path / "o" / e["url"].lstrip("/") / "index.html").is_file() for e in data["published"])
