"""Pre-started Node.js processes: a Node.js cold start pays the handler's import only.

Starting ``node`` and our client (``nodejs/bootstrap.js``) costs ~40 ms before any of
the function's code runs; a Python environment is a fork of a ready interpreter. The
zygote therefore keeps a few *node spares* (``zygote.ForkServer``): children that did
the launch-independent half of the sandbox, as a Python spare does (their own mount
namespace with the covers, their own control group), then started ``node`` on our client
in pool mode as their own child. That ``node`` loads everything of the client and
blocks reading its *become* message on a private socket.

When a Node.js environment is asked for, the spare becomes it like any other child
(``sandbox.apply_launch``: limits, mounts, the function's user) and hands the waiting
``node`` (:func:`take`) the function's variables, its working directory and its user;
``node`` applies them before it loads any of the function's code: the environment
replaced whole, ``chdir``, ``setgroups([])``/``setgid``/``setuid``. It shares the
spare's mount namespace and control group, so the mounts made after it started
(``/var/task``, ``/opt``, ``/tmp``) and the memory limit apply to it as they do to a
``node`` started on demand; ``no_new_privs`` was set before its ``exec``.

What ``node`` reads only at its start cannot be handed over later: ``NODE_OPTIONS``
and the other ``NODE_*`` switches, ``UV_*``, OpenSSL's variables, the locale (ICU's
default locale), the dynamic loader's ``LD_*`` (``LD_LIBRARY_PATH`` is read once, so a
directory of it that exists, ``/var/task/lib`` or ``/opt/lib``, could not be searched).
A function whose variables differ there from the pool's (:func:`fits`) gets a ``node``
started on demand, exactly as without a pool; the waiting one is killed. Each pooled
process serves one environment, then dies with it: nothing of one function reaches
another.

The memory size is read at start too: V8 sizes its heap from the control group's
memory limit when ``node`` starts. So a node spare writes its limits (those of one
memory size) into its group *before* it starts ``node``, and serves only a function of
that size: the pool is per memory size (:class:`NodeSpares`), following the sizes
asked for most recently, Lambda's default (128 MB) first.

Stdlib only, Python 3.9+ (this runs in the zygote's children).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from . import confine, mounts

VARIABLE = "STRATUS_NODE_POOL_SPEC"  # set by the server for its own zygote (JSON)
POOL_FD_VARIABLE = "_STRATUS_POOL_FD"  # where the pooled node reads its become message
MAX_SIZE = 8
DEFAULT_MEMORY_MB = 128  # Lambda's default MemorySize: what the pool holds at first
# A node starting for the pool yields the CPU to environments at work (Python's cold
# starts among them); its environment's priority comes back when it is chosen (wake).
POOL_NICE = 10
_MAX_MESSAGE = 1 << 20

# Variables node reads while it starts (or glibc's loader does), never again after.
_START_NAMES = frozenset(["LANG", "LANGUAGE", "GLIBC_TUNABLES", "SSL_CERT_FILE", "SSL_CERT_DIR"])
_START_PREFIXES = ("LC_", "NODE_", "UV_", "OPENSSL_", "LD_", "MALLOC_")
# ... except these, which node or libraries read whenever they need them.
_RUNTIME_NAMES = frozenset(["NODE_PATH", "NODE_ENV", "NODE_TLS_REJECT_UNAUTHORIZED"])


class PoolSpec(object):
    """What the server asked for: the pooled command, its start variables, how many."""

    __slots__ = ("argv", "env", "size")

    def __init__(self, raw: Optional[Dict[str, Any]] = None) -> None:
        raw = raw or {}
        self.argv: List[str] = [str(a) for a in raw.get("argv") or []]
        self.env: Dict[str, str] = {str(k): str(v) for k, v in (raw.get("env") or {}).items()}
        self.size = max(0, min(MAX_SIZE, int(raw.get("size") or 0))) if self.argv else 0


def load() -> PoolSpec:
    """Read :data:`VARIABLE` (in the zygote, once)."""
    text = os.environ.pop(VARIABLE, "")
    try:
        return PoolSpec(json.loads(text) if text else None)
    except (ValueError, TypeError):
        return PoolSpec()


class NodeSpares(object):
    """The zygote's book of node spares: which wait (pid, link, memory size), and which
    memory size to start next. Up to ``spec.size`` wait; they follow the memory sizes
    of the latest Node.js launches, one spare per recent size, the rest for the latest.
    """

    def __init__(self, spec: PoolSpec) -> None:
        self.spec = spec
        self.recent: List[int] = [DEFAULT_MEMORY_MB]  # latest first, distinct
        self.waiting: List[Tuple[int, socket.socket, int]] = []  # oldest first

    def desired(self) -> List[int]:
        size = self.spec.size
        sizes = self.recent[:size]
        if not sizes or not size:
            return []
        return sizes + [sizes[0]] * (size - len(sizes))

    def missing(self) -> Optional[int]:
        """The memory size of the next spare to start, or None when the pool is full."""
        have = Counter(memory for _pid, _link, memory in self.waiting)
        for memory in self.desired():
            if have[memory] > 0:
                have[memory] -= 1
            else:
                return memory
        return None

    def surplus(self) -> Optional[Tuple[int, socket.socket, int]]:
        """The oldest spare the pool no longer wants (its size asked for least lately),
        to make room when it is full and a wanted size has none."""
        if len(self.waiting) < self.spec.size:
            return None
        need = Counter(self.desired())
        have = Counter(memory for _pid, _link, memory in self.waiting)
        for entry in self.waiting:  # the oldest first
            if have[entry[2]] > need[entry[2]]:
                self.waiting.remove(entry)
                return entry
        return None

    def asked(self, memory_mb: int) -> None:
        """A Node.js launch of ``memory_mb``: the pool follows it."""
        if memory_mb in self.recent:
            self.recent.remove(memory_mb)
        self.recent.insert(0, memory_mb)
        del self.recent[max(1, self.spec.size) :]

    def take(self, memory_mb: int) -> Optional[Tuple[int, socket.socket]]:
        for entry in self.waiting:  # the oldest first: its node is surely ready
            if entry[2] == memory_mb:
                self.waiting.remove(entry)
                return entry[0], entry[1]
        return None

    def forget(self, pid: int) -> None:
        for entry in [e for e in self.waiting if e[0] == pid]:
            entry[1].close()
            self.waiting.remove(entry)

    def links(self) -> List[socket.socket]:
        return [link for _pid, link, _memory in self.waiting]


class PooledNode(object):
    """A started ``node`` waiting for its become message, and our end of its socket."""

    __slots__ = ("argv", "env", "link", "memory_mb", "niced", "process")

    def __init__(
        self,
        argv: List[str],
        env: Dict[str, str],
        memory_mb: int,
        process: "subprocess.Popen[bytes]",
        link: socket.socket,
    ) -> None:
        self.argv = argv
        self.env = env
        self.memory_mb = memory_mb
        self.process = process
        self.link = link
        self.niced = False

    def discard(self) -> None:
        try:
            self.process.kill()
            self.process.wait()
        except OSError:
            pass
        self.link.close()


# The node this process (a node spare) started; taken once, by its environment.
WAITING: List[PooledNode] = []
# Our ends of the links of nodes that became: kept open for the environment's life.
LINKS: List[socket.socket] = []


def start(spec: PoolSpec, memory_mb: int) -> None:
    """In a node spare, after its namespace, group and limits (those of ``memory_mb``):
    start ``node`` waiting.

    Its output goes to a pipe that the environment relays to the function's log (the
    log's pipe is known only at launch); stdin is ``/dev/null`` as on demand."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    env = dict(spec.env)
    env[POOL_FD_VARIABLE] = str(theirs.fileno())
    # Only where we may raise it back (root, not inside a user namespace of our own).
    niced = os.geteuid() == 0 and not mounts.STATE.user

    def before_exec() -> None:
        if niced:
            os.nice(POOL_NICE)
        confine.die_with_parent()
        confine.no_new_privileges()  # root until it becomes: no way back after the drop

    try:
        process = subprocess.Popen(
            spec.argv,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            close_fds=True,
            pass_fds=(theirs.fileno(),),
            preexec_fn=before_exec,
            cwd="/",
        )
    except OSError:
        ours.close()
        return
    finally:
        theirs.close()
    pooled = PooledNode(list(spec.argv), env, memory_mb, process, ours)
    pooled.niced = niced
    WAITING.append(pooled)


def wake() -> None:
    """The spare was chosen (still root, before the launch): its node gets the
    environment's own priority back, every thread of it (Linux's nice is per thread).
    Where that fails it is discarded: the environment starts one on demand."""
    priority = os.getpriority(os.PRIO_PROCESS, 0)
    for pooled in list(WAITING):
        if not pooled.niced:
            continue
        try:
            for task in os.listdir("/proc/{}/task".format(pooled.process.pid)):
                os.setpriority(os.PRIO_PROCESS, int(task), priority)
        except (OSError, ValueError):
            WAITING.remove(pooled)
            pooled.discard()


def fits(pooled: PooledNode, argv: List[str], env: Dict[str, str], memory_mb: int) -> bool:
    """Whether the waiting ``node`` can become a runtime started as ``argv`` with ``env``
    under ``memory_mb``: the same command and size, and the same values of every
    variable read only at start (``LD_LIBRARY_PATH`` may differ while none of its
    directories exists)."""
    if argv != pooled.argv or memory_mb != pooled.memory_mb:
        return False
    names = {n for n in (*env, *pooled.env) if n != POOL_FD_VARIABLE and _read_at_start(n)}
    for name in names:
        if env.get(name) == pooled.env.get(name):
            continue
        if (
            name == "LD_LIBRARY_PATH"
            and name not in pooled.env
            and not any(d and os.path.isdir(d) for d in env[name].split(":"))
        ):
            continue
        return False
    return True


def _read_at_start(name: str) -> bool:
    if name in _RUNTIME_NAMES:
        return False
    return name in _START_NAMES or name.startswith(_START_PREFIXES)


def take(
    argv: List[str], env: Dict[str, str], memory_mb: int
) -> "Optional[subprocess.Popen[bytes]]":
    """Hand the waiting ``node`` its function (the caller already became the
    environment: mounts, limits, user), or None when there is none or it does not fit
    (then it is killed and the caller starts one as usual)."""
    if not WAITING:
        return None
    pooled = WAITING.pop()
    if pooled.process.poll() is not None or not fits(pooled, argv, env, memory_mb):
        pooled.discard()
        return None
    uid = confine.STATE.uid
    message = {"env": env, "cwd": os.getcwd(), "uid": uid if uid >= 0 else None}
    data = json.dumps(message, separators=(",", ":")).encode() + b"\n"
    if len(data) > _MAX_MESSAGE:
        pooled.discard()
        return None
    try:
        pooled.link.sendall(data)
    except OSError:
        pooled.discard()
        return None
    # Our end stays open for the environment's life: node ends itself when it closes
    # (a parent-death signal does not survive its change of user).
    LINKS.append(pooled.link)
    return pooled.process
