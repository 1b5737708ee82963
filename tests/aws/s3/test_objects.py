"""Objects: put, get, head, delete, copy, metadata, conditions, ranges, tagging,
attributes, checksums, and each bad input's S3 error."""

from __future__ import annotations

import base64
import datetime
import hashlib
import zlib
from typing import Any

import crc32c
import pytest

from tests.aws.s3.conftest import error_of


def test_put_get_head_delete(s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket,
        Key="dir/hello.txt",
        Body=b"hello world",
        ContentType="text/plain",
        CacheControl="max-age=60",
        ContentDisposition="attachment",
        ContentLanguage="en",
        Metadata={"Owner": "me", "x": "1"},
    )
    assert put["ETag"] == f'"{hashlib.md5(b"hello world").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/hello.txt")
    assert got["Body"].read() == b"hello world"
    assert got["ContentType"] == "text/plain"
    assert got["CacheControl"] == "max-age=60"
    assert got["ContentDisposition"] == "attachment"
    assert got["ContentLanguage"] == "en"
    assert got["Metadata"] == {"owner": "me", "x": "1"}
    assert got["ETag"] == put["ETag"]
    assert got["ContentLength"] == 11
    head = s3.head_object(Bucket=bucket, Key="dir/hello.txt")
    assert head["ContentLength"] == 11
    assert head["ETag"] == put["ETag"]
    s3.delete_object(Bucket=bucket, Key="dir/hello.txt")
    assert error_of(s3.head_object, Bucket=bucket, Key="dir/hello.txt")["Code"] == "404"
    # Deleting what is not there succeeds, as on S3.
    s3.delete_object(Bucket=bucket, Key="dir/hello.txt")


def test_empty_object_and_default_content_type(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b""
    assert got["ContentType"] == "binary/octet-stream"
    assert got["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_overwrite_keeps_latest(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"one")
    s3.put_object(Bucket=bucket, Key="k", Body=b"two")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


def test_keys_that_look_like_paths(s3: Any, bucket: str) -> None:
    keys = ["../../etc/passwd", "a//b", "/leading", "sp ace+plus", "ü/ñ/日本", "%2F", "?x=1#y"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    for key in keys:
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert listed == sorted(keys)


def test_key_too_long(s3: Any, bucket: str) -> None:
    error = error_of(s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error["Code"] == "KeyTooLongError"
    assert error["Message"] == "Your key is too long"


def test_no_such_key(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_object, Bucket=bucket, Key="missing")
    assert error["Code"] == "NoSuchKey"
    assert error["Message"] == "The specified key does not exist."
    assert error["Key"] == "missing"
    assert error["Status"] == 404


def test_head_error_has_no_body(s3: Any, bucket: str) -> None:
    error = error_of(s3.head_object, Bucket=bucket, Key="missing")
    assert error == {"Code": "404", "Message": "Not Found", "Status": 404}


@pytest.mark.parametrize(
    ("header", "expected", "content_range"),
    [
        ("bytes=0-3", b"0123", "bytes 0-3/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-2", b"89", "bytes 8-9/10"),
        ("bytes=5-100", b"56789", "bytes 5-9/10"),
        ("bytes=9-9", b"9", "bytes 9-9/10"),
    ],
    ids=["first-bytes", "open-end", "suffix", "past-end", "last-byte"],
)
def test_ranges(s3: Any, bucket: str, header: str, expected: bytes, content_range: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="digits", Range=header)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["Body"].read() == expected
    assert got["ContentRange"] == content_range
    assert got["ContentLength"] == len(expected)


def test_invalid_range(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="digits", Body=b"0123456789")
    error = error_of(s3.get_object, Bucket=bucket, Key="digits", Range="bytes=10-20")
    assert error["Code"] == "InvalidRange"
    assert error["Message"] == "The requested range is not satisfiable"
    assert error["Status"] == 416
    assert error["ActualObjectSize"] == "10"
    # A range S3 cannot read is ignored: the whole object, 200.
    got = s3.get_object(Bucket=bucket, Key="digits", Range="lines=1-2")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["Body"].read() == b"0123456789"


def test_conditional_reads(s3: Any, bucket: str) -> None:
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"v")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    before = modified - datetime.timedelta(days=1)
    after = modified + datetime.timedelta(days=1)
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"v"
    error = error_of(s3.get_object, Bucket=bucket, Key="c", IfMatch='"nope"')
    assert (error["Code"], error["Status"]) == ("PreconditionFailed", 412)
    assert error["Message"] == "At least one of the pre-conditions you specified did not hold"
    assert error["Condition"] == "If-Match"
    error = error_of(s3.get_object, Bucket=bucket, Key="c", IfNoneMatch=etag)
    assert (error["Code"], error["Status"]) == ("304", 304)
    assert s3.get_object(Bucket=bucket, Key="c", IfNoneMatch='"other"')["Body"].read() == b"v"
    error = error_of(s3.get_object, Bucket=bucket, Key="c", IfModifiedSince=after)
    assert error["Status"] == 304
    assert s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=before)["Body"].read() == b"v"
    error = error_of(s3.get_object, Bucket=bucket, Key="c", IfUnmodifiedSince=before)
    assert error["Status"] == 412
    # If-Match that holds wins over If-Unmodified-Since that does not (RFC 7232).
    got = s3.get_object(Bucket=bucket, Key="c", IfMatch=etag, IfUnmodifiedSince=before)
    assert got["Body"].read() == b"v"
    error = error_of(s3.head_object, Bucket=bucket, Key="c", IfMatch='"nope"')
    assert error["Status"] == 412


def test_conditional_writes(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    error = error_of(s3.put_object, Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert error["Code"] == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"1"
    etag = s3.head_object(Bucket=bucket, Key="once")["ETag"]
    s3.put_object(Bucket=bucket, Key="once", Body=b"3", IfMatch=etag)
    error = error_of(s3.put_object, Bucket=bucket, Key="once", Body=b"4", IfMatch=etag)
    assert error["Code"] == "PreconditionFailed"


def test_content_md5(s3: Any, bucket: str) -> None:
    good = base64.b64encode(hashlib.md5(b"data").digest()).decode()
    s3.put_object(Bucket=bucket, Key="m", Body=b"data", ContentMD5=good)
    bad = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    error = error_of(s3.put_object, Bucket=bucket, Key="m2", Body=b"data", ContentMD5=bad)
    assert error["Code"] == "BadDigest"
    assert error["Message"] == "The Content-MD5 you specified did not match what we received."
    error = error_of(s3.put_object, Bucket=bucket, Key="m2", Body=b"data", ContentMD5="nope")
    assert error["Code"] == "InvalidDigest"
    assert error_of(s3.head_object, Bucket=bucket, Key="m2")["Status"] == 404


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_checksums_returned_when_asked(s3: Any, bucket: str, algorithm: str) -> None:
    if algorithm == "CRC32C":  # botocore computes CRC32C only with awscrt: give the value
        given = base64.b64encode(crc32c.crc32c(b"payload").to_bytes(4, "big")).decode()
        put = s3.put_object(Bucket=bucket, Key="sum", Body=b"payload", ChecksumCRC32C=given)
        assert put["ChecksumCRC32C"] == given
    else:
        put = s3.put_object(Bucket=bucket, Key="sum", Body=b"payload", ChecksumAlgorithm=algorithm)
    value = put[f"Checksum{algorithm}"]
    got = s3.get_object(Bucket=bucket, Key="sum", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == value
    assert got["Body"].read() == b"payload"
    attributes = s3.get_object_attributes(
        Bucket=bucket, Key="sum", ObjectAttributes=["Checksum", "ObjectSize", "ETag"]
    )
    assert attributes["Checksum"][f"Checksum{algorithm}"] == value
    assert attributes["ObjectSize"] == 7


def test_crc32_value_is_aws(s3: Any, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="crc", Body=b"payload", ChecksumAlgorithm="CRC32")
    expected = base64.b64encode(zlib.crc32(b"payload").to_bytes(4, "big")).decode()
    assert put["ChecksumCRC32"] == expected


def test_wrong_checksum_refused(raw_s3: Any, bucket: str) -> None:
    wrong = base64.b64encode(zlib.crc32(b"other").to_bytes(4, "big")).decode()
    error = error_of(
        raw_s3.put_object, Bucket=bucket, Key="bad", Body=b"payload", ChecksumCRC32=wrong
    )
    assert error["Code"] == "BadDigest"
    assert error["Message"] == "The CRC32 you specified did not match the calculated checksum."
    assert error_of(raw_s3.head_object, Bucket=bucket, Key="bad")["Status"] == 404


def test_copy_object(s3: Any, bucket: str) -> None:
    s3.put_object(
        Bucket=bucket, Key="src", Body=b"copy me", ContentType="text/x", Metadata={"a": "1"}
    )
    answer = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert answer["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copy me").hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == b"copy me"
    assert got["Metadata"] == {"a": "1"}
    assert got["ContentType"] == "text/x"
    s3.copy_object(
        Bucket=bucket,
        Key="dst2",
        CopySource=f"{bucket}/src",
        MetadataDirective="REPLACE",
        Metadata={"b": "2"},
        ContentType="text/y",
    )
    got = s3.get_object(Bucket=bucket, Key="dst2")
    assert got["Metadata"] == {"b": "2"}
    assert got["ContentType"] == "text/y"


def test_copy_errors(s3: Any, bucket: str) -> None:
    error = error_of(s3.copy_object, Bucket=bucket, Key="d", CopySource=f"{bucket}/missing")
    assert error["Code"] == "NoSuchKey"
    s3.put_object(Bucket=bucket, Key="self", Body=b"x")
    error = error_of(s3.copy_object, Bucket=bucket, Key="self", CopySource=f"{bucket}/self")
    assert error["Code"] == "InvalidRequest"
    assert "copy an object to itself" in error["Message"]
    error = error_of(
        s3.copy_object,
        Bucket=bucket,
        Key="d",
        CopySource=f"{bucket}/self",
        CopySourceIfMatch='"nope"',
    )
    assert error["Code"] == "PreconditionFailed"


def test_delete_objects(s3: Any, bucket: str) -> None:
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    answer = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "zz"}]}
    )
    assert sorted(d["Key"] for d in answer["Deleted"]) == ["a", "b", "zz"]
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["c"]
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet


def test_object_tagging(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="t", Body=b"x", Tagging="a=1&b=two%20words")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "two words"},
    ]
    assert s3.get_object(Bucket=bucket, Key="t")["TagCount"] == 2
    s3.put_object_tagging(Bucket=bucket, Key="t", Tagging={"TagSet": [{"Key": "c", "Value": "3"}]})
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == [{"Key": "c", "Value": "3"}]
    s3.delete_object_tagging(Bucket=bucket, Key="t")
    assert s3.get_object_tagging(Bucket=bucket, Key="t")["TagSet"] == []
    too_many = [{"Key": f"k{i}", "Value": "v"} for i in range(11)]
    error = error_of(s3.put_object_tagging, Bucket=bucket, Key="t", Tagging={"TagSet": too_many})
    assert error["Code"] == "InvalidTag"
    assert error["Message"] == "Object tags cannot be greater than 10"
    error = error_of(s3.get_object_tagging, Bucket=bucket, Key="missing")
    assert error["Code"] == "NoSuchKey"


def test_large_single_put_streams(s3: Any, bucket: str) -> None:
    """A 70 MB PUT: over the server's 64 MiB body limit for other services, streamed."""
    data = bytes(range(256)) * (70 * 1024 * 4)
    put = s3.put_object(Bucket=bucket, Key="large", Body=data)
    assert put["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="large")
    assert hashlib.md5(got["Body"].read()).hexdigest() == hashlib.md5(data).hexdigest()
