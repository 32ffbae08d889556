"""The built pages, read as a reader reads them: every number on them is accounted for."""

from __future__ import annotations

import re
from pathlib import Path

from macros.check.built_scan import Ledger, built_page_of, shown_numbers, unaccounted
from tests.conftest import copy_project, mkdocs


def shown(html: str) -> list[tuple[str, str]]:
    return [(s.place, s.canonical) for s in shown_numbers(html)]


def test_numbers_are_read_from_every_place_a_reader_sees() -> None:
    html = """<html><head><title>Loss 0.11 - Site</title>
    <meta name="description" content="A loss of 0.12.">
    <meta property="og:title" content="0.13"><meta name="generator" content="mkdocs-1.6.1">
    <script type="application/ld+json">{"a": [{"text": "answer 0.14"}], "n": 0.15}</script>
    <script>var x = 0.99;</script><style>.a { width: 0.98em }</style></head>
    <body><p>Text <em>0.16</em> and &#57;&#49;&#57;&#49; and 损失为0.17，</p>
    <img alt="alt 0.18" src="f-0.97.svg"><a title="tip 0.19" href="#x-0.96">link</a>
    <pre><code>0.95</code></pre> <code>0.94</code> <svg><text>0.93</text></svg>
    <input value="0.22"><ol start="23"><li>a</li></ol><option label="0.24">x</option>
    <iframe srcdoc="&lt;p&gt;0.25&lt;/p&gt;"></iframe><kbd>0.26</kbd><span>4&#8203;.&#8203;7</span>
    <span class="arithmatex">\\(\\frac{0.21}{2}\\)</span></body></html>"""
    assert sorted(shown(html)) == sorted([
        ("<title>", "0.11"), ("meta description", "0.12"), ("meta og:title", "0.13"), ("JSON-LD", "0.14"),
        ("JSON-LD", "0.15"), ("text", "0.16"), ("text", "9191"), ("text", "0.17"), ("alt", "0.18"),
        ("title", "0.19"), ("text", "0.93"), ("text", "0.26"), ("text", "4.7"), ("text", "0.21"),
        ("value", "0.22"), ("start", "23"), ("label", "0.24"), ("srcdoc text", "0.25")])  # inline SVG text too


def test_a_minus_before_a_product_in_math_belongs_to_the_product() -> None:
    ledger = Ledger()
    ledger.add_page("docs/en/p.md", ["0.18", "0.5"])
    numbers = shown_numbers("<p>\\(v_1 = -0.18\\, g_0\\) and \\(J = -0.5 \\times 2\\) but -0.5 in prose</p>")
    assert [(n.canonical, n.negated_product) for n in numbers] == [("-0.18", True), ("-0.5", True), ("-0.5", False)]


def test_built_pages_are_named_as_mkdocs_writes_them() -> None:
    assert built_page_of("docs/en/mse-gradient.md", "en") == "mse-gradient/index.html"
    assert built_page_of("docs/zh/mse-gradient.md", "en") == "zh/mse-gradient/index.html"
    assert built_page_of("docs/en/index.md", "en") == "index.html"
    assert built_page_of("docs/zh/routes/deep-learning-math.md", "en") == "zh/routes/deep-learning-math/index.html"


def test_unaccounted_numbers_are_located_in_the_source_that_writes_them(tmp_path: Path) -> None:
    site, docs = tmp_path / "site", tmp_path / "docs" / "en"
    (site / "p").mkdir(parents=True)
    docs.mkdir(parents=True)
    (site / "p" / "index.html").write_text("<p>lab 0.5, by hand 0.25</p><footer>Copyright 7777</footer>")
    (docs / "p.md").write_text("# P\n\nlab {{ value('k') }}, by hand 0.25\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: s\ncopyright: Copyright 7777\n")
    ledger = Ledger()
    ledger.add_page("docs/en/p.md", ["0.5"])
    found = unaccounted(site, ledger, {"p/index.html": "docs/en/p.md"},
                        [docs / "p.md", tmp_path / "mkdocs.yml"], tmp_path)
    assert [(c.page, c.line, c.written) for c in found] == [("docs/en/p.md", 3, "0.25"), ("mkdocs.yml", 2, "7777")]
    assert "site.yml" in found[1].message


def test_numbers_the_source_scan_cannot_see_fail_the_build_at_their_line(tmp_path: Path) -> None:
    """Numbers made by Markdown, entities, templates or configuration, in both languages: the source
    scan passes them; the scan of the built pages stops the build, and the old site stays."""
    project = copy_project(tmp_path / "site")
    (project / "site").mkdir()
    (project / "site" / "marker.txt").write_text("previous build")
    plants = {
        "docs/en/timeline.md": ("\n", "\nThe count is _0.9191_ today.\n"),  # emphasis, not a name
        "docs/zh/timeline.md": ("\n", "\n数值为0\\.9192。\n"),  # a backslash escape
        "docs/zh/mse-gradient.md": ("## ", "小步长 {{ value(\"mse.eps\", \".6f\") }}5 加一位\n\n## "),
        "mkdocs.yml": ("copyright: Every number", "copyright: 9193 Every number"),
    }
    expected = []
    for name, (old, new) in plants.items():
        path = project / name
        text = path.read_text(encoding="utf-8")
        at = text.rindex(old) if name.endswith("timeline.md") else text.index(old)
        path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
        written = new.strip().split("\n")[0]
        expected.append(f"{name}:{(text[:at] + new).split(chr(10)).index(written) + 1}")
    result = mkdocs(project, "build", timeout=600)
    assert result.returncode != 0
    found = [line.split(" -  ", 1)[-1] for line in result.stderr.splitlines() if "nothing accounts for it" in line]
    assert sorted(f.split(": the built page")[0] for f in found) == sorted(expected), result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert (project / "site" / "marker.txt").read_text() == "previous build"


def test_texts_outside_the_html_such_as_share_cards_are_held_to_the_same_ledger(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    docs = tmp_path / "docs" / "en"
    docs.mkdir(parents=True)
    (docs / "p.md").write_text("---\ntitle: Loss 0.25\n---\n")
    ledger = Ledger(site={"12"})
    cards = [("the share card assets/cards/p.png", "docs/en/p.md", "share card", "Loss 0.25"),
             ("the share card assets/cards/p.png", "docs/en/p.md", "share card", "12 numbers recomputed")]
    found = unaccounted(tmp_path / "site", ledger, {}, [docs / "p.md"], tmp_path, extra=cards)
    assert [(c.page, c.line, c.written) for c in found] == [("docs/en/p.md", 2, "0.25")]
    assert found[0].message.startswith("the share card assets/cards/p.png shows 0.25 (share card:")


def test_a_number_a_template_computes_is_reported_once_at_the_template_line(tmp_path: Path) -> None:
    site, docs, overrides = tmp_path / "site", tmp_path / "docs" / "en", tmp_path / "overrides"
    for folder in (site / "a", site / "b", docs, overrides):
        folder.mkdir(parents=True)
    for name in ("a", "b"):
        (site / name / "index.html").write_text("<p>Page text</p><p>Lab edition 42 of the site</p>"
                                                "<p>the figure is 630 pixels tall</p>" if name == "a" else
                                                "<p>Page text</p><p>Lab edition 42 of the site</p>")
        (docs / f"{name}.md").write_text(f"# {name}\n\nPage text\n\nthe figure is {{{{ 7 * 9 * 10 }}}} pixels tall\n")
    (overrides / "main.html").write_text('<meta content="630">\n<p>Lab edition {{ 6 * 7 }} of the site</p>\n')
    found = unaccounted(site, Ledger(), {"a/index.html": "docs/en/a.md", "b/index.html": "docs/en/b.md"},
                        [docs / "a.md", docs / "b.md", overrides / "main.html"], tmp_path)
    assert sorted((c.page, c.line, c.written) for c in found) == [("docs/en/a.md", 5, "630"),
                                                                  ("overrides/main.html", 2, "42")]


def test_a_page_outside_the_language_folders_is_refused(tmp_path: Path) -> None:
    from macros.check.site import outside_languages

    docs = tmp_path / "docs"
    for folder in ("en", "zh"):
        (docs / folder).mkdir(parents=True)
        (docs / folder / "index.md").write_text("# Home\n")
    (docs / "notes.md").write_text("# Notes\n")
    (docs / "en" / "extra.markdown").write_text("# Extra\n")
    found = outside_languages(docs, tmp_path)
    assert [(c.page, c.line) for c in found] == [("docs/en/extra.markdown", 1), ("docs/notes.md", 1)]
    assert "rename it to extra.md" in found[0].message
    assert "move it into docs/en/, docs/zh/" in found[1].message


def test_a_built_page_that_links_to_javascript_or_data_fails_whatever_wrote_it(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "p").mkdir(parents=True)
    (site / "p" / "index.html").write_text('<a href="&#106;ava&#x09;script:alert(1)">x</a> <a href="https://x.org">ok</a>'
                                           '<img src=" DATA:image/png;base64,AAAA"> <a href="#top">top</a>')
    found = unaccounted(site, Ledger(), {"p/index.html": "docs/en/p.md"}, [], tmp_path)
    assert [(c.page, c.line, c.verdict) for c in found] == [("docs/en/p.md", 1, "error")] * 2
    assert "a javascript: address ('java\tscript:alert(1)')" in found[0].message  # as the browser decodes it
    assert "a data: address (' DATA:image/png;base64,AAAA')" in found[1].message


def test_an_svg_file_or_an_event_handler_that_would_run_code_fails_the_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "assets").mkdir(parents=True)
    (site / "index.html").write_text('<p>ok</p><img src="x" alt="a>b" onerror="alert(1)"><abbr title="sum to one = 1">s'
                                     '</abbr><script>theme()</script>')
    (site / "assets" / "evil.svg").write_text('<svg>\n<a xlink:href="javascript:alert(1)">x</a>\n<s:script>1</s:script>'
                                              '\n<set attributeName="href" to="javascript:alert(2)"/></svg>')
    (site / "assets" / "UP.SVG").write_text('<svg onload="alert(3)"></svg>')
    (site / "assets" / "figure.svg").write_text('<svg><image xlink:href="data:image/png;base64,AAAA"/></svg>')
    found = unaccounted(site, Ledger(), {}, [], tmp_path)
    said = [(c.page, c.line, re.sub(r"^.*? at its line \d+, ", "", c.message.split(";")[0])) for c in found]
    assert sorted(said) == sorted([
        ("index.html", 1, "an event-handler attribute onerror=, which runs code"),
        ("assets/evil.svg", 2, "a javascript: address ('javascript:alert(1)')"),
        ("assets/evil.svg", 3, "a <script>, which runs when the file is opened"),
        ("assets/evil.svg", 4, "a javascript: address ('javascript:alert(2)')"),
        ("assets/UP.SVG", 1, "an event-handler attribute onload=, which runs code"),
    ])  # not the theme's script in a page, not "one =" in a title, not a figure's embedded bitmap
