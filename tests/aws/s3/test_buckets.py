"""Buckets: create, head, list, delete, location, and each bad input's S3 error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess


def test_create_head_list_delete(s3: Any) -> None:
    name = unique()
    answer = s3.create_bucket(Bucket=name)
    assert answer["Location"] == f"/{name}"
    head = s3.head_bucket(Bucket=name)
    assert head["BucketRegion"] == "us-east-1"
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert name in names
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    s3.delete_bucket(Bucket=name)
    assert error_of(s3.head_bucket, Bucket=name)["Code"] == "404"


def test_location_constraint(s3: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"


def test_us_east_1_is_no_location_constraint(s3: Any) -> None:
    name = unique()
    config = {"LocationConstraint": "us-east-1"}
    error = error_of(s3.create_bucket, Bucket=name, CreateBucketConfiguration=config)
    assert (error["Status"], error["Code"]) == (400, "InvalidLocationConstraint")
    assert error["Message"] == "The specified location-constraint is not valid"
    assert error["LocationConstraint"] == "us-east-1"
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_already_owned_by_you(server: ServerProcess) -> None:
    s3 = server.client("s3", region="eu-west-1")
    name = unique()
    config = {"LocationConstraint": "eu-west-1"}
    s3.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    error = error_of(s3.create_bucket, Bucket=name, CreateBucketConfiguration=config)
    assert error["Code"] == "BucketAlreadyOwnedByYou"
    assert error["Status"] == 409
    assert error["BucketName"] == name


def test_recreating_your_bucket_in_us_east_1_is_ok_and_resets_its_acl(s3: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name, ObjectOwnership="ObjectWriter", ACL="public-read")
    s3.put_object(Bucket=name, Key="kept", Body=b"x")
    assert len(s3.get_bucket_acl(Bucket=name)["Grants"]) == 2
    s3.create_bucket(Bucket=name)  # S3's legacy in us-east-1: 200 OK
    assert [g["Permission"] for g in s3.get_bucket_acl(Bucket=name)["Grants"]] == ["FULL_CONTROL"]
    assert s3.get_object(Bucket=name, Key="kept")["Body"].read() == b"x"


def test_already_exists_for_another_account(server: ServerProcess, bucket: str) -> None:
    other = server.client("s3", access_key="111122223333")
    error = error_of(other.create_bucket, Bucket=bucket)
    assert error["Code"] == "BucketAlreadyExists"
    assert bucket not in [b["Name"] for b in other.list_buckets()["Buckets"]]


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "UpperCase",
        "under_score",
        "-leading",
        "trailing-",
        "double..dot",
        "192.168.1.1",
        "xn--prefix",
        "name-s3alias",
        "dot.-dash",
    ],
)
def test_invalid_bucket_names(raw_s3: Any, name: str) -> None:
    error = error_of(raw_s3.create_bucket, Bucket=name)
    assert error["Code"] == "InvalidBucketName"
    assert error["Message"] == "The specified bucket is not valid."
    assert error["Status"] == 400


def test_delete_not_empty_then_empty(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    error = error_of(s3.delete_bucket, Bucket=bucket)
    assert error["Code"] == "BucketNotEmpty"
    assert error["Message"] == "The bucket you tried to delete is not empty"
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_no_such_bucket(s3: Any) -> None:
    name = unique()
    for call, kwargs in [
        (s3.delete_bucket, {}),
        (s3.list_objects_v2, {}),
        (s3.put_object, {"Key": "k", "Body": b"x"}),
        (s3.get_object, {"Key": "k"}),
    ]:
        error = error_of(call, Bucket=name, **kwargs)
        assert error["Code"] == "NoSuchBucket"
        assert error["Message"] == "The specified bucket does not exist"
        assert error["BucketName"] == name
        assert error["Status"] == 404


def test_error_body_is_s3_xml(server: ServerProcess) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        f"{server.endpoint}/{unique()}/key",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/"
            "aws4_request, SignedHeaders=host, Signature=0"
        },
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request)
    body = info.value.read().decode()
    assert info.value.code == 404
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket')
    assert "<RequestId>" in body and "<Message>" in body and "<BucketName>" in body


def test_list_buckets_pages(server: ServerProcess) -> None:
    own = server.client("s3", access_key="444455556666")
    names = sorted(unique("page") for _ in range(5))
    for name in names:
        own.create_bucket(Bucket=name)
    first = own.list_buckets(MaxBuckets=2)
    assert [b["Name"] for b in first["Buckets"]] == names[:2]
    pages = own.get_paginator("list_buckets").paginate(PaginationConfig={"PageSize": 2})
    assert [b["Name"] for page in pages for b in page["Buckets"]] == names
    assert [b["Name"] for b in own.list_buckets(Prefix=names[3])["Buckets"]] == [names[3]]


def test_unsigned_requests_reach_existing_buckets_only(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    """A plain HTTP GET of an object works once a policy lets anyone read; an unsigned
    request naming no bucket is no S3 call (the control port's generic 404), and cannot
    create one."""
    import json
    import urllib.error
    import urllib.request

    s3.put_object(Bucket=bucket, Key="k", Body=b"public")
    public_read = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(public_read))
    with urllib.request.urlopen(f"{server.endpoint}/{bucket}/k") as answer:
        assert answer.read() == b"public"
    name = unique()
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(urllib.request.Request(f"{server.endpoint}/{name}", method="PUT"))
    assert info.value.code == 404
    assert info.value.headers["Content-Type"] == "application/json"
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
