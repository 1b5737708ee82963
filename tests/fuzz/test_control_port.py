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

import pytest
from hypothesis import HealthCheck, given, settings

from tests.conftest import ServerProcess
from tests.fuzz.protected import snapshot
from tests.fuzz.strategies import lambda_requests
from tests.fuzz.wire import Wire, WireRequest, error_code, response_problems

#: Requests per run of the Lambda fuzzer: a few thousand, well under a minute on 2 cores.
LAMBDA_EXAMPLES = int(os.environ.get("STRATUS_FUZZ_EXAMPLES", "2500"))



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
    server: ServerProcess, client: Any, run: Callable[[], None], wire: Wire, minimum: int
) -> None:
    """Snapshot, fuzz, then: healthy, no traceback logged, same stored data."""
    before = snapshot(client)
    tracebacks = _log_tracebacks(server)
    run()
    print(f"\nfuzz: {wire.sent} requests")
    assert wire.sent >= minimum
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

    _fuzz_then_verify(fuzz_server, fuzz_lambda, run, wire, minimum=LAMBDA_EXAMPLES // 2)
    print(f"answers: {dict(seen.most_common())}")


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(WireRequest("GET", "/2015-03-31/functions/ghost"), id="unsigned-not-found"),
        pytest.param(
            WireRequest(
                "POST",
                "/2015-03-31/functions",
                (("Content-Type", "application/json"),),
                b'{"FunctionName": 1}',
            ),
            id="unsigned-wrong-type",
        ),
    ],
)
def test_an_error_is_found_and_judged(wire: Wire, request_: WireRequest) -> None:
    """The judge sees these answers as AWS errors (and would see a bare 404 as wrong)."""
    response = wire.send(request_)
    assert 400 <= response.status < 500
    assert response_problems(request_, response) == []
