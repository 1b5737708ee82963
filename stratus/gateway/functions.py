"""Calling a function from the gateway: in-process, through the functions service's
``Invocations`` (what Lambda's Invoke uses), never over HTTP.

The integration timeout is API Gateway's, not the function's: when it passes, the client
gets its 503/504 while the function runs on to its own end, as in AWS. The common case
(a function whose own timeout is shorter than the integration's) needs no extra timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any

from stratus.services.functions.errors import FunctionError, TooManyRequests
from stratus.services.functions.invocations import Invocations, InvokeResponse
from stratus.services.functions.names import parse_function_name
from stratus.services.scope import Scope

log = logging.getLogger(__name__)

_APIGATEWAY_PATH = "/functions/"


class Outcome(Enum):
    OK = "ok"
    FUNCTION_ERROR = "function-error"  # the handler raised, or the runtime failed
    THROTTLED = "throttled"  # the function's concurrency limit
    TIMED_OUT = "timed-out"  # the integration timeout passed
    MISSING = "missing"  # no such function (or not invocable)


@dataclass(frozen=True, slots=True)
class FunctionTarget:
    function_id: str  # the unqualified ARN
    qualifier: str | None


def parse_target(uri: str, scope: Scope) -> FunctionTarget:
    """A function ARN, or API Gateway's ``arn:aws:apigateway:{region}:lambda:path/
    2015-03-31/functions/{function-arn}/invocations`` form (REST APIs use it)."""
    if ":apigateway:" in uri and _APIGATEWAY_PATH in uri:
        uri = uri.split(_APIGATEWAY_PATH, 1)[1].removesuffix("/invocations")
    ref = parse_function_name(uri)
    return FunctionTarget(ref.function_id(scope), ref.qualifier)


class FunctionCaller:
    def __init__(self, invocations: Invocations) -> None:
        self._invocations = invocations

    async def call(
        self, target: FunctionTarget, payload: bytes, request_id: str, timeout_s: float
    ) -> tuple[Outcome, bytes]:
        config = self._invocations.routed(target.function_id, target.qualifier, wake=True)
        if config is None:
            return Outcome.MISSING, b""
        invoke = self._invocations.invoke(
            target.function_id,
            target.qualifier,
            payload,
            request_id=request_id,
            composed=True,
            routed=config,
        )
        try:
            if config.timeout <= timeout_s:
                response = await invoke
            else:
                bounded = await _bounded(invoke, timeout_s)
                if bounded is None:
                    return Outcome.TIMED_OUT, b""
                response = bounded
        except TooManyRequests:
            return Outcome.THROTTLED, b""
        except FunctionError:
            log.debug("function %s not invocable", target.function_id, exc_info=True)
            return Outcome.MISSING, b""
        if response.function_error:
            return Outcome.FUNCTION_ERROR, response.payload
        return Outcome.OK, response.payload


async def _bounded(
    invoke: Coroutine[Any, Any, InvokeResponse], timeout_s: float
) -> InvokeResponse | None:
    """The response, or None once ``timeout_s`` passed (the invocation goes on)."""
    task = asyncio.ensure_future(invoke)
    done, _ = await asyncio.wait({task}, timeout=timeout_s)
    if task in done:
        return task.result()
    task.add_done_callback(_retrieve)
    return None


def _retrieve(task: asyncio.Task[InvokeResponse]) -> None:
    with contextlib.suppress(BaseException):
        task.result()
