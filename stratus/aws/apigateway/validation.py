"""The Model and RequestValidator operations of the API Gateway (v1) management API.

Mixed into ``ApiGatewayProvider``: thin, like the rest of it (parsed request -> the
service's ``RestApis`` -> the output shape by its members).
"""

from __future__ import annotations

from typing import Any

from stratus.aws.apigateway.pages import page
from stratus.aws.apigatewayv2.shapes import fields, render
from stratus.aws.context import RequestContext
from stratus.services.apis.rest_apis import RestApis
from stratus.services.apis.rest_model import RestApi

Params = dict[str, Any]
S = "apigateway"


class ModelAndValidatorOperations:
    _apis: RestApis

    def _api(self, ctx: RequestContext, params: Params) -> RestApi:
        return self._apis.get(ctx.account_id, params["restApiId"])

    # -- models ------------------------------------------------------------------------------
    async def create_model(self, ctx: RequestContext, params: Params) -> Params:
        model = await self._apis.create_model(self._api(ctx, params), fields(params, "restApiId"))
        return render(S, "Model", model)

    async def get_model(self, ctx: RequestContext, params: Params) -> Params:
        return render(S, "Model", self._apis.model(self._api(ctx, params), params["modelName"]))

    async def get_models(self, ctx: RequestContext, params: Params) -> Params:
        api = self._api(ctx, params)
        return page(api.models.values(), lambda m: m.name, params, lambda m: render(S, "Model", m))

    async def update_model(self, ctx: RequestContext, params: Params) -> Params:
        model = await self._apis.update_model(
            self._api(ctx, params), params["modelName"], params.get("patchOperations") or []
        )
        return render(S, "Model", model)

    async def delete_model(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_model(self._api(ctx, params), params["modelName"])
        return {}

    # -- request validators -----------------------------------------------------------------
    async def create_request_validator(self, ctx: RequestContext, params: Params) -> Params:
        validator = await self._apis.create_request_validator(
            self._api(ctx, params), fields(params, "restApiId")
        )
        return render(S, "RequestValidator", validator)

    async def get_request_validator(self, ctx: RequestContext, params: Params) -> Params:
        validator = self._apis.request_validator(
            self._api(ctx, params), params["requestValidatorId"]
        )
        return render(S, "RequestValidator", validator)

    async def get_request_validators(self, ctx: RequestContext, params: Params) -> Params:
        api = self._api(ctx, params)
        return page(
            api.request_validators.values(),
            lambda v: v.id,
            params,
            lambda v: render(S, "RequestValidator", v),
        )

    async def update_request_validator(self, ctx: RequestContext, params: Params) -> Params:
        validator = await self._apis.update_request_validator(
            self._api(ctx, params),
            params["requestValidatorId"],
            params.get("patchOperations") or [],
        )
        return render(S, "RequestValidator", validator)

    async def delete_request_validator(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_request_validator(
            self._api(ctx, params), params["requestValidatorId"]
        )
        return {}
