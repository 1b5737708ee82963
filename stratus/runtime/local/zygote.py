"""Start, talk to, restart and stop one zygote process (one per interpreter).

The zygote runs in its own session, so a Ctrl-C on the server's terminal reaches the
server only; the server then closes the zygote's control socket, and the zygote kills
its children and exits. If the zygote dies, the next spawn starts a new one.
Starting a process is a blocking call (the server never forks: ``subprocess`` uses
``vfork``/``posix_spawn``), so it runs in a thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
from typing import Any

from stratus.runtime.local.control import ControlChannel, ExitStatus
from stratus.runtime.local.errors import ChannelClosed, ZygoteUnavailable
from stratus.runtime.local.interpreters import Interpreter

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 120.0  # a foreign interpreter compiles boto3 on its first start
MODULE = "stratus.runtime.worker.zygote"


class Zygote:
    """The server's handle on one fork server process."""

    def __init__(self, interpreter: Interpreter, preload: list[str] | None = None) -> None:
        self.interpreter = interpreter
        self.preload = preload
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
        """Fork an environment on ``fd``; starts (or restarts) the zygote when needed."""
        for attempt in (1, 2):
            await self.start()
            channel = self._channel
            assert channel is not None
            try:
                return await channel.spawn(config, fd, output_fd)
            except ChannelClosed:
                if attempt == 2:
                    raise ZygoteUnavailable("zygote died twice while spawning") from None
                log.warning("zygote %s died; restarting it", self.pid)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        """Stop the zygote; its children die with it."""
        async with self._lock:
            self._closed = True
            if self._channel is not None:
                self._channel.close()
            await self._reap()

    async def _launch(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = self.interpreter.zygote_env(dict(os.environ))
        if self.preload is not None:
            env["STRATUS_ZYGOTE_PRELOAD"] = ",".join(self.preload)
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
        if proc is None:
            return
        try:
            await asyncio.wait_for(asyncio.to_thread(proc.wait), 5.0)
        except TimeoutError:
            proc.kill()
            await asyncio.to_thread(proc.wait)
