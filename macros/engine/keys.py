"""Lab keys such as ``mse.grad_W[0,0]``: parsed with a regular expression, never evaluated.

A key is ``experiment.field`` with an optional index: ``[i]``, ``[i,j]`` (negative indices count
from the end). The field must be a field of the experiment's result dataclass.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass
from typing import Any

_KEY = re.compile(r"([a-z_][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)(?:\[\s*(-?\d+(?:\s*,\s*-?\d+)*)\s*\])?")


class LabKeyError(LookupError):
    """A key that does not name a lab value; the message says what would."""


@dataclass(frozen=True)
class Key:
    experiment: str
    field: str
    index: tuple[int, ...]

    def __str__(self) -> str:
        suffix = f"[{','.join(map(str, self.index))}]" if self.index else ""
        return f"{self.experiment}.{self.field}{suffix}"


def parse_key(text: str) -> Key:
    match = _KEY.fullmatch(text.strip())
    if not match:
        raise LabKeyError(f"'{text}' is not a lab key; write experiment.field or experiment.field[i,j]")
    experiment, field, index = match.groups()
    parsed = tuple(int(part) for part in index.split(",")) if index else ()
    return Key(experiment, field, parsed)


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.5)
    return f" Did you mean {', '.join(close)}?" if close else f" Known: {', '.join(options)}."


def resolve(key: Key, results: dict[str, Any]) -> Any:
    """Return the lab value (float or array) a key names, or raise LabKeyError with suggestions."""
    import numpy as np

    if key.experiment not in results:
        raise LabKeyError(f"{key}: no experiment '{key.experiment}' in lab/registry.py."
                          + _suggest(key.experiment, list(results)))
    result = results[key.experiment]
    names = [f.name for f in dataclasses.fields(result)]
    if key.field not in names:
        options = [f"{key.experiment}.{n}" for n in names]
        raise LabKeyError(f"'{key.experiment}' has no value '{key.field}'."
                        + _suggest(f"{key.experiment}.{key.field}", options))
    value = getattr(result, key.field)
    if not key.index:
        return value
    array = np.asarray(value)
    if len(key.index) > array.ndim:
        raise LabKeyError(f"{key} has {len(key.index)} indices but "
                        f"{key.experiment}.{key.field} has shape {array.shape}")
    try:
        return array[key.index]
    except IndexError:
        shape = array.shape
        raise LabKeyError(f"{key} is out of range: {key.experiment}.{key.field} has shape {shape}") from None
