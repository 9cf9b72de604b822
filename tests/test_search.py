"""The search index (generator/search/): keys, what is indexed, no held-back record, reproducible
bundles, a failed index leaving the previous output. Quality is measured in
tests/browser/test_search_quality.py, the page in tests/browser/test_search_page.py."""
import gzip
import json
import re
import stat
from types import SimpleNamespace

import pytest

from generator.search import bundle as search_bundle, copies as search_copies, htmlscan, index as search_index, parts as search_parts, text as search_text
from support import GOLDEN_SITE, NOW, ROOT, tree_bytes
from test_leaks import HELD_INDEX, HELD_TITLES, MARKERS

BESIDE_HAN = re.compile(r"(?<=[\u4e00-\u9fff]) +| +(?=[\u4e00-\u9fff])")


def build(cli, out, target="website", site=GOLDEN_SITE, report=None):
    args = ["build", "--site", site, "--target", target, "--now", NOW, "--out", out, "--quiet"]
    if report:
        args += ["--report", report]
    run = cli(*args)
    assert run.code == 0, run.err
    return run


def bundle_texts(out):
    """Every file of the Pagefind bundle, gzip ones decompressed, as text (word separators removed)."""
    texts = {}
    for path in sorted((out / "pagefind").rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            # what Pagefind indexed has a space beside every Han character (copies.copy_html): drop
            # them, or a leak would hide
            text = data.decode("utf-8", errors="replace")
            texts[path.relative_to(out).as_posix()] = BESIDE_HAN.sub("", text)
    return texts


def fragments(out):
    for name, text in bundle_texts(out).items():
        if "/fragment/" in name:
            yield json.loads(text[len("pagefind_dcd"):])


# ---------------------------------------------------------------- keys

def test_normalise_is_one_character_for_one():
    assert search_text.normalise("許可 處罰決定書 經費") == "许可 处罚决定书 经费"
    assert search_text.normalise("２０２６ＡＢ") == "2026AB"
    text = "泰州市质量技术监督局关于准予许可的决定"
    assert search_text.normalise(text) == text
    table = search_text.t2s_map()
    assert all(len(k) == 1 and len(v) == 1 for k, v in table.items())


def test_t2s_json_is_the_same_table_sorted():
    data = json.loads(search_text.t2s_json())
    pairs = data["map"]
    table = dict(zip(pairs[0::2], pairs[1::2]))
    assert table == search_text.t2s_map()
    assert list(table) == sorted(table)
    assert table["許"] == "许" and table["處"] == "处"


def test_the_copy_holds_each_character_once_less_the_stop_characters():
    html = ('<!DOCTYPE html><html><head><title>标题</title></head><body><nav>导航文字</nav>'
            '<article data-pagefind-body data-pagefind-meta="date:2026-01-01"><h1>许可a决定</h1>'
            '<table data-pagefind-ignore><tr><td>忽略</td></tr></table><p data-pagefind-meta="doc_no">泰质监</p>'
            '<p>1&lt;2 的“許可”<br>证书，的确ISO 9001</p><script>var a = "中文<b>";</script></article><!-- 注释 --></body></html>')
    page = htmlscan.read_page(html)
    assert search_copies.page_text(page) == "许可a决定 泰质监 1<2 的“許可”证书，的确ISO 9001"
    words = search_copies.page_words(page)
    assert words.title == "许 可 a 决 定" and words.chars == "".join(sorted("许可决定泰质监的证书确")) and words.words == "a 1<2 ISO 9001"
    copy = search_copies.copy_html(words, frozenset("的可"), 3)
    body = copy[copy.index("<main"):]
    assert "<h1>许 可 a 决 定</h1>" in body and f"<p>{' '.join(sorted('许决定泰质监证书确'))}</p>" in body and "<p>a 1&lt;2 ISO 9001</p>" in body
    for outside in ("导航", "忽略", "中文", "注释", "标题"):
        assert outside not in copy, outside
    assert '<span data-pagefind-sort="n">000003</span>' in copy and 'data-pagefind-meta="date[content]" content="2026-01-01"' in copy
    assert copy.index('<span data-pagefind-sort="n">') < copy.index("<main")          # keys outside the indexed body


def test_pinyin_is_phrase_aware_and_skips_punctuation():
    assert search_text.pinyin_runs("中国银行行政许可") == [["zhong", "guo", "yin", "hang", "xing", "zheng", "xu", "ke"]]
    assert search_text.pinyin_runs("銀行") == [["yin", "hang"]]
    assert search_text.pinyin_runs("2026年“三公”经费") == [["nian", "san", "gong", "jing", "fei"]]
    assert search_text.pinyin_runs("关于《泰州》2026年度") == [["guan", "yu", "tai", "zhou"], ["nian", "du"]]
    keys = search_text.pinyin_keys(search_text.pinyin_runs("行政许可决定"))
    assert {"xzxkjd", "xkjd", "xingzhengxuk", "xukejueding", "jueding", "d"} <= keys
    assert max(len(k) for k in keys) == search_text.PINYIN_CAP


def test_cached_word_pinyin_reads_as_lazy_pinyin():
    """text.pinyin_runs reads word by word with a cache (pypinyin reads each word of its segmentation on
    its own): the same syllables as pypinyin.lazy_pinyin on every title of the repository's sites and
    every stretch of the bureau's work plan (bench/seed.txt)."""
    from pypinyin import lazy_pinyin
    texts = [m.group(1) for path in sorted([*(ROOT / "content").rglob("*.md"), *(ROOT / "tests/fixtures").rglob("*.md")])
             for m in re.finditer(r"^title:\s*(.+)$", path.read_text(encoding="utf-8", errors="replace"), re.M)]
    texts += (ROOT / "bench" / "seed.txt").read_text(encoding="utf-8").splitlines()
    runs = [run for t in texts for part in search_text.LATIN_OR_DIGITS.split(search_text.normalise(t))
            for run in search_text.HAN_RUN.findall(part)]
    assert len(runs) > 500
    for run in runs:
        assert search_text._lazy_pinyin(run) == lazy_pinyin(run, v_to_u=False, neutral_tone_with_five=False), run


def test_exact_keys():
    assert search_text.fnv_key("許可") == search_text.fnv_key(" 许可 ")
    assert search_text.fnv_key("许可") != search_text.fnv_key("许可证")
    assert len(search_text.fnv_key("x")) == 18 and search_text.fnv_key("x").startswith(search_text.KEY)


def test_kiosk_gets_no_pagefind_index():
    from generator.targets import TARGETS
    plan = SimpleNamespace(target="kiosk", workers=1, reuse=False, search_index=True)
    assert TARGETS["kiosk"](plan).finisher(plan, None) is None
    assert TARGETS["intranet"](plan).finisher(plan, None) is not None
    assert TARGETS["website"](plan).finisher(plan, None) is not None


# ---------------------------------------------------------------- what an item page offers

def test_item_page_offers_body_title_and_identifiers_only(tmp_path, cli):
    out = tmp_path / "w"
    build(cli, out)
    page = htmlscan.read_page((out / "quanli/xuke/2026-00001/index.html").read_text(encoding="utf-8"))
    assert page.has_body
    assert page.title == "关于准予泰州市恒达起重机械有限公司特种设备生产许可的决定"
    assert page.meta["index_no"] == "014000184/2026-00001" and page.meta["doc_no"] == "示质监许〔2026〕1号"
    assert page.categories == ["行政权力运行公开", "行政许可"]
    assert page.text.strip().startswith(page.title) and "桥式起重机制造" in page.text
    for outside in ("信息索引", "发布机构", "主题词", "附件", "上一篇", "首页", "按机构", "政务公开举报电话"):
        assert outside not in page.text, outside
    listing = (out / "quanli/xuke/index.html").read_text(encoding="utf-8")
    assert not htmlscan.read_page(listing).has_body


def test_a_themes_own_sort_n_does_not_displace_the_copys_order():
    """The copy's sort "n" is the page's place in its part, the order of the stop characters' bitmaps:
    a theme's own data-pagefind-sort="n:…" must not give Pagefind a second one."""
    html = ('<html><body><article data-pagefind-body data-pagefind-sort="n:999999, date:2026-01-01"><h1>标题</h1>'
            '<p>正文</p></article></body></html>')
    page = htmlscan.read_page(html)
    assert page.sorts == {"n": "999999", "date": "2026-01-01"}
    copy = search_copies.copy_html(search_copies.page_words(page), frozenset(), 7)
    assert copy.count('data-pagefind-sort="n"') == 1 and '<span data-pagefind-sort="n">000007</span>' in copy
    assert "999999" not in copy and '<span data-pagefind-sort="date">2026-01-01</span>' in copy


def test_indexing_copy_carries_the_keys_in_metadata():
    html = ('<html lang="zh-CN"><head><title>t</title></head><body><nav><a data-pagefind-filter="category">行政许可</a>'
            '</nav><article data-pagefind-body data-pagefind-filter="department:办公室"><table data-pagefind-ignore><tr>'
            '<td data-pagefind-meta="index_no">1/2026-00001</td><td data-pagefind-filter="year:2026">2026</td></tr></table>'
            '<h1>銀行許可</h1><p>正文</p></article></body></html>')
    copy = search_copies.copy_html(search_copies.page_words(htmlscan.read_page(html)), frozenset(), 0)
    assert copy.count("data-pagefind-meta=") == 1 + 6 and copy.index("pykeys") < copy.index("<main")     # + "v": text and URL
    assert 'data-pagefind-meta="title[content]" content="銀行許可"' in copy and "<h1>银 行 许 可</h1>" in copy
    assert 'data-pagefind-meta="index_no[content]" content="1/2026-00001"' in copy
    assert 'data-pagefind-meta="pinyin[content]" content="yin hang xu ke"' in copy
    assert 'data-pagefind-meta="cpinyin[content]" content="xing zheng xu ke"' in copy
    assert '<span data-pagefind-filter="category">行政许可</span>' in copy
    assert '<span data-pagefind-filter="department">办公室</span>' in copy and '<span data-pagefind-filter="year">2026</span>' in copy
    assert search_text.fnv_key("银行许可") in copy and search_text.fnv_key("1/2026-00001") in copy
    assert "tchars" not in copy             # the copy's text is Simplified: 許 is indexed as 许


# ---------------------------------------------------------------- the bundle

@pytest.mark.parametrize("target, parts", [("website", 1), ("intranet", 1), ("website", 3)])
def test_index_holds_exactly_the_published_items_and_nothing_held_back(target, parts, tmp_path, cli, monkeypatch):
    monkeypatch.setattr(search_parts, "part_count", lambda pages: parts)
    out, report = tmp_path / target, tmp_path / "report.json"
    build(cli, out, target, report=report)
    published = {e["url"] for e in json.loads(report.read_text())["published"]}
    assert {f["url"] for f in fragments(out)} == published
    texts = bundle_texts(out)
    assert texts
    for marker, allowed in MARKERS.items():
        pattern = re.compile(re.escape(marker) + r"(?![-\w])")
        found = [name for name, text in texts.items() if pattern.search(text)]
        assert bool(found) == (target in allowed), (marker, found)
    for needle in HELD_TITLES + HELD_INDEX:
        assert not [n for n, t in texts.items() if needle in t], needle
    # the held-back titles' exact-match keys
    for title in HELD_TITLES:
        assert not [n for n, t in texts.items() if search_text.fnv_key(title) in t], title


def test_bundle_is_byte_for_byte_reproducible(tmp_path, cli):
    build(cli, tmp_path / "a")
    build(cli, tmp_path / "b")
    a, b = tree_bytes(tmp_path / "a" / "pagefind"), tree_bytes(tmp_path / "b" / "pagefind")
    assert a == b and len(a) >= 8
    assert not [n for n in a if n.startswith(("pagefind-ui", "pagefind-modular", "pagefind-component"))]


def test_bundle_in_parts_is_reproducible_and_split_by_date(tmp_path, cli, monkeypatch):
    """Parts of at most PART_PAGES pages, each a whole Pagefind bundle, the newest pages first."""
    size = search_parts.PART_PAGES
    assert [search_parts.part_count(n) for n in (0, 1, size, size + 1, 10 * size, 30_000, 40_000, 100_000)] == \
        [1, 1, 1, 2, 10, 10, 10, 25]
    monkeypatch.setattr(search_parts, "part_count", lambda pages: 2)
    build(cli, tmp_path / "a")
    build(cli, tmp_path / "b")
    a, b = tree_bytes(tmp_path / "a" / "pagefind"), tree_bytes(tmp_path / "b" / "pagefind")
    assert a == b
    bundle = tmp_path / "a" / "pagefind"
    assert json.loads((bundle / "parts.json").read_text()) == {"parts": ["", "part1/"]}
    dates = []
    for part in (bundle, bundle / "part1"):
        assert (part / "pagefind.js").is_file() and json.loads((part / "pagefind-entry.json").read_text())["languages"]
        dates.append([json.loads(gzip.decompress(f.read_bytes())[len("pagefind_dcd"):])["meta"]["date"]
                      for f in (part / "fragment").iterdir()])
    assert abs(len(dates[0]) - len(dates[1])) <= 1 and min(dates[0]) >= max(dates[1])
    assert search_parts.split_parts([("b", "2026-01-02"), ("a", "2026-01-02"), ("c", "2025-12-31"), ("d", "")], 3) == \
        [["a", "b"], ["c"], ["d"]]


def test_a_text_edit_with_the_same_characters_renames_its_fragment(golden_copy, tmp_path, cli):
    """Fragments are served for a year as immutable (docs/examples/nginx.conf: their names are hashes of
    their content). The fragment's text is put in after Pagefind named it, so the name must change with
    the text even when the copy does not: here two characters swap places (a typo fixed), which
    leaves every character, and so the copy's words, as they were."""
    item = golden_copy / "content" / "fagui" / "chufa-1.md"
    out = tmp_path / "w"
    build(cli, out, site=golden_copy)
    before = {f["url"]: (name, f["content"]) for name, f in fragment_files(out)}
    item.write_text(item.read_text(encoding="utf-8").replace("不合格插座", "不格合插座"), encoding="utf-8")
    build(cli, out, site=golden_copy)
    after = {f["url"]: (name, f["content"]) for name, f in fragment_files(out)}
    url = "/quanli/xingzhengchufa/2025-00011/"
    assert "不格合插座" in after[url][1] and "不合格插座" in before[url][1]
    assert after[url][0] != before[url][0]
    assert {u: v for u, v in after.items() if u != url} == {u: v for u, v in before.items() if u != url}
    js = (out / "static" / "search.js").read_text(encoding="utf-8")
    assert '"stop.json?ts="' in js and '"?v=" + part.version' in js      # the part's other files by version


def fragment_files(out):
    for name, text in bundle_texts(out).items():
        if "/fragment/" in name:
            yield name, json.loads(text[len("pagefind_dcd"):])


def test_cbor_codec_round_trips_pagefinds_files(tmp_path, cli):
    out = tmp_path / "w"
    build(cli, out)
    files = list((out / "pagefind").glob("*.pf_meta")) + list((out / "pagefind" / "filter").iterdir())
    assert len(files) == 4
    for path in files:
        data = gzip.decompress(path.read_bytes())
        value, end = search_bundle._cbor_decode(data, len(search_bundle._SIGNATURE))
        assert end == len(data) and search_bundle._SIGNATURE + search_bundle._cbor_encode(value) == data
    filters = [search_bundle._read_cbor(p) for p in (out / "pagefind" / "filter").iterdir()]
    assert {f[0] for f in filters} == {"category", "department", "year"}
    for name, values in filters:
        assert [v[0] for v in values] == sorted(v[0] for v in values)


def test_search_page_and_header_box(tmp_path, cli):
    for target in ("website", "intranet"):
        out = tmp_path / target
        build(cli, out, target)
        page = (out / "search" / "index.html").read_text(encoding="utf-8")
        assert 'id="search"' in page and "static/search.js" in page and 'lang="zh-CN"' in page
        assert (out / "search" / "zh-t2s.json").read_bytes() == search_text.t2s_json()
        home = (out / "index.html").read_text(encoding="utf-8")
        assert '<form class="sitesearch" role="search" action="search/"' in home
        assert 'class="sitesearch"' not in page            # the search page has its own box
    kiosk = tmp_path / "kiosk"
    build(cli, kiosk, "kiosk")
    assert 'class="sitesearch"' not in (kiosk / "index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- failures

def _fake_pagefind(tmp_path, body):
    script = tmp_path / "fake-pagefind"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("case", ["exit", "missing", "partial"])
def test_failed_index_leaves_previous_output_with_a_clear_error(case, tmp_path, cli, monkeypatch, golden_copy):
    out = tmp_path / "w"
    build(cli, out, site=golden_copy)
    before = tree_bytes(out)
    item = golden_copy / "content/fagui/xuke-3.md"     # a change, so the build writes a new output
    item.write_text(item.read_text(encoding="utf-8").replace("第三批办理结果见下表。", "第三批办理结果（更正）见下表。"),
                    encoding="utf-8")
    if case == "exit":
        fake = _fake_pagefind(tmp_path, 'echo "Error: disk full" >&2; exit 3')
        monkeypatch.setattr(search_parts, "pagefind_executable", lambda: fake)
    elif case == "missing":
        import pagefind_bin_extended

        def missing():
            raise FileNotFoundError("pagefind_extended")
        monkeypatch.setattr(pagefind_bin_extended, "get_executable", missing)
    else:                      # Pagefind runs, but its bundle does not hold every page
        monkeypatch.setattr(search_bundle, "stabilise", lambda bundle: 0)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 2
    assert "生成搜索索引失败" in run.err and "Traceback" not in run.err + run.out
    assert {"exit": "disk full", "missing": "找不到 Pagefind", "partial": "只索引了"}[case] in run.err
    assert tree_bytes(out) == before
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".w.")]     # no staging left behind
