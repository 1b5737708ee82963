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


def _expiration(answer: dict[str, Any]) -> str | None:
    return answer["ResponseMetadata"]["HTTPHeaders"].get("x-amz-expiration")


def _next_midnights(days: int) -> set[str]:
    """The expiry dates S3 may announce for an object written about now (``Days`` rounded
    up to the next midnight UTC; two, in case the test straddles midnight)."""
    today = datetime.datetime.now(datetime.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        (today + datetime.timedelta(days=days + extra)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        for extra in (0, 1)
    }


def test_objects_a_rule_will_expire_say_when(s3: Any, bucket: str) -> None:
    rules = [
        {
            "ID": "in a week",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 7},
        },
        {
            "ID": "soon",
            "Filter": {"Tag": {"Key": "tmp", "Value": "1"}},
            "Status": "Enabled",
            "Expiration": {"Days": 1},
        },
        {
            "ID": "fixed",
            "Filter": {"Prefix": "dated/"},
            "Status": "Enabled",
            "Expiration": {"Date": MIDNIGHT},
        },
        {"ID": "off", "Filter": {"Prefix": ""}, "Status": "Disabled", "Expiration": {"Days": 1}},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    put = s3.put_object(Bucket=bucket, Key="logs/a", Body=b"x")
    header = _expiration(put)
    assert header is not None
    assert any(header == f'expiry-date="{d}", rule-id="in%20a%20week"' for d in _next_midnights(7))
    assert _expiration(s3.head_object(Bucket=bucket, Key="logs/a")) == header
    assert _expiration(s3.get_object(Bucket=bucket, Key="logs/a")) == header
    # The soonest rule that applies names itself; a Date is announced as given.
    tagged = s3.put_object(Bucket=bucket, Key="logs/b", Body=b"x", Tagging="tmp=1")
    assert _expiration(tagged) in {f'expiry-date="{d}", rule-id="soon"' for d in _next_midnights(1)}
    s3.put_object(Bucket=bucket, Key="other", Body=b"x")
    dated = s3.put_object(Bucket=bucket, Key="dated/c", Body=b"x")
    assert _expiration(dated) == 'expiry-date="Tue, 01 Jan 2030 00:00:00 GMT", rule-id="fixed"'
    # Copies and completed uploads say it too.
    copied = s3.copy_object(Bucket=bucket, Key="logs/copy", CopySource=f"{bucket}/other")
    assert _expiration(copied) in {
        f'expiry-date="{d}", rule-id="in%20a%20week"' for d in _next_midnights(7)
    }
    upload = s3.create_multipart_upload(Bucket=bucket, Key="dated/big")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="dated/big", UploadId=upload, PartNumber=1, Body=b"p")
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dated/big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
    )
    assert _expiration(done) == 'expiry-date="Tue, 01 Jan 2030 00:00:00 GMT", rule-id="fixed"'
    # No enabled rule applies: no header.
    assert _expiration(s3.put_object(Bucket=bucket, Key="other", Body=b"x")) is None
    assert _expiration(s3.head_object(Bucket=bucket, Key="other")) is None


def test_rule_ids_are_url_encoded_in_the_header(s3: Any, bucket: str) -> None:
    name = 'a "quoted"\r\nX-Injected: 1 \u00e9'
    rules = [{"ID": name, "Filter": {"Prefix": ""}, "Status": "Enabled", "Expiration": {"Days": 3}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    answer = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    headers = answer["ResponseMetadata"]["HTTPHeaders"]
    assert "x-injected" not in headers
    assert headers["x-amz-expiration"].endswith(
        'rule-id="a%20%22quoted%22%0D%0AX-Injected%3A%201%20%C3%A9"'
    )
    # The rule is stored as given.
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]["ID"] == name


def test_transition_default_minimum_object_size_is_stored_and_answered(
    s3: Any, raw_s3: Any, bucket: str
) -> None:
    """Terraform's provider waits after the put until GET answers the size it sent."""
    rules = [
        {"ID": "r", "Filter": {"Prefix": "a/"}, "Status": "Enabled", "Expiration": {"Days": 1}}
    ]
    put = s3.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules}
    )
    assert put["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"

    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={"Rules": rules},
        TransitionDefaultMinimumObjectSize="varies_by_storage_class",
    )
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    assert got["Rules"][0]["ID"] == "r"

    error = error_of(
        raw_s3.put_bucket_lifecycle_configuration,
        Bucket=bucket,
        LifecycleConfiguration={"Rules": rules},
        TransitionDefaultMinimumObjectSize="tiny",
    )
    assert (error["Code"], error["Status"]) == ("InvalidRequest", 400)
    # The refused put left the earlier configuration as it was.
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"

    s3.delete_bucket_lifecycle(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert got["TransitionDefaultMinimumObjectSize"] == "all_storage_classes_128K"
