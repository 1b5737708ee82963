"""Archived storage classes and RestoreObject: GLACIER and DEEP_ARCHIVE objects refuse
reads and copies until restored, a restore runs for the server's short
``s3_restore_delay_s``, then shows as ``x-amz-restore`` and in listings' RestoreStatus,
and survives a restart."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

DELAY = 0.6


@pytest.fixture(scope="module")
def archive_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path_factory.mktemp("archive") / "data", "--limit", f"s3_restore_delay_s={DELAY}"
    )
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def s3(archive_server: ServerProcess) -> Any:
    return archive_server.client("s3")


@pytest.fixture(scope="module")
def raw_s3(archive_server: ServerProcess) -> Any:
    return archive_server.client("s3", parameter_validation=False)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = unique()
    s3.create_bucket(Bucket=name)
    return name


def _restore(s3: Any, bucket: str, key: str, **extra: Any) -> int:
    response = s3.restore_object(
        Bucket=bucket,
        Key=key,
        RestoreRequest={"Days": 2, "GlacierJobParameters": {"Tier": "Expedited"}},
        **extra,
    )
    status: int = response["ResponseMetadata"]["HTTPStatusCode"]
    return status


def _wait_restored(s3: Any, bucket: str, key: str, **extra: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        head: dict[str, Any] = s3.head_object(Bucket=bucket, Key=key, **extra)
        if 'ongoing-request="false"' in head.get("Restore", ""):
            return head
        time.sleep(0.1)
    raise AssertionError("the restore did not complete")


def _expiry_of(header: str) -> datetime.datetime:
    text = header.split('expiry-date="')[1].rstrip('"')
    return datetime.datetime.strptime(text, "%a, %d %b %Y %H:%M:%S GMT").replace(
        tzinfo=datetime.UTC
    )


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_archived_object_is_refused_until_restored(
    s3: Any, bucket: str, storage_class: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"cold bytes", StorageClass=storage_class)
    head = s3.head_object(Bucket=bucket, Key="k")  # HEAD works on archived objects
    assert head["StorageClass"] == storage_class
    assert "Restore" not in head
    error = error_of(s3.get_object, Bucket=bucket, Key="k")
    assert error == {
        "Code": "InvalidObjectState",
        "Message": "The operation is not valid for the object's storage class",
        "StorageClass": storage_class,
        "Status": 403,
    }

    assert _restore(s3, bucket, "k") == 202
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["Restore"] == 'ongoing-request="true"'
    assert error_of(s3.get_object, Bucket=bucket, Key="k")["Code"] == "InvalidObjectState"
    again = error_of(s3.restore_object, Bucket=bucket, Key="k", RestoreRequest={"Days": 1})
    assert again == {
        "Code": "RestoreAlreadyInProgress",
        "Message": "Object restore is already in progress",
        "Status": 409,
    }

    head = _wait_restored(s3, bucket, "k")
    expiry = _expiry_of(head["Restore"])
    # Completion plus 2 days, rounded up to the next midnight UTC.
    now = datetime.datetime.now(datetime.UTC)
    assert (expiry.hour, expiry.minute, expiry.second) == (0, 0, 0)
    assert now + datetime.timedelta(days=2) < expiry <= now + datetime.timedelta(days=3)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got["Body"].read() == b"cold bytes"
    assert got["StorageClass"] == storage_class
    assert got["Restore"] == head["Restore"]

    # A restored copy: a new request moves its expiry and answers 200.
    response = s3.restore_object(Bucket=bucket, Key="k", RestoreRequest={"Days": 10})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    later = _expiry_of(s3.head_object(Bucket=bucket, Key="k")["Restore"])
    assert later - expiry >= datetime.timedelta(days=7)


def test_glacier_ir_and_standard_are_read_at_once_and_not_restored(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="ir", Body=b"instant", StorageClass="GLACIER_IR")
    s3.put_object(Bucket=bucket, Key="std", Body=b"standard")
    assert s3.get_object(Bucket=bucket, Key="ir")["Body"].read() == b"instant"
    for key in ("ir", "std"):
        error = error_of(s3.restore_object, Bucket=bucket, Key=key, RestoreRequest={"Days": 1})
        assert error == {
            "Code": "InvalidObjectState",
            "Message": "Restore is not allowed for the object's current storage class",
            "Status": 403,
        }


def test_restore_request_refusals(s3: Any, raw_s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass="GLACIER")
    malformed = {
        "Code": "MalformedXML",
        "Message": "The XML you provided was not well-formed or did not validate against "
        "our published schema",
        "Status": 400,
    }
    # Without Days (an empty RestoreRequest, or none at all), S3 does not take it.
    assert error_of(s3.restore_object, Bucket=bucket, Key="k") == malformed
    assert (
        error_of(
            s3.restore_object,
            Bucket=bucket,
            Key="k",
            RestoreRequest={"GlacierJobParameters": {"Tier": "Bulk"}},
        )
        == malformed
    )
    # The tier belongs in GlacierJobParameters; RestoreRequest's own Tier is Select's.
    assert (
        error_of(
            s3.restore_object,
            Bucket=bucket,
            Key="k",
            RestoreRequest={"Days": 1, "Tier": "Expedited"},
        )
        == malformed
    )
    assert (
        error_of(
            raw_s3.restore_object,
            Bucket=bucket,
            Key="k",
            RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Instant"}},
        )
        == malformed
    )
    assert error_of(
        s3.restore_object, Bucket=bucket, Key="missing", RestoreRequest={"Days": 1}
    ) == {
        "Code": "NoSuchKey",
        "Message": "The specified key does not exist.",
        "Key": "missing",
        "Status": 404,
    }
    # A restore for no days (our wording: AWS's is not documented).
    zero = error_of(s3.restore_object, Bucket=bucket, Key="k", RestoreRequest={"Days": 0})
    assert (zero["Code"], zero["Status"]) == ("InvalidArgument", 400)
    # Nothing started: the object is still archived without a restore.
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="k")


def test_restore_of_one_version(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"old", StorageClass="GLACIER")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"new", StorageClass="DEEP_ARCHIVE")
    assert _restore(s3, bucket, "k", VersionId=old) == 202
    assert "Restore" not in s3.head_object(Bucket=bucket, Key="k")  # the latest is untouched
    _wait_restored(s3, bucket, "k", VersionId=old)
    body = s3.get_object(Bucket=bucket, Key="k", VersionId=old)["Body"].read()
    assert body == b"old"
    assert error_of(s3.get_object, Bucket=bucket, Key="k")["StorageClass"] == "DEEP_ARCHIVE"

    versions = s3.list_object_versions(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])
    by_id = {v["VersionId"]: v for v in versions["Versions"]}
    assert by_id[old]["StorageClass"] == "GLACIER"
    assert by_id[old]["RestoreStatus"]["IsRestoreInProgress"] is False
    assert "RestoreStatus" not in next(v for v in by_id.values() if v["VersionId"] != old)


def test_copies_of_archived_objects(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="cold", Body=b"archived", StorageClass="GLACIER")
    source = {"Bucket": bucket, "Key": "cold"}
    error = error_of(s3.copy_object, Bucket=bucket, Key="copy", CopySource=source)
    assert error == {
        "Code": "InvalidObjectState",
        "Message": "Operation is not valid for the source object's storage class",
        "StorageClass": "GLACIER",
        "Status": 403,
    }
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    error = error_of(
        s3.upload_part_copy,
        Bucket=bucket,
        Key="mp",
        UploadId=upload,
        PartNumber=1,
        CopySource=source,
    )
    assert error["Code"] == "InvalidObjectState"

    _restore(s3, bucket, "cold")
    _wait_restored(s3, bucket, "cold")
    # A copy is STANDARD unless it names a class (CopyObject's x-amz-storage-class).
    s3.copy_object(Bucket=bucket, Key="copy", CopySource=source)
    copy = s3.head_object(Bucket=bucket, Key="copy")
    assert "StorageClass" not in copy and "Restore" not in copy
    s3.copy_object(Bucket=bucket, Key="deep", CopySource=source, StorageClass="DEEP_ARCHIVE")
    deep = s3.head_object(Bucket=bucket, Key="deep")
    assert deep["StorageClass"] == "DEEP_ARCHIVE" and "Restore" not in deep
    # The usual way to keep a restored object: copy it over itself as STANDARD.
    s3.copy_object(Bucket=bucket, Key="cold", CopySource=source, StorageClass="STANDARD")
    assert s3.get_object(Bucket=bucket, Key="cold")["Body"].read() == b"archived"


def test_listings_keep_the_class_and_show_restore_status(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="a", Body=b"1", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="b", Body=b"2", StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=bucket, Key="c", Body=b"3")
    _restore(s3, bucket, "a")
    plain = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["StorageClass"] for o in plain] == ["GLACIER", "DEEP_ARCHIVE", "STANDARD"]
    assert all("RestoreStatus" not in o for o in plain)
    listed = s3.list_objects_v2(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])
    status = {o["Key"]: o.get("RestoreStatus") for o in listed["Contents"]}
    assert status == {"a": {"IsRestoreInProgress": True}, "b": None, "c": None}
    _wait_restored(s3, bucket, "a")
    listed = s3.list_objects(Bucket=bucket, OptionalObjectAttributes=["RestoreStatus"])
    restored = listed["Contents"][0]["RestoreStatus"]
    assert restored["IsRestoreInProgress"] is False
    assert restored["RestoreExpiryDate"] > datetime.datetime.now(datetime.UTC)
    attributes = s3.get_object_attributes(Bucket=bucket, Key="b", ObjectAttributes=["StorageClass"])
    assert attributes["StorageClass"] == "DEEP_ARCHIVE"


def test_multipart_upload_keeps_its_class(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="GLACIER")
    part = s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"p"
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert error_of(s3.get_object, Bucket=bucket, Key="mp")["StorageClass"] == "GLACIER"


def test_restores_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", "--limit", "s3_restore_delay_s=0.3").start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="cold")
        s3.put_object(Bucket="cold", Key="done", Body=b"d", StorageClass="GLACIER")
        s3.put_object(Bucket="cold", Key="never", Body=b"n", StorageClass="GLACIER")
        _restore(s3, "cold", "done")
        restored = _wait_restored(s3, "cold", "done")["Restore"]
        server.stop()
        server.start()
        assert s3.head_object(Bucket="cold", Key="done")["Restore"] == restored
        assert s3.get_object(Bucket="cold", Key="done")["Body"].read() == b"d"
        assert error_of(s3.get_object, Bucket="cold", Key="never")["Code"] == "InvalidObjectState"
    finally:
        server.stop()


def test_restores_notify_when_posted_and_completed(
    s3: Any, bucket: str, archive_server: ServerProcess
) -> None:
    sqs = archive_server.client("sqs")
    url = sqs.create_queue(QueueName=unique("restores"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "restores", "QueueArn": arn, "Events": ["s3:ObjectRestore:*"]}
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="cold", Body=b"12345", StorageClass="DEEP_ARCHIVE")
    assert _restore(s3, bucket, "cold") == 202
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while len(records) < 2 and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
        for message in got.get("Messages", []):
            records.extend(json.loads(message["Body"]).get("Records", []))
    assert [r["eventName"] for r in records] == ["ObjectRestore:Post", "ObjectRestore:Completed"]
    posted, completed = records
    assert posted["s3"]["object"]["key"] == "cold" and posted["s3"]["object"]["size"] == 5
    assert "glacierEventData" not in posted
    expiry = _expiry_of(s3.head_object(Bucket=bucket, Key="cold")["Restore"])
    assert completed["glacierEventData"] == {
        "restoreEventData": {
            "lifecycleRestorationExpiryTime": expiry.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "lifecycleRestoreStorageClass": "DEEP_ARCHIVE",
        }
    }
    assert completed["eventTime"] > posted["eventTime"]
    # Moving a restored copy's expiry (200) is no new restore: nothing more is sent.
    assert _restore(s3, bucket, "cold") == 200
    again = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert again.get("Messages", []) == []


def test_restores_reach_eventbridge(s3: Any, bucket: str, archive_server: ServerProcess) -> None:
    sqs = archive_server.client("sqs")
    events = archive_server.client("events")
    url = sqs.create_queue(QueueName=unique("restore-events"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = unique("restores")
    events.put_rule(
        Name=rule,
        EventPattern=json.dumps(
            {
                "source": ["aws.s3"],
                "detail-type": ["Object Restore Initiated", "Object Restore Completed"],
                "detail": {"bucket": {"name": [bucket]}},
            }
        ),
    )
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"EventBridgeConfiguration": {}}
    )
    s3.put_object(Bucket=bucket, Key="cold", Body=b"abc", StorageClass="GLACIER")
    _restore(s3, bucket, "cold")
    received: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while len(received) < 2 and time.monotonic() < deadline:
        got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10)
        received.extend(json.loads(m["Body"]) for m in got.get("Messages", []))
    assert [e["detail-type"] for e in received] == [
        "Object Restore Initiated",
        "Object Restore Completed",
    ]
    initiated, completed = (e["detail"] for e in received)
    assert initiated["source-storage-class"] == "GLACIER"
    assert initiated["object"]["key"] == "cold" and initiated["object"]["size"] == 3
    assert "reason" not in initiated and "restore-expiry-time" not in initiated
    assert completed["source-storage-class"] == "GLACIER"
    assert completed["requester"] == "s3.amazonaws.com"
    assert completed["restore-expiry-time"].endswith("T00:00:00.000Z")
