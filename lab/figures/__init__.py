"""Figures drawn from lab results, one module per article; each module has a ``FIGURES`` dict.

Text inside a figure is symbols and numbers only, so one SVG serves both languages; captions
live in the pages. Drawing helpers are in ``lab.plotting``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.plotting import to_svg
from lab.runner.collect import collect

FIGURES: dict[str, Callable[[dict[str, Any]], Any]] = collect(__name__, __path__, "FIGURES")
"""Figure name -> draw function taking all lab results and returning a matplotlib figure."""

MACHINE_DEPENDENT: dict[str, str] = collect(__name__, __path__, "MACHINE_DEPENDENT")
"""Figure name -> why its lines differ from machine to machine (it plots a chaotic quantity). The
comparison of a rerun reports such a figure as varying instead of failing (lab/runner/compare.py)."""

__all__ = ["FIGURES", "MACHINE_DEPENDENT", "to_svg"]
