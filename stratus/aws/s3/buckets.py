"""S3's bucket operations and bucket settings (versioning, tags, policy, CORS, lifecycle,
notifications), each kept as S3's own shape after validation."""

from __future__ import annotations

from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.s3 import acl, encryption, wire
from stratus.aws.s3.public_access import blocks
from stratus.services.objects import errors as oe
from stratus.services.objects import lifecycle_rules, locking
from stratus.services.objects.model import Bucket
from stratus.services.objects.notifications import normalize_configuration, targets, test_event
from stratus.services.objects.policy import is_public
from stratus.services.objects.service import ObjectsService

# PutBucketLifecycleConfiguration's x-amz-transition-default-minimum-object-size: the
# default since September 2024 is that objects under 128 KB never transition.
DEFAULT_MINIMUM_SIZE = "all_storage_classes_128K"
MINIMUM_SIZES = (DEFAULT_MINIMUM_SIZE, "varies_by_storage_class")

__all__ = ["BucketOperations"]


class BucketOperations:
    objects: ObjectsService

    # -- buckets -----------------------------------------------------------------------
    async def create_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        config = params.get("CreateBucketConfiguration") or {}
        region = config.get("LocationConstraint") or ctx.region
        if config.get("LocationConstraint") == "us-east-1":
            raise oe.InvalidLocationConstraint("us-east-1")
        existing = (
            self.objects.bucket(params["Bucket"])
            if self.objects.has_bucket(params["Bucket"])
            else None
        )
        if (
            existing is not None
            and existing.account == ctx.account_id
            and existing.region == region == "us-east-1"
        ):
            # S3's legacy in North Virginia: recreating your own bucket answers 200 OK and
            # resets its ACL (every other region says BucketAlreadyOwnedByYou).
            if existing.configs.pop("acl", None) is not None:
                await self.objects.save_bucket(existing)
            return {"Location": f"/{existing.name}", "BucketArn": existing.arn}
        chosen = params.get("ObjectOwnership") or acl.ENFORCED
        acl.check_bucket_acl_on_create(params, chosen)
        # The ACL is checked before the bucket exists: a refused one creates nothing.
        planned = Bucket(0, params["Bucket"], ctx.account_id, region, 0.0)
        planned.configs["ownership"] = chosen
        policy = acl.acl_from_request(params, ctx.account_id, planned)
        bucket = await self.objects.create_bucket(
            params["Bucket"],
            wire.requester(ctx),
            region,
            object_lock=bool(params.get("ObjectLockEnabledForBucket")),
        )
        if chosen != acl.ENFORCED:
            bucket.configs["ownership"] = chosen
            if policy is not None:
                bucket.configs["acl"] = policy
            await self.objects.save_bucket(bucket)
        return {"Location": f"/{bucket.name}", "BucketArn": bucket.arn}

    async def head_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return {"BucketRegion": bucket.region, "BucketArn": bucket.arn}

    async def list_buckets(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        prefix = params.get("Prefix") or ""
        region = params.get("BucketRegion")
        after = params.get("ContinuationToken") or ""
        limit = int(params.get("MaxBuckets") or 10_000)
        buckets = [
            {"Name": b.name, "CreationDate": b.created, "BucketRegion": b.region}
            for b in self.objects.buckets_of(ctx.account_id)
            if b.name.startswith(prefix)
            and b.name > after
            and (region is None or b.region == region)
        ]
        out: dict[str, Any] = {"Buckets": buckets[:limit], "Owner": wire.owner(ctx.account_id)}
        if len(buckets) > limit:
            out["ContinuationToken"] = buckets[limit - 1]["Name"]
        if prefix:
            out["Prefix"] = prefix
        return out

    async def list_directory_buckets(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        """Directory buckets (S3 Express One Zone) do not exist here: every page of them
        is empty and last (no ``ContinuationToken``), whatever token or size is asked."""
        return {"Buckets": []}

    async def delete_bucket(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        await self.objects.delete_bucket(params["Bucket"])
        return {}

    async def get_bucket_location(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return {"LocationConstraint": None if bucket.region == "us-east-1" else bucket.region}

    # -- versioning --------------------------------------------------------------------
    async def put_bucket_versioning(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        status = (params.get("VersioningConfiguration") or {}).get("Status")
        if status not in ("Enabled", "Suspended"):
            raise oe.MalformedXML()
        if status == "Suspended" and locking.enabled(bucket):
            raise oe.InvalidBucketState(
                "An Object Lock configuration is present on this bucket, so the versioning "
                "state cannot be changed.",
                BucketName=bucket.name,
            )
        bucket.versioning = status
        await self.objects.save_bucket(bucket)
        return {}

    async def get_bucket_versioning(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return {"Status": bucket.versioning} if bucket.versioning else {}

    # -- settings kept as documents ----------------------------------------------------
    async def _get(self, params: dict[str, Any], name: str, code: str, message: str) -> Any:
        bucket = self.objects.bucket(params["Bucket"])
        value = self.objects.config(bucket, name)
        if value is None:
            raise oe.NoSuchConfiguration(code, message, bucket.name)
        return value

    async def _set(self, params: dict[str, Any], name: str, value: Any) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        await self.objects.set_config(bucket, name, value)
        return {}

    async def put_bucket_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        tags = wire.check_tags(params["Tagging"].get("TagSet") or [], limit=50)
        return await self._set(params, "tagging", tags)

    async def get_bucket_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        tags = await self._get(params, "tagging", "NoSuchTagSet", "The TagSet does not exist")
        return {"TagSet": wire.tag_set(tags)}

    async def delete_bucket_tagging(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(params, "tagging", None)

    async def put_bucket_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        text = params["Policy"]
        try:
            document = orjson.loads(text)
        except orjson.JSONDecodeError:
            document = None
        if not isinstance(document, dict) or not text.lstrip().startswith("{"):
            raise oe.InvalidArgument(
                "Policies must be valid JSON and the first byte must be '{'", "Policy", None
            )
        if not document.get("Statement"):
            raise oe.InvalidArgument("Missing required field Statement", "Policy", None)
        bucket = self.objects.bucket(params["Bucket"])
        if blocks(bucket, "BlockPublicPolicy") and is_public(text):
            raise oe.AccessDenied()
        return await self._set(params, "policy", text)

    async def get_bucket_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        text = await self._get(
            params, "policy", "NoSuchBucketPolicy", "The bucket policy does not exist"
        )
        return {"Policy": text}

    async def delete_bucket_policy(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(params, "policy", None)

    async def put_bucket_cors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rules = (params.get("CORSConfiguration") or {}).get("CORSRules") or []
        if not rules or len(rules) > 100:
            raise oe.MalformedXML()
        for rule in rules:
            for method in rule.get("AllowedMethods") or []:
                if method not in ("GET", "PUT", "POST", "DELETE", "HEAD"):
                    raise oe.InvalidRequest(
                        f"Found unsupported HTTP method in CORS config. Unsupported method is "
                        f"{method}"
                    )
        return await self._set(params, "cors", rules)

    async def get_bucket_cors(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        rules = await self._get(
            params, "cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist"
        )
        return {"CORSRules": rules}

    async def delete_bucket_cors(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(params, "cors", None)

    async def put_bucket_lifecycle_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        rules = (params.get("LifecycleConfiguration") or {}).get("Rules") or []
        stored = lifecycle_rules.validate(rules)
        size = params.get("TransitionDefaultMinimumObjectSize") or DEFAULT_MINIMUM_SIZE
        if size not in MINIMUM_SIZES:
            raise oe.InvalidRequest(
                f"Invalid value for x-amz-transition-default-minimum-object-size: {size}"
            )
        await self._set(params, "lifecycle", stored)
        # Kept beside the rules, not in them: the sweeper reads the rule list as is. Tools
        # such as terraform wait until GET answers the size they sent.
        await self._set(params, "lifecycle_minimum_size", size)
        return {"TransitionDefaultMinimumObjectSize": size}

    async def get_bucket_lifecycle_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        rules = await self._get(
            params,
            "lifecycle",
            "NoSuchLifecycleConfiguration",
            "The lifecycle configuration does not exist",
        )
        bucket = self.objects.bucket(params["Bucket"])
        size = self.objects.config(bucket, "lifecycle_minimum_size") or DEFAULT_MINIMUM_SIZE
        return {"Rules": rules, "TransitionDefaultMinimumObjectSize": size}

    async def delete_bucket_lifecycle(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        await self._set(params, "lifecycle_minimum_size", None)
        return await self._set(params, "lifecycle", None)

    # -- default encryption ------------------------------------------------------------
    async def put_bucket_encryption(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        rules = (params.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        if len(rules) != 1:
            raise oe.MalformedXML()
        default = rules[0].get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") not in ("AES256", "aws:kms", "aws:kms:dsse"):
            raise oe.MalformedXML()
        if default.get("KMSMasterKeyID") and default["SSEAlgorithm"] == "AES256":
            raise oe.InvalidArgument(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                "aws:kms or aws:kms:dsse",
                "ApplyServerSideEncryptionByDefault",
                None,
            )
        rule: dict[str, Any] = {
            "ApplyServerSideEncryptionByDefault": dict(default),
            "BucketKeyEnabled": bool(rules[0].get("BucketKeyEnabled", False)),
        }
        return await self._set(params, "encryption", {"Rules": [rule]})

    async def get_bucket_encryption(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = self.objects.config(bucket, "encryption") or encryption.default_configuration()
        return {"ServerSideEncryptionConfiguration": config}

    async def delete_bucket_encryption(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._set(params, "encryption", None)  # back to SSE-S3, as on AWS

    # -- notifications -----------------------------------------------------------------
    async def put_bucket_notification_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = normalize_configuration(params.get("NotificationConfiguration") or {})
        if not params.get("SkipDestinationValidation"):
            await self._validate_targets(bucket.name, config, ctx.request_id)
        await self.objects.set_config(bucket, "notification", config or None)
        return {}

    async def _validate_targets(
        self, bucket_name: str, config: dict[str, Any], request_id: str
    ) -> None:
        """S3 checks each destination when the configuration is set, and sends queues and
        topics an ``s3:TestEvent``; one failing destination refuses the whole request."""
        bucket = self.objects.bucket(bucket_name)
        delivery = self.objects.delivery
        for kind, arn in targets(config):
            try:
                if kind == "lambda":
                    await delivery.check_function(arn)
                elif kind == "sqs":
                    await delivery.send_to_queue(
                        arn, orjson.dumps(test_event(bucket, request_id)).decode()
                    )
                else:
                    await delivery.publish_to_topic(
                        arn, orjson.dumps(test_event(bucket, request_id)).decode()
                    )
            except Exception:
                raise oe.NotificationError(
                    "Unable to validate the following destination configurations",
                    ArgumentName1=arn,
                    ArgumentValue1=(
                        f"Not authorized to invoke function [{arn}]"
                        if kind == "lambda"
                        else "Permissions on the destination queue do not allow S3 to publish "
                        "notifications from this bucket"
                        if kind == "sqs"
                        else "Permissions on the destination topic do not allow S3 to publish "
                        "notifications from this bucket"
                    ),
                ) from None

    async def get_bucket_notification_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return dict(self.objects.config(bucket, "notification") or {})
