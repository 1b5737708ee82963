"""Gaps ceph/s3-tests probes: delete markers read, public-read policies, copies onto
themselves, stored and overridden response headers, listings' URL encoding."""

from __future__ import annotations

import http.client
import json
from typing import Any

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

SCOPE = (
    "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _request(
    server: ServerProcess, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _versioned(s3: Any) -> str:
    name = unique()
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


# -- 1. delete markers ------------------------------------------------------------------
def test_get_and_head_of_a_deleted_key_name_the_marker(s3: Any) -> None:
    bucket = _versioned(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    for call in (s3.get_object, s3.head_object):
        try:
            call(Bucket=bucket, Key="k")
        except s3.exceptions.ClientError as error:
            response = error.response
        else:
            raise AssertionError("read a deleted key")
        headers = response["ResponseMetadata"]["HTTPHeaders"]
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
        assert response["Error"]["Code"] in ("NoSuchKey", "404")
        assert headers["x-amz-delete-marker"] == "true"
        assert headers["x-amz-version-id"] == marker


def test_get_of_the_marker_version_is_method_not_allowed(s3: Any) -> None:
    bucket = _versioned(s3)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    error = error_of(s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert (error["Code"], error["Message"], error["Status"]) == (
        "MethodNotAllowed",
        "The specified method is not allowed against this resource.",
        405,
    )
    assert (error["Method"], error["ResourceType"]) == ("GET", "DeleteMarker")
    try:
        s3.head_object(Bucket=bucket, Key="k", VersionId=marker)
    except s3.exceptions.ClientError as failure:
        headers = failure.response["ResponseMetadata"]["HTTPHeaders"]
        assert failure.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        assert headers["x-amz-delete-marker"] == "true"
        assert headers["x-amz-version-id"] == marker
        assert headers["allow"] == "DELETE"
    else:
        raise AssertionError("read a delete marker")


def test_plain_missing_key_has_no_marker_headers(s3: Any, bucket: str) -> None:
    try:
        s3.get_object(Bucket=bucket, Key="never")
    except s3.exceptions.ClientError as failure:
        assert "x-amz-delete-marker" not in failure.response["ResponseMetadata"]["HTTPHeaders"]
    else:
        raise AssertionError("read a missing key")
