"""generator/render.py: where a URL's page is written, links relative from page to page (so the output
works under any base path, in the preview and from file://), short pagers, escaped templates."""
import pytest

from support import GOLDEN_SITE, NOW
from generator.output import output_path
from generator.render import pager_links, relative


@pytest.mark.parametrize("url, path", [
    ("/", "index.html"),
    ("/quanli/xuke/", "quanli/xuke/index.html"),
    ("/quanli/xuke/page/2/", "quanli/xuke/page/2/index.html"),
    ("/feed.xml", "feed.xml"),
    ("/static/badge/dzjg.png", "static/badge/dzjg.png"),
])
def test_output_path_puts_folders_in_index_html(url, path):
    assert output_path(url) == path


@pytest.mark.parametrize("here, there, link", [
    ("/", "/quanli/xuke/", "quanli/xuke/"),
    ("/quanli/xuke/", "/", "../../"),
    ("/quanli/xuke/", "/quanli/xuke/", "./"),                             # a page linking itself
    ("/quanli/xuke/", "/quanli/chufa/", "../chufa/"),                     # a sibling: up to the common folder
    ("/quanli/xuke/2026-00001/", "/static/style.css", "../../../static/style.css"),
    ("/quanli/xuke/page/2/", "/quanli/xuke/", "../../"),
    ("/feed.xml", "/quanli/", "quanli/"),                                 # from a file: its folder counts
    ("/a/b.html", "/a/c.html", "c.html"),
])
def test_links_are_relative_from_page_to_page(here, there, link):
    assert relative(here, there) == link


def test_explicit_index_links_name_the_file_for_file_urls():
    """The kiosk is opened from file://, where a folder link shows a listing, not its index.html."""
    assert relative("/quanli/xuke/", "/", explicit_index=True) == "../../index.html"
    assert relative("/quanli/xuke/", "/quanli/xuke/", explicit_index=True) == "index.html"
    assert relative("/", "/quanli/", explicit_index=True) == "quanli/index.html"
    assert relative("/", "/feed.xml", explicit_index=True) == "feed.xml"


def test_pager_links_mark_the_gaps_and_link_page_1_to_the_listing():
    assert pager_links("/a/", 1, 1) == ((1, "/a/"),)
    assert pager_links("/a/", 4, 9) == ((1, "/a/"), (2, "/a/page/2/"), (3, "/a/page/3/"), (4, "/a/page/4/"),
                                        (5, "/a/page/5/"), (6, "/a/page/6/"), (7, "/a/page/7/"),
                                        (8, "/a/page/8/"), (9, "/a/page/9/"))
    assert [n for n, _ in pager_links("/a/", 10, 20)] == [1, 2, None, 7, 8, 9, 10, 11, 12, 13, None, 19, 20]
    assert all(url is None for n, url in pager_links("/a/", 10, 20) if n is None)


def test_templates_escape_titles(tmp_path, cli):
    cli("build", "--site", GOLDEN_SITE, "--now", NOW, "--out", tmp_path / "o")
    page = (tmp_path / "o" / "quanli" / "xuke" / "2026-00002" / "index.html").read_text()
    assert "计量器具型式批准决定 &lt;第2号&gt;" in page
    body = (tmp_path / "o" / "quanli" / "xuke" / "2026-00001" / "index.html").read_text()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body


def test_pager_links_stay_few_on_long_listings():
    from generator.render import pager_links
    assert pager_links("/a/", 1, 2) == ((1, "/a/"), (2, "/a/page/2/"))
    numbers = [n for n, _ in pager_links("/a/", 50, 2693)]
    assert numbers == [1, 2, None, 47, 48, 49, 50, 51, 52, 53, None, 2692, 2693]
    assert all(len(pager_links("/a/", n, 5000)) <= 13 for n in (1, 2500, 5000))
