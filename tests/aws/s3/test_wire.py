"""What S3 clients send beyond plain requests: aws-chunked bodies with signed chunks and
trailing checksums, presigned GET and PUT URLs used with a plain HTTP client,
virtual-hosted addressing, unsigned requests."""

from __future__ import annotations

import base64
import hashlib
import http.client
import urllib.request
import zlib
from typing import Any

import boto3
import botocore.config

from tests.aws.s3.conftest import error_of
from tests.conftest import ServerProcess

SCOPE = "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"


def _request(
    server: ServerProcess,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def _chunked(
    payload: bytes, chunk: int, trailer: dict[str, str] | None = None, signed: bool = True
) -> bytes:
    out = bytearray()
    for start in range(0, len(payload), chunk):
        piece = payload[start : start + chunk]
        sig = ";chunk-signature=" + "0" * 64 if signed else ""
        out += f"{len(piece):x}{sig}\r\n".encode() + piece + b"\r\n"
    out += (f"0;chunk-signature={'0' * 64}" if signed else "0").encode() + b"\r\n"
    for name, value in (trailer or {}).items():
        out += f"{name}:{value}\r\n".encode()
    out += b"\r\n"
    return bytes(out)


def test_aws_chunked_signed(server: ServerProcess, s3: Any, bucket: str) -> None:
    payload = bytes(range(256)) * 1000
    body = _chunked(payload, 65536)
    status, headers, _ = _request(
        server,
        "PUT",
        f"/{bucket}/signed",
        body,
        {
            "Authorization": SCOPE,
            "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(payload)),
        },
    )
    assert status == 200
    assert headers["etag"] == f'"{hashlib.md5(payload).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="signed")
    assert got["Body"].read() == payload
    assert "ContentEncoding" not in got


def test_aws_chunked_trailing_checksum(server: ServerProcess, s3: Any, bucket: str) -> None:
    payload = b"trailing checksum " * 5000
    crc = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    common = {
        "Authorization": SCOPE,
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "Content-Encoding": "aws-chunked",
        "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": str(len(payload)),
    }
    body = _chunked(payload, 8192, {"x-amz-checksum-crc32": crc}, signed=False)
    status, headers, _ = _request(server, "PUT", f"/{bucket}/trailer", body, common)
    assert status == 200
    assert headers["x-amz-checksum-crc32"] == crc
    got = s3.get_object(Bucket=bucket, Key="trailer", ChecksumMode="ENABLED")
    assert got["Body"].read() == payload
    assert got["ChecksumCRC32"] == crc
    wrong = base64.b64encode(zlib.crc32(b"x").to_bytes(4, "big")).decode()
    body = _chunked(payload, 8192, {"x-amz-checksum-crc32": wrong}, signed=False)
    status, _, answer = _request(server, "PUT", f"/{bucket}/trailer-bad", body, common)
    assert status == 400
    assert b"<Code>BadDigest</Code>" in answer
    assert error_of(s3.head_object, Bucket=bucket, Key="trailer-bad")["Status"] == 404


def test_presigned_get_and_put(s3: Any, bucket: str) -> None:
    put_url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60
    )
    request = urllib.request.Request(put_url, data=b"presigned body", method="PUT")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
        assert answer.headers["ETag"] == f'"{hashlib.md5(b"presigned body").hexdigest()}"'
    get_url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "pre"}, ExpiresIn=60
    )
    with urllib.request.urlopen(get_url) as answer:
        assert answer.read() == b"presigned body"
    sigv2 = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "pre"})
    with urllib.request.urlopen(sigv2) as answer:
        assert answer.read() == b"presigned body"


def test_unsigned_get_needs_a_policy_allowing_it(
    server: ServerProcess, s3: Any, bucket: str
) -> None:
    s3.put_object(Bucket=bucket, Key="open", Body=b"plain")
    status, _, body = _request(server, "GET", f"/{bucket}/open")
    assert status == 403 and b"<Code>AccessDenied</Code>" in body
    status, _, body = _request(server, "GET", f"/{bucket}/open", headers={"Authorization": SCOPE})
    assert (status, body) == (200, b"plain")


def test_virtual_hosted_addressing(server: ServerProcess, s3: Any, bucket: str) -> None:
    host = f"{bucket}.s3.localhost:{server.port}"
    status, _, _ = _request(
        server, "PUT", "/virtual/key.txt", b"via host", {"Host": host, "Authorization": SCOPE}
    )
    assert status == 200
    assert s3.get_object(Bucket=bucket, Key="virtual/key.txt")["Body"].read() == b"via host"
    status, _, body = _request(
        server, "GET", "/virtual/key.txt", headers={"Host": host, "Authorization": SCOPE}
    )
    assert (status, body) == (200, b"via host")
    status, _, body = _request(
        server,
        "GET",
        "/?list-type=2&prefix=virtual",
        headers={"Host": host, "Authorization": SCOPE},
    )
    assert status == 200
    assert b"<Key>virtual/key.txt</Key>" in body


def test_streamed_get_range_over_http(server: ServerProcess, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="r", Body=b"abcdef")
    status, headers, body = _request(
        server, "GET", f"/{bucket}/r", headers={"Range": "bytes=2-3", "Authorization": SCOPE}
    )
    assert (status, body, headers["content-range"]) == (206, b"cd", "bytes 2-3/6")


def test_expired_presigned_url(s3: Any, bucket: str) -> None:
    import re
    import urllib.error

    import pytest

    s3.put_object(Bucket=bucket, Key="old", Body=b"x")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "old"}, ExpiresIn=60
    )
    sigv2 = s3.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "old"}, ExpiresIn=60
    ).replace("Expires=", "Expires=1577836800&Ignored=")  # SigV2: an epoch in 2020
    signer = boto3.client(
        "s3",
        endpoint_url=s3.meta.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(signature_version="s3v4"),
    )
    url = signer.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": "old"}, ExpiresIn=60
    )
    assert "X-Amz-Expires=60" in url
    stale = re.sub(r"X-Amz-Date=\d{8}T\d{6}Z", "X-Amz-Date=20200101T000000Z", url)
    for expired in (stale, sigv2):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(expired)
        assert info.value.code == 403
        body = info.value.read()
        assert b"<Code>AccessDenied</Code>" in body
        assert b"<Message>Request has expired</Message>" in body
    with urllib.request.urlopen(url) as fresh:
        assert fresh.read() == b"x"
