"""The first thing a user does: create a function with boto3 and invoke it."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import create_function


def test_create_and_invoke(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    return {'hello': event.get('name'), 'fn': context.function_name}\n",
    )
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"name": "Ada"}))
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {"hello": "Ada", "fn": name}
