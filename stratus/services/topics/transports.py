"""Carrying one envelope to one endpoint: HTTP/S POSTs, and calls of our own SQS and Lambda.

SQS and Lambda are reached through the platform's in-process AWS caller (the same wire
path as an SDK call), so the topics service imports neither. Each attempt ends in an
:class:`Outcome`: delivered; failed on the server side (retried by the delivery policy);
or failed on the client side (endpoint gone, access denied, HTTP 4xx other than 429),
which AWS does not retry but sends to the dead-letter queue at once
(https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html).
"""

from __future__ import annotations

import asyncio
import enum
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

#: How long an HTTP/S endpoint has to answer (AWS: 15 seconds).
HTTP_TIMEOUT_S = 15.0
_MAX_RESPONSE_HEAD = 64 * 1024


class Outcome(enum.Enum):
    DELIVERED = "delivered"
    RETRY = "retry"  # server-side failure: the delivery policy decides
    CLIENT_ERROR = "client"  # not retried: dead-letter queue, or dropped


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Outcome
    detail: str = ""


# Error codes of our SQS and Lambda that mean the endpoint itself is wrong.
_CLIENT_CODES = frozenset(
    {
        "ResourceNotFoundException",
        "QueueDoesNotExist",
        "AWS.SimpleQueueService.NonExistentQueue",
        "AccessDenied",
        "AccessDeniedException",
        "KMSAccessDeniedException",
        "InvalidParameterValueException",
        "RequestEntityTooLargeException",
        "InvalidMessageContents",
        "UnknownOperationException",
    }
)


def classify(error: BaseException) -> Attempt:
    """An AWS call's failure as an attempt (the caller raises with a ``code``)."""
    code = str(getattr(error, "code", "") or type(error).__name__)
    message = str(getattr(error, "message", "") or error)
    outcome = Outcome.CLIENT_ERROR if code in _CLIENT_CODES else Outcome.RETRY
    return Attempt(outcome, f"{code}: {message}")


@dataclass(frozen=True, slots=True)
class ArnParts:
    service: str
    region: str
    account: str
    resource: str


def arn_parts(arn: str) -> ArnParts | None:
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return ArnParts(parts[2], parts[3], parts[4], parts[5])


async def post(
    url: str, headers: dict[str, str], body: bytes, timeout: float = HTTP_TIMEOUT_S
) -> Attempt:
    """POST ``body`` to ``url``; 2xx is delivered, 429/5xx/no answer are retried."""
    try:
        async with asyncio.timeout(timeout):
            status = await _post(url, headers, body)
    except TimeoutError:
        return Attempt(Outcome.RETRY, f"no answer within {timeout:g} s")
    except (
        OSError,
        ssl.SSLError,
        ValueError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
        UnicodeError,
    ) as error:
        # Whatever the endpoint did wrong (refused, reset, not HTTP, an endless line)
        # is a failed attempt for the delivery policy, never an error of ours.
        return Attempt(Outcome.RETRY, f"{type(error).__name__}: {error}")
    if 200 <= status < 300:
        return Attempt(Outcome.DELIVERED, str(status))
    if status == 429 or status >= 500:
        return Attempt(Outcome.RETRY, f"HTTP {status}")
    return Attempt(Outcome.CLIENT_ERROR, f"HTTP {status}")


async def _post(url: str, headers: dict[str, str], body: bytes) -> int:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an HTTP/S URL: {url}")
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    context = ssl.create_default_context() if secure else None
    reader, writer = await asyncio.open_connection(parts.hostname, port, ssl=context)
    try:
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        head = [
            f"POST {target} HTTP/1.1",
            f"Host: {host}",
            f"Content-Length: {len(body)}",
            "Connection: close",
        ]
        head += [f"{name}: {value}" for name, value in headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readuntil(b"\r\n")
        if len(status_line) > _MAX_RESPONSE_HEAD:
            raise ValueError("response status line too long")
        fields = status_line.decode("latin-1").split(" ", 2)
        if len(fields) < 2 or not fields[0].startswith("HTTP/"):
            raise ValueError(f"not an HTTP response: {status_line[:80]!r}")
        return int(fields[1])
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass
