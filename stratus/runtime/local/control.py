"""The server's end of a fork server's control socket (a zygote or a snapshot template).

It sends spawn requests, matches their answers, and turns the fork server's exit
reports into one future per child: an environment learns how its process died from
there, since only the parent can reap it. When the fork server goes away, its children
die with it (it kills them, or the kernel does), so every pending future resolves as a
``SIGKILL``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
import socket
from typing import Any

import orjson

from stratus.runtime.local.errors import ChannelClosed, SpawnFailed
from stratus.runtime.local.frames import FrameParser, encode_head, send_frame_with_fds

log = logging.getLogger(__name__)

ExitStatus = tuple[int | None, int | None]


class ControlChannel:
    """Spawn requests and exit reports over one fork server's socket."""

    def __init__(self, sock: socket.socket, name: str) -> None:
        self.name = name
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._parser = FrameParser()
        self._ids = itertools.count(1)
        self._spawns: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, asyncio.Future[ExitStatus]] = {}
        self._ready: asyncio.Future[dict[str, Any]] = self._loop.create_future()
        self._lock = asyncio.Lock()
        self._closed = False
        sock.setblocking(False)
        self._loop.add_reader(sock.fileno(), self._on_readable)

    @property
    def closed(self) -> bool:
        return self._closed

    async def wait_ready(self) -> dict[str, Any]:
        """The fork server's ``ready`` report (zygotes send one; templates do not)."""
        return await asyncio.shield(self._ready)

    def exit_future(self, pid: int) -> asyncio.Future[ExitStatus]:
        fut = self._exits.get(pid)
        if fut is None:
            fut = self._exits[pid] = self._loop.create_future()
            if self._closed:
                fut.set_result((None, signal.SIGKILL))
        return fut

    async def spawn(
        self, config: dict[str, Any], fd: int, output_fd: int | None = None
    ) -> tuple[int, asyncio.Future[ExitStatus]]:
        """Have the fork server fork a child on ``fd``; returns its pid and exit future.

        ``output_fd``: the write end of a pipe that becomes the child's fds 1 and 2."""
        if self._closed:
            raise ChannelClosed(f"{self.name} is gone")
        request = next(self._ids)
        answer: asyncio.Future[int] = self._loop.create_future()
        self._spawns[request] = answer
        try:
            async with self._lock:  # one frame at a time on the stream
                await send_frame_with_fds(
                    self._loop,
                    self._sock,
                    {"op": "spawn", "id": request},
                    orjson.dumps(config),
                    [fd] if output_fd is None else [fd, output_fd],
                )
            pid = await answer
        except (BrokenPipeError, ConnectionResetError) as exc:
            self._on_closed()
            raise ChannelClosed(f"{self.name} is gone") from exc
        finally:
            self._spawns.pop(request, None)
        return pid, self.exit_future(pid)

    def close(self) -> None:
        """Ask the fork server to stop (closing the socket is the same request)."""
        if self._closed:
            return
        try:
            self._sock.send(_SHUTDOWN)
        except OSError:
            pass
        self._on_closed()

    def _on_readable(self) -> None:
        try:
            data = self._sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._on_closed()
            return
        try:
            frames = self._parser.feed(data)
        except ValueError:
            log.exception("%s sent a malformed frame", self.name)
            self._on_closed()
            return
        for header, _payload in frames:
            op = header.get("op")
            if op == "exit":
                fut = self.exit_future(header["pid"])
                if not fut.done():
                    fut.set_result((header.get("code"), header.get("signal")))
            elif op == "spawned":
                waiter = self._spawns.get(header.get("id", -1))
                if waiter is None or waiter.done():
                    continue
                if "pid" in header:
                    self.exit_future(header["pid"])  # exists before any exit report lands
                    waiter.set_result(header["pid"])
                else:
                    waiter.set_exception(SpawnFailed(header.get("error", "spawn failed")))
            elif op == "ready":
                if not self._ready.done():
                    self._ready.set_result(header)
            else:
                log.warning("%s: unexpected frame %r", self.name, header)

    def _on_closed(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        lost = ChannelClosed(f"{self.name} is gone")
        if not self._ready.done():
            self._ready.set_exception(lost)
            self._ready.exception()  # retrieved: nobody may be waiting
        for waiter in self._spawns.values():
            if not waiter.done():
                waiter.set_exception(lost)
        for fut in self._exits.values():
            if not fut.done():
                fut.set_result((None, signal.SIGKILL))


_SHUTDOWN = encode_head({"op": "shutdown"}, 0)
