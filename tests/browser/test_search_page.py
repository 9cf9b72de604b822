"""The /search/ page as a person uses it — with the keyboard alone — and window.siteSearch's options,
on the example bureau's website and intranet builds."""
import json
import re

import pytest

from support import NOW, ROOT, screenshot


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The website's index in three parts (as a large site's is made; search.js searches them
    together, by date across parts), the intranet's in one."""
    from generator.search import parts as search_parts
    from generator.cli import main
    out = tmp_path_factory.mktemp("search-page")
    for target, parts in (("website", 3), ("intranet", 1)):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(search_parts, "part_count", lambda pages, parts=parts: parts)
            assert main(["build", "--site", str(ROOT), "--target", target, "--now", NOW, "--out", str(out / target),
                         "--quiet"]) == 0
        assert json.loads((out / target / "pagefind" / "parts.json").read_text())["parts"] == \
            ["", "part1/", "part2/"][:parts]
    return out


def open_search(page, base, query=""):
    page.goto(base + "search/" + (f"?q={query}" if query else ""))
    page.wait_for_function("typeof window.siteSearch === 'function'")


def status(page):
    return page.locator("#search-status").inner_text()


def tab_to(page, predicate_js, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    raise AssertionError(f"Tab never reached {predicate_js}")


def test_keyboard_only_search_filter_sort_page_and_open(builds, serve, page):
    base = serve(builds / "website")
    open_search(page, base)
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("許可")                                        # Traditional; pages in both scripts
    page.wait_for_function("document.querySelector('#search-status').innerText.includes('条结果')")
    assert re.search(r"共 12 条结果，第 1/2 页", status(page)), status(page)
    assert page.locator("#search-results > li").count() == 10
    assert page.locator("#search-results mark").count() >= 10         # highlighted excerpts
    first = page.locator("#search-results > li").first.inner_text()
    assert "行政许可" in first and re.search(r"\d{4}-\d\d-\d\d", first)   # title, category, date

    tab_to(page, "document.activeElement.textContent === '下一页'")
    page.keyboard.press("Enter")
    page.wait_for_function("document.querySelector('#search-status').innerText.includes('第 2/2 页')")
    assert page.evaluate("document.activeElement.id") == "search-status"
    assert page.locator("#search-results > li").count() == 2
    assert "page=2" in page.url

    page.keyboard.press("/")                                          # back to the box
    assert page.evaluate("document.activeElement.id") == "search-q"
    tab_to(page, "document.activeElement.name === 'category'")
    for _ in range(30):                                               # arrows move within the radio group
        if page.evaluate("document.activeElement.parentElement.textContent.includes('行政权力运行公开')"):
            break
        page.keyboard.press("ArrowDown")
    page.wait_for_function("document.querySelector('#search-status').innerText.includes('行政权力运行公开')")
    urls = page.eval_on_selector_all("#search-results a", "as => as.map(a => new URL(a.href).pathname)")
    assert urls and all(u.startswith("/quanli/") for u in urls)
    count = page.locator('[data-count-for="category:行政权力运行公开"]').inner_text()
    assert f"共 {count} 条结果" in status(page)
    assert page.locator('[data-count-for="category:政府信息公开"]').inner_text() != ""

    tab_to(page, "document.activeElement.id === 'search-sort'")
    page.keyboard.press("ArrowDown")
    page.wait_for_function("location.search.includes('sort=date')")
    page.wait_for_timeout(200)
    dates = page.eval_on_selector_all("#search-results .result-meta",
                                      "ps => ps.map(p => p.innerText.match(/\\d{4}-\\d\\d-\\d\\d/)[0])")
    assert dates == sorted(dates, reverse=True) and len(dates) >= 5
    screenshot(page, "search-page")

    tab_to(page, "document.activeElement.closest && !!document.activeElement.closest('#search-results')")
    target = page.evaluate("new URL(document.activeElement.href).pathname")
    page.keyboard.press("Enter")
    page.wait_for_url("**" + target)
    assert page.locator("h1").inner_text()
    assert page.external_requests == []


def test_header_box_leads_to_the_search_page(builds, serve, page):
    base = serve(builds / "website")
    page.goto(base + "quanli/")
    tab_to(page, "document.activeElement.name === 'q'")
    page.keyboard.type("xzxk")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=xzxk")
    page.wait_for_function("document.querySelector('#search-status').innerText.includes('条结果')")
    assert page.locator("#search-q").input_value() == "xzxk"
    assert "行政许可" in page.locator("#search-results h2").first.inner_text()


def test_site_search_options(builds, serve, page):
    open_search(page, serve(builds / "website"))
    data = page.evaluate("""async () => {
      const all = await siteSearch('许可');
      const byCode = await siteSearch('许可', {filters: {category: '0204'}});
      const byName = await siteSearch('许可', {filters: {category: '行政许可'}});
      const top = await siteSearch('许可', {filters: {category: '02'}});
      const dept = await siteSearch('许可', {filters: {department: '特种设备安全监察处'}});
      const year = await siteSearch('许可', {filters: {year: 2025}});
      const byDate = await siteSearch('许可', {sort: 'date'});
      const paged = await siteSearch('许可', {offset: 10, limit: 10});
      const none = await siteSearch('');
      const browse = await siteSearch('', {filters: {year: '2025'}});
      const exact = await siteSearch('行政处罚决定书（泰质监罚〔2025〕12号）');
      const index = await siteSearch('014000184/2026-00070');
      const pick = rs => rs.map(r => ({url: r.url, title: r.title, category: r.category, categories: r.categories,
                                       department: r.department, year: r.year, date: r.date, meta: r.meta}));
      return {all: pick(all), facets: all.facets, total: all.total, byCode: pick(byCode), byName: pick(byName),
              top: pick(top), dept: pick(dept), year: pick(year), byDate: pick(byDate), paged: pick(paged),
              pagedTotal: paged.total, none: none.length, browse: pick(browse), browseTotal: browse.total,
              exact: pick(exact), index: pick(index)};
    }""")
    assert data["total"] == len(data["all"]) == 12
    assert all(r["url"].startswith("/") and r["url"].endswith("/") and r["title"] for r in data["all"])
    assert all("grams" not in r["meta"] and "pykeys" not in r["meta"] for r in data["all"])
    assert data["byCode"] == data["byName"] and data["byCode"]
    assert all(r["category"] == "行政许可" for r in data["byCode"])
    assert len(data["byCode"]) == data["facets"]["category"]["行政许可"]
    assert all("行政权力运行公开" in r["categories"] for r in data["top"])
    assert len(data["top"]) == data["facets"]["category"]["行政权力运行公开"]
    assert data["dept"] and all(r["department"] == "特种设备安全监察处" for r in data["dept"])
    assert data["year"] and all(r["year"] == "2025" for r in data["year"])
    assert sum(data["facets"]["year"].values()) == 12
    dates = [r["date"] for r in data["byDate"]]
    assert dates == sorted(dates, reverse=True)
    assert data["pagedTotal"] == 12 and data["paged"] == data["all"][10:]
    assert data["none"] == 0
    assert data["browseTotal"] == len(data["browse"]) > 0 and all(r["year"] == "2025" for r in data["browse"])
    browsed = [r["date"] for r in data["browse"]]         # Pagefind's date order, across the parts
    assert browsed == sorted(browsed, reverse=True) and len(set(browsed)) > 3
    assert data["exact"][0]["url"] == "/quanli/chufa/2025-00016/"
    assert [r["url"] for r in data["index"]] == ["/quanli/xuke/2026-00070/"]


def test_intranet_search_finds_internal_items_the_website_does_not(builds, serve, page):
    query = "职务任免"
    open_search(page, serve(builds / "intranet"))
    intranet = page.evaluate("async q => (await siteSearch(q)).map(r => r.url)", query)
    open_search(page, serve(builds / "website"))
    website = page.evaluate("async q => (await siteSearch(q)).map(r => r.url)", query)
    assert "/neiwu/renmian/2026-00057/" in intranet
    assert website == []


def _bundle_pages(bundle):
    """{url: normalised text and identifiers} of every page of a bundle, and each part's stop characters."""
    import gzip
    from generator.search.text import normalise
    texts, stops = {}, []
    for part in json.loads((bundle / "parts.json").read_text())["parts"]:
        stops.append(set(json.loads((bundle / part / "stop.json").read_text(encoding="utf-8"))["chars"]))
        for path in (bundle / part / "fragment").glob("*.pf_fragment"):
            data = json.loads(gzip.decompress(path.read_bytes())[len(b"pagefind_dcd"):])
            meta = data["meta"]
            texts[data["url"]] = normalise("\n".join([data["content"], meta.get("index_no", ""), meta.get("doc_no", "")])).lower()
    return texts, stops


def test_stop_characters_are_found_through_their_bitmaps(builds, serve, page):
    """The characters on a fifth or more of a part's pages are not in its Pagefind index but in bitmaps
    (generator/search/stops.py): queries of them alone, of them beside indexed characters, and in
    Traditional form find exactly the pages whose text holds them, in every part."""
    from generator.search.text import t2s_map
    texts, stops = _bundle_pages(builds / "website" / "pagefind")
    assert len(stops) == 3 and all(stops)
    everywhere = set.intersection(*stops)
    counts = {c: sum(c in t for t in texts.values()) for c in everywhere}
    common = max(sorted(counts), key=counts.get)                        # a stop character of every part
    bigrams = sorted({t[i:i + 2] for t in texts.values() for i in range(len(t) - 1)})
    both = next(b for b in bigrams if set(b) <= everywhere and 3 <= sum(b in t for t in texts.values()) < len(texts))
    mixed = next(b for b in bigrams if b[0] in everywhere and b[1] not in set.union(*stops) and
                 "\u4e00" <= b[1] <= "\u9fff" and sum(b in t for t in texts.values()) >= 2)
    traditional = next((k for k, v in sorted(t2s_map().items()) if v in everywhere and "\u4e00" <= k <= "\u9fff"), None)
    queries = [common, both, mixed] + ([traditional] if traditional else [])
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_search(page, serve(builds / "website"))
    found = page.evaluate("""async (queries) => {
      const out = {};
      for (const q of queries) {
        const rs = await siteSearch(q);
        out[q] = {urls: rs.map(r => r.url), total: rs.total, approximate: rs.approximate};
      }
      return out;
    }""", queries)
    for query in queries:
        want = t2s_map().get(query, query)
        truth = sorted(url for url, text in texts.items() if want in text)
        assert truth, query
        assert sorted(found[query]["urls"]) == truth and found[query]["total"] == len(truth), query
        assert found[query]["approximate"] is False, query
    # stop.json never from a cache; pages.json and the bitmaps by the version it names (their names stay)
    version = json.loads((builds / "website" / "pagefind" / "stop.json").read_text(encoding="utf-8"))["version"]
    ours = [url.split("/pagefind/", 1)[1] for url in requested if "/pagefind/" in url]
    assert any(re.fullmatch(r"stop\.json\?ts=\d+", u) for u in ours)
    assert f"pages.json?v={version}" in ours
    assert any(re.fullmatch(rf"stop/[0-9a-f]+\.bin\?v={version}", u) for u in ours)
    assert not [u for u in ours if re.search(r"(stop\.json|pages\.json|\.bin|parts\.json)$", u)]
