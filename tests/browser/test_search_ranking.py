"""Ranking and recall on real legal texts (issue 18 §2), through window.siteSearch of the /search/ page
of tests/fixtures/sites/laws/ in Chromium; the truth of each query is computed from the source files
as in test_search_quality.py.

- A law's short name — its title less a common prefix (中华人民共和国, a province, the bureau, a place
  the site's names begin with), book-title marks, spaces or a trailing note such as （2017年修订） —
  typed in characters, Traditional, full pinyin or initials lists that law first (after exact
  matches), before its 实施细则 that cites it more often.
- A phrase that begins inside a number or a Latin word (6次会议通过 in 第1506次会议通过, SO9001认证 in
  ISO9001认证), or ends inside one, or holds a number between full-width brackets (〔2022〕2号), is
  found on every page that holds it.
- Above search.js's FULL_LIMIT candidates (the approximate path), the short name still comes first.
"""
from __future__ import annotations

import re
import shutil

import pytest

from browser.test_search_quality import SourcePage, reads_as, simplified, source_pages as quality_source_pages
from support import NOW, SITES

LAWS = SITES / "laws"

# (query, the title that must come first)
SHORT_NAMES = [
    ("计量法", "中华人民共和国计量法"),
    ("計量法", "中华人民共和国计量法"),
    ("jiliangfa", "中华人民共和国计量法"),
    ("ji liang fa", "中华人民共和国计量法"),
    ("jlf", "中华人民共和国计量法"),
    ("渔业法", "中华人民共和国渔业法"),
    ("yuyefa", "中华人民共和国渔业法"),
    ("yyf", "中华人民共和国渔业法"),
    ("标准化法", "中华人民共和国标准化法（2017年修订）"),           # a trailing note
    ("biaozhunhuafa", "中华人民共和国标准化法（2017年修订）"),
    ("bzhf", "中华人民共和国标准化法（2017年修订）"),
    ("产品质量法", "《中华人民共和国产品质量法》"),                     # book-title marks in the title …
    ("《产品质量法》", "《中华人民共和国产品质量法》"),                  # … and in the query
    ("中华人民共和国产品质量法", "《中华人民共和国产品质量法》"),
    ("cpzlf", "《中华人民共和国产品质量法》"),
    ("产品质量监督条例", "江苏省产品质量监督条例"),                       # a province
    ("行政处罚裁量基准", "泰州市市场监督管理局行政处罚裁量基准"),         # the bureau (site.publisher)
    ("计量监督管理办法", "泰州市计量监督管理办法"),                       # the city the bureau's name begins with
    ("中华人民共和国计量法实施细则", "中华人民共和国计量法实施细则"),     # an exact title stays first
    ("中华人民共和国 计量法", "中华人民共和国计量法"),                    # a space typed in the name
    ("特种设备安全法", "中华人民共和国　特种设备安全法"),                  # a space in the title
    ("tzsbaqf", "中华人民共和国　特种设备安全法"),
    ("中华人民共和国特种设备安全法", "中华人民共和国　特种设备安全法"),
]

# Phrases beginning or ending inside a number or a Latin word, and queries mixing Latin letters.
INSIDE_WORDS = ["6次会议通过", "506次会议通过", "16次会议", "会议通过第15", "6次会议通过第15", "GB/T 19001标准",
                "B/T 19001标准", "T19001标准", "9001认证", "SO9001认证", "O 9001认证", "2019年10月8日市政府",
                "019年", "1507次", "HACCP认证", "ACCP认证", "〔2022〕2号", "法规〔2022〕2号", "2022〕2号"]

RUN = """async (queries) => {
  const out = {};
  for (const q of queries) out[q] = (await window.siteSearch(q)).map(r => [r.url, r.title, r.tier]);
  return out;
}"""


def source_pages(site=LAWS) -> tuple[SourcePage, ...]:
    return quality_source_pages(site)


def truth(query: str, site=LAWS) -> set[str]:
    terms = simplified(query).split()
    found = {p.url for p in source_pages(site) if all(t in p.text for t in terms)}
    letters = query.replace(" ", "").lower()
    if re.fullmatch(r"[a-z]+", letters):
        found |= {p.url for p in source_pages(site) if reads_as(p.runs, letters)}
    return found


def build(site, out):
    from generator.cli import main
    assert main(["build", "--site", str(site), "--now", NOW, "--out", str(out), "--quiet"]) == 0
    return out


def search_all(page, base, queries):
    page.goto(base + "search/")
    page.wait_for_function("typeof window.siteSearch === 'function'")
    return page.evaluate(RUN, queries)


@pytest.fixture(scope="module")
def laws_website(tmp_path_factory):
    return build(LAWS, tmp_path_factory.mktemp("search-ranking") / "website")


def test_short_name_lists_the_law_first(laws_website, serve, page):
    found = search_all(page, serve(laws_website), [q for q, _ in SHORT_NAMES])
    wrong = {q: [t for _, t, _ in found[q][:3]] for q, first in SHORT_NAMES if not found[q] or found[q][0][1] != first}
    assert not wrong, wrong
    for q, first in SHORT_NAMES:                     # nothing lost or added: the truth, plus the short name itself
        urls = {url for url, _, _ in found[q]}
        assert truth(q) <= urls and urls - truth(q) <= {found[q][0][0]}, q
    assert [t for _, t, _ in found["计量法"][:2]] == ["中华人民共和国计量法", "中华人民共和国计量法实施细则"]
    assert "中华人民共和国渔业法实施细则" in [t for _, t, _ in found["yyf"]]
    assert page.external_requests == []


def test_every_title_first_for_itself(laws_website, serve, page):
    titles = [p.title for p in source_pages()]
    found = search_all(page, serve(laws_website), titles + [simplified(t) for t in titles])
    assert {q: found[q][:1] for q in found if not found[q] or simplified(found[q][0][1]) != simplified(q)} == {}


def test_phrases_inside_numbers_and_latin_words_are_found(laws_website, serve, page):
    found = search_all(page, serve(laws_website), INSIDE_WORDS)
    assert len(truth("6次会议通过")) == 5 and truth("SO9001认证") and truth("ACCP认证")
    differences = {q: (sorted(truth(q) - {u for u, _, _ in found[q]}), sorted({u for u, _, _ in found[q]} - truth(q)))
                   for q in INSIDE_WORDS if {u for u, _, _ in found[q]} != truth(q)}
    assert differences == {}


def test_short_name_first_among_many_candidates(tmp_path, serve, page):
    """More candidates than search.js checks one by one (FULL_LIMIT, 400): the approximate path still
    lists the law of the short name first."""
    site = tmp_path / "site"
    shutil.copytree(LAWS, site)
    for n in range(1, 431):
        (site / "content" / "fagui" / f"yinyong-{n:03}.md").write_text(
            f'---\ntitle: "计量执法案例{n}"\ncategory: "0504"\nindex_no: "014000184/2025-{n:05}"\nstatus: approved\n'
            f"reviewer: 王建春\npub_date: 2025-{1 + n % 12:02}-{1 + n % 28:02}\n---\n\n"
            f"依据《中华人民共和国计量法》第{n}条和《计量法》的规定，对使用不合格计量器具的行为立案调查。\n",
            encoding="utf-8")
    out = build(site, tmp_path / "website")
    page.goto(serve(out) + "search/")
    page.wait_for_function("typeof window.siteSearch === 'function'")
    approximate, titles = page.evaluate(
        "window.siteSearch('计量法', {limit: 10}).then(r => [r.approximate, r.map(x => x.title)])")
    assert approximate and titles[:1] == ["中华人民共和国计量法"], titles


def test_common_characters_among_many_candidates_count_each_filter_exactly(tmp_path, serve, page):
    """A query of stop characters only (each on a fifth or more of the pages: generator/search/stops.py)
    with more candidates than are checked one by one: the candidates are the pages whose text holds
    every character, newest first, and the filter counts shown are theirs (not every page's)."""
    import gzip
    import json
    site = tmp_path / "site"
    shutil.copytree(LAWS, site)
    for n in range(1, 561):
        # 计 and 量 on 4 pages of 5; 𠮷 (U+20BB7, beyond the BMP) on 1 of 3
        body = ("本案依据计量法立案调查。" if n % 5 else "本案依据有关规定立案调查。") + ("当事人𠮷某。" if n % 3 == 0 else "")
        (site / "content" / "fagui" / f"anli-{n:03}.md").write_text(
            f'---\ntitle: "执法案例{n}"\ncategory: "{("0504", "0503")[n % 2]}"\nindex_no: "014000184/2024-{n:05}"\n'
            f"status: approved\nreviewer: 王建春\npub_date: {2023 + n % 3}-{1 + n % 12:02}-{1 + n % 28:02}\n---\n\n{body}\n",
            encoding="utf-8")
    out = build(site, tmp_path / "website")
    bundle = out / "pagefind"
    stops = set(json.loads((bundle / "stop.json").read_text(encoding="utf-8"))["chars"])
    assert {"计", "量", "𠮷"} <= stops
    astral = sorted(path for path in (bundle / "fragment").glob("*.pf_fragment")
                    if "𠮷" in json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])["content"])
    holding, counts, filtered = [], {}, []
    for path in (bundle / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
        text = simplified(data["content"] + data["meta"].get("index_no", "") + data["meta"].get("doc_no", ""))
        if "计" in text and "量" in text:
            holding.append((data["meta"].get("date", ""), data["url"], "计量" in text))
            if "2024" in data["filters"].get("year", []) and "规范性文件" in data["filters"].get("category", []):
                filtered.append(data["url"])
            for facet, values in data["filters"].items():
                for value in values:
                    counts.setdefault(facet, {}).setdefault(value, 0)
                    counts[facet][value] += 1
    assert len(holding) > 400
    page.goto(serve(out) + "search/")
    page.wait_for_function("typeof window.siteSearch === 'function'")
    found = page.evaluate("""async () => {
      const r = await window.siteSearch('计量', {limit: 10});
      const f = await window.siteSearch('计量', {limit: 10, sort: 'date', filters: {year: '2024', category: '0504'}});
      const a = await window.siteSearch('𠮷某', {limit: 10});
      return {approximate: r.approximate, total: r.total, facets: r.facets, urls: r.map(x => x.url),
              filteredTotal: f.total, filtered: f.map(x => [x.url, x.year, x.category, x.date]), astralTotal: a.total,
              astralShown: a.length};
    }""")
    assert len(filtered) > 10 and found["filteredTotal"] == len(filtered)
    assert found["astralTotal"] == len(astral) > 100 and found["astralShown"] == 10       # a stop character beyond the BMP
    assert all(year == "2024" and category == "规范性文件" for _, year, category, _ in found["filtered"])
    dates = [date for _, _, _, date in found["filtered"]]
    assert found["filtered"] and dates == sorted(dates, reverse=True) and {u for u, _, _, _ in found["filtered"]} <= set(filtered)
    assert found["approximate"] and found["total"] == len(holding)
    shown = {facet: {v: n for v, n in values.items() if n} for facet, values in found["facets"].items()}
    assert shown == counts
    by_date = sorted(sorted(holding, key=lambda h: h[1]), key=lambda h: h[0], reverse=True)   # the parts' order
    assert found["urls"] == [url for _, url, phrase in by_date[:10] if phrase] and found["urls"]
