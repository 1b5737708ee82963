"""The raw HTTP exchange the protocol layer works on, independent of any server.

The app turns an ASGI scope into an :class:`HttpRequest` once, and the parsers and
serializers never see ASGI; tests build these records directly from botocore's own
prepared requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

__all__ = ["HttpRequest", "HttpResponse"]


@dataclass(slots=True)
class HttpRequest:
    """One HTTP request as received.

    ``path`` is still percent-encoded (routing matches raw segments, labels are decoded
    after matching, so an encoded ``/`` in an S3 key never splits a segment), and
    ``headers`` has lower-cased names with repeated headers joined by ``,``.
    """

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class HttpResponse:
    """One HTTP response to send; headers keep their case and order as AWS writes them."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    # A body sent as it is produced (an event stream answered while the function runs):
    # ``body`` comes first, then every chunk of ``stream``.
    stream: AsyncIterator[bytes] | None = None
