"""Search (搜索): the website's and intranet's /search/ page and Pagefind index."""
from .index import SEARCH_TARGETS, index_site, indexer, search_page

__all__ = ["SEARCH_TARGETS", "index_site", "indexer", "search_page"]
