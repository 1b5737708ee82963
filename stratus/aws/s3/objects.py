"""S3's object operations: Put/Get/Head/Delete/Copy, DeleteObjects, tagging, attributes."""

from __future__ import annotations

import time
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.s3 import acl, encryption, wire
from stratus.aws.s3.locking import lock_output, requested_lock
from stratus.services.objects import errors as oe
from stratus.services.objects import restore
from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.service import ObjectsService

__all__ = ["ObjectOperations"]

_RESPONSE_OVERRIDES = {
    "ResponseCacheControl": "CacheControl",
    "ResponseContentDisposition": "ContentDisposition",
    "ResponseContentEncoding": "ContentEncoding",
    "ResponseContentLanguage": "ContentLanguage",
    "ResponseContentType": "ContentType",
    "ResponseExpires": "Expires",
}


class ObjectOperations:
    objects: ObjectsService

    async def put_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        headers = ctx.request.headers
        if "x-amz-copy-source" in headers:  # routed here only if CopyObject lost: never
            raise oe.InvalidRequest("x-amz-copy-source is not allowed on PutObject")
        bucket = self.objects.bucket(params["Bucket"])
        policy = acl.acl_from_request(params, ctx.account_id, bucket)
        sse = encryption.for_write(params, bucket, ctx.region, bucket.account)
        declared = params.get("ContentLength")
        decoded = headers.get("x-amz-decoded-content-length")
        version = await self.objects.put_object(
            params["Bucket"],
            params["Key"],
            params.get("Body") or b"",
            wire.requester(ctx),
            headers=wire.stored_headers(params) | sse,
            metadata=params.get("Metadata") or {},
            tags=wire.parse_tagging(params.get("Tagging")),
            checks=wire.checks(params, headers),
            conditions=wire.write_conditions(params),
            declared_size=int(decoded) if decoded and decoded.isdigit() else declared,
            acl=policy,
            lock=requested_lock(params),
        )
        out: dict[str, Any] = {"ETag": version.etag, **sse}
        out.update(wire.checksum_output(version.checksums, version.checksum_type))
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        out.update(self._expiration(bucket, version))
        return out

    def _expiration(self, bucket: Bucket, version: ObjectVersion) -> dict[str, Any]:
        return wire.expiration(self.objects.config(bucket, "lifecycle"), version)

    def _describe(self, version: ObjectVersion) -> dict[str, Any]:
        out = wire.header_output(version)
        if "SSECustomerKeyMD5" not in out:  # S3 encrypts every object since 2023 (SSE-S3)
            out.setdefault("ServerSideEncryption", "AES256")
        out.update(
            {
                "ETag": version.etag,
                "LastModified": version.modified,
                "ContentLength": version.size,
                "AcceptRanges": "bytes",
            }
        )
        if version.metadata:
            out["Metadata"] = version.metadata
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        if version.tags:
            out["TagCount"] = len(version.tags)
        out.update(lock_output(version))
        restored = restore.header(version, time.time())
        if restored is not None:
            out["Restore"] = restored
        return out

    async def _read(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> tuple[ObjectVersion, dict[str, Any], tuple[int, int] | None]:
        if ctx.access_key is None and any(params.get(o) is not None for o in _RESPONSE_OVERRIDES):
            raise oe.InvalidRequest(
                "Request specific response headers cannot be used for anonymous GET requests."
            )
        if "x-amz-server-side-encryption" in ctx.request.headers:
            raise oe.InvalidArgument(
                "x-amz-server-side-encryption header is not supported for this request.",
                "x-amz-server-side-encryption",
                ctx.request.headers["x-amz-server-side-encryption"],
            )
        version = await self.objects.read(
            params["Bucket"],
            params["Key"],
            params.get("VersionId"),
            wire.conditions(params),
            ctx.request.method,
        )
        encryption.check_read(params, version)
        out = self._describe(version)
        if version.latest:
            out.update(self._expiration(self.objects.bucket(params["Bucket"]), version))
        span: tuple[int, int] | None = None
        part_number = params.get("PartNumber")
        if part_number is not None:
            sizes = version.parts or [version.size]
            if not 1 <= part_number <= len(sizes):
                raise oe.InvalidRange(version.size, f"partNumber={part_number}")
            start = sum(sizes[: part_number - 1])
            span = (start, start + sizes[part_number - 1] - 1)
            out["PartsCount"] = len(sizes)
        elif params.get("Range"):
            span = wire.parse_range(params["Range"], version.size)
        if span is not None:
            out["ContentRange"] = f"bytes {span[0]}-{span[1]}/{version.size}"
            out["ContentLength"] = span[1] - span[0] + 1
        if params.get("ChecksumMode") == "ENABLED" and (
            span is None or (part_number is not None and not version.parts)
        ):
            out.update(wire.checksum_output(version.checksums, version.checksum_type))
        for override, member in _RESPONSE_OVERRIDES.items():
            if params.get(override) is not None:
                value = params[override]
                out[member] = value.timestamp() if member == "Expires" else value
        return version, out, span

    async def get_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        version, out, span = await self._read(ctx, params)
        restore.check_readable(version, time.time())
        if span is not None:
            out["Body"] = self.objects.stream(version, span[0], span[1])
        elif version.size:
            out["Body"] = self.objects.stream(version)
        return out

    async def head_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        _version, out, _span = await self._read(ctx, params)
        return out

    async def delete_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        result = await self.objects.delete_object(
            params["Bucket"],
            params["Key"],
            params.get("VersionId"),
            wire.requester(ctx),
            bypass_governance=bool(params.get("BypassGovernanceRetention")),
        )
        out: dict[str, Any] = {}
        if result is not None and result.version_id != "null":
            out["VersionId"] = result.version_id
            if result.delete_marker:
                out["DeleteMarker"] = True
        return out

    async def delete_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        request = params["Delete"]
        entries = request.get("Objects") or []
        if len(entries) > 1000:
            raise oe.MalformedXML()
        quiet = bool(request.get("Quiet"))
        self.objects.bucket(params["Bucket"])
        deleted: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        who = wire.requester(ctx)
        bypass = bool(params.get("BypassGovernanceRetention"))
        for entry in entries:
            key = entry["Key"]
            version_id = entry.get("VersionId")
            try:
                result = await self.objects.delete_object(
                    params["Bucket"], key, version_id, who, bypass_governance=bypass
                )
            except oe.ObjectsError as error:
                failed.append(
                    {"Key": key, "Code": type(error).__name__, "Message": error.message}
                    | ({"VersionId": version_id} if version_id else {})
                )
                continue
            if quiet:
                continue
            item: dict[str, Any] = {"Key": key}
            if version_id:
                item["VersionId"] = version_id
            if result is not None and result.delete_marker:
                item["DeleteMarker"] = True
                item["DeleteMarkerVersionId"] = result.version_id
            deleted.append(item)
        out: dict[str, Any] = {}
        if deleted:
            out["Deleted"] = deleted
        if failed:
            out["Errors"] = failed
        return out

    async def copy_object(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source_bucket, source_key, source_version = wire.copy_source(params["CopySource"])
        replace = params.get("MetadataDirective") == "REPLACE"
        tags = (
            wire.parse_tagging(params.get("Tagging"))
            if params.get("TaggingDirective") == "REPLACE"
            else None
        )
        algorithm = params.get("ChecksumAlgorithm")
        bucket = self.objects.bucket(params["Bucket"])
        policy = acl.acl_from_request(params, ctx.account_id, bucket)
        sse = encryption.for_write(params, bucket, ctx.region, bucket.account)
        try:
            original = await self.objects.head(source_bucket, source_key, source_version)
        except oe.ObjectsError:
            original = None  # the copy itself answers for a missing source
        if original is not None:
            encryption.check_read(params, original, "CopySource")
        source, version = await self.objects.copy_object(
            source_bucket,
            source_key,
            source_version,
            params["Bucket"],
            params["Key"],
            wire.requester(ctx),
            replace_metadata=replace
            or any(
                params.get(h) for h in ("ContentType", "StorageClass", "WebsiteRedirectLocation")
            ),
            headers=wire.stored_headers(params),
            metadata=params.get("Metadata") or {},
            tags=tags,
            algorithms=(algorithm,) if algorithm else (),
            conditions=wire.conditions(params, "CopySource"),
            acl=policy,
            encryption=sse,
            lock=requested_lock(params),
        )
        result: dict[str, Any] = {"ETag": version.etag, "LastModified": version.modified}
        result.update(wire.checksum_output(version.checksums, version.checksum_type))
        out: dict[str, Any] = {"CopyObjectResult": result, **sse}
        out.update(self._expiration(bucket, version))
        if source.version_id != "null":
            out["CopySourceVersionId"] = source.version_id
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    async def get_object_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        version = await self.objects.head(params["Bucket"], params["Key"], params.get("VersionId"))
        out: dict[str, Any] = {"TagSet": wire.tag_set(version.tags)}
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    async def put_object_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        tags = wire.check_tags(params["Tagging"].get("TagSet") or [])
        version = await self.objects.set_tags(
            params["Bucket"], params["Key"], params.get("VersionId"), tags
        )
        return {"VersionId": version.version_id} if version.version_id != "null" else {}

    async def delete_object_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        version = await self.objects.set_tags(
            params["Bucket"], params["Key"], params.get("VersionId"), None
        )
        return {"VersionId": version.version_id} if version.version_id != "null" else {}

    async def get_object_attributes(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        version = await self.objects.head(params["Bucket"], params["Key"], params.get("VersionId"))
        wanted = set(params.get("ObjectAttributes") or [])
        out: dict[str, Any] = {"LastModified": version.modified}
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        if "ETag" in wanted:
            out["ETag"] = version.etag.strip('"')
        if "StorageClass" in wanted:
            out["StorageClass"] = version.headers.get("StorageClass", "STANDARD")
        if "ObjectSize" in wanted:
            out["ObjectSize"] = version.size
        if "Checksum" in wanted and version.checksums:
            out["Checksum"] = wire.checksum_output(version.checksums, version.checksum_type)
        if "ObjectParts" in wanted and version.parts:
            marker = int(params.get("PartNumberMarker") or 0)
            limit = int(params.get("MaxParts") or 1000)
            numbers = list(range(marker + 1, len(version.parts) + 1))
            shown = numbers[:limit]
            out["ObjectParts"] = {
                "TotalPartsCount": len(version.parts),
                "PartNumberMarker": marker,
                "NextPartNumberMarker": shown[-1] if shown else marker,
                "MaxParts": limit,
                "IsTruncated": len(numbers) > limit,
                "Parts": [{"PartNumber": n, "Size": version.parts[n - 1]} for n in shown],
            }
        return out
