"""Worker processes never change a result: loading and rendering in parallel equal the serial run."""
import pytest

from support import NOW, tree_bytes


def test_parallel_and_cached_builds_equal_a_serial_uncached_one(golden_copy, tmp_path, cli, monkeypatch):
    """Workers and the reuse of the previous output never change a byte."""
    from generator import workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)     # the fixture is small: fork even for it
    monkeypatch.setattr(workers, "CHUNK", 3)
    forked = []
    real = workers.parallel_map
    monkeypatch.setattr("generator.render.parallel_map", lambda jobs, *a, **k: forked.append(len(jobs)) or real(jobs, *a, **k))
    serial, fast = tmp_path / "serial", tmp_path / "fast"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", serial, "--jobs", "1", "--no-cache").code == 0
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", fast, "--jobs", "2").code == 0
    assert tree_bytes(serial) == tree_bytes(fast)
    assert forked and forked[0] >= 15
    item = golden_copy / "content" / "fagui" / "xuke-3.md"
    item.write_text(item.read_text(encoding="utf-8").replace("行政许可事项办理结果公示（第三批）", "办理结果公示（更正）"),
                    encoding="utf-8")
    for out, extra in ((serial, ("--jobs", "1", "--no-cache")), (fast, ("--jobs", "2"))):
        assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out, *extra).code == 0
    assert tree_bytes(serial) == tree_bytes(fast)
    assert "办理结果公示（更正）" in (fast / "quanli" / "xuke" / "2026-00003" / "index.html").read_text()


def test_parallel_loading_equals_serial(golden_copy, tmp_path, monkeypatch):
    """Files parsed in worker processes give the same records and the same problems, in the same order."""
    from generator import workers
    from generator.config import load_config
    from generator.content import load_content
    from test_invalid_sites import CASES, materialise
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 2)
    sites = [golden_copy] + [materialise(case, tmp_path) for case in CASES if not case.startswith("config-")]
    for site in sites:
        config = load_config(site)
        serial, parallel = load_content(config, workers=1), load_content(config, workers=2)
        assert serial.items == parallel.items and serial.pages == parallel.pages, site
        assert [p.as_json() for p in serial.problems.sorted_errors()] == \
            [p.as_json() for p in parallel.problems.sorted_errors()], site
        assert serial.invalid == parallel.invalid


def test_the_first_job_of_each_kind_is_done_before_forking(monkeypatch):
    """parallel_map(first_of=…): the first job of each kind runs in this process (what it compiles or
    imports is then inherited by the workers, not made in each), the others in the workers; every
    result comes back once, in order."""
    import os
    from generator import workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    jobs = [("item", n) for n in range(20)] + [("listing", 20), ("item", 21), ("feed", 22)]
    results = workers.parallel_map(jobs, lambda job: (job, os.getpid()), 2, first_of=lambda job: job[0])
    assert [job for job, _ in results] == jobs
    here = [job[1] for job, pid in results if pid == os.getpid()]
    assert here == [0, 20, 22]


@pytest.mark.parametrize("jobs_at_once", [1, 2])
def test_each_result_is_given_in_order_as_it_comes_back(monkeypatch, jobs_at_once):
    """parallel_map(each=…): every result is handed to `each` in this process, once, in order, and not
    kept (the search index starts on a part as soon as its pages are read)."""
    import os
    from generator import workers
    monkeypatch.setattr(workers, "MIN_PARALLEL", 2)
    monkeypatch.setattr(workers, "CHUNK", 3)
    given: list = []
    returned = workers.parallel_map(list(range(20)), lambda n: (n * n, os.getpid()), jobs_at_once,
                                    each=lambda i, result: given.append((i, result[0], os.getpid())))
    assert returned == []
    assert [(i, square) for i, square, _ in given] == [(n, n * n) for n in range(20)]
    assert {pid for _, _, pid in given} == {os.getpid()}
