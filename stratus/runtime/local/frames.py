"""Frames on non-blocking sockets, for the asyncio side (the worker side is blocking).

The format is ``stratus.runtime.worker.protocol``'s; this module adds an incremental
parser fed from ``loop.add_reader`` callbacks and a send that completes in one
``sendmsg`` when the socket has room, which is always the case for the small frames of
the hot path.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import orjson

from stratus.runtime.worker.protocol import MAX_HEADER, PREFIX

Frame = tuple[dict[str, Any], bytes]

_PREFIX_SIZE = PREFIX.size
_unpack = PREFIX.unpack_from


class FrameTooLarge(ValueError):
    """A frame declares a header or payload over the parser's bounds."""


class FrameParser:
    """Turns a byte stream into frames, whatever the chunking, in time linear in the bytes.

    The pieces of a frame that spans several reads are kept in a list and joined once, when
    the whole frame is there: concatenating each read onto what came before would copy the
    frame again per read, which for an 80 MB reply in 64 KiB reads is 50 GB of copying.

    ``max_payload`` bounds what one frame may make the server hold. A frame declaring more
    is never buffered: its payload is read past and discarded as it arrives, and
    :meth:`oversized` says what the caller gets instead (by default the parser raises
    :class:`FrameTooLarge`, which leaves the stream unusable).
    """

    __slots__ = ("_have", "_need", "_parts", "_pending", "_skip", "max_header", "max_payload")

    def __init__(self, max_payload: int = 1 << 32, max_header: int = MAX_HEADER) -> None:
        self._pending = False  # a read ended inside a frame (``_parts`` or ``_skip`` is set)
        self._parts: list[bytes] = []  # the reads of the incomplete frame, in order
        self._have = 0  # bytes in ``_parts``
        self._need = 0  # bytes ``_parts`` must hold before parsing again
        self._skip = 0  # bytes still to discard of an oversized frame's payload
        self.max_payload = max_payload
        self.max_header = max_header

    def feed(self, data: bytes) -> list[Frame]:
        if self._pending:
            data = self._resume(data)
        frames: list[Frame] = []
        pos = 0
        end = len(data)
        while pos < end:
            if end - pos < _PREFIX_SIZE:
                return self._hold(data, pos, _PREFIX_SIZE, frames)
            head_len, payload_len = _unpack(data, pos)
            head_end = pos + _PREFIX_SIZE + head_len
            stop = head_end + payload_len
            if stop > end or payload_len > self.max_payload:
                return self._incomplete(data, pos, head_len, payload_len, frames)
            header = orjson.loads(data[pos + _PREFIX_SIZE : head_end])
            frames.append((header, data[head_end:stop]))
            pos = stop
        return frames

    def _resume(self, data: bytes) -> bytes:
        """What to parse now that ``data`` came: the held start of a frame joined to it
        once the frame is whole; nothing while it is not, or while a payload is skipped."""
        if self._skip:
            if len(data) <= self._skip:
                self._skip -= len(data)
                self._pending = self._skip > 0
                return b""
            data = data[self._skip :]
            self._skip = 0
            self._pending = False
            return data
        self._parts.append(data)
        self._have += len(data)
        if self._have < self._need:
            return b""
        data = b"".join(self._parts)  # the frame's one copy
        self._parts = []
        self._pending = False
        return data

    def _hold(self, data: bytes, pos: int, need: int, frames: list[Frame]) -> list[Frame]:
        """Keep the start of a frame until ``need`` bytes of it have come."""
        self._parts = [data[pos:] if pos else data]
        self._have = len(data) - pos
        self._need = need
        self._pending = True
        return frames

    def _incomplete(
        self, data: bytes, pos: int, head_len: int, payload_len: int, frames: list[Frame]
    ) -> list[Frame]:
        """The frame at ``pos`` is not whole in ``data``, or its payload is over the limit."""
        if head_len > self.max_header:
            raise FrameTooLarge(f"frame header too large: {head_len} bytes")
        head_end = pos + _PREFIX_SIZE + head_len
        stop = head_end + payload_len
        if payload_len <= self.max_payload:
            return self._hold(data, pos, stop - pos, frames)
        if head_end > len(data):  # over the limit: its header is all that is kept
            return self._hold(data, pos, head_end - pos, frames)
        header = orjson.loads(data[pos + _PREFIX_SIZE : head_end])
        frames.append(self.oversized(header, payload_len))
        if stop >= len(data):
            self._skip = stop - len(data)
            self._pending = self._skip > 0
            return frames
        return frames + self.feed(data[stop:])

    def oversized(self, header: dict[str, Any], payload_len: int) -> Frame:
        """What to return for a frame whose payload is over ``max_payload``."""
        raise FrameTooLarge(f"frame payload too large: {payload_len} bytes ({header!r})")


def encode_head(header: dict[str, Any], payload_len: int) -> bytes:
    head = orjson.dumps(header)
    return PREFIX.pack(len(head), payload_len) + head


async def send_frame(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, header: dict[str, Any], payload: bytes
) -> None:
    """Send one frame; awaits only when the socket buffer is full (large payloads)."""
    head = encode_head(header, len(payload))
    total = len(head) + len(payload)
    try:
        sent = sock.sendmsg([head, payload] if payload else [head])
    except BlockingIOError:
        sent = 0
    if sent < total:
        await loop.sock_sendall(sock, (head + payload)[sent:])


async def send_frame_with_fds(
    loop: asyncio.AbstractEventLoop,
    sock: socket.socket,
    header: dict[str, Any],
    payload: bytes,
    fds: list[int],
) -> None:
    """Send one frame with descriptors attached to its first byte (SCM_RIGHTS)."""
    data = encode_head(header, len(payload)) + payload
    while True:
        try:
            sent = socket.send_fds(sock, [data], fds)
            break
        except BlockingIOError:
            await _wait_writable(loop, sock)
    if sent < len(data):
        await loop.sock_sendall(sock, data[sent:])


async def _wait_writable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()
    fd = sock.fileno()

    def on_writable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_writer(fd, on_writable)
    try:
        await ready
    finally:
        loop.remove_writer(fd)
