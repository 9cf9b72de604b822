"""Convert a site root of this project's format into a minimal Hugo site with comparable pages.

    python bench/hugo_site.py SITE_ROOT HUGO_DIR [--now ISO]

What Hugo builds from it, like this project's website target: item pages under
/<category path>/<slug>/ with the metadata table, body, keywords and 上一篇/下一篇;
category listings (each leaf, and each top category over its descendants) paginated
`per_page` to a page with a link to every page; departments (a taxonomy, listed and
paginated); the home page with the catalogue tree, counts and the latest items;
fixed pages; a 404 page; an RSS feed (50 entries, as feed.xml), sitemap.xml,
robots.txt and a JSON catalogue of every published item (as catalogue.json).

Held-back items are converted too, as `draft: true` (or dated in the future / expired,
which Hugo holds back itself with `--clock`), so Hugo reads the same number of files.
Item page bodies carry `data-pagefind-body`, so Pagefind run on Hugo's output indexes
item pages only. The navigation and footer links are `partialCached` (the Hugo idiom:
without it `site.Sections` on every page more than doubles Hugo's CPU time here).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

from sitefiles import load_site, on_website, records, slug_of      # bench/ is first on sys.path when run

DEFAULT_NOW = "2026-11-26T08:00:00+08:00"

LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="{{ site.Language.Locale }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="stylesheet" href="{{ "static/site.css" | relURL }}">
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header class="masthead"><div class="wrap"><a class="brand" href="{{ "" | relURL }}">
<span class="brand-org">{{ site.Params.publisher }}</span><span class="brand-sub">政府信息公开</span></a></div>
{{ partialCached "nav.html" . }}
</header>
<main id="main" class="wrap">
{{ block "main" . }}{{ end }}
</main>
<footer class="sitefoot"><div class="wrap">
{{ partialCached "footlinks.html" . }}
<p>主办：{{ site.Params.publisher }}</p>
<p><span>政务公开举报电话：{{ site.Params.footer.contact }}</span> <span>信箱：<a href="mailto:{{ site.Params.footer.mailbox }}">{{ site.Params.footer.mailbox }}</a></span></p>
<p><span>网站标识码：{{ site.Params.footer.site_code }}</span> <span><a href="https://beian.miit.gov.cn/" rel="noopener">{{ site.Params.footer.icp }}</a></span> <span>{{ site.Params.footer.police_record }}</span></p>
</div></footer>
</body>
</html>
""",
    "home.html": """{{ define "main" }}
<h1>政府信息公开目录</h1>
<div class="home">
<section class="tree"><h2>目录分类</h2>
<ul>{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="count">({{ len .RegularPagesRecursive }})</span>
<ul>{{ range .Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="count">({{ len .RegularPages }})</span></li>{{ end }}</ul>
</li>{{ end }}</ul>
{{ $items := where site.RegularPages "Section" "!=" "" }}
<p class="total">共公开信息 {{ len $items }} 条</p>
</section>
<section class="latest"><h2>最新公开</h2>
<ol class="items">{{ range first site.Params.latest $items.ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="item-meta"><span class="cat">{{ .Parent.Title }}</span> <time>{{ .Date.Format "2006-01-02" }}</time></span></li>
{{ end }}</ol>
</section>
</div>
{{ end }}
""",
    "home.json": """{"site": {{ site.Title | jsonify }}, "items": [
{{- range $i, $p := (where site.RegularPages "Section" "!=" "").ByDate.Reverse -}}
{{- if $i }},{{ end }}
{{ dict "title" .Title "url" .Permalink "index_no" .Params.index_no "category" .Params.category "department" .Params.department "pub_date" (.Date.Format "2006-01-02") "doc_no" .Params.doc_no "summary" .Params.summary | jsonify }}
{{- end }}
]}
""",
    "section.html": """{{ define "title" }}{{ .Title }} - {{ site.Title }}{{ end }}
{{ define "main" }}
<nav class="breadcrumbs"><ol><li><a href="{{ "" | relURL }}">首页</a></li>{{ range .Ancestors.Reverse }}{{ if not .IsHome }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}<li><span aria-current="page">{{ .Title }}</span></li></ol></nav>
{{ $all := .RegularPagesRecursive }}
<h1>{{ .Title }} <span class="count">({{ len $all }})</span></h1>
{{ with .Sections }}<ul class="subcats">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }} <span class="count">({{ len .RegularPages }})</span></a></li>{{ end }}</ul>{{ end }}
{{ partial "listing.html" (dict "pager" (.Paginate $all.ByDate.Reverse) "total" (len $all)) }}
{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}
<h1>按机构</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> <span class="count">({{ .Count }})</span></li>{{ end }}</ul>
{{ end }}
""",
    "term.html": """{{ define "title" }}{{ .Title }} - {{ site.Title }}{{ end }}
{{ define "main" }}
<h1>{{ .Title }} <span class="count">({{ len .Pages }})</span></h1>
{{ partial "listing.html" (dict "pager" (.Paginate .Pages.ByDate.Reverse) "total" (len .Pages)) }}
{{ end }}
""",
    "page.html": """{{ define "title" }}{{ .Title }} - {{ site.Title }}{{ end }}
{{ define "main" }}
{{ if .Params.index_no }}
<nav class="breadcrumbs"><ol><li><a href="{{ "" | relURL }}">首页</a></li>{{ range .Ancestors.Reverse }}{{ if not .IsHome }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}{{ end }}</ol></nav>
<article class="record" data-pagefind-body>
<table class="meta"><caption>信息索引</caption><tbody>
<tr><th scope="row">索引号</th><td>{{ .Params.index_no }}</td></tr>
<tr><th scope="row">目录分类</th><td>{{ .Parent.Parent.Title }} &gt; {{ .Parent.Title }}</td></tr>
<tr><th scope="row">发布机构</th><td>{{ .Params.publisher }}</td></tr>
<tr><th scope="row">成文日期</th><td>{{ .Params.doc_date }}</td></tr>
<tr><th scope="row">发布日期</th><td>{{ .Date.Format "2006-01-02" }}</td></tr>
<tr><th scope="row">文号</th><td>{{ .Params.doc_no }}</td></tr>
<tr><th scope="row">有效性</th><td>有效</td></tr>
<tr><th scope="row">公开范围</th><td>主动公开</td></tr>
{{ with .Params.updated }}<tr><th scope="row">更新日期</th><td>{{ . }}</td></tr>{{ end }}
</tbody></table>
<h1>{{ .Title }}</h1>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
<div class="body">
{{ .Content }}
</div>
{{ with .Params.keywords }}<p class="keywords">主题词：{{ range . }}<span>{{ . }}</span>{{ end }}</p>{{ end }}
</article>
<nav class="neighbours">
<p>上一篇：{{ with .NextInSection }}<a href="{{ .RelPermalink }}" rel="prev">{{ .Title }}</a>{{ else }}没有了{{ end }}</p>
<p>下一篇：{{ with .PrevInSection }}<a href="{{ .RelPermalink }}" rel="next">{{ .Title }}</a>{{ else }}没有了{{ end }}</p>
</nav>
<p class="feedback"><a href="mailto:{{ site.Params.footer.mailbox }}?subject={{ printf "意见反馈：%s %s" .Params.index_no .Title | urlquery }}">意见反馈</a>（请注明索引号 {{ .Params.index_no }}）</p>
{{ else }}
<article class="page"><h1>{{ .Title }}</h1>{{ .Content }}</article>
{{ end }}
{{ end }}
""",
    "404.html": """{{ define "main" }}<h1>页面不存在</h1><p><a href="{{ "" | absURL }}">返回首页</a></p>{{ end }}
""",
    "_partials/nav.html": """<nav class="topnav" aria-label="目录分类"><ul class="wrap">
<li><a href="{{ "" | relURL }}">首页</a></li>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}<li><a href="{{ "departments/" | relURL }}">按机构</a></li>
</ul></nav>
""",
    "_partials/footlinks.html": """<ul class="footlinks">{{ range site.Menus.footer }}<li><a href="{{ .URL }}">{{ .Name }}</a></li>{{ end }}</ul>
""",
    "_partials/listing.html": """{{ $pager := .pager }}
{{ if $pager.Pages }}
<ol class="items">
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="item-meta"><span class="index-no">{{ .Params.index_no }}</span> <time>{{ .Date.Format "2006-01-02" }}</time></span></li>
{{ end }}</ol>
{{ if gt $pager.TotalPages 1 }}
<nav class="pager" aria-label="分页">
{{ with $pager.Prev }}<a href="{{ .URL }}" rel="prev">上一页</a>{{ end }}
{{ range $pager.Pagers }}{{ if eq .PageNumber $pager.PageNumber }}<span aria-current="page">{{ .PageNumber }}</span>{{ else }}<a href="{{ .URL }}">{{ .PageNumber }}</a>{{ end }}
{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}" rel="next">下一页</a>{{ end }}
<span class="pager-total">共 {{ .total }} 条，第 {{ $pager.PageNumber }}/{{ $pager.TotalPages }} 页</span>
</nav>
{{ end }}
{{ else }}<p class="empty">暂无公开信息。</p>{{ end }}
""",
}


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _config(site, per_page: int) -> str:
    s = site.config["site"]
    footer = s.get("footer", {})
    lines = [
        f"baseURL = {_toml_string(s['base_url'])}",
        'locale = "zh-CN"',
        'defaultContentLanguage = "zh"',
        f"title = {_toml_string(s['title'])}",
        'timeZone = "Asia/Shanghai"',
        "enableRobotsTXT = true",
        "disableHugoGeneratorInject = true",
        "[pagination]",
        f"  pagerSize = {per_page}",
        "[taxonomies]",
        '  department = "departments"',
        "[outputs]",
        '  home = ["html", "rss", "json"]',
        '  section = ["html"]',
        '  taxonomy = ["html"]',
        '  term = ["html"]',
        '  page = ["html"]',
        "[outputFormats.rss]",
        '  baseName = "feed"',
        "[outputFormats.json]",
        '  baseName = "catalogue"',
        "[services.rss]",
        "  limit = 50",
        "[markup.goldmark.renderer]",
        "  unsafe = false",
        "[params]",
        f"  publisher = {_toml_string(s['publisher'])}",
        f"  latest = {int(s.get('latest', 10))}",
        "[params.footer]",
    ] + [f"  {k} = {_toml_string(str(v))}" for k, v in sorted(footer.items())]
    return "\n".join(lines) + "\n"


def _front_matter(fields: dict) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items()) + "---\n"


def convert(site_root: Path, hugo_dir: Path, now: str = DEFAULT_NOW) -> dict:
    """Write the Hugo site for `site_root` into `hugo_dir` (replaced). Returns counts."""
    site = load_site(Path(site_root))
    moment = datetime.fromisoformat(now)
    hugo_dir = Path(hugo_dir)
    if hugo_dir.exists():
        shutil.rmtree(hugo_dir)
    content = hugo_dir / "content"
    content.mkdir(parents=True)
    (hugo_dir / "hugo.toml").write_text(_config(site, int(site.config["site"].get("per_page", 20))),
                                        encoding="utf-8")
    for rel, text in LAYOUTS.items():
        path = hugo_dir / "layouts" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    static = Path(__file__).resolve().parent.parent / "themes" / "default" / "static"
    if static.is_dir():
        shutil.copytree(static, hugo_dir / "static" / "static")
    for weight, (code, cat) in enumerate(site.categories.items(), 1):   # listed in code order, as ours
        folder = content / cat["path"]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text(_front_matter({"title": cat["name"], "code": code, "weight": weight}),
                                          encoding="utf-8")
    counts = {"items": 0, "published": 0, "pages": 0}
    publishers = {s["folder"]: s.get("full_name") or site.config["site"]["publisher"] + s["department"]
                  for s in site.config.get("sections", [])}
    for record in records(site):
        meta = record.meta
        if record.section is None:           # a fixed page
            counts["pages"] += 1
            slug = slug_of(record)
            fields = {"title": meta["title"], "url": f"/{slug}/",
                      "menus": {"footer": {"weight": int(meta.get("order", 0))}}}
            (content / f"{slug}.md").write_text(_front_matter(fields) + "\n" + record.body, encoding="utf-8")
            continue
        counts["items"] += 1
        category = site.leaf(meta.get("category", ""))
        if category is None:
            continue
        published = on_website(site, record, moment)
        counts["published"] += published
        pub = record.moment("pub_date", site.tz)
        fields = {"title": meta["title"], "date": pub.isoformat() if pub else "2000-01-01T00:00:00+08:00"}
        expiry = record.moment("expiry_date", site.tz)
        if expiry:
            fields["expiryDate"] = expiry.isoformat()
        # future and expired items Hugo holds back itself (--clock); the rest are drafts
        held_by_hugo = pub is not None and (moment < pub or (expiry is not None and moment >= expiry))
        if not published and not held_by_hugo:
            fields["draft"] = True
        department = site.departments.get(record.section, record.section)
        fields.update({
            "slug": slug_of(record), "index_no": meta.get("index_no", ""), "category": category["code"],
            "department": department, "departments": [department],
            "publisher": meta.get("publisher") or publishers.get(record.section, ""),
            "doc_date": str(meta.get("doc_date", "")), "doc_no": meta.get("doc_no", ""),
            "summary": meta.get("summary", ""), "keywords": [str(k) for k in meta.get("keywords", [])],
        })
        if meta.get("updated"):
            fields["updated"] = str(meta["updated"])
        name = f"{record.section}-{record.path.stem}.md"
        (content / category["path"] / name).write_text(_front_matter(fields) + "\n" + record.body, encoding="utf-8")
    return counts


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("hugo_dir", type=Path)
    parser.add_argument("--now", default=DEFAULT_NOW)
    args = parser.parse_args(argv)
    counts = convert(args.site, args.hugo_dir, args.now)
    print(f"wrote {args.hugo_dir}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
