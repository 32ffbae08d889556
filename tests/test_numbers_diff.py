"""python -m macros diff: what a change does to the published numbers and lab files.

The expected changes are worked out from the MSE example, not read from a run: with the error
e = [0.2, 1.25] raised to [0.4, 1.25], dL/dW[0,0] = e0 x0 goes from 0.3 to 0.6 and the loss
e^T e / 2 from 0.80125 to 0.86125, while row 1 of dL/dW (e1 x^T) and the printed W11 stay.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from macros.diff.compare import ADDED, CHANGED, REMOVED, compare
from macros.diff.sides import Side
from tests.conftest import FIXTURES, ROOT, copy_project, edit

LAB_ERROR = "TARGET_ERROR = np.array([[0.2], [1.25]])"


def _git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout.strip()


def _commit(project: Path, message: str) -> str:
    _git(project, "add", "-A")
    _git(project, "-c", "user.name=Author", "-c", "user.email=author@example.org", "commit", "-qm", message)
    return _git(project, "rev-parse", "HEAD")


def _diff(project: Path, *revs: str) -> tuple[dict, str, str]:
    ran = subprocess.run([sys.executable, "-m", "macros", "diff", *revs, "--json", "diff.json", "--html", "diff.html"],
                         cwd=project, capture_output=True, text=True, timeout=600, check=False)
    assert ran.returncode == 0, ran.stderr
    report = json.loads((project / "diff.json").read_text(encoding="utf-8"))
    (project / "diff.json").unlink()
    html = (project / "diff.html").read_text(encoding="utf-8")
    (project / "diff.html").unlink()
    return report, ran.stdout, html


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny site in a git repository with one commit, its lab cache warm."""
    project = copy_project(tmp_path_factory.mktemp("diff") / "base", docs_from=FIXTURES / "tiny")
    shutil.copy(ROOT / ".gitignore", project / ".gitignore")
    _git(project, "init", "-q")
    _commit(project, "base")
    warm = subprocess.run([sys.executable, "-m", "macros", "check"], cwd=project, capture_output=True, text=True,
                          check=False)
    assert warm.returncode == 0, warm.stderr
    return project


@pytest.fixture
def project(repository: Path, tmp_path: Path) -> Path:
    """A copy of the repository (its history and lab cache too) that a test may change."""
    shutil.copytree(repository, tmp_path / "project", symlinks=True)
    return tmp_path / "project"


def _numbers(report: dict) -> set[tuple]:
    return {(n["status"], n["page"], n["line_before"], n["line_after"], n["key"], n["before"], n["after"],
             n["verdict_before"], n["verdict_after"]) for n in report["numbers"]}


def test_a_lab_constant_and_a_prose_edit_show_exactly_the_moved_numbers_and_redrawn_files(project: Path) -> None:
    base = _git(project, "rev-parse", "HEAD")
    edit(project / "lab" / "mse.py", LAB_ERROR, "TARGET_ERROR = np.array([[0.4], [1.25]])")
    zh = project / "docs" / "zh" / "index.md"
    edit(zh, "# 小站\n", "# 小站\n\n这一段是新加的说明。\n")  # two lines more above every number
    edit(zh, '"0.300"', '"0.600"')  # the author follows the lab in Chinese only
    head = _commit(project, "a larger first error, and the Chinese page follows")
    report, text, html = _diff(project, base, head)
    assert _numbers(report) == {
        (CHANGED, "docs/en/index.md", 7, 7, "mse.grad_W[0,0]", "0.300", "0.300", "ok", "stale"),
        (CHANGED, "docs/en/index.md", 8, 8, "mse.loss", "0.801", "0.801", "ok", "stale"),
        (CHANGED, "docs/zh/index.md", 7, 9, "mse.grad_W[0,0]", "0.300", "0.600", "ok", "ok"),
        (CHANGED, "docs/zh/index.md", 8, 10, "mse.loss", "0.801", "0.801", "ok", "stale"),
    }
    for number in report["numbers"]:
        expected = {"mse.grad_W[0,0]": (0.3, 0.6), "mse.loss": (0.80125, 0.86125)}[number["key"]]
        assert (float(number["lab_before"]), float(number["lab_after"])) == pytest.approx(expected)
    # The figure (and its dark twin) and the table drawn from the MSE result, the figure set holding
    # that figure, and the runnable bundle holding lab/mse.py; no other figure, table or download.
    assert {(f["path"], f["kind"], f["status"]) for f in report["files"]} == {
        ("assets/lab/figures/mse-outer-product.svg", "figure", CHANGED),
        ("assets/lab/figures/mse-outer-product.dark.svg", "figure", CHANGED),
        ("assets/lab/gradient-check-results.csv", "table", CHANGED),
        ("assets/lab/figures.zip", "download", CHANGED),
        ("assets/lab/dl-math-lab.zip", "download", CHANGED),
    }
    assert report["problems"] == {"before": 0, "after": 3}
    assert "4 lab number(s) changed, 0 added, 0 removed (en 2, zh 2); 5 lab file(s) changed" in text
    assert "| `docs/zh/index.md:9` (line 7 before) | `mse.grad_W[0,0]` | 0.300 | 0.600 |" in text
    # The three stale numbers are new problems, each listed with its message.
    assert "| `docs/en/index.md:8` | written 0.801, lab 0.861 (mse.loss) |" in text
    assert "`dl-math-lab/lab/mse.py`" in text  # the bundle's changed member is named
    assert "<code>dl-math-lab/lab/mse.py</code>" in html
    # The HTML report shows the figure and its dark twin before and after, embedded rather than linked.
    assert html.count("data:image/svg+xml;base64,") == 4
    assert '<span class="del">-W,W00,0.300000' in html
    assert '<span class="ins">+W,W00,0.600000' in html


def test_a_prose_edit_shows_only_its_own_lines(project: Path) -> None:
    en = project / "docs" / "en" / "index.md"
    edit(en, "# Tiny\n", "# Tiny\n\nA new paragraph\nover two lines.\n")
    edit(en, '"0.801"', '"0.80"')  # still right at two decimals
    report, text, html = _diff(project, "HEAD")  # against the working tree
    assert _numbers(report) == {(CHANGED, "docs/en/index.md", 8, 11, "mse.loss", "0.801", "0.80", "ok", "ok")}
    assert report["files"] == []
    assert "1 lab number(s) changed, 0 added, 0 removed (en 1); no lab file changed." in text
    assert "(unchanged)" in text  # the lab value behind it did not move
    assert "data:image" not in html


def test_a_lab_change_that_moves_nothing_says_so_in_one_line(project: Path) -> None:
    edit(project / "lab" / "mse.py", LAB_ERROR, f"{LAB_ERROR}  # e, as the article states it")
    report, text, _ = _diff(project, "HEAD")
    assert report["numbers"] == []
    assert [f["path"] for f in report["files"]] == ["assets/lab/dl-math-lab.zip"]  # it carries the source
    one_line = "**No published number changed (8 lab numbers); 1 lab file(s) changed (1 download).**"
    assert text.splitlines()[2] == one_line


def test_an_unknown_commit_is_named_with_what_to_do(project: Path) -> None:
    ran = subprocess.run([sys.executable, "-m", "macros", "diff", "no-such-branch"], cwd=project,
                         capture_output=True, text=True, check=False)
    assert ran.returncode == 1
    assert "BASE 'no-such-branch' is not a commit" in ran.stderr
    assert "git log --oneline" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_a_broken_side_is_named_and_not_a_traceback(project: Path) -> None:
    (project / "macros" / "__main__.py").write_text("raise SystemExit('the checker is gone')\n", encoding="utf-8")
    base = _commit(project, "break the checker")
    _git(project, "checkout", "-q", "HEAD~1", "--", "macros/__main__.py")  # the diff runs the working tree's
    ran = subprocess.run([sys.executable, "-m", "macros", "diff", base], cwd=project, capture_output=True,
                         text=True, check=False)
    assert ran.returncode == 1
    assert f"{base[:12]}: its check gave no report (the checker is gone)" in ran.stderr


def _claim(line: int, key: str, written: str, computed: str = "1.0") -> dict:
    return {"page": "docs/en/a.md", "line": line, "kind": "check", "key": key, "written": written,
            "computed": computed, "verdict": "ok", "message": "", "tolerance": ""}


def test_a_number_added_before_one_that_cites_the_same_key_is_added_not_a_change() -> None:
    old = [_claim(3, "k", "1.0"), _claim(5, "j", "2")]
    new = [_claim(3, "k", "1.00"), _claim(4, "k", "1.0"), _claim(9, "j", "2")]
    changes = compare(Side("a", old, 0), Side("b", new, 0)).numbers
    assert [(c.status, c.line_before, c.line_after, c.before, c.after) for c in changes] == [
        (ADDED, 0, 3, "", "1.00")]
    gone = compare(Side("a", new, 0), Side("b", old, 0)).numbers
    assert [(c.status, c.line_before, c.line_after) for c in gone] == [(REMOVED, 3, 0)]


def test_the_workflow_puts_the_whole_report_and_the_diff_in_the_summary_and_uploads_the_html(project: Path) -> None:
    """The check job's own steps, run as the workflow runs them on a pull request that moves numbers."""
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "site.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    check = next(s for s in steps if "macros check --format github" in s.get("run", ""))
    diff = next(s for s in steps if "macros diff" in s.get("run", ""))
    upload = next(s for s in steps if s.get("with", {}).get("name") == "numbers-diff")
    assert diff["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"}
    assert "pull_request" in diff["if"]
    assert "!cancelled()" in diff["if"]
    base = _git(project, "rev-parse", "HEAD")
    edit(project / "lab" / "mse.py", LAB_ERROR, "TARGET_ERROR = np.array([[0.4], [1.25]])")
    _commit(project, "a larger first error")
    (project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    summary = project / "summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "BASE_SHA": base}
    ran = [subprocess.run(["bash", "-eo", "pipefail", "-c", step["run"]], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600, check=False) for step in (check, diff)]
    assert ran[0].returncode == 1
    assert ran[0].stdout.count("::error file=docs/") == 4
    assert ran[1].returncode == 0, ran[1].stderr
    text = summary.read_text(encoding="utf-8")
    assert "## Lab check: 4 problem(s) in 8 lab number(s)" in text
    assert text.count("| `docs/zh/index.md:8` |") == 3  # among the problems, as a new problem, in the diff
    assert "## Numbers diff" in text
    assert "4 lab number(s) changed, 0 added, 0 removed (en 2, zh 2)" in text
    assert (project / upload["with"]["path"]).read_text(encoding="utf-8").count("data:image/svg+xml") == 4


def test_a_cache_committed_by_mistake_is_never_the_one_a_side_uses(project: Path) -> None:
    (project / ".cache" / "lab" / "mse-forged.npz").write_bytes(b"not an entry")
    _git(project, "add", "-f", ".cache/lab/mse-forged.npz")
    _commit(project, "a cache entry committed by mistake")
    report, _, _ = _diff(project, "HEAD")
    assert report["numbers"] == []
    assert report["files"] == []


def test_lab_output_on_stdout_and_rounding_noise_change_no_published_number(project: Path) -> None:
    """The edited experiment runs again (its cache entry is for the old source) and prints while it
    runs; the reordered sum moves lab values in their last bits at most."""
    source = project / "lab" / "mse.py"
    edit(source, "    y = W @ x + b - TARGET_ERROR\n", '    print("{\\n  debug")\n    y = W @ x - TARGET_ERROR + b\n')
    report, text, _ = _diff(project, "HEAD")
    assert text.splitlines()[2].startswith("**No published number changed (8 lab numbers)")
    assert all(not n["published"] for n in report["numbers"])
    for number in report["numbers"]:  # what moved, if anything, is rounding noise
        assert float(number["lab_after"]) == pytest.approx(float(number["lab_before"]), rel=1e-12)


def test_bad_paths_and_links_are_one_line_each(project: Path, tmp_path: Path) -> None:
    def diff(*args: str, cwd: Path = project) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "macros", "diff", *args], cwd=cwd, capture_output=True,
                              text=True, timeout=600, check=False)

    unwritable = diff("HEAD", "--html", str(tmp_path / "no-such-folder" / "diff.html"))
    assert unwritable.returncode == 1
    assert "no-such-folder/diff.html: its folder does not exist" in unwritable.stderr
    assert unwritable.stdout == ""  # refused before the run
    (project / "docs" / "en" / "outside.md").symlink_to("/etc/hostname")
    linked = _commit(project, "a page that is a link out of the repository")
    out = diff("HEAD~1", linked)
    assert out.returncode == 1
    assert f"{linked[:12]}: docs/en/outside.md is a link that leads out of the repository" in out.stderr
    shutil.rmtree(project / ".git")
    bare = diff("HEAD")
    assert bare.returncode == 1
    assert "is not a git repository" in bare.stderr
    for ran in (unwritable, out, bare):
        assert "Traceback" not in ran.stderr
        assert len(ran.stderr.strip().splitlines()) == 1


def test_swapped_numbers_are_not_changes_and_new_problems_are_listed() -> None:
    old = [_claim(3, "k", "1.0"), _claim(5, "j", "2")]
    swapped = [_claim(3, "j", "2"), _claim(5, "k", "1.0")]
    assert compare(Side("a", old, 0), Side("b", swapped, 0)).numbers == []
    stale = {**_claim(9, "u", "7", "8"), "verdict": "stale", "message": "written 7, lab 8 (u)"}
    number = {**_claim(4, "", "40", ""), "kind": "number", "verdict": "unverified", "message": "40 is tied to nothing"}
    diff = compare(Side("a", [*old, {**stale, "line": 7}], 1), Side("b", [*swapped, stale, number], 2))
    assert [(p.page, p.line, p.message) for p in diff.new_problems] == [("docs/en/a.md", 4, "40 is tied to nothing")]
    noise = [_claim(3, "k", "1.0", "1.0000000000000002"), _claim(5, "j", "2")]
    moved = compare(Side("a", old, 0), Side("b", noise, 0))
    assert [(n.key, n.published) for n in moved.numbers] == [("k", False)]
    assert moved.published == []
