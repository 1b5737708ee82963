"""Async invocation destinations and dead-letter queues that are SQS queues."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.event_sources.conftest import make_queue
from tests.aws.lambda_.conftest import function_arn, wait_for
from tests.conftest import create_function

SUCCEEDS = "def handler(event, context):\n    return {'ok': event['n']}\n"
FAILS = "def handler(event, context):\n    raise ValueError('broken ' + str(event['n']))\n"


def _receive(sqs: Any, url: str) -> list[dict[str, Any]]:
    answer = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=1
    )
    messages: list[dict[str, Any]] = answer.get("Messages", [])
    return messages


def test_on_success_and_on_failure_to_queues(lambda_client: Any, sqs: Any) -> None:
    ok_url, ok_arn = make_queue(sqs)
    fail_url, fail_arn = make_queue(sqs)
    for source, payload, url, condition in (
        (SUCCEEDS, b'{"n": 1}', ok_url, "Success"),
        (FAILS, b'{"n": 2}', fail_url, "RetriesExhausted"),
    ):
        name = create_function(lambda_client, source)
        lambda_client.put_function_event_invoke_config(
            FunctionName=name,
            MaximumRetryAttempts=0,
            DestinationConfig={
                "OnSuccess": {"Destination": ok_arn},
                "OnFailure": {"Destination": fail_arn},
            },
        )
        sent = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=payload)
        (message,) = wait_for(lambda url=url: _receive(sqs, url), timeout=30)
        record = json.loads(message["Body"])
        assert record["requestContext"] == {
            "requestId": sent["ResponseMetadata"]["RequestId"],
            "functionArn": function_arn(name, "$LATEST"),
            "condition": condition,
            "approximateInvokeCount": 1,
        }
        assert record["requestPayload"] == json.loads(payload)
        if condition == "Success":
            assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
            assert record["responsePayload"] == {"ok": 1}
        else:
            assert record["responseContext"]["functionError"] == "Unhandled"
            assert record["responsePayload"]["errorMessage"] == "broken 2"


def test_dead_letter_queue_gets_the_event_with_lambdas_attributes(
    lambda_client: Any, sqs: Any
) -> None:
    dlq_url, dlq_arn = make_queue(sqs)
    name = create_function(lambda_client, FAILS, DeadLetterConfig={"TargetArn": dlq_arn})
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    sent = lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 3}')
    (message,) = wait_for(lambda: _receive(sqs, dlq_url), timeout=30)
    assert json.loads(message["Body"]) == {"n": 3}
    attributes = message["MessageAttributes"]
    assert attributes["RequestID"] == {
        "StringValue": sent["ResponseMetadata"]["RequestId"],
        "DataType": "String",
    }
    assert attributes["ErrorCode"] == {"StringValue": "200", "DataType": "Number"}
    assert attributes["ErrorMessage"] == {"StringValue": "broken 3", "DataType": "String"}


def test_on_failure_wins_over_the_dead_letter_queue(lambda_client: Any, sqs: Any) -> None:
    dlq_url, dlq_arn = make_queue(sqs)
    fail_url, fail_arn = make_queue(sqs)
    name = create_function(lambda_client, FAILS, DeadLetterConfig={"TargetArn": dlq_arn})
    lambda_client.put_function_event_invoke_config(
        FunctionName=name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": fail_arn}},
    )
    lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 4}')
    wait_for(lambda: _receive(sqs, fail_url), timeout=30)
    assert _receive(sqs, dlq_url) == []
