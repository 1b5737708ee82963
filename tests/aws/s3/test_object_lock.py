"""Object Lock: bucket configuration, retention, legal holds, and what they refuse."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

PROTECTED = "Access Denied because object protected by object lock."


def _later(days: float = 1) -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=days)


@pytest.fixture
def locked_bucket(s3: Any) -> str:
    name = unique("lock")
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    return name


def test_create_with_object_lock_enables_versioning(s3: Any, locked_bucket: str) -> None:
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"
    config = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]
    assert config == {"ObjectLockEnabled": "Enabled"}
    error = error_of(
        s3.put_bucket_versioning,
        Bucket=locked_bucket,
        VersioningConfiguration={"Status": "Suspended"},
    )
    assert (error["Code"], error["Status"]) == ("InvalidBucketState", 409)
    assert error["Message"] == (
        "An Object Lock configuration is present on this bucket, so the versioning state "
        "cannot be changed."
    )
    assert s3.get_bucket_versioning(Bucket=locked_bucket)["Status"] == "Enabled"


def test_configuration_errors(s3: Any, raw_s3: Any, bucket: str, locked_bucket: str) -> None:
    error = error_of(s3.get_object_lock_configuration, Bucket=bucket)
    assert (error["Code"], error["Message"], error["Status"]) == (
        "ObjectLockConfigurationNotFoundError",
        "Object Lock configuration does not exist for this bucket",
        404,
    )
    enabled = {"ObjectLockEnabled": "Enabled"}
    error = error_of(
        s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration=enabled
    )
    assert (error["Code"], error["Status"]) == ("InvalidBucketState", 409)
    assert error["Message"] == (
        "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration"
    )
    bad = [
        {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE"}}},
        {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}},
        },
        {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "X", "Days": 1}}},
        {"ObjectLockEnabled": "Disabled"},
    ]
    for config in bad:
        error = error_of(
            raw_s3.put_object_lock_configuration,
            Bucket=locked_bucket,
            ObjectLockConfiguration=config,
        )
        assert (error["Code"], error["Status"]) == ("MalformedXML", 400), config
    error = error_of(
        raw_s3.put_object_lock_configuration,
        Bucket=locked_bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 0}},
        },
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidRetentionPeriod",
        "Default retention period must be a positive integer value.",
    )
    # Nothing of the refused configurations was kept.
    config = s3.get_object_lock_configuration(Bucket=locked_bucket)["ObjectLockConfiguration"]
    assert config == enabled


def test_enable_on_versioned_bucket_and_default_retention(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    rule = {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}
    s3.put_object_lock_configuration(
        Bucket=bucket, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled", "Rule": rule}
    )
    got = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert got == {"ObjectLockEnabled": "Enabled", "Rule": rule}
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    head = s3.head_object(Bucket=bucket, Key="k")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    until = head["ObjectLockRetainUntilDate"]
    assert _later(1.9) < until < _later(2.1)
    retention = s3.get_object_retention(Bucket=bucket, Key="k")["Retention"]
    assert retention["Mode"] == "GOVERNANCE"
    # Multipart and copies get the default too.
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")
    part = s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload["UploadId"], PartNumber=1, Body=b"p"
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload["UploadId"],
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert s3.head_object(Bucket=bucket, Key="mp")["ObjectLockMode"] == "GOVERNANCE"
    s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})
    assert s3.head_object(Bucket=bucket, Key="copy")["ObjectLockMode"] == "GOVERNANCE"
    # The version cannot be deleted without the bypass; the key can (a delete marker).
    error = error_of(s3.delete_object, Bucket=bucket, Key="k", VersionId=put["VersionId"])
    assert (error["Code"], error["Message"], error["Status"]) == ("AccessDenied", PROTECTED, 403)
    marker = s3.delete_object(Bucket=bucket, Key="k")
    assert marker["DeleteMarker"] is True
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=put["VersionId"])["Body"].read() == (
        b"kept"
    )
    s3.delete_object(
        Bucket=bucket, Key="k", VersionId=put["VersionId"], BypassGovernanceRetention=True
    )
    assert (
        error_of(s3.head_object, Bucket=bucket, Key="k", VersionId=put["VersionId"])["Status"]
        == 404
    )


def test_put_object_lock_headers(s3: Any, raw_s3: Any, bucket: str, locked_bucket: str) -> None:
    error = error_of(
        s3.put_object,
        Bucket=bucket,
        Key="k",
        Body=b"x",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=_later(),
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Bucket is missing Object Lock Configuration",
    )
    error = error_of(
        s3.put_object, Bucket=locked_bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE"
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument",
        "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
    )
    error = error_of(
        s3.put_object,
        Bucket=locked_bucket,
        Key="k",
        Body=b"x",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=_later(-1),
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidArgument",
        "The retain until date must be in the future!",
    )
    # None of the refused uploads stored anything.
    assert "Versions" not in s3.list_object_versions(Bucket=locked_bucket)
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    put = s3.put_object(
        Bucket=locked_bucket,
        Key="k",
        Body=b"x",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=_later(),
        ObjectLockLegalHoldStatus="ON",
    )
    got = s3.get_object(Bucket=locked_bucket, Key="k")
    assert got["ObjectLockMode"] == "COMPLIANCE"
    assert got["ObjectLockLegalHoldStatus"] == "ON"
    for bypass in (False, True):
        error = error_of(
            s3.delete_object,
            Bucket=locked_bucket,
            Key="k",
            VersionId=put["VersionId"],
            BypassGovernanceRetention=bypass,
        )
        assert (error["Code"], error["Message"]) == ("AccessDenied", PROTECTED)


def test_retention_changes(s3: Any, raw_s3: Any, bucket: str, locked_bucket: str) -> None:
    error = error_of(
        s3.put_object_retention,
        Bucket=bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": _later()},
    )
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Bucket is missing Object Lock Configuration",
    )
    error = error_of(s3.get_object_retention, Bucket=bucket, Key="k")
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Bucket is missing Object Lock Configuration",
    )
    put = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")
    error = error_of(s3.get_object_retention, Bucket=locked_bucket, Key="k")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "NoSuchObjectLockConfiguration",
        "The specified object does not have a ObjectLock configuration",
        404,
    )
    error = error_of(
        raw_s3.put_object_retention,
        Bucket=locked_bucket,
        Key="k",
        Retention={"Mode": "FOREVER", "RetainUntilDate": _later()},
    )
    assert error["Code"] == "MalformedXML"
    two_days, one_day = _later(2), _later(1)
    s3.put_object_retention(
        Bucket=locked_bucket,
        Key="k",
        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": two_days},
    )
    # Shortening GOVERNANCE, or making it COMPLIANCE, needs the bypass.
    for retention in (
        {"Mode": "GOVERNANCE", "RetainUntilDate": one_day},
        {"Mode": "COMPLIANCE", "RetainUntilDate": two_days},
    ):
        error = error_of(
            s3.put_object_retention, Bucket=locked_bucket, Key="k", Retention=retention
        )
        assert (error["Code"], error["Status"]) == ("AccessDenied", 403)
    got = s3.get_object_retention(Bucket=locked_bucket, Key="k")["Retention"]
    assert got["Mode"] == "GOVERNANCE"
    assert abs((got["RetainUntilDate"] - two_days).total_seconds()) < 1
    s3.put_object_retention(
        Bucket=locked_bucket,
        Key="k",
        Retention={"Mode": "COMPLIANCE", "RetainUntilDate": one_day},
        BypassGovernanceRetention=True,
        VersionId=put["VersionId"],
    )
    # COMPLIANCE: only longer, never weaker, bypass or not.
    for retention, bypass in (
        ({"Mode": "COMPLIANCE", "RetainUntilDate": _later(0.5)}, True),
        ({"Mode": "GOVERNANCE", "RetainUntilDate": two_days}, True),
        ({}, True),
    ):
        error = error_of(
            s3.put_object_retention,
            Bucket=locked_bucket,
            Key="k",
            Retention=retention,
            BypassGovernanceRetention=bypass,
        )
        assert (error["Code"], error["Message"]) == ("AccessDenied", "Access Denied")
    s3.put_object_retention(
        Bucket=locked_bucket, Key="k", Retention={"Mode": "COMPLIANCE", "RetainUntilDate": two_days}
    )
    assert s3.head_object(Bucket=locked_bucket, Key="k")["ObjectLockMode"] == "COMPLIANCE"


def test_legal_hold(s3: Any, raw_s3: Any, bucket: str, locked_bucket: str) -> None:
    error = error_of(s3.put_object_legal_hold, Bucket=bucket, Key="k", LegalHold={"Status": "ON"})
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Bucket is missing Object Lock Configuration",
    )
    put = s3.put_object(Bucket=locked_bucket, Key="k", Body=b"x")
    error = error_of(s3.get_object_legal_hold, Bucket=locked_bucket, Key="k")
    assert error["Code"] == "NoSuchObjectLockConfiguration"
    error = error_of(
        raw_s3.put_object_legal_hold, Bucket=locked_bucket, Key="k", LegalHold={"Status": "on"}
    )
    assert error["Code"] == "MalformedXML"
    s3.put_object_legal_hold(Bucket=locked_bucket, Key="k", LegalHold={"Status": "ON"})
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="k")["LegalHold"] == {"Status": "ON"}
    version = put["VersionId"]
    result = s3.delete_objects(
        Bucket=locked_bucket,
        Delete={"Objects": [{"Key": "k", "VersionId": version}]},
        BypassGovernanceRetention=True,
    )
    assert result["Errors"] == [
        {"Key": "k", "VersionId": version, "Code": "AccessDenied", "Message": PROTECTED}
    ]
    assert "Deleted" not in result
    s3.put_object_legal_hold(Bucket=locked_bucket, Key="k", LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=locked_bucket, Key="k")["LegalHold"] == {"Status": "OFF"}
    result = s3.delete_objects(
        Bucket=locked_bucket, Delete={"Objects": [{"Key": "k", "VersionId": version}]}
    )
    assert result["Deleted"] == [{"Key": "k", "VersionId": version}]


def test_overwrite_keeps_locked_version(s3: Any, locked_bucket: str) -> None:
    first = s3.put_object(
        Bucket=locked_bucket,
        Key="k",
        Body=b"one",
        ObjectLockMode="GOVERNANCE",
        ObjectLockRetainUntilDate=_later(),
    )
    s3.put_object(Bucket=locked_bucket, Key="k", Body=b"two")
    assert s3.get_object(Bucket=locked_bucket, Key="k")["Body"].read() == b"two"
    old = s3.get_object(Bucket=locked_bucket, Key="k", VersionId=first["VersionId"])
    assert (old["Body"].read(), old["ObjectLockMode"]) == (b"one", "GOVERNANCE")
    versions = s3.list_object_versions(Bucket=locked_bucket)["Versions"]
    assert len(versions) == 2


def test_locking_put_needs_a_digest(server: Any, s3: Any, locked_bucket: str) -> None:
    bare = server.client("s3", request_checksum_calculation="when_required")
    message = (
        "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with "
        "Object Lock parameters"
    )
    error = error_of(
        bare.put_object,
        Bucket=locked_bucket,
        Key="k",
        Body=b"x",
        ObjectLockLegalHoldStatus="ON",
    )
    assert (error["Code"], error["Message"]) == ("InvalidRequest", message)
    bare.put_object(Bucket=locked_bucket, Key="plain", Body=b"x")  # nothing to lock: fine
    s3.put_object_lock_configuration(
        Bucket=locked_bucket,
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
        },
    )
    error = error_of(bare.put_object, Bucket=locked_bucket, Key="k", Body=b"x")
    assert (error["Code"], error["Message"]) == ("InvalidRequest", message)
    assert [v["Key"] for v in s3.list_object_versions(Bucket=locked_bucket)["Versions"]] == [
        "plain"
    ]
    bare.put_object(Bucket=locked_bucket, Key="k", Body=b"x", ChecksumAlgorithm="SHA256")
    assert s3.head_object(Bucket=locked_bucket, Key="k")["ObjectLockMode"] == "GOVERNANCE"


def test_locks_survive_a_kill(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        s3 = server.client("s3")
        s3.create_bucket(Bucket="kept-locked", ObjectLockEnabledForBucket=True)
        put = s3.put_object(
            Bucket="kept-locked",
            Key="k",
            Body=b"x",
            ObjectLockMode="COMPLIANCE",
            ObjectLockRetainUntilDate=_later(),
        )
        s3.put_object_legal_hold(Bucket="kept-locked", Key="k", LegalHold={"Status": "ON"})
        server.kill()
        server.start()
        s3 = server.client("s3")
        head = s3.head_object(Bucket="kept-locked", Key="k")
        assert (head["ObjectLockMode"], head["ObjectLockLegalHoldStatus"]) == ("COMPLIANCE", "ON")
        error = error_of(
            s3.delete_object, Bucket="kept-locked", Key="k", VersionId=put["VersionId"]
        )
        assert (error["Code"], error["Message"]) == ("AccessDenied", PROTECTED)
        error = error_of(
            s3.put_bucket_versioning,
            Bucket="kept-locked",
            VersioningConfiguration={"Status": "Suspended"},
        )
        assert error["Code"] == "InvalidBucketState"
    finally:
        server.stop()
