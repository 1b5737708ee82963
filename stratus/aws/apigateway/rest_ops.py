"""The API Gateway (v1) operations beyond the basic create/get/delete ones: gateway
responses, Update* operations, method responses, import and export of OpenAPI
definitions, tags, account settings. A mixin of :class:`ApiGatewayProvider`, kept apart so
the provider stays a readable list of the core operations.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from stratus.aws.apigateway.pages import page
from stratus.aws.apigatewayv2.shapes import render
from stratus.aws.context import RequestContext
from stratus.services.apis.documentation import RestDocumentation
from stratus.services.apis.errors import NotFound
from stratus.services.apis.gateway_responses import GatewayResponse
from stratus.services.apis.openapi_export import export_stage
from stratus.services.apis.openapi_import import import_into, import_new, parse_definition
from stratus.services.apis.rest_account import API_KEY_VERSION, FEATURES, THROTTLE, RestAccounts
from stratus.services.apis.rest_edits import RestApiEdits
from stratus.services.apis.rest_policy import wire_policy
from stratus.services.apis.rest_tags import RestTags

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis
    from stratus.services.apis.rest_model import RestApi

__all__ = ["RestApiOperations", "gateway_response_shape", "rest_api_shape"]

Params = dict[str, Any]
S = "apigateway"


def rest_api_shape(api: RestApi) -> Params:
    """The RestApi shape; its ``policy`` JSON-escaped, as AWS answers it."""
    return render(
        S,
        "RestApi",
        api,
        tags=api.tags or None,
        endpointConfiguration=api.endpoint_configuration or {"types": ["EDGE"]},
        policy=wire_policy(api.policy) if api.policy else None,
    )


def gateway_response_shape(response: GatewayResponse) -> Params:
    return render(
        S,
        "GatewayResponse",
        response,
        responseParameters=response.response_parameters,
        responseTemplates=response.response_templates,
        defaultResponse=response.default_response,
    )


def _body(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value or "").encode()


class RestApiOperations:
    """Operations that need :class:`RestApiEdits`, :class:`RestTags` or the account
    settings; the provider's ``_apis`` and ``_accounts`` are theirs."""

    _apis: RestApis
    _accounts: RestAccounts | None

    @property
    def _edits(self) -> RestApiEdits:
        return RestApiEdits(self._apis)

    def _api(self, ctx: RequestContext, params: Params) -> RestApi:
        return self._apis.get(ctx.account_id, params["restApiId"])

    # -- gateway responses ---------------------------------------------------------------
    async def put_gateway_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._edits.put_gateway_response(
            self._api(ctx, params),
            params["responseType"],
            params.get("statusCode"),
            params.get("responseParameters"),
            params.get("responseTemplates"),
        )
        return gateway_response_shape(response)

    async def get_gateway_response(self, ctx: RequestContext, params: Params) -> Params:
        return gateway_response_shape(
            self._edits.gateway_response(self._api(ctx, params), params["responseType"])
        )

    async def get_gateway_responses(self, ctx: RequestContext, params: Params) -> Params:
        listing = self._edits.gateway_responses(self._api(ctx, params))
        order = {r.response_type: f"{i:03d}" for i, r in enumerate(listing)}
        return page(listing, lambda r: order[r.response_type], params, gateway_response_shape)

    async def update_gateway_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._edits.update_gateway_response(
            self._api(ctx, params), params["responseType"], params.get("patchOperations") or []
        )
        return gateway_response_shape(response)

    async def delete_gateway_response(self, ctx: RequestContext, params: Params) -> Params:
        await self._edits.delete_gateway_response(self._api(ctx, params), params["responseType"])
        return {}

    # -- resources and method responses --------------------------------------------------
    async def update_resource(self, ctx: RequestContext, params: Params) -> Params:
        resource = await self._edits.update_resource(
            self._api(ctx, params), params["resourceId"], params.get("patchOperations") or []
        )
        return render(S, "Resource", resource)

    async def get_method_response(self, ctx: RequestContext, params: Params) -> Params:
        response = self._edits.method_response(
            self._api(ctx, params), params["resourceId"], params["httpMethod"], params["statusCode"]
        )
        return render(S, "MethodResponse", SimpleNamespace(**response))

    async def update_method_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._edits.update_method_response(
            self._api(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params["statusCode"],
            params.get("patchOperations") or [],
        )
        return render(S, "MethodResponse", SimpleNamespace(**response))

    async def delete_method_response(self, ctx: RequestContext, params: Params) -> Params:
        await self._edits.delete_method_response(
            self._api(ctx, params), params["resourceId"], params["httpMethod"], params["statusCode"]
        )
        return {}

    # -- deployments, authorizers, keys, plans -------------------------------------------
    async def update_deployment(self, ctx: RequestContext, params: Params) -> Params:
        deployment = await self._edits.update_deployment(
            self._api(ctx, params), params["deploymentId"], params.get("patchOperations") or []
        )
        return render(S, "Deployment", deployment)

    async def update_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        authorizer = await self._edits.update_authorizer(
            self._api(ctx, params), params["authorizerId"], params.get("patchOperations") or []
        )
        return render(S, "Authorizer", authorizer, providerARNs=authorizer.provider_arns)

    async def update_api_key(self, ctx: RequestContext, params: Params) -> Params:
        key = await self._edits.update_api_key(
            ctx.account_id, params["apiKey"], params.get("patchOperations") or []
        )
        return render(S, "ApiKey", key, value=None, tags=key.tags or None)

    async def update_usage_plan(self, ctx: RequestContext, params: Params) -> Params:
        plan = await self._edits.update_usage_plan(
            ctx.account_id, params["usagePlanId"], params.get("patchOperations") or []
        )
        return render(S, "UsagePlan", plan, tags=plan.tags or None)

    async def get_usage_plan_key(self, ctx: RequestContext, params: Params) -> Params:
        plan = self._apis.usage_plan(ctx.account_id, params["usagePlanId"])
        if params["keyId"] not in plan.key_ids:
            raise NotFound("Invalid API Key identifier specified")
        key = self._apis.api_key(ctx.account_id, params["keyId"])
        return {"id": key.id, "type": "API_KEY", "value": key.value, "name": key.name}

    # -- OpenAPI import and export -------------------------------------------------------
    async def import_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        document = await asyncio.to_thread(parse_definition, _body(params.get("body")))
        api = await import_new(self._apis, ctx.account_id, ctx.region, document)
        await self._import_documentation(api, document, "overwrite")
        return rest_api_shape(api)

    async def put_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        api = self._api(ctx, params)
        document = await asyncio.to_thread(parse_definition, _body(params.get("body")))
        await import_into(self._apis, api, document, params.get("mode") or "merge")
        await self._import_documentation(api, document, params.get("mode") or "merge")
        return rest_api_shape(api)

    async def _import_documentation(self, api: RestApi, document: Params, mode: str) -> None:
        """A definition's ``x-amazon-apigateway-documentation`` becomes the API's
        documentation parts, as ImportDocumentationParts would import them."""
        extension = document.get("x-amazon-apigateway-documentation")
        if isinstance(extension, dict) and isinstance(extension.get("documentationParts"), list):
            await RestDocumentation(self._apis).import_parts(api, document, mode, False)

    async def get_export(self, ctx: RequestContext, params: Params) -> Params:
        api = self._api(ctx, params)
        stage = self._apis.stage(api, params["stageName"])
        content_type, body = export_stage(
            api,
            stage,
            params["exportType"],
            dict(params.get("parameters") or {}),
            params.get("accepts"),
            f"{api.id}.execute-api.localhost",
        )
        extension = "yaml" if content_type == "application/yaml" else "json"
        return {
            "contentType": content_type,
            "contentDisposition": (
                f'attachment; filename="{params["exportType"]}_{stage.stage_name}.{extension}"'
            ),
            "body": body,
        }

    # -- tags ---------------------------------------------------------------------------------
    async def tag_resource(self, ctx: RequestContext, params: Params) -> Params:
        await RestTags(self._apis).tag(
            ctx.account_id, params["resourceArn"], dict(params.get("tags") or {})
        )
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Params:
        await RestTags(self._apis).untag(
            ctx.account_id, params["resourceArn"], list(params.get("tagKeys") or [])
        )
        return {}

    async def get_tags(self, ctx: RequestContext, params: Params) -> Params:
        return {"tags": dict(RestTags(self._apis).tags(ctx.account_id, params["resourceArn"]))}

    # -- account ---------------------------------------------------------------------------
    def _account_shape(self, role: str | None) -> Params:
        out: Params = {
            "throttleSettings": dict(THROTTLE),
            "features": list(FEATURES),
            "apiKeyVersion": API_KEY_VERSION,
        }
        if role:
            out["cloudwatchRoleArn"] = role
        return out

    async def get_account(self, ctx: RequestContext, params: Params) -> Params:
        if self._accounts is None:
            return self._account_shape(None)
        return self._account_shape(
            self._accounts.get(ctx.account_id, ctx.region).cloudwatch_role_arn
        )

    async def update_account(self, ctx: RequestContext, params: Params) -> Params:
        assert self._accounts is not None, "the provider was built without account settings"
        settings = await self._accounts.update(
            ctx.account_id, ctx.region, params.get("patchOperations") or []
        )
        return self._account_shape(settings.cloudwatch_role_arn)
