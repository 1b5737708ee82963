"""Which CPUs a worker may wake up on while invocations come one at a time.

A sequential invocation is a relay: the server's event loop sends the event and polls a
few hundred µs for the reply (``environment._poll_reply``), the worker answers. The
kernel wakes a worker blocked on its socket with a *sync* wake-up, which places it on the
waker's CPU when that CPU has nothing else queued: the CPU where the loop keeps running
(and polling) for the very reply the worker is waiting there to write. On a 2-core VM a
warm invoke through boto3 took 1.9x a no-op call that way, 1.3x with the worker kept off
the loop's CPU (alternated in one server, ``bench/PROFILE.md``).

So, only while invocations come one at a time (``environment.quiet``), a worker is kept
off the CPU the loop runs on *while it sleeps*, which is when the kernel picks its CPU:

- the server narrows the worker's mask (``sched_setaffinity``) only when the loop is on
  another CPU than the worker already keeps off, and names the loop's CPU in the frame
  (``"lc"``; ``"n"`` when it just narrowed the mask);
- the worker (``worker/runtime.py``) widens its own mask back to every CPU as soon as it
  is woken (the wake frame, or the event), so the handler, its threads and its
  subprocesses always see the machine's CPUs; after answering a frame that named the
  loop's CPU it narrows itself again, off the critical path, before it sleeps.

Once invocations overlap, frames name no CPU and the worker stays wide, so under load
the kernel spreads workers over every core as before. The loop's thread is never pinned.
Only workers that say in their init report that they keep this protocol (``"place"``)
are placed; where the kernel or the machine does not allow it (one CPU, no
``sched_getcpu``, no permission over the worker) nothing changes.
"""

from __future__ import annotations

import ctypes
import logging
import os
from collections.abc import Callable

__all__ = ["CPUS", "Placement"]

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
_PLACEABLE = _current_cpu is not _no_cpu and len(_allowed) > 1
#: What a worker widens its mask back to (its launch config's ``cpus``); empty: never placed.
CPUS: tuple[int, ...] = tuple(sorted(_allowed)) if _PLACEABLE else ()


class Placement:
    """One worker's mask, as far as the server knows it between invocations."""

    __slots__ = ("_away_from", "_pid", "_placeable")

    def __init__(self, pid: int, placeable: bool = False) -> None:
        self._pid = pid
        self._placeable = placeable and _PLACEABLE
        self._away_from: int | None = None  # the CPU it keeps off while it sleeps; None: none

    def enable(self) -> None:
        """Its worker keeps the protocol (init report): place it from now on."""
        self._placeable = _PLACEABLE

    def steer(self) -> tuple[int | None, bool]:
        """Keep the worker off the CPU this (the loop's) thread runs on now: that CPU
        (None: not placed), and whether its mask was narrowed just now (one vDSO read,
        and a system call only when the loop has moved since the worker last narrowed
        itself)."""
        if not self._placeable:
            return None, False
        cpu = _current_cpu()
        if cpu not in _allowed:
            return None, False
        if cpu == self._away_from:
            return cpu, False
        try:
            os.sched_setaffinity(self._pid, _allowed - {cpu})
        except OSError as error:
            # Gone (the invocation finds out), or not ours to place: left as it is.
            log.debug("worker %d: CPU mask not set (%s)", self._pid, error)
            self._placeable = False
            return None, False
        self._away_from = cpu
        return cpu, True

    def widened(self) -> None:
        """A frame that names no CPU: the worker widens itself and stays wide after it."""
        self._away_from = None
