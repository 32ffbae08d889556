"""Shared helpers: copy the project (or a fixture site) to a scratch folder and build it there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_project(dest: Path, docs_from: Path | None = None) -> Path:
    """Copy what a build reads (config, pages, lab, macros, overrides) into ``dest``.

    ``docs_from`` replaces the site's pages with a fixture site's ``mkdocs.yml`` and ``docs``.
    """
    ignore = shutil.ignore_patterns("__pycache__", "lab")  # docs/assets/lab is generated
    shutil.copytree(ROOT / "lab", dest / "lab", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "macros", dest / "macros", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "overrides", dest / "overrides")
    source = docs_from or ROOT
    shutil.copy(source / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(source / "docs", dest / "docs", ignore=ignore)
    if docs_from is not None:
        shutil.copytree(ROOT / "docs" / "assets", dest / "docs" / "assets", ignore=ignore)
    return dest


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, keyed by its path relative to the folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mkdocs(project: Path, *args: str, timeout: float = 120,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site, built once with --strict in a scratch copy of the project."""
    project = copy_project(tmp_path_factory.mktemp("site"))
    result = mkdocs(project, "build", "--strict")
    assert result.returncode == 0, result.stderr
    return project / "site"
