"""``python -m tools.mutation``: would the check notice? Breaks the project on purpose, reports the kill rate.

Two kinds of mutant:

* prose: one digit of a checked number changed in one language. The report edits a sample (every
  ``--every``-th literal of the site); ``tests/test_one_digit_edit.py`` edits every one of them.
  Killed when the check reports that page and line, and nothing else.
* lab: one constant changed in a lab source (a learning rate, an input entry, a seed). The project
  is copied, the constant edited, the lab rerun (other experiments come from the cache) and every
  page checked. Killed when at least one number is reported stale; and, for every checked number,
  the verdict must follow the value: a number whose lab value moved by more than its last written
  digit must be reported, one whose value did not move at all must not; an approximate number or a
  bound must be reported exactly when the value leaves its stated tolerance.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from macros.engine.literals import Tolerance, bound_limit, matches, parse_literal

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class LabMutant:
    experiment: str
    file: str
    original: str
    mutated: str
    what: str


LAB_MUTANTS = (
    LabMutant("mse", "lab/mse.py", "X_EXAMPLE = np.array([[1.5], [-2.0], [0.5]])",
              "X_EXAMPLE = np.array([[1.5], [-2.0], [0.7]])", "input entry x[2]: 0.5 -> 0.7"),
    LabMutant("neuron", "lab/neuron.py", "B_EXAMPLE = 0.5", "B_EXAMPLE = 0.25", "bias b: 0.5 -> 0.25"),
    LabMutant("partials", "lab/partials.py", "STEP = np.array([0.01, -0.02])", "STEP = np.array([0.01, -0.03])",
              "step (dx, dy): (0.01, -0.02) -> (0.01, -0.03)"),
    LabMutant("matmul", "lab/matmul.py", "W_EXAMPLE = np.array([[1.0, -1.0, 2.0]",
              "W_EXAMPLE = np.array([[1.0, -1.5, 2.0]", "weight entry W[0,1]: -1.0 -> -1.5"),
    LabMutant("spiral", "lab/spiral.py", "STEP_SIZE = 1.0", "STEP_SIZE = 0.9", "learning rate: 1.0 -> 0.9"),
    LabMutant("twolayer", "lab/twolayer.py", "LEARNING_RATE = 1e-6", "LEARNING_RATE = 2e-6",
              "learning rate: 1e-6 -> 2e-6"),
    LabMutant("softmax_trace", "lab/softmax_trace.py", "DIRECTION_SEED = 3", "DIRECTION_SEED = 4",
              "seed of the checked direction: 3 -> 4"),
    LabMutant("optim", "lab/optim.py", "LR_GD = 0.18", "LR_GD = 0.17", "gradient-descent learning rate: 0.18 -> 0.17"),
    LabMutant("conv", "lab/conv.py", "X_HAND = np.array([[1, 2, 0, 1, 3],", "X_HAND = np.array([[1, 2, 0, 1, 4],",
              "input entry x[0,4]: 3 -> 4"),
    LabMutant("attention", "lab/attention.py", "SEED = 0", "SEED = 1", "random seed: 0 -> 1"),
)

# Run in a project copy: check it as a build does (macros/check/site.py) and print every claim as JSON.
CHECK_SCRIPT = """
import json
from dataclasses import asdict
from pathlib import Path
from macros.check.site import check_project
print(json.dumps([asdict(c) for c in check_project(Path(".")).report.claims]))
"""


@dataclass
class Outcome:
    name: str
    what: str
    flagged: list[str] = field(default_factory=list)  # page:line of every number reported stale or in error
    missed: list[str] = field(default_factory=list)  # moved past its last digit, yet not reported
    false_alarms: list[str] = field(default_factory=list)  # reported, yet its lab value did not move

    @property
    def killed(self) -> bool:
        return bool(self.flagged) and not self.missed and not self.false_alarms


def claims_of(project: Path) -> list[dict[str, Any]]:
    result = subprocess.run([sys.executable, "-c", CHECK_SCRIPT], cwd=project, env=ENV, capture_output=True,
                            text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"check failed to run in {project}:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def baseline(target: Path) -> tuple[Path, list[dict[str, Any]]]:
    """A copy of the project with the lab's files written and its cache filled, and its claims."""
    from tools.project import copy_project

    project = copy_project(target)
    claims = claims_of(project)
    problems = [c for c in claims if c["verdict"] != "ok"]
    if problems:
        raise RuntimeError(f"the unmutated project already has problems: {problems[:3]}")
    return project, claims


def _moved_past_last_digit(written: str, old: str, new: str) -> bool | None:
    """True if the value moved by more than the written precision, False if it did not move at all,
    None in between (the check may go either way at the rounding boundary)."""
    literals = parse_literal(written)
    before = np.asarray(ast.literal_eval(old), dtype=float).reshape(literals.shape)
    after = np.asarray(ast.literal_eval(new), dtype=float).reshape(literals.shape)
    if np.array_equal(before, after):
        return False
    for index in np.ndindex(literals.shape):
        literal = literals[index]
        scale = 100.0 if literal.percent else 1.0
        if abs(after[index] - before[index]) * scale > float(literal.quantum):
            return True
    return None


def _bounded_verdict(claim: dict[str, Any]) -> bool:
    """Must an ``approx`` or ``below`` claim be reported? Its stated bound decides, exactly."""
    after = np.asarray(ast.literal_eval(claim["computed"]), dtype=float)
    if claim["kind"] == "below":
        return not bool(np.all(np.abs(after) < bound_limit(claim["written"])))
    bound = Tolerance.parse(claim["tolerance"])
    literals = parse_literal(claim["written"])
    after = after.reshape(literals.shape)
    return not all(matches(literals[i], after[i], bound) for i in np.ndindex(literals.shape))


def judge(name: str, what: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Outcome:
    outcome = Outcome(name, what)
    old = {(c["page"], c["line"], c["key"], c["written"]): c["computed"] for c in before if c["kind"] == "check"}
    for claim in after:
        where = f"{claim['page']}:{claim['line']}"
        if claim["verdict"] in ("stale", "error"):
            outcome.flagged.append(where)
        if claim["kind"] in ("approx", "below"):  # a stated bound: reported exactly when the value leaves it
            moved: bool | None = _bounded_verdict(claim)
        elif claim["kind"] == "check":
            ident = (claim["page"], claim["line"], claim["key"], claim["written"])
            if ident not in old:
                continue
            moved = _moved_past_last_digit(claim["written"], old[ident], claim["computed"])
        else:
            continue
        if moved is True and claim["verdict"] != "stale":
            outcome.missed.append(f"{where} ({claim['key']})")
        if moved is False and claim["verdict"] != "ok":
            outcome.false_alarms.append(f"{where} ({claim['key']})")
    return outcome


def run_lab_mutant(base: Path, before: list[dict[str, Any]], mutant: LabMutant, target: Path) -> Outcome:
    shutil.copytree(base, target, ignore=shutil.ignore_patterns("site", "__pycache__"))
    source = target / mutant.file
    text = source.read_text(encoding="utf-8")
    if text.count(mutant.original) != 1:
        raise RuntimeError(f"{mutant.file}: '{mutant.original}' must occur exactly once to be mutated")
    source.write_text(text.replace(mutant.original, mutant.mutated), encoding="utf-8")
    return judge(f"lab {mutant.experiment}", mutant.what, before, claims_of(target))


CHECK = re.compile(r'check\("([^"]+)", "([^"]+)"')
RAW = re.compile(r"\{% raw %\}.*?\{% endraw %\}", re.S)


def checked_literals(root: Path) -> list[tuple[str, int, str, str]]:
    """``(page, line, key, written)`` of every ``check(key, "written")`` in the project's pages."""
    found = []
    for page in sorted((root / "docs").glob("*/*.md")):
        # Examples inside {% raw %} are shown, not rendered: blank them, keeping line numbers.
        text = RAW.sub(lambda m: "\n" * m.group().count("\n"), page.read_text(encoding="utf-8"))
        for number, line in enumerate(text.splitlines(), start=1):
            found += [(page.relative_to(root).as_posix(), number, key, written)
                      for key, written in CHECK.findall(line)]
    return found


def bump_first_digit_run(written: str) -> str:
    """Change the last digit of the first number: '[0.300, …]' -> '[0.301, …]'; of a bare power of
    ten, its exponent: '10^{-5}' -> '10^{-6}'."""
    power = re.fullmatch(r"[-−]?10\^\{?[-−]?\d*?(\d)\}?", written.strip())
    match = re.search(r"\d(?!\d)", written) if power is None else power
    at = match.start(1) if power is not None else match.start()
    digit = int(written[at])
    return written[:at] + str((digit + 1) % 10) + written[at + 1:]


def prose_outcomes(every: int) -> list[Outcome]:
    """One-digit edits to every ``every``-th checked literal of the site, each in one language."""
    from lab.registry import run_all
    from macros.check.render import render_page
    from tools.project import ROOT

    results, outcomes = run_all(), []
    for page, line, key, written in checked_literals(ROOT)[::every]:
        lines = (ROOT / page).read_text(encoding="utf-8").split("\n")
        edited = bump_first_digit_run(written)
        lines[line - 1] = lines[line - 1].replace(f'"{key}", "{written}"', f'"{key}", "{edited}"', 1)
        _, claims = render_page(page, page.removeprefix("docs/"), "\n".join(lines), results)
        outcome = Outcome(f"prose {page}:{line}", f"{written} -> {edited}")
        outcome.flagged = [f"{c.page}:{c.line}" for c in claims if c.verdict != "ok"]
        outcome.false_alarms = [where for where in outcome.flagged if where != f"{page}:{line}"]
        outcomes.append(outcome)
    return outcomes


def kill_rate(outcomes: list[Outcome]) -> float:
    return sum(o.killed for o in outcomes) / len(outcomes) if outcomes else 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.mutation", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--every", type=int, default=10, help="edit every n-th checked literal (default 10)")
    args = parser.parse_args(argv)
    prose = prose_outcomes(args.every)
    with tempfile.TemporaryDirectory() as scratch:
        base, before = baseline(Path(scratch) / "base")
        lab = [run_lab_mutant(base, before, m, Path(scratch) / m.experiment) for m in LAB_MUTANTS]
    for outcome in lab:
        verdict = "killed" if outcome.killed else "SURVIVED"
        print(f"{outcome.name:16} {outcome.what:46} {len(outcome.flagged):4d} numbers reported   {verdict}")
        for where in outcome.missed:
            print(f"    missed: {where}")
        for where in outcome.false_alarms:
            print(f"    false alarm: {where}")
    for outcome in prose:
        if not outcome.killed:
            print(f"{outcome.name} {outcome.what}: SURVIVED {outcome.flagged}")
    print(f"\nprose: {sum(o.killed for o in prose)}/{len(prose)} one-digit edits caught at their line "
          f"(every {args.every}th checked literal), kill rate {kill_rate(prose):.0%}")
    print(f"lab:   {sum(o.killed for o in lab)}/{len(lab)} constant changes caught, kill rate {kill_rate(lab):.0%}")
    return 0 if kill_rate(prose) == kill_rate(lab) == 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
