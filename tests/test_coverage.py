"""Coverage: hand-written numbers on articles are found at their line unless tied to the lab or allowed."""

from __future__ import annotations

from macros.coverage import Unverified, scan

ARTICLE = """---
title: t
date: 2026-11-02
allow_numbers: ["0.9", "4096"]
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
    unverified, listed = scan(ARTICLE)
    assert unverified == [Unverified(6, "0.25"), Unverified(8, "3.5"), Unverified(13, "0.42"),
                          Unverified(14, "10,000"), Unverified(19, "−2.5"), Unverified(20, "128"),
                          Unverified(21, "77")]  # a caption is prose; a check joined into it is not
    assert listed == 2  # 0.9 and 4096


def test_pages_that_are_not_articles_are_not_scanned() -> None:
    assert scan("---\ntitle: guide\n---\n\nThe value 0.42 here is an example.\n") is None
    assert scan("No front matter, 0.42.\n") is None


def test_the_real_articles_are_fully_verified_or_allowlisted() -> None:
    from pathlib import Path

    from tests.conftest import ROOT

    leftovers = {}
    for page in sorted(Path(ROOT / "docs").glob("*/*.md")):
        scanned = scan(page.read_text(encoding="utf-8"))
        if scanned and scanned[0]:
            leftovers[page.relative_to(ROOT).as_posix()] = [(u.line, u.number) for u in scanned[0]]
    assert leftovers == {}
