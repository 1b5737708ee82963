"""Snapshot templates (SnapStart): a process that ran a function's init once and forks
initialized environments from then on.

The zygote forks the template like an environment (mode ``"template"``); it imports the
handler, reports its init, runs the before-snapshot hooks, reports ``snapshot``, and then
serves the zygote's control protocol on the same socket. Environments forked from it skip
init: they re-seed ``random``, set ``AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`` and run
the after-restore hooks.
"""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

from stratus.runtime.environment import InitFailed, InitOutcome, LaunchConfig
from stratus.runtime.local.cgroups import EnvironmentGroup
from stratus.runtime.local.control import ControlChannel, ExitStatus
from stratus.runtime.local.environment import ForkedEnvironment
from stratus.runtime.local.errors import ChannelClosed


class SnapshotTemplate:
    """The server's handle on one template process."""

    def __init__(self, process: ForkedEnvironment, channel: ControlChannel) -> None:
        self._process = process
        self.channel = channel
        self.init: InitOutcome = process.init

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return not self.channel.closed and self._process.exit_status() == (None, None)

    @classmethod
    async def create(
        cls,
        launch: LaunchConfig,
        pid: int,
        sock: socket.socket,
        exited: asyncio.Future[ExitStatus],
        group: EnvironmentGroup | None = None,
    ) -> SnapshotTemplate:
        """Wait for the template's init and snapshot reports; raises InitFailed.

        A template is never frozen (it serves spawns); its group goes when it does."""
        process = ForkedEnvironment(
            f"template-{uuid.uuid4().hex[:8]}", launch, pid, sock, exited, None, group
        )
        try:
            await process.wait_init()
            header, data = await process.next_frame()
            if header.get("op") != "snapshot":
                raise ChannelClosed(f"template {pid} sent {header!r} instead of its snapshot")
            if header.get("error"):
                raise InitFailed(data, header["error"], "", process.init.init_duration_ms)
        except BaseException:
            process.kill()
            raise
        return cls(process, ControlChannel(process.detach(), f"template {pid}"))

    async def spawn(
        self, config: dict[str, Any], fd: int, output_fd: int | None = None
    ) -> tuple[int, asyncio.Future[ExitStatus]]:
        return await self.channel.spawn(config, fd, output_fd)

    async def close(self) -> None:
        self.channel.close()
        self._process.kill()
        await self._process.wait_closed()
        if self._process.group is not None:
            await asyncio.to_thread(self._process.group.kill_and_remove)
