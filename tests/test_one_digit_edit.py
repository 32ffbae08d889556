"""The promise to authors: a one-digit edit to any checked number, in either language, fails the
check and points at that line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lab.registry import run_all
from lab.runner.outputs import write_lab_assets
from macros.check.render import render_page
from macros.check.site import check_site
from macros.files import LAB_ASSETS
from tests.conftest import ROOT
from tools.mutation import bump_first_digit_run, checked_literals

RESULTS = run_all()
LITERALS = checked_literals(ROOT)


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
