"""CSV files the lab writes, one module per article; each module has a ``TABLES`` dict mapping
a file name to a row builder (results -> rows of strings, header first)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from lab.runner.collect import collect

TABLES: dict[str, Callable[[dict[str, Any]], list[list[str]]]] = collect(__name__, __path__, "TABLES")
"""CSV file name -> row builder. The first row is the header."""

TOLERANCES: dict[str, dict[str, str]] = collect(__name__, __path__, "TOLERANCES")
"""CSV file name -> column -> the tolerance within which that column may differ from machine to
machine (see lab/runner/compare.py). Every column not listed must agree digit for digit; the portability
check (``python -m macros check --portable``) finds the columns that need one."""


def to_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
