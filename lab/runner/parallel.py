"""Run independent jobs on every core, each in a process of its own. Each job is a module-level
function and its arguments; results come back in the order of the jobs, so outputs stay
deterministic.

Jobs run in forked workers even when there is only one: lab code that ends its process
(``os._exit``, a crash in C code) then ends only a worker, and the build reports the job it was
running instead of vanishing with exit code 0. A worker also ends when the build that started it
is killed.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import selectors
import signal
import struct
import time
from collections.abc import Callable, Sequence
from typing import Any

_REAL_EXIT = os._exit  # kept: lab/runner/guard.py turns os._exit into an error while lab code runs


class ProcessDiedError(RuntimeError):
    """A job's process ended without handing back a result."""


TIMED_OUT = -1000
"""The code ``died`` receives for a job whose worker was stopped at its deadline."""


def ended(code: int) -> str:
    """How a worker ended, in words, for a message."""
    if code == TIMED_OUT:
        return "it ran past its time limit and did not stop when told to (does it catch every exception?)"
    return f"its process ended ({f'exit code {code}' if code >= 0 else f'signal {-code}'})"


def run_parallel(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]],
                 died: Callable[[tuple[Any, ...], int], Any] | None = None,
                 deadline: float | None = None) -> list[Any]:
    """``[function(*job) for job in jobs]``, in forked worker processes, as many as there are cores
    (and jobs). Each worker takes the next job when it hands back a result. A worker that ends
    without handing back its job's result (exit code, or minus the signal) gives ``died(job, code)``
    for that job, or raises ProcessDiedError when ``died`` is None; a new worker takes the remaining
    jobs. An exception ``function`` raises is raised again here. A job still running ``deadline``
    seconds after it started has its worker killed, and counts as died with code TIMED_OUT."""
    results: list[Any] = [None] * len(jobs)
    queue = list(range(len(jobs)))
    workers: dict[int, _Worker] = {}  # read end of the result pipe -> worker
    parent = os.getpid()
    limit = max(1, min(len(jobs), os.cpu_count() or 1))
    with selectors.DefaultSelector() as selector:
        while queue or workers:
            while queue and len(workers) < limit:
                worker = _Worker.start(function, jobs, parent)
                workers[worker.results] = worker
                selector.register(worker.results, selectors.EVENT_READ)
                worker.give(queue.pop(0))
            now = time.monotonic()
            for worker in workers.values():
                if deadline and worker.current is not None and now - worker.started > deadline and not worker.killed:
                    worker.killed = True
                    os.kill(worker.pid, signal.SIGKILL)  # its pipe closes: handled below as a death
            for key, _ in selector.select(timeout=1.0 if deadline else None):
                worker = workers[key.fd]
                chunk = os.read(worker.results, 1 << 16)
                if chunk:
                    worker.buffer += chunk
                    for index, (ok, value) in worker.finished():
                        if not ok:
                            for other in workers.values():
                                other.stop()
                            raise value
                        results[index] = value
                        if queue:
                            worker.give(queue.pop(0))
                        else:
                            worker.close_tasks()
                    continue
                selector.unregister(worker.results)
                del workers[worker.results]
                code = TIMED_OUT if worker.killed else worker.end()
                if worker.killed:
                    worker.end()
                if worker.current is not None:  # it died with a job in hand
                    if died is None:
                        raise ProcessDiedError(f"running {function.__name__}: {ended(code)}, without a result")
                    results[worker.current] = died(jobs[worker.current], code)
    return results


class _Worker:
    """One forked worker: job numbers go in through one pipe, pickled outcomes come back through another."""

    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.buffer = bytearray()
        self.current: int | None = None
        self.started = 0.0
        self.killed = False

    @staticmethod
    def start(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], parent: int) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: the jobs were inherited with the fork; run the ones the build sends
            os.close(task_write)
            os.close(result_read)
            _serve(function, jobs, task_read, result_write, parent)
        os.close(task_read)
        os.close(result_write)
        return _Worker(pid, task_write, result_read)

    def give(self, index: int) -> None:
        self.current, self.started = index, time.monotonic()
        os.write(self.tasks, struct.pack("<q", index))

    def close_tasks(self) -> None:
        if self.tasks >= 0:
            os.close(self.tasks)
            self.tasks = -1

    def finished(self) -> list[tuple[int, tuple[bool, Any]]]:
        """The outcomes received whole so far."""
        done = []
        while len(self.buffer) >= 8:
            size = struct.unpack("<q", self.buffer[:8])[0]
            if len(self.buffer) < 8 + size:
                break
            outcome = pickle.loads(bytes(self.buffer[8:8 + size]))
            del self.buffer[:8 + size]
            assert self.current is not None
            done.append((self.current, outcome))
            self.current = None
        return done

    def stop(self) -> None:
        self.close_tasks()
        os.kill(self.pid, signal.SIGKILL)
        self.end()

    def end(self) -> int:
        self.close_tasks()
        with contextlib.suppress(OSError):
            os.close(self.results)
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)


def _serve(function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], tasks: int, results: int,
           parent: int) -> None:
    try:
        _die_with(parent)
        while True:
            request = _read_exactly(tasks, 8)
            if request is None:
                break
            index = struct.unpack("<q", request)[0]
            try:
                payload = pickle.dumps((True, function(*jobs[index])))
            except BaseException as error:  # handed to the build, which raises it
                try:
                    payload = pickle.dumps((False, error))
                except Exception:
                    payload = pickle.dumps((False, RuntimeError(repr(error))))
            view = memoryview(struct.pack("<q", len(payload)) + payload)
            while view:
                view = view[os.write(results, view):]
    finally:
        _REAL_EXIT(0)


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _die_with(parent: int) -> None:
    """Make this child end when the build that started it ends, even when that build is killed: no
    child goes on computing for nobody (Linux's parent-death signal; elsewhere nothing changes)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the build died before the signal was armed
        _REAL_EXIT(1)


def one_blas_thread() -> Any:
    """A context in which BLAS uses one thread. Every run of the lab goes through it: a product split
    between threads may be summed in another order, so a build that ran one experiment, a cold build
    that ran all of them side by side and the bundle's rerun all get the same last bits."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")
