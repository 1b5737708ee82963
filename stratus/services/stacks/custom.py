"""Where custom resources' answers arrive: one pending request per token, answered by
the PUT a function (or a topic's subscriber) sends to the request's ResponseURL.

AWS hands a custom resource a presigned S3 URL; here the ResponseURL is a path on the
control port (``/_stratus/cloudformation/responses/<token>``), which a function running
on this machine reaches with plain ``urllib`` or ``requests`` as cfn-response does. The
token is random and single-use, so the URL carries its own authority as a presigned one.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

__all__ = ["RESPONSE_PATH", "CustomResponses", "ResponseRejected"]

RESPONSE_PATH = "/_stratus/cloudformation/responses/"
#: AWS refuses a response object longer than this ("Response object is too long.").
MAX_RESPONSE_BYTES = 4096


class ResponseRejected(Exception):
    """A PUT that is no answer to a pending request (unknown token, bad body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class CustomResponses:
    """Pending custom resource requests of one server, keyed by their URL's token."""

    def __init__(self, endpoint_url: str, default_timeout_s: float) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self.default_timeout_s = default_timeout_s
        self._pending: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def open(self) -> tuple[str, str]:
        """A new token and its ResponseURL; the answer is awaited with :meth:`wait`."""
        token = secrets.token_urlsafe(24)
        self._pending[token] = asyncio.get_running_loop().create_future()
        return token, f"{self.endpoint_url}{RESPONSE_PATH}{token}"

    async def wait(self, token: str, timeout_s: float) -> dict[str, Any] | None:
        """The response object, or ``None`` when none came within ``timeout_s``."""
        future = self._pending[token]
        try:
            outcome = await asyncio.wait_for(asyncio.shield(future), timeout_s)
        except TimeoutError:
            return None
        finally:
            self._pending.pop(token, None)
        return outcome

    def close(self, token: str) -> None:
        self._pending.pop(token, None)

    def answer(self, token: str, body: dict[str, Any]) -> None:
        """Deliver a response to the waiting resource (the first answer counts)."""
        future = self._pending.get(token)
        if future is None or future.done():
            raise ResponseRejected(403, "Access Denied")
        future.set_result(body)
