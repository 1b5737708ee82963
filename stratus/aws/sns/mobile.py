"""SNS's mobile push operations: platform applications and their endpoints."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.topics.mobile import MobilePush
from stratus.services.topics.mobile_rules import public_attributes

Params = dict[str, Any]
Result = dict[str, Any]


class MobileOperations:
    _mobile: MobilePush

    # -- platform applications -------------------------------------------------------
    async def create_platform_application(self, ctx: RequestContext, params: Params) -> Result:
        application = await self._mobile.create_application(
            ctx.scope, params["Name"], params["Platform"], params.get("Attributes") or {}
        )
        return {"PlatformApplicationArn": application.arn}

    async def get_platform_application_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        return {
            "Attributes": self._mobile.application_attributes(
                ctx.scope, params["PlatformApplicationArn"]
            )
        }

    async def set_platform_application_attributes(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._mobile.set_application_attributes(
            ctx.scope, params["PlatformApplicationArn"], params.get("Attributes") or {}
        )
        return {}

    async def list_platform_applications(self, ctx: RequestContext, params: Params) -> Result:
        applications, token = self._mobile.list_applications(ctx.scope, params.get("NextToken"))
        result: Result = {
            "PlatformApplications": [
                {
                    "PlatformApplicationArn": a.arn,
                    "Attributes": public_attributes(a),
                }
                for a in applications
            ]
        }
        if token:
            result["NextToken"] = token
        return result

    async def delete_platform_application(self, ctx: RequestContext, params: Params) -> Result:
        await self._mobile.delete_application(ctx.scope, params["PlatformApplicationArn"])
        return {}

    # -- platform endpoints ----------------------------------------------------------
    async def create_platform_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        endpoint = await self._mobile.create_endpoint(
            ctx.scope,
            params["PlatformApplicationArn"],
            params["Token"],
            params.get("CustomUserData"),
            params.get("Attributes") or {},
        )
        return {"EndpointArn": endpoint.arn}

    async def get_endpoint_attributes(self, ctx: RequestContext, params: Params) -> Result:
        endpoint = self._mobile.endpoint(ctx.scope, params["EndpointArn"])
        return {"Attributes": dict(endpoint.attributes)}

    async def set_endpoint_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self._mobile.set_endpoint_attributes(
            ctx.scope, params["EndpointArn"], params.get("Attributes") or {}
        )
        return {}

    async def list_endpoints_by_platform_application(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        endpoints, token = self._mobile.list_endpoints(
            ctx.scope, params["PlatformApplicationArn"], params.get("NextToken")
        )
        result: Result = {
            "Endpoints": [
                {"EndpointArn": e.arn, "Attributes": dict(e.attributes)} for e in endpoints
            ]
        }
        if token:
            result["NextToken"] = token
        return result

    async def delete_endpoint(self, ctx: RequestContext, params: Params) -> Result:
        await self._mobile.delete_endpoint(ctx.scope, params["EndpointArn"])
        return {}
