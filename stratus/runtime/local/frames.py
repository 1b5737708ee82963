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


class FrameParser:
    """Turns a byte stream into frames, whatever the chunking."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = b""

    def feed(self, data: bytes) -> list[Frame]:
        buf = self._buf + data if self._buf else data
        frames: list[Frame] = []
        pos = 0
        end = len(buf)
        while end - pos >= _PREFIX_SIZE:
            head_len, payload_len = _unpack(buf, pos)
            if head_len > MAX_HEADER:
                raise ValueError(f"frame header too large: {head_len} bytes")
            stop = pos + _PREFIX_SIZE + head_len + payload_len
            if stop > end:
                break
            head_end = pos + _PREFIX_SIZE + head_len
            header = orjson.loads(buf[pos + _PREFIX_SIZE : head_end])
            frames.append((header, buf[head_end:stop]))
            pos = stop
        self._buf = buf[pos:] if pos < end else b""
        return frames


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
