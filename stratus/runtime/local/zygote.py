"""Start, talk to, restart and stop one zygote process (one per interpreter).

The zygote runs in its own session, so a Ctrl-C on the server's terminal reaches the
server only; the server then closes the zygote's control socket, and the zygote kills
its children and exits. If the zygote dies, the next spawn starts a new one.
Starting a process is a blocking call (the server never forks: ``subprocess`` uses
``vfork``/``posix_spawn``), so it runs in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import tempfile
from typing import Any

from stratus.runtime.local.control import ControlChannel, ExitStatus
from stratus.runtime.local.errors import ChannelClosed, ZygoteUnavailable
from stratus.runtime.local.interpreters import Interpreter
from stratus.runtime.worker.sandbox import SCRATCH_VARIABLE

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 120.0  # a foreign interpreter compiles boto3 on its first start
SPAWN_TIMEOUT_S = 10.0  # a fork server that does not answer by then is hung: replaced
MODULE = "stratus.runtime.worker.zygote"
# What of the server's environment a zygote keeps. Every environment can read the
# environment its zygote was started with (its own /proc/self/environ), so the server's
# secrets (credentials, tokens) must never get there: only what Python needs.
_KEPT_VARIABLES = ("PATH", "LANG", "LANGUAGE", "TZ", "HOME", "TMPDIR", "LD_LIBRARY_PATH")
_KEPT_PREFIXES = ("LC_", "STRATUS_", "PYTHON", "COVERAGE_", "COV_CORE_")


def zygote_base_env(environ: dict[str, str]) -> dict[str, str]:
    """The part of the server's environment a zygote starts with."""
    return {
        key: value
        for key, value in environ.items()
        if key in _KEPT_VARIABLES or key.startswith(_KEPT_PREFIXES)
    }


class Zygote:
    """The server's handle on one fork server process."""

    def __init__(
        self,
        interpreter: Interpreter,
        preload: list[str] | None = None,
        *,
        settings: dict[str, str] | None = None,
        scratch_root: str | None = None,
    ) -> None:
        self.interpreter = interpreter
        self.preload = preload
        self.settings = dict(settings or {})  # extra variables: the sandbox's settings
        self.scratch_root = scratch_root  # where each zygote gets its 0700 directory
        self._scratch: str | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: ControlChannel | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self.starts = 0
        self.ready_report: dict[str, Any] = {}  # the zygote's ``ready`` frame: what it found

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._channel is not None and not self._channel.closed

    async def start(self) -> None:
        """Start the process if it is not running (again, if it died)."""
        async with self._lock:
            if self._closed:
                raise ZygoteUnavailable("zygote is closed")
            if self.running:
                return
            await self._reap()
            await self._launch()

    async def spawn(
        self, config: dict[str, Any], fd: int, output_fd: int | None = None
    ) -> tuple[int, asyncio.Future[ExitStatus]]:
        """Fork an environment on ``fd``; starts (or restarts) the zygote when needed.

        The spare the zygote lent us, when there is one, becomes a Python environment at
        once (one message to it instead of a request to the zygote and its answer); other
        runtimes go through the zygote, which keeps the pre-started Node.js processes."""
        channel = self._channel
        python = config.get("bootstrap") is None
        spare = channel.take_spare() if channel is not None and python else None
        if spare is not None and channel is not None:
            try:
                return await channel.start_spare(spare, config, fd, output_fd)
            except OSError:
                pass  # gone meanwhile: the zygote forks one
        for attempt in (1, 2):
            await self.start()
            channel = self._channel
            assert channel is not None
            try:
                async with asyncio.timeout(SPAWN_TIMEOUT_S):
                    return await channel.spawn(config, fd, output_fd)
            except TimeoutError:
                if attempt == 2:
                    raise ZygoteUnavailable("zygote did not answer twice") from None
                await self.replace(f"did not answer a spawn in {SPAWN_TIMEOUT_S:.0f} s")
            except ChannelClosed:
                if attempt == 2:
                    raise ZygoteUnavailable("zygote died twice while spawning") from None
                log.warning("zygote %s died; restarting it", self.pid)
        raise AssertionError("unreachable")  # pragma: no cover

    def wake_spare(self) -> None:
        """The spare lent to the server will be launched soon (``ControlChannel``)."""
        if self._channel is not None:
            self._channel.wake_spare()

    async def close(self) -> None:
        """Stop the zygote; its children die with it."""
        async with self._lock:
            self._closed = True
            if self._channel is not None:
                self._channel.close()
            await self._reap()

    async def _launch(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = self.interpreter.zygote_env(zygote_base_env(dict(os.environ)))
        env.update(self.settings)
        if self.preload is not None:
            env["STRATUS_ZYGOTE_PRELOAD"] = ",".join(self.preload)
        if self.scratch_root is not None:
            self._scratch = await asyncio.to_thread(
                tempfile.mkdtemp, prefix="zygote-", dir=self.scratch_root
            )
            env[SCRATCH_VARIABLE] = self._scratch  # removed when the zygote goes
        argv = [self.interpreter.path, "-m", MODULE, "--control-fd", str(child.fileno())]
        try:
            self._proc = await asyncio.to_thread(
                subprocess.Popen,
                argv,
                pass_fds=(child.fileno(),),
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                env=env,
                cwd="/",
            )
        except OSError as exc:
            parent.close()
            raise ZygoteUnavailable(f"cannot start {argv[0]}: {exc}") from exc
        finally:
            child.close()
        self.starts += 1
        self._channel = ControlChannel(parent, f"zygote {self._proc.pid}")
        try:
            async with asyncio.timeout(READY_TIMEOUT_S):
                self.ready_report = await self._channel.wait_ready()
        except (TimeoutError, ChannelClosed) as exc:
            self._channel.close()
            await self._reap()
            raise ZygoteUnavailable(f"zygote {argv[0]} did not start") from exc

    async def _reap(self) -> None:
        proc, self._proc = self._proc, None
        scratch, self._scratch = self._scratch, None
        if proc is not None:
            try:
                await asyncio.wait_for(asyncio.to_thread(proc.wait), 5.0)
            except TimeoutError:
                proc.kill()
                await asyncio.to_thread(proc.wait)
        if scratch is not None:  # the zygote removes it, unless it was killed
            await asyncio.to_thread(shutil.rmtree, scratch, True)

    def health(self) -> str | None:
        """Why this zygote must be replaced (stopped, gone), or None if it is fine."""
        if self._proc is None or self._closed:
            return None
        if self._channel is None or self._channel.closed:
            return "its control socket is closed"
        state = _process_state(self._proc.pid)
        if state is None or state == "Z":
            return "it is gone"
        if state in ("T", "t"):
            return "it is stopped"
        return None

    async def replace(self, why: str) -> None:
        """Kill a hung or stopped zygote and start another (its children die with it)."""
        async with self._lock:
            if self._closed or self._proc is None:
                return
            log.warning("zygote %s %s; replacing it", self._proc.pid, why)
            with contextlib.suppress(ProcessLookupError):
                self._proc.kill()
            if self._channel is not None:
                self._channel.close()
            await self._reap()
        await self.start()


def _process_state(pid: int) -> str | None:
    """The one-letter state in ``/proc/<pid>/stat`` (R, S, T, Z ...), None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode("ascii", "replace")
    except OSError:
        return None
    return text[text.rfind(")") + 2 :][:1] or None
