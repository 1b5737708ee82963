"""Who may do what to a bucket: S3's access decision for every operation.

As on AWS, a caller of the bucket owner's account is trusted (Stratus enforces no
identity policies), unless the bucket policy explicitly denies it; a caller of another
account, or an anonymous one, needs an ``Allow`` in the bucket policy or, where the
bucket's ownership lets ACLs count, an ACL grant (to the caller's canonical user, to
``AuthenticatedUsers`` or to ``AllUsers``). An explicit ``Deny`` always wins. A copy also
needs read access to its source. Block Public Access's ``RestrictPublicBuckets`` keeps
anonymous callers out of a bucket with a public policy.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from stratus.aws.context import RequestContext
from stratus.aws.s3 import acl, wire
from stratus.aws.s3.public_access import blocks
from stratus.services.objects.errors import (
    AccessDenied,
    AuthorizationQueryParametersError,
    ObjectsError,
)
from stratus.services.objects.model import Bucket
from stratus.services.objects.policy import (
    Decision,
    decide,
    iam_action,
    is_public,
    secure_transport,
)
from stratus.services.objects.service import ObjectsService

__all__ = ["AccessControl"]

#: The bucket owner may always read and replace the policy that locks others out
#: (S3 lets the owner's root do so whatever the policy says).
_POLICY_EXEMPT = frozenset({"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"})
#: Request headers a bucket policy may test as ``s3:<header>`` condition keys.
_HEADER_KEYS = (
    "x-amz-acl",
    "x-amz-grant-full-control",
    "x-amz-grant-read",
    "x-amz-grant-read-acp",
    "x-amz-grant-write",
    "x-amz-grant-write-acp",
    "x-amz-copy-source",
    "x-amz-metadata-directive",
    "x-amz-server-side-encryption",
    "x-amz-server-side-encryption-aws-kms-key-id",
    "x-amz-storage-class",
    "x-amz-website-redirect-location",
)
_COPIES = ("CopyObject", "UploadPartCopy")


class _NoGrant(AccessDenied):
    """Refused for want of an Allow (not by a Deny): an ACL grant may still let it in."""


#: The longest a SigV4 presigned URL may live (seven days, in seconds).
_MAX_EXPIRES = 604800


def _check_expiry(query: str) -> None:
    """A presigned URL past ``X-Amz-Date`` + ``X-Amz-Expires`` is refused, as S3 does
    (signatures themselves are not checked); so is one whose ``X-Amz-Expires`` S3 would
    not sign at all (no number, negative, past a week), before any other check."""
    values = dict(parse_qsl(query, keep_blank_values=True))
    if "X-Amz-Expires" in values:  # SigV4: signing time plus seconds
        seconds = _expires_seconds(values["X-Amz-Expires"])
        try:
            signed = datetime.strptime(values["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        except (KeyError, ValueError):
            return
        deadline = signed.replace(tzinfo=UTC).timestamp() + seconds
    else:  # SigV2: an epoch deadline
        try:
            deadline = float(values["Expires"])
        except (KeyError, ValueError):
            return
    if time.time() > deadline:
        raise AccessDenied("Request has expired")


def _expires_seconds(text: str) -> int:
    """``X-Amz-Expires`` as S3 reads it, refused in S3's words when it cannot be one."""
    try:
        seconds = int(text)
    except ValueError:
        raise AuthorizationQueryParametersError("X-Amz-Expires should be a number") from None
    if seconds < 0:
        raise AuthorizationQueryParametersError("X-Amz-Expires must be non-negative")
    if seconds > _MAX_EXPIRES:
        raise AuthorizationQueryParametersError(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given "
            f"X-Amz-Expires must be less than {_MAX_EXPIRES} seconds"
        )
    return seconds


class AccessControl:
    objects: ObjectsService

    async def _check_access(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        query = ctx.request.query_string
        if "X-Amz-Expires=" in query or ("Expires=" in query and "AWSAccessKeyId=" in query):
            _check_expiry(query)
        if ctx.operation == "ListBuckets" and ctx.access_key is None:
            raise AccessDenied()  # buckets are listed for an account; anonymous has none
        await self._authorize(ctx, params)
        if ctx.operation in _COPIES and params.get("CopySource"):
            source_bucket, source_key, source_version = wire.copy_source(params["CopySource"])
            source = {"Bucket": source_bucket, "Key": source_key}
            if source_version is not None:
                source["VersionId"] = source_version
            await self._authorize(dataclasses.replace(ctx, operation="GetObject"), source)

    async def _authorize(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        name = params.get("Bucket")
        if not name or ctx.operation == "CreateBucket":
            return  # creating answers for itself (BucketAlreadyExists ...)
        try:
            bucket = self.objects.bucket(name)
        except ObjectsError:
            return  # the operation answers NoSuchBucket itself
        try:
            self._check_policy(ctx, bucket, params, await self._existing_tags(ctx, params))
        except _NoGrant:
            if not await self._acl_allows(ctx, bucket, params):
                raise AccessDenied() from None

    async def _acl_allows(
        self, ctx: RequestContext, bucket: Bucket, params: dict[str, Any]
    ) -> bool:
        grantees = {acl.ALL_USERS}
        if ctx.access_key is not None:
            grantees |= {acl.AUTHENTICATED_USERS, wire.owner(ctx.account_id)["ID"]}
        version = None
        if acl.object_operation(ctx.operation) and params.get("Key") is not None:
            try:
                version = await self.objects.head(
                    bucket.name, params["Key"], params.get("VersionId")
                )
            except ObjectsError:  # S3 says NoSuchKey only to who may list the bucket
                return acl.allows("ListObjects", bucket, None, grantees)
        return acl.allows(ctx.operation, bucket, version, grantees)

    async def _existing_tags(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, str] | None:
        """The object's tags, for ``s3:ExistingObjectTag/<key>``: looked up only when the
        bucket's policy tests them."""
        name, key = params.get("Bucket"), params.get("Key")
        if not name or key is None or ctx.operation in ("PutObject", "CopyObject"):
            return None
        try:
            bucket = self.objects.bucket(name)
        except ObjectsError:
            return None
        policy = self.objects.config(bucket, "policy")
        if not policy or "existingobjecttag/" not in policy.lower():
            return None
        try:
            version = await self.objects.head(name, key, params.get("VersionId"))
        except ObjectsError:
            return None
        return version.tags

    def _check_policy(
        self,
        ctx: RequestContext,
        bucket: Bucket,
        params: dict[str, Any],
        existing_tags: dict[str, str] | None = None,
    ) -> None:
        signed = ctx.access_key is not None
        owner = signed and ctx.account_id == bucket.account
        if owner and ctx.operation in _POLICY_EXEMPT:
            return
        policy = self.objects.config(bucket, "policy")
        if not policy:
            if not owner:
                raise _NoGrant()  # S3 lets no stranger in that no policy lets in
            return
        key = params.get("Key")
        name = bucket.name
        resource = f"arn:aws:s3:::{name}/{key}" if key is not None else f"arn:aws:s3:::{name}"
        context = _condition_context(ctx, params)
        for tag, value in (existing_tags or {}).items():
            context[f"s3:ExistingObjectTag/{tag}"] = value
        account = ctx.account_id if signed else None
        decision = decide(policy, account, iam_action(ctx.operation), resource, context)
        if decision is Decision.DENY:
            raise AccessDenied()
        if not signed and blocks(bucket, "RestrictPublicBuckets") and is_public(policy):
            raise AccessDenied()  # a public policy lets no anonymous caller in
        if not owner and decision is not Decision.ALLOW:
            raise _NoGrant()


def _condition_context(ctx: RequestContext, params: dict[str, Any]) -> dict[str, str]:
    """The condition keys a bucket policy may test, from the request."""
    request = ctx.request
    out = {"aws:SecureTransport": secure_transport(request.scheme, request.client)}
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
    for header in _HEADER_KEYS:
        if header in request.headers:
            out[f"s3:{header}"] = request.headers[header]
    for tag, value in _request_tags(ctx, params).items():
        out[f"s3:RequestObjectTag/{tag}"] = value
    return out


def _request_tags(ctx: RequestContext, params: dict[str, Any]) -> dict[str, str]:
    """The tags a request puts on an object (``x-amz-tagging`` or a PutObjectTagging body)."""
    if ctx.operation == "PutObjectTagging":
        tag_set = (params.get("Tagging") or {}).get("TagSet") or []
        return {str(t.get("Key")): str(t.get("Value", "")) for t in tag_set}
    text = params.get("Tagging")
    if ctx.operation in ("PutObject", "CopyObject", "CreateMultipartUpload") and text:
        return dict(parse_qsl(str(text), keep_blank_values=True))
    return {}
