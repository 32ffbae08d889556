"""The build's way of running the lab (in parallel, one BLAS thread per worker, through the cache)
gives bit for bit the results of running each experiment plainly."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import macros.check.lab_results as lab_results_module
from lab.registry import run_all


def assert_identical(left: object, right: object, where: str = "") -> None:
    """Equal bit for bit, through nested dataclasses, lists, tuples and dicts."""
    assert type(left) is type(right), where
    if dataclasses.is_dataclass(left):
        for field in dataclasses.fields(left):
            assert_identical(getattr(left, field.name), getattr(right, field.name), f"{where}.{field.name}")
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for key in left:
            assert_identical(left[key], right[key], f"{where}[{key!r}]")
    elif isinstance(left, (list, tuple)):
        assert len(left) == len(right), where
        for index, (a, b) in enumerate(zip(left, right, strict=True)):
            assert_identical(a, b, f"{where}[{index}]")
    else:
        a, b = np.asarray(left), np.asarray(right)
        assert a.dtype == b.dtype, where
        assert a.tobytes() == b.tobytes(), where


def test_parallel_cold_run_matches_a_plain_run(tmp_path: Path) -> None:
    results, errors = lab_results_module.lab_results(tmp_path / "cache")
    assert errors == {}
    plain = run_all()
    assert list(results) == list(plain)
    for name in plain:
        assert_identical(results[name], plain[name], name)
    assert len(list((tmp_path / "cache").glob("*.npz"))) >= 6  # the workers filled the cache


def test_a_warm_run_runs_only_what_the_cache_cannot_hold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lab_results_module.lab_results(tmp_path / "cache")
    cached = {path.name.split("-")[0] for path in (tmp_path / "cache").glob("*.npz")}
    assert len(cached) >= 6  # every experiment whose result is plain arrays and numbers
    ran = []
    original = lab_results_module._run_one
    monkeypatch.setattr(lab_results_module, "_run_one", lambda *args: ran.append(args[0]) or original(*args))
    results, errors = lab_results_module.lab_results(tmp_path / "cache")
    assert errors == {}
    assert len(results) == len(run_all())
    assert not set(ran) & cached
