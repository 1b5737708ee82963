"""Bucket policies applied: an explicit ``Deny`` that matches a request refuses it.

Stratus checks no signatures and enforces no identity policies, so of IAM's evaluation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
only the part that can refuse a caller applies: a ``Deny`` statement whose principal,
action and resource match wins over everything. ``Allow`` statements are stored and
returned but change nothing (everything is allowed already); statements with a
``Condition`` are not evaluated (docs/objects.md lists this difference).
"""

from __future__ import annotations

import fnmatch
from typing import Any

import orjson

__all__ = ["denies", "iam_action"]

#: Operations whose IAM action is not ``s3:<OperationName>``.
_ACTIONS = {
    "HeadObject": "s3:GetObject",
    "HeadBucket": "s3:ListBucket",
    "ListObjects": "s3:ListBucket",
    "ListObjectsV2": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions",
    "ListMultipartUploads": "s3:ListBucketMultipartUploads",
    "ListParts": "s3:ListMultipartUploadParts",
    "DeleteObjects": "s3:DeleteObject",
    "CopyObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "UploadPartCopy": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "GetObjectAttributes": "s3:GetObjectAttributes",
    "GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "s3:PutLifecycleConfiguration",
    "GetBucketNotificationConfiguration": "s3:GetBucketNotification",
    "PutBucketNotificationConfiguration": "s3:PutBucketNotification",
    "GetBucketCors": "s3:GetBucketCORS",
    "PutBucketCors": "s3:PutBucketCORS",
    "DeleteBucketCors": "s3:PutBucketCORS",
    "DeleteBucketTagging": "s3:PutBucketTagging",
    "GetBucketVersioning": "s3:GetBucketVersioning",
    "PutBucketVersioning": "s3:PutBucketVersioning",
}


def iam_action(operation: str) -> str:
    return _ACTIONS.get(operation, f"s3:{operation}")


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _principal_matches(principal: Any, account: str | None) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, dict):
        return False
    for name in _listed(principal.get("AWS")):
        if name == "*":
            return True
        if account is not None and (name == account or name.startswith(f"arn:aws:iam::{account}:")):
            return True
    return False


def _any_glob(patterns: list[str], value: str, *, case: bool) -> bool:
    for pattern in patterns:
        if case:
            if fnmatch.fnmatchcase(value, pattern):
                return True
        elif fnmatch.fnmatchcase(value.lower(), pattern.lower()):
            return True
    return False


def denies(policy_text: str, account: str | None, action: str, resource: str) -> bool:
    """Whether a Deny statement of the policy matches (``account`` None: anonymous)."""
    try:
        document = orjson.loads(policy_text)
    except orjson.JSONDecodeError:
        return False
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    for statement in statements or []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Deny":
            continue
        if statement.get("Condition"):
            continue
        if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
            continue
        if not _principal_matches(statement.get("Principal"), account):
            continue
        if not _any_glob(_listed(statement.get("Action")), action, case=False):
            continue
        if _any_glob(_listed(statement.get("Resource")), resource, case=True):
            return True
    return False
