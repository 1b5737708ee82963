"""Multipart uploads: the boto3 transfer manager both ways, each operation, AWS's ETag
and checksums, and each bad input's S3 error."""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from pathlib import Path
from typing import Any

import boto3.s3.transfer
import pytest

from tests.aws.s3.conftest import error_of

MiB = 1024 * 1024


def _transfer(s3: Any, bucket: str, tmp_path: Path, size: int) -> None:
    source = tmp_path / "source.bin"
    with open(source, "wb") as out:
        for _ in range(size // MiB):
            out.write(os.urandom(MiB))
    config = boto3.s3.transfer.TransferConfig(
        multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB
    )
    s3.upload_file(str(source), bucket, "videos/big.mp4", Config=config)
    head = s3.head_object(Bucket=bucket, Key="videos/big.mp4")
    assert head["ContentLength"] == size
    parts = -(-size // (8 * MiB))
    assert head["ETag"].endswith(f'-{parts}"')
    target = tmp_path / "target.bin"
    s3.download_file(bucket, "videos/big.mp4", str(target), Config=config)
    assert _md5(target) == _md5(source)


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as source:
        while chunk := source.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def test_upload_download_file_20mb(s3: Any, bucket: str, tmp_path: Path) -> None:
    _transfer(s3, bucket, tmp_path, 20 * MiB)


@pytest.mark.slow
def test_upload_download_file_100mb(s3: Any, bucket: str, tmp_path: Path) -> None:
    _transfer(s3, bucket, tmp_path, 100 * MiB)


def test_multipart_by_hand(s3: Any, bucket: str) -> None:
    upload = s3.create_multipart_upload(
        Bucket=bucket,
        Key="mp",
        ContentType="video/mp4",
        Metadata={"a": "b"},
        ChecksumAlgorithm="CRC32",
    )
    upload_id = upload["UploadId"]
    assert upload["ChecksumAlgorithm"] == "CRC32"
    part1 = b"1" * (5 * MiB)
    part2 = b"22"
    answers = [
        s3.upload_part(
            Bucket=bucket,
            Key="mp",
            UploadId=upload_id,
            PartNumber=n,
            Body=body,
            ChecksumAlgorithm="CRC32",
        )
        for n, body in ((1, part1), (2, part2))
    ]
    listed = s3.list_parts(Bucket=bucket, Key="mp", UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [(1, 5 * MiB), (2, 2)]
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("mp", upload_id)]
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="mp",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": n, "ETag": a["ETag"], "ChecksumCRC32": a["ChecksumCRC32"]}
                for n, a in ((1, answers[0]), (2, answers[1]))
            ]
        },
    )
    md5s = hashlib.md5(part1).digest() + hashlib.md5(part2).digest()
    assert done["ETag"] == f'"{hashlib.md5(md5s).hexdigest()}-2"'
    crcs = b"".join(zlib.crc32(p).to_bytes(4, "big") for p in (part1, part2))
    assert (
        done["ChecksumCRC32"]
        == base64.b64encode(zlib.crc32(crcs).to_bytes(4, "big")).decode() + "-2"
    )
    got = s3.get_object(Bucket=bucket, Key="mp")
    assert got["Body"].read() == part1 + part2
    assert got["ContentType"] == "video/mp4"
    assert got["Metadata"] == {"a": "b"}
    part = s3.get_object(Bucket=bucket, Key="mp", PartNumber=2)
    assert part["Body"].read() == part2
    assert part["PartsCount"] == 2
    attributes = s3.get_object_attributes(
        Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts", "ETag"]
    )
    assert attributes["ObjectParts"]["TotalPartsCount"] == 2
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_full_object_checksum(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(
        Bucket=bucket, Key="full", ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT"
    )["UploadId"]
    body = b"abc" * 1000
    answer = s3.upload_part(
        Bucket=bucket,
        Key="full",
        UploadId=upload_id,
        PartNumber=1,
        Body=body,
        ChecksumAlgorithm="CRC32",
    )
    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="full",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": answer["ETag"]}]},
    )
    assert done["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    assert done["ChecksumType"] == "FULL_OBJECT"


def test_upload_part_copy(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    answer = s3.upload_part_copy(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=2-5",
    )
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": answer["CopyPartResult"]["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"2345"


def test_upload_part_copy_range_past_the_source(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"01234")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="copy")["UploadId"]
    error = error_of(
        s3.upload_part_copy,
        Bucket=bucket,
        Key="copy",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "src"},
        CopySourceRange="bytes=0-21",
    )
    assert (error["Code"], error["Message"], error["Status"]) == (
        "InvalidArgument",
        "Range specified is not valid for source object of size: 5",
        400,
    )
    assert s3.list_parts(Bucket=bucket, Key="copy", UploadId=upload_id).get("Parts", []) == []


def test_abort(s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="gone")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="gone", UploadId=upload_id, PartNumber=1, Body=b"x")
    s3.abort_multipart_upload(Bucket=bucket, Key="gone", UploadId=upload_id)
    error = error_of(s3.list_parts, Bucket=bucket, Key="gone", UploadId=upload_id)
    assert error["Code"] == "NoSuchUpload"
    assert error["Message"].startswith("The specified upload does not exist.")
    assert error["Status"] == 404


def test_errors(s3: Any, raw_s3: Any, bucket: str) -> None:
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="e")["UploadId"]
    small = [
        s3.upload_part(Bucket=bucket, Key="e", UploadId=upload_id, PartNumber=n, Body=b"tiny")[
            "ETag"
        ]
        for n in (1, 2)
    ]
    error = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="e",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": small[0]}, {"PartNumber": 2, "ETag": small[1]}]
        },
    )
    assert error["Code"] == "EntityTooSmall"
    assert (
        error["Message"] == "Your proposed upload is smaller than the minimum allowed object size."
    )
    error = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="e",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": 2, "ETag": small[1]}, {"PartNumber": 1, "ETag": small[0]}]
        },
    )
    assert error["Code"] == "InvalidPartOrder"
    error = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="e",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 3, "ETag": small[0]}]},
    )
    assert error["Code"] == "InvalidPart"
    error = error_of(
        s3.complete_multipart_upload,
        Bucket=bucket,
        Key="e",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": '"0000"'}]},
    )
    assert error["Code"] == "InvalidPart"
    error = error_of(
        raw_s3.upload_part, Bucket=bucket, Key="e", UploadId=upload_id, PartNumber=10001, Body=b"x"
    )
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "Part number must be an integer between 1 and 10000, inclusive"
    error = error_of(
        s3.upload_part, Bucket=bucket, Key="e", UploadId="nope", PartNumber=1, Body=b"x"
    )
    assert error["Code"] == "NoSuchUpload"
    error = error_of(
        s3.upload_part, Bucket=bucket, Key="other", UploadId=upload_id, PartNumber=1, Body=b"x"
    )
    assert error["Code"] == "NoSuchUpload"
    # The single last part may be small.
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="e",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": small[0]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="e")["Body"].read() == b"tiny"
