"""Bucket settings: tagging, policy, CORS, lifecycle, stored and read back, with errors."""

from __future__ import annotations

import json
from typing import Any

from tests.aws.s3.conftest import error_of

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
}


def test_bucket_tagging(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_tagging, Bucket=bucket)
    assert (error["Code"], error["Message"], error["Status"]) == (
        "NoSuchTagSet",
        "The TagSet does not exist",
        404,
    )
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "team", "Value": "a"}]
    s3.delete_bucket_tagging(Bucket=bucket)
    assert error_of(s3.get_bucket_tagging, Bucket=bucket)["Code"] == "NoSuchTagSet"


def test_bucket_policy(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_policy, Bucket=bucket)
    assert (error["Code"], error["Message"]) == (
        "NoSuchBucketPolicy",
        "The bucket policy does not exist",
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(POLICY))
    assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == POLICY
    error = error_of(s3.put_bucket_policy, Bucket=bucket, Policy="not json")
    assert error["Code"] == "MalformedPolicy" or error["Code"] == "InvalidArgument"
    s3.delete_bucket_policy(Bucket=bucket)
    assert error_of(s3.get_bucket_policy, Bucket=bucket)["Code"] == "NoSuchBucketPolicy"


def test_cors(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_cors, Bucket=bucket)
    assert (error["Code"], error["Message"]) == (
        "NoSuchCORSConfiguration",
        "The CORS configuration does not exist",
    )
    rules = [
        {
            "AllowedMethods": ["GET", "PUT"],
            "AllowedOrigins": ["https://example.com"],
            "MaxAgeSeconds": 300,
        }
    ]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == rules
    error = error_of(
        s3.put_bucket_cors,
        Bucket=bucket,
        CORSConfiguration={"CORSRules": [{"AllowedMethods": ["PATCH"], "AllowedOrigins": ["*"]}]},
    )
    assert error["Code"] == "InvalidRequest"
    assert (
        error["Message"]
        == "Found unsupported HTTP method in CORS config. Unsupported method is PATCH"
    )
    s3.delete_bucket_cors(Bucket=bucket)
    assert error_of(s3.get_bucket_cors, Bucket=bucket)["Code"] == "NoSuchCORSConfiguration"


def test_lifecycle(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_lifecycle_configuration, Bucket=bucket)
    assert error["Code"] == "NoSuchLifecycleConfiguration"
    assert error["Message"] == "The lifecycle configuration does not exist"
    rules = [
        {
            "ID": "logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Days": 30},
        }
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    assert s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"] == rules
    error = error_of(
        s3.put_bucket_lifecycle_configuration,
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "x", "Filter": {}, "Status": "Enabled", "Expiration": {"Days": 0}}]
        },
    )
    assert error["Code"] == "InvalidArgument"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert (
        error_of(s3.get_bucket_lifecycle_configuration, Bucket=bucket)["Code"]
        == "NoSuchLifecycleConfiguration"
    )
