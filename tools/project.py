"""A scratch copy of the project, which the tools and the tests build and break."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


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
