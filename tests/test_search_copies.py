"""The indexing copies (generator/search/index.py, htmlscan.py) against the reference they replaced.

The first implementation read each item page twice with html.parser (one pass for what it
offers, one to write the copy); it is kept here, unchanged but for the spacing it puts
between Han characters, as the reference. The one-pass reader must give the same copy, byte
for byte, for every page of the example bureau and of the golden fixture (website and
intranet), and for an item whose body holds every kind of Markdown output, both with a plain
separator between Han characters and with the build's spacing (search_text.space_han, and U+2060
at the end of a block's text, which the reference marks on the block's end tag)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from typing import Optional

import pytest

from generator.search import htmlscan, index as search_index, parts as search_parts, text as search_text
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
    has_body: bool = False


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
        if "data-pagefind-ignore" in attrs:
            ignored = True
        if in_body and not ignored and tag in BLOCK_TAGS:
            self.parts.append("\n")
        meta, filt = attrs.get("data-pagefind-meta"), attrs.get("data-pagefind-filter")
        if tag in VOID_TAGS:
            return
        self.stack.append((tag, in_body, ignored, meta, filt))
        if meta and ":" not in meta and "[" not in meta:
            self.captures.append(("meta", meta, []))
        if filt == "category":
            self.captures.append(("category", filt, []))
        if tag == "h1" and in_body and not ignored and self.title_parts is None:
            self.title_parts = []

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        while self.stack:
            open_tag, in_body, ignored, meta, filt = self.stack.pop()
            if filt == "category":
                kind, name, parts = self.captures.pop()
                self.page.categories.append("".join(parts).strip())
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


def _takes_text(value: Optional[str]) -> bool:
    return bool(value) and ":" not in value and "[" not in value


SENTENCE_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "td", "div", "ul", "li", "dl", "dt", "dd", "article",
                 "section"}


class _Spacer(HTMLParser):
    """separator None: the build's spacing (search_text.space_han), and the last indexed text before
    the end of a block (SENTENCE_TAGS, past inline end tags) ends with U+2060."""

    def __init__(self, separator):
        super().__init__(convert_charrefs=True)
        self.separator = separator
        self.out = []
        self.stack = []
        self.pending = None         # where the last indexed text is in out, while only end tags follow

    def handle_starttag(self, tag, attrs):
        self.pending = None
        self.out.append(self.get_starttag_text())
        if tag in VOID_TAGS:
            return
        names = dict(attrs)
        indexed = bool(self.stack and self.stack[-1][1]) or "data-pagefind-body" in names
        if "data-pagefind-ignore" in names or tag in ("script", "style") \
                or _takes_text(names.get("data-pagefind-meta")) or _takes_text(names.get("data-pagefind-filter")):
            indexed = False
        self.stack.append((tag, indexed))

    def handle_startendtag(self, tag, attrs):
        self.pending = None
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if self.pending is not None and tag in SENTENCE_TAGS:
            self.out[self.pending] = self.out[self.pending].rstrip(" ") + " \u2060"
            self.pending = None
        self.out.append(f"</{tag}>")
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.pending = None
        if self.stack and self.stack[-1][0] in ("script", "style"):
            self.out.append(data)
            return
        text = escape(data, quote=False)
        if not (self.stack and self.stack[-1][1]):
            self.out.append(text)
        elif self.separator is not None:
            self.out.append(_BETWEEN_HAN.sub(self.separator, text))
        else:
            self.out.append(search_text.space_han(text))
            if text and not text[-1].isspace():
                self.pending = len(self.out) - 1

    def handle_comment(self, data):
        self.pending = None
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.pending = None
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.pending = None
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.pending = None
        self.out.append(f"<![{data}]>")


def ref_spaced(html: str, separator: Optional[str] = " ") -> str:
    spacer = _Spacer(separator)
    spacer.feed(html)
    spacer.close()
    return "".join(spacer.out)


def ref_changed_forms(text: str) -> set[str]:
    table = search_text.t2s_map()
    return {table[c] for c in set(text) if c in table and search_text.HAN_RUN.match(c)}


def ref_index_copy(html: str, separator: Optional[str] = " ") -> Optional[str]:
    if "data-pagefind-body" not in html:
        return None
    page = ref_read_page(html)
    if not page.has_body:
        return None
    title_runs = search_text.pinyin_runs(page.title)
    category_runs = [run for name in page.categories for run in search_text.pinyin_runs(name)]
    identifiers = [page.meta.get("index_no", ""), page.meta.get("doc_no", "")]
    meta = {
        "title": page.title,
        "tchars": " ".join(sorted(ref_changed_forms("\n".join([page.text] + identifiers)))),
        "pinyin": " / ".join(" ".join(run) for run in title_runs),
        "cpinyin": " / ".join(" ".join(run) for run in category_runs),
        "pykeys": " ".join(sorted(search_text.pinyin_keys(title_runs + category_runs))),
        "keys": " ".join(sorted({search_text.fnv_key(v) for v in [page.title] + identifiers if v.strip()})),
    }
    tags = "".join(f'<meta data-pagefind-meta="{name}[content]" content="{escape(value)}">\n'
                   for name, value in meta.items())
    html = ref_spaced(html, separator)
    head_end = html.find("</head>")
    if head_end < 0:
        return tags + html
    return html[:head_end] + tags + html[head_end:]


# ---------------------------------------------------------------- the comparisons

def _pages(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))
            if p.relative_to(out).parts[0] != "pagefind"}


def assert_same_copies(out, minimum):
    indexed = 0
    for rel, html in _pages(out).items():
        expected = ref_index_copy(html)
        assert search_index.index_copy(html, " ") == expected, rel
        if expected is not None:
            indexed += 1
            page, _ = htmlscan.read_and_space(html)
            reference = ref_read_page(html)
            assert (page.title, page.meta, page.categories) == (reference.title, reference.meta, reference.categories)
            # the build's spacing (search_text.space_han, U+2060 at a block's end)
            assert search_index.index_copy(html) == ref_index_copy(html, None), rel
    assert indexed >= minimum


def build(cli, site, out, target):
    run = cli("build", "--site", site, "--target", target, "--now", NOW, "--out", out, "--quiet", "--no-cache")
    assert run.code == 0, run.err


@pytest.mark.parametrize("target", ["website", "intranet"])
def test_copies_of_the_example_bureau_are_the_references(target, tmp_path, cli):
    build(cli, ROOT, tmp_path / target, target)
    assert_same_copies(tmp_path / target, 40)


@pytest.mark.parametrize("target", ["website", "intranet"])
def test_copies_of_the_golden_site_are_the_references(target, tmp_path, cli):
    build(cli, GOLDEN_SITE, tmp_path / target, target)
    assert_same_copies(tmp_path / target, 3)


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
    assert_same_copies(out, 4)
    copy = search_index.index_copy(html, " ")
    assert "Markdown 各 种 写 法" in copy and "许 可 内 容" not in copy        # spaced only where indexed
    assert 'title[content]" content="Markdown 各种写法：&lt;b&gt;标题&lt;/b&gt; &amp; “许可”"' in copy


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
    assert search_index.index_copy(html, " ") == ref_index_copy(html)
    page, copy = htmlscan.read_and_space(html, " ")
    assert page.title == "許可决定" and page.meta == {"index_no": "1/2026-00001", "doc_no": "泰质监〔2026〕1号"}
    assert page.categories == ["行政&许可"] and "<!-- <article data-pagefind-body>注释里</article> -->" in copy
    assert '<H1 title=\'"许可"\'>許 可<b>决 定</b></h1>' in copy and 'alt="图片说明"' in copy
    assert 'var t = "许可</p>";' in copy and "许 可" in copy


def test_a_page_without_a_body_element_is_not_indexed():
    assert search_index.index_copy("<html><body><p>data-pagefind-body 在正文里</p></body></html>") is None
    assert search_index.index_copy("<html><body><p>正文</p></body></html>") is None


def test_nested_metadata_and_category_elements_are_read_as_the_reference_reads_them():
    html = ('<html><head></head><body><article data-pagefind-body><h1>标题</h1>'
            '<div data-pagefind-meta="outer"><span data-pagefind-filter="category"><b data-pagefind-meta="inner">'
            '</b></span>外层之后</div><p data-pagefind-meta="a"><i data-pagefind-meta="b">同</i></p>'
            '<p data-pagefind-filter="category">行政</p></article></body></html>')
    page, _ = htmlscan.read_and_space(html)
    reference = ref_read_page(html)
    assert page.meta == reference.meta and page.categories == reference.categories
    assert page.meta["outer"] == "外层之后" and page.meta["a"] == page.meta["b"] == "同"
    assert search_index.index_copy(html, " ") == ref_index_copy(html)


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
        expected = ref_index_copy(html)
        assert search_index.index_copy(html, " ") == expected, (n, html)
        if expected is not None:
            indexed += 1
            page, reference = htmlscan.read_and_space(html)[0], ref_read_page(html)
            assert (page.title, page.meta, page.categories) == (reference.title, reference.meta, reference.categories)
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
        results[workers] = (parallel_map([(staging, copies, rel) for rel in files], search_index._prepare, workers),
                            {p.relative_to(copies).as_posix(): p.read_bytes() for p in copies.rglob("*.html")})
    assert results[1] == results[2]
    done, copies = results[2]
    assert [rel for rel, _, _, _ in done] == files and len(copies) == sum(indexed for _, _, indexed, _ in done) > 50
    assert all(copies[rel] == search_index.index_copy(pages[rel.split("/", 1)[1]]).encode() for rel in copies)


def test_start_tag_attributes_are_read_as_python_3_11_html_parser_reads_them():
    """htmlscan reads attributes with its own copies of the patterns html.parser of Python 3.11
    used (later releases rewrote its private ones): the copies must not change with Python."""
    assert htmlscan._attributes('<div a=1 B="x &amp; y" c=\'q>r\' d/e data-pagefind-body>') == \
        {"a": "1", "b": "x & y", "c": "q>r", "d": None, "e": None, "data-pagefind-body": None}
    assert htmlscan._attributes('<p data-pagefind-meta==x title = "t" title="u"/>') == \
        {"data-pagefind-meta": "x", "title": "u"}
    source = Path(htmlscan.__file__).read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import) html\.parser", source, re.M)      # nothing of it imported
