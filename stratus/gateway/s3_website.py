"""The ``s3-website`` front door: a bucket's static website, as S3's website endpoint
serves it (``{bucket}.s3-website.localhost:8080/path`` or
``/_aws/s3-website/{bucket}/path`` on the gateway port).

Only GET and HEAD; every request is anonymous, so an object is served only where the
bucket's policy lets anyone ``s3:GetObject`` it (AWS requires public read for website
hosting) and Block Public Access does not restrict it. Errors are S3's HTML pages, or
the bucket's error document with the error's status; redirects are bare 3xx answers with
``Location``. The decisions themselves are ``services/objects/website.py``.
"""

from __future__ import annotations

import html
import time
from collections.abc import AsyncIterator
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

from stratus.runtime.ids import new_request_id
from stratus.services.objects import errors as oe
from stratus.services.objects import restore, website
from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.policy import Decision, decide, is_public, secure_transport
from stratus.services.objects.requests import Conditions
from stratus.services.objects.service import ObjectsService

__all__ = ["WebsiteApp"]

_TITLES = {
    403: "403 Forbidden",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    400: "400 Bad Request",
    412: "412 Precondition Failed",
}
_CUSTOMER_KEYED = (
    "The object was stored using a form of Server Side Encryption. The correct parameters "
    "must be provided to retrieve the object."
)
_HEADER_NAMES = {
    "ContentType": "content-type",
    "CacheControl": "cache-control",
    "ContentDisposition": "content-disposition",
    "ContentEncoding": "content-encoding",
    "ContentLanguage": "content-language",
}


class _Failure(Exception):
    """An error answer of the website endpoint (status, S3 code, message, extra items)."""

    def __init__(self, status: int, code: str, message: str, **items: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.items = status, code, message, items


def _header(scope: dict[str, Any], name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return ""


def _http_date(header: str) -> float | None:
    try:
        return parsedate_to_datetime(header).timestamp() if header else None
    except (TypeError, ValueError):
        return None


def _restricts_public(bucket: Bucket) -> bool:
    """Whether the bucket's Block Public Access has ``RestrictPublicBuckets`` on (the S3
    adapter's ``public_access.py`` keeps the setting; this door sits below it)."""
    config = bucket.configs.get("public_access_block") or {}
    return bool(config.get("RestrictPublicBuckets"))


class WebsiteApp:
    """Serves buckets' websites from the object store."""

    def __init__(self, objects: ObjectsService) -> None:
        self._objects = objects

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        request_id = new_request_id()
        head = scope["method"] == "HEAD"
        try:
            await self._serve(scope, send, request_id)
        except _Failure as failure:
            page = _page(failure, request_id)
            await _send(send, failure.status, _error_headers(request_id), page, head)
        except oe.NotModified as unchanged:
            headers = [
                (b"etag", unchanged.etag.encode()),
                (b"last-modified", formatdate(unchanged.last_modified, usegmt=True).encode()),
                (b"x-amz-request-id", request_id.encode()),
            ]
            await _send(send, 304, headers, b"", True)

    async def _serve(self, scope: dict[str, Any], send: Any, request_id: str) -> None:
        name = str(scope.get("stratus.resource_id", ""))
        if scope["method"] not in ("GET", "HEAD"):
            raise _Failure(
                405,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                Method=scope["method"],
                ResourceType="OBJECT",
            )
        try:
            bucket = self._objects.bucket(name)
        except oe.NoSuchBucket:
            raise _Failure(
                404, "NoSuchBucket", "The specified bucket does not exist", BucketName=name
            ) from None
        config = self._objects.config(bucket, "website")
        if not config:
            raise _Failure(
                404,
                "NoSuchWebsiteConfiguration",
                "The specified bucket does not have a website configuration",
                BucketName=name,
            )
        host = _header(scope, b"host") or "localhost"
        scheme = str(scope.get("scheme", "http"))
        path_key = str(scope["path"]).removeprefix("/")
        decision = website.resolve(config, path_key, host, scheme)
        if isinstance(decision, website.Redirect):
            await _redirect(send, decision, request_id)
            return
        try:
            version = await self._readable(scope, bucket, decision)
        except _Failure as failure:
            redirect = website.error_redirect(config, path_key, failure.status, host, scheme)
            if redirect is not None:
                await _redirect(send, redirect, request_id)
                return
            if failure.code == "NoSuchKey" and not decision.endswith("/"):
                folder = await self._folder_redirect(scope, bucket, decision, config)
                if folder is not None:
                    await _redirect(send, website.Redirect(folder, 302), request_id)
                    return
            await self._error_document(scope, send, bucket, config, failure, request_id)
            return
        location = version.headers.get("WebsiteRedirectLocation")
        if location:
            await _redirect(send, website.Redirect(location, 301), request_id)
            return
        await self._object(scope, send, version, request_id)

    def _allowed(self, scope: dict[str, Any], bucket: Bucket, key: str) -> bool:
        """Anonymous read, as the website endpoint asks: only a policy's Allow opens it."""
        policy = self._objects.config(bucket, "policy")
        if not policy:
            return False
        if _restricts_public(bucket) and is_public(policy):
            return False  # Block Public Access keeps anonymous callers out of it
        client = scope.get("client")
        context = {
            "aws:SecureTransport": secure_transport(
                str(scope.get("scheme") or ""), str(client[0]) if client else None
            )
        }
        if client:
            context["aws:SourceIp"] = str(client[0])
        for header, condition in ((b"referer", "aws:Referer"), (b"user-agent", "aws:UserAgent")):
            value = _header(scope, header)
            if value:
                context[condition] = value
        resource = f"arn:aws:s3:::{bucket.name}/{key}"
        return decide(policy, None, "s3:GetObject", resource, context) is Decision.ALLOW

    async def _readable(
        self, scope: dict[str, Any], bucket: Bucket, key: str, conditions: bool = True
    ) -> ObjectVersion:
        if not self._allowed(scope, bucket, key):
            raise _Failure(403, "AccessDenied", "Access Denied")
        wanted = Conditions()
        if conditions:
            wanted = Conditions(
                if_match=_header(scope, b"if-match") or None,
                if_none_match=_header(scope, b"if-none-match") or None,
                if_modified_since=_http_date(_header(scope, b"if-modified-since")),
                if_unmodified_since=_http_date(_header(scope, b"if-unmodified-since")),
            )
        try:
            version = await self._objects.read(bucket.name, key, None, wanted, scope["method"])
        except oe.NoSuchKey:
            raise _Failure(404, "NoSuchKey", "The specified key does not exist.", Key=key) from None
        except oe.PreconditionFailed as failed:
            raise _Failure(
                412,
                "PreconditionFailed",
                failed.message,
                Condition=str(failed.fields.get("Condition", "")),
            ) from None
        if "SSECustomerKeyMD5" in version.headers:
            # Bytes under a customer's key are read only with that key, which an anonymous
            # website request cannot bring (the bytes themselves are stored as written).
            raise _Failure(400, "InvalidRequest", _CUSTOMER_KEYED)
        if scope["method"] != "HEAD" and not restore.readable(version, time.time()):
            raise _Failure(
                403,
                "InvalidObjectState",
                "The operation is not valid for the object's storage class",
                StorageClass=restore.storage_class(version),
            )
        return version

    async def _folder_redirect(
        self, scope: dict[str, Any], bucket: Bucket, key: str, config: dict[str, Any]
    ) -> str | None:
        """``/docs`` names the folder ``docs/`` when its index document exists: S3
        answers 302 to ``/docs/``."""
        index = f"{key}/{config['IndexDocument']['Suffix']}"
        try:
            await self._readable(scope, bucket, index, conditions=False)
        except _Failure:
            return None
        return f"/{key}/"

    async def _error_document(
        self,
        scope: dict[str, Any],
        send: Any,
        bucket: Bucket,
        config: dict[str, Any],
        failure: _Failure,
        request_id: str,
    ) -> None:
        head = scope["method"] == "HEAD"
        key = (config.get("ErrorDocument") or {}).get("Key")
        if key:
            try:
                document = await self._readable(scope, bucket, key, conditions=False)
            except _Failure:
                document = None
            if document is not None:
                await self._object(scope, send, document, request_id, status=failure.status)
                return
        page = _page(failure, request_id)
        await _send(send, failure.status, _error_headers(request_id), page, head)

    async def _object(
        self,
        scope: dict[str, Any],
        send: Any,
        version: ObjectVersion,
        request_id: str,
        status: int = 200,
    ) -> None:
        span = _range(_header(scope, b"range"), version.size) if status == 200 else None
        start, end = span if span is not None else (0, version.size - 1)
        headers = [
            (b"x-amz-request-id", request_id.encode()),
            (b"etag", version.etag.encode()),
            (b"last-modified", formatdate(version.modified, usegmt=True).encode()),
            (b"accept-ranges", b"bytes"),
            (b"content-length", str(end - start + 1).encode()),
        ]
        if span is not None:
            status = 206
            headers.append((b"content-range", f"bytes {start}-{end}/{version.size}".encode()))
        stored = dict(version.headers)
        stored.setdefault("ContentType", "binary/octet-stream")
        for member, name in _HEADER_NAMES.items():
            if member in stored:
                headers.append((name.encode(), stored[member].encode("latin-1", "replace")))
        for name, value in version.metadata.items():
            headers.append((f"x-amz-meta-{name}".encode(), value.encode("latin-1", "replace")))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if scope["method"] == "HEAD" or not version.size:
            await send({"type": "http.response.body", "body": b""})
            return
        chunks: AsyncIterator[bytes] = self._objects.stream(version, start, end)
        async for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


def _range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range within the object (inclusive ends); anything else, or a range
    that misses the object, is served whole."""
    first, dash, last = header.removeprefix("bytes=").partition("-")
    if not header.startswith("bytes=") or not dash or "," in header or size == 0:
        return None
    try:
        if not first:
            count = int(last)
            return (max(0, size - count), size - 1) if count > 0 else None
        start, end = int(first), int(last) if last else size - 1
    except ValueError:
        return None
    if start > end or start >= size:
        return None
    return start, min(end, size - 1)


def _error_headers(request_id: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"x-amz-request-id", request_id.encode()),
    ]


def _page(failure: _Failure, request_id: str) -> bytes:
    """S3's HTML error page of a website endpoint."""
    title = _TITLES.get(failure.status, f"{failure.status} Error")
    items = [("Code", failure.code), ("Message", failure.message), *failure.items.items()]
    items += [("RequestId", request_id), ("HostId", request_id)]
    lines = "".join(f"<li>{name}: {html.escape(str(value))}</li>\n" for name, value in items)
    return (
        f"<html>\n<head><title>{title}</title></head>\n<body>\n<h1>{title}</h1>\n<ul>\n"
        f"{lines}</ul>\n<hr/>\n</body>\n</html>\n"
    ).encode()


async def _redirect(send: Any, redirect: website.Redirect, request_id: str) -> None:
    headers = [
        (b"location", redirect.location.encode("latin-1", "replace")),
        (b"x-amz-request-id", request_id.encode()),
    ]
    await _send(send, redirect.status, headers, b"", False)


async def _send(
    send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes, head: bool
) -> None:
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
