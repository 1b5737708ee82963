"""Server-side encryption on the real server: SSE-S3 by default, SSE-KMS headers,
customer keys (SSE-C) required on every read and checked, bucket default encryption."""

from __future__ import annotations

import base64
import hashlib
import os
from typing import Any

from tests.aws.s3.conftest import error_of

KEY = os.urandom(32)
OTHER_KEY = os.urandom(32)


def _with_headers(client: Any, event: str, headers: dict[str, str]) -> None:
    client.meta.events.register(
        f"before-call.s3.{event}", lambda params, **_: params["headers"].update(headers)
    )


def test_objects_are_sse_s3_by_default(s3: Any, bucket: str) -> None:
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"x")["ServerSideEncryption"] == "AES256"
    assert s3.get_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="k")["ServerSideEncryption"] == "AES256"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules == [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False,
        }
    ]


def test_customer_keys_are_required_and_checked(s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket,
        Key="secret",
        Body=b"sealed",
        SSECustomerAlgorithm="AES256",
        SSECustomerKey=KEY,
    )
    md5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()
    assert (put["SSECustomerAlgorithm"], put["SSECustomerKeyMD5"]) == ("AES256", md5)
    assert "ServerSideEncryption" not in put
    error = error_of(s3.get_object, Bucket=bucket, Key="secret")
    assert (error["Code"], error["Status"]) == ("InvalidRequest", 400)
    assert error["Message"] == (
        "The object was stored using a form of Server Side Encryption. The correct parameters "
        "must be provided to retrieve the object."
    )
    assert error_of(s3.head_object, Bucket=bucket, Key="secret")["Status"] == 400
    error = error_of(
        s3.get_object,
        Bucket=bucket,
        Key="secret",
        SSECustomerAlgorithm="AES256",
        SSECustomerKey=OTHER_KEY,
    )
    assert (error["Code"], error["Status"]) == ("AccessDenied", 403)
    got = s3.get_object(
        Bucket=bucket, Key="secret", SSECustomerAlgorithm="AES256", SSECustomerKey=KEY
    )
    assert got["Body"].read() == b"sealed"
    assert got["SSECustomerKeyMD5"] == md5
    s3.put_object(Bucket=bucket, Key="plain", Body=b"p")
    error = error_of(
        s3.get_object, Bucket=bucket, Key="plain", SSECustomerAlgorithm="AES256", SSECustomerKey=KEY
    )
    assert error["Message"] == "The encryption parameters are not applicable to this object."


def test_bad_customer_key_headers(server: Any, bucket: str) -> None:
    key = base64.b64encode(KEY).decode()
    md5 = base64.b64encode(hashlib.md5(KEY).digest()).decode()
    cases = [
        (
            {
                "x-amz-server-side-encryption-customer-key": key,
                "x-amz-server-side-encryption-customer-key-md5": md5,
            },
            "InvalidArgument",
            "Requests specifying Server Side Encryption with Customer provided keys must "
            "provide a valid encryption algorithm.",
        ),
        (
            {
                "x-amz-server-side-encryption-customer-algorithm": "AES256",
                "x-amz-server-side-encryption-customer-key": key,
                "x-amz-server-side-encryption-customer-key-md5": "AAAAAAAAAAAAAAAAAAAAAA==",
            },
            "InvalidArgument",
            "The calculated MD5 hash of the key did not match the hash that was provided.",
        ),
        (
            {
                "x-amz-server-side-encryption-customer-algorithm": "AES256",
                "x-amz-server-side-encryption-customer-key": base64.b64encode(b"short").decode(),
                "x-amz-server-side-encryption-customer-key-md5": md5,
            },
            "InvalidArgument",
            "The secret key was invalid for the specified algorithm.",
        ),
        (
            {
                "x-amz-server-side-encryption-customer-algorithm": "AES128",
                "x-amz-server-side-encryption-customer-key": key,
                "x-amz-server-side-encryption-customer-key-md5": md5,
            },
            "InvalidEncryptionAlgorithmError",
            "The Encryption request you specified is not valid. Supported value: AES256.",
        ),
        (
            {"x-amz-server-side-encryption-aws-kms-key-id": "my-key"},
            "InvalidArgument",
            "Server Side Encryption with AWS KMS managed key requires HTTP header "
            "x-amz-server-side-encryption : aws:kms",
        ),
    ]
    for headers, code, message in cases:
        client = server.client("s3")
        _with_headers(client, "PutObject", headers)
        error = error_of(client.put_object, Bucket=bucket, Key="k", Body=b"x")
        assert (error["Code"], error["Message"], error["Status"]) == (code, message, 400)
    assert "Contents" not in server.client("s3").list_objects_v2(Bucket=bucket)


def test_sse_kms_headers_are_kept_and_echoed(server: Any, s3: Any, bucket: str) -> None:
    put = s3.put_object(
        Bucket=bucket, Key="k", Body=b"x", ServerSideEncryption="aws:kms", SSEKMSKeyId="my-key"
    )
    arn = "arn:aws:kms:us-east-1:000000000000:key/my-key"
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", arn)
    got = s3.get_object(Bucket=bucket, Key="k")
    assert (got["ServerSideEncryption"], got["SSEKMSKeyId"]) == ("aws:kms", arn)
    reader = server.client("s3")
    _with_headers(reader, "GetObject", {"x-amz-server-side-encryption": "aws:kms"})
    assert error_of(reader.get_object, Bucket=bucket, Key="k")["Code"] == "InvalidArgument"


def test_bucket_default_encryption_applies_to_new_objects(s3: Any, bucket: str) -> None:
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": "alias/team",
                    }
                }
            ]
        },
    )
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert put["SSEKMSKeyId"] == "arn:aws:kms:us-east-1:000000000000:alias/team"
    error = error_of(
        s3.put_bucket_encryption,
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "DES"}}]
        },
    )
    assert error["Code"] == "MalformedXML"
    s3.delete_bucket_encryption(Bucket=bucket)
    assert s3.put_object(Bucket=bucket, Key="k2", Body=b"x")["ServerSideEncryption"] == "AES256"


def test_multipart_and_copies_with_customer_keys(s3: Any, bucket: str) -> None:
    sse = {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": KEY}
    upload = s3.create_multipart_upload(Bucket=bucket, Key="big", **sse)["UploadId"]
    error = error_of(
        s3.upload_part,
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        PartNumber=1,
        Body=b"a",
        SSECustomerAlgorithm="AES256",
        SSECustomerKey=OTHER_KEY,
    )
    assert error["Message"] == (
        "The provided encryption parameters did not match the ones used originally."
    )
    error = error_of(
        s3.upload_part, Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"a"
    )
    assert error["Code"] == "InvalidRequest"
    etag = s3.upload_part(
        Bucket=bucket, Key="big", UploadId=upload, PartNumber=1, Body=b"a", **sse
    )["ETag"]
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="big",
        UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]},
    )
    assert error_of(s3.get_object, Bucket=bucket, Key="big")["Code"] == "InvalidRequest"
    assert s3.get_object(Bucket=bucket, Key="big", **sse)["Body"].read() == b"a"
    source = {"Bucket": bucket, "Key": "big"}
    assert error_of(s3.copy_object, Bucket=bucket, Key="copy", CopySource=source)["Code"] == (
        "InvalidRequest"
    )
    s3.copy_object(
        Bucket=bucket,
        Key="copy",
        CopySource=source,
        CopySourceSSECustomerAlgorithm="AES256",
        CopySourceSSECustomerKey=KEY,
    )
    copied = s3.get_object(Bucket=bucket, Key="copy")
    assert (copied["Body"].read(), copied["ServerSideEncryption"]) == (b"a", "AES256")
