"""Thousands of malformed requests to the control port get AWS's errors, and harm nothing.

The property (foundation issue): whatever arrives, every answer is below 500, carries
the protocol's AWS error shape with a code unless it is a success, and shows no Python
traceback; afterwards the server is healthy, logged no unexpected error, and the stored
functions, versions, aliases, tags, settings and layers are exactly as before.

Runs are derandomized (the same requests every run, no example database), so a failure
in CI reproduces locally with the same command.
"""

from __future__ import annotations

import os
import urllib.request
from collections import Counter
from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.conftest import ServerProcess
from tests.fuzz.foreign import foreign_requests
from tests.fuzz.protected import snapshot
from tests.fuzz.raw import raw_requests, send_raw, status_of
from tests.fuzz.strategies import lambda_requests, unsigned
from tests.fuzz.wire import (
    TRACEBACK_MARKERS,
    Wire,
    WireRequest,
    error_code,
    response_problems,
    server_problems,
)

#: Requests per run: a few thousand in all, well under a minute on 2 cores.
#: ``STRATUS_FUZZ_SCALE=10`` runs ten times as many (same first examples).
_SCALE = float(os.environ.get("STRATUS_FUZZ_SCALE", "1"))
LAMBDA_EXAMPLES = int(2500 * _SCALE)
UNSIGNED_EXAMPLES = int(400 * _SCALE)
FOREIGN_EXAMPLES = int(400 * _SCALE)
RAW_EXAMPLES = int(200 * _SCALE)


def fuzz_settings(max_examples: int) -> settings:
    """Reproducible (derandomized, no example database), no per-example deadline."""
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def _log_tracebacks(server: ServerProcess) -> int:
    """How many tracebacks the server has logged so far (every 500 logs one)."""
    try:
        return server.log_path.read_text(errors="replace").count("Traceback")
    except FileNotFoundError:
        return 0


def _health(server: ServerProcess) -> int:
    with urllib.request.urlopen(f"{server.endpoint}/_stratus/health", timeout=10) as answer:
        return int(answer.status)


def _check(wire: Wire, seen: Counter[str]) -> Callable[[WireRequest], None]:
    def check(request: WireRequest) -> None:
        response = wire.send(request)
        seen[f"{response.status} {error_code(response, request.expect) or ''}".strip()] += 1
        problems = response_problems(request, response)
        assert not problems, (
            f"{problems}\n{request.describe()}\n"
            f"-> {response.status} {response.headers} {response.body[:600]!r}"
        )

    return check


def _fuzz_then_verify(
    server: ServerProcess,
    client: Any,
    run: Callable[[], None],
    sent: Callable[[], int],
    minimum: int,
) -> None:
    """Snapshot, fuzz, then: healthy, no traceback logged, same stored data."""
    before = snapshot(client)
    tracebacks = _log_tracebacks(server)
    run()
    print(f"\nfuzz: {sent()} requests")
    assert sent() >= minimum
    assert server.process is not None and server.process.poll() is None, server.log()
    assert _health(server) == 200
    assert _log_tracebacks(server) == tracebacks, server.log()
    assert snapshot(client) == before


def test_lambda_api_answers_hostile_requests_with_aws_errors(
    fuzz_server: ServerProcess, fuzz_lambda: Any, wire: Wire
) -> None:
    seen: Counter[str] = Counter()
    check = _check(wire, seen)

    @fuzz_settings(LAMBDA_EXAMPLES)
    @given(lambda_requests())
    def run(request: WireRequest) -> None:
        check(request)

    _fuzz_then_verify(
        fuzz_server, fuzz_lambda, run, lambda: wire.sent, minimum=LAMBDA_EXAMPLES // 2
    )
    print(f"answers: {dict(seen.most_common())}")


def test_unsigned_lambda_requests_never_fail_the_server(
    fuzz_server: ServerProcess, fuzz_lambda: Any, wire: Wire
) -> None:
    """Without a signature, routing falls back to Lambda's HTTP bindings.

    Only the server's own duty is checked here (no 5xx, no traceback); that requests no
    binding matches also get an AWS error shape is finding F1 in ``test_regressions``.
    """
    seen: Counter[str] = Counter()

    @fuzz_settings(UNSIGNED_EXAMPLES)
    @given(lambda_requests().map(unsigned))
    def run(request: WireRequest) -> None:
        response = wire.send(request)
        seen[str(response.status)] += 1
        problems = server_problems(response)
        assert not problems, f"{problems}\n{request.describe()}\n-> {response.body[:600]!r}"

    _fuzz_then_verify(
        fuzz_server, fuzz_lambda, run, lambda: wire.sent, minimum=UNSIGNED_EXAMPLES // 2
    )
    print(f"answers: {dict(seen.most_common())}")


def test_calls_of_unserved_services_never_fail_the_server(
    fuzz_server: ServerProcess, fuzz_lambda: Any, wire: Wire
) -> None:
    """SQS, DynamoDB, SNS, Step Functions, EventBridge, CloudFormation, S3 calls.

    No 5xx (but S3's 501 ``NotImplemented``) and no traceback; that they get their
    protocol's error shape is finding F2 in ``test_regressions``.
    """
    seen: Counter[str] = Counter()

    @fuzz_settings(FOREIGN_EXAMPLES)
    @given(foreign_requests())
    def run(request: WireRequest) -> None:
        response = wire.send(request)
        seen[str(response.status)] += 1
        problems = [p for p in server_problems(response) if p != "server error 501"]
        assert not problems, f"{problems}\n{request.describe()}\n-> {response.body[:600]!r}"

    _fuzz_then_verify(
        fuzz_server, fuzz_lambda, run, lambda: wire.sent, minimum=FOREIGN_EXAMPLES // 2
    )
    print(f"answers: {dict(seen.most_common())}")


def test_bytes_that_are_not_http_never_fail_the_server(
    fuzz_server: ServerProcess, fuzz_lambda: Any
) -> None:
    """Noise and broken HTTP/1.1 on fresh connections: no 5xx, no traceback, alive."""
    sent = 0

    @fuzz_settings(RAW_EXAMPLES)
    @given(raw_requests())
    def run(data: bytes) -> None:
        nonlocal sent
        answer = send_raw(fuzz_server.port, data)
        sent += 1
        status = status_of(answer)
        assert status is None or status < 500, f"{data[:300]!r}\n-> {answer[:600]!r}"
        for marker in TRACEBACK_MARKERS:
            assert marker.encode() not in answer, f"{data[:300]!r}\n-> {answer[:600]!r}"

    _fuzz_then_verify(fuzz_server, fuzz_lambda, run, lambda: sent, minimum=RAW_EXAMPLES // 2)


def test_a_body_over_the_limit_is_refused_with_aws_413(wire: Wire) -> None:
    """64 MiB is the app's limit; past it the answer is Lambda's 413, not a dropped socket."""
    request = WireRequest(
        "POST",
        "/2015-03-31/functions/ghost/invocations",
        (("Authorization", _LAMBDA_AUTH),),
        b"x" * (64 * 1024 * 1024 + 1),
    )
    response = wire.send(request)
    assert response.status == 413
    assert error_code(response, "json") == "RequestEntityTooLargeException"
    assert response_problems(request, response) == []


_LAMBDA_AUTH = (
    "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/lambda/aws4_request, "
    "SignedHeaders=host, Signature=0"
)
