"""The GitHub workflows lint clean, and the scheduled run's decisions are right."""
import json
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support import GOLDEN_SITE, NOW, ROOT

from generator import schedule

TZ = ZoneInfo("Asia/Shanghai")


def test_actionlint_is_clean():
    actionlint = Path(sys.executable).parent / "actionlint"
    if not actionlint.exists():
        actionlint = shutil.which("actionlint")
    assert actionlint, "actionlint is installed by requirements-test.txt"
    files = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert len(files) == 2
    result = subprocess.run([str(actionlint), "-no-color", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_publish_schedule_covers_beijing_midnight():
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert 'cron: "5 * * * *"' in text            # hourly: 16:05 UTC is 00:05 Beijing
    for action in ("actions/upload-pages-artifact@", "actions/deploy-pages@"):
        assert action in text


def test_codeowners_is_up_to_date(cli):
    assert cli("check", "--site", ROOT, "--now", NOW).code == 0


def test_scheduled_run_skips_when_nothing_came_due(tmp_path, cli):
    state = tmp_path / "state.json"
    out, report = tmp_path / "site", tmp_path / "r.json"
    assert cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", out, "--report", report).code == 0
    before = datetime.fromisoformat(NOW)
    go, why, _ = schedule.decide(state, "abc", before)
    assert go, why                                                   # no state yet: build
    run = cli("schedule", "--site", GOLDEN_SITE, "--state", state, "--sha", "abc", "--now", NOW,
              "--report", report, "--output", out)
    assert run.code == 0 and run.out.startswith("deploy=true")
    saved = json.loads(state.read_text())
    assert saved["next_change"] == "2026-12-01T00:00:00+08:00" and saved["sha"] == "abc"
    # an hour later, same commit, before next_change: no build at all
    assert schedule.decide(state, "abc", datetime(2026, 11, 26, 9, tzinfo=TZ))[0] is False
    # a new commit: build; same output => no deploy
    assert schedule.decide(state, "def", datetime(2026, 11, 26, 9, tzinfo=TZ))[0] is True
    assert schedule.decide(state, "def", before, report, out)[0] is False
    # 2026-12-01 00:00 Beijing: the future item comes due
    due = datetime(2026, 12, 1, 0, 5, tzinfo=TZ)
    assert schedule.decide(state, "abc", due)[0] is True
    assert cli("build", "--site", GOLDEN_SITE, "--now", due.isoformat(), "--out", out, "--report", report).code == 0
    assert schedule.decide(state, "abc", due, report, out)[0] is True
