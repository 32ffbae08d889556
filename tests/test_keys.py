"""Lab keys are parsed by a regular expression and resolved against dataclass fields only."""

from __future__ import annotations

import numpy as np
import pytest

from lab.registry import run_all
from macros.engine.keys import Key, LabKeyError, parse_key, resolve

RESULTS = run_all()


def test_parse_key_reads_experiment_field_and_index() -> None:
    assert parse_key("mse.grad_W[1, 2]") == Key("mse", "grad_W", (1, 2))
    assert parse_key("mse.loss") == Key("mse", "loss", ())
    assert str(parse_key("mse.grad_W[ -1 ,0]")) == "mse.grad_W[-1,0]"


def test_resolve_returns_entries_rows_and_whole_values() -> None:
    assert resolve(parse_key("mse.grad_W[1,1]"), RESULTS) == pytest.approx(-2.5)
    np.testing.assert_allclose(resolve(parse_key("mse.grad_W[0]"), RESULTS), [0.3, -0.4, 0.1])
    assert resolve(parse_key("mse.grad_W"), RESULTS).shape == (2, 3)


@pytest.mark.parametrize(("key", "message"), [
    ("mse.grad_w[0,0]", "Did you mean mse.grad_b, mse.grad_W"),
    ("mes.grad_W", "Did you mean mse"),
    ("mse.grad_W[5,0]", "out of range"),
    ("mse.loss[0]", "has 1 indices"),
])
def test_unknown_keys_get_suggestions(key: str, message: str) -> None:
    with pytest.raises(LabKeyError, match=message):
        resolve(parse_key(key), RESULTS)


@pytest.mark.parametrize("key", [
    "__import__('os').system('true')",
    "mse.__class__",
    "mse.grad_W[0:1]",
    "mse.run()",
    "mse.grad_W.T",
])
def test_anything_but_a_plain_key_is_rejected_unevaluated(key: str) -> None:
    with pytest.raises(LabKeyError):
        resolve(parse_key(key), RESULTS)


def test_only_dataclass_fields_resolve_not_other_attributes() -> None:
    with pytest.raises(LabKeyError):
        resolve(parse_key("mse.__dataclass_fields__"), RESULTS)
