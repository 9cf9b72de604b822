"""The bureau's public website (门户网站): public items on the website channel, absolute links under
`base_url`, the feeds and open data, and the Pagefind search index."""
from __future__ import annotations

from .. import search
from .base import Target


class Website(Target):
    name = "website"
    absolute_404 = True
    feeds = True
    searchable = True
    writes = ("search", "pagefind", "feed.xml", "sitemap.xml", "catalogue.json", "robots.txt",
              "zhuanlan", "sitemap", "contact")

    def extra_pages(self, renderer, output, plan) -> None:
        search.search_page(renderer, output, plan)

    def finisher(self, plan, progress):
        return search.indexer(plan, progress)
