"""Confine a forked environment: its control group, its limits, and an identity of its own.

The server decides what the machine allows (``runtime/local/cgroups.py`` and
``runtime/local/sandbox_probe.py``) and hands the zygote its settings in the
``STRATUS_SANDBOX`` variable (JSON):

- ``cgroups``: ``{"version": 1 or 2, "roots": {controller: directory}}``: each child
  makes a leaf named by its pid under every root and moves itself there
  (:func:`join_group`). A spare child does that while it waits for work, because
  moving into a group can wait milliseconds for the kernel.
- ``hidden``: directories no environment may see (the data directory): the mount
  view covers them (``mounts``).
- ``uid_base``: when set (the server runs as root), each environment drops to an
  unprivileged user of its function's own (the launch's ``uid``, :func:`drop_identity`):
  it then owns nothing of the server's and cannot signal the server, the zygotes or
  another function's environments.

At launch, still as root, the child writes its own limits into its groups
(:func:`apply_limits`): the function's memory for the whole group (children included),
Lambda's 1,024 processes and threads, and a CPU share in proportion to memory (Lambda
gives one vCPU at 1,769 MB).

Stdlib only, Python 3.9+ (this runs in every runtime's interpreter).
"""

from __future__ import annotations

import json
import os
import signal
from typing import Any, Dict, List, Optional, Tuple

from . import trial

VARIABLE = "STRATUS_SANDBOX"
MAX_PROCESSES = 1024  # Lambda: "Execution processes/threads: 1,024"
MB_PER_VCPU = 1769
_PR_SET_PDEATHSIG = 1
_PR_SET_NO_NEW_PRIVS = 38


class Settings(object):
    """The zygote's sandbox settings, read once at its start and inherited at fork."""

    __slots__ = (
        "cgroup_roots",
        "cgroup_version",
        "hidden",
        "joined",
        "limited_mb",
        "uid",
        "uid_base",
    )

    def __init__(self, raw: Optional[Dict[str, Any]] = None) -> None:
        raw = raw or {}
        groups = raw.get("cgroups") or {}
        self.cgroup_version = int(groups.get("version") or 0)
        self.cgroup_roots: Dict[str, str] = dict(groups.get("roots") or {})
        self.uid_base = int(raw.get("uid_base") or 0)
        self.hidden: List[str] = list(raw.get("hidden") or [])  # out of every view
        self.joined: List[str] = []  # this process's own leaves, once made
        self.limited_mb = 0  # the memory size its limits were written for, once written
        self.uid = -1  # this process's identity, once dropped


STATE = Settings()


def load() -> Settings:
    """Read ``STRATUS_SANDBOX`` (in the zygote, before it forks anything)."""
    global STATE
    text = os.environ.get(VARIABLE, "")
    try:
        STATE = Settings(json.loads(text) if text else None)
    except (ValueError, TypeError):
        STATE = Settings()
    # Looked up here, once: in each forked child, ctypes.CDLL costs ~0.4 ms of its
    # cold start (the dynamic loader's pages are copied on write).
    _prctl()
    return STATE


def join_group() -> None:
    """Make this process's leaf under every root and move into it."""
    if STATE.joined or not STATE.cgroup_roots:
        return
    name = str(os.getpid())
    joined = []
    for root in sorted(set(STATE.cgroup_roots.values())):
        leaf = os.path.join(root, name)
        try:
            os.mkdir(leaf)
        except FileExistsError:
            pass
        _write(os.path.join(leaf, "cgroup.procs"), "0")
        joined.append(leaf)
    STATE.joined = joined


def remove_group(pid: int) -> None:
    """Remove the leaves of a child that went unused (a spare let go: the zygote's
    side, once it reaped it); nobody else knows of them."""
    for root in sorted(set(STATE.cgroup_roots.values())):
        try:
            os.rmdir(os.path.join(root, str(pid)))
        except OSError:
            pass


def limit_files(
    version: int, roots: Dict[str, str], leaf: str, memory_mb: int, grow: bool = False
) -> List[Tuple[str, str, bool]]:
    """The files that set an environment's limits, with their values and whether each is
    required: the function's memory for the whole group, Lambda's 1,024 processes, a CPU
    weight in proportion to memory. One list for both writers: the child itself, and the
    server for a child that cannot (``runtime/local/cgroups.py`` ``adopt``)."""
    limit = str(int(memory_mb) * 1024 * 1024)
    files: List[Tuple[str, str, bool]] = []
    if version == 2:
        path = os.path.join(next(iter(roots.values())), leaf)
        if "memory" in roots:
            files.append((os.path.join(path, "memory.max"), limit, True))
            files.append((os.path.join(path, "memory.swap.max"), "0", False))
        if "pids" in roots:
            files.append((os.path.join(path, "pids.max"), str(MAX_PROCESSES), True))
        if "cpu" in roots:  # cgroup v2 weights run 1..10000, 100 being the default
            weight = max(1, min(10000, int(memory_mb) * 100 // MB_PER_VCPU))
            files.append((os.path.join(path, "cpu.weight"), str(weight), False))
        return files
    if "memory" in roots:
        path = os.path.join(roots["memory"], leaf)
        memory = (os.path.join(path, "memory.limit_in_bytes"), limit, True)
        # Where swap is accounted, memory plus swap gets the same limit: no swapping out.
        # The kernel keeps memory <= memory plus swap: a limit that grows (``grow``: over
        # one written before) is raised on the sum first.
        swap = (os.path.join(path, "memory.memsw.limit_in_bytes"), limit, False)
        files.extend([swap, memory] if grow else [memory, swap])
    if "pids" in roots:
        files.append((os.path.join(roots["pids"], leaf, "pids.max"), str(MAX_PROCESSES), True))
    if "cpu" in roots:
        share = str(max(2, int(memory_mb) * 1024 // MB_PER_VCPU))
        files.append((os.path.join(roots["cpu"], leaf, "cpu.shares"), share, False))
    return files


#: The memory size most functions have (Lambda's default): a spare child writes its
#: limits for it while it waits, and an environment of that size has nothing left to do.
DEFAULT_MEMORY_MB = 128


def apply_limits(memory_mb: int) -> None:
    """Write the environment's limits into its own groups (as root, before the drop);
    nothing when they were written for this size already (by the spare, ahead)."""
    join_group()
    if STATE.limited_mb == memory_mb or not STATE.joined:
        return
    leaf = str(os.getpid())
    grow = memory_mb > STATE.limited_mb > 0
    for path, value, required in limit_files(
        STATE.cgroup_version, STATE.cgroup_roots, leaf, memory_mb, grow
    ):
        _write(path, value, required)
    STATE.limited_mb = memory_mb


def drop_identity(uid: Optional[int] = None) -> Optional[int]:
    """Become ``uid`` (the function's user, chosen by the server; by default
    ``uid_base + pid``) for good: no saved root, no new privileges. Returns the new uid,
    or None when the settings keep the server's identity."""
    if not STATE.uid_base or os.geteuid() != 0:
        return None
    if not uid:
        uid = STATE.uid_base + os.getpid()
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    STATE.uid = uid
    prctl = _prctl()
    if prctl is not None:
        # setuid binaries (su, sudo, ping) must not bring root back
        prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        # a change of credentials clears the parent-death signal: set it again
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    return uid


def die_with_parent() -> None:
    """Be killed when the parent goes (a zygote's child; a process an environment is
    about to exec, as ``preexec_fn``), even where no control group takes it along."""
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def no_new_privileges() -> None:
    """Let no later ``exec`` gain privileges (set-user-ID files, file capabilities): for
    a pooled ``node`` (``node_pool``), which drops root itself, after its own ``exec``."""
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


_PRCTL: Any = None


def _prctl() -> Any:
    global _PRCTL
    if _PRCTL is None:
        try:
            import ctypes

            _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
        except Exception:  # pragma: no cover - no libc prctl
            _PRCTL = False
    return _PRCTL or None


def _write(path: str, value: str, required: bool = True) -> None:
    try:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, value.encode())
        finally:
            os.close(fd)
    except OSError as exc:
        if required:
            raise OSError(exc.errno, "{}: {}".format(path, exc.strerror)) from None


def probe(prepare: Any, readable: List[str]) -> Dict[str, Any]:
    """Try the drop once in a forked child (after ``prepare``, the mount view's setup):
    can an environment's user still read the runtime's own directories? If not, the
    settings keep the server's identity, and the report says why.
    """
    report: Dict[str, Any] = {
        "identity": False,
        "cgroups": STATE.cgroup_version if STATE.cgroup_roots else 0,
        "controllers": sorted(STATE.cgroup_roots),
        "reason": "",
    }
    if not STATE.uid_base:
        report["reason"] = "the server does not run as root" if os.geteuid() else "turned off"
        return report

    def steps() -> str:
        prepare()
        drop_identity()
        for path in readable:
            if os.path.isdir(path):
                os.listdir(path)
        return "ok"

    verdict = trial.in_child(steps)
    if verdict == "ok":
        report["identity"] = True
    else:
        STATE.uid_base = 0
        report["reason"] = "environments keep the server's user: " + verdict[5:]
    return report


def thaw_all() -> None:
    """Thaw every environment's group under our roots (a frozen process cannot die).

    The zygote calls it when it goes (the server gone, even with -9): the children it
    has just killed, and a template's restored children, may be frozen between
    invocations, and only a thaw lets the kill land."""
    if os.geteuid() != 0:
        return
    for root in sorted(set(STATE.cgroup_roots.values())):
        try:
            leaves = os.listdir(root)
        except OSError:
            continue
        for leaf in leaves:
            if STATE.cgroup_version == 2:
                _write(os.path.join(root, leaf, "cgroup.freeze"), "0", required=False)
            else:
                _write(os.path.join(root, leaf, "freezer.state"), "THAWED", required=False)
