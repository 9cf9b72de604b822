"""Contrast of the default theme's palette (WCAG 2.x relative luminance), read from the CSS custom
properties of themes/default/static/site.css: the standard palette (:root) and the high-contrast one of
长者模式 (html.elder). The pairs the theme puts together are listed in the CSS's CONTRAST PAIRS comment,
and every colour in the theme's stylesheets must be one of those properties, so no colour escapes.

Minimums: text 4.5:1 (WCAG AA, GB/T 37668-2019 ~ 1.4.3) in both palettes, 7:1 (AAA) for every text pair
of 长者模式; non-text (borders, focus ring) 3:1. The table is printed and kept in test-artifacts/contrast.md."""
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
