"""One synchronous invocation whose response arrives piece by piece (response streaming).

Node.js and custom runtimes may stream a response (``awslambda.streamifyResponse``, or a
Runtime API ``POST .../response`` with ``Lambda-Runtime-Function-Response-Mode:
streaming``): the environment hands each piece over as the function writes it
(``InvokeRequest.on_chunk``), and this object passes them on to whoever answers the
client (InvokeWithResponseStream, a RESPONSE_STREAM function URL) through a queue. A
runtime that cannot stream (Python) produces no pieces; its whole payload is in
``response`` at the end, as Lambda's buffered-then-streamed answer.

Errors that refuse the invocation (not found, throttled, too large) surface from
:meth:`start`, before any byte reaches the client, so callers can still answer them as
errors; what fails later is in ``response`` (``function_error``), as Lambda reports it
after the stream.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from stratus.services.functions.invocations import Invocations, InvokeResponse


class ResponseStream:
    def __init__(
        self,
        invocations: Invocations,
        function_id: str,
        qualifier: str | None,
        payload: bytes,
        *,
        request_id: str,
        client_context: str | None = None,
        tail: bool = False,
    ) -> None:
        self._invocations = invocations
        self._args = (function_id, qualifier, payload)
        self._request_id = request_id
        self._client_context = client_context
        self._tail = tail
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._first: bytes | None = None
        self._task: asyncio.Task[InvokeResponse] | None = None
        self.content_type: str | None = None  # what the function said it streams

    def _on_chunk(self, data: bytes, content_type: str | None) -> None:
        if content_type and self.content_type is None:
            self.content_type = content_type
        self._queue.put_nowait(data)

    async def _run(self) -> InvokeResponse:
        try:
            function_id, qualifier, payload = self._args
            return await self._invocations.invoke(
                function_id,
                qualifier,
                payload,
                request_id=self._request_id,
                client_context=self._client_context,
                tail=self._tail,
                on_chunk=self._on_chunk,
            )
        finally:
            self._queue.put_nowait(None)

    async def start(self) -> None:
        """Start the invocation and wait for its first piece (or its end); raises the
        FunctionError of an invocation refused before it ran."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        self._first = await self._queue.get()
        if self._first is None:
            self._task.result()  # raises what refused the invocation

    async def chunks(self) -> AsyncIterator[bytes]:
        """The pieces as the function writes them (none for a runtime that buffers)."""
        piece = self._first
        while piece is not None:
            yield piece
            piece = await self._queue.get()

    async def response(self) -> InvokeResponse:
        """The invocation's result, once every piece has been taken."""
        assert self._task is not None
        return await self._task

    def started_streaming(self) -> bool:
        return self._first is not None
