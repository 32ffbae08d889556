"""The promise to authors: a one-digit edit to any checked number, in either language, fails the
check and points at that line."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from lab.registry import run_all
from lab.runner.outputs import write_lab_assets
from macros.check.render import render_page
from macros.check.site import check_site
from macros.files import LAB_ASSETS
from tests.conftest import ROOT

CHECK = re.compile(r'check\("([^"]+)", "([^"]+)"')
RAW = re.compile(r"\{% raw %\}.*?\{% endraw %\}", re.S)
RESULTS = run_all()


def checked_literals() -> list[tuple[str, int, str, str]]:
    found = []
    for page in sorted((ROOT / "docs").glob("*/*.md")):
        # Examples inside {% raw %} are shown, not rendered: blank them, keeping line numbers.
        text = RAW.sub(lambda m: "\n" * m.group().count("\n"), page.read_text(encoding="utf-8"))
        for number, line in enumerate(text.splitlines(), start=1):
            found += [(page.relative_to(ROOT).as_posix(), number, key, written)
                      for key, written in CHECK.findall(line)]
    return found


LITERALS = checked_literals()


def bump_first_digit_run(written: str) -> str:
    """Change the last digit of the first number: '[0.300, …]' -> '[0.301, …]'; of a bare power of
    ten, its exponent: '10^{-5}' -> '10^{-6}'."""
    power = re.fullmatch(r"[-−]?10\^\{?[-−]?\d*?(\d)\}?", written.strip())
    match = re.search(r"\d(?!\d)", written) if power is None else power
    at = match.start(1) if power is not None else match.start()
    digit = int(written[at])
    return written[:at] + str((digit + 1) % 10) + written[at + 1:]


def test_the_articles_have_checked_numbers_in_both_languages() -> None:
    pages = {page for page, *_ in LITERALS}
    assert {"docs/en/mse-gradient.md", "docs/zh/mse-gradient.md"} <= pages
    assert len(LITERALS) >= 16


@pytest.fixture(scope="module")
def clean_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of docs/ with the lab's generated files in place, as a build would have them."""
    docs = tmp_path_factory.mktemp("clean") / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("lab"))
    write_lab_assets(docs / LAB_ASSETS, RESULTS)
    return docs


@pytest.mark.parametrize(("page", "line", "key", "written"), LITERALS,
                         ids=[f"{p}:{n}" for p, n, *_ in LITERALS])
def test_one_digit_edit_fails_at_its_line(page: str, line: int, key: str, written: str) -> None:
    lines = (ROOT / page).read_text(encoding="utf-8").split("\n")
    edited = bump_first_digit_run(written)
    lines[line - 1] = lines[line - 1].replace(f'"{key}", "{written}"', f'"{key}", "{edited}"', 1)
    docs_path = page.removeprefix("docs/")
    _, claims = render_page(page, docs_path, "\n".join(lines), RESULTS)
    problems = [c for c in claims if c.verdict != "ok"]
    assert (page, line, key, edited) in [(c.page, c.line, c.key, c.written) for c in problems]
    assert {(c.page, c.line) for c in problems} == {(page, line)}
    assert problems[0].describe().startswith(f"{page}:{line}: written {edited}, lab ")
    assert problems[0].describe().endswith(f" ({key})")


def test_unedited_docs_have_no_problems(clean_docs: Path) -> None:
    assert check_site(clean_docs, RESULTS, root=clean_docs.parent).problems == []
