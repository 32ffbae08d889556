"""Nothing clipped or hidden, on every built page in both languages, at 1280 x 900 and 390 x 844:
display equations fit their column at 1280 px and, on a phone, scroll with a visible cue at the edge
that hides content; code blocks fit at 1280 px; the copy button never covers code; the page itself
never scrolls sideways on a phone. One browser context per width, each page loaded once per width."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from tools.chromium import built_pages

WIDE, PHONE = (1280, 900), (390, 844)

# Every tab's code block is measured at the width it has when its tab is chosen.
SHOW_TABS = ".md-typeset .tabbed-block { display: block !important; }"

MEASURE = """() => {
  const overlaps = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const firstLine = code => {
    const range = document.createRange(), end = code.textContent.indexOf('\\n');
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    let seen = 0, node, last = null;
    range.setStart(code, 0);
    while ((node = walker.nextNode())) {
      last = node;
      if (end >= 0 && seen + node.length >= end) { range.setEnd(node, end - seen); return range; }
      seen += node.length;
    }
    if (last) range.setEnd(last, last.length);
    return range;
  };
  const equations = [...document.querySelectorAll('.md-typeset .katex-display')].map((box, index) => {
    const column = box.closest('.arithmatex').parentElement, style = getComputedStyle(column);
    const columnWidth = column.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const own = getComputedStyle(box), edges = box.getBoundingClientRect();
    const parts = [...box.querySelectorAll('.katex-html > *')].map(e => e.getBoundingClientRect());
    // the math reaches past the box's edges: part of it is hidden until it is scrolled
    const hides = Math.max(...parts.map(r => r.right)) > edges.right + 0.5
               || Math.min(...parts.map(r => r.left)) < edges.left - 0.5;
    return {index, tex: box.querySelector('annotation').textContent.trim().slice(0, 50),
            width: box.scrollWidth, visible: box.clientWidth, columnWidth, hides,
            overflow: own.overflowX};
  });
  const codes = [...document.querySelectorAll('.md-typeset pre > code')].map(code => {
    const pre = code.parentElement, button = pre.querySelector('.md-code__nav, .md-clipboard');
    const text = [...firstLine(code).getClientRects()].filter(r => r.width > 0);
    return {first: code.textContent.split('\\n')[0].slice(0, 50), width: code.scrollWidth, pre: pre.clientWidth,
            covered: button ? text.some(r => overlaps(r, button.getBoundingClientRect())) : false,
            hasButton: !!button};
  });
  return {equations, codes, pageWidth: document.documentElement.scrollWidth};
}"""


def edge_shades(page, index: int) -> tuple[float, float, float]:
    """The darkness (0 = page background) of the left edge, right edge and middle strip of display
    equation ``index``, drawn without its math, so only the box's own background is seen."""
    box = page.locator(".md-typeset .katex-display").nth(index)
    box.evaluate("b => b.querySelector('.katex').style.visibility = 'hidden'")
    image = Image.open(io.BytesIO(box.screenshot())).convert("L")
    box.evaluate("b => b.querySelector('.katex').style.visibility = ''")
    width, height = image.size
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    level = sum(float(v) for v in re.findall(r"[\d.]+", background)[:3]) / 3

    def shade(x0: int, x1: int) -> float:
        column = [image.getpixel((x, y)) for x in range(x0, x1) for y in range(height // 4, 3 * height // 4 + 1)]
        return abs(level - sum(column) / len(column))

    return shade(0, 2), shade(width - 2, width), shade(width // 2 - 1, width // 2 + 1)


def visit(browser, site_url: str, paths: list[str], size: tuple[int, int], cues: bool) -> dict[str, dict]:
    """Measure every page once. With ``cues``, also look at the edges of the first equation whose
    math does not fit (before and after scrolling it to its end) and of the first one that fits."""
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, is_mobile=size[0] < 500)
    page = context.new_page()
    found = {}
    for path in paths:
        page.goto(site_url + path, wait_until="load")
        page.wait_for_function("[...document.querySelectorAll('.arithmatex')].every(m => m.querySelector('.katex'))")
        page.add_style_tag(content=SHOW_TABS)
        result = page.evaluate(MEASURE)
        if cues:
            over = [e for e in result["equations"] if e["hides"]]
            fits = [e for e in result["equations"] if e["width"] <= e["visible"] + 1]
            if over:
                index = over[0]["index"]
                over[0]["shades"] = edge_shades(page, index)
                page.locator(".md-typeset .katex-display").nth(index).evaluate("b => b.scrollLeft = b.scrollWidth")
                over[0]["shades_at_end"] = edge_shades(page, index)
            if fits:
                fits[0]["shades"] = edge_shades(page, fits[0]["index"])
        found[path] = result
    context.close()
    return found


@pytest.fixture(scope="module")
def wide(browser, site_url: str, built_site: Path) -> dict[str, dict]:
    return visit(browser, site_url, built_pages(built_site), WIDE, cues=False)


@pytest.fixture(scope="module")
def phone(browser, site_url: str, built_site: Path) -> dict[str, dict]:
    return visit(browser, site_url, built_pages(built_site), PHONE, cues=True)


def test_every_page_in_both_languages_is_measured(wide, phone) -> None:
    assert wide.keys() == phone.keys()
    assert {"", "zh/", "backprop-computation-graph/", "zh/attention-math/", "zh/authors-guide/"} <= wide.keys()
    assert sum(len(r["equations"]) for r in wide.values()) > 100
    assert sum(len(r["codes"]) for r in wide.values()) > 50


def test_no_display_equation_is_wider_than_its_column_at_1280(wide) -> None:
    too_wide = [(path, e["tex"], e["width"], e["columnWidth"]) for path, r in wide.items() for e in r["equations"]
                if e["width"] > e["visible"] + 1 or e["visible"] > e["columnWidth"] + 1]
    assert too_wide == []


def test_equations_too_wide_for_a_phone_scroll_and_show_a_cue(phone) -> None:
    overflowing = [(path, e) for path, r in phone.items() for e in r["equations"] if e["hides"]]
    assert len(overflowing) > 10  # the phone width really is too narrow for many of them
    cut = [(path, e["tex"]) for path, e in overflowing
           if e["overflow"] not in ("auto", "scroll") or e["width"] <= e["visible"]]
    assert cut == []
    looked_at = [(path, e) for path, e in overflowing if "shades" in e]
    assert len(looked_at) > 5  # the first overflowing equation of each page that has one
    missing = []
    for path, e in looked_at:
        (left, right, _), (left_end, right_end, _) = e["shades"], e["shades_at_end"]
        if not (right > 20 and left < 3):  # more to the right: a shadow there, none at the left
            missing.append((path, e["tex"], "before scrolling", round(left), round(right)))
        if not (left_end > 20 and right_end < 3):  # scrolled to the end: the other way round
            missing.append((path, e["tex"], "scrolled to the end", round(left_end), round(right_end)))
    assert missing == []


def test_equations_that_fit_a_phone_show_no_cue(phone) -> None:
    fitting = [(path, e) for path, r in phone.items() for e in r["equations"]
               if e["width"] <= e["visible"] + 1 and "shades" in e]
    assert len(fitting) > 5
    shaded = [(path, e["tex"], e["shades"]) for path, e in fitting if max(e["shades"]) >= 3]
    assert shaded == []


def test_no_code_block_is_wider_than_its_box_at_1280(wide) -> None:
    too_wide = [(path, c["first"], c["width"], c["pre"]) for path, r in wide.items() for c in r["codes"]
                if c["width"] > c["pre"] + 1]
    assert too_wide == []


@pytest.mark.parametrize("width", ["wide", "phone"])
def test_the_copy_button_never_covers_the_first_line_of_code(request, width: str) -> None:
    measured = request.getfixturevalue(width)
    codes = [(path, c) for path, r in measured.items() for c in r["codes"]]
    assert sum(c["hasButton"] for _, c in codes) == len(codes)
    covered = [(path, c["first"]) for path, c in codes if c["covered"]]
    assert covered == []


def test_no_page_scrolls_sideways_on_a_phone(phone) -> None:
    assert [(path, r["pageWidth"]) for path, r in phone.items() if r["pageWidth"] > PHONE[0]] == []
