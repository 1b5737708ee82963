"""VPC links of the v2 management API: CreateVpcLink ... DeleteVpcLink.

Mixed into ``ApiGatewayV2Provider``: thin, the APIs service's ``VpcLinks`` checks and
stores, records render by the output shape's members.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.apigatewayv2.pages import listing
from stratus.aws.apigatewayv2.shapes import render
from stratus.aws.context import RequestContext
from stratus.services.apis.errors import NotFound
from stratus.services.apis.vpc_links import VpcLink, VpcLinks

Params = dict[str, Any]
S = "apigatewayv2"


class VpcLinkOperations:
    """CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink, DeleteVpcLink."""

    _vpc_links: VpcLinks | None

    def _links(self) -> VpcLinks:
        if self._vpc_links is None:  # a provider built without them (tests of others)
            raise NotFound("VPC links are not served here")
        return self._vpc_links

    @staticmethod
    def _link(link: VpcLink, shape: str) -> Params:
        return render(S, shape, link, Tags=link.tags or None)

    async def create_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        link = await self._links().create(
            ctx.account_id,
            ctx.region,
            params["Name"],
            params.get("SubnetIds") or [],
            params.get("SecurityGroupIds"),
            params.get("Tags"),
        )
        return self._link(link, "CreateVpcLinkResponse")

    async def get_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        link = self._links().get(ctx.account_id, params["VpcLinkId"])
        return self._link(link, "GetVpcLinkResponse")

    async def get_vpc_links(self, ctx: RequestContext, params: Params) -> Params:
        return listing(
            self._links().in_account(ctx.account_id),
            lambda link: link.vpc_link_id,
            params,
            lambda link: self._link(link, "VpcLink"),
        )

    async def update_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        link = await self._links().update(ctx.account_id, params["VpcLinkId"], params.get("Name"))
        return self._link(link, "UpdateVpcLinkResponse")

    async def delete_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        await self._links().delete(ctx.account_id, params["VpcLinkId"])
        return {}

    def _tagged_link(self, ctx: RequestContext, arn: str) -> VpcLink | None:
        """The VPC link ``arn:aws:apigateway:{region}::/vpclinks/{id}`` names (None: the
        ARN names no VPC link)."""
        marker = "::/vpclinks/"
        if not arn.startswith("arn:") or marker not in arn:
            return None
        vpc_link_id = arn.split(marker, 1)[1]
        if not vpc_link_id or "/" in vpc_link_id:
            raise NotFound(f"Invalid resource ARN specified {arn}")
        return self._links().get(ctx.account_id, vpc_link_id)
