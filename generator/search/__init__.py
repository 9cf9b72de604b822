"""Search (搜索): the Pagefind index of the website and intranet builds, and the /search/ page.

Pagefind (the extended binary of `pagefind-bin-extended`, run as a program on the written
pages; never its Python wrapper, which sleeps 0.1 s per page) indexes what the item template
marks: `data-pagefind-body` (title, 内容概述, body), the 索引号 and 文号 as metadata, filters
(category — the top category and the leaf —, department, year) and a date sort.

Pagefind's own Chinese segmentation cannot serve a catalogue on its own: a query of one
character misses every page where that character sits inside a longer word, a word is missed
where the page's segmentation differs from the query's, and Traditional text falls apart into
single characters. So Pagefind reads each item page from a private *indexing copy* (copies.py),
made from what the page offers for search (htmlscan.read_page):

- its words: every Han character of the text and identifiers once, normalised to Simplified
  (許 is indexed as 许; queries are normalised the same way), each a word of its own; the title
  whole (Pagefind weighs a heading); the other words (numbers, Latin) once. The copies are indexed as
  a language without a segmenter or stemmer (bundle.INDEX_LANGUAGE). A query's characters are its
  words; the page's JavaScript then checks that the text really holds the phrase.
- less the part's *stop characters* (stops.py): a character on a fifth or more of a part's pages
  is given as a bitmap of the pages that hold it instead (stop/<hex>.bin); Pagefind's time and
  memory went with those characters' posting lists (at 10,000 items, 7.8 s and 0.8 GB for a
  1,600-page part, now 1.7 s and 0.2 GB).
- `pinyin`, `cpinyin` / `pykeys`: the title's and the category names' pinyin (pypinyin, phrase-aware:
  行 is xing in 行政, hang in 银行), syllables spaced for checking, and for matching each syllable
  position's full pinyin and initials (`xingzhengxuke`, `xzxk`, capped at 12 letters; Pagefind
  matches prefixes).
- `keys`: a hash of the whole title, 索引号 and 文号, so an exact match is found directly and
  ranked first; `title`: the title as written; the page's own metadata, filters and sorts, and
  the sort `n`, its place in its part (the bitmaps' order).

A copy is not the page's text, so after Pagefind has run each fragment (what a result shows) is
given the page's text (copies.page_text: the indexed text, blocks apart, whitespace folded;
stops.put_text). The pages are read once each, in worker processes; the copies of a part are
written when its stop characters are known. The
bundle is made in parts of about 2,000 pages (pages split by date, newest first; parts.py), each
indexed by its own Pagefind run, side by side as memory allows: Pagefind uses about one core.
pagefind/ is part 0, pagefind/part1/ … the others, pagefind/parts.json lists them; search.js
searches them together. Running Pagefind, making its bundle reproducible and reusing the previous
one are bundle.py's; the parts, and making them apart (CI shards), parts.py's and command_line.py's.

Visitors read the original pages (Traditional stays Traditional); the index and the queries are
normalised with the same character table, which the build writes beside the search page as
`/search/zh-t2s.json` for search.js.

The modules, one job each (each imports only modules above it here: no circles):
- text.py      normalisation (t2s table), pinyin runs and keys, exact-match keys, short names
- htmlscan.py  reading a rendered page: its indexed text, title, metadata, filters, sorts
- bundle.py    running Pagefind, a reproducible bundle, reusing the previous output's parts
- copies.py    the indexing copy of a page and the text its fragment shows
- stops.py     a part's stop characters, their bitmaps, the fragments' texts
- parts.py     which pages each part holds, making parts, shards and assembling them
- index.py     index_site and the FINISHERS entry `indexer`
- command_line.py  the search-index command (build --no-search-index, then shards, assemble)
- page.py      the /search/ page (the CONTRIBUTORS entry `search_page`) and /search/zh-t2s.json
This package exports what other modules of the generator use; tests import the modules.
"""
from .index import index_site, indexer
from .page import search_page

__all__ = ["index_site", "indexer", "search_page"]
