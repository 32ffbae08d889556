"""Where in lab/ an exception came from, so errors name a lab file and line, not a traceback."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from pathlib import Path

LAB_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class LabFailure:
    """An exception raised in lab code: the innermost lab frame, a one-line summary, the lab frames."""

    file: str
    line: int
    summary: str
    trace: str

    def describe(self) -> str:
        return f"{self.file}:{self.line}: {self.summary}"


def lab_path(path: Path) -> str:
    """``lab/<path inside the lab>`` for a file of the lab; any other path as it is."""
    path = path.resolve()
    return f"lab/{path.relative_to(LAB_DIR).as_posix()}" if path.is_relative_to(LAB_DIR) else str(path)


def locate(error: BaseException) -> LabFailure:
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(LAB_DIR)] or frames[-1:]
    file = lab_path(Path(inside[-1].filename))
    summary = "".join(traceback.format_exception_only(error)).strip()
    return LabFailure(file, inside[-1].lineno or 0, summary, "".join(traceback.format_list(inside)))
