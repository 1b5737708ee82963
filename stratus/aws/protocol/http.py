"""The raw HTTP exchange the protocol layer works on, independent of any server.

The app turns an ASGI scope into an :class:`HttpRequest` once, and the parsers and
serializers never see ASGI; tests build these records directly from botocore's own
prepared requests.

Bodies are bytes, except the few the app streams (S3 object uploads and downloads, which
may be 5 GB): those travel as an async iterator of chunks in ``stream`` and are never held
whole in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

__all__ = ["BodyIncomplete", "HttpRequest", "HttpResponse"]


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as received.

    ``path`` is still percent-encoded (routing matches raw segments, labels are decoded
    after matching, so an encoded ``/`` in an S3 key never splits a segment), and
    ``headers`` has lower-cased names with repeated headers joined by ``,``. When
    ``stream`` is set, ``body`` is empty and the body is still to be read from it.
    """

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes
    stream: AsyncIterator[bytes] | None = None
    #: The peer's address and the scheme it used (bucket policies' ``aws:SourceIp`` and
    #: ``aws:SecureTransport``); empty when not known.
    client: str = ""
    scheme: str = "http"


@dataclass(slots=True)
class HttpResponse:
    """One HTTP response to send; headers keep their case and order as AWS writes them.

    ``stream``, when set, is the body (``body`` is then empty): sent chunk by chunk."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    # A body sent as it is produced (an event stream answered while the function runs):
    # ``body`` comes first, then every chunk of ``stream``.
    stream: AsyncIterator[bytes] | None = None

    async def read_body(self) -> bytes:
        """The whole body (for in-process callers), draining ``stream`` if there is one."""
        if self.stream is None:
            return self.body
        chunks = [chunk async for chunk in self.stream]
        self.stream = None
        self.body += b"".join(chunks)
        return self.body


class BodyIncomplete(Exception):
    """The client went away before its streamed body was whole: nothing may be stored."""
