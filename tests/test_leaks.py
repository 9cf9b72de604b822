"""No held-back item leaves a trace: every output file is searched for every marker."""
import re

import pytest

from support import GOLDEN_SITE, NOW

MARKERS = {   # marker -> the targets that may show it
    "留痕标记-draft": (), "留痕标记-draft-title": (), "留痕标记-proposed": (), "留痕标记-withdrawn": (),
    "留痕标记-notreviewed": (), "留痕标记-future": (), "留痕标记-expired": (), "留痕标记-abolished": (),
    "留痕标记-internal": ("intranet",), "留痕标记-channel": ("intranet",),
}
HELD_TITLES = ["草稿条目", "待审核条目", "已撤回条目", "未写审核人的条目", "定时发布条目", "已失效条目", "已废止条目"]
HELD_INDEX = ["2026-00004", "2026-00005", "2026-00006", "2026-00007", "2025-00008", "2024-00009"]


def all_text(folder):
    for path in folder.rglob("*"):
        if path.is_file():
            yield path, path.read_bytes().decode("utf-8", errors="replace")


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
def test_no_held_back_marker_in_any_file(target, tmp_path, cli):
    out = tmp_path / target
    assert cli("build", "--site", GOLDEN_SITE, "--target", target, "--now", NOW, "--out", out).code == 0
    texts = dict(all_text(out))
    assert texts
    for marker, allowed in MARKERS.items():
        pattern = re.compile(re.escape(marker) + r"(?![-\w])")
        found = [p.name for p, text in texts.items() if pattern.search(text)]
        if target in allowed:
            assert found, f"{marker} should be in the {target} output"
        else:
            assert not found, f"{marker} leaked into {found}"
    for needle in HELD_TITLES + HELD_INDEX:
        assert not [p for p, text in texts.items() if needle in text], needle


def test_internal_category_is_not_listed_publicly(tmp_path, cli):
    out = tmp_path / "w"
    cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", out)
    assert not (out / "neiwu" / "renmian").exists()
    assert "干部任免" not in (out / "index.html").read_text()
    cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / "i", "--target", "intranet")
    page = (tmp_path / "i" / "neiwu" / "renmian" / "2026-00010" / "index.html").read_text()
    assert "内部公开" in page and "badge-internal" in page


def test_counts_only_count_published(tmp_path, cli):
    out = tmp_path / "w"
    cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", out)
    home = (out / "index.html").read_text()
    assert re.search(r"行政许可</a> <span class=\"count\"[^>]*>\(3\)", home)   # xuke-1..3; not draft/future/expired
    assert "共公开信息 5 条" in home
