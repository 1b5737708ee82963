"""Bucket notifications: configuration (with AWS's errors), the s3:TestEvent, event types
and prefix/suffix filters, delivery to queues, topics and functions, and the record
compared field by field with AWS's samples."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import CONFORMANCE, ServerProcess, create_function

SAMPLES = [
    CONFORMANCE / "events" / "powertools" / "s3Event.json",
    CONFORMANCE / "events" / "aws-lambda-go" / "s3-event.json",
]
DELETE_SAMPLE = CONFORMANCE / "events" / "powertools" / "s3EventDeleteObject.json"

RECORDER = """
import json, os, uuid
def handler(event, context):
    record = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(record + ".part", "w") as f:
        json.dump(event, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
"""


@pytest.fixture(scope="module")
def sqs(server: ServerProcess) -> Any:
    return server.client("sqs")


def _queue(sqs: Any) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _drain(sqs: Any, url: str, want: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    bodies: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(bodies) < want and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


def _wait_for(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def _config(
    arn: str, events: list[str], rules: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": "c1", "QueueArn": arn, "Events": events}
    if rules:
        entry["Filter"] = {"Key": {"FilterRules": rules}}
    return {"QueueConfigurations": [entry]}


def test_queue_target_with_filters(s3: Any, sqs: Any, bucket: str) -> None:
    url, arn = _queue(sqs)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration=_config(
            arn,
            ["s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"],
            [{"Name": "prefix", "Value": "images/"}, {"Name": "suffix", "Value": ".jpg"}],
        ),
    )
    [test_event] = _drain(sqs, url, 1)
    assert test_event["Event"] == "s3:TestEvent"
    assert test_event["Service"] == "Amazon S3"
    assert test_event["Bucket"] == bucket
    stored = s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"]
    assert stored[0]["QueueArn"] == arn
    assert (
        stored[0]["Filter"]["Key"]["FilterRules"]
        == [
            {"Name": "Prefix", "Value": "images/"},
            {"Name": "Suffix", "Value": ".jpg"},
        ]
        or stored[0]["Filter"]["Key"]["FilterRules"][0]["Value"] == "images/"
    )
    s3.put_object(Bucket=bucket, Key="images/cat.png", Body=b"no: suffix")
    s3.put_object(Bucket=bucket, Key="other/cat.jpg", Body=b"no: prefix")
    etag = s3.put_object(Bucket=bucket, Key="images/cat dog.jpg", Body=b"yes")["ETag"].strip('"')
    s3.delete_object(Bucket=bucket, Key="images/cat dog.jpg")
    records = [r for body in _drain(sqs, url, 2) for r in body["Records"]]
    assert [r["eventName"] for r in records] == ["ObjectCreated:Put", "ObjectRemoved:Delete"]
    created = records[0]
    assert created["s3"]["object"]["key"] == "images/cat+dog.jpg"
    assert created["s3"]["object"]["eTag"] == etag
    assert created["s3"]["object"]["size"] == 3
    assert created["s3"]["bucket"]["name"] == bucket
    assert created["s3"]["bucket"]["arn"] == f"arn:aws:s3:::{bucket}"
    assert created["s3"]["configurationId"] == "c1"
    assert created["awsRegion"] == "us-east-1"
    assert records[1]["s3"]["object"]["sequencer"] > created["s3"]["object"]["sequencer"]
    assert _drain(sqs, url, 1, timeout=1.5) == []
    # Libraries built for Lambda read our record unchanged.
    data_classes = pytest.importorskip("aws_lambda_powertools.utilities.data_classes")
    parsed = data_classes.S3Event({"Records": [created]})
    assert parsed.bucket_name == bucket
    assert parsed.object_key == "images/cat dog.jpg"  # unquoted by Powertools
    assert parsed.record.s3.get_object.size == 3
    assert parsed.record.event_name == "ObjectCreated:Put"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.parent.name)
def test_record_shape_matches_aws(s3: Any, sqs: Any, bucket: str, sample: Path) -> None:
    if not sample.exists():
        pytest.skip("conformance material is absent (a clone without ../shared/conformance)")
    expected = json.loads(sample.read_text())["Records"][0]
    # A record carries versionId when the bucket has versioning (the Go sample's did).
    versioned = "versionId" in expected["s3"]["object"]
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    url, arn = _queue(sqs)
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration=_config(arn, ["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"]),
    )
    _drain(sqs, url, 1)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="k")
    created, deleted = [b["Records"][0] for b in _drain(sqs, url, 2)]
    assert _shape(created) == _shape(expected)
    assert created["eventVersion"] == "2.1"
    if DELETE_SAMPLE.exists() and not versioned:
        assert _shape(deleted) == _shape(json.loads(DELETE_SAMPLE.read_text())["Records"][0])


def test_event_types(s3: Any, sqs: Any, bucket: str) -> None:
    url, arn = _queue(sqs)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration=_config(arn, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]),
    )
    _drain(sqs, url, 1)
    version = s3.put_object(Bucket=bucket, Key="a", Body=b"x")["VersionId"]
    s3.copy_object(Bucket=bucket, Key="b", CopySource=f"{bucket}/a")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="c")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="c", UploadId=upload_id, PartNumber=1, Body=b"x")[
        "ETag"
    ]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="c",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    s3.delete_object(Bucket=bucket, Key="a")
    s3.delete_object(Bucket=bucket, Key="a", VersionId=version)
    records = [b["Records"][0] for b in _drain(sqs, url, 5)]
    assert [r["eventName"] for r in records] == [
        "ObjectCreated:Put",
        "ObjectCreated:Copy",
        "ObjectCreated:CompleteMultipartUpload",
        "ObjectRemoved:DeleteMarkerCreated",
        "ObjectRemoved:Delete",
    ]
    assert records[0]["s3"]["object"]["versionId"] == version
    assert records[4]["s3"]["object"]["versionId"] == version


def test_browser_upload_is_notified_as_post(
    s3: Any, sqs: Any, server: ServerProcess, bucket: str
) -> None:
    url, arn = _queue(sqs)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=_config(arn, ["s3:ObjectCreated:Post"])
    )
    _drain(sqs, url, 1)  # the s3:TestEvent
    s3.put_object(Bucket=bucket, Key="not-a-post", Body=b"x")  # filtered out: a Put
    post = s3.generate_presigned_post(bucket, "form.txt")
    answer = httpx.post(
        post["url"], data=post["fields"], files={"file": ("form.txt", b"from a form")}
    )
    assert answer.status_code == 204
    records = [b["Records"][0] for b in _drain(sqs, url, 1)]
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in records] == [
        ("ObjectCreated:Post", "form.txt")
    ]
    assert records[0]["s3"]["object"]["size"] == len(b"from a form")


def test_topic_target(s3: Any, sqs: Any, server: ServerProcess, bucket: str) -> None:
    sns = server.client("sns")
    topic = sns.create_topic(Name=unique("t"))["TopicArn"]
    url, arn = _queue(sqs)
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "TopicConfigurations": [{"TopicArn": topic, "Events": ["s3:ObjectCreated:*"]}]
        },
    )
    s3.put_object(Bucket=bucket, Key="via-topic", Body=b"x")
    bodies = _drain(sqs, url, 2)
    assert bodies[0]["Event"] == "s3:TestEvent"
    assert bodies[1]["Records"][0]["s3"]["object"]["key"] == "via-topic"
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"][0]["Id"]


def test_function_target(s3: Any, lambda_client: Any, bucket: str, tmp_path: Path) -> None:
    out = tmp_path / "events"
    out.mkdir()
    out.chmod(0o777)
    name = create_function(lambda_client, RECORDER, Environment={"Variables": {"OUT": str(out)}})
    arn = lambda_client.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".jpg"}]}},
                }
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="skip.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key="photo.jpg", Body=b"jpeg")
    files = _wait_for(lambda: list(out.glob("*.json")))
    time.sleep(0.5)
    events = [json.loads(p.read_text()) for p in out.glob("*.json")]
    assert len(events) == 1
    record = events[0]["Records"][0]
    assert record["eventSource"] == "aws:s3"
    assert record["s3"]["object"]["key"] == "photo.jpg"
    assert files


def test_eventbridge_configuration_is_stored(s3: Any, bucket: str) -> None:
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    assert "EventBridgeConfiguration" in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_eventbridge_delivery_reaches_a_rule_on_the_default_bus(
    server: ServerProcess, s3: Any, sqs: Any, bucket: str
) -> None:
    """With EventBridge on, the bucket's changes are ``aws.s3`` events on the default bus:
    a rule matching them delivers AWS's "Object Created" event to its queue."""
    events = server.client("events")
    url, arn = _queue(sqs)
    rule = unique("s3-rule")
    events.put_rule(
        Name=rule,
        EventPattern=json.dumps(
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Created"],
                "detail": {"bucket": {"name": [bucket]}},
            }
        ),
    )
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    s3.put_object(Bucket=bucket, Key="reports/a.csv", Body=b"1,2")
    (event,) = _drain(sqs, url, 1)
    assert event["source"] == "aws.s3"
    assert event["detail-type"] == "Object Created"
    assert event["resources"] == [f"arn:aws:s3:::{bucket}"]
    assert event["detail"]["bucket"]["name"] == bucket
    assert event["detail"]["object"]["key"] == "reports/a.csv"
    assert event["detail"]["object"]["size"] == 3


def test_configuration_errors(s3: Any, sqs: Any, bucket: str) -> None:
    _, arn = _queue(sqs)
    error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration=_config(
            arn, ["s3:ObjectCreated:*"], [{"Name": "middle", "Value": "x"}]
        ),
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument",
        "filter rule name must be either prefix or suffix",
    )
    error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration=_config(
            arn,
            ["s3:ObjectCreated:*"],
            [{"Name": "prefix", "Value": "a"}, {"Name": "prefix", "Value": "b"}],
        ),
    )
    assert error["Message"] == "Cannot specify more than one prefix rule in a filter."
    overlapping = {
        "QueueConfigurations": [
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]},
            {"QueueArn": arn, "Events": ["s3:ObjectCreated:Put"]},
        ]
    }
    error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration=overlapping,
    )
    assert (
        error["Message"]
        == "Configurations overlap. Configurations on the same bucket cannot share a common event type."
    )
    missing = "arn:aws:sqs:us-east-1:000000000000:does-not-exist"
    error = error_of(
        s3.put_bucket_notification_configuration,
        Bucket=bucket,
        NotificationConfiguration=_config(missing, ["s3:ObjectCreated:*"]),
    )
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Unable to validate the following destination configurations"
    assert (
        s3.get_bucket_notification_configuration(Bucket=bucket).get("QueueConfigurations") is None
    )
    # Prefix and suffix filters that do not overlap may share an event type.
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "a/"}]}},
                },
                {
                    "QueueArn": arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "b/"}]}},
                },
            ]
        },
    )


def test_lifecycle_expiration_is_notified(s3: Any, sqs: Any, bucket: str) -> None:
    import datetime

    url, arn = _queue(sqs)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=_config(arn, ["s3:LifecycleExpiration:*"])
    )
    _drain(sqs, url, 1)
    s3.put_object(Bucket=bucket, Key="tmp/old", Body=b"x")
    s3.delete_object(Bucket=bucket, Key="tmp/gone")  # no object: no event at all
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "tmp",
                    "Filter": {"Prefix": "tmp/"},
                    "Status": "Enabled",
                    "Expiration": {"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
                }
            ]
        },
    )
    [body] = _drain(sqs, url, 1)
    record = body["Records"][0]
    assert record["eventName"] == "LifecycleExpiration:Delete"
    assert record["s3"]["object"]["key"] == "tmp/old"
