"""Every built page, both languages, both palettes: no critical or serious WCAG 2.0/2.1 A or AA
violation found by axe-core.

axe-core is vendored (tests/browser/vendor/axe-core, MPL-2.0, from the npm package of the version
below) and injected into each page from disk: nothing is fetched at test time. Its SHA-256 is
checked so that a changed file is noticed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tools.chromium import built_pages

AXE_DIR = Path(__file__).parent / "vendor" / "axe-core"
AXE = AXE_DIR / "axe.min.js"
AXE_VERSION = "4.14.1"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"

# Material's palette toggle follows the reader's system setting until one is chosen, so each
# palette is its own browser context with that setting emulated (no stored choice, no transition).
PALETTES = {"default": "light", "slate": "dark"}
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async tags => {
    await document.fonts.ready;
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                            resultTypes: ["violations"]});
    return result.violations.filter(v => v.impact === "critical" || v.impact === "serious")
        .flatMap(v => v.nodes.map(node => ({
            rule: v.id, impact: v.impact, target: node.target.join(" "),
            html: node.html.replace(/\\s+/g, " ").slice(0, 140),
            why: [...node.any, ...node.all, ...node.none].map(check => check.message)[0] || v.help,
        })));
}"""


def test_vendored_axe_is_the_recorded_file() -> None:
    assert hashlib.sha256(AXE.read_bytes()).hexdigest() == AXE_SHA256
    assert AXE.read_text(encoding="utf-8").startswith(f"/*! axe v{AXE_VERSION}\n")
    assert "Mozilla Public License" in (AXE_DIR / "LICENSE").read_text(encoding="utf-8")


def test_the_pages_list_comes_from_the_built_site(built_site: Path) -> None:
    pages = built_pages(built_site)
    assert {"", "zh/", "404.html", "authors-guide/", "zh/timeline/"} <= set(pages)
    assert any(page.startswith("zh/routes/") for page in pages)
    assert sum(page.startswith("zh/") for page in pages) * 2 >= len(pages) - 1


def test_no_serious_accessibility_violation(browser: Browser, built_site: Path, site_url: str) -> None:
    pages = built_pages(built_site)
    found: list[str] = []
    for scheme, system in PALETTES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=system)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site_url)
                      else route.abort())
        page = context.new_page()
        for path in pages:
            page.goto(site_url + path, wait_until="load")
            page.wait_for_function("document.querySelectorAll('.arithmatex').length === 0 || "
                                   "document.querySelectorAll('.arithmatex .katex').length > 0")
            assert page.evaluate("document.body.dataset.mdColorScheme") == scheme, path
            page.add_script_tag(path=str(AXE))
            assert page.evaluate("axe.version") == AXE_VERSION
            found += [f"/{path} [{scheme}] {v['rule']} ({v['impact']}) {v['target']}\n"
                      f"    {v['html']}\n    {v['why']}" for v in page.evaluate(RUN_AXE, TAGS)]
        context.close()
    assert found == [], f"{len(found)} critical or serious axe violation(s):\n" + "\n".join(found)


# One result as Material's search writes it (a matched word, the page's tags, the result count): the
# overlay's stylesheet is what is checked, so the result is written in directly rather than waiting
# for the search worker, which takes minutes on a loaded machine.
SEARCH_RESULT = """() => {
    document.querySelector(".md-search-result__meta").textContent = "1 matching document";
    document.querySelector(".md-search-result__list").innerHTML =
        '<li class="md-search-result__item"><a href="#" class="md-search-result__link" tabindex="-1">' +
        '<article class="md-search-result__article md-typeset"><div class="md-search-result__icon md-icon"></div>' +
        '<h1>The <mark>gradient</mark> of a matrix product</h1><nav class="md-tags">' +
        '<span class="md-tag">gradients</span><span class="md-tag">matrix calculus</span></nav>' +
        '<p>A <mark>gradient</mark> check compares the two.</p></article></a></li>';
}"""


@pytest.mark.parametrize("scheme", list(PALETTES))
def test_search_results_meet_the_same_contrast(browser: Browser, site_url: str, scheme: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=PALETTES[scheme])
    page = context.new_page()
    page.goto(site_url + "zh/", wait_until="load")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially("gradient")
    page.evaluate(SEARCH_RESULT)
    page.wait_for_selector(".md-search-result mark", state="visible")
    page.add_script_tag(path=str(AXE))
    found = [f"{v['rule']} ({v['impact']}) {v['target']}: {v['why']}" for v in page.evaluate(RUN_AXE, TAGS)
             if ".md-search" in v["target"]]
    context.close()
    assert found == [], "\n".join(found)
