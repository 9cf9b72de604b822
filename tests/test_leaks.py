"""No held-back item leaves a trace: every output file is searched for every marker."""
import json
import re

import pytest

from support import GOLDEN_SITE, NOW, SITES

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


# ---------------------------------------------------------------- the bureau fixture
# tests/fixtures/sites/bureau: the example bureau's full catalogue and seven sections, with its items in every
# held-back state (drafts, proposals, withdrawn, unreviewed, scheduled, expired, abolished, internal by
# category and by audience, channel-limited). Every item carries a 留痕标记-<kind>-<n> in its body and
# 留痕标记-<kind>-<n>-summary in its 内容概述; <kind> alone says where it may show.

BUREAU = SITES / "bureau"
BUREAU_MARKER = re.compile(r"留痕标记-[\w-]+")
TARGETS = ("website", "intranet", "kiosk")
SHOWN_ON = {"public": TARGETS, "internal": ("intranet",), "website-only": ("website",),
            "kiosk-only": ("kiosk",), "no-kiosk": ("website", "intranet")}   # every other kind: nowhere


def marker_kind(marker: str) -> str:
    return marker.removeprefix("留痕标记-").removesuffix("-summary").rsplit("-", 1)[0]


def bureau_items() -> dict[str, dict]:
    items = {}
    for path in sorted((BUREAU / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        index_no = re.search(r'^index_no: "?([^"\n]+)"?$', text, re.M)
        items[path.relative_to(BUREAU).as_posix()] = dict(
            text=text, markers=set(BUREAU_MARKER.findall(text)), stem=path.stem,
            index_no=index_no.group(1) if index_no else None,
            title=re.search(r'^title: "?(.+?)"?$', text, re.M).group(1))
    return items


@pytest.fixture(scope="module")
def bureau_builds(tmp_path_factory):
    from generator.cli import main
    folder = tmp_path_factory.mktemp("bureau")
    builds = {}
    for target in TARGETS:
        out, report = folder / target, folder / f"{target}.json"
        assert main(["build", "--site", str(BUREAU), "--target", target, "--now", NOW, "--out", str(out),
                     "--report", str(report), "--quiet"]) == 0
        builds[target] = (dict(all_text(out)), json.loads(report.read_text(encoding="utf-8")))
    return builds


def test_bureau_fixture_has_every_held_back_state_and_marks_every_item(bureau_builds):
    items = bureau_items()
    assert all(len(i["markers"]) == 2 for i in items.values()), "a body and a 内容概述 marker on every item"
    kinds = {marker_kind(m) for i in items.values() for m in i["markers"]}
    assert {"draft", "proposed", "withdrawn", "noreviewer", "future", "expired", "abolished"} <= kinds
    assert set(SHOWN_ON) <= kinds
    for target, (_, report) in bureau_builds.items():
        assert report["errors"] == [] and report["warnings"] == []
        assert {e["file"] for e in report["published"]} | {e["file"] for e in report["held_back"]} == set(items)
    reasons = {t: {e["reason"] for e in r["held_back"]} for t, (_, r) in bureau_builds.items()}
    assert reasons["website"] >= {"draft", "proposed", "withdrawn", "not_reviewed", "future", "expired", "abolished",
                                  "internal", "channel"}
    assert "internal" not in reasons["intranet"] and {"internal", "channel"} <= reasons["kiosk"]


@pytest.mark.parametrize("target", TARGETS)
def test_bureau_markers_show_exactly_where_their_item_is_published(target, bureau_builds):
    texts, report = bureau_builds[target]
    assert texts
    for file, item in bureau_items().items():
        for marker in sorted(item["markers"]):
            pattern = re.compile(re.escape(marker) + r"(?![-\w])")
            found = sorted(p.name for p, text in texts.items() if pattern.search(text))
            if target in SHOWN_ON.get(marker_kind(marker), ()):
                assert found, f"{marker} ({file}) should be in the {target} output"
            else:
                assert not found, f"{marker} ({file}) leaked into the {target} output: {found}"


@pytest.mark.parametrize("target", TARGETS)
def test_bureau_held_back_items_leave_no_title_index_number_or_slug(target, bureau_builds):
    texts, report = bureau_builds[target]
    items = bureau_items()
    published = {e["file"] for e in report["published"]}
    named_by_published = "\n".join(items[f]["text"] for f in published)
    held = [items[e["file"]] for e in report["held_back"]]
    assert held
    for item in held:
        needles = [item["index_no"], item["index_no"].split("/")[-1]] if item["index_no"] else [item["stem"]]
        if item["title"] not in named_by_published:      # a published item may cite an older one by name
            needles.append(item["title"])
        for needle in needles:
            assert not [p.name for p, text in texts.items() if needle in text], (target, needle)
