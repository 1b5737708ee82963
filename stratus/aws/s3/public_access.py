"""A bucket's Block Public Access settings and its policy status, as S3 keeps them.

The four switches are stored with the bucket and applied where S3 applies them:
``BlockPublicAcls`` refuses requests setting ACLs that grant the ``AllUsers`` or
``AuthenticatedUsers`` groups (``aws/s3/acl.py``), ``IgnorePublicAcls`` makes such grants
count for nothing, ``BlockPublicPolicy`` refuses a public bucket policy, and
``RestrictPublicBuckets`` keeps anonymous callers out whatever a public policy says.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.objects import errors as oe
from stratus.services.objects.model import Bucket
from stratus.services.objects.policy import is_public
from stratus.services.objects.service import ObjectsService

__all__ = ["PublicAccessOperations", "blocks"]

SWITCHES = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def blocks(bucket: Bucket, switch: str) -> bool:
    """Whether the bucket's Block Public Access setting ``switch`` is on."""
    config = bucket.configs.get("public_access_block") or {}
    return bool(config.get(switch))


class PublicAccessOperations:
    objects: ObjectsService

    async def put_public_access_block(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        given = params.get("PublicAccessBlockConfiguration") or {}
        config = {switch: bool(given.get(switch, False)) for switch in SWITCHES}
        await self.objects.set_config(bucket, "public_access_block", config)
        return {}

    async def get_public_access_block(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = bucket.configs.get("public_access_block")
        if config is None:
            raise oe.NoSuchConfiguration(
                "NoSuchPublicAccessBlockConfiguration",
                "The public access block configuration was not found",
                bucket.name,
            )
        return {"PublicAccessBlockConfiguration": dict(config)}

    async def delete_public_access_block(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        await self.objects.set_config(bucket, "public_access_block", None)
        return {}

    async def get_bucket_policy_status(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        policy = bucket.configs.get("policy")
        if policy is None:
            raise oe.NoSuchConfiguration(
                "NoSuchBucketPolicy", "The bucket policy does not exist", bucket.name
            )
        return {"PolicyStatus": {"IsPublic": is_public(policy)}}
