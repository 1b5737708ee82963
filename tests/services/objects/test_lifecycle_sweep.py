"""Lifecycle actions measured in days, applied by the real sweep of a real platform whose
clock is moved on (``sweep(now)``): noncurrent versions (and how many newer ones to keep),
incomplete multipart uploads, size filters, and versions under Object Lock left alone."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from stratus.aws.s3.component import ObjectsComponent
from stratus.platform import Platform, PlatformConfig

DAY = 86_400.0
Call = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


def _run(tmp_path: Path, scenario: Callable[[Call, Any], Awaitable[None]]) -> None:
    async def main() -> None:
        platform = Platform(PlatformConfig(data_dir=tmp_path / "data", port=0, gateway_port=0))
        await platform.start()
        try:

            async def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
                result: dict[str, Any] = await platform.context.aws_caller.call(
                    "s3", operation, params
                )
                return result

            await scenario(call, platform.component(ObjectsComponent).lifecycle)
        finally:
            await platform.stop()

    asyncio.run(main())


async def _versions(call: Call, bucket: str) -> list[tuple[str, bool]]:
    listed = await call("ListObjectVersions", {"Bucket": bucket})
    out = [(v["Key"], v["IsLatest"]) for v in listed.get("Versions", [])]
    out += [(f"{m['Key']} (marker)", m["IsLatest"]) for m in listed.get("DeleteMarkers", [])]
    return sorted(out)


def test_noncurrent_versions_expire_keeping_newer_ones(tmp_path: Path) -> None:
    async def scenario(call: Call, sweeper: Any) -> None:
        await call("CreateBucket", {"Bucket": "nc-bucket"})
        await call(
            "PutBucketVersioning",
            {"Bucket": "nc-bucket", "VersioningConfiguration": {"Status": "Enabled"}},
        )
        for body in (b"1", b"2", b"3", b"4"):
            await call("PutObject", {"Bucket": "nc-bucket", "Key": "doc", "Body": body})
        await call("PutObject", {"Bucket": "nc-bucket", "Key": "other/doc", "Body": b"x"})
        await call("PutObject", {"Bucket": "nc-bucket", "Key": "other/doc", "Body": b"y"})
        rule = {
            "ID": "old-versions",
            "Filter": {"Prefix": "doc"},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 3, "NewerNoncurrentVersions": 1},
        }
        await call(
            "PutBucketLifecycleConfiguration",
            {"Bucket": "nc-bucket", "LifecycleConfiguration": {"Rules": [rule]}},
        )
        now = time.time()
        assert await sweeper.sweep(now + 2 * DAY) == 0
        assert await sweeper.sweep(now + 3 * DAY + 60) == 2  # versions 1 and 2 of doc
        listed = await call("ListObjectVersions", {"Bucket": "nc-bucket", "Prefix": "doc"})
        bodies = [
            (
                await call(
                    "GetObject", {"Bucket": "nc-bucket", "Key": "doc", "VersionId": v["VersionId"]}
                )
            )["Body"]
            for v in listed["Versions"]
        ]
        contents = [b if isinstance(b, bytes) else await b.read() for b in bodies]
        assert sorted(contents) == [b"3", b"4"]
        assert (
            len(
                (await call("ListObjectVersions", {"Bucket": "nc-bucket", "Prefix": "other/"}))[
                    "Versions"
                ]
            )
            == 2
        )

    _run(tmp_path, scenario)


def test_abort_incomplete_uploads_and_size_filters(tmp_path: Path) -> None:
    async def scenario(call: Call, sweeper: Any) -> None:
        await call("CreateBucket", {"Bucket": "mp-bucket"})
        old = await call("CreateMultipartUpload", {"Bucket": "mp-bucket", "Key": "tmp/big"})
        await call(
            "UploadPart",
            {
                "Bucket": "mp-bucket",
                "Key": "tmp/big",
                "UploadId": old["UploadId"],
                "PartNumber": 1,
                "Body": b"p",
            },
        )
        await call("CreateMultipartUpload", {"Bucket": "mp-bucket", "Key": "keep/big"})
        await call("PutObject", {"Bucket": "mp-bucket", "Key": "small", "Body": b"x" * 10})
        await call("PutObject", {"Bucket": "mp-bucket", "Key": "large", "Body": b"x" * 2000})
        rules = [
            {
                "ID": "abort",
                "Filter": {"Prefix": "tmp/"},
                "Status": "Enabled",
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            },
            {
                "ID": "large",
                "Filter": {"ObjectSizeGreaterThan": 1000},
                "Status": "Enabled",
                "Expiration": {"Days": 1},
                "Transitions": [{"Days": 0, "StorageClass": "GLACIER"}],
            },
        ]
        await call(
            "PutBucketLifecycleConfiguration",
            {"Bucket": "mp-bucket", "LifecycleConfiguration": {"Rules": rules}},
        )
        assert await sweeper.sweep(time.time() + DAY + 60) == 2
        uploads = await call("ListMultipartUploads", {"Bucket": "mp-bucket"})
        assert [u["Key"] for u in uploads.get("Uploads", [])] == ["keep/big"]
        listed = await call("ListObjectsV2", {"Bucket": "mp-bucket"})
        assert [o["Key"] for o in listed["Contents"]] == ["small"]

    _run(tmp_path, scenario)


def test_lifecycle_leaves_locked_versions(tmp_path: Path) -> None:
    async def scenario(call: Call, sweeper: Any) -> None:
        await call("CreateBucket", {"Bucket": "locked-bucket", "ObjectLockEnabledForBucket": True})
        until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
        first = await call(
            "PutObject",
            {
                "Bucket": "locked-bucket",
                "Key": "k",
                "Body": b"1",
                "ObjectLockMode": "COMPLIANCE",
                "ObjectLockRetainUntilDate": until,
            },
        )
        await call("PutObject", {"Bucket": "locked-bucket", "Key": "k", "Body": b"2"})
        rule = {
            "ID": "all",
            "Filter": {},
            "Status": "Enabled",
            "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
        }
        await call(
            "PutBucketLifecycleConfiguration",
            {"Bucket": "locked-bucket", "LifecycleConfiguration": {"Rules": [rule]}},
        )
        assert await sweeper.sweep(time.time() + 2 * DAY) == 0
        got = await call(
            "HeadObject", {"Bucket": "locked-bucket", "Key": "k", "VersionId": first["VersionId"]}
        )
        assert got["ObjectLockMode"] == "COMPLIANCE"
        assert await _versions(call, "locked-bucket") == [("k", False), ("k", True)]

    _run(tmp_path, scenario)
