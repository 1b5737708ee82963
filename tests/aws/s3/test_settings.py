"""Bucket settings: tagging, policy, CORS, lifecycle, stored and read back, with errors."""

from __future__ import annotations

import datetime
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


def test_lifecycle_expiration_applied(s3: Any, bucket: str) -> None:
    import time

    s3.put_object(Bucket=bucket, Key="logs/old.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key="keep/me.txt", Body=b"x")
    rules = [
        {
            "ID": "expire-logs",
            "Filter": {"Prefix": "logs/"},
            "Status": "Enabled",
            "Expiration": {"Date": datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)},
        }
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if keys == ["keep/me.txt"]:
            break
        time.sleep(0.1)
    assert keys == ["keep/me.txt"]


def test_cors_applied(server: Any, s3: Any, bucket: str) -> None:
    import http.client

    def options(headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("OPTIONS", f"/{bucket}/file.txt", headers=headers)
        answer = connection.getresponse()
        result = answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        connection.close()
        return result

    asking = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "PUT"}
    status, _, body = options(asking)
    assert status == 403
    assert b"<Code>AccessForbidden</Code>" in body
    assert b"CORS is not enabled for this bucket." in body
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedOrigins": ["https://*.example.com"],
                    "AllowedMethods": ["GET", "PUT"],
                    "AllowedHeaders": ["content-*"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 600,
                }
            ]
        },
    )
    status, headers, _ = options({**asking, "Access-Control-Request-Headers": "Content-Type"})
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.example.com"
    assert headers["access-control-allow-methods"] == "GET, PUT"
    assert headers["access-control-allow-headers"] == "content-type"
    assert headers["access-control-max-age"] == "600"
    assert headers["access-control-expose-headers"] == "ETag"
    status, _, body = options({**asking, "Origin": "https://evil.test"})
    assert status == 403
    assert b"This CORS request is not allowed" in body
    status, _, _ = options({**asking, "Access-Control-Request-Headers": "x-other"})
    assert status == 403
    s3.put_object(Bucket=bucket, Key="file.txt", Body=b"x")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(
        "GET",
        f"/{bucket}/file.txt",
        headers={
            "Origin": "https://app.example.com",
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    answer = connection.getresponse()
    assert answer.status == 200
    assert answer.getheader("Access-Control-Allow-Origin") == "https://app.example.com"
    answer.read()
    connection.close()


def test_policy_deny_applied(server: Any, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="secret/a.txt", Body=b"x")
    s3.put_object(Bucket=bucket, Key="public/b.txt", Body=b"y")
    other = server.client("s3", access_key="111122223333")
    # Another account needs a grant, as on AWS.
    assert error_of(other.get_object, Bucket=bucket, Key="public/b.txt")["Code"] == "AccessDenied"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            },
            {
                "Effect": "Deny",
                "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{bucket}/secret/*",
            },
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    error = error_of(other.get_object, Bucket=bucket, Key="secret/a.txt")
    assert (error["Code"], error["Message"], error["Status"]) == (
        "AccessDenied",
        "Access Denied",
        403,
    )
    assert (
        error_of(other.put_object, Bucket=bucket, Key="secret/c.txt", Body=b"z")["Code"]
        == "AccessDenied"
    )
    assert other.get_object(Bucket=bucket, Key="public/b.txt")["Body"].read() == b"y"
    assert s3.get_object(Bucket=bucket, Key="secret/a.txt")["Body"].read() == b"x"
    # The policy is the owner's alone to read and change.
    assert error_of(other.get_bucket_policy, Bucket=bucket)["Code"] == "AccessDenied"
    assert error_of(other.delete_bucket_policy, Bucket=bucket)["Code"] == "AccessDenied"
