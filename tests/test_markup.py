"""generator/markup.py: the compiled fast path (markdown-it-pyrs) gives the reference's (markdown-it-py's)
bytes on every body there is — the fixtures, the example site, a generated 2,000-item corpus and
hostile bodies — and raw HTML stays text on both."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT
from generator import markup
from generator.frontmatter_lines import split

HOSTILE = [
    "<script>alert(1)</script>", "a <b>b</b> c", "<div>\nx\n</div>", "[x](javascript:alert(1))",
    "![x](javascript:alert(1))", "<a href='x'>y</a>", "&lt;script&gt; &#60; &#x3c; &amp; &copy;",
    "| a |\n|---|\n| <b>x</b> |", "<!-- c -->", "`<code>`", "```html\n<script>\n```", "<https://example.com>",
    "<mailto:a@b.c>", "x\\\ny", "~~s~~", "***a***", "[a]: <b>\n\n[a]", "| a | b |\n|:-|-:|\n| 1 | 2 |",
    "| a | b | c |\n|:-:|---|--:|\n| 1 | 2 | 3 |", "<table><tr><td>x</td></tr></table>", "<th>x</th>",
    "text with <th> inside", "> 引用\n> <i>x</i>", "1. 一\n2. 二\n   - 三", "# 标题 <em>x</em>",
    "[链接](<a b.pdf>)", "![图](tu.png \"标题\")", "\u0000", "行尾两个空格  \n下一行", "    缩进代码 <b>",
]


def _bodies(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.md")):
        try:
            found.append(split(path.read_text(encoding="utf-8"))[1])
        except (UnicodeDecodeError, ValueError):
            pass
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[str]:
    folder = tmp_path_factory.mktemp("corpus") / "c"
    subprocess.run([sys.executable, str(ROOT / "bench" / "corpus.py"), "2000", str(folder)], check=True,
                   capture_output=True)
    return _bodies(folder / "content")


def test_the_fast_path_is_there():
    assert markup._fast() is not None, "markdown-it-pyrs (requirements.txt) is not installed"


def test_both_renderers_give_the_same_bytes(corpus):
    bodies = corpus + _bodies(ROOT / "content") + _bodies(ROOT / "tests") + HOSTILE
    assert len(bodies) > 2000
    checked = 0
    for body in bodies:
        fast = markup.fast_html(body)
        if fast is None:
            continue                   # footnotes: the reference renders them
        assert fast == markup._parser().render(body), body[:200]
        checked += 1
    assert checked > 2000


@pytest.mark.parametrize("body", HOSTILE[:6] + ["<table><tr><td>x</td></tr></table>"])
def test_raw_html_stays_text(body):
    html = markup.to_html(body)
    assert "<script" not in html and "<div>\nx" not in html and "<b>b</b>" not in html
    assert "javascript:" not in html or 'href="javascript:' not in html


def test_footnotes_take_the_reference_path():
    body = "正文[^1]\n\n[^1]: 注释"
    assert markup.fast_html(body) is None
    assert markup.to_html(body) == markup._parser().render(body)


@pytest.mark.parametrize("prefix", ["索引号:", "索引号：", "index:", "INDEX：", "Index:"])
def test_every_prefix_of_a_link_by_index_no_is_resolved(prefix):
    body = f"见[决定]({prefix}014000184/2026-00001)。"
    html = markup.to_html(body, resolve=lambda number: "../x/" if number == "014000184/2026-00001" else None)
    assert 'href="../x/"' in html and prefix not in html
