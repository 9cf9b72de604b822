"""Contrast of the default theme's palette (WCAG 2.x relative luminance), read from the CSS custom
properties of themes/default/static/site.css: the standard palette (:root) and the high-contrast one of
长者模式 (html.elder). The pairs the theme puts together are listed in the CSS's CONTRAST PAIRS comment,
and every colour in the theme's stylesheets must be one of those properties, so no colour escapes.

Minimums: text 4.5:1 (WCAG AA, GB/T 37668-2019 ~ 1.4.3) in both palettes, 7:1 (AAA) for every text pair
of 长者模式; non-text (borders, focus ring) 3:1. The table is printed and kept in test-artifacts/contrast.md.

The second half checks the states (:hover, :focus-visible, :active, :visited) of every link and button of
the built website (both palettes) and kiosk against the stylesheets, element by element (see below)."""
import re

from support import ARTIFACTS, ROOT

STATIC = ROOT / "themes" / "default" / "static"
CSS = (STATIC / "site.css").read_text(encoding="utf-8")
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(|(?<![\w-])(?:white|black|red|blue|gray|grey|yellow)(?![\w-])")


def block(selector: str) -> dict[str, str]:
    """The custom properties declared in the first `selector { … }` of site.css."""
    body = re.search(re.escape(selector) + r"\s*\{(.*?)\n\}", CSS, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    return dict(re.findall(r"--([a-z-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", body))


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def pairs() -> list[tuple[str, str, float]]:
    comment = re.search(r"/\* CONTRAST PAIRS.*?:(.*?)\*/", CSS, re.S).group(1)
    return [(fg, bg, float(minimum)) for fg, bg, minimum in re.findall(r"([a-z-]+)/([a-z-]+) ([\d.]+)", comment)]


def test_ratio_matches_known_values():
    assert round(ratio("#000000", "#ffffff"), 2) == 21.0
    assert round(ratio("#777777", "#ffffff"), 2) == 4.48            # the classic just-fails-AA grey
    assert round(ratio("#767676", "#ffffff"), 2) == 4.54            # the lightest grey that passes


def test_palettes_meet_their_minimums():
    standard, elder = block(":root"), block("html.elder")
    assert set(elder) == set(standard), set(standard) ^ set(elder)   # 长者模式 redefines every colour
    listed = pairs()
    assert len(listed) >= 20
    used = {name for fg, bg, _ in listed for name in (fg, bg)}
    assert used <= set(standard), used - set(standard)
    lines = ["| pair (foreground / background) | minimum | standard | 长者模式 (AAA for text) |",
             "|---|---|---|---|"]
    failures = []
    for fg, bg, minimum in listed:
        a, b = ratio(standard[fg], standard[bg]), ratio(elder[fg], elder[bg])
        elder_minimum = 7.0 if minimum >= 4.5 else minimum
        lines.append(f"| {fg} {standard[fg]} / {bg} {standard[bg]} | {minimum:g} | {a:.2f} | "
                     f"{b:.2f} ({elder[fg]} / {elder[bg]}) |")
        if a < minimum:
            failures.append(f"standard {fg}/{bg}: {a:.2f} < {minimum}")
        if b < elder_minimum:
            failures.append(f"长者模式 {fg}/{bg}: {b:.2f} < {elder_minimum}")
    table = "\n".join(lines)
    print("\n" + table)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "contrast.md").write_text("# Contrast of the default theme's palette\n\n" + table + "\n",
                                           encoding="utf-8")
    assert failures == []


def test_every_colour_of_the_theme_is_a_palette_property():
    """Outside the two palette blocks no stylesheet of the website theme names a colour of its own."""
    for name in ("site.css", "search.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        if name == "site.css":
            text = text.replace(re.search(r":root\s*\{.*?\n\}", text, re.S).group(0), "")
            text = text.replace(re.search(r"html\.elder\s*\{.*?\n\}", text, re.S).group(0), "")
        text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
        assert COLOUR.findall(text) == [], name


# ---------------------------------------------------------------- states: hover, focus, active, visited
#
# The palette pairs above say nothing of what a state rule does to an element that sits elsewhere:
# `a:hover { color: brand-dark }` once turned the masthead's title (white on 政务蓝) dark blue on blue,
# 1.5:1. So the pages themselves are built (website and kiosk, with search results as their scripts
# write them) and, for every link and button, in every state (none, :hover, :focus-visible, :active,
# :visited) and palette, the colour of each piece of its text and the background behind it are worked
# out from the stylesheets by a small cascade (selector matching, specificity, inheritance, alpha
# blending); text needs 4.5:1 (7:1 in 长者模式), the focus ring (outline or halo) 3:1 against what is
# around it. Disabled controls are exempt (WCAG 1.4.3). A selector this cascade cannot read fails the
# test rather than being skipped.

from html.parser import HTMLParser  # noqa: E402

import pytest  # noqa: E402

from support import GOLDEN_SITE, NOW  # noqa: E402

KIOSK_CSS = (ROOT / "themes" / "default" / "kiosk-static" / "kiosk.css").read_text(encoding="utf-8")
STATES = ("", "hover", "focus-visible", "active", "visited")
COLOUR_PROPS = ("color", "background", "background-color", "outline", "outline-color", "box-shadow")
WEBSITE_PAGES = ("index.html", "quanli/xuke/index.html", "quanli/xuke/2026-00001/index.html", "search/index.html",
                 "departments/fagui/index.html", "404.html")
KIOSK_PAGES = ("index.html", "quanli/xuke/index.html", "quanli/xuke/2026-00001/index.html", "search/index.html")
# what the pages' scripts add: search.js's results and pager, kiosk.js's result rows
WEBSITE_RESULTS = ('<ol id="search-results" class="results"></ol>',
                   '<ol id="search-results" class="results"><li><h2><a href="x/">标题</a></h2>'
                   '<p class="result-meta"><span>行政许可</span></p><p class="excerpt">正文<mark>许可</mark></p></li></ol>')
WEBSITE_PAGER = ('<nav class="pager" id="search-pager" aria-label="搜索结果分页" hidden></nav>',
                 '<nav class="pager" id="search-pager"><button type="button">上一页</button>'
                 '<button type="button" aria-current="page">1</button><button type="button">2</button>'
                 '<button type="button" disabled>下一页</button></nav>')
KIOSK_RESULTS = ('<ol class="rows" id="results"></ol>',
                 '<ol class="rows" id="results"><li><a class="row" href="x/index.html"><span class="row-title">标题</span>'
                 '<span class="row-meta"><span>行政许可</span></span></a></li></ol>')


class Unsupported(Exception):
    pass


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.parent, self.children, self.text = tag, parent, [], ""
        self.attrs = {k: (v if v is not None else "") for k, v in attrs}
        self.classes = set(self.attrs.get("class", "").split())
        self.prev = parent.children[-1] if parent is not None and parent.children else None
        if parent is not None:
            parent.children.append(self)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self):
        ident = ("#" + self.attrs["id"]) if "id" in self.attrs else ""
        return f"{self.tag}{ident}{''.join('.' + c for c in sorted(self.classes))}"


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Tree(HTMLParser):
    def __init__(self, html_class=""):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.at = self.root
        self.html_class = html_class

    def handle_starttag(self, tag, attrs):
        if tag == "html" and self.html_class:
            attrs = [(k, v) for k, v in attrs if k != "class"] + [("class", self.html_class)]
        node = Node(tag, attrs, self.at)
        if tag not in VOID:
            self.at = node

    def handle_startendtag(self, tag, attrs):
        Node(tag, attrs, self.at)

    def handle_endtag(self, tag):
        node = self.at
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.at = node.parent

    def handle_data(self, data):
        self.at.text += data


def split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "([" and 1 or (ch in ")]" and -1 or 0)
        if ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def css_rules(css: str) -> list[tuple[str, dict]]:
    """(selector list, colour declarations) of every rule outside @media print, in order."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    rules, i = [], 0

    def block_end(start):
        depth = 0
        for j in range(start, len(css)):
            depth += (css[j] == "{") - (css[j] == "}")
            if depth == 0:
                return j
        return len(css)

    def parse(start, end):
        i = start
        while i < end:
            brace = css.find("{", i, end)
            if brace < 0:
                return
            prelude = css[i:brace].strip()
            close = block_end(brace)
            if prelude.startswith("@"):
                if prelude.startswith("@media") and "print" not in prelude:
                    parse(brace + 1, close)
            else:
                decls = {}
                for decl in css[brace + 1:close].split(";"):
                    name, _, value = decl.partition(":")
                    if name.strip() in COLOUR_PROPS:
                        decls[name.strip()] = value.replace("!important", "").strip()
                if decls:
                    rules.append((prelude, decls))
            i = close + 1

    parse(0, len(css))
    return rules


COMPOUND = re.compile(r"""(\*|[a-zA-Z][\w-]*)|(\#[\w-]+)|(\.[\w-]+)|(\[[^\]]+\])|(::?[\w-]+(?:\((?:[^()]|\([^()]*\))*\))?)""")


def parse_selector(selector: str):
    """A complex selector as [(combinator, [simple …]), …] from left to right; specificity (a, b, c)."""
    parts, spec, combinator, i = [], [0, 0, 0], " ", 0
    selector = selector.strip()
    while i < len(selector):
        if selector[i] in " >+~":
            j = i
            while j < len(selector) and selector[j] in " >+~":
                j += 1
            combinator = selector[i:j].strip() or " "
            i = j
            continue
        simples = []
        while i < len(selector) and selector[i] not in " >+~":
            m = COMPOUND.match(selector, i)
            if not m:
                raise Unsupported(selector)
            token = m.group(0)
            if token.startswith("::"):
                return None, None                                 # a pseudo-element: generated content, not here
            if token.startswith(":"):
                name, _, arg = token[1:].partition("(")
                if name in ("not", "is", "where"):
                    inner = [parse_selector(s) for s in split_top(arg[:-1])]
                    if any(p is None for p, _ in inner):
                        raise Unsupported(selector)
                    if name != "where":
                        best = max(s for _, s in inner)
                        spec = [a + b for a, b in zip(spec, best)]
                    simples.append((name, [p for p, _ in inner]))
                elif name in ("hover", "focus", "focus-visible", "focus-within", "active", "visited", "link",
                              "disabled", "empty", "root"):
                    spec[1] += 1
                    simples.append(("pseudo", name))
                else:
                    raise Unsupported(selector)
            elif token.startswith("#"):
                spec[0] += 1
                simples.append(("id", token[1:]))
            elif token.startswith("."):
                spec[1] += 1
                simples.append(("class", token[1:]))
            elif token.startswith("["):
                spec[1] += 1
                m2 = re.fullmatch(r"\[\s*([\w-]+)\s*(?:=\s*\"?([^\"\]]*)\"?)?\s*\]", token)
                if not m2:
                    raise Unsupported(selector)
                simples.append(("attr", (m2.group(1), m2.group(2))))
            elif token != "*":
                spec[2] += 1
                simples.append(("tag", token.lower()))
            i = m.end()
        parts.append((combinator, simples))
        combinator = " "
    return parts, tuple(spec)


def matches_compound(node, simples, target, states) -> bool:
    for kind, value in simples:
        if kind == "tag" and node.tag != value:
            return False
        if kind == "id" and node.attrs.get("id") != value:
            return False
        if kind == "class" and value not in node.classes:
            return False
        if kind == "attr" and (value[0] not in node.attrs or (value[1] is not None and node.attrs[value[0]] != value[1])):
            return False
        if kind == "not" and any(matches(node, p, target, states) for p in value):
            return False
        if kind == "is" and not any(matches(node, p, target, states) for p in value):
            return False
        if kind == "pseudo":
            on_path = node is target or node in list(target.ancestors())
            if value in ("hover", "active") and not (value in states and on_path):
                return False
            if value in ("focus", "focus-visible") and not ("focus-visible" in states and node is target):
                return False
            if value == "focus-within" and not ("focus-visible" in states and on_path):
                return False
            if value in ("visited", "link"):
                link = node.tag == "a" and "href" in node.attrs
                if not link or (value == "visited") != ("visited" in states and node is target):
                    return False
            if value == "disabled" and "disabled" not in node.attrs:
                return False
            if value == "empty" and (node.children or node.text.strip()):
                return False
            if value == "root" and node.tag != "html":
                return False
    return True


def matches(node, parts, target, states) -> bool:
    """Right to left, with backtracking over descendant/sibling combinators."""
    def at(node, index):
        combinator, simples = parts[index]
        if not matches_compound(node, simples, target, states):
            return False
        if index == 0:
            return True
        if combinator == ">":
            return node.parent is not None and at(node.parent, index - 1)
        if combinator == " ":
            return any(at(a, index - 1) for a in node.ancestors())
        if combinator == "+":
            return node.prev is not None and at(node.prev, index - 1)
        if combinator == "~":
            sibling = node.prev
            while sibling is not None:
                if at(sibling, index - 1):
                    return True
                sibling = sibling.prev
            return False
        raise Unsupported(combinator)
    return at(node, len(parts) - 1)


class Sheet:
    def __init__(self, css_texts: list[str], palette: dict[str, str]):
        self.palette = palette
        self.rules = []
        order = 0
        for css in css_texts:
            for selectors, decls in css_rules(css):
                for selector in split_top(selectors):
                    parts, spec = parse_selector(selector)
                    if parts is None:
                        continue
                    self.rules.append((spec, order, parts, decls, selector))
                    order += 1

    def value(self, node, prop, target, states):
        best = None
        for spec, order, parts, decls, selector in self.rules:
            names = [prop] if prop != "background" else ["background", "background-color"]
            for name in names:
                if name in decls and matches(node, parts, target, states):
                    key = (spec, order)
                    if best is None or key > best[0]:
                        best = (key, decls[name], selector)
        return best

    def colour(self, text: str):
        """(hex, alpha) of the first colour in a declaration value; None when it names none."""
        for token in re.findall(r"var\(--[\w-]+\)|#[0-9a-fA-F]{3,6}\b|rgba?\([^)]*\)|\btransparent\b|\bwhite\b|\bblack\b"
                                r"|\binherit\b|\bcurrentColor\b|\bnone\b", text):
            if token.startswith("var("):
                name = token[6:-1]
                if name not in self.palette:
                    raise Unsupported(token)
                return self.palette[name], 1.0
            if token.startswith("#"):
                h = token[1:]
                return "#" + ("".join(c * 2 for c in h) if len(h) == 3 else h).lower(), 1.0
            if token.startswith("rgb"):
                nums = [float(n) for n in re.findall(r"[\d.]+", token)]
                alpha = nums[3] if len(nums) > 3 else 1.0
                return "#%02x%02x%02x" % tuple(round(n) for n in nums[:3]), alpha
            return {"transparent": ("#000000", 0.0), "none": ("#000000", 0.0), "white": ("#ffffff", 1.0),
                    "black": ("#000000", 1.0)}.get(token, token)
        return None

    def text_colour(self, node, target, states) -> str:
        for element in [node, *node.ancestors()]:
            found = self.value(element, "color", target, states)
            if found is not None:
                colour = self.colour(found[1])
                if colour in ("inherit", None):
                    continue
                if colour == "currentColor":
                    continue
                return colour[0]
        return "#000000"

    def background(self, node, target, states) -> str:
        layers = []
        for element in [node, *node.ancestors()]:
            found = self.value(element, "background", target, states)
            colour = self.colour(found[1]) if found is not None else None
            if isinstance(colour, tuple) and colour[1] > 0:
                layers.append(colour)
                if colour[1] >= 1:
                    break
        result = "#ffffff"                                         # the canvas
        for hex_colour, alpha in reversed(layers):
            result = blend(hex_colour, alpha, result)
        return result

    def rings(self, control, states) -> list[tuple[str, str]]:
        """The focus rings drawn when `control` has focus, as (colour, what it is seen against): an outline
        or a spread box-shadow (a halo: "0 0 0 2px …") on the control, on an ancestor (:focus-within) or on
        a following sibling (input:focus-visible + *). Drop shadows are not rings."""
        following, sibling = [], None
        if control.parent is not None:
            siblings = control.parent.children
            following = siblings[siblings.index(control) + 1:]
        found = []
        for node in [control, *following, *control.ancestors()]:
            best_outline = None
            for prop in ("outline-color", "outline", "box-shadow"):
                hit = self.value(node, prop, control, states)
                if hit is None or (node is not control and ":focus" not in hit[2]):
                    continue
                if prop == "box-shadow" and not re.match(r"\s*0 0 0 \d", hit[1]):
                    continue
                colour = self.colour(hit[1])
                if not isinstance(colour, tuple) or colour[1] == 0:
                    continue
                if prop == "box-shadow":
                    found.append((colour[0], node))
                elif best_outline is None or hit[0] > best_outline[0]:
                    best_outline = (hit[0], colour[0])
            if best_outline is not None:
                found.append((best_outline[1], node))
        return [(colour, self.background(node.parent, control, states)) for colour, node in found if node.parent]


def blend(top: str, alpha: float, under: str) -> str:
    a = [int(top[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(under[i:i + 2], 16) for i in (1, 3, 5)]
    return "#%02x%02x%02x" % tuple(round(x * alpha + y * (1 - alpha)) for x, y in zip(a, b))


def controls(root):
    stack = [root]
    while stack:
        node = stack.pop()
        if (node.tag == "a" and "href" in node.attrs) or node.tag in ("button", "select", "textarea") or \
                (node.tag == "input" and node.attrs.get("type") != "hidden"):
            yield node
        stack.extend(reversed(node.children))


def texts(node):
    """The node and its descendants that hold words (not inside svg, not hidden off screen)."""
    if node.tag == "svg" or "vh" in node.classes or "hidden" in node.attrs:
        return
    if node.text.strip():
        yield node
    for child in node.children:
        yield from texts(child)


def disabled(node) -> bool:
    return any("disabled" in n.attrs or n.attrs.get("aria-disabled") == "true" for n in [node, *node.ancestors()])


@pytest.fixture(scope="module")
def built_pages(tmp_path_factory):
    from generator.cli import main
    out = tmp_path_factory.mktemp("contrast-states")
    for target in ("website", "kiosk"):
        assert main(["build", "--site", str(GOLDEN_SITE), "--target", target, "--now", NOW,
                     "--out", str(out / target), "--quiet"]) == 0
    return out


def page_html(out, target, rel) -> str:
    text = (out / target / rel).read_text(encoding="utf-8")
    for old, new in ((WEBSITE_RESULTS, WEBSITE_PAGER) if target == "website" else (KIOSK_RESULTS,)):
        text = text.replace(old, new)
    return text


def check_states(out, target, rel, sheet, html_class, text_minimum) -> tuple[list[str], int]:
    tree = Tree(html_class)
    tree.feed(page_html(out, target, rel))
    failures, checked = [], 0
    for control in controls(tree.root):
        if disabled(control):
            continue
        for state in STATES:
            if state == "visited" and control.tag != "a":
                continue
            states = {state} if state else set()
            for piece in texts(control):
                fg, bg = sheet.text_colour(piece, control, states), sheet.background(piece, control, states)
                checked += 1
                if ratio(fg, bg) < text_minimum:
                    failures.append(f"{target}/{rel} {control!r} “{piece.text.strip()[:12]}” :{state or 'normal'} "
                                    f"{fg} on {bg}: {ratio(fg, bg):.2f} < {text_minimum}")
            if state == "focus-visible":
                rings = sheet.rings(control, states)
                best = max((ratio(colour, around) for colour, around in rings), default=0)
                checked += 1
                if best < 3:
                    failures.append(f"{target}/{rel} {control!r} focus ring {rings}: {best:.2f} < 3")
    return failures, checked


def kiosk_palette() -> dict[str, str]:
    body = re.search(r":root\s*\{(.*?)\n\}", KIOSK_CSS, re.S).group(1)
    return dict(re.findall(r"--([a-z-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", re.sub(r"/\*.*?\*/", "", body, flags=re.S)))


def test_every_state_of_every_link_and_button_keeps_its_contrast(built_pages):
    search_css = (STATIC / "search.css").read_text(encoding="utf-8")
    runs = [("website", "", Sheet([CSS, search_css], block(":root")), 4.5, WEBSITE_PAGES),
            ("website", "elder", Sheet([CSS, search_css], block("html.elder")), 7.0, WEBSITE_PAGES),
            ("kiosk", "", Sheet([KIOSK_CSS], kiosk_palette()), 4.5, KIOSK_PAGES)]
    failures, checked = [], 0
    for target, html_class, sheet, minimum, pages in runs:
        for rel in pages:
            found, n = check_states(built_pages, target, rel, sheet, html_class, minimum)
            failures += [("长者模式 " if html_class else "") + f for f in found]
            checked += n
    assert checked > 1000
    assert failures == [], "\n".join(failures)


def test_the_state_check_finds_the_masthead_bug():
    """The cascade sees what a browser saw: with the old rule set, the masthead title on hover is dark
    blue on blue; a plain link on hover is fine; a focus ring of the halo colour alone on paper is not."""
    html = ('<html><body><header class="masthead"><div class="wrap"><a class="brand" href="/">'
            '<span class="brand-org">局</span></a></div></header><main class="wrap"><a href="x">链接</a>'
            '<button class="ring">按钮</button></main></body></html>')
    css = (":root {\n  --ink: #1f2329;\n}\nbody { color: var(--ink); background: var(--band); }\n"
           "a { color: var(--brand); }\na:hover { color: var(--brand-dark); }\n"
           ".masthead { background: var(--brand); color: var(--on-brand); }\n.brand { color: var(--on-brand); }\n"
           "main.wrap { background: var(--paper); }\n.ring:focus-visible { outline: 3px solid var(--focus); }\n")
    palette = block(":root")
    sheet = Sheet([css], palette)
    tree = Tree()
    tree.feed(html)
    brand, link, button = list(controls(tree.root))
    org = brand.children[0]
    assert sheet.text_colour(org, brand, set()) == palette["on-brand"]
    assert sheet.text_colour(org, brand, {"hover"}) == palette["brand-dark"]
    assert sheet.background(org, brand, {"hover"}) == palette["brand"]
    assert ratio(palette["brand-dark"], palette["brand"]) < 2
    assert sheet.text_colour(link, link, {"hover"}) == palette["brand-dark"]
    assert sheet.background(link, link, {"hover"}) == palette["paper"]
    assert sheet.rings(button, {"focus-visible"}) == [(palette["focus"], palette["paper"])]
    assert ratio(palette["focus"], palette["paper"]) < 3
    assert blend("#ffffff", 0.12, "#0a3568") == "#274d7a"          # 12 % white over 深蓝
