"""A forked environment's reply over Lambda's response limit: Lambda's error, stays warm.

The server must not hold (or copy) what a function sends past the limit: the reply is
read past, the invocation fails as Lambda's does, and the same process answers the next
invocation with its module state intact.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from stratus.runtime.local.factory import LocalEnvironmentFactory

from .conftest import launch_for, request, write_code

BIG = {
    "app.py": """
        calls = 0

        def handler(event, context):
            global calls
            calls += 1
            return {"calls": calls, "data": "x" * event["size"]}
    """
}


def test_a_reply_over_the_limit_fails_as_lambda_and_the_environment_stays(
    factory: LocalEnvironmentFactory, run: Callable[[Awaitable[Any]], Any], tmp_path: Path
) -> None:
    code = write_code(tmp_path / "code", BIG)
    env = run(factory.create(launch_for(code, tmp_dir=str(tmp_path / "tmp"))))
    try:
        outcome = run(env.invoke(request(b'{"size": 83886080}')))
        assert outcome.error_type == "Unhandled"
        assert json.loads(outcome.payload) == {
            "errorMessage": "Response payload size exceeded maximum allowed payload size "
            "(6291556 bytes).",
            "errorType": "Function.ResponseSizeTooLarge",
        }
        assert env.alive
        five_mb = 5 * 1024 * 1024
        outcome = run(env.invoke(request(json.dumps({"size": five_mb}).encode())))
        assert outcome.error_type is None
        body = json.loads(outcome.payload)
        assert body["calls"] == 2 and len(body["data"]) == five_mb
    finally:
        env.kill()
        run(env.wait_closed())
