"""Hostile inputs against the core phases: wrong pages, paths leaving the site, names claimed twice."""
import os
from pathlib import Path

import pytest

from support import NOW


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
@pytest.mark.parametrize("cache", [True, False])
def test_every_fixed_page_shows_its_own_text(golden_copy, tmp_path, cli, target, cache):
    pages = golden_copy / "content" / "pages"
    _write(pages / "apply.md", "---\ntitle: 依申请公开\nslug: apply\n---\n\n申请须知正文。\n")
    _write(pages / "report.md", "---\ntitle: 2025年政府信息公开工作年度报告\nslug: annual-report-2025\n---\n\n年报正文。\n")
    out = tmp_path / "out"
    for _ in range(2 if cache else 1):      # the second build takes pages from the previous output
        args = ["build", "--site", golden_copy, "--now", NOW, "--target", target, "--out", out]
        assert cli(*args + ([] if cache else ["--no-cache"])).code == 0
    shown = {slug: (out / slug / "index.html").read_text(encoding="utf-8") for slug in ("guide", "apply", "annual-report-2025")}
    assert "主动公开" in shown["guide"] and "申请须知正文" not in shown["guide"]
    assert "申请须知正文" in shown["apply"] and "<h1>依申请公开" in shown["apply"].replace("\n", "")
    assert "年报正文" in shown["annual-report-2025"] and "政府信息公开指南</h1>" not in shown["annual-report-2025"]


# --- nothing outside the site is read ---------------------------------------------------------

def _attach(site: Path, name: str) -> Path:
    item = site / "content" / "fagui" / "xuke-1.md"
    item.write_text(item.read_text(encoding="utf-8").replace("attachments: [xuke-1-jueding.csv]",
                                                              f"attachments: [xuke-1-jueding.csv, {name}]"),
                    encoding="utf-8")
    return item


def _all_output(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()) if out.exists() else b""


def test_an_attachment_linked_out_of_the_site_is_refused(golden_copy, tmp_path, cli):
    secret = _write(tmp_path / "secret.pdf", "SECRET-OF-THE-BUILD-MACHINE")
    (golden_copy / "content" / "fagui" / "x.pdf").symlink_to(secret)
    _attach(golden_copy, "x.pdf")
    out = tmp_path / "out"
    check = cli("check", "--site", golden_copy, "--now", NOW)
    assert check.code == 1
    assert "content/fagui/xuke-1.md:12: attachments: 附件“x.pdf”是指向 content 文件夹之外的链接" in check.err
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 1 and b"SECRET-OF-THE-BUILD-MACHINE" not in _all_output(out)


def test_an_attachment_inside_a_linked_folder_is_refused(golden_copy, tmp_path, cli):
    outside = tmp_path / "elsewhere"
    _write(outside / "x.pdf", "SECRET")
    (golden_copy / "content" / "fagui" / "linked").symlink_to(outside, target_is_directory=True)
    _attach(golden_copy, "linked/x.pdf")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    assert "content/fagui/xuke-1.md:12: attachments: 附件“linked/x.pdf”是指向 content 文件夹之外的链接" in run.err


def test_an_item_linked_from_outside_the_site_is_not_published(golden_copy, tmp_path, cli):
    outside = _write(tmp_path / "elsewhere.md", (golden_copy / "content" / "fagui" / "xuke-2.md").read_text(
        encoding="utf-8").replace("2026-00002", "2026-00077").replace("title: ", "title: 外部文件"))
    (golden_copy / "content" / "fagui" / "linked.md").symlink_to(outside)
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 1
    assert "content/fagui/linked.md:1: 文件是指向 content 文件夹之外的链接" in run.err
    assert "外部文件".encode() not in _all_output(out)


def test_a_linked_folder_and_a_broken_link_are_named_not_dropped(golden_copy, tmp_path, cli):
    _write(tmp_path / "dept" / "a.md", "---\ntitle: 外部\n---\n")
    (golden_copy / "content" / "fagui" / "more").symlink_to(tmp_path / "dept", target_is_directory=True)
    (golden_copy / "content" / "fagui" / "gone.md").symlink_to(tmp_path / "missing.md")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    assert "content/fagui/more:1: 文件夹是链接" in run.err
    assert "content/fagui/gone.md:1: 文件是指向不存在文件的链接" in run.err


def test_a_theme_file_linked_out_of_the_theme_is_refused(golden_copy, tmp_path, cli):
    from generator.config import PROJECT_THEMES
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    _write(tmp_path / "secret.txt", "SECRET-OF-THE-BUILD-MACHINE")
    (golden_copy / "themes" / "default" / "static" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", out)
    assert run.code == 2
    assert "themes/default/static/leak.txt" in run.err and "链接" in run.err
    assert b"SECRET-OF-THE-BUILD-MACHINE" not in _all_output(out)


# --- attachments are documents, never pages ---------------------------------------------------

@pytest.mark.parametrize("name", ["index.html", "draft.md", "page.htm", "logo.svg", "feed.xml", "app.js"])
def test_an_attachment_that_is_not_a_document_is_refused(golden_copy, tmp_path, cli, name):
    _write(golden_copy / "content" / "fagui" / name, "<script>alert(1)</script>")
    _attach(golden_copy, name)
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out")
    assert run.code == 1
    assert f"content/fagui/xuke-1.md:12: attachments: 附件“{name}”不是可公开的文件类型" in run.err
    assert not (tmp_path / "out").exists()


def test_another_items_source_cannot_be_attached_through_a_link(golden_copy, tmp_path, cli):
    (golden_copy / "content" / "fagui" / "draft.pdf").symlink_to(golden_copy / "content" / "fagui" / "draft.md")
    _attach(golden_copy, "draft.pdf")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    assert "content/fagui/xuke-1.md:12: attachments: 附件“draft.pdf”不是可公开的文件类型" in run.err


# --- every URL has one owner ------------------------------------------------------------------

@pytest.mark.parametrize("slug", ["index.html", "feed.xml", "robots.txt", "sitemap.xml", "catalogue.json",
                                  "dashboard", "search", "404.html"])
def test_a_fixed_page_cannot_take_a_generated_name(golden_copy, tmp_path, cli, slug):
    _write(golden_copy / "content" / "pages" / "x.md", f"---\ntitle: 冲突\nslug: {slug}\n---\n正文\n")
    for target in ("website", "intranet", "kiosk"):
        run = cli("build", "--site", golden_copy, "--now", NOW, "--target", target, "--out", tmp_path / target)
        assert run.code == 1, (target, run.err)
        assert f"content/pages/x.md:3: slug: 网址 /{slug}/ 已被 生成器的" in run.err
        assert not (tmp_path / target).exists()


@pytest.mark.parametrize("slug", ["index.html", "page"])
def test_an_item_cannot_take_a_listing_name(golden_copy, tmp_path, cli, slug):
    item = golden_copy / "content" / "fagui" / "xuke-2.md"
    item.write_text(item.read_text(encoding="utf-8").replace("---\n\n", f"slug: {slug}\n---\n\n", 1), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out")
    assert run.code == 1
    assert f"content/fagui/xuke-2.md" in run.err and f"slug: 网址名“{slug}”" in run.err


def test_a_page_and_a_category_claiming_one_url_are_both_named(golden_copy, tmp_path, cli):
    _write(golden_copy / "content" / "pages" / "x.md", "---\ntitle: 冲突\nslug: quanli\n---\n正文\n")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out")
    assert run.code == 1
    assert "content/pages/x.md:3: slug: 网址 /quanli/ 已被 site.toml 中的分类 02“行政权力运行公开” 使用" in run.err


@pytest.mark.parametrize("slug", ["dashboard", "feed", "attachments"])
def test_a_category_cannot_take_a_generated_name(golden_copy, tmp_path, cli, slug):
    config = golden_copy / "site.toml"
    text = config.read_text(encoding="utf-8")
    assert 'slug = "quanli"' in text
    config.write_text(text.replace('slug = "quanli"', f'slug = "{slug}"', 1), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--target", "intranet", "--out", tmp_path / "out")
    if slug == "feed":
        assert run.code == 0          # "feed" is free; "feed.xml" is the file
        return
    assert run.code == 2
    assert f"“{slug}”是保留的网址" in run.err


# --- hostile front matter is a path:line error, never a traceback -------------------------------

def _item(site: Path, front: str, name: str = "hostile.md") -> Path:
    return _write(site / "content" / "fagui" / name,
                  "---\ntitle: 敌意输入\ncategory: \"0204\"\n" + front + "\n---\n\n正文。\n")


@pytest.mark.parametrize("front, where", [
    ("keywords: " + "[" * 5000 + "]" * 5000, "content/fagui/hostile.md:4: keywords: "),
    ("summary:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000)) + "  " * 3000 + "v: 1",
     "content/fagui/hostile.md:4: summary: "),
    ("keywords: &a [*a]", "content/fagui/hostile.md:4: keywords: "),
])
def test_deeply_nested_yaml_is_a_content_error(golden_copy, tmp_path, cli, front, where):
    _item(golden_copy, front)
    for command in (["check"], ["build", "--out", tmp_path / "out"]):
        run = cli(*command, "--site", golden_copy, "--now", NOW)
        assert run.code == 1, run.err
        assert where in run.err and "Traceback" not in run.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("raw", ["a\x00b", "a\x1bb", "a\x07b"])
def test_control_characters_in_front_matter_are_named(golden_copy, cli, raw):
    _item(golden_copy, f"summary: {raw}")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1 and "Traceback" not in run.err
    assert "content/fagui/hostile.md:4: " in run.err and "控制字符" in run.err


def test_escaped_control_characters_in_a_title_are_named(golden_copy, cli):
    _write(golden_copy / "content" / "fagui" / "hostile.md",
           '---\ntitle: "标题\\x1b[31m红"\ncategory: "0204"\n---\n\n正文。\n')
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    assert "content/fagui/hostile.md:2: title: " in run.err and "控制字符" in run.err


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "9999-12-31"])
@pytest.mark.parametrize("field", ["pub_date", "expiry_date"])
def test_dates_at_the_ends_of_time_are_errors_before_anything_is_written(golden_copy, tmp_path, cli, stamp, field):
    item = golden_copy / "content" / "fagui" / "xuke-2.md"
    lines = item.read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, 1) if text.startswith(field + ":"))
    lines[line - 1] = f"{field}: {stamp}"
    text = "\n".join(lines)
    item.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for target in ("website", "intranet", "kiosk"):
        run = cli("build", "--site", golden_copy, "--now", NOW, "--target", target, "--out", out,
                  "--report", tmp_path / "report.json")
        assert "Traceback" not in run.err
        assert run.code == 1, run.err
        assert f"content/fagui/xuke-2.md:{line}: {field}: " in run.err
        assert not out.exists() and not (tmp_path / "report.json").exists() or run.code == 1
    for command in (["check"], ["compliance"]):
        run = cli(*command, "--site", golden_copy, "--now", NOW)
        assert "Traceback" not in run.err and run.code in (0, 1)


# --- the parse cache reads content, not file times -----------------------------------------------

def test_a_same_size_edit_with_its_time_restored_is_seen(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    item = golden_copy / "content" / "fagui" / "xuke-2.md"
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    before = os.stat(item)
    text = item.read_text(encoding="utf-8")
    assert "型式批准决定" in text
    item.write_text(text.replace("型式批准决定", "型式核准决定"), encoding="utf-8")   # same length in UTF-8
    os.utime(item, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(item).st_size == before.st_size
    assert cli("build", "--site", golden_copy, "--now", NOW, "--out", out).code == 0
    page = (out / "quanli" / "xuke" / "2026-00002" / "index.html").read_text(encoding="utf-8")
    assert "型式核准决定" in page and "型式批准决定" not in page

# --- 更新日期 is never after the build's moment ---------------------------------------------------

def test_updated_is_never_later_than_now(golden_copy, tmp_path, cli):
    out = tmp_path / "out"
    # not in git: the default 更新日期 is the file's time, which a fresh copy makes "today"
    assert cli("build", "--site", golden_copy, "--now", "2026-03-10T08:00:00+08:00", "--out", out).code == 0
    import re
    pages = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    shown = re.findall(r"更新日期</th>\s*<td>([^<]*)", pages) + \
        re.findall(r"<lastmod>([^<]*)", (out / "sitemap.xml").read_text(encoding="utf-8"))
    assert len(shown) > 5 and max(shown) <= "2026-03-10", shown


def test_every_problem_of_a_file_is_named_in_one_run(golden_copy, cli):
    _write(golden_copy / "content" / "fagui" / "many.md",
           "---\ntitle: 多处错误\ncategory: 不存在的分类\nstatus: approved\nreview: everyone\n"
           "attachments: [missing.pdf]\n---\n\n正文。\n")
    run = cli("check", "--site", golden_copy, "--now", NOW)
    assert run.code == 1
    for expected in ("content/fagui/many.md:3: category: 未知的目录分类“不存在的分类”",
                     "content/fagui/many.md:4: pub_date: 已审核（approved）的条目缺少发布日期",
                     "content/fagui/many.md:5: review: ",
                     "content/fagui/many.md:6: attachments: 找不到附件“missing.pdf”"):
        assert expected in run.err, (expected, run.err)


@pytest.mark.parametrize("broken, expected", [
    ("{{ no_such_thing }}", "themes/default/templates/page.html:1: 模板出错"),
    ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "themes/default/templates/page.html"),
    ("{% if %}", "themes/default/templates/page.html:1: 模板语法错误"),
])
def test_a_broken_template_is_named_not_a_traceback(golden_copy, tmp_path, cli, broken, expected):
    from generator.config import PROJECT_THEMES
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    (golden_copy / "themes" / "default" / "templates" / "page.html").write_text(broken + "\n", encoding="utf-8")
    for jobs in ("1", "2"):
        run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out", "--jobs", jobs)
        assert run.code == 2 and "Traceback" not in run.err
        assert expected in run.err, run.err
        assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("front", ["attachments: [申请人13812345678.pdf]", "slug: a13812345678!",
                                   "category: 13812345678", "review: 11010519491231002X"])
def test_messages_never_quote_a_number_the_privacy_guard_would_stop(golden_copy, cli, front):
    _item(golden_copy, front)
    run = cli("check", "--site", golden_copy, "--now", NOW, "--format", "json")
    shown = run.out + run.err
    assert "content/fagui/hostile.md" in shown
    assert "13812345678" not in shown and "11010519491231002X" not in shown, shown


def test_a_kiosk_theme_file_linked_out_of_the_theme_is_refused(golden_copy, tmp_path, cli):
    from generator.config import PROJECT_THEMES
    import shutil
    shutil.copytree(PROJECT_THEMES / "default", golden_copy / "themes" / "default")
    _write(tmp_path / "secret.txt", "SECRET-OF-THE-BUILD-MACHINE")
    (golden_copy / "themes" / "default" / "kiosk-static" / "leak.txt").symlink_to(tmp_path / "secret.txt")
    out = tmp_path / "out"
    run = cli("build", "--site", golden_copy, "--now", NOW, "--target", "kiosk", "--out", out)
    assert run.code == 2
    assert "themes/default/kiosk-static/leak.txt" in run.err and "链接" in run.err
    assert b"SECRET-OF-THE-BUILD-MACHINE" not in _all_output(out)


def test_keep_going_with_a_duplicate_index_no_publishes_the_rest(golden_copy, tmp_path, cli):
    source = golden_copy / "content" / "fagui" / "xuke-2.md"
    (golden_copy / "content" / "fagui" / "xuke-2-copy.md").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "out", "--keep-going")
    assert run.code == 0 and "Traceback" not in run.err and "索引号 014000184/2026-00002 重复" in run.err   # as --keep-going promises
    assert (tmp_path / "out" / "quanli" / "xuke" / "2026-00001" / "index.html").is_file()
