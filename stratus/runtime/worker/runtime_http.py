"""The HTTP/1.1 side of the Lambda Runtime API, as small as the API is.

A custom runtime (a ``bootstrap``, Node.js's client, ``awslambdaric``) talks to Lambda
over plain HTTP on ``AWS_LAMBDA_RUNTIME_API``: a long-polled ``GET .../invocation/next``,
then a ``POST`` of the response or the error, on one keep-alive connection. This module
reads such requests from non-blocking sockets and writes the answers; what the requests
mean is ``bootstrap.py``'s business. It is written here rather than taken from
``http.server`` because it runs in the environment on every invocation (``http.server``
costs a thread or a blocking read per connection and ~100 µs per request) and because a
hostile runtime must not make it buffer without bound: heads are capped, bodies are
counted and, past the limit, drained without being kept.

Runs inside execution environments: standard library only, Python 3.9 compatible.
"""

from __future__ import annotations

import json
import socket
from typing import Callable, Dict, List, Optional, Tuple

MAX_HEAD = 64 * 1024  # request line and headers; AWS's own limit is not documented
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
}


class Request(object):
    """One request: method, path, headers (lower-cased names) and body.

    ``body_size`` counts every byte sent; past the connection's ``body_limit`` the body
    is not kept (``truncated``) and the request is still answered once it has arrived.
    """

    __slots__ = ("body", "body_size", "headers", "method", "path", "sink", "trailers", "truncated")

    def __init__(self, method: str, path: str, headers: Dict[str, str]) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.body = b""
        self.body_size = 0
        self.truncated = False
        # A streamed response's body goes to ``sink`` as it arrives, instead of ``body``.
        self.sink: Optional[Callable[[bytes], None]] = None
        self.trailers: Dict[str, str] = {}  # of a chunked body (mid-stream errors)


# Told of each request's head before its body arrives; may set ``request.sink``.
HeadHook = Callable[[Request], None]


class BadRequest(Exception):
    """The peer sent something that is not HTTP/1.1 we can read: the connection closes."""


class Connection(object):
    """One keep-alive connection from the runtime (or from anything else in the box)."""

    def __init__(
        self, sock: socket.socket, body_limit: int, head_hook: Optional[HeadHook] = None
    ) -> None:
        self.sock = sock
        self.body_limit = body_limit
        self.head_hook = head_hook
        self._buf = b""
        self._request: Optional[Request] = None
        self._remaining = 0  # body bytes still to come (Content-Length)
        self._chunked = False
        self._stage = "size"  # of a chunked body: size, data, crlf or trailers
        self._chunks: List[bytes] = []
        self.closed = False

    def fileno(self) -> int:
        return self.sock.fileno()

    def read(self) -> List[Request]:
        """Everything that arrived, as the complete requests it makes (maybe none).

        Raises ``BadRequest`` on garbage and ``EOFError`` when the peer has gone."""
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            raise EOFError from None
        if not data:
            raise EOFError
        self._buf += data
        done: List[Request] = []
        while True:
            request = self._advance()
            if request is None:
                return done
            done.append(request)

    def _advance(self) -> Optional[Request]:
        if self._request is None:
            end = self._buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buf) > MAX_HEAD:
                    raise BadRequest("request head too large")
                return None
            self._request = self._parse_head(self._buf[:end])
            self._buf = self._buf[end + 4 :]
        if self._chunked:
            return self._advance_chunked()
        take = min(self._remaining, len(self._buf))
        self._keep(self._buf[:take])
        self._buf = self._buf[take:]
        self._remaining -= take
        if self._remaining:
            return None
        return self._finish()

    def _parse_head(self, head: bytes) -> Request:
        try:
            lines = head.decode("latin-1").split("\r\n")
            method, target, version = lines[0].split(" ")
        except ValueError:
            raise BadRequest("malformed request line") from None
        if not version.startswith("HTTP/1."):
            raise BadRequest("not HTTP/1.x")
        headers: Dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(":")
            if not sep:
                raise BadRequest("malformed header line")
            headers[name.strip().lower()] = value.strip()
        request = Request(method, target.split("?", 1)[0], headers)
        self._chunks = []
        if headers.get("transfer-encoding", "").lower() == "chunked":
            self._chunked = True
            self._stage = "size"
            self._remaining = 0
        else:
            try:
                self._remaining = int(headers.get("content-length") or 0)
            except ValueError:
                raise BadRequest("bad Content-Length") from None
            if self._remaining < 0:
                raise BadRequest("bad Content-Length")
        if self.head_hook is not None:
            self.head_hook(request)
        return request

    def _advance_chunked(self) -> Optional[Request]:
        """Chunked bodies (streamed responses): a size line, the data and a CRLF per
        chunk, until a chunk of size 0 and the trailers' empty line."""
        while True:
            if self._stage == "data":
                take = min(self._remaining, len(self._buf))
                self._keep(self._buf[:take])
                self._buf = self._buf[take:]
                self._remaining -= take
                if self._remaining:
                    return None
                self._stage = "crlf"
            if self._stage == "crlf":
                if len(self._buf) < 2:
                    return None
                if self._buf[:2] != b"\r\n":
                    raise BadRequest("chunk not followed by CRLF")
                self._buf = self._buf[2:]
                self._stage = "size"
            end = self._buf.find(b"\r\n")
            if end < 0:
                if len(self._buf) > MAX_HEAD:
                    raise BadRequest("chunk size or trailer line too long")
                return None
            line = self._buf[:end]
            self._buf = self._buf[end + 2 :]
            if self._stage == "trailers":
                if not line:  # the empty line that ends the message
                    self._chunked = False
                    return self._finish()
                name, sep, value = line.decode("latin-1").partition(":")
                request = self._request
                if sep and request is not None and len(request.trailers) < 16:
                    request.trailers[name.strip().lower()] = value.strip()
                continue
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise BadRequest("bad chunk size") from None
            if size < 0:
                raise BadRequest("bad chunk size")
            if size == 0:
                self._stage = "trailers"
                continue
            self._remaining = size
            self._stage = "data"

    def _keep(self, data: bytes) -> None:
        request = self._request
        assert request is not None
        if request.sink is not None:
            request.body_size += len(data)
            if data:
                request.sink(data)
            return
        request.body_size += len(data)
        if request.body_size > self.body_limit:
            request.truncated = True
            self._chunks = []
        elif data:
            self._chunks.append(data)

    def _finish(self) -> Request:
        request = self._request
        assert request is not None
        if not request.truncated:
            request.body = b"".join(self._chunks)
        self._chunks = []
        self._request = None
        return request

    def respond(
        self,
        status: int,
        body: bytes = b"",
        headers: Optional[List[Tuple[str, str]]] = None,
        content_type: str = "application/json",
    ) -> None:
        """Write one answer (blocking: answers are small, or an event the runtime reads)."""
        lines = ["HTTP/1.1 {} {}".format(status, _REASONS.get(status, "Unknown"))]
        if content_type:
            lines.append("Content-Type: " + content_type)
        for name, value in headers or ():
            lines.append("{}: {}".format(name, value))
        lines.append("Content-Length: {}".format(len(body)))
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.sock.setblocking(True)
        try:
            self.sock.sendall(head + body if len(body) < 65536 else head)
            if len(body) >= 65536:
                self.sock.sendall(body)
        except OSError:
            self.closed = True
        finally:
            self.sock.setblocking(False)

    def respond_json(self, status: int, document: Dict[str, object]) -> None:
        # Lambda's API answers as Go's encoder writes: compact JSON and a newline.
        self.respond(status, json.dumps(document, separators=(",", ":")).encode() + b"\n")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.sock.close()
            except OSError:
                pass
