"""Links that stay valid (issue 17 §3): the record of published URLs, redirect pages at old addresses,
aliases, disappeared addresses reported with their reason, links and images in bodies."""
import json
from pathlib import Path

from generator.catalogue import build_catalogue
from generator.clock import parse_now
from generator.config import load_config
from generator.content import load_content
from generator.pipeline import plan_target
from generator.render import RenderCache, Renderer
from generator.targets import for_plan
from support import NOW

ITEM = "content/fagui/xuke-2.md"
OLD = "quanli/xuke/2026-00002"


def _edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _line(site: Path, rel: str, needle: str) -> int:
    lines = (site / rel).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _record(cli, site: Path) -> dict:
    run = cli("check", "--site", site, "--now", NOW, "--record-urls")
    assert run.code == 0, run.err
    return json.loads((site / "urls.lock.json").read_text(encoding="utf-8"))


def _build(cli, site: Path, out: Path, target: str = "website"):
    run = cli("build", "--site", site, "--now", NOW, "--target", target, "--out", out)
    assert run.code == 0, run.err
    return run


def test_the_record_lists_every_published_address_per_target(golden_copy, cli):
    record = _record(cli, golden_copy)
    website = record["targets"]["website"]
    assert website[f"/{OLD}/"] == {"file": ITEM, "index_no": "014000184/2026-00002"}
    assert "/guide/" in website
    assert "/neiwu/renmian/2026-00010/" in record["targets"]["intranet"]       # internal: intranet only
    assert "/neiwu/renmian/2026-00010/" not in website
    assert not any("future" in e["file"] or "draft" in e["file"] for e in website.values())
    before = (golden_copy / "urls.lock.json").read_bytes()
    _record(cli, golden_copy)
    assert (golden_copy / "urls.lock.json").read_bytes() == before          # deterministic


def test_a_changed_slug_leaves_a_redirect_at_the_old_address(golden_copy, tmp_path, cli):
    _record(cli, golden_copy)
    _edit(golden_copy, ITEM, "review: collective", "review: collective\nslug: xingshi-pizhun")
    out = tmp_path / "out"
    run = _build(cli, golden_copy, out)
    assert "不再存在" not in run.err
    page = (out / OLD / "index.html").read_text(encoding="utf-8")
    assert '<meta http-equiv="refresh" content="0; url=../xingshi-pizhun/">' in page
    assert '<link rel="canonical" href="https://zwgk.example.gov.cn/zj/quanli/xuke/xingshi-pizhun/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<a href="../xingshi-pizhun/">计量器具型式批准决定 &lt;第2号&gt;</a>' in page
    assert (out / "quanli/xuke/xingshi-pizhun/index.html").is_file()
    redirects = json.loads((out / "redirects.json").read_text(encoding="utf-8"))
    assert redirects == {"base": "/zj/", "redirects": {f"/{OLD}/": "/quanli/xuke/xingshi-pizhun/"}}
    nginx = (out / "redirects.map").read_text(encoding="utf-8")
    assert f'"/zj/{OLD}/" "/zj/quanli/xuke/xingshi-pizhun/";' in nginx
    assert f'"/zj/{OLD}/index.html" "/zj/quanli/xuke/xingshi-pizhun/";' in nginx
    # the kiosk: a plain relative link that file:// opens, no refresh, nothing absolute
    kiosk = tmp_path / "kiosk"
    _build(cli, golden_copy, kiosk, "kiosk")
    page = (kiosk / OLD / "index.html").read_text(encoding="utf-8")
    assert 'href="../xingshi-pizhun/index.html"' in page
    assert "refresh" not in page and "https://" not in page
    assert not (kiosk / "redirects.json").exists()
    # recording again keeps the old address: it still redirects
    record = _record(cli, golden_copy)
    assert f"/{OLD}/" in record["targets"]["website"] and "/quanli/xuke/xingshi-pizhun/" in record["targets"]["website"]


def test_a_changed_category_and_index_no_redirect_too(golden_copy, tmp_path, cli):
    _record(cli, golden_copy)
    _edit(golden_copy, ITEM, 'index_no: "014000184/2026-00002"', 'index_no: "014000184/2026-00022"')
    _edit(golden_copy, "content/fagui/xuke-3.md", 'category: "0204"', 'category: "0205"')
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    redirects = json.loads((out / "redirects.json").read_text(encoding="utf-8"))["redirects"]
    assert redirects[f"/{OLD}/"] == "/quanli/xuke/2026-00022/"                 # found by its file
    assert redirects["/quanli/xuke/2026-00003/"].endswith("/2026-00003/")      # found by its 索引号
    assert redirects["/quanli/xuke/2026-00003/"] != "/quanli/xuke/2026-00003/"


def test_aliases_redirect_and_are_checked(golden_copy, tmp_path, cli):
    _edit(golden_copy, ITEM, "review: collective", "review: collective\naliases: [/old/xuke-2/, /quanli/xuke/2026-00001/]")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = _line(golden_copy, ITEM, "aliases:")
    assert run.code == 1
    assert f"{ITEM}:{line}: aliases: 旧网址 /quanli/xuke/2026-00001/ 现在是条目 content/fagui/xuke-1.md的网址" in run.err
    _edit(golden_copy, ITEM, ", /quanli/xuke/2026-00001/]", ", https://example.com/a/, /search/]")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert f"{ITEM}:{line}: aliases: 旧网址“https://example.com/a/”不是本站的网址路径。" in run.err
    _edit(golden_copy, ITEM, ", https://example.com/a/, /search/]", "]")
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    page = (out / "old/xuke-2/index.html").read_text(encoding="utf-8")
    assert 'url=../../quanli/xuke/2026-00002/' in page


def test_an_alias_on_a_generated_name_is_an_error(golden_copy, cli):
    _edit(golden_copy, ITEM, "review: collective", "review: collective\naliases:\n  - /old/a/\n  - /search/")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = _line(golden_copy, ITEM, "- /search/")
    assert run.code == 1 and f"{ITEM}:{line}: aliases: 旧网址 /search/ 现在是生成器的搜索页的网址" in run.err


def test_a_disappeared_address_is_reported_with_its_reason(golden_copy, tmp_path, cli):
    _record(cli, golden_copy)
    _edit(golden_copy, ITEM, "status: approved", "status: withdrawn")
    (golden_copy / "content/fagui/xuke-3.md").unlink()
    lines = (golden_copy / "urls.lock.json").read_text(encoding="utf-8").split("\n")
    at = {u: next(i for i, l in enumerate(lines, 1) if f'"{u}"' in l and i > lines.index('  "website": {'))
          for u in (f"/{OLD}/", "/quanli/xuke/2026-00003/")}
    run = _build(cli, golden_copy, tmp_path / "out")
    assert (f"警告：urls.lock.json:{at[f'/{OLD}/']}: 网址 /{OLD}/（website）不再存在：索引号 014000184/2026-00002"
            f"（{ITEM}），条目 {ITEM} 暂不公开（已撤回）。") in run.err
    assert (f"警告：urls.lock.json:{at['/quanli/xuke/2026-00003/']}: 网址 /quanli/xuke/2026-00003/（website）不再存在："
            "索引号 014000184/2026-00003（content/fagui/xuke-3.md），文件已删除或改名，且索引号不再使用。") in run.err
    assert not (tmp_path / "out" / OLD).exists()
    check = cli("check", "--site", golden_copy, "--now", NOW)
    assert check.code == 0 and "（website）不再存在" in check.err and "（kiosk）不再存在" in check.err
    # recording is the acknowledgement: the addresses leave the record, the warnings stop
    _record(cli, golden_copy)
    assert "不再存在" not in cli("check", "--site", golden_copy, "--now", NOW).err


def test_the_record_is_not_updated_while_there_are_errors(golden_copy, cli):
    _edit(golden_copy, ITEM, "status: approved", "status: approvedd")
    run = cli("check", "--site", golden_copy, "--now", NOW, "--record-urls")
    assert run.code == 1 and "未更新 urls.lock.json" in run.err
    assert not (golden_copy / "urls.lock.json").exists()


def test_links_in_bodies_are_checked_at_their_line(golden_copy, cli):
    body = ("\n\n见[同类决定](../2026-00001/)与[附件](../2026-00001/xuke-1-jueding.csv)，"
            "[指南](/zj/guide/)、[网址](https://zwgk.example.gov.cn/zj/quanli/xuke/)、[外站](https://www.gov.cn/)。\n\n"
            "`[代码](nowhere/)` 不算。\n\n[坏链接](../2026-09999/)\n\n"
            "另一个：[坏的](https://zwgk.example.gov.cn/zj/quanli/nothere/ \"标题\")\n\n"
            "[未列出的附件](plan.pdf)\n")
    (golden_copy / "content/fagui/plan.pdf").write_bytes(b"%PDF-1.4")
    path = golden_copy / ITEM
    path.write_text(path.read_text(encoding="utf-8") + body, encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    broken = _line(golden_copy, ITEM, "[坏链接]")
    assert f"{ITEM}:{broken}: body: 正文中的链接“../2026-09999/”指向不存在的页面或文件（/quanli/xuke/2026-09999/）。" in run.err
    other = _line(golden_copy, ITEM, "[坏的]")
    assert f"{ITEM}:{other}: body: 正文中的链接“https://zwgk.example.gov.cn/zj/quanli/nothere/”" in run.err
    unlisted = _line(golden_copy, ITEM, "[未列出的附件]")
    assert f"{ITEM}:{unlisted}: body: 正文中的链接“plan.pdf”" in run.err and "没有列入 attachments" in run.err
    errors = [l for l in run.err.split("\n") if l.startswith(ITEM)]
    assert len(errors) == 3, errors
    assert "nowhere" not in run.err and "gov.cn/）" not in run.err


def test_a_link_to_a_held_back_item_is_a_warning(golden_copy, cli):
    future = next(l for l in (golden_copy / "content/fagui/future.md").read_text(encoding="utf-8").split("\n")
                  if l.startswith("index_no:")).split("/")[-1].strip('"')
    path = golden_copy / ITEM
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n[即将发布](../{future}/)\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = _line(golden_copy, ITEM, "[即将发布]")
    assert run.code == 0
    assert f"警告：{ITEM}:{line}: body: 链接“../{future}/”指向暂不公开的条目 content/fagui/future.md" in run.err


def test_images_in_bodies_are_copied_and_checked(golden_copy, tmp_path, cli):
    (golden_copy / "content/fagui/img").mkdir()
    (golden_copy / "content/fagui/img/plan.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    path = golden_copy / ITEM
    path.write_text(path.read_text(encoding="utf-8") + "\n\n![平面图](img/plan.png)\n", encoding="utf-8")
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    assert (out / OLD / "img/plan.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert '<img src="img/plan.png" alt="平面图"' in (out / OLD / "index.html").read_text(encoding="utf-8")
    kiosk = tmp_path / "kiosk"
    _build(cli, golden_copy, kiosk, "kiosk")
    assert (kiosk / OLD / "img/plan.png").is_file()            # the kiosk keeps images
    path.write_text(path.read_text(encoding="utf-8") + "\n![缺失](img/missing.png)\n", encoding="utf-8")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    line = _line(golden_copy, ITEM, "![缺失]")
    assert run.code == 1 and f"{ITEM}:{line}: body: 找不到正文中的图片“img/missing.png”。" in run.err


def test_a_fixed_page_keeps_its_old_address_too(golden_copy, tmp_path, cli):
    page = golden_copy / "content/pages/apply.md"
    page.write_text("---\ntitle: 依申请公开须知\nslug: apply\n---\n\n申请须知。\n", encoding="utf-8")
    _record(cli, golden_copy)
    page.write_text("---\ntitle: 依申请公开须知\nslug: yishenqing\naliases: [/old-apply/]\n---\n\n申请须知。\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    redirects = json.loads((out / "redirects.json").read_text(encoding="utf-8"))["redirects"]
    assert redirects == {"/apply/": "/yishenqing/", "/old-apply/": "/yishenqing/"}
    assert 'url=../yishenqing/' in (out / "apply/index.html").read_text(encoding="utf-8")


# --- links by 索引号 ------------------------------------------------------------------------------------

BY_INDEX = ("\n\n见[同类决定](索引号:014000184/2026-00001)与[其附件说明](index:014000184/2026-00001#fj)。\n\n"
            "[即将发布的决定](索引号:014000184/2026-00007)，[内部通知](索引号:014000184/2026-00010)，"
            "[全角冒号](索引号：014000184/2026-00001)。\n")


def _append(site: Path, rel: str, text: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_a_link_by_index_no_gets_the_items_address_on_each_target(golden_copy, tmp_path, cli):
    _append(golden_copy, ITEM, BY_INDEX)
    _append(golden_copy, "content/pages/guide.md", "\n\n[许可决定](索引号:014000184/2026-00001)\n")
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    page = (out / OLD / "index.html").read_text(encoding="utf-8")
    assert '<a href="../2026-00001/">同类决定</a>' in page
    assert '<a href="../2026-00001/#fj">其附件说明</a>' in page
    assert '<a href="../2026-00001/">全角冒号</a>' in page
    # held back (future) and internal: their words, never a dead link, their address or their title
    assert '<span class="unlinked">即将发布的决定</span>' in page
    assert '<span class="unlinked">内部通知</span>' in page
    assert "2026-00007/" not in page and "2026-00010/" not in page and "定时发布条目" not in page
    assert "内部干部任免通知" not in page and "索引号:" not in page and "%E7%B4%A2" not in page
    guide = (out / "guide/index.html").read_text(encoding="utf-8")
    assert '<a href="../quanli/xuke/2026-00001/">许可决定</a>' in guide
    intranet = tmp_path / "intranet"
    _build(cli, golden_copy, intranet, "intranet")
    page = (intranet / OLD / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../../neiwu/renmian/2026-00010/">内部通知</a>' in page
    kiosk = tmp_path / "kiosk"
    _build(cli, golden_copy, kiosk, "kiosk")
    page = (kiosk / OLD / "index.html").read_text(encoding="utf-8")
    assert '<a href="../2026-00001/index.html">同类决定</a>' in page
    assert '<a href="../2026-00001/index.html#fj">其附件说明</a>' in page
    assert '<span class="unlinked">即将发布的决定</span>' in page and "2026-00007/" not in page


def test_index_no_links_are_checked_at_their_line(golden_copy, cli):
    _append(golden_copy, ITEM, BY_INDEX + "\n[写错的](索引号:014000184/2026-09999)\n")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    wrong = _line(golden_copy, ITEM, "[写错的]")
    assert (f"{ITEM}:{wrong}: body: 正文中的链接指向索引号 014000184/2026-09999，但没有条目使用这个索引号。") in run.err
    held = _line(golden_copy, ITEM, "[即将发布的决定]")
    assert (f"警告：{ITEM}:{held}: body: 链接“索引号:014000184/2026-00007”指向暂不公开的条目 "
            "content/fagui/future.md") in run.err
    assert "2026-00001" not in run.err and "2026-00010" not in run.err     # published somewhere: fine
    errors = [l for l in run.err.split("\n") if l.startswith(ITEM)]
    assert len(errors) == 1, errors


CHUFA = "content/fagui/chufa-1.md"                   # 0205: not a neighbour of ITEM (0204)
MOVING = "\n\n见[处罚决定](索引号:014000184/2025-00011)。\n"


def test_a_moved_item_renders_again_the_pages_linking_to_it_by_index_no(golden_copy, tmp_path, cli):
    """The linking page's render key holds the linked item's address: a build reusing the previous
    output (and the preview's cache) must not keep the old link. The linked item is in another
    category: nothing else of the linking page (its neighbours) names it."""
    _append(golden_copy, ITEM, MOVING)
    out = tmp_path / "out"
    _build(cli, golden_copy, out)
    page = out / OLD / "index.html"
    assert '<a href="../../xingzhengchufa/2025-00011/">处罚决定</a>' in page.read_text(encoding="utf-8")
    _edit(golden_copy, CHUFA, "status: approved", "status: approved\nslug: dianqi")
    _build(cli, golden_copy, out)
    assert '<a href="../../xingzhengchufa/dianqi/">处罚决定</a>' in page.read_text(encoding="utf-8")
    _edit(golden_copy, CHUFA, "status: approved", "status: withdrawn")
    _build(cli, golden_copy, out)
    assert '<span class="unlinked">处罚决定</span>' in page.read_text(encoding="utf-8")


def test_the_preview_cache_follows_a_moved_item_too(golden_copy):
    _append(golden_copy, ITEM, MOVING)
    cache = RenderCache()

    def render():
        config = load_config(golden_copy)
        plan = plan_target(config, load_content(config), "website", parse_now(NOW, config.tz))
        catalogue = build_catalogue(config, "website", plan.published, plan.pages)
        files = Renderer(catalogue, for_plan(plan), cache=cache).render_all().files
        return files[f"{OLD}/index.html"].decode("utf-8")

    assert '<a href="../../xingzhengchufa/2025-00011/">处罚决定</a>' in render()
    _edit(golden_copy, CHUFA, "status: approved", "status: approved\nslug: dianqi")
    assert '<a href="../../xingzhengchufa/dianqi/">处罚决定</a>' in render()
