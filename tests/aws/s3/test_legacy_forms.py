"""The forms older SDKs and tools still call: PutBucketNotification/GetBucketNotification
and PutBucketLifecycle/GetBucketLifecycle (the same requests on the wire as their
successors, so one configuration answers both), and ListDirectoryBuckets (signed for
S3 Express One Zone; there are no directory buckets here)."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess, create_function


def _queue(server: ServerProcess) -> tuple[Any, str, str]:
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=unique("legacy"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return sqs, url, arn


def _records(sqs: Any, url: str) -> list[dict[str, Any]]:
    """The event records that arrive (the s3:TestEvent skipped)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
        records = [
            r for m in got.get("Messages", []) for r in json.loads(m["Body"]).get("Records", [])
        ]
        if records:
            return records
    return []


def test_deprecated_notification_is_the_bucket_configuration(
    s3: Any, bucket: str, server: ServerProcess
) -> None:
    sqs, url, arn = _queue(server)
    s3.put_bucket_notification(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfiguration": {"Id": "old", "Event": "s3:ObjectCreated:*", "Queue": arn}
        },
    )
    old = s3.get_bucket_notification(Bucket=bucket)
    assert old["QueueConfiguration"] == {
        "Id": "old",
        "Event": "s3:ObjectCreated:*",
        "Events": ["s3:ObjectCreated:*"],
        "Queue": arn,
    }
    assert s3.get_bucket_notification_configuration(Bucket=bucket)["QueueConfigurations"] == [
        {"Id": "old", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
    ]
    # It is acted on: an upload notifies the queue.
    s3.put_object(Bucket=bucket, Key="new.txt", Body=b"x")
    records = _records(sqs, url)
    assert [(r["eventName"], r["s3"]["object"]["key"]) for r in records] == [
        ("ObjectCreated:Put", "new.txt")
    ]
    assert records[0]["s3"]["configurationId"] == "old"

    # A configuration set with the current form reads back in the old one.
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "current", "QueueArn": arn, "Events": ["s3:ObjectRemoved:Delete"]}
            ]
        },
    )
    assert s3.get_bucket_notification(Bucket=bucket)["QueueConfiguration"]["Id"] == "current"

    # An empty configuration turns notifications off.
    s3.put_bucket_notification(Bucket=bucket, NotificationConfiguration={})
    assert "QueueConfiguration" not in s3.get_bucket_notification(Bucket=bucket)
    assert "QueueConfigurations" not in s3.get_bucket_notification_configuration(Bucket=bucket)


def test_deprecated_cloud_function_and_topic(s3: Any, bucket: str, server: ServerProcess) -> None:
    topic = server.client("sns").create_topic(Name=unique("legacy"))["TopicArn"]
    function = "arn:aws:lambda:us-east-1:000000000000:function:missing-" + unique()
    # S3 checks the destinations: a function that does not exist is refused.
    error = error_of(
        s3.put_bucket_notification,
        Bucket=bucket,
        NotificationConfiguration={
            "CloudFunctionConfiguration": {
                "Id": "fn",
                "Event": "s3:ObjectRemoved:*",
                "CloudFunction": function,
                "InvocationRole": "arn:aws:iam::000000000000:role/invoker",
            }
        },
    )
    assert error == {
        "Code": "InvalidArgument",
        "Message": "Unable to validate the following destination configurations",
        "ArgumentName1": function,
        "ArgumentValue1": f"Not authorized to invoke function [{function}]",
        "Status": 400,
    }
    nothing = s3.get_bucket_notification(Bucket=bucket)
    assert set(nothing) == {"ResponseMetadata"}  # nothing was stored

    name = create_function(server.client("lambda"), "def handler(event, context):\n    pass\n")
    arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
    s3.put_bucket_notification(
        Bucket=bucket,
        NotificationConfiguration={
            "TopicConfiguration": {"Event": "s3:ObjectCreated:Put", "Topic": topic},
            "CloudFunctionConfiguration": {
                "Id": "fn",
                "Event": "s3:ObjectRemoved:*",
                "CloudFunction": arn,
                "InvocationRole": "arn:aws:iam::000000000000:role/invoker",
            },
        },
    )
    functions = s3.get_bucket_notification_configuration(Bucket=bucket)[
        "LambdaFunctionConfigurations"
    ]
    assert functions == [{"Id": "fn", "LambdaFunctionArn": arn, "Events": ["s3:ObjectRemoved:*"]}]
    # InvocationRole belonged to the first notification API and is not kept.
    assert s3.get_bucket_notification(Bucket=bucket)["CloudFunctionConfiguration"] == {
        "Id": "fn",
        "Event": "s3:ObjectRemoved:*",
        "Events": ["s3:ObjectRemoved:*"],
        "CloudFunction": arn,
    }
    current = s3.get_bucket_notification_configuration(Bucket=bucket)["TopicConfigurations"]
    assert current[0]["TopicArn"] == topic and current[0]["Events"] == ["s3:ObjectCreated:Put"]
    assert current[0]["Id"]  # S3 names an entry given without an Id
    old = s3.get_bucket_notification(Bucket=bucket)["TopicConfiguration"]
    assert old["Topic"] == topic and old["Id"] == current[0]["Id"]


def test_deprecated_notification_refusals(s3: Any, bucket: str) -> None:
    missing = "arn:aws:sqs:us-east-1:000000000000:" + unique("nope")
    error = error_of(
        s3.put_bucket_notification,
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfiguration": {"Event": "s3:ObjectCreated:*", "Queue": missing}
        },
    )
    assert error["Code"] == "InvalidArgument"
    assert error["ArgumentName1"] == missing
    absent = unique("none")
    assert error_of(s3.get_bucket_notification, Bucket=absent) == {
        "Code": "NoSuchBucket",
        "Message": "The specified bucket does not exist",
        "BucketName": absent,
        "Status": 404,
    }
    assert "QueueConfiguration" not in s3.get_bucket_notification(Bucket=bucket)


def test_deprecated_lifecycle_is_the_bucket_configuration(s3: Any, bucket: str) -> None:
    rule = {
        "ID": "logs",
        "Prefix": "logs/",
        "Status": "Enabled",
        "Expiration": {"Days": 30},
        "Transition": {"Days": 7, "StorageClass": "GLACIER"},
        "NoncurrentVersionTransition": {"NoncurrentDays": 3, "StorageClass": "DEEP_ARCHIVE"},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 60},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
    }
    s3.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    assert s3.get_bucket_lifecycle(Bucket=bucket)["Rules"] == [rule]
    current = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert current == [
        {
            "ID": "logs",
            "Prefix": "logs/",
            "Status": "Enabled",
            "Expiration": {"Days": 30},
            "Transitions": [{"Days": 7, "StorageClass": "GLACIER"}],
            "NoncurrentVersionTransitions": [{"NoncurrentDays": 3, "StorageClass": "DEEP_ARCHIVE"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 60},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2},
        }
    ]
    # The rule's prefix decides which objects it announces an expiry for.
    s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    s3.put_object(Bucket=bucket, Key="data/a", Body=b"x")
    assert 'rule-id="logs"' in s3.head_object(Bucket=bucket, Key="logs/a")["Expiration"]
    assert "Expiration" not in s3.head_object(Bucket=bucket, Key="data/a")

    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert error_of(s3.get_bucket_lifecycle, Bucket=bucket) == {
        "Code": "NoSuchLifecycleConfiguration",
        "Message": "The lifecycle configuration does not exist",
        "BucketName": bucket,
        "Status": 404,
    }


def test_deprecated_lifecycle_refusals(s3: Any, bucket: str) -> None:
    def refused(**rule: Any) -> dict[str, Any]:
        return error_of(
            s3.put_bucket_lifecycle,
            Bucket=bucket,
            LifecycleConfiguration={"Rules": [{"Prefix": "", "Status": "Enabled", **rule}]},
        )

    assert refused() == {
        "Code": "InvalidRequest",
        "Message": "At least one action needs to be specified in a rule",
        "Status": 400,
    }
    assert refused(Expiration={"Days": 0}) == {
        "Code": "InvalidArgument",
        "Message": "'Days' for Expiration action must be a positive integer",
        "Status": 400,
    }
    assert refused(Transition={"Days": 1, "StorageClass": "STANDARD_IA"}) == {
        "Code": "InvalidArgument",
        "Message": "'Days' in Transition action must be greater than or equal to 30 for "
        "storageClass 'STANDARD_IA'",
        "Status": 400,
    }
    # One configuration keeps one form: a rule's own Prefix beside another's Filter.
    error = error_of(
        s3.put_bucket_lifecycle_configuration,
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {"ID": "a", "Prefix": "a/", "Status": "Enabled", "Expiration": {"Days": 1}},
                {
                    "ID": "b",
                    "Filter": {"Prefix": "b/"},
                    "Status": "Enabled",
                    "Expiration": {"Days": 1},
                },
            ]
        },
    )
    assert error == {
        "Code": "InvalidRequest",
        "Message": "Filter element can only be used in Lifecycle V2.",
        "Status": 400,
    }
    assert error_of(s3.get_bucket_lifecycle, Bucket=bucket)["Code"] == (
        "NoSuchLifecycleConfiguration"
    )


def test_deprecated_lifecycle_survives_a_restart(tmp_path: Any) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="legacy")
        rule = {"ID": "r", "Prefix": "tmp/", "Status": "Enabled", "Expiration": {"Days": 1}}
        s3.put_bucket_lifecycle(Bucket="legacy", LifecycleConfiguration={"Rules": [rule]})
        server.stop()
        server.start()
        assert s3.get_bucket_lifecycle(Bucket="legacy")["Rules"] == [rule]
    finally:
        server.stop()


def test_list_directory_buckets_is_empty(s3: Any, bucket: str) -> None:
    first = s3.list_directory_buckets()
    assert first["Buckets"] == []
    assert "ContinuationToken" not in first
    paged = s3.list_directory_buckets(MaxDirectoryBuckets=1, ContinuationToken="next")
    assert paged["Buckets"] == [] and "ContinuationToken" not in paged
    pages = list(s3.get_paginator("list_directory_buckets").paginate())
    assert [p["Buckets"] for p in pages] == [[]]
    # General purpose buckets are not directory buckets, and ListBuckets is unchanged.
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
