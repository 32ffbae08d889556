"""The lab's disk cache: hits reproduce results exactly; anything odd is recomputed, never trusted."""

from __future__ import annotations

import dataclasses
import io
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from lab import mse
from lab.runner import cache


@dataclasses.dataclass(frozen=True)
class Sample:
    grid: np.ndarray
    loss: float
    steps: int
    converged: bool
    label: str
    scalar: np.float64


calls: list[int] = []


def run_sample() -> Sample:
    calls.append(1)
    return Sample(np.arange(6.0).reshape(2, 3) / 7, 0.1 + 0.2, 3, True, "ok", np.float64(2.5))


def assert_same(a: object, b: object) -> None:
    for field in dataclasses.fields(a):
        x, y = getattr(a, field.name), getattr(b, field.name)
        assert type(x) is type(y), field.name
        np.testing.assert_array_equal(x, y)


def test_a_hit_returns_the_same_values_and_types_without_running(tmp_path: Path) -> None:
    calls.clear()
    first = cache.cached_run("sample", run_sample, tmp_path)
    second = cache.cached_run("sample", run_sample, tmp_path)
    assert len(calls) == 1
    assert_same(first, second)
    assert_same(cache.cached_run("mse", mse.run, tmp_path), cache.cached_run("mse", mse.run, tmp_path))


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "foreign"])
def test_a_damaged_or_foreign_entry_is_recomputed_and_replaced(tmp_path: Path, damage: str) -> None:
    calls.clear()
    cache.cached_run("sample", run_sample, tmp_path)
    (entry,) = tmp_path.glob("sample-*.npz")
    data = entry.read_bytes()
    if damage == "truncate":
        entry.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        entry.write_bytes(b"not a cache entry" * 10)
    elif damage == "empty":
        entry.write_bytes(b"")
    else:  # a valid entry of another experiment under this name
        cache.store(entry, "some-other-key", run_sample())
    calls.clear()
    result = cache.cached_run("sample", run_sample, tmp_path)
    assert len(calls) == 1
    assert_same(result, run_sample())
    assert cache.load(entry, cache.source_key(run_sample), Sample) is not None


def test_key_follows_the_lab_modules_an_experiment_imports(tmp_path: Path, monkeypatch) -> None:
    lab_copy = tmp_path / "lab"
    shutil.copytree(cache._LAB_ROOT, lab_copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_LAB_ROOT", lab_copy)
    before = cache.source_key(mse.run)
    (lab_copy / "plotting.py").write_text("# an unrelated module changed\n")
    assert cache.source_key(mse.run) == before
    gradcheck = lab_copy / "gradcheck.py"
    gradcheck.write_text(gradcheck.read_text() + "\n# an imported module changed\n")
    assert cache.source_key(mse.run) != before


@pytest.mark.parametrize("form", [
    "from .probe_helper import VALUE", "from . import probe_helper", "from lab import probe_helper",
    "from lab.probe_helper import VALUE", "import lab.probe_helper as helper", "import lab.probe_helper",
    "import importlib\nhelper = importlib.import_module('lab.probe_helper')",
    "from importlib import import_module\nhelper = import_module('.probe_helper', 'lab')",
    "import importlib\nname = 'lab.' + 'probe_helper'\nhelper = importlib.import_module(name)",
    "import importlib\nhelper = importlib.import_module(name='lab.probe_helper')",
    "from importlib import import_module as load\nhelper = load('lab.probe_helper')",
    "import importlib\nhelper = getattr(importlib, 'import_module')('lab.probe_helper')",
])
def test_key_follows_every_import_form(tmp_path: Path, monkeypatch, form: str) -> None:
    lab_copy = tmp_path / "lab"
    shutil.copytree(cache._LAB_ROOT, lab_copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache, "_LAB_ROOT", lab_copy)
    (lab_copy / "probe_helper.py").write_text("VALUE = 1.0\n")
    (lab_copy / "mse.py").write_text(f"{form}\n" + (lab_copy / "mse.py").read_text())
    before = cache.source_key(mse.run)
    (lab_copy / "probe_helper.py").write_text("VALUE = 2.0\n")
    assert cache.source_key(mse.run) != before


def test_an_entry_edited_by_hand_is_recomputed_not_used(tmp_path: Path) -> None:
    from lab.runner.sealed import MAGIC

    cache.cached_run("sample", run_sample, tmp_path)
    (entry,) = tmp_path.glob("sample-*.npz")
    data = entry.read_bytes()
    head = len(MAGIC) + 32
    with np.load(io.BytesIO(data[head:]), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["loss"] = np.asarray(99.0)
    edited = io.BytesIO()
    np.savez(edited, **arrays)
    entry.write_bytes(data[:head] + edited.getvalue())  # the checksum of the old payload stays
    calls.clear()
    result = cache.cached_run("sample", run_sample, tmp_path)
    assert len(calls) == 1
    assert result.loss == run_sample().loss


@pytest.mark.parametrize("how", ["edited", "truncated", "deleted"])
def test_a_damaged_compiled_template_is_compiled_again(tmp_path: Path, how: str) -> None:
    import jinja2

    from macros.check.render import SealedBytecodeCache

    def render() -> str:
        env = jinja2.Environment(loader=jinja2.DictLoader({"p": "{{ 6 * 7 }} and {{ 'x' * 3 }}"}),
                                 bytecode_cache=SealedBytecodeCache(tmp_path))
        return env.get_template("p").render()

    assert render() == "42 and xxx"
    (entry,) = tmp_path.glob("*.cache")
    data = entry.read_bytes()
    if how == "edited":
        entry.write_bytes(data.replace(b"xxx", b"yyy") if b"xxx" in data else data[:-9] + bytes(9))
    elif how == "truncated":
        entry.write_bytes(data[: len(data) // 2])
    else:
        entry.unlink()
    assert render() == "42 and xxx"
    assert render() == "42 and xxx"


def test_results_that_cannot_be_stored_safely_are_not_cached(tmp_path: Path) -> None:
    @dataclasses.dataclass(frozen=True)
    class Odd:
        things: list

    assert not cache.store(tmp_path / "odd.npz", "k", Odd([1, "a"]))
    assert not (tmp_path / "odd.npz").exists()
    assert list(tmp_path.iterdir()) == []


def test_concurrent_writers_leave_one_valid_entry(tmp_path: Path) -> None:
    threads = [threading.Thread(target=cache.cached_run, args=("mse", mse.run, tmp_path)) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entries = list(tmp_path.iterdir())
    assert len(entries) == 1
    assert cache.load(entries[0], cache.source_key(mse.run), mse.MSEResult) is not None


def test_rendered_pages_round_trip_and_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    from macros.check.page_cache import PageCache, RenderedPage
    from macros.engine.claims import Claim

    cache = PageCache(tmp_path, "context")
    page = RenderedPage("# Title\nW00=0.300000\n", [("q?", "a.")],
                        [Claim("docs/en/p.md", 2, "value", "mse.grad_W[0,0]", "", "0.3", "ok", "printed")])
    key = cache.key("docs/en/p.md", "source text")
    assert key != cache.key("docs/en/p.md", "source text!")
    assert key != PageCache(tmp_path, "other context").key("docs/en/p.md", "source text")
    cache.store(key, page)
    assert cache.load(key) == page
    (tmp_path / f"{key}.json").write_text('{"key": "')
    assert cache.load(key) is None


def test_a_result_computed_with_another_machines_kernels_is_not_reused(tmp_path: Path, monkeypatch) -> None:
    """A cache restored from another kind of machine (a CI cache, a shared .cache) is a miss here."""
    calls.clear()
    monkeypatch.setattr(cache, "signature", lambda: "another-cpu")
    foreign = cache.source_key(run_sample)
    elsewhere = dataclasses.replace(run_sample(), loss=0.25)  # what other kernels might have computed
    path, _, _ = cache._entry("sample", run_sample, tmp_path)
    assert cache.store(path, foreign, elsewhere)
    monkeypatch.undo()
    assert cache.source_key(run_sample) != foreign
    assert cache.cached_run("sample", run_sample, tmp_path).loss == 0.1 + 0.2
    assert len(calls) == 2


def test_the_machine_signature_follows_the_kernel_settings() -> None:
    from lab.runner.machine import signature

    here = signature({})
    assert signature({}) == here
    for name in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "OPENBLAS_NUM_THREADS"):
        assert signature({name: "x"}) != here, name
    assert signature({"UNRELATED": "x"}) == here
