"""Bucket policies evaluated: a matching ``Deny`` refuses, a matching ``Allow`` lets an
anonymous (unsigned) caller in.

Stratus checks no signatures and enforces no identity policies, so of IAM's evaluation
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html)
two parts apply: an explicit ``Deny`` whose principal, action, resource and conditions
match wins over everything; and a signed caller is trusted as IAM would trust an
administrator, while an anonymous one needs an ``Allow`` naming ``"*"``. Conditions
support IAM's operators (``services.policy_conditions``, shared with IAM's simulator) over
``aws:SecureTransport``, ``aws:SourceIp``, ``s3:prefix`` and the other keys the caller
passes; a statement with an operator this evaluator does not know never matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from stratus.services.policy_conditions import (
    UnknownOperator,
    conditions_hold,
    glob,
    secure_transport,
)
from stratus.services.policy_conditions import listed as _listed
from stratus.services.policy_statements import Decision

__all__ = ["Decision", "decide", "iam_action", "is_public", "secure_transport"]


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
    "DeleteBucketOwnershipControls": "s3:PutBucketOwnershipControls",
    "GetPublicAccessBlock": "s3:GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "DeletePublicAccessBlock": "s3:PutBucketPublicAccessBlock",
    "GetObjectLockConfiguration": "s3:GetBucketObjectLockConfiguration",
    "PutObjectLockConfiguration": "s3:PutBucketObjectLockConfiguration",
    "GetBucketAccelerateConfiguration": "s3:GetAccelerateConfiguration",
    "PutBucketAccelerateConfiguration": "s3:PutAccelerateConfiguration",
    "GetBucketReplication": "s3:GetReplicationConfiguration",
    "PutBucketReplication": "s3:PutReplicationConfiguration",
    "DeleteBucketReplication": "s3:PutReplicationConfiguration",
    **{
        f"{verb}Bucket{kind}Configuration{plural}": f"s3:{action}{kind}Configuration"
        for kind in ("Analytics", "Inventory", "Metrics", "IntelligentTiering")
        for verb, plural, action in (
            ("Get", "", "Get"),
            ("List", "s", "Get"),
            ("Put", "", "Put"),
            ("Delete", "", "Put"),
        )
    },
}

#: Condition keys that narrow an Allow to known callers: a statement using one with a
#: fixed value is not public (https://docs.aws.amazon.com/AmazonS3/latest/userguide/
#: access-control-block-public-access.html, "The meaning of public").
_NARROWING_KEYS = frozenset(
    {
        "aws:sourceip",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceaccount",
        "aws:sourceowner",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)


def iam_action(operation: str) -> str:
    return _ACTIONS.get(operation, f"s3:{operation}")


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
    return any(glob(p, value, case=case) for p in patterns)


def _conditions_hold(block: Any, context: Mapping[str, str]) -> bool:
    try:
        return conditions_hold(block, context)
    except UnknownOperator:  # an operator not supported: the statement never matches
        return False


def _statement_matches(
    statement: dict[str, Any],
    account: str | None,
    action: str,
    resource: str,
    context: Mapping[str, str],
) -> bool:
    if "NotPrincipal" in statement or "NotAction" in statement or "NotResource" in statement:
        return False
    return (
        _principal_matches(statement.get("Principal"), account)
        and _any_glob(_listed(statement.get("Action")), action, case=False)
        and _any_glob(_listed(statement.get("Resource")), resource, case=True)
        and _conditions_hold(statement.get("Condition"), context)
    )


def decide(
    policy_text: str,
    account: str | None,
    action: str,
    resource: str,
    context: Mapping[str, str] | None = None,
) -> Decision:
    """The policy's word on one request (``account`` None: anonymous); Deny wins."""
    try:
        document = orjson.loads(policy_text)
    except orjson.JSONDecodeError:
        return Decision.NONE
    if not isinstance(document, dict):
        return Decision.NONE
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    decision = Decision.NONE
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict):
            continue
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            continue
        if not _statement_matches(statement, account, action, resource, context or {}):
            continue
        if effect == "Deny":
            return Decision.DENY
        decision = Decision.ALLOW
    return decision


def _wildcard_principal(statement: dict[str, Any]) -> bool:
    if "NotPrincipal" in statement:
        return True
    principal = statement.get("Principal")
    if principal == "*":
        return True
    return isinstance(principal, dict) and "*" in _listed(principal.get("AWS"))


def _narrowed(block: Any) -> bool:
    if not isinstance(block, dict):
        return False
    for pairs in block.values():
        if not isinstance(pairs, dict):
            continue
        for key, wanted in pairs.items():
            values = _listed(wanted)
            if key.lower() == "aws:sourceip" and any(v in ("0.0.0.0/0", "::/0") for v in values):
                continue
            if key.lower() in _NARROWING_KEYS and not any("*" in v for v in values):
                return True
    return False


def is_public(policy_text: str) -> bool:
    """Whether a bucket policy grants access to anyone (S3's PolicyStatus ``IsPublic``,
    what ``BlockPublicPolicy`` refuses): an ``Allow`` to every principal that no
    condition narrows to known callers."""
    try:
        document = orjson.loads(policy_text)
    except orjson.JSONDecodeError:
        return False
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return False
    return any(
        isinstance(statement, dict)
        and statement.get("Effect") == "Allow"
        and _wildcard_principal(statement)
        and not _narrowed(statement.get("Condition"))
        for statement in statements
    )
