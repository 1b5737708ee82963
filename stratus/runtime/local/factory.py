"""LocalEnvironmentFactory: execution environments as processes forked on this machine.

One zygote per interpreter, started on first use; one snapshot template per function
version that asks for SnapStart. ``create`` picks the fork server, hands it the
environment's end of a fresh socketpair with the launch config, and waits for the
function's init. Cancelling ``create`` (the caller's init timeout) kills the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import shutil
import socket
import sys
import tempfile
import uuid
from typing import Any

from stratus.runtime import runtimes
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.lambda_env import BASE_ENV
from stratus.runtime.local import cgroups, placement
from stratus.runtime.local import environment as environments
from stratus.runtime.local.cgroups import CgroupTree
from stratus.runtime.local.control import ExitStatus
from stratus.runtime.local.environment import ForkedEnvironment
from stratus.runtime.local.errors import ChannelClosed, LocalRuntimeError
from stratus.runtime.local.interpreters import (
    Interpreter,
    InterpreterResolver,
    server_interpreter,
)
from stratus.runtime.local.template import SnapshotTemplate
from stratus.runtime.local.zygote import Zygote
from stratus.runtime.worker import confine, node_pool

log = logging.getLogger(__name__)

TemplateKey = tuple[str, str, str, str, str]
WARM_VARIABLE = "STRATUS_WARM_RUNTIMES"
NODE_POOL_VARIABLE = "STRATUS_NODE_POOL"  # how many node processes wait ready (0: none)
NODE_POOL_DEFAULT = 2
ISOLATION_VARIABLE = "STRATUS_ISOLATION"  # "0": environments keep the server's user
UID_BASE = 1_000_000_000  # functions run as users from here up (see _uid_of)
WATCH_INTERVAL_S = 0.5  # how often the zygotes' health is checked
UIDS_FILE = "uids.json"  # function ARN -> its user, kept across restarts (an older form)
UIDS_LOG = "uids.log"  # the same, one "<uid> <ARN>" line appended per new function


def substitution_notice(runtime: str, interpreter: Interpreter) -> str:
    """The line a function's log gets at each init when its runtime's Python is missing."""
    return (
        f"[WARNING] Stratus: {runtime} is not installed on this machine; this function runs "
        f"on Python {interpreter.version[0]}.{interpreter.version[1]} instead "
        f"({interpreter.path}). Install python{runtime[6:]} or name it in "
        "STRATUS_INTERPRETERS to run on the real one.\n"
    )


class LocalEnvironmentFactory:
    """Implements ``EnvironmentFactory`` with forked local processes."""

    def __init__(
        self,
        *,
        resolver: InterpreterResolver | None = None,
        work_dir: str | None = None,
        preload: list[str] | None = None,
        hidden: list[str] | None = None,
    ) -> None:
        self._resolver = resolver
        self._preload = preload
        self._work_dir = work_dir
        self._hidden = list(hidden or [])  # out of every environment's view
        self._cgroups = CgroupTree(0)
        self._settings: dict[str, str] = {}
        self._watch: asyncio.Task[None] | None = None
        self._bytecode_dirs: set[str] = set()
        self._uids: dict[str, int] = {}
        self._own_work_dir = False
        self._zygotes: dict[str, Zygote] = {}
        self._interpreters: dict[str, Interpreter] = {}
        self._templates: dict[TemplateKey, SnapshotTemplate] = {}
        self._template_locks: dict[TemplateKey, asyncio.Lock] = {}
        self._zygote_lock = asyncio.Lock()
        self._environments: set[ForkedEnvironment] = set()
        self._cleanups: set[asyncio.Future[None]] = set()
        self._closed = False
        self._warming: asyncio.Task[None] | None = None
        self._told_mounts: set[str] = set()  # the mount views already reported
        self._told_sandbox = False

    @property
    def resolver(self) -> InterpreterResolver:
        """Interpreters per runtime; their dependencies live in the work directory."""
        if self._resolver is None:
            if self._work_dir is None:
                raise LocalRuntimeError("factory is not started")
            self._resolver = InterpreterResolver(os.path.join(self._work_dir, "interpreters"))
        return self._resolver

    async def start(self, warm: bool = False) -> None:
        """Ready the work directory; with ``warm``, start a zygote for every runtime this
        machine has an interpreter for, in the background.

        The first function on a runtime then finds its zygote running (an interpreter
        start plus boto3's imports: seconds) and the server learns at once what the
        kernel allows (``_tell_mounts``); the caller does not wait for any of it.
        """
        if self._work_dir is None:
            self._work_dir = await asyncio.to_thread(tempfile.mkdtemp, prefix="stratus-local-")
            self._own_work_dir = True
        if not self._settings:
            await asyncio.to_thread(self._prepare_sandbox)
        if self._watch is None:
            self._watch = asyncio.create_task(self._watch_zygotes(), name="stratus-zygote-watch")
        if warm and self._warming is None:
            self._warming = asyncio.create_task(self._warm(), name="stratus-zygote-warm-up")

    def _prepare_sandbox(self) -> None:
        """Control groups and the settings every zygote gets (blocking: in a thread)."""
        assert self._work_dir is not None
        for name in ("zygotes", "bytecode"):
            os.makedirs(os.path.join(self._work_dir, name), mode=0o700, exist_ok=True)
        self._uids = _load_uids(self._work_dir)
        isolate = os.environ.get(ISOLATION_VARIABLE, "1") != "0"
        if isolate:
            self._cgroups = cgroups.probe()
        settings = {
            "cgroups": self._cgroups.worker_settings(),
            "uid_base": UID_BASE if isolate and os.geteuid() == 0 else 0,
            "hidden": [*self._hidden, self._work_dir],
        }
        self._settings = {confine.VARIABLE: json.dumps(settings)}

    async def _watch_zygotes(self) -> None:
        """The supervisor: a zygote that is stopped or gone is replaced at once, not at
        the next cold start's timeout."""
        while not self._closed:
            await asyncio.sleep(WATCH_INTERVAL_S)
            for zygote in list(self._zygotes.values()):
                why = zygote.health()
                if why is not None:
                    try:
                        await zygote.replace(why)
                    except Exception as exc:  # the next cold start tries again
                        log.warning("could not replace the zygote: %s", exc)

    async def _warm(self) -> None:
        for runtime in await asyncio.to_thread(self._runtimes_to_warm):
            try:
                await self.zygote(await self._interpreter(runtime))
            except Exception as exc:  # the first cold start on it will try, and say why
                log.warning("could not start the zygote for %s: %s", runtime, exc)

    async def create(self, launch: LaunchConfig) -> ForkedEnvironment:
        if self._closed:
            raise LocalRuntimeError("factory is closed")
        if self._work_dir is None:
            await self.start()
        spec = launch.spec
        interpreter = await self._interpreter(spec.runtime)
        if spec.snapshot and runtimes.family(spec.runtime) == "python":
            template = await self._template(interpreter, launch)
            config = self._launch_config("restore", launch, interpreter, launch.tmp_dir)
            return await self._spawn(launch, config, template.spawn)
        zygote = await self.zygote(interpreter)
        config = self._launch_config("env", launch, interpreter, launch.tmp_dir)
        return await self._spawn(launch, config, zygote.spawn)

    async def runtime_ready(self, spec: FunctionSpec) -> None:
        if self._closed:
            raise LocalRuntimeError("factory is closed")
        if self._work_dir is None:
            await self.start()
        interpreter = await self._interpreter(spec.runtime)
        if not (spec.snapshot and runtimes.family(spec.runtime) == "python"):
            await self.zygote(interpreter)

    def prepare(self, spec: FunctionSpec) -> None:
        """A new function's own bytecode folder and user, made when its code is ready
        rather than on its first cold start (~0.2 ms that caller no longer waits for)."""
        if self._work_dir is None or self._closed:
            return
        self._bytecode_dir(spec)
        self._uid_of(spec)

    def wake(self, spec: FunctionSpec) -> None:
        """A cold start of a Python function is coming, and nothing else runs: the
        zygote's spare, which will become its environment, wakes and polls for its
        launch (``worker/zygote.py``) while the server still prepares it."""
        if self._closed or spec.snapshot or runtimes.family(spec.runtime) != "python":
            return
        interpreter = self._interpreters.get(spec.runtime)
        zygote = self._zygotes.get(interpreter.path) if interpreter is not None else None
        if zygote is not None and environments.quiet():
            zygote.wake_spare()

    def _launch_config(
        self, mode: str, launch: LaunchConfig, interpreter: Interpreter, tmp_dir: str
    ) -> dict[str, Any]:
        """What the zygote's child needs to become an environment (``worker/sandbox.py``);
        ``mode``: ``env``, ``template`` or ``restore`` (see ``worker/zygote.py``)."""
        spec = launch.spec
        config: dict[str, Any] = {
            "mode": mode,
            "env": dict(launch.env),
            "tmp_dir": tmp_dir,
            "code_dir": spec.code_dir,
            "handler": spec.handler,
            "layers": list(spec.layer_dirs),
            "memory_mb": spec.memory_mb,
            "tmp_mb": spec.ephemeral_mb,
            "bytecode_dir": self._bytecode_dir(spec),
            "uid": self._uid_of(spec),
        }
        if placement.CPUS:  # what the worker widens its mask to (``placement.py``)
            config["cpus"] = list(placement.CPUS)
        kind = runtimes.family(spec.runtime)
        if kind in ("nodejs", "provided"):
            config["bootstrap"] = _bootstrap_spec(spec.runtime)
        elif interpreter.substitutes(spec.runtime):
            config["notice"] = substitution_notice(spec.runtime, interpreter)
        return config

    def _bytecode_dir(self, spec: FunctionSpec) -> str:
        """The function's own bytecode cache (see ``worker/bytecode.py``): keyed by the
        function, its code and its layers, so nothing compiled for one reaches another."""
        assert self._work_dir is not None
        key = "\n".join((spec.function_arn, spec.code_sha256, *spec.layer_dirs))
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        path = os.path.join(self._work_dir, "bytecode", digest)
        if path not in self._bytecode_dirs:
            # World-writable, but only inside the hidden work directory: an environment
            # reaches it only as its own function's mount (each runs as a new user).
            try:
                os.mkdir(path)
            except FileExistsError:
                pass
            os.chmod(path, 0o777)
            self._bytecode_dirs.add(path)
        return path

    def _uid_of(self, spec: FunctionSpec) -> int:
        """The user a function's environments run as: one per function, never shared
        with another function of this data directory (its environments share files and
        may signal each other, as one function's code may), and the same after a
        restart (files it left where it may write stay its own). The data directory
        picks the range, so servers side by side on one machine do not share users."""
        uid = self._uids.get(spec.function_arn)
        if uid is None:
            assert self._work_dir is not None
            slot = int(hashlib.sha256(self._work_dir.encode()).hexdigest()[:4], 16) & 0x3FFF
            uid = UID_BASE + (slot << 16) + (len(self._uids) + 1) % 0x10000
            self._uids[spec.function_arn] = uid
            # One appended line, not the whole map rewritten: this runs in the event loop
            # on a new function's first cold start.
            with open(os.path.join(self._work_dir, UIDS_LOG), "a") as log:
                log.write(f"{uid} {spec.function_arn}\n")
        return uid

    def _runtimes_to_warm(self) -> list[str]:
        """``STRATUS_WARM_RUNTIMES``: ``installed`` (the default: every runtime with its own
        interpreter here, which may install its dependencies on a new data directory),
        ``own`` (the server's Python only), ``none``, or a list (``python3.12,python3.9``).
        Blocking: probes interpreters."""
        wanted = os.environ.get(WARM_VARIABLE, "installed").strip()
        if wanted == "none":
            return []
        if wanted == "own":
            return [f"python{sys.version_info[0]}.{sys.version_info[1]}"]
        if wanted == "installed":
            return self.resolver.installed_runtimes()
        return [r.strip() for r in wanted.split(",") if r.strip()]

    async def _interpreter(self, runtime: str) -> Interpreter:
        kind = runtimes.family(runtime)
        if kind in ("nodejs", "provided"):  # a Runtime API server
            node = runtimes.node_binary() if kind == "nodejs" else None
            if node is not None:  # asked once, in a thread: a subprocess
                await asyncio.to_thread(runtimes.node_major, node)
            return server_interpreter()
        interpreter = self._interpreters.get(runtime)
        if interpreter is None:  # probing runs subprocesses: once per runtime, in a thread
            interpreter = await asyncio.to_thread(self.resolver.resolve, runtime)
            self._interpreters[runtime] = interpreter
        return interpreter

    async def close(self) -> None:
        self._closed = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self._warming is not None:
            self._warming.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._warming
        for env in list(self._environments):
            env.kill()
        for template in list(self._templates.values()):
            await template.close()
        self._templates.clear()
        for zygote in list(self._zygotes.values()):
            await zygote.close()
        self._zygotes.clear()
        for env in list(self._environments):
            await env.wait_closed()
        if self._cleanups:
            await asyncio.gather(*self._cleanups, return_exceptions=True)
        await asyncio.to_thread(self._cgroups.close)
        if self._own_work_dir and self._work_dir:
            await asyncio.to_thread(shutil.rmtree, self._work_dir, True)

    async def zygote(self, interpreter: Interpreter) -> Zygote:
        """The zygote for ``interpreter``, started on first use."""
        async with self._zygote_lock:
            zygote = self._zygotes.get(interpreter.path)
            if zygote is None:
                settings = dict(self._settings)
                settings[node_pool.VARIABLE] = await asyncio.to_thread(_node_pool_spec, interpreter)
                zygote = self._zygotes[interpreter.path] = Zygote(
                    interpreter,
                    self._preload,
                    settings=settings,
                    scratch_root=os.path.join(self._work_dir or "", "zygotes"),
                )
        await zygote.start()
        self._tell_mounts(interpreter, zygote.ready_report.get("mounts"))
        self._tell_sandbox(zygote.ready_report.get("sandbox"))
        return zygote

    def mount_view(self) -> dict[str, Any] | None:
        """What the first zygote found about private mount views (None before one ran)."""
        for zygote in self._zygotes.values():
            if zygote.ready_report:
                found: dict[str, Any] | None = zygote.ready_report.get("mounts")
                return found
        return None

    def _tell_mounts(self, interpreter: Interpreter, report: dict[str, Any] | None) -> None:
        """Say once, in the server's log, when environments keep the machine's view (each
        zygote probes it at its start; Pythons that find the same are not repeated)."""
        if report is None:
            return
        said = repr(sorted(report.items()))
        if said in self._told_mounts:  # another Python, the same story: said already
            return
        self._told_mounts.add(said)
        if not report.get("enabled"):
            log.warning(
                "environments on Python %d.%d share the machine's /tmp and see code and "
                "layers at their real paths (no /var/task, /opt): %s. Each still gets a "
                "private TMPDIR; see docs/functions.md, 'What holds where'.",
                *interpreter.version,
                report.get("reason") or "no private mount namespace",
            )
        elif report.get("gaps"):
            log.warning(
                "environments on Python %d.%d get a private /tmp, but %s",
                *interpreter.version,
                "; ".join(report["gaps"]),
            )

    def _tell_sandbox(self, report: dict[str, Any] | None) -> None:
        """Say once, in the server's log, what of the sandbox this machine does not give
        (docs/security.md, "What holds where")."""
        if report is None or self._told_sandbox:
            return
        self._told_sandbox = True
        missing = []
        if not report.get("identity"):
            missing.append(
                "environments run as the server's own user ({}): they can signal the "
                "server and read what it can".format(report.get("reason") or "no reason given")
            )
        if not report.get("cgroups"):
            missing.append(
                "no control groups ({}): no memory, process or freeze limits for the "
                "whole environment; only its own process is killed".format(
                    "; ".join(self._cgroups.gaps) or "turned off"
                )
            )
        elif self._cgroups.gaps:
            missing.append("control groups lack: " + "; ".join(self._cgroups.gaps))
        for line in missing:
            log.warning("sandbox: %s. See docs/security.md.", line)

    def statistics(self) -> dict[str, int]:
        return {
            "zygotes": len(self._zygotes),
            "templates": len(self._templates),
            "environments": len(self._environments),
        }

    async def _spawn(
        self, launch: LaunchConfig, config: dict[str, Any], spawn: Any
    ) -> ForkedEnvironment:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        # What the process and its children write to fds 1 and 2 comes back through this
        # pipe into the function's log, not to the server's terminal.
        output_r, output_w = os.pipe()
        # marks the end of each invocation's output in that pipe (``worker/runtime.py``)
        boundary = config["boundary"] = f"\x1estratus-end-{secrets.token_hex(8)}\x1e"
        try:
            pid, exited = await spawn(config, theirs.fileno(), output_w)
        except BaseException:
            ours.close()
            os.close(output_r)
            raise
        finally:
            theirs.close()
            os.close(output_w)
        group = self._cgroups.group(pid) if self._cgroups.enabled else None
        if group is not None and config.get("mode") == "restore":
            # A snapshot template's child cannot make its own group (the template runs
            # as the function's user): the server moves it into one.
            await asyncio.to_thread(group.adopt, pid, launch.spec.memory_mb)
        env = ForkedEnvironment(
            uuid.uuid4().hex, launch, pid, ours, exited, output_r, group, boundary
        )
        self._track(env, exited)
        try:
            await env.wait_init()
        except BaseException:
            env.kill()
            raise
        env.park()  # frozen until its first invocation, as Lambda does after init
        return env

    def _track(self, env: ForkedEnvironment, exited: asyncio.Future[ExitStatus]) -> None:
        self._environments.add(env)
        exited.add_done_callback(lambda _f: self._released(env))

    def _released(self, env: ForkedEnvironment) -> None:
        """The process is gone: forget it, kill whatever it left running and remove its
        groups and private /tmp (in a thread)."""
        self._environments.discard(env)
        cleanup = asyncio.ensure_future(asyncio.to_thread(_clean_up, env))
        self._cleanups.add(cleanup)
        cleanup.add_done_callback(self._cleanups.discard)

    async def _template(self, interpreter: Interpreter, launch: LaunchConfig) -> SnapshotTemplate:
        spec = launch.spec
        key = (interpreter.path, spec.function_name, spec.version, spec.revision, spec.code_sha256)
        lock = self._template_locks.setdefault(key, asyncio.Lock())
        async with lock:
            template = self._templates.get(key)
            if template is not None and template.alive:
                return template
            self._templates.pop(key, None)
            assert self._work_dir is not None
            tmp_dir = os.path.join(self._work_dir, "templates", uuid.uuid4().hex)
            config = self._launch_config("template", launch, interpreter, tmp_dir)
            zygote = await self.zygote(interpreter)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                pid, exited = await zygote.spawn(config, theirs.fileno())
            except BaseException:
                ours.close()
                raise
            finally:
                theirs.close()
            try:
                group = self._cgroups.group(pid) if self._cgroups.enabled else None
                template = await SnapshotTemplate.create(launch, pid, ours, exited, group)
            except ChannelClosed as exc:
                raise LocalRuntimeError(
                    f"snapshot template for {spec.function_name} failed"
                ) from exc
            self._templates[key] = template
            return template


def _bootstrap_spec(runtime: str) -> dict[str, Any]:
    """How the environment starts a runtime that is not Python (``worker/bootstrap.py``):
    Node.js through our client on this machine's ``node``; a custom runtime through the
    function's own ``bootstrap`` (found by the environment, in its code or layers)."""
    if runtimes.family(runtime) != "nodejs":
        return {}
    node = runtimes.node_binary()
    if node is None:
        raise LocalRuntimeError(runtimes.node_missing_message(runtime))
    return {
        "argv": [node, str(runtimes.NODE_CLIENT)],
        "node_major": runtimes.node_major(node) or int(runtime[6:-2]),
        "pool": True,  # a pre-started node may serve it (worker/node_pool.py)
    }


def _node_pool_spec(interpreter: Interpreter) -> str:
    """The node pool a zygote keeps (``worker/node_pool.py``), as JSON: only the zygote
    of the server's own Python, which runs the Node.js environments, and only where
    ``node`` is installed. Blocking (asks ``node --version`` once): in a thread."""
    if interpreter.path != server_interpreter().path:
        return ""
    node = runtimes.node_binary()
    if node is None or runtimes.node_major(node) is None:
        return ""
    try:
        size = int(os.environ.get(NODE_POOL_VARIABLE, NODE_POOL_DEFAULT))
    except ValueError:
        size = NODE_POOL_DEFAULT
    size = max(0, min(node_pool.MAX_SIZE, size))
    if size == 0:
        return ""
    spec = {"argv": [node, str(runtimes.NODE_CLIENT)], "env": BASE_ENV, "size": size}
    return json.dumps(spec)


def _clean_up(env: ForkedEnvironment) -> None:
    """Blocking: what an environment leaves behind once its process is gone."""
    if env.group is not None:
        env.group.kill_and_remove()
    shutil.rmtree(env.launch.tmp_dir, True)


def _load_uids(work_dir: str) -> dict[str, int]:
    """The users given to functions so far: the older JSON map, then the appended log
    (a torn last line, from a crash mid-write, is skipped: that function gets a new user)."""
    found: dict[str, int] = {}
    try:
        with open(os.path.join(work_dir, UIDS_FILE)) as handle:
            old = json.load(handle)
        if isinstance(old, dict):
            found.update({str(k): int(v) for k, v in old.items()})
    except (OSError, ValueError, TypeError):
        pass
    try:
        with open(os.path.join(work_dir, UIDS_LOG)) as handle:
            for line in handle:
                uid, _, arn = line.rstrip("\n").partition(" ")
                if uid.isdigit() and arn.startswith("arn:"):
                    found[arn] = int(uid)
    except OSError:
        pass
    return found
