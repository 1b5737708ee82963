"""What S3's wire adds around the object store: stored headers, checksums, ranges, tags,
owners. Shared by the provider's parts; no operation lives here."""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

from stratus.aws.context import RequestContext
from stratus.services.objects import errors as oe
from stratus.services.objects import lifecycle_rules
from stratus.services.objects.checksums import ALGORITHMS
from stratus.services.objects.model import ObjectVersion
from stratus.services.objects.service import Checks, Conditions, Requester

#: Headers S3 stores with an object and returns on GET/HEAD (model member names).
STORED_HEADERS = (
    "CacheControl",
    "ContentDisposition",
    "ContentEncoding",
    "ContentLanguage",
    "ContentType",
    "Expires",
    "WebsiteRedirectLocation",
    "StorageClass",
)


_UNSUPPORTED = ("CRC64NVME", "SHA512", "MD5", "XXHASH64", "XXHASH3", "XXHASH128")


def requester(ctx: RequestContext) -> Requester:
    return Requester(ctx.account_id, ctx.region, ctx.request_id, f"AWS:{ctx.account_id}")


def owner(account: str) -> dict[str, str]:
    """S3's owner element: a canonical user id (64 hex digits) for the account."""
    return {"ID": hashlib.sha256(account.encode()).hexdigest(), "DisplayName": "stratus"}


def stored_headers(params: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in STORED_HEADERS:
        value = params.get(name)
        if value is None:
            continue
        out[name] = str(value.timestamp()) if isinstance(value, datetime) else str(value)
    return out


def header_output(version: ObjectVersion) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in version.headers.items():
        out[name] = float(value) if name == "Expires" else value
    out.setdefault("ContentType", "binary/octet-stream")
    return out


def checks(params: dict[str, Any], headers: dict[str, str]) -> Checks:
    """The integrity a client asked for: Content-MD5, checksums in headers or in the
    aws-chunked trailer (``x-amz-trailer``)."""
    algorithms: list[str] = []
    expected: dict[str, str] = {}
    asked = params.get("ChecksumAlgorithm")
    if asked:
        if asked not in ALGORITHMS:
            raise oe.InvalidRequest(f"Checksum algorithm {asked} is not supported.")
        algorithms.append(asked)
    for unsupported in _UNSUPPORTED:
        if params.get(f"Checksum{unsupported}"):
            raise oe.InvalidRequest(f"Checksum algorithm {unsupported} is not supported.")
    for algorithm in ALGORITHMS:
        value = params.get(f"Checksum{algorithm}")
        if value:
            algorithms.append(algorithm)
            expected[algorithm] = value
    trailer = headers.get("x-amz-trailer", "").strip().lower()
    trailer_algorithm = None
    if trailer.startswith("x-amz-checksum-"):
        trailer_algorithm = trailer.removeprefix("x-amz-checksum-").upper()
        if trailer_algorithm not in ALGORITHMS:
            raise oe.InvalidRequest(f"Checksum algorithm {trailer_algorithm} is not supported.")
        algorithms.append(trailer_algorithm)
    body = params.get("Body")

    def expected_values() -> dict[str, str]:
        values = dict(expected)
        trailers = getattr(body, "trailers", None)
        if trailer_algorithm and trailers and trailer in trailers:
            values[trailer_algorithm] = trailers[trailer]
        return values

    return Checks(params.get("ContentMD5"), tuple(dict.fromkeys(algorithms)), expected_values)


def checksum_output(checksums: dict[str, str], checksum_type: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {f"Checksum{name}": value for name, value in checksums.items()}
    if checksums and checksum_type:
        out["ChecksumType"] = checksum_type
    return out


def conditions(params: dict[str, Any], prefix: str = "") -> Conditions:
    def seconds(name: str) -> float | None:
        value = params.get(prefix + name)
        return value.timestamp() if isinstance(value, datetime) else None

    return Conditions(
        if_match=params.get(prefix + "IfMatch"),
        if_none_match=params.get(prefix + "IfNoneMatch"),
        if_modified_since=seconds("IfModifiedSince"),
        if_unmodified_since=seconds("IfUnmodifiedSince"),
    )


def write_conditions(params: dict[str, Any]) -> Conditions | None:
    """A write's own conditions (PutObject, CompleteMultipartUpload), ``None`` if it has
    none. S3 writes only ``If-None-Match: *`` (nothing there yet); any other value is a
    conditional write it does not do."""
    if_none_match = params.get("IfNoneMatch")
    if if_none_match and if_none_match.strip() != "*":
        raise oe.HeaderNotImplemented("If-None-Match")
    if not if_none_match and not params.get("IfMatch"):
        return None
    return conditions(params)


def expiration(rules: list[dict[str, Any]] | None, version: ObjectVersion) -> dict[str, Any]:
    """S3's ``x-amz-expiration`` (``Expiration``) for a version just written or read: when
    an enabled lifecycle rule will expire it; ``{}`` when none will."""
    due = lifecycle_rules.expiry(rules, version) if rules else None
    if due is None:
        return {}
    when, rule_id = due  # S3 URL-encodes the ID: any text may name a rule
    date = formatdate(when, usegmt=True)
    return {"Expiration": f'expiry-date="{date}", rule-id="{quote(rule_id, safe="")}"'}


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` as (start, end inclusive); ``None`` for
    a header S3 ignores; InvalidRange when nothing of the object is in it."""
    if not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header[6:].strip().partition("-")
    if not dash:
        return None
    try:
        if first == "":
            count = int(last)
            if count == 0:
                raise oe.InvalidRange(size, header)
            return (max(0, size - count), size - 1) if size else _empty(size, header)
        start = int(first)
        end = int(last) if last else size - 1
    except ValueError:
        return None
    if end < start:
        return None
    if start >= size:
        raise oe.InvalidRange(size, header)
    return start, min(end, size - 1)


def _empty(size: int, header: str) -> tuple[int, int]:
    raise oe.InvalidRange(size, header)


def parse_tagging(text: str | None) -> dict[str, str]:
    """The ``x-amz-tagging`` header (URL-encoded ``k=v&k2=v2``)."""
    if not text:
        return {}
    pairs = parse_qsl(text, keep_blank_values=True)
    return check_tags([{"Key": k, "Value": v} for k, v in pairs])


def check_tags(tag_set: list[dict[str, Any]], limit: int = 10) -> dict[str, str]:
    tags: dict[str, str] = {}
    for tag in tag_set:
        key, value = str(tag.get("Key", "")), str(tag.get("Value", ""))
        if key in tags:
            raise oe.InvalidTag("Cannot provide multiple Tags with the same key")
        if not key or len(key) > 128:
            raise oe.InvalidTag("The TagKey you have provided is invalid")
        if len(value) > 256:
            raise oe.InvalidTag("The TagValue you have provided is invalid")
        tags[key] = value
    if len(tags) > limit:
        raise oe.InvalidTag(f"Object tags cannot be greater than {limit}")
    return tags


def tag_set(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def copy_source(text: str) -> tuple[str, str, str | None]:
    """``bucket/key[?versionId=...]`` (URL-encoded, maybe with a leading ``/``)."""
    path, _, query = text.partition("?")
    path = unquote(path).lstrip("/")
    bucket, _, key = path.partition("/")
    if not bucket or not key:
        raise oe.InvalidArgument("Invalid copy source object key", "x-amz-copy-source", text)
    version = dict(parse_qsl(query)).get("versionId") if query else None
    return bucket, key, version


def encode_key(key: str, encoding: str | None) -> str:
    return quote(key, safe="/") if encoding == "url" else key


__all__ = [
    "ALGORITHMS",
    "STORED_HEADERS",
    "check_tags",
    "checks",
    "checksum_output",
    "conditions",
    "copy_source",
    "encode_key",
    "header_output",
    "owner",
    "parse_range",
    "parse_tagging",
    "requester",
    "stored_headers",
    "tag_set",
    "urlencode",
]
