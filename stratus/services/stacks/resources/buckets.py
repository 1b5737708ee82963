"""AWS::S3::Bucket and AWS::S3::BucketPolicy through our own S3 API.

A bucket's settings are one table (``_SETTINGS``): each CloudFormation property with
the S3 call that sets it and the one that takes it away. Create sets what the template
names; an update sets what changed and undoes what was removed, in place, as the
resource reference says: only ``BucketName`` and ``ObjectLockEnabled`` replace the
bucket. Removals run first and in reverse order, sets in order, so replication leaves
before versioning is suspended and arrives after it is enabled. A value S3 refuses
fails the resource with S3's own message (``Provisioning.call``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources import bucket_properties as props_of
from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    tag_list,
)

__all__ = ["BucketHandler", "BucketPolicyHandler"]

# (ctx, bucket, the template's value, the value before (None on create))
_Put = Callable[[Provisioning, str, Any, Any], Awaitable[None]]
# (ctx, bucket, the value before)
_Remove = Callable[[Provisioning, str, Any], Awaitable[None]]

_REPLACING = ("BucketName", "ObjectLockEnabled")


@dataclass(frozen=True, slots=True)
class _Setting:
    prop: str  # CloudFormation's property
    put: _Put
    remove: _Remove


def _call(operation: str, member: str | None, convert: Callable[[Any], Any]) -> _Put:
    """A put that is one S3 call with the converted value as ``member`` (or, for
    ``None``, as the whole of the parameters)."""

    async def put(ctx: Provisioning, bucket: str, value: Any, previous: Any) -> None:
        converted = convert(value)
        params = {"Bucket": bucket, **(converted if member is None else {member: converted})}
        await ctx.call("s3", operation, params)

    return put


def _delete(operation: str) -> _Remove:
    async def remove(ctx: Provisioning, bucket: str, previous: Any) -> None:
        await ignore_missing(ctx.call("s3", operation, {"Bucket": bucket}))

    return remove


def _by_id(kind: str, shape: str, convert: Callable[[dict[str, Any]], dict[str, Any]]) -> _Setting:
    """A list property whose entries S3 keeps one by one under their ``Id`` (analytics,
    inventory, metrics, Intelligent-Tiering): entries gone are deleted, new or changed
    ones put, unchanged ones left alone."""

    def entries(value: Any) -> dict[str, dict[str, Any]]:
        return {str(entry.get("Id")): entry for entry in value or []}

    async def drop(ctx: Provisioning, bucket: str, ids: list[str]) -> None:
        for config_id in ids:
            await ignore_missing(
                ctx.call(
                    "s3", f"DeleteBucket{kind}Configuration", {"Bucket": bucket, "Id": config_id}
                )
            )

    async def put(ctx: Provisioning, bucket: str, value: Any, previous: Any) -> None:
        wanted, before = entries(value), entries(previous)
        await drop(ctx, bucket, [i for i in before if i not in wanted])
        for config_id, entry in wanted.items():
            if before.get(config_id) != entry:
                await ctx.call(
                    "s3",
                    f"PutBucket{kind}Configuration",
                    {"Bucket": bucket, "Id": config_id, shape: convert(entry)},
                )

    async def remove(ctx: Provisioning, bucket: str, previous: Any) -> None:
        await drop(ctx, bucket, list(entries(previous)))

    return _Setting(f"{kind}Configurations", put, remove)


# -- the settings whose put or removal is more than one call ------------------------------
async def _put_versioning(ctx: Provisioning, bucket: str, value: Any, previous: Any) -> None:
    await ctx.call(
        "s3",
        "PutBucketVersioning",
        {"Bucket": bucket, "VersioningConfiguration": {"Status": value.get("Status")}},
    )


async def _remove_versioning(ctx: Provisioning, bucket: str, previous: Any) -> None:
    """Versioning once enabled can only be suspended (the property's default)."""
    if (previous or {}).get("Status") == "Enabled":
        await _put_versioning(ctx, bucket, {"Status": "Suspended"}, previous)


async def _put_tags(ctx: Provisioning, bucket: str, value: Any, previous: Any) -> None:
    tags = tag_list(value)
    if not tags:
        await _delete("DeleteBucketTagging")(ctx, bucket, previous)
        return
    await ctx.call("s3", "PutBucketTagging", {"Bucket": bucket, "Tagging": {"TagSet": tags}})


async def _put_logging(ctx: Provisioning, bucket: str, value: Any, previous: Any) -> None:
    await ctx.call(
        "s3",
        "PutBucketLogging",
        {"Bucket": bucket, "BucketLoggingStatus": props_of.logging(value or {}, bucket)},
    )


async def _remove_logging(ctx: Provisioning, bucket: str, previous: Any) -> None:
    # An empty BucketLoggingStatus is how S3 is told to stop logging.
    await ctx.call("s3", "PutBucketLogging", {"Bucket": bucket, "BucketLoggingStatus": {}})


async def _remove_accelerate(ctx: Provisioning, bucket: str, previous: Any) -> None:
    """S3 has no way to delete the setting: acceleration is suspended."""
    await ctx.call(
        "s3",
        "PutBucketAccelerateConfiguration",
        {"Bucket": bucket, "AccelerateConfiguration": {"Status": "Suspended"}},
    )


async def _remove_object_lock(ctx: Provisioning, bucket: str, previous: Any) -> None:
    """Object Lock stays on a bucket once enabled; what goes is the default retention."""
    await ctx.call(
        "s3",
        "PutObjectLockConfiguration",
        {"Bucket": bucket, "ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}},
    )


async def _remove_acl(ctx: Provisioning, bucket: str, previous: Any) -> None:
    """Without AccessControl a bucket has S3's default ACL, ``private``."""
    await ctx.call("s3", "PutBucketAcl", {"Bucket": bucket, "ACL": "private"})


async def _remove_notifications(ctx: Provisioning, bucket: str, previous: Any) -> None:
    await ctx.call(
        "s3",
        "PutBucketNotificationConfiguration",
        {"Bucket": bucket, "NotificationConfiguration": {}},
    )


def _ownership(value: dict[str, Any]) -> dict[str, Any]:
    return {"Rules": [{"ObjectOwnership": r["ObjectOwnership"]} for r in value.get("Rules", [])]}


_SETTINGS: tuple[_Setting, ...] = (
    # Ownership before the ACL (BucketOwnerEnforced refuses ACLs), versioning before
    # Object Lock and replication, which need it.
    _Setting(
        "OwnershipControls",
        _call("PutBucketOwnershipControls", "OwnershipControls", _ownership),
        _delete("DeleteBucketOwnershipControls"),
    ),
    _Setting("AccessControl", _call("PutBucketAcl", "ACL", props_of.canned_acl), _remove_acl),
    _Setting(
        "PublicAccessBlockConfiguration",
        _call(
            "PutPublicAccessBlock",
            "PublicAccessBlockConfiguration",
            props_of.public_access_block,
        ),
        _delete("DeletePublicAccessBlock"),
    ),
    _Setting(
        "BucketEncryption",
        _call("PutBucketEncryption", "ServerSideEncryptionConfiguration", props_of.encryption),
        _delete("DeleteBucketEncryption"),
    ),
    _Setting("VersioningConfiguration", _put_versioning, _remove_versioning),
    _Setting(
        "ObjectLockConfiguration",
        _call("PutObjectLockConfiguration", "ObjectLockConfiguration", props_of.object_lock),
        _remove_object_lock,
    ),
    _Setting("Tags", _put_tags, _delete("DeleteBucketTagging")),
    _Setting(
        "AccelerateConfiguration",
        _call("PutBucketAccelerateConfiguration", "AccelerateConfiguration", props_of.accelerate),
        _remove_accelerate,
    ),
    _Setting(
        "LifecycleConfiguration",
        _call("PutBucketLifecycleConfiguration", None, props_of.lifecycle),
        _delete("DeleteBucketLifecycle"),
    ),
    _Setting(
        "CorsConfiguration",
        _call("PutBucketCors", "CORSConfiguration", props_of.cors),
        _delete("DeleteBucketCors"),
    ),
    _Setting(
        "WebsiteConfiguration",
        _call("PutBucketWebsite", "WebsiteConfiguration", props_of.website),
        _delete("DeleteBucketWebsite"),
    ),
    _Setting("LoggingConfiguration", _put_logging, _remove_logging),
    _Setting(
        "NotificationConfiguration",
        _call(
            "PutBucketNotificationConfiguration",
            "NotificationConfiguration",
            props_of.notifications,
        ),
        _remove_notifications,
    ),
    _by_id("Analytics", "AnalyticsConfiguration", props_of.analytics),
    _by_id("Inventory", "InventoryConfiguration", props_of.inventory),
    _by_id("Metrics", "MetricsConfiguration", props_of.metrics),
    _by_id("IntelligentTiering", "IntelligentTieringConfiguration", props_of.intelligent_tiering),
    _Setting(
        "ReplicationConfiguration",
        _call("PutBucketReplication", "ReplicationConfiguration", props_of.replication),
        _delete("DeleteBucketReplication"),
    ),
)


async def _configure(
    ctx: Provisioning, bucket: str, new: dict[str, Any], old: dict[str, Any]
) -> None:
    """Bring the bucket from ``old``'s settings to ``new``'s (``old`` is {} on create)."""
    changed = [s for s in _SETTINGS if new.get(s.prop) != old.get(s.prop)]
    for setting in reversed(changed):
        if new.get(setting.prop) is None and old.get(setting.prop) is not None:
            await setting.remove(ctx, bucket, old[setting.prop])
    for setting in changed:
        if new.get(setting.prop) is not None:
            await setting.put(ctx, bucket, new[setting.prop], old.get(setting.prop))


def _check(props: dict[str, Any]) -> None:
    """The resource schema's required keys, checked before anything is made."""
    problem = props_of.missing_key(props)
    if problem is not None:
        raise ResourceFailed(f"Properties validation failed for resource with message: {problem}")


class BucketHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        _check(props)
        name = props.get("BucketName") or ctx.physical_name(logical_id, 63, lower=True)
        params: dict[str, Any] = {"Bucket": name}
        if ctx.region != "us-east-1":
            params["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        if props_of.truthy(props.get("ObjectLockEnabled")):
            params["ObjectLockEnabledForBucket"] = True
        await ctx.call("s3", "CreateBucket", params)
        try:
            await _configure(ctx, name, props, {})
        except ResourceFailed:
            # The resource failed, so the stack keeps no bucket to delete on rollback:
            # the half-configured one goes now, as CloudFormation's rollback removes it.
            with contextlib.suppress(ResourceFailed):
                await ctx.call("s3", "DeleteBucket", {"Bucket": name})
            raise
        return Provisioned(
            name,
            {
                "Arn": f"arn:aws:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
                "DualStackDomainName": f"{name}.s3.dualstack.{ctx.region}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website-{ctx.region}.amazonaws.com",
            },
        )

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        _check(new)
        if any(old.get(p) != new.get(p) for p in _REPLACING):
            return None
        try:
            await _configure(ctx, current.physical_id, new, old)
        except ResourceFailed:
            # The deployer's rollback only restores a failed resource's record, so the
            # settings this update already changed go back here (each put is
            # idempotent), as CloudFormation's rollback updates it to the old template.
            with contextlib.suppress(ResourceFailed):
                await _configure(ctx, current.physical_id, old, new)
            raise
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        # As on AWS, a bucket that still holds objects fails to delete (BucketNotEmpty).
        await ignore_missing(ctx.call("s3", "DeleteBucket", {"Bucket": current.physical_id}))


class BucketPolicyHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        document = props["PolicyDocument"]
        await ctx.call(
            "s3",
            "PutBucketPolicy",
            {
                "Bucket": props["Bucket"],
                "Policy": document if isinstance(document, str) else json.dumps(document),
            },
        )
        return Provisioned(f"{ctx.stack_name}-{logical_id}-{ctx.token(logical_id)}")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Bucket") != new.get("Bucket"):
            return None
        await self.create(ctx, logical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("s3", "DeleteBucketPolicy", {"Bucket": props["Bucket"]}))
