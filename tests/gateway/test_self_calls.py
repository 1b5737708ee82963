"""A function behind an HTTP API that calls its own API's URL while it answers (a
route of a "lambdalith" calling another of its routes). Short invocations may queue behind
a running one (runtime/pool.py); a call from inside the function carries nothing that
marks it as nested, so it may be queued behind the very invocation waiting for it. The
invoker's watchdog has the worker hand it back unstarted once the one ahead has run far
longer than the function's invocations do, and it runs in another environment: the outer
request is answered, not held until its timeout."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import function_arn, path_url

SELF_CALLING = """
import json, urllib.request

def handler(event, context):
    if event["rawPath"] != "/outer":
        return {"statusCode": 200, "body": json.dumps({"leaf": event["rawPath"]})}
    context_ = event["requestContext"]
    url = "http://%s/_aws/execute-api/%s/inner" % (event["headers"]["host"], context_["apiId"])
    with urllib.request.urlopen(url, timeout=25) as answer:
        inner = json.loads(answer.read())
    return {"statusCode": 200, "body": json.dumps({"outer": True, "inner": inner})}
"""


def test_a_function_calling_its_own_api_while_busy_is_answered(
    server: ServerProcess, lambda_client: Any, apigw: Any
) -> None:
    name = create_function(lambda_client, SELF_CALLING, Timeout=30)
    api = apigw.create_api(Name="self", ProtocolType="HTTP", Target=function_arn(name))
    base = path_url(server, api["ApiId"], "")
    with httpx.Client(timeout=60) as client:
        for n in range(40):  # short on average: the pool would queue behind a running one
            assert client.get(f"{base}/leaf{n}").json() == {"leaf": f"/leaf{n}"}

        def outer(_: int) -> Any:
            with httpx.Client(timeout=60) as own:
                response = own.get(f"{base}/outer")
                return response.status_code, response.json()

        with ThreadPoolExecutor(4) as pool:
            outers = [pool.submit(outer, n) for n in range(4)]
            leaves = [pool.submit(client.get, f"{base}/leaf-{n}") for n in range(8)]
            for future in outers:
                assert future.result(timeout=90) == (
                    200,
                    {"outer": True, "inner": {"leaf": "/inner"}},
                )
            for n, future in enumerate(leaves):
                assert json.loads(future.result(timeout=90).text) == {"leaf": f"/leaf-{n}"}
