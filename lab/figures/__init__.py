"""Figures drawn from lab results, one module per article; each module has a ``FIGURES`` dict.

Text inside a figure is symbols and numbers only, so one SVG serves both languages; captions
live in the pages. Drawing helpers are in ``lab.plotting``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.collect import collect
from lab.plotting import to_svg

FIGURES: dict[str, Callable[[dict[str, Any]], Any]] = collect(__name__, __path__, "FIGURES")
"""Figure name -> draw function taking all lab results and returning a matplotlib figure."""

__all__ = ["FIGURES", "to_svg"]
