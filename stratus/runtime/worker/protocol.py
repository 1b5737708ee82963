"""Frames exchanged between the server, the zygote and execution environments.

A frame is ``!II`` (header length, payload length), then the header as JSON, then
the payload as raw bytes. The header carries small control fields; the payload carries
what must not be re-encoded (an event, a response, captured logs), so the hot path
never escapes or copies user data more than once.

This module runs inside execution environments, which may be a different Python
(3.9 .. 3.13) than the server and see only the standard library plus boto3: it must
stay standard-library only, Python 3.9 compatible, and import nothing of the server.
"""

from __future__ import annotations

import json
import signal
import socket
import struct
import time
from typing import Any, Dict, List, Tuple

try:  # orjson is an accelerator, not a requirement: foreign interpreters lack it.
    import orjson

    def _dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)

    _loads = orjson.loads
except ImportError:  # pragma: no cover - exercised on interpreters without orjson

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, separators=(",", ":")).encode()

    _loads = json.loads  # type: ignore[assignment]

PREFIX = struct.Struct("!II")
MAX_HEADER = 16 * 1024 * 1024
#: The signal by which the server asks a worker to hand back the events queued behind a
#: stalled invocation (``Worker.serve``): a real-time one, which no runtime or library
#: here uses, and which queues rather than merges.
RETURN_QUEUED_SIGNAL = signal.SIGRTMAX - 2


class ConnectionClosed(EOFError):
    """The peer closed its end of the socket."""


def encode_frame(header: Dict[str, Any], payload: bytes = b"") -> bytes:
    head = _dumps(header)
    return PREFIX.pack(len(head), len(payload)) + head + payload


def decode_header(data: bytes) -> Dict[str, Any]:
    result: Dict[str, Any] = _loads(data)
    return result


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    if size == 0:
        return b""
    chunks: List[bytes] = []
    remaining = size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionClosed("peer closed the socket")
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def send_frame(sock: socket.socket, header: Dict[str, Any], payload: bytes = b"") -> None:
    sock.sendall(encode_frame(header, payload))


def send_parts(sock: socket.socket, header: Dict[str, Any], *parts: bytes) -> None:
    """Send one frame whose payload is ``parts`` joined, without joining them (one sendmsg)."""
    head = _dumps(header)
    size = sum(len(p) for p in parts)
    buffers = [PREFIX.pack(len(head), size) + head]
    buffers.extend(p for p in parts if p)
    total = len(buffers[0]) + size
    sent = sock.sendmsg(buffers)
    if sent < total:  # a large payload: finish the rest the plain way
        sock.sendall(b"".join(buffers)[sent:])


def recv_frame(sock: socket.socket) -> Tuple[Dict[str, Any], bytes]:
    head_len, payload_len = PREFIX.unpack(_recv_exactly(sock, PREFIX.size))
    if head_len > MAX_HEADER:
        raise ValueError("frame header too large: {} bytes".format(head_len))
    header = decode_header(_recv_exactly(sock, head_len))
    return header, _recv_exactly(sock, payload_len)


class FrameReader(object):
    """Frames from a blocking socket, with one ``recv`` for a whole small frame.

    ``recv_frame`` costs three system calls per frame (prefix, header, payload); on the
    invoke path, where frames are small, one suffices.
    """

    CHUNK = 65536  # under glibc's mmap threshold: no mmap/munmap per recv

    def __init__(self, sock: socket.socket, spin_seconds: float = 0.0) -> None:
        self.sock = sock
        self._buf = b""
        self._spin = spin_seconds
        self._hot = spin_seconds > 0  # did the last event come within the spin window?
        self._cold_waits = 0  # blocking waits since polling stopped (every 8th polls)
        self._expect = 0.0  # how long the next receive polls, told an event is coming

    def _recv(self) -> bytes:
        """Receive, first polling briefly without blocking: a warm function's next event
        often arrives within microseconds, and answering it without being put to sleep
        and woken up again (on another core) halves the round trip.

        Only while events do come that fast: once a poll runs out, the next waits block
        (and are timed) until one comes within the window again, and every 8th polls
        anyway, so a burst of back-to-back events finds polling again even when a woken
        wait is too slow to tell. Events spread over many environments (a loaded URL, an
        event source's batches, a client's own round trip between calls) then cost an
        eighth of the idle polling, which on a busy machine takes the CPU the server and
        the other environments need."""
        if not self._hot and self._spin > 0:
            self._cold_waits += 1
            if self._cold_waits >= 8:
                self._hot = True
        if self._expect:  # told it comes: poll for it, and leave the rest as it was
            deadline = time.perf_counter() + self._expect
            self._expect = 0.0
            while True:
                try:
                    return self.sock.recv(self.CHUNK, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    if time.perf_counter() >= deadline:
                        break
            return self.sock.recv(self.CHUNK)
        if self._hot:
            self._cold_waits = 0
            deadline = time.perf_counter() + self._spin
            while True:
                try:
                    return self.sock.recv(self.CHUNK, socket.MSG_DONTWAIT)
                except (BlockingIOError, InterruptedError):
                    if time.perf_counter() >= deadline:
                        break
            self._hot = False
            return self.sock.recv(self.CHUNK)
        if self._spin > 0:
            start = time.perf_counter()
            data = self.sock.recv(self.CHUNK)
            self._hot = time.perf_counter() - start < self._spin
            return data
        return self.sock.recv(self.CHUNK)

    def waiting(self) -> bool:
        """Whether a frame (or part of one) waits to be read, without blocking."""
        if self._buf:
            return True
        try:
            return bool(self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return False

    def expect(self, seconds: float) -> None:
        """An event is on its way (the server said so, while it prepares it): the next
        receive polls up to ``seconds`` for it before blocking."""
        self._expect = seconds

    def take_waiting(self) -> List[Dict[str, Any]]:
        """The headers of the whole frames already sent to this socket and not yet read,
        taken out so that ``read`` never returns them (without blocking; a frame only
        partly arrived stays). Only between two calls of ``read``: it shares the buffer."""
        buf = self._buf
        while True:
            try:
                chunk = self.sock.recv(self.CHUNK, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            if not chunk:  # closed: ``read`` finds that out on its own
                break
            buf += chunk
        headers = []
        while len(buf) >= PREFIX.size:
            head_len, payload_len = PREFIX.unpack_from(buf)
            end = PREFIX.size + head_len + payload_len
            if head_len > MAX_HEADER or len(buf) < end:
                break
            headers.append(decode_header(buf[PREFIX.size : PREFIX.size + head_len]))
            buf = buf[end:]
        self._buf = buf
        return headers

    def read(self) -> Tuple[Dict[str, Any], bytes]:
        buf = self._buf
        while True:
            if len(buf) >= PREFIX.size:
                head_len, payload_len = PREFIX.unpack_from(buf)
                if head_len > MAX_HEADER:
                    raise ValueError("frame header too large: {} bytes".format(head_len))
                end = PREFIX.size + head_len + payload_len
                missing = end - len(buf)
                if missing > self.CHUNK:  # a large event: read the rest in one go
                    buf += _recv_exactly(self.sock, missing)
                    missing = 0
                if missing <= 0:
                    header = decode_header(buf[PREFIX.size : PREFIX.size + head_len])
                    payload = buf[PREFIX.size + head_len : end]
                    self._buf = buf[end:]
                    self._expect = 0.0  # (it came along with the wake: no polling later)
                    return header, payload
            chunk = self._recv()
            if not chunk:
                self._buf = buf
                raise ConnectionClosed("peer closed the socket")
            buf = buf + chunk if buf else chunk


def send_frame_with_fds(
    sock: socket.socket, header: Dict[str, Any], fds: List[int], payload: bytes = b""
) -> None:
    """Send one frame whose first byte carries file descriptors (SCM_RIGHTS)."""
    data = encode_frame(header, payload)
    sent = socket.send_fds(sock, [data[:1]], fds)
    if sent != 1:  # pragma: no cover - a 1-byte send on a unix socket is atomic
        raise OSError("could not send descriptors")
    sock.sendall(data[1:])


def recv_frame_with_fds(
    sock: socket.socket, max_fds: int = 4
) -> Tuple[Dict[str, Any], bytes, List[int]]:
    """Receive a frame sent by :func:`send_frame_with_fds`; returns its descriptors too."""
    first, fds, _flags, _addr = socket.recv_fds(sock, 1, max_fds)
    if not first:
        raise ConnectionClosed("peer closed the socket")
    rest = _recv_exactly(sock, PREFIX.size - 1)
    head_len, payload_len = PREFIX.unpack(first + rest)
    header = decode_header(_recv_exactly(sock, head_len))
    return header, _recv_exactly(sock, payload_len), list(fds)
