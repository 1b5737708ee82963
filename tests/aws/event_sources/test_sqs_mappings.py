"""SQS event source mappings over boto3: every operation, AWS's refusals, and what the
poller does end to end (the event, deletes, partial failures, filters, states)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.event_sources.conftest import (
    bodies,
    events,
    make_queue,
    queue_counts,
    recorder,
    wait_empty,
    wait_state,
)
from tests.aws.lambda_.conftest import assert_error, function_arn, wait_for
from tests.conftest import CONFORMANCE, ServerProcess, create_function

HELLO = "def handler(event, context):\n    return None\n"

# -- the API -----------------------------------------------------------------------------


def test_create_get_list_update_delete(lambda_client: Any, sqs: Any) -> None:
    _, arn = make_queue(sqs)
    name = create_function(lambda_client, HELLO)
    created = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["State"] == "Creating"
    assert created["StateTransitionReason"] == "USER_INITIATED"
    assert created["BatchSize"] == 10
    assert created["MaximumBatchingWindowInSeconds"] == 0
    assert created["EventSourceArn"] == arn
    assert created["FunctionArn"] == function_arn(name)
    assert created["FunctionResponseTypes"] == []
    assert created["EventSourceMappingArn"] == (
        f"arn:aws:lambda:us-east-1:000000000000:event-source-mapping:{created['UUID']}"
    )
    assert "FilterCriteria" not in created and "ScalingConfig" not in created
    uuid = created["UUID"]
    got = wait_state(lambda_client, uuid, "Enabled")
    assert got["LastModified"] == created["LastModified"]

    by_function = lambda_client.list_event_source_mappings(FunctionName=name)
    assert [m["UUID"] for m in by_function["EventSourceMappings"]] == [uuid]
    by_source = lambda_client.list_event_source_mappings(EventSourceArn=arn)
    assert [m["UUID"] for m in by_source["EventSourceMappings"]] == [uuid]
    both = lambda_client.list_event_source_mappings(EventSourceArn=arn, FunctionName=name)
    assert [m["UUID"] for m in both["EventSourceMappings"]] == [uuid]

    updated = lambda_client.update_event_source_mapping(
        UUID=uuid,
        BatchSize=50,
        MaximumBatchingWindowInSeconds=2,
        FilterCriteria={"Filters": [{"Pattern": '{"body": {"k": ["v"]}}'}]},
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 5},
    )
    assert updated["State"] == "Updating"
    assert updated["BatchSize"] == 50
    assert updated["MaximumBatchingWindowInSeconds"] == 2
    assert updated["FilterCriteria"] == {"Filters": [{"Pattern": '{"body": {"k": ["v"]}}'}]}
    assert updated["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert updated["ScalingConfig"] == {"MaximumConcurrency": 5}
    wait_state(lambda_client, uuid, "Enabled")

    disabled = lambda_client.update_event_source_mapping(UUID=uuid, Enabled=False)
    assert disabled["State"] == "Disabling"
    wait_state(lambda_client, uuid, "Disabled")
    enabled = lambda_client.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert enabled["State"] == "Enabling"
    wait_state(lambda_client, uuid, "Enabled")

    cleared = lambda_client.update_event_source_mapping(
        UUID=uuid, FilterCriteria={}, ScalingConfig={}, FunctionResponseTypes=[]
    )
    assert "FilterCriteria" not in cleared and "ScalingConfig" not in cleared
    assert cleared["FunctionResponseTypes"] == []
    wait_state(lambda_client, uuid, "Enabled")

    deleted = lambda_client.delete_event_source_mapping(UUID=uuid)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert deleted["State"] == "Deleting"

    def gone() -> bool:
        try:
            lambda_client.get_event_source_mapping(UUID=uuid)
        except lambda_client.exceptions.ResourceNotFoundException:
            return True
        return False

    wait_for(gone, timeout=30)
    assert lambda_client.list_event_source_mappings(FunctionName=name)["EventSourceMappings"] == []


def test_qualified_function_and_pagination(lambda_client: Any, sqs: Any) -> None:
    name = create_function(lambda_client, HELLO)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    uuids = []
    for _ in range(3):
        _, arn = make_queue(sqs)
        made = lambda_client.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=f"{name}:live", Enabled=False
        )
        assert made["FunctionArn"] == function_arn(name, "live")
        uuids.append(made["UUID"])
    first = lambda_client.list_event_source_mappings(FunctionName=name, MaxItems=2)
    assert len(first["EventSourceMappings"]) == 2
    second = lambda_client.list_event_source_mappings(
        FunctionName=name, MaxItems=2, Marker=first["NextMarker"]
    )
    assert "NextMarker" not in second
    listed = [m["UUID"] for m in first["EventSourceMappings"] + second["EventSourceMappings"]]
    assert sorted(listed) == sorted(uuids)
    assert lambda_client.list_event_source_mappings(FunctionName=f"{name}:live")[
        "EventSourceMappings"
    ]
    assert (
        lambda_client.list_event_source_mappings(FunctionName=f"{name}:1")["EventSourceMappings"]
        == []
    )
    for uuid in uuids:
        wait_state(lambda_client, uuid, "Disabled")


def test_tags_on_a_mapping(lambda_client: Any, sqs: Any) -> None:
    _, arn = make_queue(sqs)
    name = create_function(lambda_client, HELLO)
    made = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False, Tags={"team": "a"}
    )
    esm_arn = made["EventSourceMappingArn"]
    assert lambda_client.list_tags(Resource=esm_arn)["Tags"] == {"team": "a"}
    lambda_client.tag_resource(Resource=esm_arn, Tags={"env": "test"})
    assert lambda_client.list_tags(Resource=esm_arn)["Tags"] == {"team": "a", "env": "test"}
    lambda_client.untag_resource(Resource=esm_arn, TagKeys=["team"])
    assert lambda_client.list_tags(Resource=esm_arn)["Tags"] == {"env": "test"}


# -- AWS's refusals --------------------------------------------------------------------

WINDOW_NEEDED = (
    "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
    "greater than 10"
)


@pytest.mark.parametrize(
    ("fifo", "params", "message"),
    [
        (False, {"BatchSize": 11}, WINDOW_NEEDED),
        (False, {"BatchSize": 10000, "MaximumBatchingWindowInSeconds": 0}, WINDOW_NEEDED),
        (
            True,
            {"MaximumBatchingWindowInSeconds": 5},
            "Batching window is not supported for FIFO queues",
        ),
        (True, {"BatchSize": 20}, "Batch size must not exceed 10 for FIFO queues"),
        (
            False,
            {"StartingPosition": "LATEST"},
            "StartingPosition is not valid for SQS event sources.",
        ),
        (
            False,
            {"FilterCriteria": {"Filters": [{"Pattern": "{not json"}]}},
            "Invalid filter pattern definition.",
        ),
        (
            False,
            {"FilterCriteria": {"Filters": [{"Pattern": '{"body": "not-a-list"}'}]}},
            "Invalid filter pattern definition.",
        ),
        (
            False,
            {"MaximumRetryAttempts": 3},
            "Unsupported MaximumRetryAttempts parameter for given event source mapping type.",
        ),
    ],
    ids=[
        "batch-11-no-window",
        "batch-10000-no-window",
        "fifo-window",
        "fifo-batch-20",
        "starting-position",
        "filter-not-json",
        "filter-invalid",
        "stream-only-member",
    ],
)
def test_bad_settings(
    lambda_client: Any, sqs: Any, fifo: bool, params: dict[str, Any], message: str
) -> None:
    _, arn = make_queue(sqs, fifo=fifo)
    name = create_function(lambda_client, HELLO)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **params)
    assert_error(error, "InvalidParameterValueException", message, 400)
    assert lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"] == []
    # The same checks guard an update.
    made = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False
    )
    wait_state(lambda_client, made["UUID"], "Disabled")
    update = {k: v for k, v in params.items() if k != "StartingPosition"}
    if update:
        with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
            lambda_client.update_event_source_mapping(UUID=made["UUID"], **update)
        assert_error(error, "InvalidParameterValueException", message, 400)
        assert lambda_client.get_event_source_mapping(UUID=made["UUID"])["BatchSize"] == 10


def test_the_model_ranges(lambda_client: Any, raw_client: Any, sqs: Any) -> None:
    """Ranges of the model are the protocol layer's (botocore would refuse them before
    sending: the raw client lets them through)."""
    _, arn = make_queue(sqs)
    name = create_function(lambda_client, HELLO)
    client = raw_client
    for params, member in (
        ({"ScalingConfig": {"MaximumConcurrency": 1}}, "scalingConfig.maximumConcurrency"),
        ({"MaximumBatchingWindowInSeconds": 301}, "maximumBatchingWindowInSeconds"),
    ):
        with pytest.raises(client.exceptions.ClientError) as error:
            client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, **params)
        assert error.value.response["Error"]["Code"] == "ValidationException"
        assert member in error.value.response["Error"]["Message"]
    assert lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"] == []


def test_missing_queue(lambda_client: Any) -> None:
    name = create_function(lambda_client, HELLO)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_event_source_mapping(
            EventSourceArn="arn:aws:sqs:us-east-1:000000000000:no-such-queue", FunctionName=name
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService."
        "NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not "
        "have access to it.",
        400,
    )


def test_duplicate_mapping(lambda_client: Any, sqs: Any) -> None:
    _, arn = make_queue(sqs)
    name = create_function(lambda_client, HELLO)
    first = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    assert_error(
        error,
        "ResourceConflictException",
        f'An event source mapping with SQS arn (" {arn} ") and function (" {name} ") already '
        f"exists. Please update or delete the existing mapping with UUID {first['UUID']}",
        409,
    )
    assert (
        len(lambda_client.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"])
        == 1
    )


# -- end to end ------------------------------------------------------------------------


def test_messages_reach_the_function_as_the_sqs_event_and_are_deleted(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    made = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=10
    )
    sqs.send_message(
        QueueUrl=url,
        MessageBody='{"hello": "world"}',
        MessageAttributes={
            "Attr": {"DataType": "String", "StringValue": "v"},
            "Num": {"DataType": "Number", "StringValue": "100"},
            "Bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01"},
        },
    )
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(4)]
    )
    wait_for(lambda: len(bodies(tmp_path)) == 5, timeout=30)
    wait_empty(sqs, url)
    assert bodies(tmp_path) == sorted(['{"hello": "world"}', "m0", "m1", "m2", "m3"])
    record = next(r for e in events(tmp_path) for r in e["Records"] if r["body"].startswith("{"))
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert set(record["attributes"]) >= {
        "ApproximateReceiveCount",
        "SentTimestamp",
        "SenderId",
        "ApproximateFirstReceiveTimestamp",
    }
    assert record["messageAttributes"] == {
        "Attr": {
            "stringValue": "v",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "Num": {
            "stringValue": "100",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Number",
        },
        "Bin": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }
    assert record["md5OfMessageAttributes"]
    go_sample = CONFORMANCE / "events" / "aws-lambda-go" / "sqs-event.json"
    if go_sample.exists():  # a record with attributes has the same keys as AWS's
        expected = json.loads(go_sample.read_text())["Records"][0]
        assert set(record) == set(expected)
        assert set(record["messageAttributes"]["Attr"]) == set(
            expected["messageAttributes"]["Attribute1"]
        )
    mapping = lambda_client.get_event_source_mapping(UUID=made["UUID"])
    assert mapping["State"] == "Enabled"
    assert mapping["LastProcessingResult"] == "OK"


def _shape(value: Any) -> Any:
    """Keys and value types, recursively (what a conformance sample fixes)."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_the_event_has_aws_keys_and_types_and_parses_with_powertools(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    sample_path = CONFORMANCE / "events" / "powertools" / "sqsEvent.json"
    if not sample_path.exists():
        pytest.skip("../shared/conformance is absent in this checkout")
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="Test message.")
    wait_for(lambda: events(tmp_path), timeout=30)
    ours = events(tmp_path)[0]
    sample = json.loads(sample_path.read_text())
    ours_record, sample_record = ours["Records"][0], sample["Records"][1]  # no attributes
    assert _shape(ours_record) == _shape(sample_record)
    assert list(ours_record) == list(sample_record)  # and in AWS's order

    powertools = pytest.importorskip("aws_lambda_powertools.utilities.data_classes")
    parsed = powertools.SQSEvent(ours)
    (message,) = list(parsed.records)
    assert message.body == "Test message."
    assert message.event_source_arn == arn
    assert message.attributes.approximate_receive_count == "1"


def test_partial_batch_failures_come_back_and_reach_the_dlq(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    _, dlq_arn = make_queue(sqs)
    dlq_url = sqs.get_queue_url(QueueName=dlq_arn.rsplit(":", 1)[1])["QueueUrl"]
    url, arn = make_queue(
        sqs,
        VisibilityTimeout="1",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
    )
    name = recorder(lambda_client, tmp_path, mode="report")
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, FunctionResponseTypes=["ReportBatchItemFailures"]
    )
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": "good-1"},
            {"Id": "2", "MessageBody": "bad-2"},
            {"Id": "3", "MessageBody": "good-3"},
        ],
    )
    wait_for(lambda: queue_counts(sqs, dlq_url)[0] == 1, timeout=30)
    wait_empty(sqs, url)
    seen = bodies(tmp_path)
    assert seen.count("good-1") == 1 and seen.count("good-3") == 1
    assert seen.count("bad-2") == 2  # received maxReceiveCount times, then redriven
    moved = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in moved] == ["bad-2"]


def test_filters_pass_matching_records_and_delete_the_rest(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=name,
        FilterCriteria={
            "Filters": [
                {"Pattern": '{"body": {"kind": ["keep"]}}'},
                {"Pattern": '{"body": [{"prefix": "plain-keep"}]}'},
            ]
        },
    )
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[
            {"Id": "1", "MessageBody": '{"kind": "keep", "n": 1}'},
            {"Id": "2", "MessageBody": '{"kind": "drop", "n": 2}'},
            {"Id": "3", "MessageBody": "plain-keep-3"},
            {"Id": "4", "MessageBody": "plain-drop-4"},
        ],
    )
    wait_empty(sqs, url)
    wait_for(lambda: len(bodies(tmp_path)) == 2, timeout=30)
    assert bodies(tmp_path) == sorted(['{"kind": "keep", "n": 1}', "plain-keep-3"])


def test_disable_stops_and_enable_resumes(lambda_client: Any, sqs: Any, tmp_path: Path) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    made = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False
    )
    wait_state(lambda_client, made["UUID"], "Disabled")
    sqs.send_message(QueueUrl=url, MessageBody="waits")
    time.sleep(1.5)  # long enough for an enabled poller to take it
    assert queue_counts(sqs, url) == (1, 0)
    assert events(tmp_path) == []
    lambda_client.update_event_source_mapping(UUID=made["UUID"], Enabled=True)
    wait_empty(sqs, url)
    assert bodies(tmp_path) == ["waits"]


def test_delete_stops_the_poller(lambda_client: Any, sqs: Any, tmp_path: Path) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="before")
    wait_empty(sqs, url)
    lambda_client.delete_event_source_mapping(UUID=made["UUID"])

    def gone() -> bool:
        return not lambda_client.list_event_source_mappings(EventSourceArn=arn)[
            "EventSourceMappings"
        ]

    wait_for(gone, timeout=30)
    sqs.send_message(QueueUrl=url, MessageBody="after")
    time.sleep(1.5)  # long enough for a running poller to take it
    assert queue_counts(sqs, url) == (1, 0)
    assert bodies(tmp_path) == ["before"]


def test_a_fifo_queue_keeps_each_groups_order(lambda_client: Any, sqs: Any, tmp_path: Path) -> None:
    url, arn = make_queue(sqs, fifo=True, ContentBasedDeduplication="true")
    name = recorder(lambda_client, tmp_path)
    lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name, BatchSize=3)
    for start in range(0, 30, 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": f"{'ab'[i % 2]}-{start + i:02d}",
                    "MessageGroupId": "ab"[i % 2],
                }
                for i in range(10)
            ],
        )
    wait_empty(sqs, url)
    seen = [
        r["body"]
        for e in sorted(
            events(tmp_path), key=lambda e: e["Records"][0]["attributes"]["SequenceNumber"]
        )
        for r in e["Records"]
    ]
    assert len(seen) == 30
    for group in "ab":
        mine = [b for b in seen if b.startswith(group)]
        assert mine == sorted(mine)
    record = events(tmp_path)[0]["Records"][0]
    assert set(record["attributes"]) >= {
        "MessageGroupId",
        "SequenceNumber",
        "MessageDeduplicationId",
    }


def test_update_moves_the_mapping_to_another_function(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    first_out, second_out = tmp_path / "first", tmp_path / "second"
    for out in (first_out, second_out):
        out.mkdir()
        out.chmod(0o777)
    url, arn = make_queue(sqs)
    first = recorder(lambda_client, first_out)
    second = recorder(lambda_client, second_out)
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=first)
    sqs.send_message(QueueUrl=url, MessageBody="to first")
    wait_empty(sqs, url)
    moved = lambda_client.update_event_source_mapping(UUID=made["UUID"], FunctionName=second)
    assert moved["FunctionArn"] == function_arn(second)
    wait_state(lambda_client, made["UUID"], "Enabled")
    sqs.send_message(QueueUrl=url, MessageBody="to second")
    wait_empty(sqs, url)
    assert bodies(first_out) == ["to first"]
    assert bodies(second_out) == ["to second"]


def test_another_account_sees_no_mapping(
    lambda_client: Any, sqs: Any, server: ServerProcess
) -> None:
    _, arn = make_queue(sqs)
    name = create_function(lambda_client, HELLO)
    made = lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, Enabled=False
    )
    other = server.client("lambda", access_key="111111111111")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.get_event_source_mapping(UUID=made["UUID"])
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.delete_event_source_mapping(UUID=made["UUID"])
    assert other.list_event_source_mappings()["EventSourceMappings"] == []
    assert lambda_client.get_event_source_mapping(UUID=made["UUID"])["UUID"] == made["UUID"]
