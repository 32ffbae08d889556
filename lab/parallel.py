"""Run independent drawing jobs on every core. Each job is a module-level function and its
arguments; results come back in the order of the jobs, so outputs stay deterministic."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def run_parallel(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]]) -> list[Any]:
    """``[function(*job) for job in jobs]``, spread over the machine's cores when there is more than one job."""
    workers = min(len(jobs), os.cpu_count() or 1)
    if workers <= 1:
        return [function(*job) for job in jobs]
    # fork: the workers inherit the loaded lab and its results instead of importing them again.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_die_with, initargs=(os.getpid(),)) as pool:
        return list(pool.map(function, *zip(*jobs, strict=True)))


def _die_with(parent: int) -> None:
    """Make this worker end when the build that started it ends, even when that build is killed: no
    worker goes on computing for nobody (Linux's parent-death signal; elsewhere nothing changes)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build died before the signal was armed
        os._exit(1)


def one_blas_thread() -> Any:
    """A context in which BLAS uses one thread. Every run of the lab goes through it: a product split
    between threads may be summed in another order, so a build that ran one experiment, a cold build
    that ran all of them side by side and the bundle's rerun all get the same last bits."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
