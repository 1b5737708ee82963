"""The S3 API over the object store: thin adapters from parsed requests to the service.

The operations live in four mixins by concern (buckets and their settings, objects,
listings, multipart uploads); this class joins them, carries the error table, and the
two CORS hooks the app calls (``preflight`` for ``OPTIONS``, ``cors_headers``).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from botocore import xform_name

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.protocol.models import load_service
from stratus.aws.s3 import acl
from stratus.aws.s3.acl import AclOperations
from stratus.aws.s3.buckets import BucketOperations
from stratus.aws.s3.cors import CorsHooks
from stratus.aws.s3.errors import S3_ERRORS
from stratus.aws.s3.listing import ListingOperations
from stratus.aws.s3.multipart import MultipartOperations
from stratus.aws.s3.objects import ObjectOperations
from stratus.aws.s3.post import FormUploads
from stratus.services.objects.errors import AccessDenied, ObjectsError
from stratus.services.objects.policy import Decision, decide, iam_action
from stratus.services.objects.service import ObjectsService


def _check_expiry(query: str) -> None:
    """A presigned URL past ``X-Amz-Date`` + ``X-Amz-Expires`` is refused, as S3 does
    (signatures themselves are not checked)."""
    values = dict(parse_qsl(query))
    try:
        if "X-Amz-Expires" in values:  # SigV4: signing time plus seconds
            signed = datetime.strptime(values["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
            deadline = signed.replace(tzinfo=UTC).timestamp() + int(values["X-Amz-Expires"])
        else:  # SigV2: an epoch deadline
            deadline = float(values["Expires"])
    except (KeyError, ValueError):
        return
    if time.time() > deadline:
        raise AccessDenied("Request has expired")


Operation = Callable[[RequestContext, dict[str, Any]], Awaitable[dict[str, Any]]]
#: The bucket owner may always read and replace the policy that locks others out
#: (S3 lets the owner's root do so whatever the policy says).
_POLICY_EXEMPT = frozenset({"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"})

__all__ = ["S3Provider"]


class S3Provider(
    AclOperations,
    BucketOperations,
    ObjectOperations,
    ListingOperations,
    MultipartOperations,
    FormUploads,
    CorsHooks,
):
    errors: ErrorTable = S3_ERRORS

    def __init__(self, objects: ObjectsService, endpoint_url: str) -> None:
        self.objects = objects
        self.endpoint_url = endpoint_url
        # Every operation first passes the bucket's policy (an explicit Deny refuses it).
        for operation in load_service("s3").model.operation_names:
            name = xform_name(operation)
            method = getattr(self, name, None)
            if method is not None:
                setattr(self, name, self._guarded(method))

    def _guarded(self, method: Operation) -> Operation:
        async def guarded(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
            await self._check_access(ctx, params)
            return await method(ctx, params)

        return guarded

    async def _check_access(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        """The bucket policy first; an anonymous caller no policy lets in may still be let
        in by an ACL granting the ``AllUsers`` group."""
        try:
            self._check_policy(ctx, params)
        except AccessDenied:
            if ctx.access_key is not None or not await self._acl_allows(ctx, params):
                raise

    async def _acl_allows(self, ctx: RequestContext, params: dict[str, Any]) -> bool:
        bucket = self.objects.bucket(params["Bucket"])
        version = None
        if acl.object_operation(ctx.operation) and params.get("Key") is not None:
            try:
                version = await self.objects.head(
                    bucket.name, params["Key"], params.get("VersionId")
                )
            except ObjectsError:  # S3 says NoSuchKey only to who may list the bucket
                return acl.allows_anonymous("ListObjects", bucket, None)
        return acl.allows_anonymous(ctx.operation, bucket, version)

    def _check_policy(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        query = ctx.request.query_string
        if "X-Amz-Expires=" in query or ("Expires=" in query and "AWSAccessKeyId=" in query):
            _check_expiry(query)
        name = params.get("Bucket")
        if not name or (ctx.operation in _POLICY_EXEMPT and ctx.access_key is not None):
            return
        try:
            bucket = self.objects.bucket(name)
        except ObjectsError:
            return  # the operation answers NoSuchBucket itself
        policy = self.objects.config(bucket, "policy")
        signed = ctx.access_key is not None
        if not policy:
            if not signed:
                raise AccessDenied()  # S3 blocks anonymous callers no policy lets in
            return
        key = params.get("Key")
        resource = f"arn:aws:s3:::{name}/{key}" if key is not None else f"arn:aws:s3:::{name}"
        account = ctx.account_id if signed else None
        decision = decide(
            policy, account, iam_action(ctx.operation), resource, _condition_context(ctx, params)
        )
        if decision is Decision.DENY or (not signed and decision is not Decision.ALLOW):
            raise AccessDenied()


def _condition_context(ctx: RequestContext, params: dict[str, Any]) -> dict[str, str]:
    """The condition keys a bucket policy may test, from the request."""
    request = ctx.request
    out = {"aws:SecureTransport": "true" if request.scheme == "https" else "false"}
    if request.client:
        out["aws:SourceIp"] = request.client
    for header, name in (("referer", "aws:Referer"), ("user-agent", "aws:UserAgent")):
        if header in request.headers:
            out[name] = request.headers[header]
    if ctx.account_id and ctx.access_key:
        out["aws:PrincipalAccount"] = ctx.account_id
    for param, name in (("Prefix", "s3:prefix"), ("Delimiter", "s3:delimiter")):
        if params.get(param) is not None:
            out[name] = str(params[param])
    if params.get("MaxKeys") is not None:
        out["s3:max-keys"] = str(params["MaxKeys"])
    if params.get("VersionId") is not None:
        out["s3:VersionId"] = str(params["VersionId"])
    return out
