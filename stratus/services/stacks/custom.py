"""Where custom resources' answers arrive: one pending request per token, answered by
the PUT a function (or a topic's subscriber) sends to the request's ResponseURL.

AWS hands a custom resource a presigned S3 URL; here the ResponseURL is a path on the
control port (``/_stratus/cloudformation/responses/<token>``), which a function running
on this machine reaches with plain ``urllib`` or ``requests`` as cfn-response does. The
token is random and single-use, so the URL carries its own authority as a presigned one.

Pending requests (and an answer that came for one) are stored, so a server restarted
while a stack waits resumes the wait on the same URL instead of asking again.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any, Protocol

__all__ = ["RESPONSE_PATH", "CustomResponses", "Pending", "PendingStore", "ResponseRejected"]

RESPONSE_PATH = "/_stratus/cloudformation/responses/"
#: AWS refuses a response object longer than this ("Response object is too long.").
MAX_RESPONSE_BYTES = 4096


class ResponseRejected(Exception):
    """A PUT that is no answer to a pending request (unknown token, bad body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(slots=True)
class Pending:
    token: str
    stack_id: str
    logical_id: str
    request: dict[str, Any]  # the request object as sent
    deadline: float  # wall-clock seconds: it must hold across a restart
    response: dict[str, Any] | None = None


class PendingStore(Protocol):
    async def load_pending(self) -> list[dict[str, Any]]: ...

    async def put_pending(self, token: str, stack_id: str, record: dict[str, Any]) -> None: ...

    async def delete_pending(self, token: str) -> None: ...


class CustomResponses:
    """Pending custom resource requests of one server, keyed by their URL's token."""

    def __init__(
        self, endpoint_url: str, default_timeout_s: float, store: PendingStore | None = None
    ) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.default_timeout_s = default_timeout_s
        self._store = store
        self._pending: dict[str, Pending] = {}
        self._waiters: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._active: dict[str, int] = {}  # stack id -> waits in progress

    def active_stacks(self) -> set[str]:
        """The stacks with a resource waiting for its answer right now."""
        return set(self._active)

    async def load(self) -> None:
        if self._store is not None:
            for record in await self._store.load_pending():
                pending = Pending(**record)
                self._pending[pending.token] = pending

    def waiting(self, stack_id: str) -> bool:
        """Whether a stack was waiting for a custom resource's answer."""
        return any(p.stack_id == stack_id for p in self._pending.values())

    def find(self, stack_id: str, logical_id: str, request_type: str) -> Pending | None:
        for pending in self._pending.values():
            if (
                pending.stack_id == stack_id
                and pending.logical_id == logical_id
                and pending.request.get("RequestType") == request_type
            ):
                return pending
        return None

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)

    def url(self, token: str) -> str:
        return f"{self.endpoint_url}{RESPONSE_PATH}{token}"

    async def open(self, pending: Pending) -> None:
        """Record a request before it is sent: its answer may come at once."""
        self._pending[pending.token] = pending
        if self._store is not None:
            await self._store.put_pending(pending.token, pending.stack_id, asdict(pending))

    async def wait(self, token: str) -> dict[str, Any] | None:
        """The response object, or ``None`` when none came by the request's deadline."""
        pending = self._pending[token]
        if pending.response is not None:
            return pending.response
        future = self._waiters.setdefault(token, asyncio.get_running_loop().create_future())
        self._active[pending.stack_id] = self._active.get(pending.stack_id, 0) + 1
        try:
            return await asyncio.wait_for(
                asyncio.shield(future), max(0.0, pending.deadline - time.time())
            )
        except TimeoutError:
            return None
        finally:
            self._waiters.pop(token, None)
            left = self._active.pop(pending.stack_id) - 1
            if left:
                self._active[pending.stack_id] = left

    async def close(self, token: str) -> None:
        """The request is settled (answered, timed out, or never sent)."""
        self._waiters.pop(token, None)
        if self._pending.pop(token, None) is not None and self._store is not None:
            await self._store.delete_pending(token)

    async def close_others(self, stack_ids: set[str]) -> None:
        """Forget the requests of every stack but ``stack_ids`` (those that resume)."""
        for token in [t for t, p in self._pending.items() if p.stack_id not in stack_ids]:
            await self.close(token)

    async def answer(self, token: str, body: dict[str, Any]) -> None:
        """Deliver a response to the waiting resource (the first answer counts)."""
        pending = self._pending.get(token)
        if pending is None or pending.response is not None:
            raise ResponseRejected(403, "Access Denied")
        pending.response = body
        if self._store is not None:
            await self._store.put_pending(token, pending.stack_id, asdict(pending))
        future = self._waiters.get(token)
        if future is not None and not future.done():
            future.set_result(body)
