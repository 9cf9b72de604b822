"""Item bodies: Markdown -> HTML with markdown-it-py, and markdown-it-pyrs (its Rust port, ten times
faster) as the fast path where its output is the same byte for byte.

Raw HTML in bodies is off (SPEC, guards): an editor's `<script>` is shown as
text, never run. Tables get a scrolling wrapper and `scope="col"` headers.

A link by 索引号 (`[文字](索引号:014000184/2026-00001)`, or `index:`) is given its address by the
caller's `resolve` (索引号 -> href, or None when the item is not published here: the link becomes its
words, a `<span class="unlinked">`). Bodies without the prefix take the plain path, unchanged.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Optional

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from .bodylinks import has_index_link, index_target

try:                      # the compiled fast path; markdown-it-py stays the reference and the fallback
    import markdown_it_pyrs
except ImportError:       # pragma: no cover - a platform without its wheel
    markdown_it_pyrs = None

# markdown-it-pyrs's rules that make up this project's dialect: commonmark WITHOUT html_block and
# html_inline (raw HTML stays text: its commonmark preset would pass an editor's <script> through),
# plus tables, strikethrough and footnotes.
_FAST_RULES = ["blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph", "reference",
               "autolink", "backticks", "emphasis", "entity", "escape", "image", "link", "newline",
               "strikethrough", "table", "footnote"]
_TH = re.compile(r'<th((?: [a-z-]+="[^"]*")*)>')


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = (MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
          .enable(["table", "strikethrough"])
          .use(footnote_plugin))

    def table_open(renderer, tokens, idx, options, env):
        return '<div class="table-wrap">\n' + renderer.renderToken(tokens, idx, options, env)

    def table_close(renderer, tokens, idx, options, env):
        return renderer.renderToken(tokens, idx, options, env) + "</div>\n"

    def th_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("scope", "col")
        return renderer.renderToken(tokens, idx, options, env)

    md.add_render_rule("table_open", table_open)
    md.add_render_rule("table_close", table_close)
    md.add_render_rule("th_open", th_open)
    return md


@lru_cache(maxsize=1)
def _fast():
    return markdown_it_pyrs.MarkdownIt("zero").enable_many(_FAST_RULES) if markdown_it_pyrs else None


def fast_html(markdown: str) -> Optional[str]:
    """The fast path's HTML with this project's render rules, or None where it is not proven the same:
    footnotes (it breaks a footnote's paragraph onto its own line) and a missing wheel.
    tests/test_markup.py holds both renderers to the same bytes on every body it can find."""
    fast = _fast()
    if fast is None or "[^" in markdown:
        return None
    html = fast.render(markdown)
    if "<table>" in html:
        html = html.replace("<table>", '<div class="table-wrap">\n<table>').replace("</table>\n", "</table>\n</div>\n")
        html = _TH.sub(r'<th\1 scope="col">', html)
    return html


def to_html(markdown: str, resolve: Optional[Callable[[str], Optional[str]]] = None) -> str:
    if resolve is None or not has_index_link(markdown):
        html = fast_html(markdown)
        return html if html is not None else _parser().render(markdown)
    md, env = _parser(), {}
    tokens = md.parse(markdown, env)
    for token in tokens:
        if token.type == "inline" and token.children:
            _resolve_links(token.children, resolve)
    return md.renderer.render(tokens, md.options, env)


def _resolve_links(children, resolve: Callable[[str], Optional[str]]) -> None:
    """Links by 索引号 get the href `resolve` gives; one it has none for becomes a span of its words
    (links do not nest, so the next link_close is its own)."""
    unlinking = False
    for token in children:
        if token.type == "link_open":
            found = index_target(str(token.attrs.get("href", "")))
            if found is None:
                continue
            href = resolve(found[0])
            if href is not None:
                token.attrSet("href", href + found[1])
            else:
                token.tag, token.attrs, unlinking = "span", {"class": "unlinked"}, True
        elif token.type == "link_close" and unlinking:
            token.tag, unlinking = "span", False


def plain_text(markdown: str) -> str:
    """The body's words without markup, for summaries and search records."""
    tokens = _parser().parse(markdown)
    words = []
    for token in tokens:
        if token.type == "inline" and token.children:
            words.extend(child.content for child in token.children if child.type in ("text", "code_inline"))
    return " ".join(w for w in words if w.strip())
