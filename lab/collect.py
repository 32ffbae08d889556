"""Gather the ``FIGURES`` or ``TABLES`` dicts of every module in a package into one registry."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from typing import Any


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
                raise ValueError(f"{attribute} entry '{name}' is defined in both "
                                 f"{owner[name]} and {module.__name__}")
            merged[name], owner[name] = item, module.__name__
    return merged
