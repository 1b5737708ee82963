"""Route responses, integration responses and models of the v2 management API.

Mixed into ``ApiGatewayV2Provider``: thin, parameters become record fields, the APIs
service checks and stores, records render by the output shape's members.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.apigatewayv2.pages import listing
from stratus.aws.apigatewayv2.shapes import fields, render
from stratus.aws.context import RequestContext
from stratus.services.apis.http_apis import HttpApis
from stratus.services.apis.model import HttpApi

Params = dict[str, Any]
S = "apigatewayv2"


class ResponsesOperations:
    """CreateRouteResponse ... GetModelTemplate."""

    _apis: HttpApis

    def _get(self, ctx: RequestContext, params: Params) -> HttpApi:
        raise NotImplementedError  # the provider finds the API

    # -- route responses -------------------------------------------------------------------
    async def create_route_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = await self._apis.create_route_response(
            api, params["RouteId"], fields(params, "ApiId", "RouteId")
        )
        return render(S, "CreateRouteResponseResponse", response)

    async def get_route_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = self._apis.route_response(api, params["RouteId"], params["RouteResponseId"])
        return render(S, "GetRouteResponseResponse", response)

    async def get_route_responses(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            self._apis.route_responses_of(api, params["RouteId"]),
            lambda r: r.route_response_id,
            params,
            lambda r: render(S, "RouteResponse", r),
        )

    async def update_route_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = await self._apis.update_route_response(
            api,
            params["RouteId"],
            params["RouteResponseId"],
            fields(params, "ApiId", "RouteId", "RouteResponseId"),
        )
        return render(S, "UpdateRouteResponseResponse", response)

    async def delete_route_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        await self._apis.delete_route_response(api, params["RouteId"], params["RouteResponseId"])
        return {}

    # -- integration responses ---------------------------------------------------------------
    async def create_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = await self._apis.create_integration_response(
            api, params["IntegrationId"], fields(params, "ApiId", "IntegrationId")
        )
        return render(S, "CreateIntegrationResponseResponse", response)

    async def get_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = self._apis.integration_response(
            api, params["IntegrationId"], params["IntegrationResponseId"]
        )
        return render(S, "GetIntegrationResponseResponse", response)

    async def get_integration_responses(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            self._apis.integration_responses_of(api, params["IntegrationId"]),
            lambda r: r.integration_response_id,
            params,
            lambda r: render(S, "IntegrationResponse", r),
        )

    async def update_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        response = await self._apis.update_integration_response(
            api,
            params["IntegrationId"],
            params["IntegrationResponseId"],
            fields(params, "ApiId", "IntegrationId", "IntegrationResponseId"),
        )
        return render(S, "UpdateIntegrationResponseResponse", response)

    async def delete_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        await self._apis.delete_integration_response(
            api, params["IntegrationId"], params["IntegrationResponseId"]
        )
        return {}

    # -- models ------------------------------------------------------------------------------
    async def create_model(self, ctx: RequestContext, params: Params) -> Params:
        model = await self._apis.create_model(self._get(ctx, params), fields(params, "ApiId"))
        return render(S, "CreateModelResponse", model)

    async def get_model(self, ctx: RequestContext, params: Params) -> Params:
        model = self._apis.model(self._get(ctx, params), params["ModelId"])
        return render(S, "GetModelResponse", model)

    async def get_models(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            list(api.models.values()),
            lambda m: m.model_id,
            params,
            lambda m: render(S, "Model", m),
        )

    async def update_model(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        model = await self._apis.update_model(
            api, params["ModelId"], fields(params, "ApiId", "ModelId")
        )
        return render(S, "UpdateModelResponse", model)

    async def delete_model(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_model(self._get(ctx, params), params["ModelId"])
        return {}

    async def get_model_template(self, ctx: RequestContext, params: Params) -> Params:
        return {"Value": self._apis.model_template(self._get(ctx, params), params["ModelId"])}
