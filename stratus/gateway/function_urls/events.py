"""The event a function URL sends its function: API Gateway's payload format 2.0, as
function URLs fill it in.

Field by field as AWS's own samples (``lambdaFunctionUrlEvent*.json`` in powertools,
``lambda-urls-request.json`` in aws-lambda-go): ``routeKey`` and ``stage`` are
``$default``; ``cookies``, ``queryStringParameters`` and ``body`` appear only when the
request has them; repeated headers and query parameters are joined with commas;
``requestContext.accountId`` is ``anonymous`` for ``AuthType: NONE`` and the caller's
account for ``AWS_IAM`` (whose ``authorizer.iam`` names the caller). Binary bodies are
base64 with ``isBase64Encoded: true``; text ones are passed as they are.
See https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
"""

from __future__ import annotations

import base64
import random
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from stratus.gateway.request import request_time
from stratus.runtime.ids import new_request_id

__all__ = [
    "UrlRequest",
    "build_event",
    "is_text",
    "new_request_id",  # the runtime's: a UUID from the PRNG, no system call per request
    "new_trace_id",
    "query_parameters",
    "request_time",
]

_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/x-yaml",
    "application/ld+json",
    "application/graphql",
)


@dataclass(frozen=True, slots=True)
class UrlRequest:
    """One HTTP request to a function URL, as the door read it."""

    url_id: str
    region: str
    method: str
    raw_path: str
    raw_query: str
    headers: list[tuple[str, str]]  # lower-cased names, in order
    body: bytes
    source_ip: str
    protocol: str
    host: str
    port: int


def is_text(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+json", "+xml"))


def query_parameters(raw: str) -> dict[str, str]:
    values: dict[str, list[str]] = {}
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        values.setdefault(unquote(key.replace("+", " ")), []).append(
            unquote(value.replace("+", " "))
        )
    return {k: ",".join(v) for k, v in values.items()}


def new_trace_id() -> str:
    """An X-Ray trace header as AWS adds it to a URL's requests (``x-amzn-trace-id``)."""
    return f"Root=1-{int(time.time()):08x}-{random.getrandbits(96):024x}"


def build_event(
    request: UrlRequest,
    request_id: str,
    *,
    iam: dict[str, Any] | None = None,
    account_id: str = "anonymous",
    trace_id: str = "",
) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    headers.setdefault("x-forwarded-for", request.source_ip)
    headers.setdefault("x-forwarded-proto", "http")
    headers.setdefault("x-forwarded-port", str(request.port))
    headers.setdefault("x-amzn-trace-id", trace_id or new_trace_id())
    domain = f"{request.url_id}.lambda-url.{request.region}.localhost"
    now = time.time()
    context: dict[str, Any] = {"accountId": account_id, "apiId": request.url_id}
    if iam is not None:
        context["authorizer"] = {"iam": iam}
    context.update(
        {
            "domainName": domain,
            "domainPrefix": request.url_id,
            "http": {
                "method": request.method,
                "path": request.raw_path,
                "protocol": request.protocol,
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id,
            "routeKey": "$default",
            "stage": "$default",
            "time": request_time(int(now * 1000)),
            "timeEpoch": int(now * 1000),
        }
    )
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if request.raw_query:
        event["queryStringParameters"] = query_parameters(request.raw_query)
    event["requestContext"] = context
    if request.body:
        if is_text(headers.get("content-type", "")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
                return event
            except UnicodeDecodeError:
                pass
        event["body"] = base64.b64encode(request.body).decode("ascii")
        event["isBase64Encoded"] = True
        return event
    event["isBase64Encoded"] = False
    return event
