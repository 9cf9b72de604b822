"""Links that stay valid (issue 17 §3): old addresses, aliases, redirect pages, and links in bodies.

- **The record of published URLs** (`urls.lock.json` at the site root, committed with the content):
  every address each target has published, with the 索引号 and file behind it. `check --record-urls`
  writes it from the site as it is now. A build compares its own addresses with the record: an
  address no longer made whose 索引号 (or file) now lives elsewhere gets a redirect page; any other
  is reported as a warning naming why it disappeared (the item's held-back reason, or its file
  deleted) — never a silent 404.
- **`aliases`** in front matter: old addresses of a record kept by hand; validated here (site paths,
  no collision with a page, a listing or a reserved name) with the file and line.
- **Redirect pages**: a small page at the old address (meta refresh, link, rel=canonical, noindex;
  on the kiosk a plain relative link), plus `redirects.json` and `redirects.map` (an nginx `map`
  include) for the web server.
- **Links in bodies** (`check`): every link and image of every body, by a regex over its lines (fast at
  10,000 items; no Markdown parse), resolved against the record's address; a broken one is an error
  at the body's file and line. Images beside an item (`![](plan.png)`) are collected at load time
  (content.py, `body_images`) and copied like attachments; a missing one is a loading error.
  A link by 索引号 (`[文字](索引号:014000184/2026-00001)`) survives moves: the renderer gives it the
  item's current address on each target (render.py, markup.py); here an unknown 索引号 is an error and
  one of an item not published (yet) a warning.
"""
from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import PurePosixPath
from typing import Optional
from urllib.parse import unquote, urlsplit

from .bodylinks import body_links, index_target, local_file
from .catalogue import item_url, page_url
from .content import read_body
from .errors import Problems
from .output import output_path
from .render import relative
from .urls import GENERATED
from .visibility import REASON_LABELS

RECORD_FILE = "urls.lock.json"
REDIRECTS_JSON = "redirects.json"
REDIRECTS_MAP = "redirects.map"

def check_aliases(config, pages, items, problems: Problems) -> None:
    """Aliases against every address the site makes (items in any state, fixed pages, categories and
    their pages, reserved names) and against each other: an error at the alias's line."""
    owners: dict[str, str] = {}
    for item in items:
        owners[item_url(config, item)] = f"条目 {item.file}"
    for page in pages:
        owners[page_url(page)] = f"固定页面 {page.file}"
    categories = {f"/{c.path}/": f"分类 {c.code}“{c.name}”" for c in config.categories.values()}
    for record in list(items) + list(pages):
        for i, alias in enumerate(getattr(record, "aliases", ())):
            line = record.lines.get(("aliases", i), record.lines.get("aliases", 1))
            top = alias.strip("/").split("/")[0]
            owner = owners.get(alias) or categories.get(alias)
            if owner is None and top.lower() in GENERATED:
                owner = f"生成器的{GENERATED[top.lower()]}"
            if owner is None:
                inside = next((c for c in categories if alias.startswith(c + "page/")), None)
                owner = f"{categories[inside]}的分页" if inside else None
            if owner is not None:
                problems.error(record.file, line, "aliases", f"旧网址 {alias} 现在是{owner}的网址，不能再作为别名。",
                               "请删除这一项别名（旧网址已由现在的页面使用）。")
            else:
                owners[alias] = f"{record.file}:{line} 的别名"


# --- the record of published URLs -------------------------------------------------------------------

def read_record(root, problems: Problems) -> dict:
    """{target: {url: {"index_no", "file"}}} from urls.lock.json; {} when the site has none."""
    path = root / RECORD_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        line = getattr(exc, "lineno", 1)
        problems.error(RECORD_FILE, line, "", "已发布网址记录无法读取（不是有效的 JSON）。",
                       "请从 git 恢复此文件，再运行 python build.py check --record-urls。")
        return {}
    targets = data.get("targets") if isinstance(data, dict) else None
    if not isinstance(targets, dict):
        problems.error(RECORD_FILE, 1, "", "已发布网址记录的格式不对（缺少 targets）。",
                       "请从 git 恢复此文件，再运行 python build.py check --record-urls。")
        return {}
    return {t: {u: e for u, e in urls.items() if isinstance(e, dict)} for t, urls in targets.items()
            if isinstance(urls, dict)}


def record_lines(root, target: str) -> dict[str, int]:
    """url -> its line in urls.lock.json under `target` (one entry a line, as write_record writes it)."""
    lines, current = {}, None
    try:
        for number, line in enumerate((root / RECORD_FILE).read_text(encoding="utf-8").split("\n"), 1):
            found = re.match(r'\s*"([^"]*)":', line)
            if found and not found.group(1).startswith("/"):
                current = found.group(1)
            elif found and current == target:
                lines.setdefault(found.group(1), number)
    except OSError:
        pass
    return lines


def updated_record(plans: dict, old: dict) -> dict:
    """The record after this moment: what each target publishes now, plus the old addresses that
    still redirect (their 索引号 or file lives elsewhere). Addresses reported as disappeared are
    dropped: recording is the acknowledgement."""
    targets = {}
    for name, plan in plans.items():
        urls = {}
        for item in plan.published:
            urls[item_url(plan.config, item)] = {"file": item.file, "index_no": item.index_no}
        for page in plan.pages:
            urls[page_url(page)] = {"file": page.file}
        for url, entry in old.get(name, {}).items():
            if url not in urls and url in plan.redirects and not plan.redirects[url][2]:
                urls[url] = entry
        targets[name] = dict(sorted(urls.items()))
    return {"comment": "已发布网址记录（zwgk）：由 python build.py check --record-urls 更新，请随内容一起提交。",
            "targets": dict(sorted(targets.items()))}


def write_record(root, record: dict) -> None:
    lines = ["{", f' "comment": {json.dumps(record["comment"], ensure_ascii=False)},', ' "targets": {']
    targets = list(record["targets"].items())
    for t, (name, urls) in enumerate(targets):
        lines.append(f"  {json.dumps(name)}: {{")
        entries = list(urls.items())
        for i, (url, entry) in enumerate(entries):
            comma = "," if i < len(entries) - 1 else ""
            lines.append(f"   {json.dumps(url, ensure_ascii=False)}: "
                         f"{json.dumps(entry, ensure_ascii=False, sort_keys=True)}{comma}")
        lines.append("  }" + ("," if t < len(targets) - 1 else ""))
    lines += [" }", "}", ""]
    path = root / RECORD_FILE
    temp = path.with_name(path.name + ".tmp")
    temp.write_text("\n".join(lines), encoding="utf-8")
    temp.replace(path)


def plan_links(plan) -> None:
    """plan.redirects (old url -> (new url, title, from an alias)) and a warning for every recorded
    address of this target that is no longer made and has nowhere to go."""
    config, content = plan.config, plan.content
    published = plan.published
    made = {item_url(config, i) for i in published} | {page_url(p) for p in plan.pages}
    by_index = {i.index_no: i for i in published if i.index_no}
    by_file = {i.file: i for i in published} | {p.file: p for p in plan.pages}
    url_of = lambda r: item_url(config, r) if hasattr(r, "index_no") else page_url(r)
    redirects: dict[str, tuple[str, str, bool]] = {}
    for record in list(published) + list(plan.pages):
        for alias in getattr(record, "aliases", ()):
            if alias not in made:
                redirects[alias] = (url_of(record), record.title, True)
    record = read_record(config.root, plan.problems)
    lines = record_lines(config.root, plan.target) if record.get(plan.target) else {}
    all_items = {i.file: i for i in content.items}
    all_by_index = {i.index_no: i for i in content.items if i.index_no}
    pages = {p.file for p in content.pages}
    for url, entry in sorted(record.get(plan.target, {}).items()):
        if url in made or url in redirects:
            continue
        index_no, file = entry.get("index_no"), entry.get("file")
        now = by_index.get(index_no) if index_no else None
        now = now or by_file.get(file)
        if now is not None:
            redirects[url] = (url_of(now), now.title, False)
            continue
        what = f"索引号 {index_no}（{file}）" if index_no else f"{file}"
        held = all_items.get(file) or (all_by_index.get(index_no) if index_no else None)
        if held is not None and held.file in content.invalid or file in content.invalid:
            why = "该文件有错误（见上方错误），本次未公开"
        elif held is not None:
            decision = plan.decisions.get(held.file)
            reason = decision.reason if decision is not None else "invalid"
            why = f"条目 {held.file} 暂不公开（{REASON_LABELS.get(reason, reason)}）"
        elif file in pages:
            why = f"固定页面 {file} 未公开（状态不是 approved）"
        else:
            why = "文件已删除或改名，且索引号不再使用" if index_no else "文件已删除或改名"
        plan.problems.warn(RECORD_FILE, lines.get(url, 1), "", f"网址 {url}（{plan.target}）不再存在：{what}，{why}。"
                           "访问者会看到 404 页面。",
                           "如果是改了网址，请在条目的 aliases 中写上旧网址；确认不再公开后，运行 "
                           "python build.py check --record-urls 更新记录。")
    plan.redirects = redirects


def retitled(config, redirects: dict, records: list) -> dict:
    """plan.redirects after an edit that changed only what `records` show (the preview's edit
    path): a redirect page that leads to one of them shows its title as it is now."""
    titles = {item_url(config, record): record.title for record in records}
    return {old: (new, titles.get(new, title), alias) for old, (new, title, alias) in redirects.items()}


# --- redirect pages and the redirects files ----------------------------------------------------------

def write_redirects(renderer, output, plan) -> None:
    """A page at each old address of plan.redirects, and the server's redirects files."""
    config = plan.config
    kiosk = renderer.explicit_index
    done = {}
    for old, (new, title, alias) in sorted(plan.redirects.items()):
        path, owner = output_path(old), f"旧网址的跳转页面（指向 {new}）"
        if output.owners.get(path, owner) != owner:
            continue               # something else is made there now (a new page took the address; an
            #                        alias taken by another page is check_aliases' error, not a clash here)
        link = relative(old, new, kiosk)
        absolute = config.base_url + new.lstrip("/")
        head = ('<meta name="robots" content="noindex">\n' +
                ("" if kiosk else f'<meta http-equiv="refresh" content="0; url={html.escape(link)}">\n') +
                (f'<link rel="canonical" href="{html.escape(absolute)}">\n' if plan.target == "website" else ""))
        page = ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
                f'<title>页面已迁移：{html.escape(title)}</title>\n'
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n' + head +
                f'</head>\n<body>\n<main>\n<h1>页面已迁移</h1>\n<p>本页现在的网址：<a href="{html.escape(link)}">'
                f'{html.escape(title)}</a></p>\n</main>\n</body>\n</html>\n')
        renderer.put(output, old, page.encode("utf-8"), owner=owner)
        done[old] = new
    if kiosk or not (done or (config.root / RECORD_FILE).is_file()):
        return
    base = urlsplit(config.base_url).path or "/"
    base = base if base.endswith("/") else base + "/"
    data = {"base": base, "redirects": done}
    renderer.put(output, "/" + REDIRECTS_JSON,
                 (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"),
                 owner="跳转列表")
    lines = ["# zwgk: old address -> new address (nginx map; see 《管理员手册》“网址变更与跳转”)"]
    for old, new in sorted(done.items()):
        target = base + new.lstrip("/")
        for form in (old, old + "index.html"):
            lines.append(f"{_nginx_quote(base + form.lstrip('/'))} {_nginx_quote(target)};")
    renderer.put(output, "/" + REDIRECTS_MAP, ("\n".join(lines) + "\n").encode("utf-8"), owner="跳转列表")


def _nginx_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- links in bodies (check) -------------------------------------------------------------------------

def check_bodies(config, content, plans: dict, problems: Problems) -> None:
    """Every link and image of every item's and fixed page's body, resolved against its address:
    an error at the body's line when nothing is there, a warning when it points at a record that is
    not published (yet)."""
    valid_items = [i for i in content.items if i.file not in content.invalid]
    published = set()
    redirects = set()
    for plan in plans.values():
        published |= {i.file for i in plan.published}
        redirects |= set(getattr(plan, "redirects", {}))
    dirs: dict[str, Optional[object]] = {}
    files: dict[str, Optional[object]] = {}
    for record in valid_items + [p for p in content.pages if p.file not in content.invalid]:
        url = item_url(config, record) if hasattr(record, "index_no") else page_url(record)
        dirs[url] = record
        for a in tuple(record.attachments) + tuple(getattr(record, "body_images", ())):
            files[url + a.name] = record
    for category in config.categories.values():
        dirs[f"/{category.path}/"] = None
    for url in redirects:
        dirs.setdefault(url, None)
    by_index = {i.index_no: i for i in valid_items if i.index_no}
    base_path = urlsplit(config.base_url).path
    for record in valid_items + [p for p in content.pages if p.file not in content.invalid]:
        body = read_body(config, record) if hasattr(record, "index_no") else record.body
        if "](" not in body and "]:" not in body:
            continue
        here = item_url(config, record) if hasattr(record, "index_no") else page_url(record)
        start = record.lines.get("_body", 1)
        for number, destination, image in body_links(body):
            found = index_target(destination) if not image else None
            if found is not None:          # [文字](索引号:…): the item wherever it lives now
                _check_index_link(record.file, start + number, found[0], by_index, published, problems)
                continue
            name = local_file(destination) if image else None
            if name is not None and ".." not in name.split("/") and not name.split("/")[-1].startswith("."):
                continue                  # beside the record: checked (and copied) by content.py
            target = _site_path(destination, here, config.base_url, base_path)
            if target is None:
                continue
            path = unquote(target)
            line = start + number
            shown = destination if len(destination) <= 80 else destination[:77] + "…"
            if path.split("/")[1].lower() in GENERATED and path.split("/")[1].lower() not in ("index.html",):
                continue                  # /static/…, /feed.xml, /search/ …: the generator's own
            if path in ("/", "/index.html"):
                continue
            folder = path if path.endswith("/") else (path[:-len("index.html")] if path.endswith("/index.html")
                                                      else path + "/")
            if folder in dirs or path in files:
                owner = dirs.get(folder) or files.get(path)
                if owner is not None and hasattr(owner, "index_no") and owner.file not in published:
                    problems.warn(record.file, line, "body", f"链接“{shown}”指向暂不公开的条目 {owner.file}，"
                                  "读者现在打开会看到 404 页面。", "请确认该条目公开后再链接，或删去链接。")
                continue
            if _category_page(folder, config):
                continue
            hint = "请核对网址：链接到条目请写它的网址（如 ../../0204/2026-00001/），链接到附件请先把文件列入 attachments。"
            name = local_file(destination)
            if name is not None and (config.root / PurePosixPath(record.file).parent / name).is_file():
                hint = f"文件“{name}”在条目旁边，但没有列入 attachments，不会被发布。请把它加入 attachments。"
            problems.error(record.file, line, "body", f"正文中的链接“{shown}”指向不存在的页面或文件（{path}）。", hint)


def _check_index_link(file: str, line: int, number: str, by_index: dict, published: set, problems: Problems) -> None:
    owner = by_index.get(number)
    if owner is None:
        problems.error(file, line, "body", f"正文中的链接指向索引号 {number}，但没有条目使用这个索引号。",
                       "请核对索引号（在条目的 index_no 中），或改为链接到网址。")
    elif owner.file not in published:
        problems.warn(file, line, "body", f"链接“索引号:{number}”指向暂不公开的条目 {owner.file}，"
                      "该条目公开前，链接只显示为文字。", "请确认该条目公开后再链接，或删去链接。")


def _site_path(destination: str, here: str, base_url: str, base_path: str) -> Optional[str]:
    """The site path ("/0204/x/") a body link names, or None when it leaves the site (another
    host, mailto:, an anchor on the same page)."""
    if not destination or destination.startswith(("#", "?")):
        return None
    if destination.startswith(base_url):
        destination = "/" + destination[len(base_url):]
    elif ":" in destination.split("/")[0] or destination.startswith("//"):
        return None                       # http:, mailto:, tel: … elsewhere
    elif destination.startswith("/"):
        if base_path not in ("", "/"):
            prefix = base_path if base_path.endswith("/") else base_path + "/"
            if not destination.startswith(prefix):
                return None               # elsewhere on the host (the portal)
            destination = "/" + destination[len(prefix):]
    path = re.split(r"[?#]", destination, maxsplit=1)[0]
    if not path:
        return None
    if not path.startswith("/"):
        path = posixpath.join(here, path)
    trailing = path.endswith("/") or path.endswith("/.") or path.endswith("/..")
    path = posixpath.normpath(path)
    if path.startswith("//"):
        path = path[1:]
    return path if path == "/" else path + ("/" if trailing else "")


def _category_page(folder: str, config) -> bool:
    """/<category path>/page/<n>/: a listing's further pages."""
    found = re.fullmatch(r"(/.+/)page/\d+/", folder)
    return bool(found) and any(found.group(1) == f"/{c.path}/" for c in config.categories.values())
