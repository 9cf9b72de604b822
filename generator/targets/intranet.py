"""The internal network (局域网): public and internal items, the search index, and the compliance
dashboard with the annual reports (考核面板)."""
from __future__ import annotations

from .. import search
from ..reports.dashboard import contribute as dashboard_pages
from .base import Target


class Intranet(Target):
    name = "intranet"
    searchable = True
    writes = ("search", "pagefind", "dashboard", "zhuanlan", "sitemap", "contact")

    def extra_pages(self, renderer, output, plan) -> None:
        search.search_page(renderer, output, plan)
        dashboard_pages(renderer, output, plan)

    def finisher(self, plan, progress):
        return search.indexer(plan, progress)
