"""The repository's own site (the example bureau) builds cleanly and shows every feature."""
import json
from collections import Counter

import pytest

from support import NOW, ROOT

from generator.config import load_config


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from generator.cli import main
    out = tmp_path_factory.mktemp("example")
    result = {}
    for target in ("website", "intranet", "kiosk"):
        code = main(["build", "--site", str(ROOT), "--target", target, "--now", NOW,
                     "--out", str(out / target), "--report", str(out / f"{target}.json"), "--quiet"])
        assert code == 0
        result[target] = json.loads((out / f"{target}.json").read_text(encoding="utf-8"))
    return result


def test_builds_without_errors_or_warnings(reports):
    for report in reports.values():
        assert report["errors"] == [] and report["warnings"] == []


def test_at_least_sixty_items(reports):
    website = reports["website"]
    assert len(website["published"]) + len(website["held_back"]) >= 60


def test_every_leaf_category_has_a_published_item(reports):
    config = load_config(ROOT)
    shown = {e["category"] for r in reports.values() for e in r["published"]}
    assert set(config.leaf_codes()) <= shown


def test_every_visibility_state_is_represented(reports):
    reasons = Counter(e["reason"] for e in reports["website"]["held_back"])
    for reason in ("draft", "proposed", "withdrawn", "not_reviewed", "future", "expired", "abolished",
                   "internal", "channel"):
        assert reasons[reason] >= 1, reason
    assert Counter(e["reason"] for e in reports["kiosk"]["held_back"])["channel"] >= 1


def test_full_catalogue_and_sections():
    config = load_config(ROOT)
    leaves = {c.code: c for c in config.categories.values() if c.is_leaf}
    assert len(leaves) == 24 and len(config.sections) >= 5
    assert {leaves[c].audience for c in ("0404", "0405", "0407")} == {"internal"}
    assert all(c.slug.isascii() for c in config.categories.values())


def test_fixed_pages(reports):
    urls = {p["url"] for p in reports["website"]["pages"]}
    assert {"/guide/", "/apply/", "/annual-report-2025/"} <= urls
