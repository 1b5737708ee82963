"""The server's end of a fork server's control socket (a zygote or a snapshot template).

It sends spawn requests, matches their answers, and turns the fork server's exit
reports into one future per child: an environment learns how its process died from
there, since only the parent can reap it. When the fork server goes away, its children
die with it (it kills them, or the kernel does), so every pending future resolves as a
``SIGKILL``.

A zygote lends the server its spare child: the socket the spare waits on comes over
with a ``spare`` frame, so a cold start hands the spare its launch directly, without a
round trip through the zygote, and tells the zygote afterwards (``taken``).
"""

from __future__ import annotations

import array
import asyncio
import collections
import contextlib
import itertools
import logging
import os
import signal
import socket
from typing import Any, NamedTuple

import orjson

from stratus.runtime.local.errors import ChannelClosed, SpawnFailed
from stratus.runtime.local.frames import FrameParser, encode_head, send_frame, send_frame_with_fds
from stratus.runtime.local.placement import Placement

log = logging.getLogger(__name__)

ExitStatus = tuple[int | None, int | None]
_ANCILLARY = socket.CMSG_SPACE(4 * array.array("i").itemsize)


#: Sent on a spare's socket ahead of its launch (``wake_spare``).
_WAKE_FRAME = encode_head({"op": "wake"}, 0)


class Spare(NamedTuple):
    """A zygote's child forked ahead, waiting on ``link`` for its launch."""

    pid: int
    link: socket.socket
    exited: asyncio.Future[ExitStatus]


class ControlChannel:
    """Spawn requests and exit reports over one fork server's socket."""

    def __init__(self, sock: socket.socket, name: str) -> None:
        self.name = name
        self._sock = sock
        self._loop = asyncio.get_running_loop()
        self._parser = FrameParser()
        self._ids = itertools.count(1)
        self._spawns: dict[int, asyncio.Future[tuple[int, asyncio.Future[ExitStatus]]]] = {}
        self._exits: dict[int, asyncio.Future[ExitStatus]] = {}
        self._spare: Spare | None = None
        self._woken_spares: set[int] = set()  # the spare told its launch is coming
        self._received_fds: collections.deque[int] = collections.deque()
        self._notes: set[asyncio.Task[None]] = set()
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
        answer: asyncio.Future[tuple[int, asyncio.Future[ExitStatus]]] = self._loop.create_future()
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
            return await answer
        except (BrokenPipeError, ConnectionResetError) as exc:
            self._on_closed()
            raise ChannelClosed(f"{self.name} is gone") from exc
        finally:
            self._spawns.pop(request, None)

    def wake_spare(self) -> None:
        """Tell the spare its launch is coming: it polls for it instead of sleeping
        (once per spare; a spare told so polls a while, then waits as before)."""
        spare = self._spare
        if spare is None or spare.pid in self._woken_spares:
            return
        # It inits on a core of its own while the loop keeps turning (``_keep_turning``);
        # it widens its mask again as it starts (its launch config's ``cpus``).
        Placement(spare.pid, placeable=True).steer()
        try:
            spare.link.send(_WAKE_FRAME, socket.MSG_DONTWAIT)
        except OSError:
            return  # gone, or (never, idle) full: the launch finds out
        self._woken_spares = {spare.pid}

    def take_spare(self) -> Spare | None:
        """The spare the zygote lent, if it is still there to take."""
        spare, self._spare = self._spare, None
        if spare is not None and (spare.exited.done() or self._closed):
            spare.link.close()
            return None
        return spare

    async def start_spare(
        self, spare: Spare, config: dict[str, Any], fd: int, output_fd: int | None = None
    ) -> tuple[int, asyncio.Future[ExitStatus]]:
        """Hand ``spare`` its launch, as ``spawn`` would have the zygote do; raises
        OSError when the spare is gone (the caller spawns the usual way)."""
        try:
            await send_frame_with_fds(
                self._loop,
                spare.link,
                {"op": "go"},
                orjson.dumps(config),
                [fd] if output_fd is None else [fd, output_fd],
            )
        finally:
            spare.link.close()
        note = self._loop.create_task(self._tell_taken(spare.pid))
        self._notes.add(note)
        note.add_done_callback(self._notes.discard)
        return spare.pid, spare.exited

    async def _tell_taken(self, pid: int) -> None:
        """The zygote now reports this child's exit as an environment's and readies the
        next spare."""
        if self._closed:
            return
        try:
            async with self._lock:
                await send_frame(self._loop, self._sock, {"op": "taken", "pid": pid}, b"")
        except OSError:
            self._on_closed()

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
            data, ancillary, _flags, _addr = self._sock.recvmsg(
                65536, _ANCILLARY, socket.MSG_CMSG_CLOEXEC
            )
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data, ancillary = b"", []
        for level, kind, fds in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                received = array.array("i")
                received.frombytes(fds[: len(fds) - len(fds) % received.itemsize])
                self._received_fds.extend(received)
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
                # Forgotten once reported: the kernel may give the pid to a new child.
                fut = self._exits.pop(header["pid"], None)
                if fut is not None and not fut.done():
                    fut.set_result((header.get("code"), header.get("signal")))
            elif op == "spawned":
                waiter = self._spawns.get(header.get("id", -1))
                if waiter is None or waiter.done():
                    continue
                if "pid" in header:
                    # exists before any exit report lands
                    waiter.set_result((header["pid"], self.exit_future(header["pid"])))
                else:
                    waiter.set_exception(SpawnFailed(header.get("error", "spawn failed")))
            elif op == "spare":
                self._lent(header["pid"])
            elif op == "ready":
                if not self._ready.done():
                    self._ready.set_result(header)
            else:
                log.warning("%s: unexpected frame %r", self.name, header)

    def _lent(self, pid: int) -> None:
        """The zygote's new spare, and the socket it waits on (sent with the frame)."""
        if not self._received_fds:
            log.warning("%s lent spare %d without its socket", self.name, pid)
            return
        link = socket.socket(fileno=self._received_fds.popleft())
        link.setblocking(False)
        if self._spare is not None:  # an older one: closing its socket lets it go
            self._spare.link.close()
        self._spare = Spare(pid, link, self.exit_future(pid))

    def _on_closed(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._loop.remove_reader(self._sock.fileno())
        self._sock.close()
        if self._spare is not None:
            self._spare.link.close()
            self._spare = None
        while self._received_fds:
            with contextlib.suppress(OSError):
                os.close(self._received_fds.popleft())
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
