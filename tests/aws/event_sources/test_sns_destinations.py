"""Async destinations and dead-letter targets that are SNS topics.

They need the topics service: on a build without it they skip, saying so; once the SNS
branch is merged they run."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.event_sources.conftest import make_queue
from tests.aws.lambda_.conftest import function_arn, wait_for
from tests.conftest import ServerProcess, create_function

SUCCEEDS = "def handler(event, context):\n    return {'ok': event['n']}\n"
FAILS = "def handler(event, context):\n    raise ValueError('broken ' + str(event['n']))\n"


@pytest.fixture(scope="module")
def sns(server: ServerProcess) -> Any:
    client = server.client("sns")
    try:
        client.list_topics()
    except client.exceptions.ClientError as exc:
        pytest.skip(f"the topics service is not in this build ({exc})")
    return client


def _topic_to_queue(sns: Any, sqs: Any) -> tuple[str, str]:
    """A topic whose messages land in a queue (SNS's JSON envelope): (topic ARN, queue URL)."""
    url, queue_arn = make_queue(sqs)
    topic = sns.create_topic(Name=f"t-{queue_arn.rsplit('-', 1)[1]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    return topic, url


def _receive(sqs: Any, url: str) -> list[dict[str, Any]]:
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return list(got.get("Messages", []))


def test_on_success_to_a_topic(lambda_client: Any, sqs: Any, sns: Any) -> None:
    topic, url = _topic_to_queue(sns, sqs)
    name = create_function(lambda_client, SUCCEEDS)
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, DestinationConfig={"OnSuccess": {"Destination": topic}}
    )
    lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 5}')
    (message,) = wait_for(lambda: _receive(sqs, url), timeout=30)
    record = json.loads(json.loads(message["Body"])["Message"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestContext"]["functionArn"] == function_arn(name, "$LATEST")
    assert record["responsePayload"] == {"ok": 5}


def test_dead_letter_topic(lambda_client: Any, sqs: Any, sns: Any) -> None:
    topic, url = _topic_to_queue(sns, sqs)
    name = create_function(lambda_client, FAILS, DeadLetterConfig={"TargetArn": topic})
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lambda_client.invoke(FunctionName=name, InvocationType="Event", Payload=b'{"n": 6}')
    (message,) = wait_for(lambda: _receive(sqs, url), timeout=30)
    envelope = json.loads(message["Body"])
    assert json.loads(envelope["Message"]) == {"n": 6}
    attributes = envelope["MessageAttributes"]
    assert attributes["ErrorCode"] == {"Type": "Number", "Value": "200"}
    assert attributes["ErrorMessage"] == {"Type": "String", "Value": "broken 6"}
    assert attributes["RequestID"]["Type"] == "String"
