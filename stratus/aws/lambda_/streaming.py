"""InvokeWithResponseStream: a synchronous invocation answered as an event stream.

Node.js and custom runtimes stream: each piece the function writes becomes ``PayloadChunk``
events as it is written (``services/functions/response_streams.py``). A Python handler in
Lambda's managed runtimes cannot stream, so Lambda runs it like ``Invoke`` and streams
the buffered result: ``PayloadChunk`` events carrying the response bytes. Then one
``InvokeComplete`` (``ErrorCode``/``ErrorDetails`` when the function failed, ``LogResult``
with ``LogType=Tail``). The framing itself is the protocol layer's
(``aws/protocol/eventstream.py``); this adapter only says which events to send.
See https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.lambda_ import shapes
from stratus.aws.lambda_.scope import invoke_target
from stratus.runtime.limits import Limits
from stratus.runtime.logs import tail
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.response_streams import ResponseStream

Params = dict[str, Any]

# Lambda cuts a buffered response into chunks of at most this size (clients must
# concatenate PayloadChunk payloads; none may assume one chunk).
CHUNK_BYTES = 32 * 1024


class StreamingInvokeMixin:
    """InvokeWithResponseStream for :class:`~stratus.aws.lambda_.provider.LambdaProvider`."""

    _invocations: Invocations
    _limits: Limits

    async def invoke_with_response_stream(self, ctx: RequestContext, params: Params) -> Params:
        ref, function_id, payload, kind = invoke_target(ctx, params)
        if kind == "DryRun":
            dry = self._invocations.dry_run(function_id, ref.qualifier)
            return {"StatusCode": 204, "ExecutedVersion": dry.executed_version, "EventStream": []}
        version = self._invocations.dry_run(function_id, ref.qualifier).executed_version
        stream = ResponseStream(
            self._invocations,
            function_id,
            ref.qualifier,
            payload,
            request_id=ctx.request_id,
            client_context=params.get("ClientContext"),
            tail=params.get("LogType") == "Tail",
        )
        await stream.start()  # refusals (not found, throttled) are errors, not a stream
        return {
            "StatusCode": 200,
            "ExecutedVersion": version,
            "EventStream": self._events(stream),
        }

    async def _events(self, stream: ResponseStream) -> AsyncIterator[Params]:
        """PayloadChunk events as the function writes, then InvokeComplete."""
        async for data in stream.chunks():
            for start in range(0, len(data), CHUNK_BYTES):
                yield {"PayloadChunk": {"Payload": data[start : start + CHUNK_BYTES]}}
        response = await stream.response()
        complete: Params = {}
        if response.function_error:
            error = _error_object(response.payload)
            complete["ErrorCode"] = str(error.get("errorType") or response.function_error)
            complete["ErrorDetails"] = str(error.get("errorMessage") or "")
        elif not response.streamed:
            body = response.payload
            for start in range(0, len(body), CHUNK_BYTES):
                yield {"PayloadChunk": {"Payload": body[start : start + CHUNK_BYTES]}}
        if response.log_text is not None:
            complete["LogResult"] = shapes.encode_log(
                tail(response.log_text, self._limits.log_tail_bytes)
            )
        yield {"InvokeComplete": complete}


def _error_object(payload: bytes) -> dict[str, Any]:
    """Lambda's error object (``errorType``, ``errorMessage``) from a failed invocation."""
    try:
        value = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
