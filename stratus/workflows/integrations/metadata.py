"""What Step Functions' optimized integrations add around a service's answer.

The optimized integrations (``lambda:invoke``, ``states:startExecution``) return the
service response as the AWS SDK for Java (v1) saw it: the result's members in PascalCase,
plus ``SdkHttpMetadata`` (the HTTP status and headers, once as lists and once as single
values) and ``SdkResponseMetadata`` (the request id). Dates are epoch milliseconds, as
that SDK writes them. The shapes here are the ones recorded on AWS in the conformance
material (``test_lambda_service_invoke``, ``test_start_execution``).
"""

from __future__ import annotations

import email.utils
import time
import uuid
from datetime import datetime
from typing import Any

__all__ = ["epoch_millis", "http_date", "sdk_metadata", "trace_header"]


def trace_header() -> str:
    """A fresh X-Ray trace header, as Lambda sends back in ``X-Amzn-Trace-Id``."""
    return (
        f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};"
        f"Parent={uuid.uuid4().hex[:16]};Sampled=0"
    )


def sdk_metadata(status: int, headers: list[tuple[str, str]], request_id: str) -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata`` for one HTTP answer.

    ``headers`` are in the order the service writes them (``AllHttpHeaders`` keeps it);
    ``HttpHeaders`` lists them sorted case-insensitively, as recorded on AWS.
    """
    all_headers = {name: [value] for name, value in headers}
    single = dict(sorted(headers, key=lambda item: item[0].lower()))
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": all_headers,
            "HttpHeaders": single,
            "HttpStatusCode": status,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def http_date() -> str:
    """The ``Date`` header value for now (RFC 7231)."""
    return email.utils.formatdate(usegmt=True)


def epoch_millis(value: Any) -> Any:
    """A date as the Java SDK v1 serializes it: integer epoch milliseconds.

    Accepts a datetime, epoch seconds (int/float) or an ISO 8601 text; anything else is
    returned unchanged.
    """
    if isinstance(value, datetime):
        return int(value.timestamp() * 1000)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return int(value * 1000)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
        return int(parsed.timestamp() * 1000)
    return value
