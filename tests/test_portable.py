"""The portability check: every written number whose digits another CPU would change is found,
at its file and line in both languages; a number that holds everywhere is not."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lab import spiral
from macros.check.portable import advice, portability_claims, spreads
from macros.engine.claims import OK, STALE, Claim, Report
from tests.conftest import copy_project


def claim(line: int, kind: str, key: str, written: str, computed: str, verdict: str = OK, message: str = "") -> Claim:
    return Claim("docs/en/p.md", line, kind, key, written, computed, verdict, message)


def test_a_number_that_fails_under_a_perturbation_is_reported_with_its_spread() -> None:
    here = Report([claim(1, "check", "s.rises", "2197", "2197"),
                   claim(2, "check", "s.loss", "0.2431", "0.24307"),
                   claim(3, "value", "s.err", "", "2.1e-11", message="printed s.err as 2.1e-11")])
    there = Report([claim(1, "check", "s.rises", "2197", "2223", STALE),
                    claim(2, "check", "s.loss", "0.2431", "0.24308"),
                    claim(3, "value", "s.err", "", "1.4e-10", message="printed s.err as 1.4e-10")])
    found = spreads(here, {"nudge-1": there, "blas-1": here})
    assert [(s.claim.line, s.broken) for s in found] == [(1, ["nudge-1"]), (3, ["nudge-1"])]
    message = advice(found[0])
    assert "written 2197 (s.rises) does not hold on every machine" in message
    assert "2197 to 2223" in message
    assert 'approx("s.rises", "…", tol=100)' in message
    assert 'below("s.err", "5e-10")' in advice(found[1])


def test_an_experiment_that_fails_under_a_perturbation_is_reported_at_its_lab_line() -> None:
    problems = portability_claims(Report(), {}, {"nudge-2": {"spiral": "lab/spiral.py:12: AssertionError"}})
    assert [(p.page, p.line) for p in problems] == [("lab/spiral.py", 12)]
    assert "fails when its arithmetic is perturbed (nudge-2)" in problems[0].message


def probe_page(chaotic: spiral.SpiralResult) -> str:
    """Two over-precise chaotic numbers (lines 3, 4) and three stable ones at full precision (5-7)."""
    return ("# Probe\n\n"
            f'Rising steps: {{{{ check("spiral.net_loss_rises", "{chaotic.net_loss_rises}") }}}}.\n'
            f'Final loss: {{{{ check("spiral.net_final_loss", "{chaotic.net_final_loss:.9f}") }}}}.\n'
            f'ln 3 = {{{{ check("spiral.ln_classes", "{chaotic.ln_classes:.12f}") }}}}.\n'
            '{{ check("mse.grad_W[1,1]", "-2.500000") }} and {{ value("mse.grad_W[0,0]", ".6f") }}.\n'
            'Samples: {{ check("spiral.n_samples", "300") }}.\n')


def test_the_check_flags_over_precise_chaotic_numbers_in_both_languages_and_nothing_else(tmp_path: Path) -> None:
    """Negative control included: the stable numbers of the probe and every number of the real site
    must pass, while the probe's over-precise chaotic numbers must be reported at their lines."""
    project = copy_project(tmp_path / "project")
    page = probe_page(spiral.run())
    for lang in ("en", "zh"):
        (project / "docs" / lang / "portable-probe.md").write_text(page, encoding="utf-8")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-m", "macros", "check", "--portable"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=1800, check=False)
    assert result.returncode == 1, result.stderr[-3000:]
    reported = sorted(line.split(": ", 1)[0] for line in result.stderr.splitlines()
                      if "does not hold on every machine" in line or "fails when its arithmetic" in line)
    assert reported == [f"docs/{lang}/portable-probe.md:{n}" for lang in ("en", "zh") for n in (3, 4)], \
        result.stderr[-3000:]
    assert "4 problem(s)" in result.stderr


def test_bounds_and_approximate_numbers_need_headroom_even_on_this_machine() -> None:
    """Another machine's noise may be larger than any seen here: a bound holding with less than
    HEADROOM to spare, or an approximate number using more than a third of its tolerance, is reported."""
    tight = Claim("docs/en/p.md", 1, "below", "s.err", "5e-8", "2e-8", OK, "", "<5e-8")
    roomy = Claim("docs/en/p.md", 2, "below", "s.err", "1e-7", "2e-8", OK, "", "<1e-7")
    near_edge = Claim("docs/en/p.md", 3, "approx", "s.rises", "2,200", "2240.0", OK, "", "100")
    centred = Claim("docs/en/p.md", 4, "approx", "s.rises", "2,200", "2230.0", OK, "", "100")
    here = Report([tight, roomy, near_edge, centred])
    found = spreads(here, {"nudge-1": here})
    assert [(s.claim.line, s.broken[0]) for s in found] == [(1, "this machine"), (3, "this machine")]
    assert "raise the bound to at least 1e-07" in advice(found[0])
