"""S3's multipart uploads: Create, UploadPart(Copy), Complete, Abort, ListParts,
ListMultipartUploads. See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html"""

from __future__ import annotations

import time
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.s3 import acl, encryption, wire
from stratus.aws.s3.locking import requested_lock
from stratus.services.objects import errors as oe
from stratus.services.objects import restore
from stratus.services.objects.service import ENCRYPTION_HEADERS, ObjectsService

__all__ = ["MultipartOperations"]


class MultipartOperations:
    objects: ObjectsService
    endpoint_url: str

    async def create_multipart_upload(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        algorithm = params.get("ChecksumAlgorithm")
        if algorithm is not None and algorithm not in wire.ALGORITHMS:
            raise oe.InvalidRequest(f"Checksum algorithm {algorithm} is not supported.")
        checksum_type = params.get("ChecksumType")
        # Refused where ownership disables ACLs; otherwise not kept for the upload's object.
        bucket = self.objects.bucket(params["Bucket"])
        acl.acl_from_request(params, ctx.account_id, bucket)
        sse = encryption.for_write(params, bucket, ctx.region, bucket.account)
        if checksum_type == "FULL_OBJECT" and algorithm in ("SHA1", "SHA256"):
            raise oe.InvalidRequest(
                f"The FULL_OBJECT checksum type cannot be used with the {algorithm.lower()} "
                "checksum algorithm."
            )
        upload = await self.objects.create_upload(
            params["Bucket"],
            params["Key"],
            headers=wire.stored_headers(params) | sse,
            metadata=params.get("Metadata") or {},
            tags=wire.parse_tagging(params.get("Tagging")),
            checksum_algorithm=algorithm,
            checksum_type=checksum_type,
            lock=requested_lock(params),
        )
        out: dict[str, Any] = {
            "Bucket": params["Bucket"],
            "Key": params["Key"],
            "UploadId": upload.upload_id,
            **sse,
        }
        if algorithm:
            out["ChecksumAlgorithm"] = algorithm
            out["ChecksumType"] = upload.checksum_type
        return out

    async def upload_part(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        headers = ctx.request.headers
        decoded = headers.get("x-amz-decoded-content-length")
        upload = await self.objects.upload(params["Bucket"], params["Key"], params["UploadId"])
        encryption.check_part(params, upload.headers)
        part = await self.objects.upload_part(
            params["Bucket"],
            params["Key"],
            params["UploadId"],
            params["PartNumber"],
            params.get("Body") or b"",
            wire.checks(params, headers),
            int(decoded) if decoded and decoded.isdigit() else params.get("ContentLength"),
        )
        out: dict[str, Any] = {"ETag": part.etag}
        out.update({f"Checksum{k}": v for k, v in part.checksums.items()})
        out.update({k: v for k, v in upload.headers.items() if k in ENCRYPTION_HEADERS})
        return out

    async def upload_part_copy(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        source_bucket, source_key, source_version = wire.copy_source(params["CopySource"])
        source = await self.objects.head(source_bucket, source_key, source_version)
        restore.check_copyable(source, time.time())
        span = None
        text = params.get("CopySourceRange")
        if text:
            span = wire.parse_range(text, source.size)
            last = text.partition("-")[2].strip()
            if span is not None and last.isdigit() and int(last) >= source.size:
                raise oe.InvalidArgument(
                    f"Range specified is not valid for source object of size: {source.size}",
                    "x-amz-copy-source-range",
                    text,
                )
            if span is None:
                raise oe.InvalidArgument(
                    "The x-amz-copy-source-range value must be of the form bytes=first-last "
                    "where first and last are the zero-based offsets of the first and last "
                    "bytes to copy",
                    "x-amz-copy-source-range",
                    text,
                )
        part = await self.objects.upload_part_copy(
            params["Bucket"], params["Key"], params["UploadId"], params["PartNumber"], source, span
        )
        result: dict[str, Any] = {"ETag": part.etag, "LastModified": part.modified}
        result.update({f"Checksum{k}": v for k, v in part.checksums.items()})
        out: dict[str, Any] = {"CopyPartResult": result}
        if source.version_id != "null":
            out["CopySourceVersionId"] = source.version_id
        return out

    async def complete_multipart_upload(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        parts = (params.get("MultipartUpload") or {}).get("Parts") or []
        version = await self.objects.complete_upload(
            params["Bucket"],
            params["Key"],
            params["UploadId"],
            parts,
            wire.requester(ctx),
            wire.write_conditions(params),
        )
        out: dict[str, Any] = {
            "Location": f"{self.endpoint_url}/{params['Bucket']}/{params['Key']}",
            "Bucket": params["Bucket"],
            "Key": params["Key"],
            "ETag": version.etag,
        }
        out.update({k: v for k, v in version.headers.items() if k in ENCRYPTION_HEADERS})
        out.update(wire.checksum_output(version.checksums, version.checksum_type))
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        bucket = self.objects.bucket(params["Bucket"])
        out.update(wire.expiration(self.objects.config(bucket, "lifecycle"), version))
        return out

    async def abort_multipart_upload(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        await self.objects.abort_upload(params["Bucket"], params["Key"], params["UploadId"])
        return {}

    async def list_parts(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        upload = await self.objects.upload(params["Bucket"], params["Key"], params["UploadId"])
        marker = int(params.get("PartNumberMarker") or 0)
        limit = min(int(params.get("MaxParts") or 1000), 1000)
        parts = await self.objects.list_parts(upload, marker, limit + 1)
        truncated = len(parts) > limit
        parts = parts[:limit]
        owner = wire.owner(ctx.account_id)
        out: dict[str, Any] = {
            "Bucket": params["Bucket"],
            "Key": params["Key"],
            "UploadId": upload.upload_id,
            "PartNumberMarker": marker,
            "MaxParts": limit,
            "IsTruncated": truncated,
            "StorageClass": upload.headers.get("StorageClass", "STANDARD"),
            "Initiator": owner,
            "Owner": owner,
        }
        if parts:
            out["NextPartNumberMarker"] = parts[-1].number
            out["Parts"] = [
                {
                    "PartNumber": p.number,
                    "LastModified": p.modified,
                    "ETag": p.etag,
                    "Size": p.size,
                    **{f"Checksum{k}": v for k, v in p.checksums.items()},
                }
                for p in parts
            ]
        if upload.checksum_algorithm:
            out["ChecksumAlgorithm"] = upload.checksum_algorithm
            out["ChecksumType"] = upload.checksum_type
        return out

    async def list_multipart_uploads(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        limit = min(int(params.get("MaxUploads") or 1000), 1000)
        key_marker = params.get("KeyMarker") or ""
        encoding = params.get("EncodingType")
        uploads = await self.objects.list_uploads(bucket, prefix, key_marker, 10_000)
        owner = wire.owner(bucket.account)
        listed: list[dict[str, Any]] = []
        prefixes: list[str] = []
        truncated = False
        for upload in uploads:
            if delimiter:
                rest = upload.key[len(prefix) :]
                at = rest.find(delimiter)
                if at >= 0:
                    common = prefix + rest[: at + len(delimiter)]
                    if common not in prefixes:
                        if len(listed) + len(prefixes) >= limit:
                            truncated = True
                            break
                        prefixes.append(common)
                    continue
            if len(listed) + len(prefixes) >= limit:
                truncated = True
                break
            listed.append(
                {
                    "UploadId": upload.upload_id,
                    "Key": wire.encode_key(upload.key, encoding),
                    "Initiated": upload.initiated,
                    "StorageClass": upload.headers.get("StorageClass", "STANDARD"),
                    "Owner": owner,
                    "Initiator": owner,
                    **(
                        {"ChecksumAlgorithm": upload.checksum_algorithm}
                        if upload.checksum_algorithm
                        else {}
                    ),
                }
            )
        out: dict[str, Any] = {
            "Bucket": bucket.name,
            "KeyMarker": wire.encode_key(key_marker, encoding),
            "UploadIdMarker": params.get("UploadIdMarker") or "",
            "MaxUploads": limit,
            "IsTruncated": truncated,
            "Prefix": wire.encode_key(prefix, encoding),
        }
        if delimiter:
            out["Delimiter"] = wire.encode_key(delimiter, encoding)
        if encoding:
            out["EncodingType"] = encoding
        if truncated and listed:
            out["NextKeyMarker"] = listed[-1]["Key"]  # already encoded
            out["NextUploadIdMarker"] = listed[-1]["UploadId"]
        if listed:
            out["Uploads"] = listed
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": wire.encode_key(p, encoding)} for p in prefixes]
        return out
