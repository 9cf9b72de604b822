"""Search (搜索): the Pagefind index of the website and intranet builds, and the /search/ page.

Pagefind (the extended binary of `pagefind-bin-extended`, run as a program on the written
pages; never its Python wrapper, which sleeps 0.1 s per page) indexes what the item template
marks: `data-pagefind-body` (title, 内容概述, body), the 索引号 and 文号 as metadata, filters
(category — the top category and the leaf —, department, year) and a date sort.

Pagefind's own Chinese segmentation cannot serve a catalogue on its own: a query of one
character misses every page where that character sits inside a longer word, a word is missed
where the page's segmentation differs from the query's, and Traditional text falls apart into
single characters. So Pagefind reads each item page from a private *indexing copy*:

- in the indexed text, every Han character stands between two spaces, so that Pagefind's words
  are single characters, and each run of the text's own whitespace is a word U+2060 that
  Pagefind stores but does not index (text.space_han). The copies are indexed as a language without a
  segmenter or stemmer (bundle.INDEX_LANGUAGE): Pagefind's Chinese segmenter would find
  the same words, at a third more of its time. A query's characters are its words; the page's
  JavaScript then checks that the text really holds the phrase, reading the stored text without
  the spaces beside Han characters and with U+2060 as a space. (Character bigrams as keys were
  measured too: exact candidates, but three times Pagefind's memory.)
- `tchars` (metadata): the Simplified form of every character of the page whose form differs
  (許 -> 许), so that a Simplified query finds Traditional text; queries are normalised the same way.
- `pinyin`, `cpinyin` / `pykeys`: the title's and the category names' pinyin (pypinyin, phrase-aware:
  行 is xing in 行政, hang in 银行), syllables spaced for checking, and for matching each syllable
  position's full pinyin and initials (`xingzhengxuke`, `xzxk`, capped at 12 letters; Pagefind
  matches prefixes).
- `keys`: a hash of the whole title, 索引号 and 文号, so an exact match is found directly and
  ranked first; `title`: the title as written (the indexed one is spaced).

The copies are made in one pass over each page (htmlscan.read_and_space, a tokenizer that follows only
the elements with data-pagefind attributes; tests/test_search_copies.py holds it to the
html.parser reading it replaced), in worker processes. The
bundle is made in parts of about 2,000 pages (pages split by date, newest first; parts.py), each
indexed by its own Pagefind run, side by side as memory allows: Pagefind uses about one core.
pagefind/ is part 0, pagefind/part1/ … the others, pagefind/parts.json lists them; search.js
searches them together. Running Pagefind, making its bundle reproducible and reusing the previous
one are bundle.py's; the parts, and making them apart (CI shards), parts.py's and command_line.py's.

Visitors read the original pages (Traditional stays Traditional); the index and the queries are
normalised with the same character table, which the build writes beside the search page as
`/search/zh-t2s.json` for search.js.

The modules, one job each (each imports only modules above it here: no circles):
- text.py      normalisation (t2s table), pinyin runs and keys, exact-match keys, Han spacing
- htmlscan.py  reading a rendered page: its indexed text, title, metadata, category filters
- bundle.py    running Pagefind, a reproducible bundle, reusing the previous output's parts
- parts.py     which pages each part holds, making parts, shards and assembling them
- index.py     the indexing copies, index_site and the FINISHERS entry `indexer`
- command_line.py  the search-index command (build --no-search-index, then shards, assemble)
- page.py      the /search/ page (the CONTRIBUTORS entry `search_page`) and /search/zh-t2s.json
This package exports what other modules of the generator use; tests import the modules.
"""
from .index import index_site, indexer
from .page import search_page

__all__ = ["index_site", "indexer", "search_page"]
