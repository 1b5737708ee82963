"""Protocol overhead of one Lambda Invoke: route + parse + serialize, vs. a bare dict copy.

Run: ``python -m bench.protocol_overhead``. Prints per-call microseconds of both and the
ratio, measured in the same run (DESIGN.md: every figure is a ratio to a baseline).
"""

from __future__ import annotations

import time
from typing import Any

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.models import load_service
from stratus.aws.protocol.parsers import create_parser
from stratus.aws.protocol.routing import ServiceRouter
from stratus.aws.protocol.serializers import create_serializer
from stratus.aws.protocol.sigv4 import parse_credential_scope

N = 20_000

REQUEST = HttpRequest(
    method="POST",
    path="/2015-03-31/functions/my-function/invocations",
    query_string="",
    headers={
        "host": "127.0.0.1:4566",
        "x-amz-invocation-type": "RequestResponse",
        "x-amz-log-type": "None",
        "content-type": "application/octet-stream",
        "authorization": "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/"
        "aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
        "content-length": "16",
    },
    body=b'{"key": "value"}',
)
OUTPUT: dict[str, Any] = {
    "StatusCode": 200,
    "ExecutedVersion": "$LATEST",
    "Payload": b'{"ok": true}',
}


def protocol_round() -> None:
    """What AwsApp does around the provider call."""
    scope = parse_credential_scope(REQUEST)
    match = ROUTER.route(REQUEST, scope)
    assert match is not None and match.operation is not None
    params = PARSER.parse(REQUEST, match)
    SERIALIZER.serialize_response(match.operation, {**OUTPUT, "Payload": params["Payload"]}, "r")


def baseline() -> None:
    """A bare dict copy of the parameters and the output."""
    params = dict(REQUEST.headers)
    params["Payload"] = REQUEST.body
    dict(OUTPUT)


def timed(fn: Any) -> float:
    for _ in range(1000):
        fn()
    start = time.perf_counter()
    for _ in range(N):
        fn()
    return (time.perf_counter() - start) / N


ROUTER = ServiceRouter(["lambda", "s3", "sqs", "dynamodb"])
SPEC = load_service("lambda")
PARSER = create_parser(SPEC)
SERIALIZER = create_serializer(SPEC)


def main() -> None:
    """Print both figures and their ratio."""
    proto = timed(protocol_round)
    base = timed(baseline)
    print(f"protocol round (route+parse+serialize): {proto * 1e6:8.2f} us/call")
    print(f"baseline (dict copy):                   {base * 1e6:8.2f} us/call")
    print(f"ratio: {proto / base:.1f}x")


if __name__ == "__main__":
    main()
