"""Identity records as the IAM model's output shapes.

Policy documents go out URL-encoded, as IAM sends them (botocore's
``json_decode_policies`` handler unquotes and parses them for the caller).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from stratus.services.identity.models import (
    AccessKey,
    Group,
    InstanceProfile,
    ManagedPolicy,
    PolicyVersion,
    Role,
    User,
)

__all__ = [
    "access_key_shape",
    "group_shape",
    "instance_profile_shape",
    "policy_document",
    "policy_shape",
    "policy_version_shape",
    "role_shape",
    "tag_list",
    "tag_pairs",
    "user_shape",
]


def policy_document(document: str) -> str:
    return quote(document, safe="")


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def tag_pairs(params: Mapping[str, Any], member: str = "Tags") -> list[tuple[str, str]]:
    return [(t["Key"], t.get("Value", "")) for t in params.get(member) or []]


def _boundary(arn: str | None) -> dict[str, str] | None:
    if arn is None:
        return None
    return {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": arn}


def role_shape(role: Role, *, full: bool = True) -> dict[str, Any]:
    """``Role``; ListRoles leaves out tags, boundary and last use as IAM does."""
    shape: dict[str, Any] = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn,
        "CreateDate": role.created,
        "AssumeRolePolicyDocument": policy_document(role.trust_policy),
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
    }
    if full:
        shape["PermissionsBoundary"] = _boundary(role.boundary)
        shape["Tags"] = tag_list(role.tags) or None
        last_used: dict[str, Any] = {}
        if role.last_used is not None:
            last_used = {"LastUsedDate": role.last_used, "Region": role.last_used_region}
        shape["RoleLastUsed"] = last_used
    return shape


def user_shape(user: User, *, full: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn,
        "CreateDate": user.created,
    }
    if full:
        shape["PermissionsBoundary"] = _boundary(user.boundary)
        shape["Tags"] = tag_list(user.tags) or None
    return shape


def group_shape(group: Group) -> dict[str, Any]:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn,
        "CreateDate": group.created,
    }


def policy_shape(policy: ManagedPolicy, attachments: int, *, full: bool = True) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn,
        "Path": policy.path,
        "DefaultVersionId": policy.default_version,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": policy.created,
        "UpdateDate": policy.updated,
    }
    if full:
        shape["Description"] = policy.description
        shape["Tags"] = tag_list(policy.tags) or None
    return shape


def policy_version_shape(
    version: PolicyVersion, default_id: str, *, document: bool = True
) -> dict[str, Any]:
    return {
        "Document": policy_document(version.document) if document else None,
        "VersionId": version.version_id,
        "IsDefaultVersion": version.version_id == default_id,
        "CreateDate": version.created,
    }


def access_key_shape(key: AccessKey, *, secret: bool = False) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "UserName": key.user_name,
        "AccessKeyId": key.key_id,
        "Status": key.status,
        "CreateDate": key.created,
    }
    if secret:
        shape["SecretAccessKey"] = key.secret
    return shape


def instance_profile_shape(profile: InstanceProfile, roles: list[Role]) -> dict[str, Any]:
    return {
        "Path": profile.path,
        "InstanceProfileName": profile.name,
        "InstanceProfileId": profile.profile_id,
        "Arn": profile.arn,
        "CreateDate": profile.created,
        "Roles": [role_shape(r, full=False) for r in roles],
        "Tags": tag_list(profile.tags) or None,
    }
