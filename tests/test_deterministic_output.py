"""The same sources and --now give the same bytes; a later --now changes only what came due."""
from support import GOLDEN_SITE, NOW, tree_bytes


def test_two_builds_are_byte_identical(tmp_path, cli):
    for name in ("a", "b"):
        assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / name).code == 0
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_a_later_now_changes_only_what_came_due(tmp_path, cli):
    cli("build", "--site", GOLDEN_SITE, "--now", "2026-11-30T23:59:59+08:00", "--out", tmp_path / "a")
    cli("build", "--site", GOLDEN_SITE, "--now", "2026-12-01T00:00:00+08:00", "--out", tmp_path / "b")
    assert not (tmp_path / "a" / "quanli" / "xuke" / "2026-00007").exists()
    assert (tmp_path / "b" / "quanli" / "xuke" / "2026-00007" / "index.html").is_file()
