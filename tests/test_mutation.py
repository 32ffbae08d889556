"""Mutation testing as a test: every lab mutant in tools/mutation.py is killed, precisely.

(Prose mutants, one-digit edits to every checked literal, are tests/test_one_digit_edit.py.)
"""

from __future__ import annotations

import pytest

from tools.mutation import LAB_MUTANTS, Outcome, baseline, judge, kill_rate, prose_outcomes, run_lab_mutant


@pytest.fixture(scope="module")
def lab_outcomes(tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    scratch = tmp_path_factory.mktemp("mutants")
    base, before = baseline(scratch / "base")
    return [run_lab_mutant(base, before, mutant, scratch / mutant.experiment) for mutant in LAB_MUTANTS]


def test_every_experiment_has_a_lab_mutant() -> None:
    from lab.registry import EXPERIMENTS

    assert {m.experiment for m in LAB_MUTANTS} == set(EXPERIMENTS)


@pytest.mark.parametrize("index", range(len(LAB_MUTANTS)), ids=[m.experiment for m in LAB_MUTANTS])
def test_a_changed_lab_constant_fails_exactly_the_numbers_that_moved(lab_outcomes: list[Outcome], index: int) -> None:
    outcome = lab_outcomes[index]
    assert outcome.flagged, f"{outcome.name} ({outcome.what}) survived: no number was reported"
    assert outcome.missed == [], "numbers that moved past their last digit went unreported"
    assert outcome.false_alarms == [], "numbers whose lab value did not move were reported"
    experiment = LAB_MUTANTS[index].experiment
    assert all(where.startswith("docs/") for where in outcome.flagged)
    assert outcome.killed
    assert experiment in outcome.name


def test_the_lab_kill_rate_is_100_percent(lab_outcomes: list[Outcome]) -> None:
    assert kill_rate(lab_outcomes) == 1.0


def test_a_sample_of_prose_edits_is_killed_at_its_line() -> None:
    outcomes = prose_outcomes(every=25)
    assert len(outcomes) >= 20
    assert kill_rate(outcomes) == 1.0


def test_the_judge_catches_a_checker_that_misses_or_cries_wolf() -> None:
    """Negative control: a verdict that does not follow the value is a surviving mutant."""
    before = [{"page": "docs/en/a.md", "line": 3, "key": "mse.loss", "written": "0.801", "kind": "check",
               "computed": "0.80125", "verdict": "ok"},
              {"page": "docs/en/a.md", "line": 4, "key": "mse.x[0]", "written": "1.5", "kind": "check",
               "computed": "1.5", "verdict": "ok"}]
    moved = [dict(before[0], computed="0.9"), before[1]]  # the loss moved by 0.099 > 0.001
    assert not judge("m", "", before, moved).killed  # the checker said ok: a miss
    assert judge("m", "", before, [dict(moved[0], verdict="stale"), before[1]]).killed
    alarm = [dict(moved[0], verdict="stale"), dict(before[1], verdict="stale")]
    assert judge("m", "", before, alarm).false_alarms == ["docs/en/a.md:4 (mse.x[0])"]


def test_the_judge_holds_approximate_numbers_and_bounds_to_their_stated_tolerance() -> None:
    base = {"page": "docs/en/a.md", "key": "spiral.net_loss_rises", "verdict": "ok"}
    rises = dict(base, line=5, kind="approx", written="2,200", tolerance="100")
    noise = dict(base, line=6, key="matmul.max_check_rel_error", kind="below", written="5e-8", tolerance="<5e-8")
    inside = [dict(rises, computed="2290"), dict(noise, computed="4e-8")]
    assert judge("m", "", [], inside).missed == []
    outside = [dict(rises, computed="2310"), dict(noise, computed="6e-8")]
    assert judge("m", "", [], outside).missed == ["docs/en/a.md:5 (spiral.net_loss_rises)",
                                                   "docs/en/a.md:6 (matmul.max_check_rel_error)"]
    assert judge("m", "", [], [dict(c, verdict="stale") for c in outside]).killed
    assert judge("m", "", [], [dict(c, verdict="stale") for c in inside]).false_alarms == \
        ["docs/en/a.md:5 (spiral.net_loss_rises)", "docs/en/a.md:6 (matmul.max_check_rel_error)"]
