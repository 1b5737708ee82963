"""LocalEnvironmentFactory: execution environments as processes forked on this machine.

One zygote per interpreter, started on first use; one snapshot template per function
version that asks for SnapStart. ``create`` picks the fork server, hands it the
environment's end of a fresh socketpair with the launch config, and waits for the
function's init. Cancelling ``create`` (the caller's init timeout) kills the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import sys
import tempfile
import uuid
from typing import Any

from stratus.runtime.environment import LaunchConfig
from stratus.runtime.local.control import ExitStatus
from stratus.runtime.local.environment import ForkedEnvironment
from stratus.runtime.local.errors import ChannelClosed, LocalRuntimeError
from stratus.runtime.local.interpreters import Interpreter, InterpreterResolver
from stratus.runtime.local.template import SnapshotTemplate
from stratus.runtime.local.zygote import Zygote

log = logging.getLogger(__name__)

TemplateKey = tuple[str, str, str, str, str]
WARM_VARIABLE = "STRATUS_WARM_RUNTIMES"


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
    ) -> None:
        self._resolver = resolver
        self._preload = preload
        self._work_dir = work_dir
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
        if warm and self._warming is None:
            self._warming = asyncio.create_task(self._warm(), name="stratus-zygote-warm-up")

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
        config: dict[str, Any] = {
            "mode": "env",
            "env": dict(launch.env),
            "tmp_dir": launch.tmp_dir,
            "code_dir": spec.code_dir,
            "handler": spec.handler,
            "layers": list(spec.layer_dirs),
        }
        if interpreter.substitutes(spec.runtime):
            config["notice"] = substitution_notice(spec.runtime, interpreter)
        if spec.snapshot:
            template = await self._template(interpreter, launch)
            config["mode"] = "restore"
            return await self._spawn(launch, config, template.spawn)
        zygote = await self.zygote(interpreter)
        return await self._spawn(launch, config, zygote.spawn)

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
        interpreter = self._interpreters.get(runtime)
        if interpreter is None:  # probing runs subprocesses: once per runtime, in a thread
            interpreter = await asyncio.to_thread(self.resolver.resolve, runtime)
            self._interpreters[runtime] = interpreter
        return interpreter

    async def close(self) -> None:
        self._closed = True
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
        if self._own_work_dir and self._work_dir:
            await asyncio.to_thread(shutil.rmtree, self._work_dir, True)

    async def zygote(self, interpreter: Interpreter) -> Zygote:
        """The zygote for ``interpreter``, started on first use."""
        async with self._zygote_lock:
            zygote = self._zygotes.get(interpreter.path)
            if zygote is None:
                zygote = self._zygotes[interpreter.path] = Zygote(interpreter, self._preload)
        await zygote.start()
        self._tell_mounts(interpreter, zygote.ready_report.get("mounts"))
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
        try:
            pid, exited = await spawn(config, theirs.fileno(), output_w)
        except BaseException:
            ours.close()
            os.close(output_r)
            raise
        finally:
            theirs.close()
            os.close(output_w)
        env = ForkedEnvironment(uuid.uuid4().hex, launch, pid, ours, exited, output_r)
        self._track(env, exited)
        try:
            await env.wait_init()
        except BaseException:
            env.kill()
            raise
        return env

    def _track(self, env: ForkedEnvironment, exited: asyncio.Future[ExitStatus]) -> None:
        self._environments.add(env)
        exited.add_done_callback(lambda _f: self._released(env))

    def _released(self, env: ForkedEnvironment) -> None:
        """The process is gone: forget it and remove its private /tmp (in a thread)."""
        self._environments.discard(env)
        cleanup = asyncio.ensure_future(asyncio.to_thread(shutil.rmtree, env.launch.tmp_dir, True))
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
            config: dict[str, Any] = {
                "mode": "template",
                "env": dict(launch.env),
                "tmp_dir": os.path.join(self._work_dir, "templates", uuid.uuid4().hex),
                "code_dir": spec.code_dir,
                "handler": spec.handler,
                "layers": list(spec.layer_dirs),
            }
            if interpreter.substitutes(spec.runtime):
                config["notice"] = substitution_notice(spec.runtime, interpreter)
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
                template = await SnapshotTemplate.create(launch, pid, ours, exited)
            except ChannelClosed as exc:
                raise LocalRuntimeError(
                    f"snapshot template for {spec.function_name} failed"
                ) from exc
            self._templates[key] = template
            return template
