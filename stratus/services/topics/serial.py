"""One change at a time: a read-check-write that awaits its write (CreatePlatformEndpoint's
token lookup, an SMS settings update) must not interleave with another, or two calls
both pass the check (two endpoints for one token) or one's update is lost."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


class Locked(Protocol):
    _lock: asyncio.Lock


S = TypeVar("S", bound=Locked)


def serialized(
    method: Callable[Concatenate[S, P], Awaitable[R]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Run ``method`` holding its object's ``_lock``."""

    @functools.wraps(method)
    async def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        async with self._lock:
            return await method(self, *args, **kwargs)

    return run


__all__ = ["serialized"]
