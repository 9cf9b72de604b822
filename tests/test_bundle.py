"""build.py bundle / apply (issue 16, part 2: 内外网隔离 摆渡): real archives, real damage, real kills.

A bundle is checked whole before anything changes; a damaged, truncated or hostile one leaves
the deploy folder exactly as it was (compared file by file) and names what failed.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from generator.deploy import bundle as bundles
from generator.deploy.verify import MANIFEST, RELEASE_INFO, file_hashes, manifest_text, fingerprint
from support import LATER, NOW, ROOT, live, snapshot



def make_bundle(cli, site: Path, out: Path, now: str = NOW, *extra) -> Path:
    run = cli("bundle", "--site", site, "--out", out, "--now", now, "-q", *extra)
    assert run.code == 0, run.err
    return out


@pytest.fixture
def applied(cli, golden_copy, tmp_path):
    """A deploy folder with one release applied from a bundle; the bundle of a later build beside it."""
    www = tmp_path / "www"
    first = make_bundle(cli, golden_copy, tmp_path / "first.tar")
    assert cli("apply", first, "--to", www).code == 0
    return www, make_bundle(cli, golden_copy, tmp_path / "later.tar", LATER)


def test_round_trip_deterministic_and_same_as_deploy(cli, golden_copy, tmp_path):
    out = golden_copy / "dist" / "website"
    one = make_bundle(cli, golden_copy, tmp_path / "a.tar.gz")
    two = make_bundle(cli, golden_copy, tmp_path / "b.tar.gz")
    assert one.read_bytes() == two.read_bytes()                 # deterministic, gzip included
    with tarfile.open(one) as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names[:2] == [bundles.INFO, bundles.MANIFEST]
    assert names[2:] == sorted(names[2:]) and all(n.startswith("site/") for n in names[2:])
    assert {(m.uid, m.gid, m.uname, m.gname) for m in members} == {(0, 0, "", "")}
    assert len({m.mtime for m in members}) == 1
    report = json.loads((golden_copy / "dist" / "website.report.json").read_text(encoding="utf-8"))
    with tarfile.open(one) as tar:
        info = json.loads(tar.extractfile(bundles.INFO).read())
    assert info["target"] == "website" and info["built"] == NOW
    assert info["published"] == len(report["published"]) and info["held_back"] == len(report["held_back"])
    assert info["fingerprint"] == fingerprint(manifest_text(file_hashes(out)))

    www = tmp_path / "www"
    run = cli("apply", one, "--to", www)
    assert run.code == 0, run.err
    assert "全部正确" in run.out and "已安装摆渡包" in run.out
    release = live(www)
    assert file_hashes(release) == file_hashes(out)
    data = json.loads((release / RELEASE_INFO).read_text(encoding="utf-8"))
    assert data["fingerprint"] == info["fingerprint"] and data["name"] == release.name and data["built"] == NOW
    subprocess.run(["sha256sum", "-c", "--quiet", MANIFEST], cwd=release, check=True)
    # applying the same bundle again changes nothing; a later build becomes a new release sharing files
    before = snapshot(www)
    again = cli("apply", one, "--to", www)
    assert again.code == 0 and "无需安装" in again.out and snapshot(www) == before
    later = make_bundle(cli, golden_copy, tmp_path / "later.tar", LATER)
    assert cli("apply", later, "--to", www).code == 0
    second = live(www)
    assert second != release and file_hashes(second) == file_hashes(out)      # out is now the LATER build
    same = [rel for rel, digest in file_hashes(second).items() if file_hashes(release).get(rel) == digest]
    assert same and all((release / rel).stat().st_ino == (second / rel).stat().st_ino for rel in same)
    # releases lists both; rollback works as after a deploy
    listing = cli("releases", "--to", www)
    assert listing.code == 0 and release.name in listing.out and "* " + second.name in listing.out
    assert cli("rollback", "--to", www).code == 0 and live(www) == release
    # a deploy folder for another target refuses the bundle
    kiosk = make_bundle(cli, golden_copy, tmp_path / "kiosk.tar", NOW, "--target", "kiosk")
    before = snapshot(www)
    refused = cli("apply", kiosk, "--to", www)
    assert refused.code == 1 and "website" in refused.err and snapshot(www) == before


def test_check_only_and_usage(cli, golden_copy, tmp_path):
    one = make_bundle(cli, golden_copy, tmp_path / "a.tar")
    run = cli("apply", one, "--to", tmp_path / "www", "--check-only")
    assert run.code == 0 and "摆渡包完好" in run.out and not (tmp_path / "www").exists()
    assert cli("bundle", "--site", golden_copy, "--out", tmp_path / "a.zip").code == 2
    # never into the sources or the output, never over a file that is not an earlier bundle
    other = tmp_path / "other.tar"
    other.write_text("别的文件", encoding="utf-8")
    for place in (golden_copy / "content" / "x.tar", golden_copy / "dist" / "website" / "x.tar", other):
        run = cli("bundle", "--site", golden_copy, "--out", place, "--now", NOW, "-q")
        assert run.code == 2 and "--out" in run.err, run.err
        assert place == other or not place.exists()
    assert other.read_text(encoding="utf-8") == "别的文件"
    assert cli("bundle", "--site", golden_copy, "--out", one, "--now", LATER, "-q").code == 0     # an earlier bundle: replaced
    missing = cli("apply", tmp_path / "nope.tar", "--to", tmp_path / "www")
    assert missing.code == 1 and "找不到摆渡包" in missing.err


def test_bundle_of_an_existing_output_needs_its_report(cli, golden_copy, tmp_path):
    out = tmp_path / "out"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "-q").code == 0
    run = cli("bundle", "--site", golden_copy, "--from", out, "--out", tmp_path / "x.tar")
    assert run.code == 1 and "构建报告" in run.err and not (tmp_path / "x.tar").exists()
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, "-q",
               "--report", tmp_path / "out.report.json").code == 0
    assert cli("bundle", "--site", golden_copy, "--from", out, "--out", tmp_path / "x.tar").code == 0


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz"])
def test_truncated_bundle_changes_nothing(cli, golden_copy, tmp_path, suffix):
    www = tmp_path / "www"
    assert cli("apply", make_bundle(cli, golden_copy, tmp_path / f"first{suffix}"), "--to", www).code == 0
    later = make_bundle(cli, golden_copy, tmp_path / f"later{suffix}", LATER)
    data = later.read_bytes()
    before = snapshot(www)
    with tarfile.open(later) as tar:           # where the last file's bytes end (after it: tar's padding)
        end = max(m.offset_data + m.size for m in tar.getmembers())
    ends = (end - 1,) if suffix == ".tar" else (len(data) - 10, len(data) - 1)
    for cut in (10, 600, len(data) // 3, len(data) // 2, *ends):
        broken = tmp_path / f"cut{suffix}"
        broken.write_bytes(data[:cut])
        run = cli("apply", broken, "--to", www)
        assert run.code == 1, (cut, run.out)
        assert "未通过校验" in run.err and "没有改动任何文件" in run.err, (cut, run.err)
        assert snapshot(www) == before, cut
    if suffix == ".tar":      # cut inside a file's bytes: that file is named
        with tarfile.open(later) as tar:
            member = next(m for m in tar.getmembers() if m.name == "site/index.html")
        broken.write_bytes(data[:member.offset_data + member.size // 2])
        run = cli("apply", broken, "--to", www)
        assert run.code == 1 and "index.html" in run.err, run.err


def test_one_tampered_byte_is_found_and_named(cli, applied, tmp_path):
    www, later = applied
    before = snapshot(www)
    data = bytearray(later.read_bytes())
    with tarfile.open(later) as tar:
        member = next(m for m in tar.getmembers() if m.name == "site/index.html")
    data[member.offset_data + member.size // 2] ^= 0x01
    tampered = tmp_path / "tampered.tar"
    tampered.write_bytes(bytes(data))
    run = cli("apply", tampered, "--to", www)
    assert run.code == 1
    assert "index.html" in run.err and "SHA-256" in run.err and "没有改动任何文件" in run.err
    assert snapshot(www) == before
    # one byte of the manifest, or of a header, is found too
    for offset in (1024 + 100, member.offset + 10):
        data = bytearray(later.read_bytes())
        data[offset] ^= 0x01
        tampered.write_bytes(bytes(data))
        run = cli("apply", tampered, "--to", www)
        assert run.code == 1 and "未通过校验" in run.err, offset
        assert snapshot(www) == before


def test_tampered_gzip_bundle_is_refused(cli, golden_copy, tmp_path):
    www = tmp_path / "www"
    one = make_bundle(cli, golden_copy, tmp_path / "a.tar.gz")
    data = bytearray(one.read_bytes())
    data[len(data) // 2] ^= 0x40
    one.write_bytes(bytes(data))
    run = cli("apply", one, "--to", www)
    assert run.code == 1 and "未通过校验" in run.err
    assert not www.exists()


def hostile(path: Path, extra: list[tuple[tarfile.TarInfo, bytes]], files: dict[str, bytes] | None = None) -> Path:
    """A bundle whose information and manifest are right for `files` plus every regular `extra` member."""
    files = dict(files or {"index.html": b"<p>ok</p>"})
    hashes = {rel: hashlib.sha256(data).hexdigest() for rel, data in files.items()}
    for member, data in extra:
        if member.isreg() and member.name.startswith("site/"):
            hashes[member.name[5:]] = hashlib.sha256(data).hexdigest()
    manifest = "".join(f"{hashes[rel]}  {rel}\n" for rel in sorted(hashes))
    info = {"format": 1, "target": "website", "built": NOW, "commit": None, "published": 1, "held_back": 0,
            "next_change": None, "files": len(hashes), "fingerprint": hashlib.sha256(manifest.encode()).hexdigest()}
    with tarfile.open(path, "w") as tar:
        def add(member: tarfile.TarInfo, data: bytes = b"") -> None:
            member.size = len(data) if member.isreg() else 0
            tar.addfile(member, io.BytesIO(data) if member.isreg() else None)
        add(tarfile.TarInfo(bundles.INFO), json.dumps(info).encode())
        add(tarfile.TarInfo(bundles.MANIFEST), manifest.encode())
        for rel, data in files.items():
            add(tarfile.TarInfo("site/" + rel), data)
        for member, data in extra:
            add(member, data)
    return path


def _member(name: str, kind=tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type, member.linkname = kind, link
    return member


@pytest.mark.parametrize("member, words", [
    (_member("site/../evil.html"), "路径不安全"),
    (_member("site/a/../../evil.html"), "路径不安全"),
    (_member("../evil.html"), "路径不安全"),
    (_member("/tmp/h15-evil.html"), "路径不安全"),
    (_member("site/link", tarfile.SYMTYPE, "../../../evil.html"), "符号链接"),
    (_member("site/hard", tarfile.LNKTYPE, "/etc/passwd"), "硬链接"),
    (_member("site/dev", tarfile.CHRTYPE), "设备文件"),
    (_member("site/fifo", tarfile.FIFOTYPE), "特殊文件"),
    (_member("site/.zwgk-release.json"), "路径不安全"),
])
def test_hostile_members_are_refused_and_nothing_is_written(cli, applied, tmp_path, member, words):
    www, _ = applied
    before, outside = snapshot(www), snapshot(tmp_path)
    bad = hostile(tmp_path / "bad.tar", [(member, b"<p>evil</p>")])
    run = cli("apply", bad, "--to", www)
    assert run.code == 1, run.out
    assert words in run.err and member.name in run.err and "没有改动任何文件" in run.err
    assert snapshot(www) == before
    assert set(snapshot(tmp_path)) - set(outside) == {"bad.tar"}
    assert not Path("/tmp/h15-evil.html").exists()


def test_a_hostile_bundle_with_a_right_manifest_but_a_file_missing_or_extra(cli, applied, tmp_path):
    www, _ = applied
    before = snapshot(www)
    bad = hostile(tmp_path / "bad.tar", [], {"index.html": b"x", "a/b.html": b"y"})
    data = bad.read_bytes()
    with tarfile.open(bad) as tar:                   # drop the last member (and the end marker)
        last = tar.getmembers()[-1]
    bad.write_bytes(data[:last.offset])
    run = cli("apply", bad, "--to", www)
    assert run.code == 1 and "缺少 1 个文件" in run.err and "a/b.html" in run.err
    assert snapshot(www) == before


def test_killed_apply_leaves_the_old_or_the_new_release(cli, golden_copy, tmp_path):
    """Kill `apply` at moments spread over its run: `current` always names a complete release."""
    www = tmp_path / "www"
    bundles_made, expected = [], []
    for i, moment in enumerate((NOW, LATER)):
        out = tmp_path / f"out{i}"
        assert cli("build", "--site", golden_copy, "--now", moment, "--out", out, "-q",
                   "--report", tmp_path / f"out{i}.report.json").code == 0
        ballast = out / "static" / "ballast"          # so that an apply takes a while
        ballast.mkdir(parents=True)
        for n in range(400):
            (ballast / f"{n}.txt").write_text(f"{i}-{n}-" + "字" * 3000, encoding="utf-8")
        expected.append(file_hashes(out))
        bundles_made.append(make_bundle(cli, golden_copy, tmp_path / f"b{i}.tar", moment, "--from", out))
    assert cli("apply", bundles_made[0], "--to", www).code == 0
    old = live(www).name
    command = [sys.executable, str(ROOT / "build.py"), "apply", str(bundles_made[1]), "--to", str(www), "--keep", "50"]
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    whole = time.monotonic() - started
    assert file_hashes(live(www)) == expected[1]
    seen = {"old": 0, "new": 0}
    steps = 16
    for step in range(steps):     # bounded: 16 kills from 30 % to 150 % of one apply's duration
        if live(www).name != old:
            assert cli("rollback", "--to", www, "--release", old).code == 0
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        moment = whole * (0.3 + 1.2 * step / (steps - 1))
        time.sleep(moment)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()
        hashes = file_hashes(live(www))
        assert hashes in expected, f"kill after {moment:.2f}s: current is neither release"
        seen["old" if hashes == expected[0] else "new"] += 1
    assert seen["old"] >= 1, seen
    # the next apply cleans what the killed ones left and works
    assert cli("rollback", "--to", www, "--release", old).code == 0 or live(www).name == old
    assert cli("apply", bundles_made[1], "--to", www).code == 0
    assert file_hashes(live(www)) == expected[1]
    assert not [p for p in (www / "releases").iterdir() if p.name.startswith(".")]
    assert not [p for p in www.iterdir() if p.name.startswith(".current.tmp")]
