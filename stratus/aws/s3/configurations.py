"""S3's configurations kept by id, four kinds alike: analytics, inventory, metrics and
Intelligent-Tiering (Put/Get/Delete one, List 100 at a time).

Each document is first checked against S3's model (``aws/s3/schema.py``), then its id
against the request's: S3 answers ``MalformedXML`` for a mismatch, ``IdMismatch`` for
an inventory's. Storage and paging are the object store's
(``services/objects/configurations.py``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from stratus.aws.context import RequestContext
from stratus.aws.s3 import schema
from stratus.services.objects import configurations
from stratus.services.objects import errors as oe
from stratus.services.objects.service import ObjectsService

__all__ = ["ConfigurationOperations"]


class _Kind(NamedTuple):
    key: str  # in Bucket.configs
    shape: str  # S3's shape (and the member naming one document)


_ANALYTICS = _Kind("analytics", "AnalyticsConfiguration")
_INVENTORY = _Kind("inventory", "InventoryConfiguration")
_METRICS = _Kind("metrics", "MetricsConfiguration")
_TIERING = _Kind("intelligent_tiering", "IntelligentTieringConfiguration")

_FILTER_CHOICES = ("Prefix", "Tag", "And", "AccessPointArn")


class ConfigurationOperations:
    objects: ObjectsService

    # -- the four kinds alike ------------------------------------------------------------
    async def _put_by_id(self, kind: _Kind, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        config = params.get(kind.shape) or {}
        schema.check(kind.shape, config)
        config_id = params["Id"]
        if kind is _INVENTORY:
            configurations.check_inventory(config_id, config)
        else:
            if config["Id"] != config_id:
                raise oe.MalformedXML()
            # A filter is one of a prefix, a tag or their conjunction, never two.
            chosen = [c for c in _FILTER_CHOICES if c in (config.get("Filter") or {})]
            if len(chosen) > 1:
                raise oe.MalformedXML()
        if kind is _TIERING:
            configurations.check_tierings(config["Tierings"])
        updated = configurations.with_set(bucket, kind.key, config_id, config)
        await self.objects.set_config(bucket, kind.key, updated)
        return {}

    async def _get_by_id(self, kind: _Kind, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        return {kind.shape: configurations.stored(bucket, kind.key, params["Id"])}

    async def _delete_by_id(self, kind: _Kind, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        remaining = configurations.remove(bucket, kind.key, params["Id"])
        await self.objects.set_config(bucket, kind.key, remaining)
        return {}

    async def _list_by_id(self, kind: _Kind, params: dict[str, Any]) -> dict[str, Any]:
        bucket = self.objects.bucket(params["Bucket"])
        token = params.get("ContinuationToken")
        items, following = configurations.page(bucket, kind.key, token)
        out: dict[str, Any] = {"IsTruncated": following is not None}
        if items:
            out[f"{kind.shape}List"] = items
        if token:
            out["ContinuationToken"] = token
        if following:
            out["NextContinuationToken"] = following
        return out

    # -- analytics -----------------------------------------------------------------------
    async def put_bucket_analytics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_by_id(_ANALYTICS, params)

    async def get_bucket_analytics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._get_by_id(_ANALYTICS, params)

    async def delete_bucket_analytics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._delete_by_id(_ANALYTICS, params)

    async def list_bucket_analytics_configurations(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._list_by_id(_ANALYTICS, params)

    # -- inventory -----------------------------------------------------------------------
    async def put_bucket_inventory_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_by_id(_INVENTORY, params)

    async def get_bucket_inventory_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._get_by_id(_INVENTORY, params)

    async def delete_bucket_inventory_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._delete_by_id(_INVENTORY, params)

    async def list_bucket_inventory_configurations(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._list_by_id(_INVENTORY, params)

    # -- metrics -------------------------------------------------------------------------
    async def put_bucket_metrics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_by_id(_METRICS, params)

    async def get_bucket_metrics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._get_by_id(_METRICS, params)

    async def delete_bucket_metrics_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._delete_by_id(_METRICS, params)

    async def list_bucket_metrics_configurations(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._list_by_id(_METRICS, params)

    # -- Intelligent-Tiering -------------------------------------------------------------
    async def put_bucket_intelligent_tiering_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._put_by_id(_TIERING, params)

    async def get_bucket_intelligent_tiering_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._get_by_id(_TIERING, params)

    async def delete_bucket_intelligent_tiering_configuration(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._delete_by_id(_TIERING, params)

    async def list_bucket_intelligent_tiering_configurations(
        self, ctx: RequestContext, params: dict[str, Any]
    ) -> dict[str, Any]:
        return await self._list_by_id(_TIERING, params)
