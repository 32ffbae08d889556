"""The claim checker on a tiny complete site, with negative controls that must NOT build."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, copy_project, edit, mkdocs


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")


def test_good_site_builds_and_records_every_claim(tiny: Path) -> None:
    result = mkdocs(tiny, "build", "--strict")
    assert result.returncode == 0, result.stderr
    assert "W11=-2.500000" in (tiny / "site" / "index.html").read_text()
    assert "W11=-2.500000" in (tiny / "site" / "zh" / "index.html").read_text()
    report = json.loads((tiny / "site" / "verification.json").read_text())
    claims = {(c["page"], c["line"], c["key"], c["written"], c["verdict"]) for c in report["claims"]}
    assert ("docs/en/index.md", 8, "mse.loss", "0.801", "ok") in claims
    assert ("docs/zh/index.md", 7, "mse.grad_W[0,0]", "0.300", "ok") in claims
    assert report["problems"] == 0
    assert report["pages"]["docs/zh/index.md"] == {"numbers": 4, "recomputed": 4}
    # The log ends with one line that counts what was checked, and holds back third-party chatter.
    ok = sum(1 for claim in report["claims"] if claim["verdict"] == "ok")
    summaries = [line for line in result.stderr.splitlines() if "lab numbers checked on" in line]
    assert len(summaries) == 1, result.stderr
    assert re.search(rf"\b{ok} lab numbers checked on {len(report['pages'])} pages in 2 language\(s\); [\d.]+ s$",
                     summaries[0]), summaries
    assert "[macros] - Config" not in result.stderr
    assert "Prefix dict" not in result.stderr
    assert "Loading model" not in result.stderr
    # A cold build says what takes long before it starts, and how long it took; a warm build is quiet.
    from lab.figures import FIGURES
    from lab.registry import EXPERIMENTS
    from lab.tables import TABLES

    assert f"running {len(EXPERIMENTS)} experiment(s): " in result.stderr
    assert f"drawing {len(FIGURES)} figure(s) and writing {len(TABLES)} table(s)\n" in result.stderr
    assert re.search(r"figures and tables written in [\d.]+ s\n", result.stderr)
    warm = mkdocs(tiny, "build", "--strict")
    assert warm.returncode == 0, warm.stderr
    assert "experiment(s)" not in warm.stderr
    assert "figure(s)" not in warm.stderr


@pytest.mark.parametrize("strict", [True, False])
def test_stale_numbers_in_both_languages_fail_once_listing_each(tiny: Path, strict: bool) -> None:
    edit(tiny / "docs" / "en" / "index.md", '"0.801"', '"0.802"')
    edit(tiny / "docs" / "zh" / "index.md", '"0.300"', '"0.310"')
    result = mkdocs(tiny, "build", *(["--strict"] if strict else []))
    assert result.returncode != 0
    assert "docs/en/index.md:8: written 0.802, lab 0.801 (mse.loss)" in result.stderr
    assert "docs/zh/index.md:7: written 0.310, lab 0.300 (mse.grad_W[0,0])" in result.stderr
    assert result.stderr.count(": written ") == 2  # each problem once, not once per language build
    assert "2 problem(s)" in result.stdout + result.stderr
    assert not (tiny / "site").exists()  # nothing half-built left behind


def test_failed_build_leaves_the_previous_site_untouched(tiny: Path) -> None:
    assert mkdocs(tiny, "build").returncode == 0
    before = (tiny / "site" / "zh" / "index.html").read_bytes()
    edit(tiny / "docs" / "zh" / "index.md", '"0.300"', '"0.301"')
    assert mkdocs(tiny, "build").returncode != 0
    assert (tiny / "site" / "zh" / "index.html").read_bytes() == before


def test_missing_translation_fails_instead_of_falling_back(tiny: Path) -> None:
    (tiny / "docs" / "en" / "more.md").write_text("# More\n", encoding="utf-8")
    result = mkdocs(tiny, "build")
    assert result.returncode != 0
    assert "docs/en/more.md:1: no translation in 'zh': create docs/zh/more.md" in result.stderr


def test_undefined_variable_and_unknown_key_fail_with_their_lines(tiny: Path) -> None:
    with (tiny / "docs" / "en" / "index.md").open("a", encoding="utf-8") as page:
        page.write('{{ value("mse.grad_w[0,0]") }}\n{{ undefined_thing }}\n')
    result = mkdocs(tiny, "build")
    assert result.returncode != 0
    expected = "docs/en/index.md:10: 'mse' has no value 'grad_w'. Did you mean mse.grad_b, mse.grad_W"
    assert expected in result.stderr
    assert "docs/en/index.md:11: UndefinedError: 'undefined_thing' is undefined" in result.stderr


def test_an_experiment_that_raises_is_reported_at_its_lab_line(tiny: Path) -> None:
    mse_py = tiny / "lab" / "mse.py"
    lines = mse_py.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("e, loss = forward("))
    lines.insert(at, "    raise ZeroDivisionError('the lab broke here')")
    mse_py.write_text("\n".join(lines) + "\n")
    result = mkdocs(tiny, "build")
    assert result.returncode != 0
    assert f"lab/mse.py:{at + 1}: experiment 'mse' raised ZeroDivisionError: the lab broke here" in result.stderr
    assert "docs/zh/index.md:7: experiment 'mse' failed, so mse.grad_W[0,0] has no value" in result.stderr
    assert "jinja2" not in result.stderr.lower()
    assert not (tiny / "site").exists()


def test_a_figure_that_fails_to_draw_is_reported_at_its_lab_line(tiny: Path) -> None:
    figures = tiny / "lab" / "figures" / "mse.py"
    source = figures.read_text()
    figures.write_text(source + "\n\ndef broken(results):\n    return 1 / 0\n\n\nFIGURES['broken'] = broken\n")
    line = len(source.splitlines()) + 4  # the `return 1 / 0` line
    result = mkdocs(tiny, "build")
    assert result.returncode != 0
    assert (f"lab/figures/mse.py:{line}: figure 'broken' failed to draw: ZeroDivisionError: division by zero"
            in result.stderr)
    assert not (tiny / "site").exists()
