"""Shared helpers of the gateway tests: functions that echo what they get, API URLs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ServerProcess, create_function

ECHO = """
import json, base64

def handler(event, context):
    return {"statusCode": 200, "headers": {"content-type": "application/json"},
            "body": json.dumps(event)}
"""

SCRIPTED = """
import json, base64

def handler(event, context):
    body = event.get("body") or "{}"
    if event.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    order = json.loads(body).get("answer", {"statusCode": 200, "body": "ok"})
    if order == "raise":
        raise ValueError("boom")
    return order
"""


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}"


def path_url(server: ServerProcess, api_id: str, path: str = "/") -> str:
    return f"http://127.0.0.1:{server.gateway_port}/_aws/execute-api/{api_id}{path}"


@pytest.fixture(scope="session")
def apigw(server: ServerProcess) -> Any:
    return server.client("apigatewayv2")


@pytest.fixture(scope="session")
def echo_function(lambda_client: Any) -> str:
    return create_function(lambda_client, ECHO)


@pytest.fixture(scope="session")
def scripted_function(lambda_client: Any) -> str:
    return create_function(lambda_client, SCRIPTED)
