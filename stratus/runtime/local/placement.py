"""Which CPUs a worker may run on while invocations come one at a time.

A sequential invocation is a relay: the server's event loop sends the event and polls a
few tens of µs for the reply (``environment._poll_reply``), the worker answers. The
kernel wakes a worker blocked on its socket with a *sync* wake-up, which places it on the
waker's CPU when that CPU has nothing else queued: the CPU where the loop keeps running
(and polling) for the very reply the worker is waiting there to write. On a 2-core VM a
warm invoke through boto3 took 1.9x a no-op call that way, 1.3x with the worker kept off
the loop's CPU (alternated in one server, ``bench/PROFILE.md``).

So, only while invocations come one at a time (``environment.quiet``), the worker about
to be invoked is kept off the CPU the loop runs on now; once invocations overlap, its
mask is given back whole before its next one, so under load the kernel spreads workers
over every core as before. The loop's thread is never pinned. Where the kernel or the
machine does not allow it (one CPU, no ``sched_getcpu``, no permission over the worker)
nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Callable

__all__ = ["Placement"]

log = logging.getLogger(__name__)


def _no_cpu() -> int:
    return -1


def _current_cpu_reader() -> Callable[[], int]:
    """glibc's ``sched_getcpu`` (a vDSO read, no system call), or ``_no_cpu``."""
    try:
        reader: Callable[[], int] = ctypes.CDLL(None, use_errno=True).sched_getcpu
        if reader() >= 0:
            return reader
    except (AttributeError, OSError):
        pass
    return _no_cpu


_current_cpu = _current_cpu_reader()
# The CPUs this server may use (a ``taskset`` or cpuset around it is respected).
_allowed = frozenset(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else frozenset()
_UNKNOWN = -2
_PLACEABLE = _current_cpu is not _no_cpu and len(_allowed) > 1


class Placement:
    """One worker's CPU mask, as the server last set it."""

    __slots__ = ("_away_from", "_pid", "_placeable")

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._placeable = _PLACEABLE
        # The loop's CPU it is kept off; None: every CPU. Unknown at first (a spare the
        # server steered becomes an environment), so the first call sets it either way.
        self._away_from: int | None = _UNKNOWN

    def away_from_loop(self) -> None:
        """Keep the worker off the CPU this (the loop's) thread runs on now: one vDSO
        read, and a system call only when the loop has moved since the last time."""
        if not self._placeable:
            return
        cpu = _current_cpu()
        if cpu != self._away_from and cpu in _allowed:
            self._set(_allowed - {cpu}, cpu)

    def anywhere(self) -> None:
        """Give the worker every CPU back (invocations overlap: let the kernel spread)."""
        if self._away_from is not None and self._placeable:
            self._set(_allowed, None)

    def _set(self, cpus: frozenset[int], away_from: int | None) -> None:
        try:
            os.sched_setaffinity(self._pid, cpus)
        except OSError as error:
            # Gone (the invocation finds out), or not ours to place: left as it is.
            log.debug("worker %d: CPU mask not set (%s)", self._pid, error)
            self._placeable = False
            self._away_from = None
            return
        self._away_from = away_from
