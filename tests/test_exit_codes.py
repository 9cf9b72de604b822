"""Exit codes and what goes with them: usage errors (2), content errors (1), --keep-going, check."""
import json

from support import GOLDEN_SITE, NOW


def test_missing_site_toml_exits_2(tmp_path, cli):
    run = cli("build", "--site", tmp_path)
    assert run.code == 2 and "找不到 site.toml" in run.err


def test_bad_now_exits_2(cli):
    run = cli("build", "--site", GOLDEN_SITE, "--now", "yesterday")
    assert run.code == 2 and "--now" in run.err


def test_keep_going_holds_bad_items_back_and_publishes_the_rest(golden_copy, tmp_path, cli):
    bad = golden_copy / "content" / "fagui" / "chufa-1.md"
    bad.write_text(bad.read_text() + "\n当事人联系电话 13812345678。\n", encoding="utf-8")
    broken = golden_copy / "content" / "fagui" / "broken.md"
    broken.write_text("---\ntitle: [\n---\n", encoding="utf-8")
    report = tmp_path / "r.json"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o").code == 1
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--keep-going", "--report", report)
    assert run.code == 0
    data = json.loads(report.read_text())
    held = {e["file"]: e["reason"] for e in data["held_back"]}
    assert held["content/fagui/chufa-1.md"] == "privacy"
    assert held["content/fagui/broken.md"] == "invalid"
    assert len(data["published"]) == 4
    assert {e["file"] for e in data["errors"]} == {"content/fagui/chufa-1.md", "content/fagui/broken.md"}
    assert "13812345678" not in report.read_text() and "13812345678" not in run.err
    assert not list((tmp_path / "o").rglob("2025-00011"))


def test_check_json(golden_copy, cli):
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 0
    assert json.loads(run.out)["errors"] == []
    (golden_copy / "content" / "fagui" / "x.md").write_text("---\ntitle: x\ncategory: 0299\n---\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    assert run.code == 1
    errors = json.loads(run.out)["errors"]
    assert errors[0]["file"] == "content/fagui/x.md" and errors[0]["line"] == 3 and errors[0]["field"] == "category"


def test_check_catches_a_future_item_carrying_a_number(golden_copy, cli):
    future = golden_copy / "content" / "fagui" / "future.md"
    future.write_text(future.read_text() + "\n联系人 13812345678\n", encoding="utf-8")
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", golden_copy / "dist" / "w").code == 0
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1 and "138****5678" in run.err
