"""Every internal link, anchor and resource of the built site resolves, in both languages."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from macros.engine.links import unsafe_links


class LinkParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name) and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(values[name])


def parse(path: Path) -> LinkParser:
    parser = LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(site: Path, page: Path, link: str) -> tuple[Path, str] | None:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("mailto:", "javascript:", "data:")):
        return None
    base = page.parent.relative_to(site).as_posix()
    if not parts.path:
        target = page.relative_to(site).as_posix()
    elif parts.path.startswith("/"):  # the 404 page links from the site root (site_url's path is /)
        target = unquote(parts.path).lstrip("/")
    else:
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    path = site / target
    if path.is_dir():
        path = path / "index.html"
    return path, parts.fragment


def test_no_broken_internal_link_or_anchor(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert any("/zh/" in p.as_posix() for p in pages)
    parsed = {page: parse(page) for page in pages}
    broken = []
    for page, parser in parsed.items():
        for link in parser.links:
            resolved = resolve(built_site, page, link)
            if resolved is None:
                continue
            target, fragment = resolved
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)} -> {link}")
            elif fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else parse(target).ids
                if fragment not in ids and not re.fullmatch(r"__\w+", fragment):
                    broken.append(f"{page.relative_to(built_site)} -> {link} (no anchor)")
    assert broken == []


def test_every_page_links_home_and_to_its_other_language(built_site: Path) -> None:
    for page in built_site.rglob("index.html"):
        html = page.read_text(encoding="utf-8")
        if "md-select__link" not in html:
            continue  # 404 page and similar
        assert 'hreflang="en"' in html
        assert 'hreflang="zh"' in html


@pytest.mark.parametrize("text", [
    '<abbr title="the weights sum to one = unity">softmax</abbr>',
    "For $i<j$ the causal mask is one = unity above the diagonal.",
    "Write `onerror=` or `javascript:` in code, and in a fence:\n\n```html\n<img onerror=x>\n```\n",
    '<div data-kind="figure" markdown>text</div>',
])
def test_prose_that_only_looks_like_active_content_passes(text: str) -> None:
    assert unsafe_links(text, "docs/en/p.md") == []


@pytest.mark.parametrize(("text", "line", "says"), [
    ('a\n<img src="a.png" alt="a>b" onerror="alert(1)">', 2, "an event-handler attribute onerror=, which runs code"),
    ('a\nb\n<svg><set attributeName="href" to="javascript:alert(1)"/></svg>', 3, "a javascript: address"),
    ('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', 1, "a srcdoc= attribute"),
    ('x\n<a href="&#x6A;avascript:alert(1)">y</a>', 2, "a javascript: address ('javascript:alert(1)')"),
    ('x\n\n[y](#){: onclick="alert(1)" }', 3, "an event-handler attribute onclick= in an attribute list"),
])
def test_active_content_in_a_page_is_found_at_its_line(text: str, line: int, says: str) -> None:
    found = unsafe_links(text, "docs/en/p.md")
    assert [(c.line, says in c.message) for c in found] == [(line, True)], [c.describe() for c in found]
