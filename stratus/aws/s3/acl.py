"""S3's access control lists and Object Ownership, kept and answered as S3 does.

A bucket's Object Ownership decides whether ACLs count at all: ``BucketOwnerEnforced``
(S3's default for new buckets since April 2023) disables them, so a request setting any
ACL but the owner's full control is refused (``AccessControlListNotSupported``) while
reading ACLs still answers the owner's ``FULL_CONTROL``. With ``ObjectWriter`` or
``BucketOwnerPreferred`` the canned ACLs and grants are stored as S3's
``AccessControlPolicy`` (on the bucket's settings, on each object version) and returned
by Get*Acl; an anonymous caller is let in by a grant to the ``AllUsers`` group.
"""

from __future__ import annotations

import re
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.s3 import wire
from stratus.aws.s3.public_access import blocks
from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket, ObjectVersion
from stratus.services.objects.service import ObjectsService

__all__ = [
    "AclOperations",
    "acl_from_request",
    "allows",
    "check_bucket_acl_on_create",
    "ownership",
]

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
ENFORCED = "BucketOwnerEnforced"
OWNERSHIPS = ("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter")
CANNED = (
    "private",
    "public-read",
    "public-read-write",
    "aws-exec-read",
    "authenticated-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
)
#: Canned ACLs that give only the owner (and bucket owner) full control: accepted even
#: where ACLs are disabled.
_OWNER_ONLY = ("private", "bucket-owner-full-control")
_GRANT_HEADERS = {
    "GrantFullControl": "FULL_CONTROL",
    "GrantRead": "READ",
    "GrantReadACP": "READ_ACP",
    "GrantWrite": "WRITE",
    "GrantWriteACP": "WRITE_ACP",
}
_PERMISSIONS = frozenset(_GRANT_HEADERS.values())
#: S3 keeps at most 100 grants in one ACL.
MAX_GRANTS = 100
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*(?:,|$)', re.IGNORECASE)
_CANONICAL_ID = re.compile(r"^[0-9a-f]{64}$")
#: What an anonymous caller needs from the AllUsers group, by operation.
_BUCKET_NEEDS = {
    "ListObjects": "READ",
    "ListObjectsV2": "READ",
    "ListObjectVersions": "READ",
    "ListMultipartUploads": "READ",
    "HeadBucket": "READ",
    "PutObject": "WRITE",
    "DeleteObject": "WRITE",
    "DeleteObjects": "WRITE",
    "CreateMultipartUpload": "WRITE",
    "UploadPart": "WRITE",
    "CompleteMultipartUpload": "WRITE",
    "AbortMultipartUpload": "WRITE",
    "GetBucketAcl": "READ_ACP",
    "PutBucketAcl": "WRITE_ACP",
}
_OBJECT_NEEDS = {
    "GetObject": "READ",
    "HeadObject": "READ",
    "GetObjectAcl": "READ_ACP",
    "PutObjectAcl": "WRITE_ACP",
}


def ownership(bucket: Bucket) -> str | None:
    """The bucket's Object Ownership; None once its ownership controls were deleted
    (ACLs then work as with ``ObjectWriter``)."""
    value = bucket.configs.get("ownership", ENFORCED)
    return value or None


def _user(canonical_id: str) -> dict[str, str]:
    return {"Type": "CanonicalUser", "ID": canonical_id, "DisplayName": "stratus"}


def _group(uri: str) -> dict[str, str]:
    return {"Type": "Group", "URI": uri}


def _grant(grantee: dict[str, str], permission: str) -> dict[str, Any]:
    return {"Grantee": grantee, "Permission": permission}


def canned_policy(canned: str, owner_account: str, bucket_account: str) -> dict[str, Any]:
    owner = wire.owner(owner_account)
    grants = [_grant(_user(owner["ID"]), "FULL_CONTROL")]
    bucket_owner = wire.owner(bucket_account)["ID"]
    if canned in ("public-read", "public-read-write"):
        grants.append(_grant(_group(ALL_USERS), "READ"))
    if canned == "public-read-write":
        grants.append(_grant(_group(ALL_USERS), "WRITE"))
    if canned == "authenticated-read":
        grants.append(_grant(_group(AUTHENTICATED_USERS), "READ"))
    if canned == "log-delivery-write":
        grants.append(_grant(_group(LOG_DELIVERY), "WRITE"))
        grants.append(_grant(_group(LOG_DELIVERY), "READ_ACP"))
    if canned in ("bucket-owner-read", "bucket-owner-full-control") and bucket_owner != owner["ID"]:
        permission = "READ" if canned == "bucket-owner-read" else "FULL_CONTROL"
        grants.append(_grant(_user(bucket_owner), permission))
    return {"Owner": owner, "Grants": grants}


def _header_grants(params: dict[str, Any]) -> list[dict[str, Any]]:
    grants: list[dict[str, Any]] = []
    for member, permission in _GRANT_HEADERS.items():
        value = params.get(member)
        if not value:
            continue
        for match in _GRANTEE.finditer(value):
            kind, who = match.group(1).lower(), match.group(2).strip()
            if kind == "id":
                grantee = _user(who)
            elif kind == "uri":
                grantee = _group(who)
            else:
                grantee = {"Type": "AmazonCustomerByEmail", "EmailAddress": who}
            grants.append(_grant(grantee, permission))
    return grants


def _check_grants(grants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Grants as S3 stores them; S3's errors for a grantee it cannot resolve."""
    if len(grants) > MAX_GRANTS:
        raise oe.MalformedACLError()
    out: list[dict[str, Any]] = []
    for grant in grants:
        grantee = dict(grant.get("Grantee") or {})
        permission = grant.get("Permission")
        if permission not in _PERMISSIONS:
            raise oe.MalformedXML()
        kind = grantee.get("Type")
        if kind == "CanonicalUser" or (kind is None and grantee.get("ID")):
            canonical_id = str(grantee.get("ID") or "")
            if not _CANONICAL_ID.match(canonical_id):
                raise oe.InvalidArgument("Invalid id", "CanonicalUser/ID", canonical_id)
            out.append(_grant(_user(canonical_id), permission))
        elif kind == "Group" or (kind is None and grantee.get("URI")):
            uri = str(grantee.get("URI") or "")
            if uri not in (ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY):
                raise oe.InvalidArgument("Invalid group uri", "Group/URI", uri)
            out.append(_grant(_group(uri), permission))
        elif kind == "AmazonCustomerByEmail" or grantee.get("EmailAddress"):
            raise oe.UnresolvableGrantByEmailAddress()
        else:
            raise oe.MalformedXML()
    return out


def _only_owner(policy: dict[str, Any], bucket_account: str) -> bool:
    owners = {wire.owner(bucket_account)["ID"], policy["Owner"]["ID"]}
    return all(
        g["Permission"] == "FULL_CONTROL" and g["Grantee"].get("ID") in owners
        for g in policy["Grants"]
    )


def acl_from_request(
    params: dict[str, Any], owner_account: str, bucket: Bucket, body_member: str | None = None
) -> dict[str, Any] | None:
    """The ACL a request sets (canned header, grant headers or an AccessControlPolicy
    body); None when it sets none. Refused where the bucket's ownership disables ACLs."""
    canned = params.get("ACL")
    header_grants = _header_grants(params)
    document = params.get(body_member) if body_member else None
    if canned is not None and header_grants:
        raise oe.InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
    if canned is not None and canned not in CANNED:
        raise oe.InvalidArgument("", "x-amz-acl", str(canned))
    if canned is not None:
        policy = canned_policy(canned, owner_account, bucket.account)
    elif header_grants:
        policy = {"Owner": wire.owner(owner_account), "Grants": _check_grants(header_grants)}
    elif document:
        owner = wire.owner(owner_account)
        given = (document.get("Owner") or {}).get("ID")
        if given and given != owner["ID"]:
            raise oe.AccessDenied()
        policy = {"Owner": owner, "Grants": _check_grants(document.get("Grants") or [])}
    else:
        return None
    if blocks(bucket, "BlockPublicAcls") and _public(policy):
        raise oe.AccessDenied()
    if ownership(bucket) == ENFORCED and not _only_owner(policy, bucket.account):
        raise oe.AccessControlListNotSupported()
    return policy


def _public(policy: dict[str, Any]) -> bool:
    return any(
        g["Grantee"].get("URI") in (ALL_USERS, AUTHENTICATED_USERS) for g in policy["Grants"]
    )


def check_bucket_acl_on_create(params: dict[str, Any], chosen: str) -> None:
    """CreateBucket with an ACL other than private on a bucket whose ownership would
    disable ACLs."""
    canned = params.get("ACL")
    if canned is not None and canned not in CANNED:
        raise oe.InvalidArgument("", "x-amz-acl", str(canned))
    if chosen != ENFORCED:
        return
    if (canned is not None and canned not in _OWNER_ONLY) or _header_grants(params):
        raise oe.InvalidBucketAclWithObjectOwnership()


def _has(policy: dict[str, Any] | None, permission: str, grantees: set[str]) -> bool:
    if not policy:
        return False
    return any(
        (g["Grantee"].get("URI") or g["Grantee"].get("ID")) in grantees
        and g["Permission"] in (permission, "FULL_CONTROL")
        for g in policy.get("Grants", [])
    )


def allows(
    operation: str, bucket: Bucket, version: ObjectVersion | None, grantees: set[str]
) -> bool:
    """Whether the ACLs grant one of ``grantees`` (canonical ids, group URIs) what
    ``operation`` needs (never where ownership disables ACLs)."""
    if ownership(bucket) == ENFORCED:
        return False
    if blocks(bucket, "IgnorePublicAcls"):
        grantees = grantees - {ALL_USERS, AUTHENTICATED_USERS}
    needed = _BUCKET_NEEDS.get(operation)
    if needed is not None:
        return _has(bucket.configs.get("acl"), needed, grantees)
    needed = _OBJECT_NEEDS.get(operation)
    if needed is not None and version is not None:
        return _has(version.acl, needed, grantees)
    return False


def object_operation(operation: str) -> bool:
    return operation in _OBJECT_NEEDS


class AclOperations:
    objects: ObjectsService

    async def get_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        policy = bucket.configs.get("acl") if ownership(bucket) != ENFORCED else None
        return dict(policy or canned_policy("private", bucket.account, bucket.account))

    async def put_bucket_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        policy = acl_from_request(params, bucket.account, bucket, "AccessControlPolicy")
        if policy is None:
            raise oe.MissingSecurityHeader()
        if ownership(bucket) == ENFORCED:
            return {}  # the owner's full control: what S3 keeps anyway
        await self.objects.set_config(bucket, "acl", policy)
        return {}

    async def get_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        version = await self.objects.head(bucket.name, params["Key"], params.get("VersionId"))
        policy = version.acl if ownership(bucket) != ENFORCED else None
        out = dict(policy or canned_policy("private", bucket.account, bucket.account))
        if version.version_id != "null":
            out["VersionId"] = version.version_id
        return out

    async def put_object_acl(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        version = await self.objects.head(bucket.name, params["Key"], params.get("VersionId"))
        owner = (version.acl or {}).get("Owner", {}).get("ID")
        account = bucket.account if owner in (None, wire.owner(bucket.account)["ID"]) else None
        policy = acl_from_request(params, account or ctx.account_id, bucket, "AccessControlPolicy")
        if policy is None:
            raise oe.MissingSecurityHeader()
        if ownership(bucket) != ENFORCED:
            await self.objects.set_acl(bucket.name, version.key, version.version_id, policy)
        return {"VersionId": version.version_id} if version.version_id != "null" else {}

    # -- Object Ownership --------------------------------------------------------------
    async def put_bucket_ownership_controls(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        rules = (params.get("OwnershipControls") or {}).get("Rules") or []
        if len(rules) != 1 or rules[0].get("ObjectOwnership") not in OWNERSHIPS:
            raise oe.MalformedXML()
        await self.objects.set_config(bucket, "ownership", rules[0]["ObjectOwnership"])
        return {}

    async def get_bucket_ownership_controls(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        chosen = ownership(bucket)
        if chosen is None:
            raise oe.NoSuchConfiguration(
                "OwnershipControlsNotFoundError",
                "The bucket ownership controls were not found",
                bucket.name,
            )
        return {"OwnershipControls": {"Rules": [{"ObjectOwnership": chosen}]}}

    async def delete_bucket_ownership_controls(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        await self.objects.set_config(bucket, "ownership", "")
        return {}
