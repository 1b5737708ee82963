"""The HTTP servers' own limits: what one client may make the server hold, and for how long.

uvicorn with httptools bounds none of these by itself: a request head may grow without
end (and httptools joins a header's pieces by concatenation, so its cost grows with the
square of the size), a connection may wait forever before sending its head, any number of
connections may stay open, and every connection may stream a body in at once. Each limit
below closes one of those doors. AWS's own figures are the defaults where it publishes one
("Quotas for configuring and running an HTTP API in API Gateway": 10240 bytes for the
request line and header values; Lambda's Invoke: 6 MB request bodies); the others follow
common servers (nginx's header timeout, Node's 16 KiB head). ``docs/limits.md`` explains
each and the answer a client gets.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class HttpLimits:
    #: Open connections across both ports; past it the longest-idle connection (one with no
    #: request being answered) is closed to make room, or, if none is idle, the new one is
    #: answered 503. Never more than half the process's file descriptors (``connection_cap``).
    max_connections: int = 4096
    #: The request line (method, target, version); past it: 414 URI Too Long.
    max_request_line_bytes: int = 10240
    #: The whole head (request line and headers, as sent); past it: 431.
    max_head_bytes: int = 16 * 1024
    #: A connection that has not finished a head this long after it opened (or after the
    #: head's first byte, between requests) is closed: 408 if it sent part of one.
    header_timeout_s: float = 10.0
    #: One request's body; past it: 413 RequestEntityTooLargeException, before it is read.
    max_body_bytes: int = 64 * MiB
    #: Bodies held at once across all connections, counted from Content-Length (or as
    #: they arrive, for chunked bodies) until the request is answered.
    body_budget_bytes: int = 128 * MiB
    #: How long a request waits for budget before it is answered 503 SlowDown.
    body_wait_s: float = 10.0
    #: How long a body may take to arrive once its head is read; past it: 408.
    body_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.body_budget_bytes < self.max_body_bytes:
            raise ValueError(
                f"body_budget_bytes ({self.body_budget_bytes}) must hold at least one body "
                f"of max_body_bytes ({self.max_body_bytes})"
            )
        if self.body_wait_s >= self.body_timeout_s:
            raise ValueError("body_wait_s must be shorter than body_timeout_s")
        if self.max_head_bytes < self.max_request_line_bytes:
            raise ValueError("max_head_bytes must be at least max_request_line_bytes")
        for name in ("max_connections", "max_request_line_bytes", "max_body_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be positive")


def connection_cap(limits: HttpLimits, fd_limit: int) -> int:
    """How many connections to allow with ``fd_limit`` descriptors (RLIMIT_NOFILE's soft
    limit): at most half of them, so that environments (a socket and a pipe each), the
    store and the zygotes always have descriptors left; running out of them fails
    invocations and commits, not just new connections."""
    return max(1, min(limits.max_connections, fd_limit // 2))
