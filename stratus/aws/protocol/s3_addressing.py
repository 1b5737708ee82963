"""S3's two addressing styles, and which S3 requests carry an object body to stream.

Virtual-hosted style names the bucket in the host (``uploads.s3.localhost:4566``), path
style in the first path segment (``127.0.0.1:4566/uploads/key``). The protocol layer
routes path-style requests only, so a virtual-hosted one is rewritten to path style
first, exactly once, before routing. See
https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
"""

from __future__ import annotations

import re

from stratus.aws.protocol.http import HttpRequest
from stratus.aws.protocol.sigv4 import CredentialScope

__all__ = ["STREAMED_OPERATIONS", "is_browser_upload", "is_object_upload", "path_style"]

# ``{bucket}.s3.localhost`` and ``{bucket}.s3.{region}.localhost`` (any port): the bucket
# label may hold dots, as bucket names may.
_VIRTUAL_HOST = re.compile(r"^(?P<bucket>.+)\.s3(?:\.[a-z0-9-]+)?\.localhost(?::\d+)?$")

#: Operations whose request body is the object's bytes, streamed to disk, never buffered.
STREAMED_OPERATIONS = frozenset({"PutObject", "UploadPart"})


def path_style(host: str, path: str) -> str | None:
    """The path-style path of a virtual-hosted request, ``None`` if ``host`` names no
    bucket."""
    found = _VIRTUAL_HOST.match(host.lower())
    if found is None:
        return None
    bucket = found.group("bucket")
    if bucket == "s3" or bucket.endswith(".s3"):
        return None
    return f"/{bucket}{path if path.startswith('/') else '/' + path}"


def is_object_upload(method: str, path: str, query: str, scope: CredentialScope | None) -> bool:
    """Whether a request may be an S3 PutObject or UploadPart, judged from its head alone
    (the body is still unread): a PUT of a path-style ``/bucket/key``, signed for S3 or
    not signed for any other service. Routing later confirms the operation; any other
    operation's body is then read whole, under the usual limit."""
    if method != "PUT":
        return False
    if scope is not None and scope.service not in (None, "s3"):
        return False
    if "Action=" in query:
        return False
    bucket, _, key = path.lstrip("/").partition("/")
    return bool(bucket) and bool(key)


def is_browser_upload(request: HttpRequest) -> bool:
    """Whether a request is S3's POST Object (a browser's form upload): a POST to a
    path-style bucket itself, without a sub-resource. No operation of S3's model says so."""
    if request.method != "POST" or request.query_string:
        return False
    parts = request.path.strip("/").split("/")
    return len(parts) == 1 and bool(parts[0])
