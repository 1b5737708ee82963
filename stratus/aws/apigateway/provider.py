"""The API Gateway (v1) management API (rest-json): REST APIs, API keys, usage plans.

Thin, like the v2 adapter: members become record fields by ``xform_name`` and records
render back by the output shape's members.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from stratus.aws.apigateway.docs_ops import DocumentationOperations
from stratus.aws.apigateway.domains import DomainNameOperations
from stratus.aws.apigateway.links_ops import LinkOperations
from stratus.aws.apigateway.pages import page
from stratus.aws.apigateway.rest_ops import RestApiOperations, rest_api_shape
from stratus.aws.apigateway.test_ops import GatewayOperations
from stratus.aws.apigateway.usage_ops import UsageOperations
from stratus.aws.apigateway.validation import ModelAndValidatorOperations
from stratus.aws.apigatewayv2.shapes import fields, render
from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.gateway.rest_api import RestApiServer
from stratus.services.apis.domains import DomainNames, StageCheck
from stratus.services.apis.errors import ApiError, BadRequest, Conflict, NotFound
from stratus.services.apis.rest_account import RestAccounts
from stratus.services.apis.rest_apis import RestApis
from stratus.services.apis.rest_model import (
    ApiKey,
    Resource,
    RestApi,
    RestIntegration,
    RestMethod,
    RestStage,
    UsagePlan,
)

Params = dict[str, Any]
S = "apigateway"
_IDS = (
    "restApiId",
    "resourceId",
    "httpMethod",
    "statusCode",
    "stageName",
    "deploymentId",
    "apiKey",
    "usagePlanId",
    "keyId",
)


def _integration(integration: RestIntegration) -> Params:
    return render(
        S,
        "Integration",
        integration,
        integrationResponses={
            k: render(S, "IntegrationResponse", SimpleNamespace(**v))
            for k, v in integration.integration_responses.items()
        }
        or None,
        cacheKeyParameters=integration.cache_key_parameters,
    )


def _method(method: RestMethod) -> Params:
    return render(
        S,
        "Method",
        method,
        methodIntegration=_integration(method.method_integration)
        if method.method_integration
        else None,
        methodResponses={
            k: render(S, "MethodResponse", SimpleNamespace(**v))
            for k, v in method.method_responses.items()
        }
        or None,
    )


def _resource(resource: Resource) -> Params:
    return render(
        S,
        "Resource",
        resource,
        resourceMethods={k: _method(m) for k, m in resource.methods.items()} or None,
    )


def _stage(stage: RestStage) -> Params:
    settings = {
        key: {_setting_member(k): v for k, v in values.items()}
        for key, values in stage.method_settings.items()
    }
    return render(
        S,
        "Stage",
        stage,
        variables=stage.variables or None,
        methodSettings=settings or None,
        tags=stage.tags or None,
    )


def _setting_member(path: str) -> str:
    """``throttling/rateLimit`` -> ``throttlingRateLimit`` (MethodSetting's members)."""
    head, _, tail = path.partition("/")
    return head + tail[:1].upper() + tail[1:] if tail else head


def _key(key: ApiKey, include_value: bool) -> Params:
    return render(
        S, "ApiKey", key, value=key.value if include_value else None, tags=key.tags or None
    )


def _plan(plan: UsagePlan) -> Params:
    return render(S, "UsagePlan", plan, tags=plan.tags or None)


class ApiGatewayProvider(
    ModelAndValidatorOperations,
    RestApiOperations,
    DomainNameOperations,
    UsageOperations,
    GatewayOperations,
    DocumentationOperations,
    LinkOperations,
):
    errors = ErrorTable(
        {
            NotFound: ErrorRule("NotFoundException"),
            Conflict: ErrorRule("ConflictException"),
            BadRequest: ErrorRule("BadRequestException"),
            ApiError: ErrorRule("BadRequestException"),
        }
    )

    def __init__(
        self,
        apis: RestApis,
        accounts: RestAccounts | None = None,
        domains: DomainNames | None = None,
        rest_stage_check: StageCheck | None = None,
        rest_server: RestApiServer | None = None,
    ) -> None:
        self._apis = apis
        self._rest_server = rest_server
        self._accounts = accounts
        self._domains = domains
        if rest_stage_check is not None:
            self._rest_stage_check = rest_stage_check

    def _get(self, ctx: RequestContext, params: Params) -> RestApi:
        return self._apis.get(ctx.account_id, params["restApiId"])

    # -- REST APIs -------------------------------------------------------------------------
    async def create_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("cloneFrom"):
            raise BadRequest("cloneFrom is not supported by Stratus")
        api = await self._apis.create(ctx.account_id, ctx.region, fields(params))
        return rest_api_shape(api)

    async def get_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        return rest_api_shape(self._get(ctx, params))

    async def get_rest_apis(self, ctx: RequestContext, params: Params) -> Params:
        return page(self._apis.in_account(ctx.account_id), lambda a: a.id, params, rest_api_shape)

    async def update_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        api = await self._apis.update(
            ctx.account_id, params["restApiId"], params.get("patchOperations") or []
        )
        return rest_api_shape(api)

    async def delete_rest_api(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete(ctx.account_id, params["restApiId"])
        return {}

    # -- resources ----------------------------------------------------------------------------
    async def get_resources(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return page(api.resources.values(), lambda r: r.path, params, _resource)

    async def get_resource(self, ctx: RequestContext, params: Params) -> Params:
        return _resource(self._apis.resource(self._get(ctx, params), params["resourceId"]))

    async def create_resource(self, ctx: RequestContext, params: Params) -> Params:
        resource = await self._apis.create_resource(
            self._get(ctx, params), params["parentId"], params["pathPart"]
        )
        return _resource(resource)

    async def delete_resource(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_resource(self._get(ctx, params), params["resourceId"])
        return {}

    # -- methods -----------------------------------------------------------------------------
    async def put_method(self, ctx: RequestContext, params: Params) -> Params:
        method = await self._apis.put_method(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            fields(params, *_IDS),
        )
        return _method(method)

    async def get_method(self, ctx: RequestContext, params: Params) -> Params:
        return _method(
            self._apis.method(self._get(ctx, params), params["resourceId"], params["httpMethod"])
        )

    async def update_method(self, ctx: RequestContext, params: Params) -> Params:
        method = await self._apis.update_method(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params.get("patchOperations") or [],
        )
        return _method(method)

    async def delete_method(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_method(
            self._get(ctx, params), params["resourceId"], params["httpMethod"]
        )
        return {}

    async def put_method_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._apis.put_method_response(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params["statusCode"],
            fields(params, *_IDS),
        )
        return render(S, "MethodResponse", SimpleNamespace(**response))

    # -- integrations ------------------------------------------------------------------------
    async def put_integration(self, ctx: RequestContext, params: Params) -> Params:
        integration = await self._apis.put_integration(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            fields(params, *_IDS),
        )
        return _integration(integration)

    async def get_integration(self, ctx: RequestContext, params: Params) -> Params:
        return _integration(
            self._apis.integration(
                self._get(ctx, params), params["resourceId"], params["httpMethod"]
            )
        )

    async def update_integration(self, ctx: RequestContext, params: Params) -> Params:
        integration = await self._apis.update_integration(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params.get("patchOperations") or [],
        )
        return _integration(integration)

    async def update_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._apis.update_integration_response(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params["statusCode"],
            params.get("patchOperations") or [],
        )
        return render(S, "IntegrationResponse", SimpleNamespace(**response))

    async def delete_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_integration_response(
            self._get(ctx, params), params["resourceId"], params["httpMethod"], params["statusCode"]
        )
        return {}

    async def delete_integration(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_integration(
            self._get(ctx, params), params["resourceId"], params["httpMethod"]
        )
        return {}

    async def put_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        response = await self._apis.put_integration_response(
            self._get(ctx, params),
            params["resourceId"],
            params["httpMethod"],
            params["statusCode"],
            fields(params, *_IDS),
        )
        return render(S, "IntegrationResponse", SimpleNamespace(**response))

    async def get_integration_response(self, ctx: RequestContext, params: Params) -> Params:
        response = self._apis.integration_response(
            self._get(ctx, params), params["resourceId"], params["httpMethod"], params["statusCode"]
        )
        return render(S, "IntegrationResponse", SimpleNamespace(**response))

    # -- authorizers -------------------------------------------------------------------------
    async def create_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        authorizer = await self._apis.create_authorizer(
            self._get(ctx, params), fields(params, *_IDS)
        )
        return render(S, "Authorizer", authorizer)

    async def get_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        return render(
            S, "Authorizer", self._apis.authorizer(self._get(ctx, params), params["authorizerId"])
        )

    async def get_authorizers(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return page(
            api.authorizers.values(), lambda a: a.id, params, lambda a: render(S, "Authorizer", a)
        )

    async def delete_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_authorizer(self._get(ctx, params), params["authorizerId"])
        return {}

    # -- deployments and stages ------------------------------------------------------------
    async def create_deployment(self, ctx: RequestContext, params: Params) -> Params:
        deployment = await self._apis.create_deployment(
            self._get(ctx, params),
            params.get("stageName"),
            params.get("description"),
            params.get("variables"),
        )
        return render(S, "Deployment", deployment)

    async def get_deployment(self, ctx: RequestContext, params: Params) -> Params:
        return render(
            S, "Deployment", self._apis.deployment(self._get(ctx, params), params["deploymentId"])
        )

    async def get_deployments(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return page(
            api.deployments.values(), lambda d: d.id, params, lambda d: render(S, "Deployment", d)
        )

    async def delete_deployment(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_deployment(self._get(ctx, params), params["deploymentId"])
        return {}

    async def create_stage(self, ctx: RequestContext, params: Params) -> Params:
        stage = await self._apis.create_stage(self._get(ctx, params), fields(params, "restApiId"))
        return _stage(stage)

    async def get_stage(self, ctx: RequestContext, params: Params) -> Params:
        return _stage(self._apis.stage(self._get(ctx, params), params["stageName"]))

    async def get_stages(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return {"item": [_stage(s) for s in api.stages.values()]}

    async def update_stage(self, ctx: RequestContext, params: Params) -> Params:
        stage = await self._apis.update_stage(
            self._get(ctx, params), params["stageName"], params.get("patchOperations") or []
        )
        return _stage(stage)

    async def delete_stage(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_stage(self._get(ctx, params), params["stageName"])
        return {}

    # -- API keys and usage plans ----------------------------------------------------------
    async def create_api_key(self, ctx: RequestContext, params: Params) -> Params:
        key = await self._apis.create_api_key(ctx.account_id, fields(params))
        return _key(key, True)

    async def get_api_key(self, ctx: RequestContext, params: Params) -> Params:
        key = self._apis.api_key(ctx.account_id, params["apiKey"])
        return _key(key, bool(params.get("includeValue")))

    async def get_api_keys(self, ctx: RequestContext, params: Params) -> Params:
        include = bool(params.get("includeValues"))
        keys = [
            k
            for k in self._apis.api_keys(ctx.account_id)
            if (k.name or "").startswith(params.get("nameQuery") or "")
            and (not params.get("customerId") or k.customer_id == params["customerId"])
        ]
        return page(keys, lambda k: k.id, params, lambda k: _key(k, include))

    async def delete_api_key(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_api_key(ctx.account_id, params["apiKey"])
        return {}

    async def create_usage_plan(self, ctx: RequestContext, params: Params) -> Params:
        return _plan(await self._apis.create_usage_plan(ctx.account_id, fields(params)))

    async def get_usage_plan(self, ctx: RequestContext, params: Params) -> Params:
        return _plan(self._apis.usage_plan(ctx.account_id, params["usagePlanId"]))

    async def get_usage_plans(self, ctx: RequestContext, params: Params) -> Params:
        plans = [
            p
            for p in self._apis.usage_plans(ctx.account_id)
            if not params.get("keyId") or params["keyId"] in p.key_ids
        ]
        return page(plans, lambda p: p.id, params, _plan)

    async def delete_usage_plan(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_usage_plan(ctx.account_id, params["usagePlanId"])
        return {}

    async def create_usage_plan_key(self, ctx: RequestContext, params: Params) -> Params:
        key = await self._apis.create_usage_plan_key(
            ctx.account_id, params["usagePlanId"], params["keyId"], params["keyType"]
        )
        return {"id": key.id, "type": "API_KEY", "value": key.value, "name": key.name}

    async def get_usage_plan_keys(self, ctx: RequestContext, params: Params) -> Params:
        plan = self._apis.usage_plan(ctx.account_id, params["usagePlanId"])
        keys = [self._apis.api_key(ctx.account_id, key_id) for key_id in plan.key_ids]
        keys = [k for k in keys if (k.name or "").startswith(params.get("nameQuery") or "")]
        return page(
            keys,
            lambda k: k.id,
            params,
            lambda k: {"id": k.id, "type": "API_KEY", "value": k.value, "name": k.name},
        )

    async def delete_usage_plan_key(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_usage_plan_key(
            ctx.account_id, params["usagePlanId"], params["keyId"]
        )
        return {}
