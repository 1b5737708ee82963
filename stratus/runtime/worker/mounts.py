"""A private mount view per execution environment: ``/tmp``, ``/var/task`` and ``/opt``.

Lambda code writes to the literal path ``/tmp``, reads its own files from ``/var/task``
and finds its layers under ``/opt``. Forked processes share the machine's filesystem, so
each environment gets its own mount namespace (``unshare(CLONE_NEWNS)``), set up in the
forked child before the handler is imported:

- the mount tree is made private (``MS_REC|MS_PRIVATE``), so nothing we mount reaches the
  machine or a sibling;
- the function's extracted code is bound read-only on ``/var/task``;
- its layers appear on ``/opt`` read-only, merged as Lambda extracts them (in order, a
  later layer's file wins): one layer is a bind mount, several an overlay whose first
  lower directory is the last layer, both on top of an empty read-only tmpfs (what a
  function without layers sees);
- ``/tmp`` is a tmpfs of the function's EphemeralStorage, mounted last, since the other
  sources may live under the machine's ``/tmp``;
- the data directory, and any directory above the runtime that other users cannot
  enter, are covered by an empty read-only tmpfs that shows only the runtime's own
  directories (:func:`plan_covers`): an environment that runs as its own user finds its
  interpreter, and nothing else of the server's. Our own bind sources under a cover are
  reached through descriptors opened before it went on, closed before the function runs;
- the function's bytecode cache is bound on :data:`BYTECODE` (see ``bytecode``).

Cost: ``unshare``, the private remount, the empty ``/opt`` and the covers need nothing
of the launch, so a spare child does them while it waits for work (:func:`prepare`); the
mounts left for the cold start cost ~70-130 µs (median, measured in forked children on
a loaded 2-core machine, ``bench/mount_view.py``), ~250-300 µs when no spare was ready.

Root makes the namespace directly; any other user (or root without the right, as in
some containers) makes it inside a user namespace that maps its own ids onto
themselves (:func:`_enter_user_namespace`). The zygote calls :func:`probe` once at
start: it forks a child that tries every step and reports, so the server can say once,
at start, what holds, and fall back where the kernel says no: to today's view (a
private ``TMPDIR``, code and layers at their real paths) without any namespace, or to a
private ``/tmp`` with code or layers at their real paths when ``/var/task`` or ``/opt``
cannot be had (``MountState.gaps``).

Stdlib only, Python 3.9+: ``os.unshare`` is 3.12+, so libc's ``unshare``/``mount`` are
called through ctypes (already loaded by the zygote for ``prctl``).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, Dict, List, Optional, Tuple

from . import trial

TASK_ROOT = "/var/task"
OPT = "/opt"
TMP = "/tmp"
# Where the environment's bytecode cache appears (see ``bytecode``): out of the way.
BYTECODE = "/var/cache/stratus/bytecode"
# "0": keep the machine's view; "user": use a user namespace even as root (tests)
DISABLE_VARIABLE = "STRATUS_MOUNT_NAMESPACE"

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_PR_SET_PDEATHSIG = 1
_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_REMOUNT = 32
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_MNT_DETACH = 2


class MountState(object):
    """What the probe found, inherited by every child of the zygote at fork."""

    __slots__ = (
        "cover_fds",
        "covers",
        "enabled",
        "gaps",
        "opt",
        "overlay",
        "overlay_error",
        "prepared",
        "reason",
        "task_root",
        "user",
    )

    def __init__(self) -> None:
        self.enabled = False  # at least a private /tmp
        self.task_root = False  # code on /var/task
        self.opt = False  # layers on /opt
        self.overlay = False  # several layers merged on /opt
        self.user = False  # the namespace needs a user namespace (not root)
        self.gaps: List[str] = []  # what the view lacks here, and why
        self.overlay_error = ""
        self.reason = "not probed"
        self.prepared = False  # this process is already in its own private namespace
        # Directories covered by an empty read-only tmpfs in every view (the data
        # directory; ancestors of the runtime's files that others cannot enter), each
        # with the runtime directories under it that stay visible at their own paths.
        self.covers: List[Tuple[str, List[str]]] = []
        self.cover_fds: Dict[str, int] = {}  # covered directory -> its real one, opened

    def report(self) -> Dict[str, Any]:
        return {
            "enabled": self.enabled,
            "overlay": self.overlay,
            "reason": self.reason,
            "user_namespace": self.user,
            "gaps": list(self.gaps),
        }


STATE = MountState()
_LIBC: Any = None


def _libc() -> Any:
    global _LIBC
    if _LIBC is None:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.mount.argtypes = [
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_char_p,
            ctypes.c_ulong,
            ctypes.c_char_p,
        ]
        libc.unshare.argtypes = [ctypes.c_int]
        libc.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
        _LIBC = libc
    return _LIBC


def _check(result: int, what: str) -> None:
    if result != 0:
        import ctypes

        code = ctypes.get_errno()
        raise OSError(code, "{}: {}".format(what, os.strerror(code)))


def _mount(
    source: Optional[str], target: str, fstype: Optional[str], flags: int, data: str = ""
) -> None:
    _check(
        _libc().mount(
            source.encode() if source is not None else None,
            target.encode(),
            fstype.encode() if fstype is not None else None,
            flags,
            data.encode() if data else None,
        ),
        "mount {} on {}".format(source or fstype, target),
    )


def _bind_read_only(source: str, target: str) -> None:
    # A bind mount ignores MS_RDONLY: read-only takes a remount of the new mount.
    _mount(source, target, None, _MS_BIND)
    _mount(None, target, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)


def _overlay_lower(layers: List[str]) -> str:
    """overlayfs's ``lowerdir``: the topmost (the last layer) first; ':' and ',' escaped."""
    escaped = [d.replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,") for d in layers]
    return "lowerdir=" + ":".join(reversed(escaped))


# -- in the zygote --------------------------------------------------------------------------


def probe(runtime_paths: List[str], hidden: Optional[List[str]] = None) -> MountState:
    """Find out once whether children can have the private view; sets :data:`STATE`.

    As root a mount namespace is enough; otherwise (or when root lacks the right, as in
    some containers) a user namespace that maps the process's own ids gives it one.
    ``STRATUS_MOUNT_NAMESPACE=user`` asks for the user namespace even as root.
    ``hidden``: directories to cover in every view (the data directory).
    """
    state = STATE
    state.enabled = False
    state.gaps = []
    reason = _precondition(runtime_paths)
    if reason is None:
        state.covers = plan_covers(runtime_paths, hidden or [])
        wanted = os.environ.get(DISABLE_VARIABLE, "")
        modes = [True] if wanted == "user" or os.geteuid() != 0 else [False, True]
        for user in modes:
            state.user = user
            reason, state.overlay = _probe_in_child()
            if reason is None:
                break
    state.reason = reason or ""
    state.enabled = reason is None
    if state.enabled and state.opt and not state.overlay:
        state.gaps.append(
            "overlayfs is unavailable ({}): several layers stay at their real paths".format(
                state.overlay_error or "no reason given"
            )
        )
    return state


def plan_covers(runtime_paths: List[str], hidden: List[str]) -> List[Tuple[str, List[str]]]:
    """Which directories to cover, outermost first, and what stays visible under each.

    Covered: each hidden directory, and the first ancestor of each runtime directory
    that other users cannot enter (``/root`` when Python lives under it): an
    environment that runs as its own user still finds its interpreter and libraries at
    their paths, and nothing else that was there.
    """
    exposed = sorted({os.path.realpath(p) for p in runtime_paths if os.path.isdir(p)})
    roots = {os.path.realpath(h) for h in hidden if os.path.isdir(h)}
    for path in exposed:
        closed = _first_closed_ancestor(path)
        if closed is not None and closed != path:
            roots.add(closed)
    plan = []
    for root in sorted(roots, key=lambda r: (r.count("/"), r)):
        under = [p for p in exposed if _under(p, root) and p != root]
        outermost = [p for p in under if not any(_under(p, q) and p != q for q in under)]
        plan.append((root, outermost))
    return plan


def _first_closed_ancestor(path: str) -> Optional[str]:
    current = "/"
    for part in path.strip("/").split("/"):
        current = os.path.join(current, part)
        try:
            if not os.stat(current).st_mode & 0o001:
                return current
        except OSError:
            return None
    return None


def _precondition(runtime_paths: List[str]) -> Optional[str]:
    """Why there can be no private /tmp at all; notes the lesser gaps on the way."""
    state = STATE
    if os.environ.get(DISABLE_VARIABLE) == "0":
        return "turned off by {}=0".format(DISABLE_VARIABLE)
    if not sys.platform.startswith("linux"):
        return "mount namespaces are Linux only"
    try:
        _libc()
    except Exception as exc:  # pragma: no cover - no libc
        return "libc's mount/unshare unavailable: {}".format(exc)
    state.task_root = state.opt = True
    for path in runtime_paths:
        if _under(path, TMP):
            return "the runtime's own files are under {} ({}), which the view covers".format(
                TMP, path
            )
        for point in (OPT, TASK_ROOT):
            if _under(path, point):
                _gap(point, "the runtime's own files are under it ({})".format(path))
    for point in (TASK_ROOT, OPT, BYTECODE):
        if not os.path.isdir(point):
            try:
                os.makedirs(point, mode=0o755, exist_ok=True)  # an empty mount point
            except OSError as exc:
                _gap(point, "no such directory, and it cannot be made ({})".format(exc.strerror))
    return None


def _under(path: str, point: str) -> bool:
    return path == point or path.startswith(point.rstrip("/") + "/")


def _gap(point: str, why: str) -> None:
    state = STATE
    if point == OPT and state.opt:
        state.opt = False
        state.gaps.append("layers stay at their real paths, not on /opt: " + why)
    elif point == TASK_ROOT and state.task_root:
        state.task_root = False
        state.gaps.append("code stays at its real path, not on /var/task: " + why)
    elif point == BYTECODE:
        state.gaps.append("bytecode is not cached between environments: " + why)


def _probe_in_child() -> Tuple[Optional[str], bool]:
    """Try each step in a forked child's own namespace and read its verdict."""
    here = os.path.dirname(os.path.abspath(__file__))
    stdlib = os.path.dirname(os.path.abspath(os.__file__))

    def steps() -> str:
        answer = "ok"
        prepare()
        if STATE.task_root:
            _bind_read_only(here, TASK_ROOT)
        _mount("tmpfs", TMP, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=1777")
        if STATE.opt:
            try:
                _mount("overlay", OPT, "overlay", _MS_RDONLY, _overlay_lower([stdlib, here]))
            except OSError as exc:
                answer = "no-overlay " + str(exc)
        _close_covers()
        return answer

    verdict = trial.in_child(steps)
    if verdict == "ok":
        return None, STATE.opt
    if verdict.startswith("no-overlay "):
        STATE.overlay_error = verdict[len("no-overlay ") :]
        return None, False
    return "cannot make a private mount namespace ({})".format(verdict[5:]), False


# -- in a child -----------------------------------------------------------------------------


def prepare() -> None:
    """What needs nothing of the launch: a private copy of the mount namespace, an
    empty read-only ``/opt`` (a function without layers sees that; layers are mounted on
    top of it), and the covers over the data directory and closed ancestors. A new
    tmpfs costs more than a bind mount, so a spare pays for these."""
    if STATE.prepared:
        return
    if STATE.user:
        _enter_user_namespace()
    else:
        _check(_libc().unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    if STATE.opt:
        _mount("tmpfs", OPT, "tmpfs", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, "size=4k,mode=755")
    _cover()
    STATE.prepared = True


def _cover() -> None:
    """Cover each planned directory with an empty tmpfs that shows only the runtime's
    directories under it (bound read-only at their own paths); the real directory stays
    reachable for our own bind sources through a descriptor opened first."""
    state = STATE
    for root, _visible in state.covers:
        if root not in state.cover_fds:
            state.cover_fds[root] = os.open(root, os.O_PATH | os.O_DIRECTORY)
    for root, visible in state.covers:
        if not os.path.isdir(root):  # inside an earlier cover, and not shown by it
            continue
        sources = [_real_source(path) for path in visible]
        _mount("tmpfs", root, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=64k,mode=755")
        for path in visible:
            os.makedirs(path, mode=0o755, exist_ok=True)
        for index, path in enumerate(visible):
            _bind_read_only(sources[index], path)
        _mount(None, root, None, _MS_REMOUNT | _MS_RDONLY | _MS_NOSUID | _MS_NODEV)


def _real_source(path: str) -> str:
    """``path`` as a bind source that works even once its directory is covered."""
    best = ""
    for root in STATE.cover_fds:
        if _under(path, root) and len(root) > len(best):
            best = root
    if not best:
        return path
    rest = path[len(best) :].lstrip("/")
    base = "/proc/self/fd/{}".format(STATE.cover_fds[best])
    return base + "/" + rest if rest else base


def _close_covers() -> None:
    for fd in STATE.cover_fds.values():
        try:
            os.close(fd)
        except OSError:
            pass
    STATE.cover_fds.clear()


def _enter_user_namespace() -> None:
    """A user namespace that maps our own ids onto themselves, with a mount namespace it
    owns: the process keeps its identity and may mount there (only there)."""
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc().unshare(_CLONE_NEWUSER | _CLONE_NEWNS), "unshare(CLONE_NEWUSER|CLONE_NEWNS)")
    for name, text in (
        ("setgroups", "deny"),
        ("uid_map", "{0} {0} 1".format(uid)),
        ("gid_map", "{0} {0} 1".format(gid)),
    ):
        fd = os.open("/proc/self/" + name, os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)
    # The new credentials cleared the parent-death signal: die with the zygote again.
    _libc().prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def enter(
    code_dir: str,
    layers: List[str],
    tmp_mb: int,
    bytecode_dir: Optional[str] = None,
) -> Tuple[str, List[str]]:
    """Mount the environment's view; returns the code root and the layer roots for
    ``sys.path``.

    ``/var/task`` and ``["/opt"]`` where the view has them; the real directories
    (today's view) where it lacks them, and for several layers without overlayfs.
    ``/tmp`` is a tmpfs of ``tmp_mb`` (the function's EphemeralStorage). The real
    directories may be covered by now: they are reached through the covers' descriptors,
    which are closed before the function's code runs.
    """
    prepare()
    code_root = code_dir
    if STATE.task_root:
        _bind_read_only(_real_source(code_dir), TASK_ROOT)
        code_root = TASK_ROOT
    roots = [OPT]
    if not STATE.opt:
        roots = list(layers)
    elif not layers:
        pass  # the empty /opt of prepare()
    elif len(layers) == 1:
        _bind_read_only(_real_source(layers[0]), OPT)
    elif STATE.overlay:
        sources = [_real_source(layer) for layer in layers]
        _mount(
            "overlay", OPT, "overlay", _MS_RDONLY | _MS_NOSUID | _MS_NODEV, _overlay_lower(sources)
        )
    else:
        roots = list(layers)
    _mount_tmp(tmp_mb)
    if bytecode_dir and os.path.isdir(BYTECODE):
        _mount(_real_source(bytecode_dir), BYTECODE, None, _MS_BIND)
        _mount(None, BYTECODE, None, _MS_REMOUNT | _MS_BIND | _MS_NOSUID | _MS_NODEV)
    _close_covers()
    return code_root, roots


def _mount_tmp(tmp_mb: int) -> None:
    size = "size={}m,mode=1777".format(max(1, int(tmp_mb)))
    _mount("tmpfs", TMP, "tmpfs", _MS_NOSUID | _MS_NODEV, size)


def restore_tmp(tmp_mb: int) -> None:
    """In a child of a snapshot template: its own ``/tmp``, starting as the template's.

    A copy of the template's mount namespace still shares the template's ``/tmp``; a new
    tmpfs goes on top of it, and the template's files are copied in through a
    descriptor opened first. Needs the right to mount: a template that dropped root
    has not (the caller then keeps the template's ``/tmp``).
    """
    _check(_libc().unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")  # a copy: private already
    old = os.open(TMP, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _mount_tmp(tmp_mb)
        source = "/proc/self/fd/{}".format(old)
        if os.listdir(source):
            import shutil

            shutil.copytree(source, TMP, dirs_exist_ok=True, symlinks=True)
    finally:
        os.close(old)
