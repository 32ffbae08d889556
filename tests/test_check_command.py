"""The reviewer's command: `python -m macros check` in text, GitHub and JSON formats, and --fix."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from macros.engine.fix import fixed_literal
from tests.conftest import FIXTURES, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The tiny site with the lab edited as a pull request might: e = [0.2, 1.5] instead of [0.2, 1.25]."""
    project = copy_project(tmp_path / "tiny", docs_from=FIXTURES / "tiny")
    mse = project / "lab" / "mse.py"
    mse.write_text(mse.read_text().replace("[[0.2], [1.25]]", "[[0.2], [1.5]]"))
    return project


def check(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "macros", "check", *args], cwd=project, capture_output=True,
                          text=True, check=False,
                          env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin", **(env or {})})


STALE = [  # what the lab edit makes stale, in both languages: loss 1/2 (0.2² + 1.5²) and row 1 = 1.5 x^T
    ("docs/en/index.md", 8, "written 0.801, lab 1.145 (mse.loss)"),
    ("docs/en/index.md", 9, "written [1.875, −2.500, 0.625], lab [2.250, -3.000, 0.750] (mse.grad_W[1])"),
    ("docs/zh/index.md", 8, "written 0.801, lab 1.145 (mse.loss)"),
    ("docs/zh/index.md", 9, "written [1.875, −2.500, 0.625], lab [2.250, -3.000, 0.750] (mse.grad_W[1])"),
]


def test_text_format_lists_exactly_the_stale_lines_in_both_languages(project: Path) -> None:
    result = check(project)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:-1] == [f"{page}:{line}: {message}" for page, line, message in STALE]
    assert result.stderr.splitlines()[-1] == "4 problem(s) in 8 lab number(s)."


def test_github_format_annotates_the_diff(project: Path) -> None:
    lines = check(project, "--format", "github").stdout.splitlines()
    assert lines[:-1] == [f"::error file={page},line={line},title=Stale lab number::{message}"
                          for page, line, message in STALE]


def test_github_format_writes_every_problem_to_the_step_summary(project: Path, tmp_path: Path) -> None:
    """GitHub shows ten annotations per step; the run's summary holds them all, appended to what is there."""
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step\n", encoding="utf-8")
    check(project, "--format", "github", env={"GITHUB_STEP_SUMMARY": str(summary)})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# an earlier step\n## Lab check: 4 problem(s) in 8 lab number(s)\n")
    rows = [line for line in text.splitlines() if line.startswith("| `docs/")]
    assert rows[:4] == [f"| `{page}:{line}` | {message} |" for page, line, message in STALE]
    assert "| `docs/en/index.md` |" in text  # coverage, per page


def test_json_format_is_the_full_report(project: Path) -> None:
    report = json.loads(check(project, "--format", "json").stdout)
    assert report["problems"] == 4
    stale = [(c["page"], c["line"], c["key"]) for c in report["claims"] if c["verdict"] == "stale"]
    assert stale == [(page, line, message.rsplit("(", 1)[1][:-1]) for page, line, message in STALE]


def test_fix_rewrites_both_languages_at_their_precision_and_the_check_then_passes(project: Path) -> None:
    result = check(project, "--fix")
    assert result.returncode == 0, result.stderr
    assert '-The loss is {{ check("mse.loss", "0.801") }}' in result.stdout
    assert '+The loss is {{ check("mse.loss", "1.145") }}' in result.stdout
    zh = (project / "docs" / "zh" / "index.md").read_text()
    assert '{{ check("mse.grad_W[1]", "[2.250, −3.000, 0.750]") }}' in zh  # author's − kept
    assert check(project).returncode == 0


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
@pytest.mark.parametrize("bom", ["\ufeff", ""])
def test_fix_keeps_line_endings_and_a_byte_order_mark(project: Path, ending: str, bom: str) -> None:
    for lang in ("en", "zh"):
        page = project / "docs" / lang / "index.md"
        page.write_bytes((bom + page.read_text(encoding="utf-8").replace("\n", ending)).encode("utf-8"))
    assert [line.split(": ", 1)[0] for line in check(project).stderr.splitlines()[:-1]] == \
        [f"{page}:{line}" for page, line, _ in STALE]  # the same lines, whatever ends them
    result = check(project, "--fix")
    assert result.returncode == 0, result.stderr
    data = (project / "docs" / "en" / "index.md").read_bytes().decode("utf-8")
    assert data.startswith(bom + "---" + ending)
    assert data.count(ending) == data.count("\n" if ending == "\r\n" else ending) == 9
    assert 'The loss is {{ check("mse.loss", "1.145") }} and' in data


@pytest.mark.parametrize(("written", "lab", "expected"), [
    ("0.300", 0.3125, "0.313"),
    ("−2.50", -2.449, "−2.45"),
    ("-2.50", -2.449, "-2.45"),
    ("8.1e-12", 9.26e-12, "9.3e-12"),
    ("1e-5", 2e-5, "2e-5"),
    ("97.3%", 0.9614, "96.1%"),
    ("12", 14.4, "14"),
    ("[[1, 2], [3, −4]]", [[1, 2], [3, -5.4]], "[[1, 2], [3, −5]]"),
    ("10,000", 12000.0, "12,000"),
    ("1,234.5", 987.25, "987.3"),
])
def test_fixed_literal_keeps_the_authors_notation(written: str, lab: object, expected: str) -> None:
    assert fixed_literal(written, lab) == expected


def test_fix_rewrites_a_check_written_with_single_quotes(project: Path) -> None:
    for lang in ("en", "zh"):
        page = project / "docs" / lang / "index.md"
        page.write_text(page.read_text(encoding="utf-8").replace('check("mse.loss", "0.801")',
                                                                 "check('mse.loss', '0.801')"), encoding="utf-8")
    result = check(project, "--fix")
    assert result.returncode == 0, result.stderr
    assert "check('mse.loss', '1.145')" in (project / "docs" / "en" / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("module", ["lab/runner/machine.py", "lab/runner/cache.py", "macros/engine/claims.py",
                                    "macros/check/site.py", "macros/engine/literals.py"])
def test_broken_code_of_the_checker_or_the_lab_runner_is_one_located_line(project: Path, module: str) -> None:
    """Wherever the code that runs the check breaks, the command names its file and line, never a traceback."""
    path = project / module
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\ndef broken(:\n    pass\n", encoding="utf-8")
    result = check(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    located = [line for line in result.stderr.splitlines()
               if line.startswith(f"{module}:{len(good.splitlines()) + 2}: ") and "SyntaxError" in line]
    assert len(located) == 1, result.stderr[-2000:]
