"""Messages through boto3: send (single and batch), the digests SDKs verify, receive with
attribute selection, delete, visibility; and AWS's error for each bad input."""

from __future__ import annotations

import hashlib
import struct
import time
from typing import Any

import pytest

from tests.aws.sqs.conftest import attributes, error_of, receive_all, unique


def reference_md5(attributes_given: dict[str, dict[str, Any]]) -> str:
    """The digest as the developer guide spells it out, written independently of ours."""
    out = b""
    for name in sorted(attributes_given):
        value = attributes_given[name]
        data_type = value["DataType"]
        out += struct.pack(">I", len(name.encode())) + name.encode()
        out += struct.pack(">I", len(data_type.encode())) + data_type.encode()
        if "BinaryValue" in value:
            out += b"\x02" + struct.pack(">I", len(value["BinaryValue"])) + value["BinaryValue"]
        else:
            raw = value["StringValue"].encode()
            out += b"\x01" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(out).hexdigest()


ATTRIBUTES = {
    "timestamp": {"DataType": "Number", "StringValue": "1493147359900"},
    "name": {"DataType": "String", "StringValue": "日本語 ✓"},
    "blob": {"DataType": "Binary", "BinaryValue": b"\x00\x01binary\xff"},
    "custom": {"DataType": "String.custom-label", "StringValue": "x"},
}


def test_send_and_receive_with_digests(sqs: Any, queue: str) -> None:
    sent = sqs.send_message(QueueUrl=queue, MessageBody="héllo ✓", MessageAttributes=ATTRIBUTES)
    assert sent["MD5OfMessageBody"] == hashlib.md5("héllo ✓".encode()).hexdigest()
    assert sent["MD5OfMessageAttributes"] == reference_md5(ATTRIBUTES)
    (message,) = sqs.receive_message(
        QueueUrl=queue, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]
    )["Messages"]
    assert message["MessageId"] == sent["MessageId"]
    assert message["Body"] == "héllo ✓"
    assert message["MD5OfBody"] == sent["MD5OfMessageBody"]
    assert message["MessageAttributes"] == ATTRIBUTES
    assert message["MD5OfMessageAttributes"] == sent["MD5OfMessageAttributes"]
    system = message["Attributes"]
    assert system["ApproximateReceiveCount"] == "1"
    assert system["SenderId"] == "000000000000"
    assert int(system["SentTimestamp"]) <= int(system["ApproximateFirstReceiveTimestamp"])


def test_known_attribute_digest(sqs: Any, queue: str) -> None:
    """A digest published with an SDK's test suite, so both sides are checked."""
    sent = sqs.send_message(
        QueueUrl=queue,
        MessageBody="x",
        MessageAttributes={"timestamp": {"StringValue": "1493147359900", "DataType": "Number"}},
    )
    assert sent["MD5OfMessageAttributes"] == "235c5c510d26fb653d073faed50ae77c"


def test_message_attribute_selection(sqs: Any, queue: str) -> None:
    given = {
        "a.one": {"DataType": "String", "StringValue": "1"},
        "a.two": {"DataType": "String", "StringValue": "2"},
        "b": {"DataType": "Number", "StringValue": "3"},
    }
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=given)
    for names, expected in (
        (["a.*"], {"a.one", "a.two"}),
        (["b"], {"b"}),
        ([".*"], {"a.one", "a.two", "b"}),
        (["zzz"], set()),
    ):
        (message,) = sqs.receive_message(
            QueueUrl=queue, MessageAttributeNames=names, VisibilityTimeout=0
        )["Messages"]
        assert set(message.get("MessageAttributes", {})) == expected, names
        if expected:
            chosen = {k: given[k] for k in expected}
            assert message["MD5OfMessageAttributes"] == reference_md5(chosen)
        else:
            assert "MD5OfMessageAttributes" not in message
    (message,) = sqs.receive_message(
        QueueUrl=queue, AttributeNames=["SentTimestamp"], VisibilityTimeout=0
    )["Messages"]
    assert set(message["Attributes"]) == {"SentTimestamp"}
    (message,) = sqs.receive_message(QueueUrl=queue)["Messages"]
    assert "Attributes" not in message and "MessageAttributes" not in message


def test_trace_header_system_attribute(sqs: Any, queue: str) -> None:
    trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
    sent = sqs.send_message(
        QueueUrl=queue,
        MessageBody="x",
        MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}},
    )
    assert sent["MD5OfMessageSystemAttributes"] == reference_md5(
        {"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}
    )
    (message,) = sqs.receive_message(
        QueueUrl=queue, MessageSystemAttributeNames=["AWSTraceHeader"]
    )["Messages"]
    assert message["Attributes"] == {"AWSTraceHeader": trace}


def test_receive_count_and_visibility_timeout(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    first = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0, AttributeNames=["All"])
    assert first["Messages"][0]["Attributes"]["ApproximateReceiveCount"] == "1"
    second = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=30, AttributeNames=["All"])
    (message,) = second["Messages"]
    assert message["Attributes"]["ApproximateReceiveCount"] == "2"
    assert message["ReceiptHandle"] != first["Messages"][0]["ReceiptHandle"]
    assert "Messages" not in sqs.receive_message(QueueUrl=queue)
    counts = attributes(sqs, queue)
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.change_message_visibility(
        QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )
    (again,) = sqs.receive_message(QueueUrl=queue, AttributeNames=["All"])["Messages"]
    assert again["Attributes"]["ApproximateReceiveCount"] == "3"


def test_an_in_flight_message_comes_back_after_its_timeout(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    sqs.receive_message(QueueUrl=queue, VisibilityTimeout=1)
    again = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)
    assert again["Messages"][0]["Body"] == "x"


def test_delete_with_the_newest_handle_only(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    old = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    new = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=30)["Messages"][0]["ReceiptHandle"]
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=old)  # succeeds, deletes nothing
    assert attributes(sqs, queue)["ApproximateNumberOfMessagesNotVisible"] == "1"
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=new)
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=new)  # deleting twice is fine
    counts = attributes(sqs, queue)
    assert counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    assert counts["ApproximateNumberOfMessages"] == "0"


def test_invalid_receipt_handles(sqs: Any, queue: str) -> None:
    error = error_of(sqs.delete_message, QueueUrl=queue, ReceiptHandle="garbage")
    assert error["Code"] == "ReceiptHandleIsInvalid"
    assert error["Message"] == 'The input receipt handle "garbage" is not a valid receipt handle.'
    other = sqs.create_queue(QueueName=unique())["QueueUrl"]
    sqs.send_message(QueueUrl=other, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=other)["Messages"][0]["ReceiptHandle"]
    assert error_of(sqs.delete_message, QueueUrl=queue, ReceiptHandle=handle)["Code"] == (
        "ReceiptHandleIsInvalid"
    )
    error = error_of(
        sqs.change_message_visibility, QueueUrl=queue, ReceiptHandle="garbage", VisibilityTimeout=1
    )
    assert error["Code"] == "ReceiptHandleIsInvalid"


def test_change_visibility_errors(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="x")
    handle = sqs.receive_message(QueueUrl=queue, VisibilityTimeout=0)["Messages"][0][
        "ReceiptHandle"
    ]
    error = error_of(
        sqs.change_message_visibility, QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=10
    )
    assert error["Code"] == "AWS.SimpleQueueService.MessageNotInflight"
    handle = sqs.receive_message(QueueUrl=queue)["Messages"][0]["ReceiptHandle"]
    error = error_of(
        sqs.change_message_visibility, QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=43201
    )
    assert error["Code"] == "InvalidParameterValue"
    sqs.delete_message(QueueUrl=queue, ReceiptHandle=handle)
    error = error_of(
        sqs.change_message_visibility, QueueUrl=queue, ReceiptHandle=handle, VisibilityTimeout=10
    )
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"].endswith(
        "Reason: Message does not exist or is not available for visibility timeout change."
    )


def test_delay_seconds(sqs: Any, queue: str) -> None:
    sqs.send_message(QueueUrl=queue, MessageBody="later", DelaySeconds=1)
    counts = attributes(sqs, queue)
    assert counts["ApproximateNumberOfMessagesDelayed"] == "1"
    assert counts["ApproximateNumberOfMessages"] == "0"
    assert sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"][0]["Body"] == "later"


def test_queue_delay_applies(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), Attributes={"DelaySeconds": "1"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert attributes(sqs, url)["ApproximateNumberOfMessagesDelayed"] == "1"
    sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "now"


def test_batches(sqs: Any, queue: str) -> None:
    sent = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[{"Id": f"e{i}", "MessageBody": f"m{i}"} for i in range(10)],
    )
    assert sorted(s["Id"] for s in sent["Successful"]) == sorted(f"e{i}" for i in range(10))
    assert sent["Failed"] == []
    messages = receive_all(sqs, queue, VisibilityTimeout=60)
    assert sorted(m["Body"] for m in messages) == sorted(f"m{i}" for i in range(10))
    changed = sqs.change_message_visibility_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "ok", "ReceiptHandle": messages[0]["ReceiptHandle"], "VisibilityTimeout": 0},
            {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 0},
        ],
    )
    assert [s["Id"] for s in changed["Successful"]] == ["ok"]
    assert changed["Failed"][0]["Id"] == "bad"
    assert changed["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    assert changed["Failed"][0]["SenderFault"] is True
    deleted = sqs.delete_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages[1:])
        ]
        + [{"Id": "bad", "ReceiptHandle": "garbage"}],
    )
    assert len(deleted["Successful"]) == 9
    assert deleted["Failed"][0]["Code"] == "ReceiptHandleIsInvalid"
    assert attributes(sqs, queue)["ApproximateNumberOfMessages"] == "1"


def test_batch_with_some_bad_entries(sqs: Any, queue: str) -> None:
    result = sqs.send_message_batch(
        QueueUrl=queue,
        Entries=[
            {"Id": "good", "MessageBody": "fine"},
            {"Id": "chars", "MessageBody": "bell\x07"},
            {"Id": "delay", "MessageBody": "x", "DelaySeconds": 901},
        ],
    )
    assert [s["Id"] for s in result["Successful"]] == ["good"]
    failed = {f["Id"]: f for f in result["Failed"]}
    assert failed["chars"]["Code"] == "InvalidMessageContents"
    assert failed["delay"]["Code"] == "InvalidParameterValue"
    assert [m["Body"] for m in receive_all(sqs, queue)] == ["fine"]


@pytest.mark.parametrize(
    ("entries", "code", "message"),
    [
        (
            [],
            "AWS.SimpleQueueService.EmptyBatchRequest",
            "There should be at least one SendMessageBatchRequestEntry in the request.",
        ),
        (
            [{"Id": f"e{i}", "MessageBody": "x"} for i in range(11)],
            "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            "Maximum number of entries per request are 10. You have sent 11.",
        ),
        (
            [{"Id": "same", "MessageBody": "x"}, {"Id": "same", "MessageBody": "y"}],
            "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            "Id same repeated.",
        ),
        (
            [{"Id": "no spaces", "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
        ),
        (
            [{"Id": "a" * 81, "MessageBody": "x"}],
            "AWS.SimpleQueueService.InvalidBatchEntryId",
            None,
        ),
        (
            [{"Id": f"e{i}", "MessageBody": "x" * 200_000} for i in range(6)],
            "AWS.SimpleQueueService.BatchRequestTooLong",
            "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes.",
        ),
    ],
    ids=["empty", "eleven", "same-ids", "bad-id", "long-id", "too-long"],
)
def test_batch_errors(
    raw_sqs: Any, queue: str, entries: list[dict[str, Any]], code: str, message: str | None
) -> None:
    error = error_of(raw_sqs.send_message_batch, QueueUrl=queue, Entries=entries)
    assert error["Code"] == code
    if message:
        assert error["Message"] == message
    assert attributes(raw_sqs, queue)["ApproximateNumberOfMessages"] == "0"


def test_delete_batch_errors(raw_sqs: Any, queue: str) -> None:
    error = error_of(
        raw_sqs.delete_message_batch,
        QueueUrl=queue,
        Entries=[{"Id": "x", "ReceiptHandle": "h"}, {"Id": "x", "ReceiptHandle": "h"}],
    )
    assert error["Code"] == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"
    error = error_of(raw_sqs.change_message_visibility_batch, QueueUrl=queue, Entries=[])
    assert error["Code"] == "AWS.SimpleQueueService.EmptyBatchRequest"


def test_message_size_limits(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), Attributes={"MaximumMessageSize": "1024"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="x" * 1024)
    error = error_of(sqs.send_message, QueueUrl=url, MessageBody="x" * 1025)
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."
    )
    # attribute names, types and values count toward the size
    error = error_of(
        sqs.send_message,
        QueueUrl=url,
        MessageBody="x" * 1000,
        MessageAttributes={"name": {"DataType": "String", "StringValue": "y" * 20}},
    )
    assert error["Code"] == "InvalidParameterValue"
    assert attributes(sqs, url)["ApproximateNumberOfMessages"] == "1"


def test_one_mebibyte_messages(sqs: Any, queue: str) -> None:
    body = "é" * (1_048_576 // 2)
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == body
    error = error_of(sqs.send_message, QueueUrl=queue, MessageBody=body + "x")
    assert error["Message"].endswith("Message must be shorter than 1048576 bytes.")


def test_allowed_ascii_edges_pass(sqs: Any, queue: str) -> None:
    """Tab, line feed, return, space to DEL: all in XML 1.0's set (ASCII bodies take the
    fast check, messages.py)."""
    body = "\t\n\r \x7f~" + "".join(chr(c) for c in range(0x20, 0x80))
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == body


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x0b", "\x1f", "\ufffe", "\uffff"])
def test_invalid_body_characters(sqs: Any, queue: str, char: str) -> None:
    error = error_of(sqs.send_message, QueueUrl=queue, MessageBody=f"a{char}b")
    assert error["Code"] == "InvalidMessageContents"
    assert error["Message"].startswith(f"Invalid binary character '#x{ord(char):X}' was found")
    assert attributes(sqs, queue)["ApproximateNumberOfMessages"] == "0"


def test_valid_unusual_characters(sqs: Any, queue: str) -> None:
    body = "tab\tnl\ncr\r \ud7ff \ue000 \U0001f680 <xml attr='&amp;'/>"
    sqs.send_message(QueueUrl=queue, MessageBody=body)
    assert sqs.receive_message(QueueUrl=queue)["Messages"][0]["Body"] == body


def test_empty_body(raw_sqs: Any, queue: str) -> None:
    error = error_of(raw_sqs.send_message, QueueUrl=queue, MessageBody="")
    assert error["Code"] == "MissingParameter"
    assert error["Message"] == "The request must contain the parameter MessageBody."


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("AWS.reserved", "reserved for internal use"),
        ("amazon.reserved", "reserved for internal use"),
        (".leading", "cannot start or end with '.'"),
        ("trailing.", "cannot start or end with '.'"),
        ("two..dots", "successive '.'"),
        ("bad char", "can only contain"),
        ("n" * 257, "at most 256 characters"),
    ],
    ids=["aws", "amazon", "leading-dot", "trailing-dot", "double-dot", "space", "too-long"],
)
def test_attribute_name_rules(sqs: Any, queue: str, name: str, fragment: str) -> None:
    error = error_of(
        sqs.send_message,
        QueueUrl=queue,
        MessageBody="x",
        MessageAttributes={name: {"DataType": "String", "StringValue": "v"}},
    )
    assert error["Code"] == "InvalidParameterValue"
    assert fragment in error["Message"]
    assert attributes(sqs, queue)["ApproximateNumberOfMessages"] == "0"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"DataType": "Number", "StringValue": "12abc"}, "Could not cast message attribute"),
        ({"DataType": "Text", "StringValue": "x"}, "supported type prefixes"),
        ({"DataType": "String", "StringValue": ""}, "must contain a non-empty value"),
        ({"DataType": "String", "StringValue": "a\x00b"}, "invalid characters"),
        (
            {"DataType": "Binary", "StringValue": "x"},
            "must contain a non-empty value of type 'Binary'",
        ),
    ],
    ids=["number", "type", "empty", "chars", "binary-as-string"],
)
def test_attribute_value_rules(
    raw_sqs: Any, queue: str, value: dict[str, Any], fragment: str
) -> None:
    error = error_of(
        raw_sqs.send_message, QueueUrl=queue, MessageBody="x", MessageAttributes={"a": value}
    )
    assert error["Code"] == "InvalidParameterValue"
    assert fragment in error["Message"]


def test_at_most_ten_attributes(sqs: Any, queue: str) -> None:
    ten = {f"a{i}": {"DataType": "String", "StringValue": "v"} for i in range(10)}
    sqs.send_message(QueueUrl=queue, MessageBody="x", MessageAttributes=ten)
    eleven = {**ten, "a10": {"DataType": "String", "StringValue": "v"}}
    error = error_of(sqs.send_message, QueueUrl=queue, MessageBody="x", MessageAttributes=eleven)
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == "Number of message attributes [11] exceeds the allowed maximum [10]."


def test_system_attributes_other_than_trace_header(raw_sqs: Any, queue: str) -> None:
    error = error_of(
        raw_sqs.send_message,
        QueueUrl=queue,
        MessageBody="x",
        MessageSystemAttributes={"SenderId": {"DataType": "String", "StringValue": "me"}},
    )
    assert error["Code"] in ("InvalidParameterValue", "ValidationException")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        (
            {"MaxNumberOfMessages": 11},
            "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.",
        ),
        ({"MaxNumberOfMessages": 0}, "Value 0 for parameter MaxNumberOfMessages is invalid."),
        (
            {"WaitTimeSeconds": 21},
            "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.",
        ),
        ({"VisibilityTimeout": 43201}, "Value 43201 for parameter VisibilityTimeout is invalid."),
    ],
    ids=["eleven", "zero", "wait", "visibility"],
)
def test_receive_parameter_errors(
    sqs: Any, queue: str, kwargs: dict[str, int], fragment: str
) -> None:
    error = error_of(sqs.receive_message, QueueUrl=queue, **kwargs)
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"].startswith(fragment)


def test_deduplication_id_on_a_standard_queue(sqs: Any, queue: str) -> None:
    error = error_of(sqs.send_message, QueueUrl=queue, MessageBody="x", MessageDeduplicationId="d")
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == (
        "Value d for parameter MessageDeduplicationId is invalid. Reason: The request include "
        "parameter that is not valid for this queue type."
    )


def test_retention_deletes_old_messages(sqs: Any) -> None:
    url = sqs.create_queue(QueueName=unique(), Attributes={"MessageRetentionPeriod": "60"})[
        "QueueUrl"
    ]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert attributes(sqs, url)["ApproximateNumberOfMessages"] == "1"
    # Retention is at least 60 s: the message is still there well within it.
    time.sleep(0.2)
    assert sqs.receive_message(QueueUrl=url)["Messages"][0]["Body"] == "x"
