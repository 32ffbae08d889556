"""Figure alt text on the built site is words a screen reader can say, never TeX source.

Every lab figure's ``alt`` is made from its caption (``_plain`` in macros/check/page_macros.py):
the caption's formulas become the text KaTeX shows. Read from the built pages of both languages.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

# A backslash or dollar sign, braces (^{…}, _{…}, \frac{…}), or a command name left behind.
TEX_SOURCE = re.compile(r"[\\${}]|\^\{|_\{|\b(?:frac|sqrt|mathrm|mathbf|operatorname)\b")
# TeX commands that name one symbol, and the symbol a reader sees.
SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "eta": "η", "theta": "θ", "lambda": "λ",
           "mu": "μ", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "partial": "∂", "times": "×",
           "le": "≤", "ge": "≥", "top": "⊤", "sqrt": "√"}


class Figures(HTMLParser):
    """Each <figure>'s image alt and its caption's raw HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str | None, str]] = []
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and "/figures/" in (dict(attrs).get("src") or ""):
            self.found.append((dict(attrs).get("alt"), ""))
        elif tag == "figcaption" and self.found:
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._in_caption:
            alt, caption = self.found[-1]
            self.found[-1] = (alt, caption + data)


def _figures(site: Path) -> dict[str, list[tuple[str | None, str]]]:
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = Figures()
        parser.feed(path.read_text(encoding="utf-8"))
        if parser.found:
            pages[path.relative_to(site).as_posix()] = parser.found
    return pages


@pytest.fixture(scope="module")
def figures(built_site: Path) -> dict[str, list[tuple[str | None, str]]]:
    return _figures(built_site)


def test_figures_are_found_in_both_languages(figures) -> None:
    english = {page: found for page, found in figures.items() if not page.startswith("zh/")}
    chinese = {page.removeprefix("zh/"): found for page, found in figures.items() if page.startswith("zh/")}
    assert english, "no lab figure found on the English pages"
    assert {page: len(found) for page, found in english.items()} == \
        {page: len(found) for page, found in chinese.items()}


def test_alt_text_has_no_tex_source(figures) -> None:
    bad = [f"{page}: {alt!r}" for page, found in figures.items() for alt, _ in found
           if not alt or TEX_SOURCE.search(unescape(alt))]
    assert bad == [], "figure alt text that is empty or TeX source:\n" + "\n".join(bad)


def test_alt_text_says_the_formulas_symbols(figures) -> None:
    """A formula is turned into text, not dropped: each symbol the caption's TeX names
    (\\theta, \\partial) is in the alt text as the symbol itself (θ, ∂)."""
    missing = []
    for page, found in figures.items():
        for alt, caption in found:
            for name in re.findall(r"\\([a-z]+)", caption):
                if name in SYMBOLS and SYMBOLS[name] not in (alt or ""):
                    missing.append(f"{page}: \\{name} not in {alt!r}")
    assert missing == []
