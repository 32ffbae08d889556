"""Where in lab/ an exception came from, so errors name a lab file and line, not a traceback."""

from __future__ import annotations

import inspect
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.runner.parallel import ended

LAB_DIR = Path(__file__).resolve().parent.parent


WATCHERS = frozenset({"failures.py", "guard.py", "limits.py", "sealed.py", "parallel.py"})
"""Files of lab/runner/ that only watch lab code run: even a failure in the registry itself is
located past them."""


def _machinery(file: str) -> bool:
    """Whether ``file`` runs, caches or collects the author's code (a failure is located past it)."""
    return file == "lab/registry.py" or file.startswith("lab/runner/")


def _watcher(file: str) -> bool:
    return file.startswith("lab/runner/") and file.rpartition("/")[2] in WATCHERS


@dataclass(frozen=True)
class LabFailure:
    """An exception raised in lab code: the innermost lab frame, a one-line summary, the lab frames."""

    file: str
    line: int
    summary: str
    trace: str
    stage: str = "run"  # "import": its module could not be imported; "run": it raised; "complete": the summary says all

    def describe(self) -> str:
        return f"{self.file}:{self.line}: {self.summary}"


def defined_at(function: Callable[..., Any]) -> tuple[str, int]:
    """The lab file and line where ``function`` (unwrapped from its decorators) is defined."""
    function = inspect.unwrap(function)
    return lab_path(Path(inspect.getsourcefile(function) or "lab")), function.__code__.co_firstlineno


def without_result(code: int) -> str:
    """What a worker that ended with ``code`` while it ran lab code, without handing back a result, says."""
    return f"{ended(code)}, without a result: lab code must return, not exit, crash or loop"


def lab_path(path: Path) -> str:
    """``lab/<path inside the lab>`` for a file of the lab; any other path as it is."""
    path = path.resolve()
    return f"lab/{path.relative_to(LAB_DIR).as_posix()}" if path.is_relative_to(LAB_DIR) else str(path)


class LabDefinitionError(ValueError):
    """A mistake in how the lab is put together (a name defined twice, say), located at the line that
    makes it rather than at the lab code that noticed."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(message)
        self.path, self.line = path, line


_HINTS = {
    SystemExit: "an experiment, figure or table must return, not exit",
    KeyboardInterrupt: "the run was interrupted (Ctrl-C, or KeyboardInterrupt raised by lab code)",
}


def locate(error: BaseException, stage: str = "run") -> LabFailure:
    """The innermost lab frame of ``error``, or the line a syntax error or a LabDefinitionError names."""
    frames = traceback.extract_tb(error.__traceback__)
    inside = [f for f in frames if Path(f.filename).resolve().is_relative_to(LAB_DIR)]
    # The machinery that runs the lab is not where an author's mistake is, unless nothing else is.
    inside = [f for f in inside if not _machinery(lab_path(Path(f.filename)))] or \
        [f for f in inside if not _watcher(lab_path(Path(f.filename)))] or inside or frames[-1:]
    summary = "".join(traceback.format_exception_only(error)).strip() or type(error).__name__
    hint = next((text for kind, text in _HINTS.items() if isinstance(error, kind)), "")
    if hint:
        summary = f"{summary} ({hint})"
    trace = "".join(traceback.format_list(inside))
    if type(error).__name__ == "TimeLimitError":  # lab/runner/limits.py: the message says what ran too long
        summary, stage = str(error), "complete"
    if isinstance(error, SyntaxError) and error.filename:  # the file that could not be compiled
        summary = f"{type(error).__name__}: {error.msg}"
        return LabFailure(lab_path(Path(error.filename)), error.lineno or 0, summary, "", stage)
    if isinstance(error, LabDefinitionError):
        return LabFailure(lab_path(error.path), error.line, str(error), trace, stage)
    if not inside:
        return LabFailure("lab", 0, summary, trace, stage)
    return LabFailure(lab_path(Path(inside[-1].filename)), inside[-1].lineno or 0, summary, trace, stage)
