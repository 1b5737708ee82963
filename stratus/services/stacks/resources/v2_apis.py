"""AWS::ApiGatewayV2::Api with an OpenAPI ``Body``, and the v2 resources that hang off a
route or an integration: RouteResponse, IntegrationResponse, Model.

An API with a ``Body`` goes through the management API's own ImportApi (with the
resource's ``Basepath`` and ``FailOnWarnings``), so a template and a ``aws apigatewayv2
import-api`` make the same API; the resource's own properties (``Name``,
``Description``, ``CorsConfiguration``, ``Tags`` ...) then override the definition's, as
CloudFormation applies them.
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
)

_OVERRIDES = (
    "Name",
    "Description",
    "CorsConfiguration",
    "Version",
    "DisableExecuteApiEndpoint",
    "ApiKeySelectionExpression",
    "RouteSelectionExpression",
)


async def import_body(ctx: Provisioning, props: dict[str, Any], body: Any) -> dict[str, Any]:
    """ImportApi of ``body`` (a template's JSON object, or the document as text), then
    the resource's overrides and tags; the API as UpdateApi answers it."""
    text = body if isinstance(body, str) else json.dumps(body)
    params: dict[str, Any] = {"Body": text}
    if props.get("Basepath"):
        params["Basepath"] = props["Basepath"]
    if props.get("FailOnWarnings") is not None:
        params["FailOnWarnings"] = props["FailOnWarnings"]
    api = await ctx.call("apigatewayv2", "ImportApi", params)
    overrides = pick(props, *_OVERRIDES)
    if overrides:
        api = await ctx.call("apigatewayv2", "UpdateApi", {"ApiId": api["ApiId"], **overrides})
    if props.get("Tags"):
        await ctx.call(
            "apigatewayv2",
            "TagResource",
            {
                "ResourceArn": f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}",
                "Tags": dict(props["Tags"]),
            },
        )
    return api


class V2ChildHandler(Handler):
    """RouteResponse, IntegrationResponse, Model: one create call of the same name; the
    delete names the parent (``RouteId``, ``IntegrationId``) as well as the API."""

    def __init__(self, kind: str, id_field: str, parent: str | None = None) -> None:
        self._kind = kind
        self._id = id_field
        self._parent = parent

    def _params(self, props: dict[str, Any]) -> dict[str, Any]:
        params = dict(props)
        if self._kind == "Model" and not isinstance(params.get("Schema"), str):
            # CloudFormation's Schema is a JSON object; the API takes the text
            params["Schema"] = json.dumps(params.get("Schema"))
        return params

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        made = await ctx.call("apigatewayv2", f"Create{self._kind}", self._params(props))
        physical = str(made[self._id])
        return Provisioned(physical, {self._id: physical})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        """In place, as CloudFormation updates these, unless the API or the parent
        changed (a replacement)."""
        parents = ("ApiId",) if self._parent is None else ("ApiId", self._parent)
        if any(old.get(name) != new.get(name) for name in parents):
            return None
        params = {**self._params(new), self._id: current.physical_id}
        await ctx.call("apigatewayv2", f"Update{self._kind}", params)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        params = {"ApiId": props["ApiId"], self._id: current.physical_id}
        if self._parent is not None:
            params[self._parent] = props[self._parent]
        await ignore_missing(ctx.call("apigatewayv2", f"Delete{self._kind}", params))


class VpcLinkHandler(Handler):
    """AWS::ApiGatewayV2::VpcLink: CreateVpcLink; ``Ref`` and ``VpcLinkId`` are its id. A
    new name or new tags change it in place; new subnets or security groups replace it,
    as CloudFormation's resource reference says."""

    required = ("Name", "SubnetIds")

    @staticmethod
    def _arn(ctx: Provisioning, vpc_link_id: str) -> str:
        return f"arn:aws:apigateway:{ctx.region}::/vpclinks/{vpc_link_id}"

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = pick(props, "Name", "SubnetIds", "SecurityGroupIds")
        if props.get("Tags"):
            params["Tags"] = dict(props["Tags"])
        made = await ctx.call("apigatewayv2", "CreateVpcLink", params)
        physical = str(made["VpcLinkId"])
        return Provisioned(physical, {"VpcLinkId": physical})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        fixed = ("SubnetIds", "SecurityGroupIds")
        if any(old.get(name) != new.get(name) for name in fixed):
            return None
        if old.get("Name") != new.get("Name"):
            await ctx.call(
                "apigatewayv2",
                "UpdateVpcLink",
                {"VpcLinkId": current.physical_id, "Name": new["Name"]},
            )
        old_tags, new_tags = dict(old.get("Tags") or {}), dict(new.get("Tags") or {})
        gone = [key for key in old_tags if key not in new_tags]
        arn = self._arn(ctx, current.physical_id)
        if gone:
            await ctx.call("apigatewayv2", "UntagResource", {"ResourceArn": arn, "TagKeys": gone})
        if new_tags and new_tags != old_tags:
            await ctx.call("apigatewayv2", "TagResource", {"ResourceArn": arn, "Tags": new_tags})
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("apigatewayv2", "DeleteVpcLink", {"VpcLinkId": current.physical_id})
        )
