"""`build.py kiosk-sync`: a kiosk bundle from a file (USB stick) or from http on 127.0.0.1, checked,
installed with the atomic `current` switch; wrong target, damage and a failed download change nothing."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from support import LATER, NOW, live, snapshot, systemd_problems
from test_bundle import make_bundle


@pytest.fixture
def bundles(cli, golden_copy, tmp_path):
    """Two kiosk bundles (NOW and LATER, which differ) in a 'USB stick' folder."""
    stick = tmp_path / "usb"
    stick.mkdir()
    first = make_bundle(cli, golden_copy, stick / "kiosk-1.tar.gz", NOW, "--target", "kiosk")
    second = make_bundle(cli, golden_copy, stick / "kiosk-2.tar.gz", LATER, "--target", "kiosk")
    return stick, first, second




def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp" in p.name)


def test_from_a_file_then_a_newer_one_then_the_same_again(cli, bundles, tmp_path):
    stick, first, second = bundles
    kiosk = tmp_path / "kiosk"
    run = cli("kiosk-sync", "--from", first, "--to", kiosk)
    assert run.code == 0, run.err
    assert (kiosk / "current" / "index.html").is_file() and os.path.islink(kiosk / "current")
    one = live(kiosk).name
    assert "下次无人操作回到首页" in run.out

    run = cli("kiosk-sync", "--from", second, "--to", kiosk)
    assert run.code == 0, run.err
    two = live(kiosk).name
    assert two != one and sorted(p.name for p in (kiosk / "releases").iterdir()) == [one, two]

    before = snapshot(kiosk)
    run = cli("kiosk-sync", "--from", second, "--to", kiosk)
    assert run.code == 0, run.err
    assert "无需安装" in run.out and "没有改动" in run.out
    assert snapshot(kiosk) == before


def test_keep_prunes_old_releases(cli, golden_copy, bundles, tmp_path):
    stick, first, second = bundles
    third = make_bundle(cli, golden_copy, stick / "kiosk-3.tar", "2027-09-01T08:00:00+08:00", "--target", "kiosk")
    kiosk = tmp_path / "kiosk"
    for bundle in (first, second, third):
        assert cli("kiosk-sync", "--from", bundle, "--to", kiosk, "--keep", "2").code == 0
    assert len(list((kiosk / "releases").iterdir())) == 2


def test_from_http_on_127_0_0_1(cli, bundles, serve, tmp_path):
    stick, first, second = bundles
    base = serve(stick)
    kiosk = tmp_path / "kiosk"
    run = cli("kiosk-sync", "--from", base + first.name, "--to", kiosk)
    assert run.code == 0, run.err
    assert "已下载" in run.out
    fingerprint_one = (kiosk / "current" / ".zwgk-release.json").read_text()
    run = cli("kiosk-sync", "--from", base + second.name, "--to", kiosk)
    assert run.code == 0, run.err
    assert (kiosk / "current" / ".zwgk-release.json").read_text() != fingerprint_one
    assert leftovers(tmp_path) == []                         # the download's temporary file is gone

    before = snapshot(kiosk)
    run = cli("kiosk-sync", "--from", base + "missing.tar.gz", "--to", kiosk)   # 404
    assert run.code == 1 and "HTTP 404" in run.err and "保持原样" in run.err
    run = cli("kiosk-sync", "--from", base + second.name, "--to", kiosk, "--max-size", "0")
    assert run.code == 2
    big = stick / "big.tar"
    big.write_bytes(b"\0" * (2 << 20))
    run = cli("kiosk-sync", "--from", base + big.name, "--to", kiosk, "--max-size", "1")
    assert run.code == 1 and "上限" in run.err
    run = cli("kiosk-sync", "--from", "http://127.0.0.1:9/nothing.tar", "--to", kiosk, "--timeout", "5")
    assert run.code == 1 and "下载" in run.err
    assert snapshot(kiosk) == before and leftovers(tmp_path) == []


def test_a_bundle_of_another_target_is_refused(cli, golden_copy, tmp_path):
    website = make_bundle(cli, golden_copy, tmp_path / "website.tar", NOW)      # target website
    kiosk = tmp_path / "kiosk"
    run = cli("kiosk-sync", "--from", website, "--to", kiosk)
    assert run.code == 1
    assert "website" in run.err and "kiosk" in run.err
    assert not kiosk.exists()


def test_a_damaged_bundle_changes_nothing(cli, bundles, tmp_path):
    stick, first, second = bundles
    kiosk = tmp_path / "kiosk"
    assert cli("kiosk-sync", "--from", first, "--to", kiosk).code == 0
    before = snapshot(kiosk)
    data = second.read_bytes()
    truncated = stick / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    run = cli("kiosk-sync", "--from", truncated, "--to", kiosk)
    assert run.code == 1 and "未通过校验" in run.err
    assert snapshot(kiosk) == before
    run = cli("kiosk-sync", "--from", stick / "nothing.tar", "--to", kiosk)
    assert run.code == 1 and "找不到" in run.err
    assert snapshot(kiosk) == before


def test_usage(cli, bundles, tmp_path):
    stick, first, second = bundles
    assert cli("kiosk-sync", "--to", tmp_path / "k").code == 2
    assert cli("kiosk-sync", "--from", "ftp://host/x.tar", "--to", tmp_path / "k").code == 2
    assert cli("kiosk-sync", "--from", first, "--to", tmp_path / "k", "--keep", "1").code == 2
    run = cli("kiosk-sync", "--from", first, "--to", "kiosk@host:/opt/kiosk")
    assert run.code == 1 and "本机" in run.err


EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def test_systemd_example_runs_kiosk_sync():
    import configparser
    import shlex
    service = configparser.ConfigParser(interpolation=None, strict=False)
    service.read(EXAMPLES / "zwgk-kiosk-sync.service", encoding="utf-8")
    words = shlex.split(service["Service"]["ExecStart"])
    assert words[1:3] == ["build.py", "kiosk-sync"] and "--from" in words and "--to" in words
    from generator.cli import _parser
    args = _parser().parse_args(words[2:])
    assert args.to == "/opt/kiosk" and args.keep == 3
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.read(EXAMPLES / "zwgk-kiosk-sync.timer", encoding="utf-8")
    assert timer["Timer"]["Unit"] == "zwgk-kiosk-sync.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze 不可用")
def test_systemd_analyze_verify(tmp_path):
    problems = systemd_problems([EXAMPLES / "zwgk-kiosk-sync.service", EXAMPLES / "zwgk-kiosk-sync.timer"], tmp_path)
    assert not problems, problems
