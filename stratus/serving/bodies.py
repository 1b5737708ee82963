"""Request bodies held at once, across every connection: one budget for the whole server.

A limit per request does not bound the server: twelve clients each sending a 63 MB body
under the 64 MiB limit took it to 939 MB. So bodies are read under a server-wide budget
of bytes, taken from the declared ``Content-Length`` before the first byte is read and
given back once the request is answered (the body lives that long: parsed, invoked with,
stored). A request that does not fit waits for budget, up to ``body_wait_s``, without its
body being read (uvicorn stops reading the socket after 64 KiB), then gets 503
``SlowDown``, which the AWS SDKs retry with backoff. Requests that fit go ahead of larger
ones waiting, so a queue of big uploads never holds up small calls. A chunked body (no
``Content-Length``) takes budget as it arrives, without waiting, since a body that
cannot finish could otherwise hold budget that others wait for. Bodies of at most 64 KiB
take none: uvicorn holds that much per connection before it stops reading anyway, so
they add nothing the connection cap does not already bound, and a client that holds the
budget with large bodies never holds up the small calls (an invoke, a ListFunctions).

A body over ``max_body_bytes`` is refused with the AwsApp's 413 from its declared length,
before any of it is read. A body must arrive within ``body_timeout_s`` of its head
(``GuardedHttpToolsProtocol`` answers 408 otherwise): a client that trickles a body in
(a slow loris after the head) holds its budget that long at most.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT

from stratus.aws.app import generic_error, send_response
from stratus.aws.protocol.errors import CommonServiceError, RequestTooLargeError, ServiceError
from stratus.runtime.ids import new_request_id
from stratus.serving.limits import HttpLimits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class BudgetStatistics:
    capacity: int
    in_use: int
    waiting: int
    refused: int  # requests answered 503 for want of budget, since start


class BodyBudget:
    """Bytes of request bodies the server may hold at once."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._in_use = 0
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._refused = 0

    def reserve_nowait(self, size: int) -> bool:
        if self._in_use + size > self.capacity:
            return False
        self._in_use += size
        return True

    async def reserve(self, size: int, timeout_s: float) -> bool:
        """Take ``size`` bytes, waiting up to ``timeout_s`` for them; False if they never
        came (the request is then refused)."""
        if self.reserve_nowait(size):
            return True
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (size, waiter)
        self._waiters.append(entry)
        try:
            async with asyncio.timeout(timeout_s):
                await waiter
        except TimeoutError:
            pass
        except BaseException:
            self._abandon(entry)
            raise
        if waiter.done() and not waiter.cancelled():
            return True  # granted, even if the timeout fired at the same moment
        self._abandon(entry)
        self._refused += 1
        return False

    def _abandon(self, entry: tuple[int, asyncio.Future[None]]) -> None:
        """A waiter gives up: out of the queue, or, if it was granted meanwhile, its
        bytes back."""
        size, waiter = entry
        if entry in self._waiters:
            self._waiters.remove(entry)
        elif waiter.done() and not waiter.cancelled():
            self.release(size)

    def release(self, size: int) -> None:
        """Give ``size`` bytes back and grant them to waiters that now fit, in order."""
        if not size:
            return
        self._in_use -= size
        for entry in list(self._waiters):
            wanted, waiter = entry
            if waiter.done():  # cancelled: its task has yet to take it out
                continue
            if self._in_use + wanted <= self.capacity:
                self._in_use += wanted
                self._waiters.remove(entry)
                waiter.set_result(None)

    def count_refusal(self) -> None:
        """A request refused elsewhere for want of budget (a chunked body that ran out)."""
        self._refused += 1

    def statistics(self) -> BudgetStatistics:
        return BudgetStatistics(self.capacity, self._in_use, len(self._waiters), self._refused)


class BodyLimit:
    """ASGI middleware: runs ``app`` once the request's body has budget.

    A body with a ``Content-Length`` is the app's to read, as before; the middleware only
    holds its budget until the app has answered. A chunked body is read here, taking
    budget as it comes, and handed to the app whole. The hot path (a small invoke) costs
    a look at the headers."""

    def __init__(
        self,
        app: AsgiApp,
        budget: BodyBudget,
        limits: HttpLimits,
        *,
        streams: Callable[[Scope], bool] | None = None,
    ) -> None:
        self.app = app
        self.budget = budget
        self.limits = limits
        # Requests whose body the app streams to disk rather than hold (S3 object uploads,
        # bounded by S3's own 5 GB): they take no budget and skip max_body_bytes.
        self.streams = streams

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.streams is not None and self.streams(scope):
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_framing(scope["headers"])
        if chunked:
            await self._chunked(scope, receive, send)
            return
        if declared <= HIGH_WATER_LIMIT:
            await self.app(scope, receive, send)
            return
        if declared > self.limits.max_body_bytes:
            await _refuse(send, RequestTooLargeError(self._too_large()))
            return
        if not await self.budget.reserve(declared, self.limits.body_wait_s):
            await _refuse(send, _slow_down())
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.budget.release(declared)

    async def _chunked(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        taken = 0
        try:
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.limits.max_body_bytes:
                    await _refuse(send, RequestTooLargeError(self._too_large()))
                    return
                if not self.budget.reserve_nowait(len(chunk)):
                    self.budget.count_refusal()
                    await _refuse(send, _slow_down())
                    return
                taken += len(chunk)
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            await self.app(scope, _replay(b"".join(chunks), receive), send)
        finally:
            self.budget.release(taken)

    def _too_large(self) -> str:
        return f"Request must be smaller than {self.limits.max_body_bytes} bytes."


def _slow_down() -> ServiceError:
    return CommonServiceError(
        "SlowDown",
        "Please reduce your request rate: the server is holding as many request bodies as it may.",
        status_code=503,
        sender_fault=False,
    )


def _body_framing(headers: list[tuple[bytes, bytes]]) -> tuple[int, bool]:
    """The declared Content-Length (0 if none) and whether the body is chunked."""
    declared = 0
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                declared = int(value)
            except ValueError:
                declared = 0  # httptools refuses the request before it gets here
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the app the body read already, then defers to the server's."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _refuse(send: Send, error: ServiceError) -> None:
    """Answer in AWS's generic JSON error shape, the body unread. uvicorn then reads the
    body past and drops it (within the protocol's body deadline) rather than close the
    connection: closing with the body unread would reset it before the client reads the
    answer."""
    await send_response(send, generic_error(error, new_request_id()))
