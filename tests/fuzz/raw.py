"""Bytes that are not HTTP, or barely: what reaches the socket before any AWS parsing.

These are answered (or dropped) by the HTTP server under the app, which has no AWS
shape to give; the property here is only that it never answers 5xx or a traceback and
that the server survives. Each connection sends its bytes and half-closes, so the
server sees the end of the request instead of waiting for more.
"""

from __future__ import annotations

import socket

from hypothesis import strategies as st

__all__ = ["raw_requests", "send_raw", "status_of"]

_AUTH = (
    b"Authorization: AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, "
    b"SignedHeaders=host, Signature=0\r\n"
)
_LINE = b"GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"

_TEMPLATES = st.sampled_from(
    [
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        b"GET /2015-03-31/functions\r\n\r\n",
        b"GET /2015-03-31/functions HTTP/9.9\r\nHost: x\r\n\r\n",
        b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /\xff\xfe HTTP/1.1\r\nHost: x\r\n" + _AUTH + b"\r\n",
        _LINE + b"Content-Length: -1\r\n\r\n",
        _LINE + b"Content-Length: abc\r\n\r\n",
        _LINE + b"Content-Length: 1\r\nContent-Length: 2\r\n\r\nab",
        _LINE + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        _LINE + b"Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        _LINE + b"X-Folded: a\r\n b\r\n\r\n",
        _LINE + b"Bad Header Name: x\r\n\r\n",
        _LINE + b"X-Null: a\x00b\r\n\r\n",
        _LINE + b"X-Huge: " + b"a" * 200_000 + b"\r\n\r\n",
        _LINE
        + _AUTH
        + b"\r\n"
        + b"GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\n"
        + _AUTH
        + b"\r\n",
        b"POST /2015-03-31/functions/ghost/invocations HTTP/1.1\r\nHost: x\r\n"
        + _AUTH
        + b"Content-Length: 10\r\n\r\nshort",
        b"\r\n\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS ClientHello on a plain port
    ]
)


def raw_requests() -> st.SearchStrategy[bytes]:
    """Malformed HTTP/1.1 and plain noise."""
    return st.one_of(
        _TEMPLATES,
        st.binary(min_size=1, max_size=2048),
        st.tuples(_TEMPLATES, st.binary(max_size=256)).map(lambda t: t[0] + t[1]),
    )


def send_raw(port: int, data: bytes, timeout: float = 30.0) -> bytes:
    """Send ``data`` on a fresh connection, half-close, return all that comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may hang up on garbage before reading it all
        chunks: list[bytes] = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def status_of(answer: bytes) -> int | None:
    """The status of the first HTTP response in ``answer`` (``None``: no response)."""
    if not answer.startswith(b"HTTP/"):
        return None
    parts = answer.split(b"\r\n", 1)[0].split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
