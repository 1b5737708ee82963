"""Publish and PublishBatch: answers, FIFO sequence and deduplication, and AWS's error for
each bad input (none of which may deliver anything)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.sns.conftest import Endpoint, aws_error, confirm, new_topic, wait_for


@pytest.fixture
def topic(sns: Any) -> str:
    return new_topic(sns)


def test_publish_answers_a_message_id(sns: Any, topic: str) -> None:
    first = sns.publish(TopicArn=topic, Message="a")["MessageId"]
    second = sns.publish(TargetArn=topic, Message="b")["MessageId"]
    assert len(first) == 36 and first != second


def _attribute(kind: str, value: Any, field: str = "StringValue") -> dict[str, Any]:
    return {"x": {"DataType": kind, field: value}}


@pytest.mark.parametrize(
    ("kwargs", "code", "message"),
    [
        ({"Message": ""}, "InvalidParameter", "Invalid parameter: Empty message"),
        (
            {"Message": "x" * (256 * 1024 + 1)},
            "InvalidParameter",
            "Invalid parameter: Message too long",
        ),
        (
            {
                "Message": "x" * (256 * 1024 - 10),
                "MessageAttributes": _attribute("String", "y" * 20),
            },
            "InvalidParameter",
            "Invalid parameter: Message too long",
        ),
        ({"Message": "x", "Subject": ""}, "InvalidParameter", "Invalid parameter: Subject"),
        (
            {"Message": "x", "Subject": "line\nbreak"},
            "InvalidParameter",
            "Invalid parameter: Subject",
        ),
        ({"Message": "x", "Subject": "s" * 101}, "InvalidParameter", "Invalid parameter: Subject"),
        (
            {"Message": "not json", "MessageStructure": "json"},
            "InvalidParameter",
            "Invalid parameter: Message Structure - JSON message body failed to parse",
        ),
        (
            {"Message": json.dumps({"sqs": "x"}), "MessageStructure": "json"},
            "InvalidParameter",
            "Invalid parameter: Message Structure - No default entry in JSON message body",
        ),
        (
            {"Message": "x", "MessageDeduplicationId": "d"},
            "InvalidParameter",
            "Invalid parameter: MessageDeduplicationId Reason: The request includes "
            "MessageDeduplicationId parameter that is not valid for this topic type",
        ),
        (
            {"Message": "x", "MessageAttributes": _attribute("Number", "abc")},
            "ParameterValueInvalid",
            "Could not cast message attribute 'x' value to number.",
        ),
        (
            {"Message": "x", "MessageAttributes": _attribute("Decimal", "1")},
            "ParameterValueInvalid",
            "The message attribute 'x' has an invalid message attribute type, the set of supported "
            "type prefixes is Binary, Number, and String.",
        ),
        (
            {"Message": "x", "MessageAttributes": _attribute("String", "")},
            "ParameterValueInvalid",
            "The message attribute 'x' must contain non-empty message attribute value for message "
            "attribute type 'String'.",
        ),
        (
            {"Message": "x", "MessageAttributes": _attribute("Binary", "text")},
            "ParameterValueInvalid",
            "The message attribute 'x' with type 'Binary' must use field 'Binary'.",
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {".x": {"DataType": "String", "StringValue": "v"}},
            },
            "ParameterValueInvalid",
            "Invalid message attribute name starting with character '.' was found.",
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {"a..b": {"DataType": "String", "StringValue": "v"}},
            },
            "ParameterValueInvalid",
            "Message attribute name can not have successive '.' character.",
        ),
        (
            {
                "Message": "x",
                "MessageAttributes": {"a b": {"DataType": "String", "StringValue": "v"}},
            },
            "ParameterValueInvalid",
            "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can "
            "only include alphanumeric characters, hyphens, underscores, or dots.",
        ),
    ],
    ids=[
        "empty",
        "too-long",
        "too-long-with-attributes",
        "empty-subject",
        "subject-newline",
        "subject-too-long",
        "structure-not-json",
        "structure-no-default",
        "dedup-on-standard",
        "number-not-number",
        "unknown-type",
        "empty-value",
        "binary-as-string",
        "name-dot",
        "name-double-dot",
        "name-space",
    ],
)
def test_publish_refusals(
    sns: Any, endpoint: Endpoint, kwargs: dict[str, Any], code: str, message: str
) -> None:
    topic = new_topic(sns)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    confirm(sns, endpoint, topic)
    assert aws_error(lambda: sns.publish(TopicArn=topic, **kwargs)) == (code, message, 400)
    sns.publish(TopicArn=topic, Message="the only one")
    wait_for(lambda: endpoint.of_type("Notification"))
    assert [r.json()["Message"] for r in endpoint.of_type("Notification")] == ["the only one"]


def test_largest_message_is_accepted(sns: Any, topic: str) -> None:
    assert sns.publish(TopicArn=topic, Message="x" * (256 * 1024))["MessageId"]


def test_fifo_publish(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns, Attributes={"FifoTopic": "true"})
    assert aws_error(lambda: sns.publish(TopicArn=topic, Message="x")) == (
        "InvalidParameter",
        "Invalid parameter: The MessageGroupId parameter is required for FIFO topics",
        400,
    )
    assert aws_error(lambda: sns.publish(TopicArn=topic, Message="x", MessageGroupId="g")) == (
        "InvalidParameter",
        "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly",
        400,
    )
    first = sns.publish(
        TopicArn=topic, Message="x", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    repeat = sns.publish(
        TopicArn=topic, Message="other", MessageGroupId="g", MessageDeduplicationId="d1"
    )
    second = sns.publish(
        TopicArn=topic, Message="y", MessageGroupId="g", MessageDeduplicationId="d2"
    )
    assert repeat["MessageId"] == first["MessageId"]
    assert len(first["SequenceNumber"]) == 20
    assert int(second["SequenceNumber"]) > int(first["SequenceNumber"])


def test_fifo_content_based_deduplication(sns: Any) -> None:
    topic = new_topic(sns, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})
    first = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")["MessageId"]
    again = sns.publish(TopicArn=topic, Message="same", MessageGroupId="g")["MessageId"]
    other = sns.publish(TopicArn=topic, Message="different", MessageGroupId="g")["MessageId"]
    assert first == again != other


def _entries(count: int, **extra: Any) -> list[dict[str, Any]]:
    return [{"Id": f"e{i}", "Message": f"m{i}", **extra} for i in range(count)]


def test_publish_batch(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    confirm(sns, endpoint, topic)
    entries = [*_entries(9), {"Id": "bad", "Message": "x", "Subject": ""}]
    answer = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    assert sorted(s["Id"] for s in answer["Successful"]) == [f"e{i}" for i in range(9)]
    assert answer["Failed"] == [
        {
            "Id": "bad",
            "Code": "InvalidParameter",
            "Message": "Invalid parameter: Subject",
            "SenderFault": True,
        }
    ]
    wait_for(lambda: len(endpoint.of_type("Notification")) == 9)
    delivered = {r.json()["MessageId"] for r in endpoint.of_type("Notification")}
    assert delivered == {s["MessageId"] for s in answer["Successful"]}


@pytest.mark.parametrize(
    ("entries", "code", "message"),
    [
        ([], "EmptyBatchRequest", "The batch request doesn't contain any entries"),
        (
            _entries(11),
            "TooManyEntriesInBatchRequest",
            "The batch request contains more entries than permissible.",
        ),
        (
            [{"Id": "a", "Message": "1"}, {"Id": "a", "Message": "2"}],
            "BatchEntryIdsNotDistinct",
            "Two or more batch entries in the request have the same Id.",
        ),
        (
            [{"Id": "no spaces", "Message": "1"}],
            "InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. "
            "It can be at most 80 letters long.",
        ),
        (
            [{"Id": f"e{i}", "Message": "x" * 30_000} for i in range(10)],
            "BatchRequestTooLong",
            "The length of all the messages put together is more than the limit.",
        ),
    ],
    ids=["empty", "eleven", "same-id", "bad-id", "too-long"],
)
def test_publish_batch_refusals(
    sns: Any, topic: str, entries: list[dict[str, Any]], code: str, message: str
) -> None:
    assert aws_error(
        lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    ) == (code, message, 400)


def test_publish_batch_fifo(sns: Any) -> None:
    topic = new_topic(sns, Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})
    assert aws_error(
        lambda: sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=_entries(2))
    )[1] == ("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    answer = sns.publish_batch(
        TopicArn=topic, PublishBatchRequestEntries=_entries(3, MessageGroupId="g")
    )
    numbers = [int(s["SequenceNumber"]) for s in answer["Successful"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3


def test_sms_publish_is_accepted_and_checked(sns: Any) -> None:
    assert sns.publish(PhoneNumber="+15555550100", Message="hi")["MessageId"]
    assert aws_error(lambda: sns.publish(PhoneNumber="12", Message="hi")) == (
        "InvalidParameter",
        "Invalid parameter: PhoneNumber Reason: 12 is not valid to publish to",
        400,
    )
