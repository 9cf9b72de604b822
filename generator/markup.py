"""Item bodies: Markdown -> HTML with markdown-it-py.

Raw HTML in bodies is off (SPEC, guards): an editor's `<script>` is shown as
text, never run. Tables get a scrolling wrapper and `scope="col"` headers.
"""
from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin


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


def to_html(markdown: str) -> str:
    return _parser().render(markdown)


def plain_text(markdown: str) -> str:
    """The body's words without markup, for summaries and search records."""
    tokens = _parser().parse(markdown)
    words = []
    for token in tokens:
        if token.type == "inline" and token.children:
            words.extend(child.content for child in token.children if child.type in ("text", "code_inline"))
    return " ".join(w for w in words if w.strip())
