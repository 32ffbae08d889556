"""Coverage: every hand-written number a reader sees is found at its line unless tied to the lab or allowed."""

from __future__ import annotations

from pathlib import Path

import pytest

from macros.engine.coverage import Unverified, scan, scan_site_data
from macros.engine.numbers import canonical, find_numbers
from tests.conftest import ROOT, copy_project, mkdocs

ARTICLE = """---
title: t
date: 2026-11-02
allow_numbers:
  "0.9": β₁ as published
  "4096": a context length chosen for the example
faq:
  - q: 'Why 0.25?'
    a: |
      Because 3.5 is {{ check("a.b", "3.5") }} too big.
---

# Title

The loss is 0.42 and β₁ = 0.9 with 4096 tokens in 2026, step 3 of 8, {{ value("a.c") }}.
`code 12.5` and $x^{12} + W_{34} + 10^{-7}$ and [link](page-77.md) and 10,000 iterations.

```python
lr = 0.123
```
<span data-x="55">−2.5</span>
{{ figure("f", "caption with $d_{\\text{head}} = 128$ inside") }}
{{ figure("g", "after " ~ check("a.n", "10,000") ~ " steps (" ~ value("a.m") ~ ") and 77 more") }}
"""


def test_scan_finds_unverified_numbers_with_file_lines() -> None:
    scanned = scan(ARTICLE)
    assert scanned.unverified == [
        Unverified(8, "0.25", "faq"), Unverified(10, "3.5", "faq"), Unverified(15, "0.42"),
        Unverified(16, "12", "text"), Unverified(16, "10^{-7}"), Unverified(16, "10,000"), Unverified(21, "−2.5"),
        Unverified(22, "128"), Unverified(23, "77")]  # a caption is prose; a check joined into it is not
    assert scanned.allowlisted == 2  # 0.9 and 4096
    assert scanned.problems == []


# -- the tokenizer ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("损失为0.5，而梯度为１．２５０。", ["0.5", "1.250"]),  # against Han characters; full-width digits
    ("总共１２３步", ["123"]),
    ("float64 W00 β2 ResNet-50 GPT-2 fp16 2026-11-19 v1.2", []),  # names, dates and versions with a prefix
    (r"$\frac{0.9191}{2} + W_{12} + x^{-3} + 2.2 \times 10^{-16} + 10^{-7}$", ["0.9191", "2.2e-16", "1e-7"]),
    ("10,000, and 1,2,3 and −2.5 and -0.40 and .5 and 50%", ["10,000", "-2.5", "-0.40", ".5", "50%"]),
    ("1 - 0.5 and 2183-2253 and e^{-1.5}", ["0.5", "2183", "2253", "-1.5"]),
    ("see https://arxiv.org/abs/1412.6980 and 12ms and 64-dimensional", ["12", "64"]),
    ("the 1e-7 bound and 2.5E+3", ["1e-7", "2.5e3"]),
])
def test_numbers_are_found_as_a_reader_reads_them(text: str, expected: list[str]) -> None:
    assert [n.canonical for n in find_numbers(text) if not n.free] == expected


def test_written_forms_of_one_number_compare_equal() -> None:
    assert canonical("10^{-7}") == canonical("1e-7") == "1e-7"
    assert canonical("−1.5") == canonical("-1.5")
    assert canonical("2.2 \\times 10^{-16}") == canonical("2.2e-16")


# -- the planted corpus: a stale or unchecked number in each place, in each language ------------------
PAGE = """---
title: {title}
description: {description}
date: 2026-11-02
faq:
{faq}
---

# Heading

{body}
"""
PLANTS = {  # place -> (en, zh): a page with one hand-written number, and where it must be reported
    "next to letters and punctuation": ("The loss (0.9191) falls.", "损失为0.9191，梯度为零。"),
    "full-width digits": ("The loss is ０．９１９１ here.", "损失是０．９１９１。"),
    "math braces": (r"$\frac{0.9191}{2}$", r"结果是 $\frac{0.9191}{2}$。"),
    "math exponent": (r"$e^{-0.9191}$", r"即 $e^{-0.9191}$。"),
    "expression": ("The loss is {{ 0.9191 }}.", "损失是{{ 0.9191 }}。"),
    "figure caption": ('{{ figure("mse-outer-product", "After 0.9191 steps.") }}',
                       '{{ figure("mse-outer-product", "经过0.9191步。") }}'),
    "alt text": ('<img alt="loss 0.9191" src="x.svg">', '<img alt="损失0.9191" src="x.svg">'),
    "heading": ("## Loss 0.9191", "## 损失0.9191"),
    "table": ("| a | b |\n| - | - |\n| x | 0.9191 |", "| a | b |\n| - | - |\n| 甲 | 0.9191 |"),
}


def _page(body: str = "Plain text.", title: str = "t", description: str = "d",
          faq: str = "  - q: Q?\n    a: A.") -> str:
    return PAGE.format(title=title, description=description, faq=faq, body=body)


@pytest.mark.parametrize("place", sorted(PLANTS))
@pytest.mark.parametrize("lang", [0, 1])
def test_a_number_planted_in_the_body_is_reported_at_its_line(place: str, lang: int) -> None:
    body = PLANTS[place][lang]
    text = _page(body)
    line = text.split("\n").index(body.split("\n")[0]) + 1 + (2 if place == "table" else 0)
    assert [(u.line, canonical(u.number).lstrip("-")) for u in scan(text).unverified] == [(line, "0.9191")]


@pytest.mark.parametrize(("field", "page", "line"), [
    ("title", _page(title="Adam shortens the step 0.9191 times"), 2),
    ("title", _page(title="Adam 把步长缩短为1/0.9191"), 2),
    ("description", _page(description="损失降到0.9191，"), 3),
    ("description", _page(description="'A loss of 0.9191, in two lines\n  of YAML'"), 3),
    ("faq", _page(faq="- q: Why 0.9191?\n  a: Because."), 6),  # a list without indentation
    ("faq", _page(faq="  - {q: 为什么是0.9191？, a: 因为。}"), 6),  # flow style
    ("faq", _page(faq="  - q: Q?\n    a: >\n      folded, with 0.9191"), 8),
])
def test_a_number_in_the_front_matter_is_reported_at_its_line_in_any_yaml_style(field: str, page: str,
                                                                                line: int) -> None:
    assert [(u.line, canonical(u.number), u.where) for u in scan(page).unverified] == [(line, "0.9191", field)]


@pytest.mark.parametrize("page", ["---\ntitle: Home\n---\n\nThe lab has 9191 numbers.\n",
                                  "No front matter, 91.91.\n", "---\ntitle: 路线\n---\n\n共9191个数字。\n"])
def test_pages_that_are_not_articles_are_scanned_too(page: str) -> None:
    assert len(scan(page).unverified) == 1


def test_allowlists_need_reasons_and_name_numbers_the_page_writes() -> None:
    as_list = scan('---\ntitle: t\nallow_numbers: ["0.5"]\n---\n\n0.5\n')
    assert [line for line, _ in as_list.problems] == [3]
    assert "reason" in as_list.problems[0][1]
    assert [u.number for u in as_list.unverified] == ["0.5"]
    no_reason = scan('---\ntitle: t\nallow_numbers:\n  "0.5":\n---\n\n0.5\n')
    assert [line for line, _ in no_reason.problems] == [4]
    unused = scan('---\ntitle: t\nallow_numbers:\n  "0.5": a setting\n  "10^{-7}": a threshold\n---\n\n$10^{-7}$\n')
    assert unused.problems == [(4, "allow_numbers lists 0.5, but no text here writes it; remove it from the list")]
    assert unused.allowlisted == 1
    assert unused.unverified == []


def test_site_data_texts_are_scanned_at_their_line_with_their_own_allowlist() -> None:
    data = """allow_numbers:
  "2026": a year
routes:
  - id: r-123
    level: beginner
    title: {en: Route 2026, zh: 路线}
    summary:
      en: From one layer to 0.9191.
      zh: 从单层到0.9191。
    steps: [a-1234]
tags:
  t: {en: tag 0.75, zh: 标签}
"""
    scanned = scan_site_data(data)
    assert [(u.line, u.number, u.where) for u in scanned.unverified] == [(8, "0.9191", "site data"),
                                                                         (9, "0.9191", "site data"),
                                                                         (12, "0.75", "site data")]
    assert scanned.problems == []  # the list also serves the theme's and mkdocs.yml's texts


def test_the_real_site_writes_no_unverified_number() -> None:
    leftovers = {}
    for page in sorted(Path(ROOT / "docs").rglob("*.md")):
        scanned = scan(page.read_text(encoding="utf-8"))
        if scanned.unverified or scanned.problems:
            leftovers[page.relative_to(ROOT).as_posix()] = [*scanned.unverified, *scanned.problems]
    site = scan_site_data((ROOT / "docs" / "_data" / "site.yml").read_text(encoding="utf-8"))
    assert leftovers == {}
    assert (site.unverified, site.problems) == ([], [])


def test_planted_numbers_fail_the_build_once_each_at_their_file_and_line(tmp_path: Path) -> None:
    """One build of the real site with a number planted in each kind of place, in both languages."""
    project = copy_project(tmp_path / "site")
    plants = {  # file -> (old, new): each adds the number 9191 where an author could write it
        "docs/en/mse-gradient.md": ('title: "', 'title: "9191 '),
        "docs/zh/mse-gradient.md": ("## ", "## 损失为9191，"),
        "docs/en/index.md": ("# ", "# 9191 "),
        "docs/zh/timeline.md": ("# ", "# 共{{ 9191 }}篇\n\n# "),
        "docs/_data/site.yml": ("en: From the gradient", "en: 9191 from the gradient"),
    }
    where = {}
    for name, (old, new) in plants.items():
        path = project / name
        text = path.read_text(encoding="utf-8")
        at = text.index(old)
        where[name] = text[:at].count("\n") + 1
        path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    result = mkdocs(project, "build", "--strict", timeout=600)
    assert result.returncode != 0
    reported = [line.split(" -  ", 1)[-1] for line in result.stderr.splitlines() if "unverified number" in line]
    assert sorted(r.split(": unverified")[0] for r in reported) == sorted(f"{n}:{line}" for n, line in where.items())
    assert "Traceback" not in result.stderr
    assert not (project / "site").exists()


# -- a hostile author's notations (found by a review with fresh eyes) ----------------------------------
@pytest.mark.parametrize("body", [
    r"$2\times0.9191$", r"$L\approx0.9191$", r"$x-0.9191$", r"$\lambda-0.9191$",
    r"$\begin{pmatrix} 1 \\0.9191 \end{pmatrix}$", r"$\#0.9191$", "x⁰·⁹¹⁹¹ and x⁹¹⁹¹", r"$x_99191$",
    "参见https://example.org/，损失为0.9191。", "$0 < x < 0.9191$ and $y > 2$", "a <0.9191 and b> 3",
    "当 x<0.9191 且 y>0 时",
    "``a`b`` then 0.9191 and `c`", "```x``` marks it\n\n0.9191\n\n```\ncode\n```", "&#48;&#46;&#57;&#49;&#57;&#49;",
    '{{ figure(caption="after 0.9191 steps", name="mse-outer-product") }}', '<img alt=0.9191 src="x.svg">',
    '<input placeholder="0.9191">', "{% raw %}0.9191{% endraw %}", "{%raw%}{# 0.9191 #}{%endraw%}",
    "9,191.5 and $91.91\\%$",
])
def test_hostile_notations_are_read_as_the_reader_sees_them(body: str) -> None:
    found = [canonical(u.number) for u in scan(_page(body)).unverified]
    assert any(number.strip("-").lstrip("0") in ("0.9191", ".9191", "9191", "9,191.5", "91.91%") or
               number.endswith("9191") for number in found), found


@pytest.mark.parametrize("body", [
    "!!! example\n\n    ```python\n    rng = default_rng(9191)\n    ```",  # a fence inside an admonition
    '![chart](x.svg){ width="9191" }', "[the lab readme][9191]", r"$a \\[0.9191ex] b \hspace{1.5em} c$",
    '<img src="x.svg"\n     width="9191">', "{% set n = 9191 %}", r"$\tfrac12 e$", "`x = 0.9191`",
])
def test_what_the_reader_does_not_see_is_not_a_number(body: str) -> None:
    assert scan(_page(body)).unverified == []


@pytest.mark.parametrize(("front", "number"), [
    ('description: "error \\x39\\x31\\x33\\x33"', "9133"),  # an escape the reader sees as digits
    ("description: 0x23C7", "9159"), ("description: 9_191", "9191"),  # YAML's own number forms
])
def test_front_matter_is_read_as_its_yaml_value(front: str, number: str) -> None:
    page = f"---\ntitle: t\n{front}\n---\n\nbody\n"
    assert (3, number) in [(u.line, u.number) for u in scan(page).unverified]


@pytest.mark.parametrize("front", ["faq:\n  - What is the answer?", "faq: [[q, a]]", "? [a, b]\n: x",
                                   "title: &x [*x]", "faq: &x [*x]"])
def test_odd_front_matter_gives_no_traceback(front: str) -> None:
    from lab.registry import run_all
    from macros.check.render import render_full

    page = f"---\n{front}\n---\n\n0.9191\n"
    assert [u.number for u in scan(page).unverified] == ["0.9191"]
    render_full("docs/en/p.md", "en/p.md", page, run_all())  # no exception


def test_a_macro_in_a_heading_that_serves_as_the_title_is_refused() -> None:
    assert [line for line, _ in scan('# Loss {{ check("mse.loss", "0.801") }}\n').problems] == [1]
    assert scan('---\ntitle: Loss\n---\n\n# Loss {{ check("mse.loss", "0.801") }}\n').problems == []
    assert scan('---\ndescription: d\n---\n\n```\n# {{ x }}\n```\n\n# Plain\n').problems == []
