"""S3's website configuration operations (Put/Get/DeleteBucketWebsite); the endpoint that
serves the site is the gateway's ``s3-website`` door (``gateway/s3_website.py``)."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.objects import errors as oe
from stratus.services.objects import website
from stratus.services.objects.service import ObjectsService

__all__ = ["WebsiteOperations"]


class WebsiteOperations:
    objects: ObjectsService

    async def put_bucket_website(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = website.validate(params.get("WebsiteConfiguration") or {})
        await self.objects.set_config(bucket, "website", config)
        return {}

    async def get_bucket_website(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = self.objects.config(bucket, "website")
        if not config:
            raise oe.NoSuchConfiguration(
                "NoSuchWebsiteConfiguration",
                "The specified bucket does not have a website configuration",
                bucket.name,
            )
        return dict(config)

    async def delete_bucket_website(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        await self.objects.set_config(bucket, "website", None)
        return {}
