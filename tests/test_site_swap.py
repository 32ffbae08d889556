"""A failed build never replaces the last good site/ (macros/plugin/site_swap.py).

Each case starts from a good build of the tiny fixture site, breaks the project in a way that
MkDocs itself (not our lab check) notices, builds again, and compares site/ byte for byte.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_project, mkdocs, snapshot

# A link that a macro expression builds: the lab check leaves it to MkDocs, which only warns.
BUILT_LINK = '\nSee {{ "[the missing page](missing" ~ ".md)" }}.\n'


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.glob(".site.building-*"))


@pytest.fixture
def good(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    project = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return project, snapshot(project / "site")


def test_a_strict_build_with_a_broken_link_keeps_the_old_site(good: tuple[Path, dict[str, bytes]]) -> None:
    project, before = good
    page = project / "docs" / "en" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + BUILT_LINK, encoding="utf-8")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode != 0
    assert "missing.md" in result.stderr
    assert "left as it was" in result.stderr
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_a_template_that_raises_keeps_the_old_site(good: tuple[Path, dict[str, bytes]]) -> None:
    project, before = good
    template = project / "overrides" / "main.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n{% if %}\n", encoding="utf-8")
    result = mkdocs(project, "build")
    assert result.returncode != 0
    assert "left as it was" in result.stderr
    assert snapshot(project / "site") == before
    assert leftovers(project) == []


def test_a_good_build_replaces_the_site_and_clears_abandoned_folders(good: tuple[Path, dict[str, bytes]]) -> None:
    project, before = good
    (project / "site" / "stale.html").write_text("from an older build")
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                              text=True, check=True)
    abandoned = project / f".site.building-{finished.stdout.strip()}"  # its process has exited
    abandoned.mkdir()
    page = project / "docs" / "en" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nA sentence added later.\n", encoding="utf-8")
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    after = snapshot(project / "site")
    assert "stale.html" not in after
    assert b"A sentence added later." in after["index.html"]
    assert set(after) == set(before)
    assert leftovers(project) == []


def test_without_strict_a_warning_does_not_stop_the_swap(good: tuple[Path, dict[str, bytes]]) -> None:
    project, _ = good
    page = project / "docs" / "en" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + BUILT_LINK, encoding="utf-8")
    result = mkdocs(project, "build")
    assert result.returncode == 0, result.stderr
    assert b"the missing page" in (project / "site" / "index.html").read_bytes()
    assert leftovers(project) == []
