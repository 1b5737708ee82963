"""S3's bucket settings that Stratus keeps and answers but does not act on: Transfer
Acceleration, Requester Pays, server access logging and replication.

Tools that read a whole bucket (terraform's ``aws_s3_bucket``, the CDK) ask for each of
them, so each answers as S3 does, its default when nothing was set included: no
``Status`` for acceleration, ``BucketOwner`` pays, no ``LoggingEnabled``, and
``ReplicationConfigurationNotFoundError``. What is set is stored with the bucket
(``Bucket.configs``), deleted with it and kept across restarts. No access log is
written, no object replicated and no endpoint accelerated (``docs/objects.md``).
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.s3 import schema
from stratus.services.objects import errors as oe
from stratus.services.objects import replication
from stratus.services.objects.model import Bucket
from stratus.services.objects.service import ObjectsService

__all__ = ["SettingOperations"]


class SettingOperations:
    objects: ObjectsService

    # -- Transfer Acceleration ---------------------------------------------------------
    async def put_bucket_accelerate_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = params.get("AccelerateConfiguration") or {}
        schema.check("AccelerateConfiguration", config)
        if config.get("Status") is None:
            raise oe.MalformedXML()
        if "." in bucket.name:
            # Accelerated endpoints are virtual-hosted over TLS only (transfer-acceleration
            # requirements), which a dotted name cannot use.
            raise oe.InvalidRequest(
                "Amazon S3 Transfer Acceleration is not supported for buckets with periods "
                "(.) in their names."
            )
        await self.objects.set_config(bucket, "accelerate", config["Status"])
        return {}

    async def get_bucket_accelerate_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        status = self.objects.config(bucket, "accelerate")
        return {"Status": status} if status else {}

    # -- Requester Pays ----------------------------------------------------------------
    async def put_bucket_request_payment(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = params.get("RequestPaymentConfiguration") or {}
        schema.check("RequestPaymentConfiguration", config)
        payer = config["Payer"]
        await self.objects.set_config(
            bucket, "request_payment", None if payer == "BucketOwner" else payer
        )
        return {}

    async def get_bucket_request_payment(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return {"Payer": self.objects.config(bucket, "request_payment") or "BucketOwner"}

    # -- server access logging ---------------------------------------------------------
    async def put_bucket_logging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        status = params.get("BucketLoggingStatus") or {}
        schema.check("BucketLoggingStatus", status)
        enabled = status.get("LoggingEnabled")
        if enabled is not None:
            self._check_logging_target(bucket, enabled)
        # An empty BucketLoggingStatus is how S3 is told to stop logging.
        await self.objects.set_config(bucket, "logging", enabled)
        return {}

    def _check_logging_target(self, bucket: Bucket, enabled: dict[str, Any]) -> None:
        """The target must be an existing bucket of the same account and region
        (API_PutBucketLogging; ErrorResponses: InvalidTargetBucketForLogging,
        CrossLocationLoggingProhibited)."""
        name = enabled["TargetBucket"]
        key_format = enabled.get("TargetObjectKeyFormat") or {}
        if "SimplePrefix" in key_format and "PartitionedPrefix" in key_format:
            raise oe.MalformedXML()
        if not self.objects.has_bucket(name):
            raise oe.InvalidTargetBucketForLogging(
                "The target bucket for logging does not exist", name
            )
        target = self.objects.bucket(name)
        if target.account != bucket.account:
            raise oe.InvalidTargetBucketForLogging(
                "The owner for the bucket to be logged and the target bucket must be the same.",
                name,
            )
        if target.region != bucket.region:
            raise oe.CrossLocationLoggingProhibited(bucket.region, target.region)

    async def get_bucket_logging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        enabled = self.objects.config(bucket, "logging")
        return {"LoggingEnabled": enabled} if enabled else {}

    # -- replication -------------------------------------------------------------------
    async def put_bucket_replication(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = params.get("ReplicationConfiguration") or {}
        schema.check("ReplicationConfiguration", config)
        stored = replication.validate(bucket, config, self._bucket_or_none)
        await self.objects.set_config(bucket, "replication", stored)
        return {}

    def _bucket_or_none(self, name: str) -> Bucket | None:
        return self.objects.bucket(name) if self.objects.has_bucket(name) else None

    async def get_bucket_replication(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = self.objects.config(bucket, "replication")
        if config is None:
            raise oe.NoSuchConfiguration(
                "ReplicationConfigurationNotFoundError",
                "The replication configuration was not found",
                bucket.name,
            )
        return {"ReplicationConfiguration": config}

    async def delete_bucket_replication(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        await self.objects.set_config(bucket, "replication", None)
        return {}
