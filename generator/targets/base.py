"""The Target interface: what one output (website, intranet, kiosk) adds to the common phases.

The pipeline and the renderer ask the target; nothing patches the renderer from outside.
Everything here has a neutral default, so a target states only what makes it different.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Optional

from ..visibility import AUDIENCES, CHANNEL


class Target:
    """One output's differences from the common pages. Made per build: `for_plan(plan)`."""

    name: str = ""
    explicit_index: bool = False    # links end in index.html (file:// lists a folder instead of opening it)
    absolute_404: bool = False      # the 404 page links absolutely: a web server shows it at any depth
    feeds: bool = False             # feed.xml, sitemap.xml, catalogue.json, robots.txt
    searchable: bool = False        # a Pagefind index (its finisher); the preview indexes it in the background
    # top-level output names this target writes besides the common pages (all are in urls.GENERATED,
    # reserved on every target since one site.toml serves all three)
    writes: tuple[str, ...] = ()

    def __init__(self, plan=None):
        self.plan = plan              # the build's plan (config, moment, decisions), when one is running

    @property
    def audiences(self) -> tuple[str, ...]:
        """The audiences this target admits (visibility.py holds the rule, decided in one place)."""
        return AUDIENCES[self.name]

    @property
    def channel(self) -> str:
        return CHANNEL[self.name]

    def record_context(self, record, url: str) -> dict:
        """Template names an item or fixed page gets on this target beyond the common ones."""
        return {}

    def copies(self, attachment) -> bool:
        """Is this attachment copied beside its page?"""
        return True

    def page_filter(self, catalogue) -> Optional[Callable[[str, str], str]]:
        """A function (html, url) -> html applied to every page of this target as it is rendered."""
        return None

    def extra_pages(self, renderer, output, plan) -> None:
        """Pages and files of this target only (search page, dashboard, offline index …)."""

    def finisher(self, plan, progress) -> Optional[Callable[[Path], None]]:
        """Work on the complete staging folder before the atomic swap (the search index), or None."""
        return None

    def __repr__(self) -> str:          # part of every page's render key: the name says it all
        return f"Target({self.name!r})"
