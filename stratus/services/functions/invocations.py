"""Invoke: resolve a function, check the request, hand it to the runtime's invoker.

Synchronous invocations go straight to the invoker. Event invocations are written to the
store (and committed) before the caller gets its 202, then delivered by the
:class:`~stratus.services.functions.async_dispatch.AsyncDispatcher`.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import orjson

from stratus.runtime.environment import FunctionSpec, InvokeRequest
from stratus.runtime.errors import Throttled
from stratus.runtime.ids import new_request_id
from stratus.runtime.invoker import UNHANDLED, InvocationResult, Invoker
from stratus.runtime.limits import Limits
from stratus.services.functions.code import CodeStore
from stratus.services.functions.errors import (
    Conflict,
    FunctionError,
    InvalidRequestContent,
    NotFound,
    RequestTooLarge,
    TooManyRequests,
)
from stratus.services.functions.model import LATEST, FunctionConfig
from stratus.services.functions.names import qualified
from stratus.services.functions.registry import FunctionRegistry, is_settled
from stratus.services.functions.repository import AsyncInvocationStore, QueuedInvocation

log = logging.getLogger(__name__)

# Lambda reports this exact figure in the error for oversized responses.
_RESPONSE_LIMIT_REPORTED = 6291556


@dataclass(slots=True)
class InvokeResponse:
    status: int
    payload: bytes
    function_error: str | None
    executed_version: str
    log_text: str | None
    request_id: str
    streamed: bool = False  # the body went to ``on_chunk`` as the function wrote it


class DurableRoute(Protocol):
    """Where the invocations of a durable function go (the durable functions component
    sets it): a durable function's event starts a durable execution, whoever sends it
    (Step Functions, event source mappings, queued Event invocations)."""

    async def invoke(
        self, config: FunctionConfig, qualifier: str | None, payload: bytes, *, wait: bool
    ) -> InvokeResponse: ...


class Invocations:
    # How long an Invoke waits for a Pending function's code to be ready before answering
    # Lambda's ResourceConflictException: generous, since settling is the extraction itself.
    settle_wait_s = 60.0

    def __init__(
        self,
        registry: FunctionRegistry,
        code: CodeStore,
        invoker: Invoker,
        queue: AsyncInvocationStore,
        limits: Limits,
    ) -> None:
        self._registry = registry
        self._code = code
        self._invoker = invoker
        self._queue = queue
        self._limits = limits
        self._specs: dict[tuple[str, str], FunctionSpec] = {}
        self._queued_listeners: list[Callable[[], None]] = []
        self.durable_route: DurableRoute | None = None
        self._preparing: set[asyncio.Task[None]] = set()
        registry.on_change(self._forget)
        registry.on_settled(self._settled)

    def _settled(self, config: FunctionConfig) -> None:
        """A function's code is ready: do now, unhurried, the platform's share of its
        first cold start that does not depend on the environment (its spec, its user,
        its bytecode folder), instead of while its first caller waits."""
        task = asyncio.ensure_future(self._prepare(config))
        self._preparing.add(task)
        task.add_done_callback(self._preparing.discard)

    async def _prepare(self, config: FunctionConfig) -> None:
        try:
            self._invoker.prepare(await self.spec_for(config))
        except Exception:  # only an optimisation: the cold start does it all anyway
            log.debug("preparing function %s failed", config.arn, exc_info=True)

    def _forget(self, name: str) -> None:
        """A function changed: retire the environments of the versions that changed.

        Published versions are immutable, so a change to $LATEST (or to an alias) leaves
        their warm and provisioned environments alone; a deleted version or function
        loses them.
        """
        try:
            self._registry.record(name)
        except NotFound:
            for key in [k for k in self._specs if k[0] == name]:
                del self._specs[key]
            self._invoker.retire(name)
            return
        for key in [k for k in self._specs if k[0] == name]:
            try:
                current = self._registry.resolve(name, key[1]).revision_id
            except NotFound:
                current = None
            if current != self._specs[key].revision:
                del self._specs[key]
                self._invoker.retire(name, key[1])

    def set_reserved(self, name: str, value: int | None) -> None:
        """Tell the invoker about a function's reserved concurrency (None: unreserved)."""
        self._invoker.limiter.set_reserved(name, value)

    def running(self, name: str) -> int:
        """How many invocations of a function hold a concurrency slot now (any caller)."""
        return self._invoker.limiter.in_flight(name)

    def _known_spec(self, config: FunctionConfig) -> FunctionSpec | None:
        """The spec made for this revision of ``config`` already, if any."""
        spec = self._specs.get((config.arn, config.version))
        return spec if spec is not None and spec.revision == config.revision_id else None

    async def spec_for(self, config: FunctionConfig) -> FunctionSpec:
        spec = self._known_spec(config)
        if spec is not None:
            return spec
        code_dir = await self._code.ensure_extracted(config.code_digest)
        layer_dirs = [
            str(await self._code.ensure_extracted(use.code_digest)) for use in config.layer_uses()
        ]
        spec = FunctionSpec(
            function_name=config.name,
            function_arn=config.arn,
            version=config.version,
            runtime=config.runtime,
            handler=config.handler,
            code_dir=str(code_dir),
            code_sha256=config.code_sha256,
            memory_mb=config.memory_size,
            timeout_s=float(config.timeout),
            ephemeral_mb=config.ephemeral_storage,
            environment=dict(config.environment or {}),
            layer_dirs=tuple(layer_dirs),
            snapshot=config.snap_start == "PublishedVersions" and config.version != LATEST,
            revision=config.revision_id,
            **_logging(config),
        )
        self._specs[(config.arn, config.version)] = spec
        return spec

    # -- synchronous -----------------------------------------------------------------
    def routed(
        self, name: str, qualifier: str | None, *, wake: bool = False
    ) -> FunctionConfig | None:
        """The configuration an invocation of ``name`` would run now, or None when it
        names nothing (``invoke`` then answers why, after its own checks, in Lambda's
        order). ``wake``: a synchronous invocation of it follows, so the environment it
        will run on is woken now (``Invoker.wake``), while the caller prepares it."""
        try:
            config = self._registry.route(name, qualifier)
        except FunctionError:
            return None
        spec = self._known_spec(config) if wake else None
        if spec is not None:
            self._invoker.wake(spec)
        return config

    async def invoke(
        self,
        name: str,
        qualifier: str | None,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
        tail: bool = False,
        on_chunk: Callable[[bytes, str | None], None] | None = None,
        durable_envelope: bool = False,
        composed: bool = False,
        nested: bool = False,
        routed: FunctionConfig | None = None,
    ) -> InvokeResponse:
        """A synchronous invocation; with ``on_chunk``, a runtime that streams its response
        (Node.js, custom runtimes) hands it over piece by piece as it writes it;
        ``durable_envelope``: the durable execution service invoking a durable function
        with its envelope (not an event starting one); ``composed``: the event is one the
        platform serialized itself (API Gateway's, an event source's), so it is JSON and
        is not parsed again to prove it; ``nested``: made from inside an invocation (which
        waits for it), so never queued behind a running one; ``routed``: what ``routed``
        gave the caller for ``name`` and ``qualifier`` (not routed again)."""
        if len(payload) > self._limits.sync_payload_bytes:
            raise RequestTooLarge(
                f"Request must be smaller than {self._limits.sync_payload_bytes} bytes for the "
                "InvokeFunction operation"
            )
        event = payload if composed and payload else _check_json(payload)
        context_text = _decode_client_context(client_context)
        if routed is None:
            routed = self._registry.route(name, qualifier)
        # (awaited only when not ready: the common case costs no coroutine)
        ready = routed.state == "Active" and is_settled(routed)
        config = routed if ready else await self._ready(routed, qualifier)
        if config.durable_config is not None and self.durable_route and not durable_envelope:
            return await self.durable_route.invoke(config, qualifier, event, wait=True)
        request_id = request_id or new_request_id()
        result = await self._run(
            config, qualifier, event, request_id, context_text, on_chunk, queueable=not nested
        )
        body, function_error = result.payload, result.function_error
        if len(body) > self._limits.sync_payload_bytes:
            body = orjson.dumps(
                {
                    "errorMessage": "Response payload size exceeded maximum allowed payload size "
                    f"({_RESPONSE_LIMIT_REPORTED} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
            )
            function_error = UNHANDLED
        return InvokeResponse(
            status=200,
            payload=body,
            function_error=function_error,
            executed_version=result.executed_version,
            log_text=result.log_text if tail else None,
            request_id=request_id,
            streamed=result.streamed,
        )

    async def _ready(self, config: FunctionConfig, qualifier: str | None) -> FunctionConfig:
        """The configuration to run, once its code is ready.

        Lambda refuses to invoke a Pending function (ResourceConflictException); SDK users
        wait with ``function_active_v2`` first, but a function here is Pending only for the
        milliseconds its zip takes to extract, so instead of failing a client that invokes
        right after CreateFunction we settle the function now and answer as usual. Only a
        function whose code cannot be prepared (Failed), or that is still not ready after
        ``settle_wait_s``, gets Lambda's error.
        """
        if config.state == "Active" and is_settled(config):
            return config
        if not is_settled(config):
            await self._registry.wait_settled(config.arn, self.settle_wait_s)
            config = self._registry.route(config.arn, qualifier)
        if config.state != "Active":
            raise Conflict(
                "The operation cannot be performed at this time. The function is currently in "
                f"the following state: {config.state}"
            )
        return config

    async def _run(
        self,
        config: FunctionConfig,
        qualifier: str | None,
        event: bytes,
        request_id: str,
        client_context: str | None,
        on_chunk: Callable[[bytes, str | None], None] | None = None,
        *,
        queueable: bool = True,
    ) -> InvocationResult:
        spec = self._known_spec(config) or await self.spec_for(config)
        request = InvokeRequest(
            request_id=request_id,
            payload=event,
            invoked_function_arn=qualified(config.arn, qualifier),
            deadline_epoch_ms=time.time() * 1000 + config.timeout * 1000,
            trace_id=_trace_id(),
            client_context=client_context,
            on_chunk=on_chunk,
            queueable=queueable,
        )
        try:
            return await self._invoker.invoke(spec, request)
        except Throttled as exc:
            raise TooManyRequests("Rate Exceeded.", exc.reason) from exc

    def dry_run(self, name: str, qualifier: str | None) -> InvokeResponse:
        config = self._registry.resolve(name, qualifier)
        return InvokeResponse(204, b"", None, config.version, None, "")

    # -- asynchronous ----------------------------------------------------------------
    async def enqueue(
        self,
        name: str,
        qualifier: str | None,
        payload: bytes,
        *,
        request_id: str | None = None,
        client_context: str | None = None,
    ) -> InvokeResponse:
        if len(payload) > self._limits.async_payload_bytes:
            raise RequestTooLarge(
                f"Request must be smaller than {self._limits.async_payload_bytes} bytes for the "
                "InvokeFunction operation"
            )
        event = _check_json(payload)
        context_text = _decode_client_context(client_context)
        config = self._registry.resolve(name, qualifier)
        if config.durable_config is not None and self.durable_route is not None:
            return await self.durable_route.invoke(config, qualifier, event, wait=False)
        now = int(time.time() * 1000)
        invocation = QueuedInvocation(
            id=request_id or new_request_id(),
            function_name=name,
            qualifier=qualifier or LATEST,
            payload=event,
            enqueued_ms=now,
            next_attempt_ms=now,
            client_context=context_text,
        )
        await self._queue.enqueue(invocation)
        for listener in self._queued_listeners:
            listener()
        return InvokeResponse(202, b"", None, config.version, None, invocation.id)

    def on_enqueued(self, listener: Callable[[], None]) -> None:
        self._queued_listeners.append(listener)

    async def deliver(self, invocation: QueuedInvocation) -> InvocationResult:
        """One delivery attempt of a queued Event invocation (raises NotFound, TooManyRequests)."""
        qualifier = None if invocation.qualifier == LATEST else invocation.qualifier
        config = await self._ready(
            self._registry.route(invocation.function_name, qualifier), qualifier
        )
        return await self._run(
            config, qualifier, invocation.payload, invocation.id, invocation.client_context
        )


def _logging(config: FunctionConfig) -> dict[str, str]:
    """The FunctionSpec's logging fields from the function's LoggingConfig."""
    logging_config = config.logging_config or {}
    return {
        "log_format": logging_config.get("LogFormat", "Text"),
        "application_log_level": logging_config.get("ApplicationLogLevel", ""),
        "system_log_level": logging_config.get("SystemLogLevel", ""),
        "log_group": logging_config.get("LogGroup", ""),
    }


def _check_json(payload: bytes) -> bytes:
    """Lambda refuses a payload that is not JSON; an empty one is the event ``{}``."""
    if not payload.strip():
        return b"{}"
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestContent(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from exc
    return payload


def _decode_client_context(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        text = base64.b64decode(value, validate=True).decode()
        orjson.loads(text)
    # ValueError, not only binascii.Error: b64decode raises it for a non-ASCII str (F3).
    except (ValueError, UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise InvalidRequestContent(
            "Client context must be a valid Base64-encoded JSON object."
        ) from exc
    return text


def _trace_id() -> str:
    """An X-Ray trace header; its ids need to be unique, not secret (random, not urandom)."""
    bits = random.getrandbits(160)
    return f"Root=1-{int(time.time()):08x}-{bits >> 64:024x};Parent={bits & (2**64 - 1):016x};Sampled=0"
