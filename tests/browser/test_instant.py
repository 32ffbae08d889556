"""Material's instant navigation (navigation.instant): within a language, clicking through the
navigation swaps pages in without reloading, and KaTeX and the interactive modules run on every
page swapped in, once; a language change is a full load of the same page in the other language,
whose search then finds that language's pages only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools.chromium import ARTICLES

# The articles with an interactive module, in the order the tests click through them.
WITH_MODULES = ["mse-gradient", "optimizer-geometry", "convolution-receptive-field", "attention-math"]

TYPESET = """() => { const spans = [...document.querySelectorAll('.arithmatex')];
    return spans.length > 0 && spans.every(el => el.querySelectorAll('.katex').length === 1); }"""

MODULES = """() => [...document.querySelectorAll('.lab-module[data-module]')].map(el => ({
    name: el.dataset.module, started: el.dataset.started || null, state: el.labState !== undefined,
    titles: el.querySelectorAll('.lab-module-title').length }))"""

# What a reader sees of the page's language outside its content (the navigation without the
# current page's table of contents).
CHROME = """() => ({ lang: document.documentElement.lang,
    site: document.querySelector('.md-header__topic .md-ellipsis').textContent.trim(),
    search: document.querySelector('.md-search__input').getAttribute('placeholder'),
    nav: [...document.querySelectorAll('.md-nav--primary a.md-nav__link')].filter(a => !a.hash)
        .map(a => [a.textContent.trim(), a.href]),
    switcher: [...document.querySelectorAll('a.md-select__link')].map(a => [a.hreflang, a.href]) })"""


@pytest.fixture
def instant(watched, site_url: str, built_site: Path):
    """The watched page, with the sitemap's addresses moved to the local server: Material navigates
    instantly only to pages its sitemap lists, and the sitemap names the site's public address."""
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    public = re.search(r"<loc>([^<]+)</loc>", sitemap).group(1)  # the first entry: the site's home
    assert public.endswith("/")
    assert f"<loc>{public}zh/</loc>" in sitemap
    local = sitemap.replace(public, site_url)
    watched.page.route("**/sitemap.xml", lambda route: route.fulfill(body=local, content_type="application/xml"))
    return watched


def _open(page, url: str) -> None:
    page.goto(url, wait_until="networkidle")
    page.wait_for_function(TYPESET)
    page.evaluate("window.loadedOnce = true")  # survives instant navigation, not a page load


def _click_nav(page, url: str) -> None:
    page.locator(f'.md-nav--primary a.md-nav__link[href="{url}"]').first.click()
    page.wait_for_function(f"location.href === {url!r} && "
                           f"document.querySelector('link[rel=canonical]').href.endsWith({url.split('/', 3)[3]!r})")
    page.wait_for_function(TYPESET)


def _switch_language(page, lang: str) -> None:
    page.hover(".md-header__option .md-select")
    page.locator(f'a.md-select__link[hreflang="{lang}"]').click()


def _assert_modules_started_once(page, slug: str) -> None:
    modules = page.evaluate(MODULES)
    assert modules, slug
    assert all(m["started"] == "1" and m["state"] and m["titles"] == 1 for m in modules), (slug, modules)


@pytest.mark.parametrize("prefix", ["", "zh/"], ids=["en", "zh"])
def test_instant_navigation_runs_math_and_modules_on_every_page(instant, site_url: str, prefix: str) -> None:
    page = instant.page
    assert set(WITH_MODULES) <= set(ARTICLES)
    _open(page, site_url + prefix + WITH_MODULES[0])
    lang = page.evaluate("document.documentElement.lang")
    chrome = page.evaluate(CHROME)
    _assert_modules_started_once(page, WITH_MODULES[0])
    for slug in WITH_MODULES[1:]:
        _click_nav(page, f"{site_url}{prefix}{slug}/")
        assert page.evaluate("window.loadedOnce") is True, slug  # swapped in, not loaded
        _assert_modules_started_once(page, slug)
        assert page.evaluate("document.documentElement.lang") == lang
    page.go_back()  # the browser's back button: swapped in again too
    page.wait_for_function(f"document.querySelector('link[rel=canonical]').href.endsWith('/{WITH_MODULES[-2]}/')")
    page.wait_for_function(TYPESET)
    assert page.evaluate("window.loadedOnce") is True
    _assert_modules_started_once(page, WITH_MODULES[-2])
    # The header and the navigation stay in the page's language; the switcher follows the page.
    now = page.evaluate(CHROME)
    assert (now["lang"], now["site"], now["search"]) == (chrome["lang"], chrome["site"], chrome["search"])
    assert [text for text, _ in now["nav"]] == [text for text, _ in chrome["nav"]]
    assert all(href.endswith(f"/{WITH_MODULES[-2]}/") for _, href in now["switcher"]), now["switcher"]
    assert instant.errors == []
    assert instant.external == []


@pytest.mark.parametrize(("prefix", "other"), [("", "zh"), ("zh/", "en")])
def test_language_switch_after_instant_navigation_loads_the_same_page_in_full(instant, site_url: str,
                                                                             prefix: str, other: str) -> None:
    page = instant.page
    _open(page, site_url + prefix + "mse-gradient/")
    _click_nav(page, f"{site_url}{prefix}attention-math/")
    assert page.evaluate("window.loadedOnce") is True
    _switch_language(page, other)
    target = site_url + ("zh/" if other == "zh" else "") + "attention-math/"
    page.wait_for_url(target)
    page.wait_for_load_state("networkidle")
    page.wait_for_function(TYPESET)
    assert page.evaluate("window.loadedOnce === undefined")  # a full page load
    switched = page.evaluate(CHROME)
    assert switched["lang"] == other
    _assert_modules_started_once(page, "attention-math")
    page.goto(target, wait_until="networkidle")  # the same page, loaded directly: the reference
    assert switched == page.evaluate(CHROME)
    assert instant.errors == []


@pytest.mark.parametrize(("prefix", "other"), [("", "zh/"), ("zh/", "")], ids=["en-to-zh", "zh-to-en"])
def test_search_after_a_language_switch_and_instant_navigation_finds_that_language_only(
        instant, site_url: str, prefix: str, other: str) -> None:
    """Adam is named in both languages' optimizer article: each language's search finds its own."""
    page = instant.page
    _open(page, site_url + prefix + "mse-gradient/")
    _switch_language(page, "zh" if other else "en")
    page.wait_for_url(f"{site_url}{other}mse-gradient/")
    page.wait_for_function(TYPESET)
    page.evaluate("window.loadedOnce = true")
    _click_nav(page, f"{site_url}{other}attention-math/")
    assert page.evaluate("window.loadedOnce") is True
    expected = f"{site_url}{other}optimizer-geometry/"
    found = f"[...document.querySelectorAll('.md-search-result__item a')].some(a => a.href.startsWith({expected!r}))"
    page.locator("label.md-search__icon, .md-search__input").first.click()
    # Typed key by key: Material searches on each key released (a filled-in value is only read when
    # its worker finishes building the index, which takes minutes on a loaded machine).
    page.keyboard.type("Adam")
    try:
        page.wait_for_function(found, timeout=180000)
    except Exception:
        raise AssertionError(f"no result in the page's language; console: {instant.errors}") from None
    hrefs = page.eval_on_selector_all(".md-search-result__item a", "els => els.map(a => a.href)")
    assert all(h.startswith(site_url + "zh/") == bool(other) for h in hrefs), hrefs
    assert instant.errors == []
