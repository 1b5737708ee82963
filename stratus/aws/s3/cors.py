"""CORS on S3's wire: answering preflight ``OPTIONS`` requests (no operation of S3's model)
and adding ``Access-Control-*`` headers to answers of requests that carry an ``Origin``.

The app calls these two hooks of the S3 provider (``preflight``, ``cors_headers``); the
rules themselves are ``services/objects/cors.py``.
"""

from __future__ import annotations

from urllib.parse import unquote

from stratus.aws.protocol.http import HttpRequest, HttpResponse
from stratus.runtime.ids import new_request_id
from stratus.services.objects.cors import cors_headers, matching_rule
from stratus.services.objects.service import ObjectsService

__all__ = ["CorsHooks"]

_NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution "
    "of Origin, request method / Access-Control-Request-Method or "
    "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."
)


def _bucket_name(request: HttpRequest) -> str:
    return unquote(request.path.lstrip("/").partition("/")[0])


def _forbidden(message: str, method: str, resource: str) -> HttpResponse:
    request_id = new_request_id()
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessForbidden</Code>'
        f"<Message>{message}</Message><Method>{method}</Method>"
        f"<ResourceType>{resource}</ResourceType><RequestId>{request_id}</RequestId>"
        f"<HostId>{request_id}</HostId></Error>"
    ).encode()
    return HttpResponse(
        403,
        [
            ("x-amz-request-id", request_id),
            ("Content-Type", "application/xml"),
            ("Content-Length", str(len(body))),
        ],
        body,
    )


class CorsHooks:
    objects: ObjectsService

    async def preflight(self, request: HttpRequest) -> HttpResponse | None:
        """The answer to an ``OPTIONS`` request for a bucket or object."""
        name = _bucket_name(request)
        try:
            bucket = self.objects.bucket(name)
        except Exception:
            return None
        origin = request.headers.get("origin")
        method = request.headers.get("access-control-request-method")
        if not origin or not method:
            return _forbidden(
                "Insufficient information. Origin request header needed.", "OPTIONS", "BUCKET"
            )
        rules = self.objects.config(bucket, "cors")
        if not rules:
            return _forbidden(
                "CORSResponse: CORS is not enabled for this bucket.", method, "BUCKET"
            )
        wanted = [
            h.strip().lower()
            for h in request.headers.get("access-control-request-headers", "").split(",")
        ]
        rule = matching_rule(rules, origin, method, wanted)
        if rule is None:
            return _forbidden(_NOT_ALLOWED, method, "OBJECT")
        headers = cors_headers(rule, origin, wanted, preflight=True)
        headers += [("x-amz-request-id", new_request_id()), ("Content-Length", "0")]
        return HttpResponse(200, headers, b"")

    def serves_anonymous(self, request: HttpRequest) -> bool:
        """An unsigned request is S3's when it names an existing bucket (a plain HTTP GET
        of an object) or is a ``GET /`` (ListBuckets, which S3 refuses to anyone
        anonymous with its ``AccessDenied``); others fall through to the app's generic
        answer."""
        if request.method == "GET" and request.path == "/":
            return True
        return self.objects.has_bucket(_bucket_name(request))

    def cors_headers(self, request: HttpRequest) -> list[tuple[str, str]]:
        """Headers to add to the answer of a request that carries ``Origin``."""
        origin = request.headers.get("origin")
        if not origin:
            return []
        try:
            bucket = self.objects.bucket(_bucket_name(request))
        except Exception:
            return []
        rules = self.objects.config(bucket, "cors")
        if not rules:
            return []
        rule = matching_rule(rules, origin, request.method, [])
        return cors_headers(rule, origin, [], preflight=False) if rule else []
