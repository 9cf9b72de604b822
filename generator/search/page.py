"""The /search/ page of the website and intranet targets, and the character table its script reads."""
from __future__ import annotations

import json

from ..views import tree
from .text import t2s_json, title_prefixes

T2S_URL = "/search/zh-t2s.json"


def search_page(renderer, output, plan) -> None:
    """/search/ and the character table its script needs."""
    catalogue = renderer.catalogue
    categories = [{"code": c.code, "name": c.name, "parent": c.parent or ""}
                  for c in catalogue.shown_categories()]
    departments = [s.department for s in renderer.config.sections.values()]
    years = sorted({item.pub_date.astimezone(renderer.config.tz).year for item in catalogue.items
                    if item.pub_date}, reverse=True)
    home_tree = tree(catalogue)
    site = renderer.config.site
    prefixes = title_prefixes([site.title, site.publisher] + sorted({item.publisher for item in catalogue.items}))
    config = json.dumps({"categories": categories, "departments": departments, "years": [str(y) for y in years],
                         "t2s": T2S_URL.lstrip("/"), "prefixes": prefixes}, ensure_ascii=False, separators=(",", ":"))
    renderer.cached(output, "/search/", "search.html", (home_tree, config),      # the preview re-renders on change
                    lambda: {"tree": home_tree, "departments": tuple(departments), "years": tuple(years),
                             "search_config": config})
    renderer.put(output, T2S_URL, t2s_json())
