"""bench/corpus.py: a deterministic benchmark corpus in this project's format that builds cleanly."""
from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from support import bench_module, tree_bytes

corpus = bench_module("corpus")
hugo_site = bench_module("hugo_site")
pelican_site = bench_module("pelican_site")

N = 60


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A corpus of N items, built once for the website with a report."""
    from generator.cli import main
    work = tmp_path_factory.mktemp("bench")
    made = corpus.generate(N, work / "site")
    code = main(["build", "--site", str(work / "site"), "--now", corpus.NOW, "--out", str(work / "out"),
                 "--report", str(work / "report.json"), "--quiet"])
    return made, code, json.loads((work / "report.json").read_text(encoding="utf-8")), work


def test_same_n_gives_byte_identical_corpus(tmp_path, built):
    made, _, _, work = built
    again = corpus.generate(N, tmp_path / "again")
    assert tree_bytes(tmp_path / "again") == tree_bytes(work / "site")
    assert again.states == made.states and again.tables == made.tables


def test_a_smaller_corpus_is_a_prefix_of_a_larger_one(tmp_path, built):
    _, _, _, work = built
    corpus.generate(N - 20, tmp_path / "small")
    small = {k: v for k, v in tree_bytes(tmp_path / "small" / "content").items()}
    large = tree_bytes(work / "site" / "content")
    assert len(small) == N - 20 + 2 and all(large.get(k) == v for k, v in small.items())


def test_builds_without_errors_or_warnings(built):
    _, code, report, _ = built
    assert code == 0
    assert report["errors"] == [] and report["warnings"] == []
    assert len(report["published"]) + len(report["held_back"]) == N


def test_every_visibility_state_is_there_as_planned(built):
    made, _, report, _ = built
    reasons = Counter(e["reason"] for e in report["held_back"])
    for state in corpus.STATES:
        assert reasons[state] >= 1, state
    assert {**reasons, "published": len(report["published"])} == {k: v for k, v in made.states.items() if v}


def test_every_target_checks_clean(built, cli):
    _, _, _, work = built
    result = cli("check", "--site", work / "site", "--now", corpus.NOW)
    assert result.code == 0
    assert f"{N} 个条目，0 个错误，0 个警告" in result.err


def test_bodies_tables_and_index_numbers(built):
    made, _, _, work = built
    items = [p for p in (work / "site" / "content").rglob("*.md") if p.parent.name != "pages"]
    numbers, tables = [], 0
    for path in items:
        head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
        assert 800 <= len(body.strip("\n")) <= 2500, path.name
        tables += "|---|" in body
        numbers += re.findall(r'^index_no: "(.+)"$', head, re.M)
    assert tables == made.tables and 0.15 * N <= tables <= 0.6 * N
    assert len(numbers) == len(set(numbers))
    assert len({p.parent.name for p in items}) >= 5
    assert len({n[-10:-6] for n in numbers}) >= 5                 # several years


def test_hugo_and_pelican_get_the_published_set(tmp_path, built):
    """The converters' own reading of the visibility rule agrees with the build report."""
    _, _, report, work = built
    published = len(report["published"])
    hugo = hugo_site.convert(work / "site", tmp_path / "hugo", corpus.NOW)
    assert hugo == {"items": N, "published": published, "pages": 2}
    drafts = sum("\ndraft: true\n" in p.read_text(encoding="utf-8")
                 for p in (tmp_path / "hugo" / "content").rglob("*.md"))
    assert 0 < drafts < N - published                            # future and expired: Hugo's own --clock
    pelican = pelican_site.convert(work / "site", tmp_path / "pelican", corpus.NOW)
    assert pelican == {"items": N, "published": published, "pages": 2}
    articles = [p for p in (tmp_path / "pelican" / "content").rglob("*.md") if p.parent.name != "pages"]
    assert len(articles) == published
