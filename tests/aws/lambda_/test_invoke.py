"""Invoke through boto3: the three invocation types, log tails, qualifiers, client context."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from tests.aws.lambda_.conftest import function_arn, read_payload, wait_for
from tests.conftest import create_function

ECHO = """
import json

def handler(event, context):
    return {
        "event": event,
        "arn": context.invoked_function_arn,
        "version": context.function_version,
        "request_id": context.aws_request_id,
        "client_context": None if context.client_context is None else {
            "client": {
                "installation_id": context.client_context.client.installation_id,
                "app_title": context.client_context.client.app_title,
            },
            "custom": context.client_context.custom,
            "env": context.client_context.env,
        },
    }
"""


def test_request_response(lambda_client: Any) -> None:
    name = create_function(lambda_client, ECHO)
    response = lambda_client.invoke(FunctionName=name, Payload=json.dumps({"a": [1, 2]}))
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in response
    assert "LogResult" not in response
    body = read_payload(response)
    assert body["event"] == {"a": [1, 2]}
    assert body["arn"] == function_arn(name)
    assert body["version"] == "$LATEST"
    assert body["request_id"] == response["ResponseMetadata"]["RequestId"]


def test_empty_payload_is_empty_object(lambda_client: Any) -> None:
    name = create_function(lambda_client, ECHO)
    assert read_payload(lambda_client.invoke(FunctionName=name))["event"] == {}


def test_non_object_events(lambda_client: Any) -> None:
    name = create_function(lambda_client, ECHO)
    for event in ([1, "two"], "text", 42, None, True):
        payload = json.dumps(event)
        assert (
            read_payload(lambda_client.invoke(FunctionName=name, Payload=payload))["event"] == event
        )


def test_handler_returning_none_gives_null(lambda_client: Any) -> None:
    name = create_function(lambda_client, "def handler(event, context):\n    pass\n")
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b"null"


def test_event_invocation_runs(lambda_client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "event.json"
    name = create_function(
        lambda_client,
        "import json\ndef handler(event, context):\n"
        "    with open(event['path'], 'w') as f:\n"
        "        json.dump({'event': event, 'id': context.aws_request_id}, f)\n",
    )
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(marker)})
    )
    assert response["StatusCode"] == 202
    assert response["Payload"].read() == b""
    wait_for(marker.exists)
    written = json.loads(wait_for(lambda: marker.read_text()))
    assert written["event"] == {"path": str(marker)}
    assert written["id"] == response["ResponseMetadata"]["RequestId"]


def test_dry_run(lambda_client: Any, tmp_path: Path) -> None:
    marker = tmp_path / "dry"
    name = create_function(
        lambda_client, "def handler(event, context):\n    open(event['path'], 'w').close()\n"
    )
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="DryRun", Payload=json.dumps({"path": str(marker)})
    )
    assert response["StatusCode"] == 204
    assert response["Payload"].read() == b""
    assert not marker.exists()


def test_log_type_tail(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import logging\nlogging.getLogger().setLevel(logging.INFO)\n"
        "def handler(event, context):\n"
        "    print('hello from print')\n"
        "    logging.info('hello from logging')\n"
        "    return 1\n",
    )
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    log = base64.b64decode(response["LogResult"]).decode()
    assert f"START RequestId: {request_id} Version: $LATEST" in log
    assert "hello from print" in log
    assert "hello from logging" in log
    assert f"END RequestId: {request_id}" in log
    report = next(line for line in log.splitlines() if line.startswith("REPORT"))
    assert f"REPORT RequestId: {request_id}" in report
    for field in ("Duration:", "Billed Duration:", "Memory Size: 128 MB", "Max Memory Used:"):
        assert field in report
    # the first invocation was a cold start; the second is warm
    assert "Init Duration:" in report
    again = base64.b64decode(lambda_client.invoke(FunctionName=name, LogType="Tail")["LogResult"])
    assert b"Init Duration:" not in again


def test_log_tail_is_last_4kb(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    for i in range(2000):\n        print(f'line {i:05d}')\n",
    )
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    log = base64.b64decode(response["LogResult"])
    assert len(log) <= 4096
    assert len(log) > 3000
    assert b"line 00000" not in log
    assert b"line 01999" in log
    assert b"REPORT RequestId" in log


def test_qualifier_version_and_alias(lambda_client: Any) -> None:
    name = create_function(lambda_client, "def handler(event, context):\n    return 'one'\n")
    lambda_client.publish_version(FunctionName=name)
    lambda_client.update_function_code(
        FunctionName=name,
        ZipFile=_zip("def handler(event, context):\n    return context.function_version\n"),
    )
    lambda_client.create_alias(FunctionName=name, Name="prod", FunctionVersion="1")
    assert lambda_client.invoke(FunctionName=name, Qualifier="1")["Payload"].read() == b'"one"'
    by_alias = lambda_client.invoke(FunctionName=name, Qualifier="prod")
    assert by_alias["Payload"].read() == b'"one"'
    assert by_alias["ExecutedVersion"] == "1"
    latest = lambda_client.invoke(FunctionName=name)
    assert latest["Payload"].read() == b'"$LATEST"'
    assert latest["ExecutedVersion"] == "$LATEST"
    by_arn = lambda_client.invoke(FunctionName=function_arn(name, "prod"))
    assert by_arn["ExecutedVersion"] == "1"


def test_alias_arn_reaches_context(lambda_client: Any) -> None:
    name = create_function(lambda_client, ECHO)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    body = read_payload(lambda_client.invoke(FunctionName=name, Qualifier="live"))
    assert body["arn"] == function_arn(name, "live")
    assert body["version"] == "1"


def test_client_context(lambda_client: Any) -> None:
    name = create_function(lambda_client, ECHO)
    context = {
        "client": {
            "installation_id": "inst-1",
            "app_title": "Demo",
            "app_version_name": "1.0",
            "app_version_code": "1",
            "app_package_name": "com.example",
        },
        "custom": {"tenant": "acme"},
        "env": {"platform": "Android"},
    }
    encoded = base64.b64encode(json.dumps(context).encode()).decode()
    body = read_payload(lambda_client.invoke(FunctionName=name, ClientContext=encoded))
    assert body["client_context"]["custom"] == {"tenant": "acme"}
    assert body["client_context"]["env"] == {"platform": "Android"}
    assert body["client_context"]["client"]["installation_id"] == "inst-1"
    assert body["client_context"]["client"]["app_title"] == "Demo"
    no_context = read_payload(lambda_client.invoke(FunctionName=name))
    assert no_context["client_context"] is None


def test_unhandled_error_shape(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "class PaymentDeclined(Exception):\n    pass\n\n"
        "def handler(event, context):\n    raise PaymentDeclined('card 4242 declined')\n",
    )
    response = lambda_client.invoke(FunctionName=name)
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    body = read_payload(response)
    assert body["errorType"] == "PaymentDeclined"
    assert body["errorMessage"] == "card 4242 declined"
    assert body["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert isinstance(body["stackTrace"], list) and body["stackTrace"]
    assert any("raise PaymentDeclined" in frame for frame in body["stackTrace"])


def test_response_that_is_not_json_serializable(lambda_client: Any) -> None:
    name = create_function(lambda_client, "def handler(event, context):\n    return {1, 2}\n")
    response = lambda_client.invoke(FunctionName=name)
    assert response["FunctionError"] == "Unhandled"
    body = read_payload(response)
    assert body["errorType"] == "Runtime.MarshalError"
    assert body["errorMessage"].startswith("Unable to marshal response: ")


def test_response_over_6mb(lambda_client: Any) -> None:
    name = create_function(
        lambda_client, "def handler(event, context):\n    return 'x' * (7 * 1024 * 1024)\n"
    )
    response = lambda_client.invoke(FunctionName=name)
    assert response["FunctionError"] == "Unhandled"
    body = read_payload(response)
    assert body["errorType"] == "Function.ResponseSizeTooLarge"
    assert body["errorMessage"] == (
        "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
    )


def _zip(source: str) -> bytes:
    from tests.conftest import make_zip

    return make_zip({"app.py": source})
