"""Gather the ``FIGURES`` or ``TABLES`` dicts of every module in a package into one registry."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lab.runner.failures import LabDefinitionError


def collect(package: str, path: Iterable[str], attribute: str) -> dict[str, Any]:
    """Merge ``module.<attribute>`` of each module of ``package``, in module-name order.

    A name defined by two modules is an error: the second would silently replace the first.
    """
    merged: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(list(path)), key=lambda info: info.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, item in getattr(module, attribute, {}).items():
            if name in merged:
                path = Path(module.__file__ or "")
                raise LabDefinitionError(path, _line_naming(path, name, attribute),
                                         f"{attribute} entry '{name}' is already defined in {owner[name]}; "
                                         "give one of them another name")
            merged[name], owner[name] = item, module.__name__
    return merged


def _line_naming(path: Path, name: str, attribute: str) -> int:
    """The first line of ``path`` that writes ``name`` as a string, else the one that names ``attribute``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for wanted in (rf"""["']{re.escape(name)}["']""", rf"\b{attribute}\b"):
        found = next((n for n, line in enumerate(lines, start=1) if re.search(wanted, line)), None)
        if found:
            return found
    return 1
