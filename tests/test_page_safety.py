"""A page can call the macros we expose and nothing else: no Python through Jinja, no code outside lab/."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.registry import run_all
from macros.check.render import render_page
from macros.engine.claims import ERROR
from tests.conftest import FIXTURES, copy_project, mkdocs

RESULTS = run_all()


def render(body: str):
    return render_page("docs/en/p.md", "en/p.md", body, RESULTS)


@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__[1].__subclasses__()",
    "value.__globals__",
    "check.__self__.results",
    "lipsum.__globals__.os",
    "range.__init__.__globals__",
])
def test_python_internals_are_out_of_reach(expression: str) -> None:
    output, claims = render(f"line one\n{{{{ {expression} }}}}\n")
    errors = [c for c in claims if c.verdict == ERROR]
    assert [c.line for c in errors] == [2]
    assert "__" not in output.replace(expression, "")  # nothing of the internals was printed


def test_lab_source_shows_only_code_defined_in_lab() -> None:
    _, claims = render('{{ lab_source("lab.runner.sealed.tempfile.mkstemp") }}\n'
                       '{{ lab_source("lab.registry.Callable") }}\n')
    assert [(c.line, c.verdict) for c in claims] == [(1, ERROR), (2, ERROR)]
    assert all("only the lab's own code can be shown" in c.message for c in claims)


def test_a_page_cannot_run_a_command_in_a_build(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    marker = tmp_path / "ran"
    page = project / "docs" / "en" / "index.md"
    attack = f"{{{{ ''.__class__.__mro__[1].__subclasses__() | map(attribute='__init__') | list }}}}\n" \
             f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}\n"
    page.write_text(page.read_text(encoding="utf-8") + attack, encoding="utf-8")
    result = mkdocs(project, "build")
    assert result.returncode != 0
    assert "docs/en/index.md:10:" in result.stderr
    assert "docs/en/index.md:11:" in result.stderr
    assert not marker.exists()
