"""Every article in both languages, in a real browser: math typeset, nothing fetched from the
network, no console errors, the language switcher, both palettes, and phone width."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tools.chromium import ARTICLES

PAGES = [f"{prefix}{slug}/" for slug in ARTICLES for prefix in ("", "zh/")] + ["", "zh/", "resources/", "zh/resources/"]


@pytest.mark.parametrize("path", PAGES)
def test_page_renders_math_offline_without_errors(watched, site_url: str, path: str) -> None:
    page = watched.page
    page.goto(site_url + path, wait_until="networkidle")
    page.wait_for_function("document.querySelectorAll('.arithmatex').length === 0 || "
                           "document.querySelectorAll('.arithmatex .katex').length > 0")
    raw = page.evaluate("""[...document.querySelectorAll('.arithmatex')]
        .filter(el => !el.querySelector('.katex')).map(el => el.textContent.slice(0, 60))""")
    assert raw == []  # every math span was typeset by KaTeX
    assert page.locator(".katex-error").count() == 0
    text = page.inner_text("article")
    assert not re.search(r"\\\(|\\\[|\$\$", text)  # no raw TeX delimiters left visible
    assert watched.external == []
    assert watched.errors == []


@pytest.mark.parametrize(("path", "other"), [("optimizer-geometry/", "zh/optimizer-geometry/"),
                                             ("zh/attention-math/", "attention-math/")])
def test_language_switcher_goes_to_the_same_article(watched, site_url: str, path: str, other: str) -> None:
    page = watched.page
    page.goto(site_url + path)
    target = "zh" if not path.startswith("zh/") else "en"
    page.locator(f'a.md-select__link[hreflang="{target}"]').first.dispatch_event("click")
    page.wait_for_url(site_url + other)
    assert page.url == site_url + other


def _contrast(page) -> float:
    return page.evaluate("""() => {
        const rgb = s => s.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
        const linear = x => { x /= 255; return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; };
        const lum = c => { const v = c.map(linear); return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
        const text = getComputedStyle(document.querySelector('.md-typeset p')).color;
        const back = getComputedStyle(document.body).backgroundColor;
        const [a, b] = [lum(rgb(text)), lum(rgb(back))].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    }""")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_light_and_dark_palettes_are_readable(watched, site_url: str, scheme: str) -> None:
    page = watched.page
    page.goto(site_url + "zh/mse-gradient/")
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    assert _contrast(page) >= 4.5  # WCAG AA for body text


@pytest.mark.parametrize("path", ["mse-gradient/", "zh/attention-math/", "zh/convolution-receptive-field/", ""])
def test_pages_fit_a_phone_screen(browser, site_url: str, path: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(site_url + path, wait_until="networkidle")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 391  # wide tables, code and math scroll inside their own boxes


def type_query(page, query: str) -> None:
    """Type into the open search box as a reader does. Material searches on each key released; a
    value filled in at once is read only if its worker is still building the index, so once the index
    is ready a filled-in query was never searched. Chinese characters arrive as text input without a
    key, so a last key (End) is released after them."""
    page.locator("input.md-search__input").focus()
    page.keyboard.type(query)
    page.keyboard.press("End")


@pytest.mark.parametrize(("query", "expected"), [("学习率", "zh/optimizer-geometry/"), ("权重", "zh/mse-gradient/"),
                                               ("雅可比", "zh/jacobians-chain-rule/"),
                                               ("感受野", "zh/convolution-receptive-field/")])
def test_chinese_search_finds_the_right_articles(watched, site_url: str, query: str, expected: str) -> None:
    """Found, with the term highlighted whole (not 雅 | 可比), and snippets free of TeX source."""
    page = watched.page
    found = ("[...document.querySelectorAll('.md-search-result__item a')]"
             f".some(a => a.href.startsWith('{site_url + expected}'))")
    marks = "[...document.querySelectorAll('.md-search-result mark')].map(m => m.textContent)"
    snippets = "[...document.querySelectorAll('.md-search-result__item')].map(e => e.textContent).join(' ')"
    # The query is typed key by key (type_query), so it is searched whether or not the worker has
    # finished its index; should a worker stall on a loaded machine, the page is loaded again, with
    # a fresh worker, before the search counts as failed.
    links: list[str] = []
    for _ in range(3):
        page.goto(site_url + "zh/")
        page.locator("label.md-search__icon, .md-search__input").first.click()
        type_query(page, query)
        try:
            page.wait_for_function(found, timeout=90000)
            highlighted = page.evaluate(marks)
            assert query in highlighted, highlighted
            if query in ("雅可比", "感受野"):  # glossary terms: never a fragment such as 雅 or 可比
                assert all(m == query or (query not in m and m not in query) for m in highlighted), highlighted
            hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
            assert all(h.startswith(site_url + "zh/") for h in hrefs), hrefs  # the reader's language only
            text = page.evaluate(snippets)
            assert "\\(" not in text
            assert "\\frac" not in text
            return
        except AssertionError:
            raise
        except Exception:
            links = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
    raise AssertionError(f"no result links to {expected}: {links}; console: {watched.errors}")


def test_english_search_shows_english_pages_only(watched, site_url: str) -> None:
    page = watched.page
    found = ("[...document.querySelectorAll('.md-search-result__item a')]"
             f".some(a => a.href.startsWith('{site_url}mse-gradient/'))")
    for _ in range(3):  # as above: a worker that stalls on a loaded machine gets a fresh page
        page.goto(site_url)
        page.locator("label.md-search__icon, .md-search__input").first.click()
        type_query(page, "gradient")
        try:
            page.wait_for_function(found, timeout=90000)
            break
        except Exception:
            continue
    else:
        raise AssertionError(f"no English result; console: {watched.errors}")
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
    assert not [h for h in hrefs if h.startswith(site_url + "zh/")], hrefs


def test_screenshot_command_writes_every_article_in_both_languages(built_site, tmp_path) -> None:
    # Its own process: Playwright's sync API cannot nest inside this session's browser.
    command = [sys.executable, "-m", "tools.screenshots", "--site", str(built_site), "--out", str(tmp_path),
               "--width", "800", "--palette", "dark"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    shots = sorted(p.name for p in tmp_path.glob("*.png"))
    built = [p for p in built_site.rglob("*.html") if p.relative_to(built_site).parts[0] not in ("assets", "search")]
    assert len(shots) == len(built)  # every page, in both languages, 404 included
    assert {"zh-attention-math-dark.png", "en-index-dark.png", "zh-routes-deep-learning-math-dark.png"} <= set(shots)
