"""ListObjects (v1, v2), ListObjectVersions and ListMultipartUploads: paging over the
store's key order with prefixes, delimiters and S3's markers and tokens.

See https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html. A common
prefix counts as one key toward ``MaxKeys``; the continuation token is opaque (ours:
the last key or prefix returned, base64), a marker is a plain key.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.s3 import wire
from stratus.aws.s3.restore import restore_status
from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.service import ObjectsService
from stratus.services.objects.sqlite import successor

__all__ = ["ListingOperations"]

_BATCH = 1000
_BEFORE_ALL = 2**62  # a sequence number past every stored one


def _wants_restore(params: dict[str, Any]) -> bool:
    return "RestoreStatus" in (params.get("OptionalObjectAttributes") or [])


def _add_restore_status(item: dict[str, Any], version: ObjectVersion) -> None:
    status = restore_status(version)
    if status is not None:
        item["RestoreStatus"] = status


def _well_formed(version_id: str) -> bool:
    return version_id == "null" or (
        len(version_id) == 32 and all(c in "0123456789abcdef" for c in version_id)
    )


def _token(key: str, is_prefix: bool) -> str:
    return base64.urlsafe_b64encode(orjson.dumps([key, is_prefix])).decode()


def _untoken(token: str) -> tuple[str, bool]:
    try:
        key, is_prefix = orjson.loads(base64.urlsafe_b64decode(token.encode()))
        return str(key), bool(is_prefix)
    except (binascii.Error, ValueError, TypeError, orjson.JSONDecodeError):
        raise oe.InvalidArgument(
            "The continuation token provided is incorrect", "continuation-token", token
        ) from None


def _max_keys(params: dict[str, Any], name: str = "MaxKeys") -> int:
    value = params.get(name)
    if value is None:
        return 1000
    if value < 0:
        raise oe.InvalidArgument(
            "Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", str(value)
        )
    return min(int(value), 1000)


class ListingOperations:
    objects: ObjectsService

    async def _walk(
        self,
        bucket: Bucket,
        prefix: str,
        delimiter: str,
        after: str,
        after_is_prefix: bool,
        limit: int,
    ) -> tuple[list[ObjectVersion], list[str], bool, str, bool]:
        """(contents, common prefixes, truncated, last item, last item is a prefix)."""
        contents: list[ObjectVersion] = []
        prefixes: list[str] = []
        last, last_is_prefix = after, after_is_prefix
        if limit == 0:
            return contents, prefixes, False, last, last_is_prefix
        cursor, inclusive = after, False
        if after_is_prefix:
            cursor, inclusive = successor(after), True
        if prefix and cursor < prefix:
            cursor, inclusive = prefix, True
        while True:
            rows = await self.objects.list_latest(bucket, prefix, cursor, _BATCH, inclusive)
            if not rows:
                return contents, prefixes, False, last, last_is_prefix
            jumped = False
            for version in rows:
                cursor, inclusive = version.key, False
                if version.delete_marker:
                    continue
                if delimiter:
                    rest = version.key[len(prefix) :]
                    at = rest.find(delimiter)
                    if at >= 0:
                        common = prefix + rest[: at + len(delimiter)]
                        if common <= after:  # the marker was this prefix or inside it
                            cursor, inclusive = successor(common), True
                            jumped = True
                            break
                        if len(contents) + len(prefixes) >= limit:
                            return contents, prefixes, True, last, last_is_prefix
                        prefixes.append(common)
                        last, last_is_prefix = common, True
                        cursor, inclusive = successor(common), True
                        jumped = True
                        break
                if len(contents) + len(prefixes) >= limit:
                    return contents, prefixes, True, last, last_is_prefix
                contents.append(version)
                last, last_is_prefix = version.key, False
            if not jumped and len(rows) < _BATCH:
                return contents, prefixes, False, last, last_is_prefix

    def _content(
        self,
        version: ObjectVersion,
        encoding: str | None,
        owner: bool,
        account: str,
        restore: bool = False,
    ) -> dict[str, Any]:
        item: dict[str, Any] = {
            "Key": wire.encode_key(version.key, encoding),
            "LastModified": version.modified,
            "ETag": version.etag,
            "Size": version.size,
            "StorageClass": version.headers.get("StorageClass", "STANDARD"),
        }
        if version.checksums:
            item["ChecksumAlgorithm"] = list(version.checksums)
            if version.checksum_type:
                item["ChecksumType"] = version.checksum_type
        if owner:
            item["Owner"] = wire.owner(account)
        if restore:
            _add_restore_status(item, version)
        return item

    async def list_objects_v2(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        limit = _max_keys(params)
        encoding = params.get("EncodingType")
        token = params.get("ContinuationToken")
        start_after = params.get("StartAfter") or ""
        if token is not None:
            after, after_is_prefix = _untoken(token)
        else:
            after, after_is_prefix = start_after, False
        contents, prefixes, truncated, last, last_is_prefix = await self._walk(
            bucket, prefix, delimiter, after, after_is_prefix, limit
        )
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": wire.encode_key(prefix, encoding),
            "MaxKeys": limit,
            "KeyCount": len(contents) + len(prefixes),
            "IsTruncated": truncated,
        }
        if delimiter:
            out["Delimiter"] = wire.encode_key(delimiter, encoding)
        if encoding:
            out["EncodingType"] = encoding
        if token is not None:
            out["ContinuationToken"] = token
        if start_after:
            out["StartAfter"] = wire.encode_key(start_after, encoding)
        if truncated:
            out["NextContinuationToken"] = _token(last, last_is_prefix)
        owner = bool(params.get("FetchOwner"))
        if contents:
            out["Contents"] = [
                self._content(v, encoding, owner, bucket.account, _wants_restore(params))
                for v in contents
            ]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": wire.encode_key(p, encoding)} for p in prefixes]
        return out

    async def list_objects(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        limit = _max_keys(params)
        encoding = params.get("EncodingType")
        marker = params.get("Marker") or ""
        contents, prefixes, truncated, last, _ = await self._walk(
            bucket, prefix, delimiter, marker, False, limit
        )
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": wire.encode_key(prefix, encoding),
            "Marker": wire.encode_key(marker, encoding),
            "MaxKeys": limit,
            "IsTruncated": truncated,
        }
        if delimiter:
            out["Delimiter"] = wire.encode_key(delimiter, encoding)
            if truncated:
                out["NextMarker"] = wire.encode_key(last, encoding)
        if encoding:
            out["EncodingType"] = encoding
        if contents:
            out["Contents"] = [
                self._content(v, encoding, True, bucket.account, _wants_restore(params))
                for v in contents
            ]
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": wire.encode_key(p, encoding)} for p in prefixes]
        return out

    async def list_object_versions(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        prefix = params.get("Prefix") or ""
        delimiter = params.get("Delimiter") or ""
        limit = _max_keys(params)
        encoding = params.get("EncodingType")
        key_marker = params.get("KeyMarker") or ""
        version_marker = params.get("VersionIdMarker")
        after_seq: int | None = None
        if key_marker and version_marker:
            after_seq = await self.objects.version_seq(bucket, key_marker, version_marker)
            if after_seq is None and not _well_formed(version_marker):
                raise oe.InvalidArgument(
                    "Invalid version id specified", "version-id-marker", version_marker
                )
            if after_seq is None:
                # A version deleted since the last page (a lister deleting as it goes):
                # the key's versions that remain are all still to come.
                after_seq = _BEFORE_ALL
        versions: list[dict[str, Any]] = []
        markers: list[dict[str, Any]] = []
        prefixes: list[str] = []
        truncated = False
        next_key = next_version = None
        cursor_key, cursor_seq = key_marker, after_seq
        if prefix and cursor_key < prefix:
            cursor_key, cursor_seq = "", None
        count = 0
        owner = wire.owner(bucket.account)
        done = False
        while not done:
            rows = await self.objects.list_versions(bucket, prefix, cursor_key, cursor_seq, _BATCH)
            if not rows:
                break
            for version in rows:
                cursor_key, cursor_seq = version.key, version.seq
                if delimiter:
                    rest = version.key[len(prefix) :]
                    at = rest.find(delimiter)
                    if at >= 0:
                        common = prefix + rest[: at + len(delimiter)]
                        if prefixes and prefixes[-1] == common:
                            continue
                        if count >= limit:
                            truncated, done = True, True
                            break
                        prefixes.append(common)
                        count += 1
                        next_key, next_version = common, None
                        continue
                if count >= limit:
                    truncated, done = True, True
                    break
                item: dict[str, Any] = {
                    "Key": wire.encode_key(version.key, encoding),
                    "VersionId": version.version_id,
                    "IsLatest": version.latest,
                    "LastModified": version.modified,
                    "Owner": owner,
                }
                if version.delete_marker:
                    markers.append(item)
                else:
                    item.update(
                        ETag=version.etag,
                        Size=version.size,
                        StorageClass=version.headers.get("StorageClass", "STANDARD"),
                    )
                    if _wants_restore(params):
                        _add_restore_status(item, version)
                    versions.append(item)
                count += 1
                next_key, next_version = version.key, version.version_id
            if len(rows) < _BATCH:
                break
        out: dict[str, Any] = {
            "Name": bucket.name,
            "Prefix": wire.encode_key(prefix, encoding),
            "KeyMarker": wire.encode_key(key_marker, encoding),
            "MaxKeys": limit,
            "IsTruncated": truncated,
        }
        if version_marker:
            out["VersionIdMarker"] = version_marker
        if delimiter:
            out["Delimiter"] = wire.encode_key(delimiter, encoding)
        if encoding:
            out["EncodingType"] = encoding
        if truncated and next_key is not None:
            out["NextKeyMarker"] = wire.encode_key(next_key, encoding)
            if next_version:
                out["NextVersionIdMarker"] = next_version
        if versions:
            out["Versions"] = versions
        if markers:
            out["DeleteMarkers"] = markers
        if prefixes:
            out["CommonPrefixes"] = [{"Prefix": wire.encode_key(p, encoding)} for p in prefixes]
        return out
