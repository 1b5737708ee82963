"""Lifecycle configurations beyond Expiration: every action stored and answered, S3's
refusals, and expired delete markers removed by the running server's sweep."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from tests.aws.s3.conftest import error_of

MIDNIGHT = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)


def test_every_action_is_stored_and_answered(s3: Any, bucket: str) -> None:
    rules = [
        {
            "ID": "archive",
            "Filter": {
                "And": {
                    "Prefix": "logs/",
                    "Tags": [{"Key": "kind", "Value": "audit"}],
                    "ObjectSizeGreaterThan": 100,
                    "ObjectSizeLessThan": 10_000,
                }
            },
            "Status": "Enabled",
            "Transitions": [
                {"Days": 30, "StorageClass": "STANDARD_IA"},
                {"Days": 90, "StorageClass": "GLACIER"},
            ],
            "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "GLACIER"}],
            "NoncurrentVersionExpiration": {"NoncurrentDays": 60, "NewerNoncurrentVersions": 3},
            "Expiration": {"Date": MIDNIGHT},
        },
        {
            "ID": "uploads",
            "Filter": {"Prefix": "tmp/"},
            "Status": "Disabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules


def _rule(**fields: Any) -> dict[str, Any]:
    return {"ID": "r", "Filter": {"Prefix": ""}, "Status": "Enabled", **fields}


REFUSED = [
    pytest.param(
        _rule(),
        "InvalidRequest",
        "At least one action needs to be specified in a rule",
        id="no-action",
    ),
    pytest.param(
        _rule(NoncurrentVersionExpiration={"NoncurrentDays": 0}),
        "InvalidArgument",
        "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
        id="noncurrent-days-zero",
    ),
    pytest.param(
        _rule(NoncurrentVersionExpiration={"NoncurrentDays": 1, "NewerNoncurrentVersions": 101}),
        "InvalidArgument",
        "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be an integer "
        "between 1 and 100",
        id="too-many-newer-versions",
    ),
    pytest.param(
        _rule(AbortIncompleteMultipartUpload={"DaysAfterInitiation": 0}),
        "InvalidArgument",
        "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive "
        "integer",
        id="abort-days-zero",
    ),
    pytest.param(
        {
            "ID": "r",
            "Filter": {"Tag": {"Key": "a", "Value": "b"}},
            "Status": "Enabled",
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        },
        "InvalidRequest",
        "AbortIncompleteMultipartUpload cannot be specified with Tags.",
        id="abort-with-tags",
    ),
    pytest.param(
        _rule(Expiration={"Days": 1, "ExpiredObjectDeleteMarker": True}),
        "InvalidArgument",
        "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle "
        "Expiration Policy.",
        id="marker-with-days",
    ),
    pytest.param(
        _rule(Expiration={"Date": datetime.datetime(2030, 1, 1, 12, tzinfo=datetime.UTC)}),
        "InvalidArgument",
        "'Date' must be at midnight GMT",
        id="date-not-midnight",
    ),
    pytest.param(
        _rule(Transitions=[{"Days": 10, "StorageClass": "STANDARD_IA"}]),
        "InvalidArgument",
        "'Days' in Transition action must be greater than or equal to 30 for storageClass "
        "'STANDARD_IA'",
        id="ia-too-soon",
    ),
    pytest.param(
        {
            "ID": "r",
            "Filter": {"Prefix": "a", "ObjectSizeGreaterThan": 5},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
        },
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        id="two-filter-elements",
    ),
]


@pytest.mark.parametrize(("rule", "code", "message"), REFUSED)
def test_refused_configurations(
    s3: Any, raw_s3: Any, bucket: str, rule: dict[str, Any], code: str, message: str
) -> None:
    kept = [_rule(Expiration={"Days": 5})]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": kept})
    error = error_of(
        raw_s3.put_bucket_lifecycle_configuration,
        Bucket=bucket,
        LifecycleConfiguration={"Rules": [rule]},
    )
    assert (error["Code"], error["Message"], error["Status"]) == (code, message, 400)
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == kept


def test_expired_delete_markers_are_removed(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    s3.put_object(Bucket=bucket, Key="kept", Body=b"x")
    for key in ("gone", "kept"):
        s3.delete_object(Bucket=bucket, Key=key)
    # "gone" keeps only its marker; "kept" has a version behind its marker.
    version = s3.list_object_versions(Bucket=bucket, Prefix="gone")["Versions"][0]
    s3.delete_object(Bucket=bucket, Key="gone", VersionId=version["VersionId"])
    rule = _rule(Expiration={"ExpiredObjectDeleteMarker": True})
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
    deadline = time.monotonic() + 20
    markers: list[str] = []
    while time.monotonic() < deadline:
        listed = s3.list_object_versions(Bucket=bucket)
        markers = sorted(m["Key"] for m in listed.get("DeleteMarkers", []))
        if markers == ["kept"]:
            break
        time.sleep(0.1)
    assert markers == ["kept"]
    assert [v["Key"] for v in s3.list_object_versions(Bucket=bucket)["Versions"]] == ["kept"]
