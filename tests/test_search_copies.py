"""The reading of item pages for search (generator/search/htmlscan.py) against the reference it replaced,
and the indexing copies made from it (copies.py).

The first implementation read each item page with html.parser; it is kept here as the reference
(taught the "key:value" filters, metadata and sorts, and that scripts and styles are not text). The
one-pass reader must read the same title, metadata, categories, filters, sorts and text (the same
characters; the reader ends each block with a space) for every page of the example bureau and of the
golden fixture (website and intranet), for an item whose body holds every kind of Markdown output,
and for random well-formed pages."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import pytest

from generator.search import copies as search_copies, htmlscan, parts as search_parts, text as search_text
from support import GOLDEN_SITE, NOW, ROOT

# ---------------------------------------------------------------- the reference (first implementation)

BLOCK_TAGS = {"address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
              "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
              "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BETWEEN_HAN = re.compile(f"(?<=[{search_text.HAN_RANGES}])(?=[{search_text.HAN_RANGES}])")


@dataclass
class RefPage:
    title: str = ""
    text: str = ""
    meta: dict = field(default_factory=dict)
    categories: list = field(default_factory=list)
    filters: list = field(default_factory=list)
    sorts: dict = field(default_factory=dict)
    has_body: bool = False


UNREAD = {"script", "style", "noscript", "template", "svg"}


def _pairs(value):
    for entry in (value or "").split(","):
        key, sep, rest = entry.partition(":")
        if sep and key.strip() and "[" not in key:
            yield key.strip(), rest.strip()


class _PageReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = RefPage()
        self.stack = []
        self.parts = []
        self.title_parts = None
        self.captures = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        in_body = bool(self.stack and self.stack[-1][1])
        ignored = bool(self.stack and self.stack[-1][2])
        if "data-pagefind-body" in attrs:
            in_body, self.page.has_body = True, True
        if "data-pagefind-ignore" in attrs or tag in UNREAD:
            ignored = True
        if in_body and not ignored and tag in BLOCK_TAGS:
            self.parts.append("\n")
        meta, filt = attrs.get("data-pagefind-meta"), attrs.get("data-pagefind-filter")
        self.page.filters += list(_pairs(filt))
        self.page.meta.update(_pairs(meta))
        self.page.sorts.update(_pairs(attrs.get("data-pagefind-sort")))
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, in_body, ignored, meta, filt))
        if meta and ":" not in meta and "[" not in meta:
            self.captures.append(("meta", meta, []))
        if filt and ":" not in filt and "[" not in filt:
            self.captures.append(("filter", filt, []))
        if tag == "h1" and in_body and not ignored and self.title_parts is None:
            self.title_parts = []

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:
            open_tag, in_body, ignored, meta, filt = self.stack.pop()
            if filt and ":" not in filt and "[" not in filt:
                kind, name, parts = self.captures.pop()
                if name == "category":
                    self.page.categories.append("".join(parts).strip())
                else:
                    self.page.filters.append((name, "".join(parts).strip()))
            if meta and ":" not in meta and "[" not in meta:
                kind, name, parts = self.captures.pop()
                self.page.meta[name] = "".join(parts).strip()
            if open_tag == "h1" and self.title_parts is not None and not self.page.title:
                self.page.title = "".join(self.title_parts).strip()
            if in_body and not ignored and open_tag in BLOCK_TAGS:
                self.parts.append("\n")
            if open_tag == tag:
                break

    def handle_data(self, data):
        for capture in self.captures:
            capture[2].append(data)
        if self.stack and self.stack[-1][1] and not self.stack[-1][2]:
            self.parts.append(data)
            if self.title_parts is not None and not self.page.title:
                self.title_parts.append(data)


def ref_read_page(html: str) -> RefPage:
    reader = _PageReader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.text = re.sub(r"[ \t\r\f\v]*\n\s*", "\n", "".join(reader.parts)).strip()
    return page


# ---------------------------------------------------------------- the comparisons

def _pages(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))
            if p.relative_to(out).parts[0] != "pagefind"}


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_read_as_the_reference(html: str, label=None) -> bool:
    """The reader reads `html` as the reference does; whether the page is indexed."""
    page, reference = htmlscan.read_page(html), ref_read_page(html)
    assert page.has_body == reference.has_body, label
    assert (page.title, page.meta, page.categories, page.filters, page.sorts) == \
        (reference.title, reference.meta, reference.categories, reference.filters, reference.sorts), label
    if page.has_body:
        assert _squeezed(page.text) == _squeezed(reference.text), label
    return page.has_body


def assert_same_readings(out, minimum):
    indexed = sum(assert_read_as_the_reference(html, rel) for rel, html in _pages(out).items())
    assert indexed >= minimum


def build(cli, site, out, target):
    run = cli("build", "--site", site, "--target", target, "--now", NOW, "--out", out, "--quiet", "--no-cache")
    assert run.code == 0, run.err


@pytest.mark.parametrize("target", ["website", "intranet"])
def test_pages_of_the_example_bureau_are_read_as_the_reference_reads_them(target, tmp_path, cli):
    build(cli, ROOT, tmp_path / target, target)
    assert_same_readings(tmp_path / target, 40)


@pytest.mark.parametrize("target", ["website", "intranet"])
def test_pages_of_the_golden_site_are_read_as_the_reference_reads_them(target, tmp_path, cli):
    build(cli, GOLDEN_SITE, tmp_path / target, target)
    assert_same_readings(tmp_path / target, 3)


MARKDOWN = r"""
# 一级标题 *强调* **加粗** `代码` ~~删除~~

正文第一段，含“引号”、'单引号'、"直引号" & 符号 < 小于 > 大于 © &copy; &amp; &#21487; &lt;b&gt;
行尾两个空格换行  
下一行\
再下一行。English words, 123 and ２０２６ＡＢ，臺灣繁體：許可證、處罰決定書。

> 引用一段：行政许可
>
> > 嵌套引用

1. 有序一
2. 有序二
   - 无序嵌套 [链接文字](https://example.gov.cn/a?b=1&c=2 "链接标题 > 说明")
   - ![图片说明“图”](tu.png "图片标题")

- [ ] 未完成
* 星号列表

```html
<script>alert("许可")</script> <div data-pagefind-ignore>不忽略</div>
```

    缩进代码 <b>许可</b> &amp;

<div data-pagefind-body>原样显示的标签</div> <!-- 注释 --> <script>var a = "<b>";</script>

| 左 | 中 | 右 |
|:---|:---:|---:|
| 许可 `码` | **加粗** | <br> |
| 空格 许 可 | [链](x.html) | 最后 |

---

脚注引用[^1]，自动链接 <https://www.example.gov.cn/> 和 <zwgk@example.gov.cn>。

[^1]: 脚注内容：泰州市质量技术监督局。

***

\* 转义星号 \# 井号 &#x8BB8;可 &nbsp;空格 &unknown; &
"""


def test_copy_of_every_kind_of_markdown_is_the_reference(tmp_path, cli, golden_copy):
    item = golden_copy / "content/fagui/markdown.md"
    (golden_copy / "content/fagui/tu.png").write_bytes(b"\x89PNG\r\n\x1a\n")     # the body's image: a missing one is an error
    item.write_text('---\ntitle: "Markdown 各种写法：<b>标题</b> & “许可”"\ncategory: "0204"\n'
                    'index_no: "014000184/2026-00091"\nstatus: approved\nreviewer: 李明\n'
                    'pub_date: 2026-06-01\ndoc_no: "示质监许〔2026〕9号 <&>"\nsummary: "概述 & <概述>"\n---\n'
                    + MARKDOWN, encoding="utf-8")
    out = tmp_path / "w"
    build(cli, golden_copy, out, "website")
    html = (out / "quanli/xuke/2026-00091/index.html").read_text(encoding="utf-8")
    assert "原样显示的标签" in html and "&lt;script&gt;" in html and "<table" in html and "footnote" in html
    assert_same_readings(out, 4)
    page = htmlscan.read_page(html)
    text = search_copies.page_text(page)
    assert text.startswith("Markdown 各种写法：<b>标题</b> & “许可” 概述 & <概述> 一级标题 强调 加粗 代码 删除 正文第一段")
    assert "| 左 | 中 |" not in text and "左 中 右 许可 码 加粗 <br> 空格 许 可 链 最后" in text     # the cells apart
    assert "许可内容" not in text and "信息索引" not in text          # the metadata table is not text
    words = search_copies.page_words(page)
    copy = search_copies.copy_html(words, frozenset("的一"), 7)
    assert '<h1>Markdown 各 种 写 法 :&lt;b&gt; 标 题 &lt;/b&gt; &amp; “ 许 可 ”</h1>' in copy     # normalised: ： -> :
    assert 'data-pagefind-meta="title[content]" content="Markdown 各种写法：&lt;b&gt;标题&lt;/b&gt; &amp; “许可”"' in copy
    assert 'data-pagefind-meta="doc_no[content]" content="示质监许〔2026〕9号 &lt;&amp;&gt;"' in copy
    assert '<span data-pagefind-sort="n">000007</span>' in copy and '<span data-pagefind-sort="date">2026-06-01</span>' in copy
    assert '<span data-pagefind-filter="category">行政许可</span>' in copy and '<span data-pagefind-filter="year">2026</span>' in copy
    body = copy[copy.index("<main"):]
    assert "臺" not in body and "灣" not in body and "台" in body and "湾" in body      # normalised: 臺灣 -> 台湾
    for ch in "许可证处罚泰州":
        assert body.count(ch) <= 2, ch          # once in the title at most, once in the text
    assert "的" not in body[body.index("</h1>"):] and "2026AB" in body and "English" in body


def test_a_copys_other_words_are_the_plain_definition_on_hostile_text():
    """page_words normalises each distinct word once (a speed-up): the words must be those of the plain
    definition — the non-Han text normalised whole, split, each once in order — on text made to
    break it: full-width digits and letters, the ideographic space, zero-width and other invisible
    characters, Traditional characters beside Latin, non-breaking spaces, words repeated in both forms."""
    from generator.search.text import normalise
    hostile = ["２０２６ABC 2026ABC ｘｚｘｋ xzxk\u3000ｘｚｘｋ\u3000E\u200bF E\u200bF \ufeffG\u00a0H",
               "許可證ｘ１\u2028x1 \u3000\u3000 ①② Ⅻ ﹣5 －5 -5 ¥１００ ¥100 A\u3000B\u205fC\u180eD",
               "臺灣abc臺灣ＡＢＣ 第1506次会议通过 No.７ No.7", ""]
    for text in hostile:
        page = htmlscan.IndexedPage(title="标题", text=text, meta={"index_no": "０１４/２０２６-00091", "doc_no": "許〔２０２６〕９號"})
        searched = "\n".join([page.text, page.meta["index_no"], page.meta["doc_no"]])
        plain = dict.fromkeys(w for w in normalise(search_copies.HAN_RUN.sub(" ", searched)).split()
                              if search_copies.WORD.search(w))
        assert search_copies.page_words(page).words == " ".join(plain), repr(text)


def test_capped_pinyin_keys_are_the_plain_definition():
    """pinyin_keys joins only the syllables a capped key can hold (a speed-up): the keys must be those
    of the whole rest of the run, capped, for runs longer than the cap and syllables of one letter."""
    from generator.search import text as search_text
    runs = [["a"] * 30, ["a"] * 10 + ["er", "shi"], ["o"] * 9 + ["zhuang"] * 3, ["zhuang", "e", "a", "shuang", "o"] * 5,
            ["x"], [], ["er", "n"] * 9]
    plain = set()
    for run in runs:
        for i in range(len(run)):
            plain.add("".join(run[i:])[:search_text.PINYIN_CAP])
            plain.add("".join(s[0] for s in run[i:])[:search_text.PINYIN_CAP])
    assert search_text.pinyin_keys(runs) == plain
    long_title = "中华人民共和国政府信息公开条例实施细则关于进一步加强行政许可事项清单管理的通知"
    title_runs = search_text.pinyin_runs(long_title)
    assert search_text.pinyin_keys(title_runs) == {("".join(r[i:]) if k else "".join(s[0] for s in r[i:]))[:12]
                                                   for r in title_runs for i in range(len(r)) for k in (0, 1)}


def test_unusual_markup_is_read_as_the_reference_reads_it():
    """Comments, scripts, upper-case and spaced end tags, entities, quoted > in attributes."""
    html = ('<!DOCTYPE html>\n<html lang="zh-CN"><head><title>标题&#34;一&#34;</title><style>p>a{x:"许可"}</style>'
            '<script>if (a<b && c>d) { s = "<div data-pagefind-body>"; }</script></head>'
            '<body><nav><a href="/x/" data-pagefind-filter="category">行政&amp;许可</a></nav>'
            '<!-- <article data-pagefind-body>注释里</article> -- >'
            '<ARTICLE class="r" data-pagefind-body title="a>b 许可"><H1 title=\'"许可"\'>許可<b>决定</b></H1 >'
            '<table data-pagefind-ignore><tr><td data-pagefind-meta="index_no">1/2026-00001</td></tr></table>'
            '<p data-pagefind-meta="doc_no">泰质监〔2026〕1号</p><p>正文 &lt;许可&gt; 许&#21487; <br/>证书<img alt="图片说明" src=x>'
            '<span/>中文</p><script>var t = "许可</p>";</script><p>后文</p></ARTICLE></body></html>')
    assert assert_read_as_the_reference(html)
    page = htmlscan.read_page(html)
    assert page.title == "許可决定" and page.meta == {"index_no": "1/2026-00001", "doc_no": "泰质监〔2026〕1号"}
    assert page.categories == ["行政&许可"]
    assert search_copies.page_text(page) == "許可决定 泰质监〔2026〕1号 正文 <许可> 许可 证书中文 后文"


def test_a_page_without_a_body_element_is_not_indexed(tmp_path):
    for html in ("<html><body><p>data-pagefind-body 在正文里</p></body></html>", "<html><body><p>正文</p></body></html>"):
        (tmp_path / "a.html").write_text(html, encoding="utf-8")
        assert search_copies.read_job((tmp_path, tmp_path / "copies", 0, "a.html"))[1] is None
        assert not htmlscan.read_page(html).has_body


def test_nested_metadata_and_category_elements_are_read_as_the_reference_reads_them():
    html = ('<html><head></head><body><article data-pagefind-body><h1>标题</h1>'
            '<div data-pagefind-meta="outer"><span data-pagefind-filter="category"><b data-pagefind-meta="inner">'
            '</b></span>外层之后</div><p data-pagefind-meta="a"><i data-pagefind-meta="b">同</i></p>'
            '<p data-pagefind-filter="category">行政</p></article></body></html>')
    assert_read_as_the_reference(html)
    page = htmlscan.read_page(html)
    assert page.meta["outer"] == "外层之后" and page.meta["a"] == page.meta["b"] == "同"


def _random_page(rng) -> str:
    """A well-formed page of random nesting: elements with and without data-pagefind attributes,
    Han and Latin text, entities, void and self-closed tags, scripts, comments."""
    words = ["许可", "處罰", "泰州市", "abc", "2026年", " ", "\n", "&amp;", "&#21487;", "&lt;b&gt;", "“引号”", "&#34;",
             "A&B", "x > y", "，", "行政"]
    attributes = ["", ' class="a"', " data-pagefind-ignore", ' data-pagefind-meta="index_no"',
                  ' data-pagefind-meta="doc_no"', ' data-pagefind-filter="category"', ' data-pagefind-meta="date:2026"',
                  ' data-pagefind-filter="year:2026"', ' title="许可 &amp; 说明"', " data-pagefind-body",
                  ' data-pagefind-meta="title[content]"']

    def element(depth):
        if depth > 4 or rng.random() < 0.3:
            kind = rng.random()
            if kind < 0.1:
                return f"<br{rng.choice(['', '/', ' /'])}>"
            if kind < 0.15:
                return f'<img alt="{rng.choice(words[:3])}" src="x.png">'
            if kind < 0.2:
                return "<!-- 注释 -->"
            if kind < 0.25:
                return '<script>var s = "<b>许可</b>" && 1 > 0;</script>'
            return "".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        tag = rng.choice(["div", "p", "span", "td", "h1", "h2", "a", "section", "b"])
        inner = "".join(element(depth + 1) for _ in range(rng.randint(0, 4)))
        return f"<{tag}{rng.choice(attributes)}>{inner}</{tag}>"

    body = "".join(element(0) for _ in range(rng.randint(1, 5)))
    article = f'<article data-pagefind-body>{element(1)}{element(1)}</article>' if rng.random() < 0.8 else ""
    return f'<!DOCTYPE html><html lang="zh-CN"><head><title>许可&#34;</title></head><body>{body}{article}</body></html>'


def test_random_well_formed_pages_are_read_as_the_reference_reads_them():
    import random
    rng = random.Random(20261126)
    indexed = 0
    for n in range(400):
        html = _random_page(rng)
        indexed += assert_read_as_the_reference(html, (n, html))
    assert indexed > 300


def test_copies_made_in_worker_processes_are_the_same(tmp_path, cli):
    """Enough pages for workers.parallel_map to fork (it keeps small sets in one process)."""
    from generator.workers import MIN_PARALLEL, parallel_map
    out = tmp_path / "w"
    build(cli, GOLDEN_SITE, out, "website")
    pages = {rel: html for rel, html in _pages(out).items()}
    staging = tmp_path / "staging"
    for n in range(MIN_PARALLEL + 40):
        rel, html = list(pages.items())[n % len(pages)]
        target = staging / f"{n:03d}" / rel
        target.parent.mkdir(parents=True)
        target.write_text(html, encoding="utf-8")
    files = search_parts.html_files(staging)
    results = {}
    for workers in (1, 2):
        copies = tmp_path / f"copies-{workers}"
        try:
            done = parallel_map([(staging, copies, n, rel) for n, rel in enumerate(files)], search_copies.read_job, workers)
        finally:
            search_copies.close_text_files()
        results[workers] = (done, search_copies.read_texts(copies))
        # a file of texts per process that read pages (forked: one or both workers)
        assert 1 <= len(list(copies.glob("texts-*.jsonl"))) <= workers
    assert results[1] == results[2]
    done, texts = results[2]
    assert [rel for rel, _ in done] == files and len(texts) == sum(words is not None for _, words in done) > 50
    for n, (rel, words) in enumerate(done):
        if words is not None:
            page = htmlscan.read_page(pages[rel.split("/", 1)[1]])
            assert words == search_copies.page_words(page, search_copies.page_url(rel))
            assert texts[n] == search_copies.page_text(page)
        else:
            assert n not in texts


def test_start_tag_attributes_are_read_as_python_3_11_html_parser_reads_them():
    """htmlscan reads attributes with its own copies of the patterns html.parser of Python 3.11
    used (later releases rewrote its private ones): the copies must not change with Python."""
    assert htmlscan._attributes('<div a=1 B="x &amp; y" c=\'q>r\' d/e data-pagefind-body>') == \
        {"a": "1", "b": "x & y", "c": "q>r", "d": None, "e": None, "data-pagefind-body": None}
    assert htmlscan._attributes('<p data-pagefind-meta==x title = "t" title="u"/>') == \
        {"data-pagefind-meta": "x", "title": "u"}
    source = Path(htmlscan.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import) html\.parser", source, re.M)      # nothing of it imported
