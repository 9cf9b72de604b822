"""Short names (简称) of titles, text.py's side (search.js ranks with them; tests/browser/test_search_ranking.py
runs the ranking): the forms a title is compared in, the prefixes a title may carry, and the /search/ page
handing them to search.js."""
import json
import re
from html import unescape

from generator.search import text
from support import NOW, ROOT, SITES


def test_title_forms_drop_marks_spaces_and_a_trailing_note():
    assert text.title_forms("《中華人民共和國 產品質量法》") == ["中华人民共和国产品质量法"]
    assert text.title_forms("中华人民共和国标准化法（2017年修订）") == ["中华人民共和国标准化法(2017年修订)",
                                                                       "中华人民共和国标准化法"]
    assert text.title_forms("ISO 9001（试行）") == ["iso9001(试行)", "iso9001"]
    assert text.title_forms("（2017年修订）") == ["(2017年修订)"]          # never an empty name


def test_prefixes_are_the_country_provinces_and_the_sites_own_names():
    prefixes = text.title_prefixes(["泰州市市场监督管理局 政府信息公开", "泰州市市场监督管理局",
                                    "江苏省泰州市海陵区市场监督管理局", "国家市场监督管理总局"])
    assert {"中华人民共和国", "江苏省", "新疆维吾尔自治区", "泰州市市场监督管理局政府信息公开", "泰州市市场监督管理局",
            "政府信息公开", "泰州市", "海陵区", "国家市场监督管理总局"} <= set(prefixes)
    assert "国家市" not in prefixes                              # 市场 is not a city
    assert [len(p) for p in prefixes] == sorted((len(p) for p in prefixes), reverse=True)
    assert text.place_names("泰州市政府办公室") == ["泰州市"] and text.place_names("市场监督管理局") == []


def test_search_js_reads_titles_as_text_py_does():
    js = (ROOT / "themes" / "default" / "static" / "search.js").read_text(encoding="utf-8")
    assert f"TITLE_NOISE = /{text.TITLE_NOISE.pattern}/g" in js
    assert f"TITLE_NOTE = /{text.TITLE_NOTE.pattern}/" in js


def test_search_page_carries_the_prefixes(tmp_path):
    from generator.cli import main
    out = tmp_path / "website"
    assert main(["build", "--site", str(SITES / "laws"), "--now", NOW, "--out", str(out), "--quiet"]) == 0
    page = (out / "search" / "index.html").read_text(encoding="utf-8")
    config = json.loads(unescape(re.search(r'data-config="([^"]*)"', page).group(1)))
    assert config["prefixes"] == text.title_prefixes(["泰州市市场监督管理局 政府信息公开", "泰州市市场监督管理局"])
    assert "泰州市" in config["prefixes"]
