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


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("target", ["website", "intranet", "kiosk"])
def test_chrome_fragments_rendered_once_per_folder_are_the_page_by_page_bytes(tmp_path, cli, golden_copy,
                                                                               monkeypatch, target):
    """A site theme's fragment asking every question `here` answers, linking into folders of pages (where a
    rendering must not be reused for the folder's own page): the same bytes as rendering it for each page."""
    from generator import render
    templates = golden_copy / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "_footer.html").write_text(
        (render.Path(render.__file__).parent.parent / "themes/default/templates/_footer.html").read_text() +
        '<p>{{ url("/quanli/xuke/") }} {{ url("/quanli/xuke/2026-00001/") }} {{ url("/departments/fagui/") }}'
        ' {{ here.at("/") }} {{ here.within("/quanli/") }} {{ here.at_any(["/404.html", "/search/"]) }}</p>\n',
        encoding="utf-8")
    made = []
    original = render.Chrome.__call__

    def counted(self, ctx, name):
        made.append(self.rendered)
        return original(self, ctx, name)
    monkeypatch.setattr(render.Chrome, "__call__", counted)
    args = ("build", "--site", golden_copy, "--now", NOW, "--target", target, "--quiet", "--no-cache", "--jobs", "1")
    assert cli(*args, "--out", tmp_path / "once").code == 0
    if target == "kiosk":
        assert not made                     # the kiosk's own frame renders everything per page
    else:
        assert made[-1] < len(made) * 0.8    # renderings < calls, even on this small site
    monkeypatch.setattr(render.Chrome, "MAX_VARIANTS", 0)       # nothing kept: every page renders its own
    assert cli(*args, "--out", tmp_path / "each").code == 0
    once, each = _tree(tmp_path / "once"), _tree(tmp_path / "each")
    assert once.keys() == each.keys()
    assert [p for p in once if once[p] != each[p]] == []
    if target != "kiosk":
        page = once["quanli/xuke/2026-00002/index.html"].decode()
        assert "<p>../ ../2026-00001/ ../../../departments/fagui/ False True False</p>" in page


def test_a_chrome_fragment_cannot_see_the_page_url(tmp_path, cli, golden_copy):
    templates = golden_copy / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "_footer.html").write_text("<footer>{{ page_url }}</footer>\n", encoding="utf-8")
    run = cli("build", "--site", golden_copy, "--now", NOW, "--out", tmp_path / "o", "--quiet", "--jobs", "1")
    assert run.code != 0 and "page_url" in run.err
