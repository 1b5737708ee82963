"""uvicorn's httptools protocol with the limits it lacks: head size, read time, connections.

The head is counted as it arrives, before httptools sees it: httptools joins the pieces of
a header by concatenation, so a 150 MB header fed in 64 KiB reads costs its square in
copying (25 s of CPU, measured), and a limit checked after parsing comes too late. Only
the part of a read that fits the limit is parsed; if the head is still not complete, the
client gets 431 and the connection closes. Bytes that arrive in the same read right after
a request's body are parsed uncounted: at most one read, which httptools parses in one
piece (linearly).

A request must also arrive in time: its head within ``header_timeout_s`` of the
connection opening (or of the head's first byte, for the next request on a kept-alive
connection), then its body within ``body_timeout_s`` (for a body the app streams to disk,
an S3 object of up to 5 GB, within ``body_timeout_s`` of its previous piece). Otherwise a
client that sends a byte now and then (slow loris) holds a connection and its request
forever. The deadline is a number on the connection, checked by the guard's sweep once a
second: a timer per request would cost more than the rest of this module on the hot path
(a uvloop timer is 2.5 us to arm and cancel). Between requests, uvicorn's keep-alive timeout closes a silent
connection.

Refusals are written straight to the transport (the app never saw the request, or has
not answered it) as a small JSON body ``{"message": ...}``, API Gateway's shape for errors
of its own, with an ``x-amzn-ErrorType`` code and ``Connection: close``. The connection then lingers a moment, discarding
what the client still sends, before it closes: closing a socket with unread data in it
resets the connection, and the client would lose the answer with it (nginx's lingering
close). A lingering connection still counts, as an idle one, so a flood of them gives way
to newcomers like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httptools
import orjson
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from stratus.serving.connections import ConnectionGuard
from stratus.serving.limits import HttpLimits
from stratus.serving.writes import CoalescingTransport

#: How long a refused connection keeps discarding what its client sends before it closes.
LINGER_S = 2.0
#: The error code each refusal carries (``x-amzn-ErrorType``, where the JSON protocols'
#: clients read it): named after the HTTP status, since no AWS API answers these itself.
ERROR_CODES = {
    400: "BadRequestException",
    408: "RequestTimeoutException",
    414: "RequestURITooLongException",
    431: "RequestHeaderFieldsTooLargeException",
    503: "ServiceUnavailableException",
}


class _Refusal(Exception):
    """Raised inside a parser callback to stop parsing and answer ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """One HTTP/1.1 connection, held to :class:`HttpLimits` and counted by the guard."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
        *,
        guard: ConnectionGuard,
        limits: HttpLimits,
        streams: Callable[[Any], bool] | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._guard = guard
        self._limits = limits
        #: Requests whose body the app streams to disk (S3 object uploads, up to 5 GB):
        #: their body deadline is an idle one, moved on by every piece that arrives.
        self._streams = streams
        self._streaming = False
        #: When the head or body being read must be complete (loop time); 0: none is.
        self.deadline = 0.0
        self._in_head = True  # between requests or inside a head: reads are counted
        self._head_bytes = 0
        self._heads = 0  # heads completed on this connection
        self._linger: asyncio.TimerHandle | None = None  # set once refused: reads are dropped
        #: What each request's cycle writes its answer to: head and body in one write.
        self._writes: CoalescingTransport | None = None

    # -- connection ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._writes = CoalescingTransport(transport, self.loop)
        if not self._guard.admit(self):
            self._refuse(503, "Too many connections: every one is busy with a request.")
            self.transport.close()  # it sent nothing yet: no need to linger
            return
        self.deadline = self.loop.time() + self._limits.header_timeout_s

    def connection_lost(self, exc: Exception | None) -> None:
        self._guard.release(self)
        self.deadline = 0.0
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)

    def evict(self) -> None:
        self.deadline = 0.0
        self.transport.abort()

    def expire(self) -> None:
        """The head or body being read is late: 408 if any of it came, else just close."""
        self.deadline = 0.0
        if self.transport.is_closing():
            return
        if self._in_head and not self._head_bytes:
            self.transport.close()
        elif self.cycle is None or not self.cycle.response_started:
            self._refuse(408, "Request Timeout")
        else:
            self.transport.close()

    def handle_websocket_upgrade(self) -> None:
        # The connection becomes uvicorn's WebSocket protocol, which this guard never sees
        # close: it stops counting here (WebSocket APIs bound their own connections).
        self._guard.release(self)
        self.deadline = 0.0
        super().handle_websocket_upgrade()

    # -- reads -----------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self._linger is not None:
            return  # refused: what the client still sends is dropped
        if self._writes is not None:
            # What this read makes the connection write itself (a 400, an upgrade's
            # answer) must follow the answer still held back, not overtake it.
            self._writes.flush()
        if not self._in_head:
            self._feed(data)
            return
        if not self.deadline:
            self.deadline = self.loop.time() + self._limits.header_timeout_s
        room = self._limits.max_head_bytes - self._head_bytes
        if len(data) <= room:
            self._head_bytes += len(data)
            self._feed(data)
            return
        heads = self._heads
        self._head_bytes = self._limits.max_head_bytes
        self._feed(data[:room])
        if self._linger is not None or self.transport.is_closing():
            return  # refused while reading what fit (414, 400): answered already
        if self._heads == heads:  # what fits the limit did not finish the head
            self._refuse(431, "Request Header Fields Too Large")
            return
        self.data_received(data[room:])  # the body, or a next request's head

    def _feed(self, data: bytes) -> None:
        """uvicorn's ``data_received``, answering our refusals with their own status."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError as exc:
            refusal = exc.__context__
            if isinstance(refusal, _Refusal):
                self._refuse(refusal.status, refusal.message)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")

    # -- parser callbacks --------------------------------------------------------------

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self._limits.max_request_line_bytes:
            raise _Refusal(414, "Request-URI Too Long")

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._heads += 1
        self.deadline = self.loop.time() + self._limits.body_timeout_s
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous and self.cycle is not None and self._writes is not None:
            # A new request's cycle (not a WebSocket upgrade, which has none): its answer's
            # head waits for its body (serving/writes.py).
            self._writes.arm()
            self.cycle.transport = self._writes  # type: ignore[assignment]
        self._streaming = self._streams is not None and self._streams(self.scope)

    def on_body(self, body: bytes) -> None:
        if self._streaming:
            self.deadline = self.loop.time() + self._limits.body_timeout_s
        super().on_body(body)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True  # what comes next is the next request's head
        self._head_bytes = 0
        self.deadline = 0.0  # the next head's starts with its first byte
        if self.cycle is not None and not self.cycle.response_complete:
            # Busy only once the request is whole: one still trickling its body in is
            # as evictable as one trickling its head.
            self._guard.busy(self)

    def on_response_complete(self) -> None:
        pipelined = bool(self.pipeline)  # the next one starts now: still busy
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._guard.idle(self)

    # -- answers ---------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` with no request behind it, then close after a linger."""
        if self._linger is not None:
            return  # one refusal per connection: its end is closed for writing
        self._in_head = False
        self.deadline = 0.0
        if self._writes is not None:
            self._writes.flush()  # an answer already given goes out before the refusal
        body = orjson.dumps({"message": message})
        self.transport.write(
            b"".join(
                [
                    STATUS_LINE[status],
                    b"content-type: application/json\r\n",
                    b"x-amzn-errortype: %s\r\n"
                    % ERROR_CODES.get(status, "ServiceException").encode(),
                    b"content-length: %d\r\n" % len(body),
                    b"connection: close\r\n\r\n",
                    body,
                ]
            )
        )
        if self.transport.can_write_eof():
            self.transport.write_eof()  # the client reads the answer, then its end closes
        self._linger = self.loop.call_later(LINGER_S, self.transport.abort)
