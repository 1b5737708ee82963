"""Async invocation destinations: the invocation record, OnSuccess/OnFailure, validation.

Function destinations are driven here (a second function records what it receives);
queue destinations and dead-letter queues need the SQS service and live in
``tests/aws/sqs_lambda/``. The session server runs with ``--async-retry-delay 0.2``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn, wait_for
from tests.conftest import create_function

# Written under another name and renamed: the test never reads a record half written.
RECORDER = """
import json, os, uuid
def handler(event, context):
    path = os.path.join(os.environ["OUT"], uuid.uuid4().hex)
    with open(path + ".part", "w") as f:
        json.dump(event, f)
    os.rename(path + ".part", path + ".json")
    return "recorded"
"""

SUCCEEDS = """
def handler(event, context):
    return {"doubled": event["n"] * 2}
"""

FAILS = """
def handler(event, context):
    raise ValueError("no good: " + str(event["n"]))
"""


TOUCHES = """
def handler(event, context):
    open(event["path"], "w").close()
    return {"doubled": event["n"] * 2}
"""


def _records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]


def _recorder(lambda_client: Any, out: Path) -> str:
    return create_function(lambda_client, RECORDER, Environment={"Variables": {"OUT": str(out)}})


def test_on_success_to_a_function_gets_the_invocation_record(
    lambda_client: Any, tmp_path: Path
) -> None:
    recorder = _recorder(lambda_client, tmp_path)
    name = create_function(lambda_client, SUCCEEDS)
    lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={"OnSuccess": {"Destination": function_arn(recorder)}},
    )
    sent = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 21}')
    request_id = sent["ResponseMetadata"]["RequestId"]
    records = wait_for(lambda: _records(tmp_path), timeout=30)
    assert len(records) == 1
    record = records[0]
    assert set(record) == {
        "version",
        "timestamp",
        "requestContext",
        "requestPayload",
        "responseContext",
        "responsePayload",
    }
    assert record["version"] == "1.0"
    assert record["timestamp"].endswith("Z")
    assert record["requestContext"] == {
        "requestId": request_id,
        "functionArn": function_arn(name, "$LATEST"),
        "condition": "Success",
        "approximateInvokeCount": 1,
    }
    assert record["requestPayload"] == {"n": 21}
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"doubled": 42}


def test_on_failure_to_a_function_after_retries_are_exhausted(
    lambda_client: Any, tmp_path: Path
) -> None:
    recorder = _recorder(lambda_client, tmp_path)
    name = create_function(lambda_client, FAILS)
    lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=1,
        DestinationConfig={
            "OnSuccess": {"Destination": function_arn(recorder)},
            "OnFailure": {"Destination": function_arn(recorder)},
        },
    )
    lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 7}')
    records = wait_for(lambda: _records(tmp_path), timeout=30)
    assert len(records) == 1
    record = records[0]
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2
    assert record["requestPayload"] == {"n": 7}
    assert record["responseContext"] == {
        "statusCode": 200,
        "executedVersion": "$LATEST",
        "functionError": "Unhandled",
    }
    assert record["responsePayload"]["errorType"] == "ValueError"
    assert record["responsePayload"]["errorMessage"] == "no good: 7"


@pytest.mark.parametrize(
    "destination",
    [
        "arn:aws:s3:::a-bucket",
        "arn:aws:dynamodb:us-east-1:000000000000:table/t",
        "arn:aws:lambda:us-east-1:000000000000:layer:l",
        "arn:aws:events:us-east-1:000000000000:rule/r",
        "arn:aws:sqs:us-east-1:000000000000:",
    ],
    ids=["s3", "dynamodb", "layer", "events-rule", "sqs-no-name"],
)
def test_an_invalid_destination_is_refused(lambda_client: Any, destination: str) -> None:
    name = create_function(lambda_client, SUCCEEDS)
    # An S3 bucket is a failure destination only.
    for which in ("OnSuccess",) if ":s3:" in destination else ("OnSuccess", "OnFailure"):
        with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
            lambda_client.put_function_event_invoke_config(
                FunctionName=name, DestinationConfig={which: {"Destination": destination}}
            )
        assert_error(
            error,
            "InvalidParameterValueException",
            f"The destination ARN {destination} is invalid.",
            400,
        )
    # Nothing was stored.
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function_event_invoke_config(FunctionName=name)


def test_an_s3_bucket_is_a_failure_destination(lambda_client: Any) -> None:
    name = create_function(lambda_client, SUCCEEDS)
    config = {"OnFailure": {"Destination": "arn:aws:s3:::failed-events"}}
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig=config
    )
    assert put["DestinationConfig"]["OnFailure"] == {"Destination": "arn:aws:s3:::failed-events"}


@pytest.mark.parametrize(
    "destination",
    [
        "arn:aws:sqs:us-east-1:000000000000:q",
        "arn:aws:sns:us-east-1:000000000000:t",
        "arn:aws:lambda:us-east-1:000000000000:function:f",
        "arn:aws:lambda:us-east-1:000000000000:function:f:live",
        "arn:aws:events:us-east-1:000000000000:event-bus/default",
    ],
    ids=["sqs", "sns", "function", "alias", "bus"],
)
def test_valid_destinations_are_stored(lambda_client: Any, destination: str) -> None:
    name = create_function(lambda_client, SUCCEEDS)
    config = {"OnSuccess": {"Destination": destination}, "OnFailure": {}}
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig=config
    )
    assert put["DestinationConfig"]["OnSuccess"] == {"Destination": destination}
    got = lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert got["DestinationConfig"]["OnSuccess"] == {"Destination": destination}


def test_a_bus_destination_not_served_yet_does_not_stop_delivery(
    lambda_client: Any, tmp_path: Path
) -> None:
    """The event bus is not built yet: the record is skipped (logged once), the event is
    settled all the same and the next one runs."""
    name = create_function(lambda_client, TOUCHES)
    lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        DestinationConfig={
            "OnSuccess": {"Destination": "arn:aws:events:us-east-1:000000000000:event-bus/default"}
        },
    )
    for i in range(2):
        path = tmp_path / f"ran-{i}"
        payload = json.dumps({"n": i, "path": str(path)}).encode()
        lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
        wait_for(path.exists, timeout=30)
