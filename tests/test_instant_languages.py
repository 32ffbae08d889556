"""Instant navigation beside mkdocs-static-i18n: its warning about the language switcher is held
back only while the script that keeps the switcher right is part of the site."""

from __future__ import annotations

from pathlib import Path

from macros.plugin.instant_languages import SCRIPT
from tests.conftest import FIXTURES, copy_project, edit, mkdocs


def test_the_switcher_warning_is_held_back_only_with_the_switch_script(tmp_path: Path) -> None:
    tiny = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    edit(tiny / "mkdocs.yml", "  font: false\n", "  font: false\n  features:\n    - navigation.instant\n")
    edit(tiny / "mkdocs.yml", "  - macros/plugin/build_log.py\n",
         "  - macros/plugin/build_log.py\n  - macros/plugin/instant_languages.py\n")
    without = mkdocs(tiny, "build", "--strict")
    assert without.returncode != 0
    assert "navigation.instant" in without.stderr  # mkdocs-static-i18n's own warning
    (tiny / "mkdocs.yml").write_text((tiny / "mkdocs.yml").read_text() + f"extra_javascript:\n  - {SCRIPT}\n")
    with_script = mkdocs(tiny, "build", "--strict")
    assert with_script.returncode == 0, with_script.stderr
    assert "navigation.instant" not in with_script.stderr
