"""Who owns each URL: the one list of names the generator writes itself, and the check that no
category, fixed page or item claims one of them, or a URL another claims.

Top-level names are reserved on every target (one site.toml serves all three): a category
slugged `dashboard` would lose its intranet listing to the compliance dashboard.
"""
from __future__ import annotations

from .errors import Problems

# top-level names of the output -> what the generator writes there
GENERATED = {
    "index.html": "首页", "404.html": "404 页面", "departments": "科室栏目", "search": "搜索页",
    "pagefind": "搜索索引", "static": "样式与脚本", "page": "分页", "feed.xml": "订阅源（Atom）",
    "sitemap.xml": "站点地图", "catalogue.json": "开放数据目录", "robots.txt": "robots.txt",
    "dashboard": "局域网的考核面板", "attachments": "附件",
    "zhuanlan": "政府信息公开专栏", "sitemap": "网站地图", "contact": "联系我们",
    "redirects.json": "旧网址跳转列表", "redirects.map": "旧网址跳转列表（nginx）",
}
# names inside a category's folder that its own listing uses
LISTING = {"index.html": "分类列表页", "page": "分类列表的分页"}


def reserved_reason(slug: str, top: bool) -> str | None:
    """What the generator writes at this slug, at the top level or inside a category; None if free."""
    return (GENERATED if top else LISTING).get(slug.lower())


def check_claims(config, pages, items, problems: Problems) -> None:
    """Fixed pages against reserved names, categories and each other; items against listing names.
    (Categories are checked by config.py, item against item by content.py.)"""
    owners = {c.slug: f"site.toml 中的分类 {c.code}“{c.name}”" for c in config.top_categories()}
    for page in pages:
        line = page.lines.get("slug", 1)
        why = reserved_reason(page.slug, top=True)
        owner = f"生成器的{why}" if why else owners.get(page.slug)
        if owner:
            problems.error(page.file, line, "slug", f"网址 /{page.slug}/ 已被 {owner} 使用。",
                           "请在 front matter 中另设 slug。")
        else:
            owners[page.slug] = f"{page.file}:{line}"
    for item in items:
        why = reserved_reason(item.slug, top=False)
        if why:
            problems.error(item.file, item.line("slug"), "slug",
                           f"网址名“{item.slug}”是{why}使用的名称。", "请在 front matter 中另设 slug。")
