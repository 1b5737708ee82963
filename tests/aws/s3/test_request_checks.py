"""S3's answers to requests it refuses before doing anything: an unreadable number in the
query string, a presigned URL S3 would never sign, an anonymous ListBuckets; and the ID
S3 gives a lifecycle rule sent without one. Each was found by ceph/s3-tests."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

_NOT_AN_INT = "Provided {} not an integer or within integer range"
_A_WEEK = (
    "X-Amz-Expires must be less than a week (in seconds); that is, the given "
    "X-Amz-Expires must be less than 604800 seconds"
)


def _fetch(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _unsigned(server: ServerProcess, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# -- numbers in the query string ----------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "1.5", "", "2147483648", "-2147483649", "9" * 5000])
def test_max_keys_that_is_no_int32_is_invalid_argument(
    raw_s3: Any, bucket: str, value: str
) -> None:
    error = error_of(raw_s3.list_objects_v2, Bucket=bucket, MaxKeys=value)
    assert error["Status"] == 400
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == _NOT_AN_INT.format("max-keys")
    assert error["ArgumentName"] == "max-keys"
    assert (error.get("ArgumentValue") or "") == value  # botocore reads <X/> as None


def test_every_listing_reads_its_numbers_the_same_way(s3: Any, raw_s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    calls: list[tuple[Any, str, dict[str, Any]]] = [
        (raw_s3.list_objects, "max-keys", {"MaxKeys": "ten"}),
        (raw_s3.list_object_versions, "max-keys", {"MaxKeys": "ten"}),
        (raw_s3.list_multipart_uploads, "max-uploads", {"MaxUploads": "ten"}),
        (raw_s3.list_parts, "max-parts", {"Key": "m", "UploadId": upload, "MaxParts": "ten"}),
    ]
    for call, name, kwargs in calls:
        error = error_of(call, Bucket=bucket, **kwargs)
        assert (error["Code"], error["ArgumentName"]) == ("InvalidArgument", name)
        assert error["Message"] == _NOT_AN_INT.format(name)
    # A negative number still parses, and gets the listing's own range message.
    negative = error_of(raw_s3.list_objects_v2, Bucket=bucket, MaxKeys=-1)
    assert negative["Message"] == "Argument maxKeys must be an integer between 0 and 2147483647"
    # Nothing was touched, and good numbers still list.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, MaxKeys=5)["Contents"]] == ["k"]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


# -- presigned URLs ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def signer(server: ServerProcess) -> Any:
    """A client that presigns with SigV4 (``X-Amz-Expires``), as the CLI and SDKs do."""
    return server.client("s3", signature_version="s3v4")


def _presigned(signer: Any, bucket: str, expires: int, method: str = "get_object") -> str:
    params = {"Bucket": bucket, "Key": "k"}
    return str(signer.generate_presigned_url(method, Params=params, ExpiresIn=expires))


def test_presigned_url_longer_than_a_week_is_refused(s3: Any, signer: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"secret")
    status, body = _fetch(_presigned(signer, bucket, 604801))
    assert status == 400
    assert b"<Code>AuthorizationQueryParametersError</Code>" in body
    assert f"<Message>{_A_WEEK}</Message>".encode() in body
    # A week exactly is the longest S3 signs.
    assert _fetch(_presigned(signer, bucket, 604800)) == (200, b"secret")


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("-1", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
        ("", "X-Amz-Expires should be a number"),
        ("9" * 5000, "X-Amz-Expires should be a number"),
    ],
)
def test_presigned_url_with_an_unreadable_lifetime_is_refused(
    s3: Any, signer: Any, bucket: str, expires: str, message: str
) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"kept")
    url = _presigned(signer, bucket, 60, "put_object")
    assert "X-Amz-Expires=60&" in url
    url = url.replace("X-Amz-Expires=60&", f"X-Amz-Expires={expires}&")
    status, body = _fetch(url, "PUT", b"overwritten")
    assert status == 400
    assert b"<Code>AuthorizationQueryParametersError</Code>" in body
    assert f"<Message>{message}</Message>".encode() in body
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"


# -- anonymous ListBuckets --------------------------------------------------------------
def test_unsigned_list_buckets_is_access_denied(server: ServerProcess, s3: Any) -> None:
    name = unique()
    s3.create_bucket(Bucket=name)
    status, headers, body = _unsigned(server, "GET", "/")
    assert status == 403
    assert headers["content-type"] == "application/xml"
    assert b"<Code>AccessDenied</Code><Message>Access Denied</Message>" in body
    assert name.encode() not in body
    # A signed call still lists; other unsigned paths nothing claims stay the generic 404.
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    for method, path in (("DELETE", "/"), ("GET", "/favicon.ico")):
        status, headers, _ = _unsigned(server, method, path)
        assert status == 404
        assert headers["x-amzn-errortype"] == "UnknownOperationException"


# -- lifecycle rule IDs -----------------------------------------------------------------
def test_lifecycle_rule_without_an_id_is_given_one(s3: Any, bucket: str) -> None:
    rules = [
        {"Expiration": {"Days": 31}, "Filter": {"Prefix": "a/"}, "Status": "Enabled"},
        {"ID": "mine", "Expiration": {"Days": 9}, "Filter": {"Prefix": "b/"}, "Status": "Enabled"},
        {"Expiration": {"Days": 120}, "Filter": {"Prefix": "c/"}, "Status": "Enabled"},
    ]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    ids = [rule["ID"] for rule in got]
    assert ids[1] == "mine"
    assert ids[0] and ids[2] and len(set(ids)) == 3
    assert all(len(i) <= 255 for i in ids)
    # Given once, kept: reading again answers the same names.
    again = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [rule["ID"] for rule in again] == ids
    assert [rule["Expiration"]["Days"] for rule in again] == [31, 9, 120]


# -- conditional writes -----------------------------------------------------------------
_NOT_IMPLEMENTED = "A header you provided implies functionality that is not implemented"


def test_if_none_match_with_an_etag_is_no_conditional_write_s3_does(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["ETag"]
    for value in ('"0123"', etag, "W/*", "*, " + etag):
        error = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"new", IfNoneMatch=value)
        assert (error["Status"], error["Code"]) == (501, "NotImplemented")
        assert error["Message"] == _NOT_IMPLEMENTED
        assert error["Header"] == "If-None-Match"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"kept"
    # "*" is the one S3 takes: write only if nothing is there.
    taken = error_of(s3.put_object, Bucket=bucket, Key="k", Body=b"new", IfNoneMatch="*")
    assert (taken["Status"], taken["Code"]) == (412, "PreconditionFailed")
    s3.put_object(Bucket=bucket, Key="fresh", Body=b"first", IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key="fresh")["Body"].read() == b"first"


def test_complete_upload_with_if_none_match_etag_is_not_implemented(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(Bucket=bucket, Key="m")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="m", UploadId=upload, PartNumber=1, Body=b"p")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    error = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="m",
        UploadId=upload,
        MultipartUpload=parts,
        IfNoneMatch='"abc"',
    )
    assert (error["Status"], error["Code"], error["Header"]) == (
        501,
        "NotImplemented",
        "If-None-Match",
    )
    # The upload is untouched and still completes.
    s3.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=upload, MultipartUpload=parts)
    assert s3.get_object(Bucket=bucket, Key="m")["Body"].read() == b"p"
