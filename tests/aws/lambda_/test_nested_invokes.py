"""A function that invokes itself synchronously, through boto3 from inside its handler,
while it is busy: the inner invocation must never wait behind the outer one that waits
for it (short invocations may queue behind a running one: runtime/pool.py). Lambda runs
it in another environment; so must we. boto3 inside a function sends X-Amzn-Trace-Id
(botocore's recursion detection), which marks the call as made from an invocation."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.aws.lambda_.conftest import read_payload
from tests.conftest import create_function

SELF_CALLING = """
import json, os
import boto3

_client = None

def handler(event, context):
    global _client
    if not event.get("outer"):
        return {"leaf": event.get("n")}
    if _client is None:
        _client = boto3.client("lambda")
    answer = _client.invoke(
        FunctionName=context.function_name, Payload=json.dumps({"n": event["n"]})
    )
    return {"outer": event["n"], "inner": json.loads(answer["Payload"].read())}
"""


def test_a_function_invoking_itself_while_busy_is_answered(lambda_client: Any) -> None:
    name = create_function(lambda_client, SELF_CALLING, Timeout=20)

    def call(event: dict[str, Any]) -> dict[str, Any]:
        answer = lambda_client.invoke(FunctionName=name, Payload=json.dumps(event))
        assert "FunctionError" not in answer, read_payload(answer)
        return dict(read_payload(answer))

    for n in range(30):  # short on average: the pool would queue behind a running one
        assert call({"n": n}) == {"leaf": n}
    with ThreadPoolExecutor(4) as pool:
        outer = [pool.submit(call, {"n": n, "outer": True}) for n in range(4)]
        leaves = [pool.submit(call, {"n": 100 + n}) for n in range(8)]
        assert [f.result(timeout=60) for f in outer] == [
            {"outer": n, "inner": {"leaf": n}} for n in range(4)
        ]
        assert [f.result(timeout=60) for f in leaves] == [{"leaf": 100 + n} for n in range(8)]
