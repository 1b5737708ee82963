"""Control groups for execution environments: the server's half.

Each environment lives in its own control group, so the kernel counts its memory and
processes with its children included, can freeze all of it between invocations, and
lets the platform kill every process it started, however it forked or detached.

The server makes one directory per controller at start (``stratus-<server pid>-<n>`` under
the cgroup the server itself runs in) and hands the paths to the zygotes
(:meth:`CgroupTree.worker_settings`). A zygote's child makes its own leaf (named by its
pid) and joins it, a spare child ahead of time, since joining a control group can wait
for the kernel's RCU grace period (milliseconds). The child writes its own limits
before it drops root (``worker/confine.py``). The server only freezes, thaws, kills and
removes the leaves, all by pid (:class:`EnvironmentGroup`).

cgroup v1 (one hierarchy per controller: ``memory``, ``pids``, ``freezer``, ``cpu``) and
v2 (one unified hierarchy, ``cgroup.freeze`` and ``cgroup.kill``) are both handled; a
controller that is missing or not writable is left out and said at start.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import signal
import time
from dataclasses import dataclass, field

from stratus.runtime.worker.confine import limit_files

log = logging.getLogger(__name__)
_SEQUENCE = itertools.count(1)

V1_CONTROLLERS = ("memory", "pids", "freezer", "cpu")
V2_CONTROLLERS = ("memory", "pids", "cpu")
PREFIX = "stratus-"
_KILL_ROUNDS = 50
_FREEZE_WAIT_S = 1.0


@dataclass
class CgroupTree:
    """Where this server's environments' control groups live, per controller."""

    version: int  # 1 or 2; 0: none usable
    roots: dict[str, str] = field(default_factory=dict)  # controller -> our directory
    gaps: list[str] = field(default_factory=list)  # what is missing here, and why

    @property
    def enabled(self) -> bool:
        return bool(self.roots)

    def worker_settings(self) -> dict[str, object]:
        """What a zygote needs to put its children in their groups."""
        return {"version": self.version, "roots": dict(self.roots)}

    def group(self, pid: int) -> EnvironmentGroup:
        return EnvironmentGroup(self, pid)

    def close(self) -> None:
        """Kill what is left in our groups and remove them (at shutdown)."""
        for root in self._distinct_roots():
            _remove_tree(root, self.version)
        self.roots.clear()

    def _distinct_roots(self) -> list[str]:
        return sorted(set(self.roots.values()), key=len, reverse=True)


class EnvironmentGroup:
    """One environment's leaf in every controller, found by its process id."""

    def __init__(self, tree: CgroupTree, pid: int) -> None:
        self.tree = tree
        self.name = str(pid)

    def path(self, controller: str) -> str | None:
        root = self.tree.roots.get(controller)
        return None if root is None else os.path.join(root, self.name)

    def freeze(self) -> bool:
        """Stop every process of the environment where it stands (no-op without a freezer)."""
        return self._write_freezer(True)

    def thaw(self) -> bool:
        return self._write_freezer(False)

    def _write_freezer(self, frozen: bool) -> bool:
        if self.tree.version == 2:
            path = self.path("memory") or self.path("pids")
            if path is None:
                return False
            return _write(os.path.join(path, "cgroup.freeze"), "1" if frozen else "0")
        path = self.path("freezer")
        if path is None:
            return False
        return _write(os.path.join(path, "freezer.state"), "FROZEN" if frozen else "THAWED")

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process here for going over the memory limit."""
        path = self.path("memory")
        if path is None:
            return False
        if self.tree.version == 2:
            return _event_count(os.path.join(path, "memory.events"), "oom_kill") > 0
        return _event_count(os.path.join(path, "memory.oom_control"), "oom_kill") > 0

    def adopt(self, pid: int, memory_mb: int) -> None:
        """Make the leaf, set its limits and move ``pid`` in (blocking: in a thread).

        For processes that cannot do it themselves (a snapshot template's children run
        as the function's user): the limits the child would write itself."""
        paths = [p for p in {self.path(c) for c in self.tree.roots} if p is not None]
        for path in paths:
            os.makedirs(path, exist_ok=True)
        for path, value, required in limit_files(
            self.tree.version, self.tree.roots, self.name, memory_mb
        ):
            if not _write(path, value) and required:
                log.warning("could not set %s for environment %s", path, self.name)
        for path in paths:
            _write(os.path.join(path, "cgroup.procs"), str(pid))

    def kill_and_remove(self) -> None:
        """Kill every process left in the environment's groups, then remove them.

        Blocking (it waits for the processes to go): run it in a thread. Freezing first
        means nothing can fork while the list of processes is being killed.
        """
        paths = [p for p in {self.path(c) for c in self.tree.roots} if p is not None]
        for path in paths:
            if os.path.isdir(path):
                _kill_group(path, self.tree.version, self.path("freezer"))
        for path in paths:
            _rmdir(path)


def probe(base_name: str | None = None) -> CgroupTree:
    """Find the hierarchies, make this server's directories, and clear stale ones.

    Stale: ``stratus-<pid>`` directories of servers that are gone (killed with -9);
    their processes are killed and the directories removed.
    """
    if not os.path.isdir("/sys/fs/cgroup"):
        return CgroupTree(0, gaps=["no /sys/fs/cgroup: not Linux, or cgroups not mounted"])
    mounts = _cgroup_mounts()
    own = _own_groups()
    # One directory per factory (a process may run several: tests do), named by the
    # server's pid so a later server can tell a dead one's leftovers.
    name = base_name or f"{PREFIX}{os.getpid()}-{next(_SEQUENCE)}"
    if "" in mounts and not any(c in mounts for c in V1_CONTROLLERS):
        return _probe_v2(mounts[""], own.get("", "/"), name)
    tree = CgroupTree(1)
    for controller in V1_CONTROLLERS:
        mount = mounts.get(controller)
        if mount is None:
            tree.gaps.append(f"the {controller} controller is not mounted")
            continue
        parent = _join(mount, own.get(controller, "/"))
        root = os.path.join(parent, name)
        try:
            _clear_stale(parent, 1)
            os.makedirs(root, exist_ok=True)
        except OSError as exc:
            tree.gaps.append(f"cannot make a {controller} group: {exc.strerror}")
            continue
        tree.roots[controller] = root
    if not tree.roots:
        tree.version = 0
    return tree


def _probe_v2(mount: str, own: str, name: str) -> CgroupTree:
    tree = CgroupTree(2)
    parent = _join(mount, own)
    root = os.path.join(parent, name)
    try:
        _clear_stale(parent, 2)
        os.makedirs(root, exist_ok=True)
        available = _read(os.path.join(root, "cgroup.controllers")).split()
    except OSError as exc:
        return CgroupTree(0, gaps=[f"cannot make a group under {parent}: {exc.strerror}"])
    wanted = [c for c in V2_CONTROLLERS if c in available]
    if wanted and not _write(
        os.path.join(root, "cgroup.subtree_control"), " ".join("+" + c for c in wanted)
    ):
        tree.gaps.append("cannot enable controllers for the environments' groups")
        wanted = []
    for controller in V2_CONTROLLERS:
        if controller in wanted:
            tree.roots[controller] = root
        else:
            tree.gaps.append(f"the {controller} controller is not delegated here")
    if not tree.roots:  # still one group per environment: kill and freeze work
        tree.roots["pids"] = root
    return tree


def _cgroup_mounts() -> dict[str, str]:
    """Controller -> mount point (v1); ``""`` -> the unified (v2) mount point."""
    found: dict[str, str] = {}
    try:
        with open("/proc/self/mounts") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return found
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        point, fstype, options = parts[1], parts[2], parts[3].split(",")
        if fstype == "cgroup2":
            found.setdefault("", point)
        elif fstype == "cgroup":
            for option in options:
                if option in V1_CONTROLLERS:
                    found.setdefault(option, point)
    return found


def _own_groups() -> dict[str, str]:
    """Controller -> this process's group path (``""`` for the unified hierarchy)."""
    found: dict[str, str] = {}
    try:
        with open("/proc/self/cgroup") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return found
    for line in lines:
        _id, _sep, rest = line.partition(":")
        controllers, _sep, path = rest.partition(":")
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


def _join(mount: str, path: str) -> str:
    return os.path.normpath(os.path.join(mount, path.lstrip("/")))


def _clear_stale(parent: str, version: int) -> None:
    try:
        entries = os.listdir(parent)
    except OSError:
        return
    for entry in entries:
        if not entry.startswith(PREFIX):
            continue
        owner = entry[len(PREFIX) :].split("-")[0]
        if owner.isdigit() and int(owner) != os.getpid() and not _alive(int(owner)):
            _remove_tree(os.path.join(parent, entry), version)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_tree(root: str, version: int) -> None:
    """Kill what is in ``root``'s leaves and remove them, then ``root``."""
    try:
        leaves = [e for e in os.listdir(root) if os.path.isdir(os.path.join(root, e))]
    except OSError:
        return
    freezer_root = root if os.path.exists(os.path.join(root, "freezer.state")) else None
    for leaf in leaves:
        path = os.path.join(root, leaf)
        _kill_group(path, version, path if freezer_root else None)
        _rmdir(path)
    _kill_group(root, version, None)
    _rmdir(root)


def _kill_group(path: str, version: int, freezer: str | None) -> None:
    if version == 2 and _write(os.path.join(path, "cgroup.kill"), "1"):
        _wait_empty(path)
        return
    frozen = freezer is not None and _freeze_and_wait(freezer)
    for _round in range(_KILL_ROUNDS):
        pids = _pids(path)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if frozen:  # killed while frozen: they die once thawed
            _write(os.path.join(freezer or path, "freezer.state"), "THAWED")
            frozen = False
        time.sleep(0.002)
    if freezer is not None:
        _write(os.path.join(freezer, "freezer.state"), "THAWED")
    _wait_empty(path)


def _freeze_and_wait(freezer: str) -> bool:
    state_file = os.path.join(freezer, "freezer.state")
    if not _write(state_file, "FROZEN"):
        return False
    deadline = time.monotonic() + _FREEZE_WAIT_S
    while time.monotonic() < deadline:
        if _read(state_file).strip() == "FROZEN":
            return True
        time.sleep(0.001)
    return True


def _wait_empty(path: str, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while _pids(path) and time.monotonic() < deadline:
        time.sleep(0.002)


def _pids(path: str) -> list[int]:
    text = _read(os.path.join(path, "cgroup.procs"))
    return [int(p) for p in text.split() if p.isdigit()]


def _rmdir(path: str) -> None:
    for _attempt in range(100):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:  # EBUSY: the last process is still exiting
            time.sleep(0.005)
    log.warning("could not remove control group %s", path)


def _event_count(path: str, key: str) -> int:
    for line in _read(path).splitlines():
        name, _sep, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""


def _write(path: str, value: str) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return False
    try:
        os.write(fd, value.encode())
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
