"""Time limits on lab code and page rendering, so an endless loop ends the build with a located
message instead of running forever.

A limit is a SIGALRM timer, so it works in the main thread of a process (a build, a check, a lab
worker) and is skipped elsewhere. It interrupts Python code, including a loop between NumPy calls;
a single NumPy call that runs for hours is interrupted when it returns. The limits are generous by
default and set with environment variables (seconds; 0 turns a limit off).
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

LIMITS = {"lab": ("LAB_CODE_SECONDS", 900.0), "page": ("LAB_PAGE_SECONDS", 120.0)}
"""What is limited -> (the environment variable that sets the limit, its default in seconds): one run
of an experiment, a figure or a table; the rendering of one page."""


class TimeLimitError(BaseException):
    """Lab code or a page ran past its limit. A BaseException, so that ``except Exception`` in the
    code that is stopped does not swallow it."""


def seconds(what: str) -> float:
    variable, default = LIMITS[what]
    try:
        return max(float(os.environ.get(variable, default)), 0.0)
    except ValueError:
        return default


@contextmanager
def time_limit(what: str, label: str) -> Iterator[None]:
    """Raise TimeLimitError in this block when it runs longer than the limit for ``what``; ``label``
    names the work in the message ("experiment 'mse'", "page docs/en/a.md"). An outer
    limit (a page that made an experiment run) is paused meanwhile and resumes where it was."""
    limit = seconds(what)
    if limit <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    variable = LIMITS[what][0]

    def stop(signum: int, frame: object) -> None:
        raise TimeLimitError(f"{label} ran longer than {limit:g} s (the limit is set by {variable}; "
                             "an endless loop, or a size far larger than needed?)")

    outer_handler = signal.signal(signal.SIGALRM, stop)
    outer_left, _ = signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_left > 0:
            signal.setitimer(signal.ITIMER_REAL, outer_left)

