"""The API Gateway v2 management API (rest-json): HTTP and WebSocket APIs.

Thin: parsed parameters become record fields (``shapes.fields``), the APIs service does
the work, records render back by the output shape's members (``shapes.render``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stratus.aws.apigatewayv2.domains import DomainOperations
from stratus.aws.apigatewayv2.imports import ImportOperations
from stratus.aws.apigatewayv2.pages import listing
from stratus.aws.apigatewayv2.responses import ResponsesOperations
from stratus.aws.apigatewayv2.shapes import fields, render
from stratus.aws.apigatewayv2.vpc_links import VpcLinkOperations
from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.services.apis.domains import DomainNames, StageCheck
from stratus.services.apis.errors import ApiError, BadRequest, Conflict, NotFound
from stratus.services.apis.http_apis import HttpApis
from stratus.services.apis.model import HttpApi
from stratus.services.apis.vpc_links import VpcLinks

Params = dict[str, Any]
S = "apigatewayv2"


class ApiGatewayV2Provider(
    ResponsesOperations, ImportOperations, DomainOperations, VpcLinkOperations
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
        apis: HttpApis,
        gateway_port: int,
        domains: DomainNames | None = None,
        stage_check: StageCheck | None = None,
        reset_authorizers: Callable[[str, str], object] | None = None,
        vpc_links: VpcLinks | None = None,
    ) -> None:
        self._apis = apis
        self._vpc_links = vpc_links
        # the gateway's Lambda authorizer cache, emptied per stage by ResetAuthorizersCache
        self._reset_authorizers = reset_authorizers
        self._port = gateway_port
        self._domains = domains
        if stage_check is not None:
            self._stage_check = stage_check

    def endpoint(self, api: HttpApi) -> str:
        scheme = "ws" if api.protocol_type == "WEBSOCKET" else "http"
        return f"{scheme}://{api.api_id}.execute-api.localhost:{self._port}"

    def _api(self, api: HttpApi, shape: str = "GetApiResponse") -> Params:
        return render(
            S,
            shape,
            api,
            ApiEndpoint=self.endpoint(api),
            ApiGatewayManaged=None,
            CorsConfiguration=api.cors_configuration or None,
            Tags=api.tags or None,
        )

    def _get(self, ctx: RequestContext, params: Params) -> HttpApi:
        return self._apis.get(ctx.account_id, params["ApiId"])

    # -- APIs --------------------------------------------------------------------------
    async def create_api(self, ctx: RequestContext, params: Params) -> Params:
        values = fields(params, "Target", "RouteKey", "CredentialsArn")
        api = await self._apis.create(
            ctx.account_id,
            ctx.region,
            values,
            target=params.get("Target"),
            route_key=params.get("RouteKey"),
        )
        return self._api(api, "CreateApiResponse")

    async def get_api(self, ctx: RequestContext, params: Params) -> Params:
        return self._api(self._get(ctx, params))

    async def get_apis(self, ctx: RequestContext, params: Params) -> Params:
        apis = self._apis.in_account(ctx.account_id)
        return listing(apis, lambda a: a.api_id, params, lambda a: self._api(a, "Api"))

    async def update_api(self, ctx: RequestContext, params: Params) -> Params:
        values = fields(params, "ApiId", "Target", "RouteKey", "CredentialsArn")
        api = await self._apis.update(ctx.account_id, params["ApiId"], values)
        return self._api(api, "UpdateApiResponse")

    async def delete_api(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete(ctx.account_id, params["ApiId"])
        return {}

    async def delete_cors_configuration(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_cors(ctx.account_id, params["ApiId"])
        return {}

    # -- routes --------------------------------------------------------------------------
    async def create_route(self, ctx: RequestContext, params: Params) -> Params:
        route = await self._apis.create_route(self._get(ctx, params), fields(params, "ApiId"))
        return render(S, "CreateRouteResult", route)

    async def get_route(self, ctx: RequestContext, params: Params) -> Params:
        route = self._apis.route(self._get(ctx, params), params["RouteId"])
        return render(S, "GetRouteResult", route)

    async def get_routes(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        routes = list(api.routes.values())
        return listing(routes, lambda r: r.route_id, params, lambda r: render(S, "Route", r))

    async def update_route(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        route = await self._apis.update_route(
            api, params["RouteId"], fields(params, "ApiId", "RouteId")
        )
        return render(S, "UpdateRouteResult", route)

    async def delete_route(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_route(self._get(ctx, params), params["RouteId"])
        return {}

    async def delete_route_request_parameter(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_route_request_parameter(
            self._get(ctx, params), params["RouteId"], params["RequestParameterKey"]
        )
        return {}

    # -- integrations ------------------------------------------------------------------
    async def create_integration(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        integration = await self._apis.create_integration(api, fields(params, "ApiId"))
        return render(S, "CreateIntegrationResult", integration)

    async def get_integration(self, ctx: RequestContext, params: Params) -> Params:
        integration = self._apis.integration(self._get(ctx, params), params["IntegrationId"])
        return render(S, "GetIntegrationResult", integration)

    async def get_integrations(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            list(api.integrations.values()),
            lambda i: i.integration_id,
            params,
            lambda i: render(S, "Integration", i),
        )

    async def update_integration(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        integration = await self._apis.update_integration(
            api, params["IntegrationId"], fields(params, "ApiId", "IntegrationId")
        )
        return render(S, "UpdateIntegrationResult", integration)

    async def delete_integration(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_integration(self._get(ctx, params), params["IntegrationId"])
        return {}

    # -- authorizers ---------------------------------------------------------------------
    async def create_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        authorizer = await self._apis.create_authorizer(api, fields(params, "ApiId"))
        return render(S, "CreateAuthorizerResponse", authorizer)

    async def get_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        authorizer = self._apis.authorizer(self._get(ctx, params), params["AuthorizerId"])
        return render(S, "GetAuthorizerResponse", authorizer)

    async def get_authorizers(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            list(api.authorizers.values()),
            lambda a: a.authorizer_id,
            params,
            lambda a: render(S, "Authorizer", a),
        )

    async def update_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        authorizer = await self._apis.update_authorizer(
            api, params["AuthorizerId"], fields(params, "ApiId", "AuthorizerId")
        )
        return render(S, "UpdateAuthorizerResponse", authorizer)

    async def delete_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_authorizer(self._get(ctx, params), params["AuthorizerId"])
        return {}

    # -- stages --------------------------------------------------------------------------
    def _stage(self, stage: Any, shape: str) -> Params:
        return render(
            S,
            shape,
            stage,
            StageVariables=stage.stage_variables or None,
            RouteSettings=stage.route_settings or None,
            Tags=stage.tags or None,
            DefaultRouteSettings=stage.default_route_settings or {},
        )

    async def create_stage(self, ctx: RequestContext, params: Params) -> Params:
        stage = await self._apis.create_stage(self._get(ctx, params), fields(params, "ApiId"))
        return self._stage(stage, "CreateStageResponse")

    async def get_stage(self, ctx: RequestContext, params: Params) -> Params:
        stage = self._apis.stage(self._get(ctx, params), params["StageName"])
        return self._stage(stage, "GetStageResponse")

    async def get_stages(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        stages = list(api.stages.values())
        return listing(stages, lambda s: s.stage_name, params, lambda s: self._stage(s, "Stage"))

    async def update_stage(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        stage = await self._apis.update_stage(
            api, params["StageName"], fields(params, "ApiId", "StageName")
        )
        return self._stage(stage, "UpdateStageResponse")

    async def delete_stage(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_stage(self._get(ctx, params), params["StageName"])
        return {}

    # -- deployments -----------------------------------------------------------------------
    async def create_deployment(self, ctx: RequestContext, params: Params) -> Params:
        deployment = await self._apis.create_deployment(
            self._get(ctx, params), params.get("StageName"), params.get("Description")
        )
        return render(S, "CreateDeploymentResponse", deployment)

    async def get_deployment(self, ctx: RequestContext, params: Params) -> Params:
        deployment = self._apis.deployment(self._get(ctx, params), params["DeploymentId"])
        return render(S, "GetDeploymentResponse", deployment)

    async def get_deployments(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        return listing(
            list(api.deployments.values()),
            lambda d: d.deployment_id,
            params,
            lambda d: render(S, "Deployment", d),
        )

    async def update_deployment(self, ctx: RequestContext, params: Params) -> Params:
        deployment = await self._apis.update_deployment(
            self._get(ctx, params), params["DeploymentId"], params.get("Description")
        )
        return render(S, "UpdateDeploymentResponse", deployment)

    async def delete_deployment(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.delete_deployment(self._get(ctx, params), params["DeploymentId"])
        return {}

    # -- tags ------------------------------------------------------------------------------
    def _tagged(self, ctx: RequestContext, arn: str) -> tuple[HttpApi, str | None]:
        """The API (and stage) an ARN names: ``arn:aws:apigateway:{region}::/apis/{id}``
        or ``.../apis/{id}/stages/{stage}``."""
        marker = "::/apis/"
        if not arn.startswith("arn:") or marker not in arn:
            raise NotFound(f"Invalid resource ARN specified {arn}")
        api_id, _, rest = arn.split(marker, 1)[1].partition("/")
        api = self._apis.get(ctx.account_id, api_id)
        if not rest:
            return api, None
        kind, _, stage_name = rest.partition("/")
        if kind != "stages" or not stage_name or "/" in stage_name:
            raise NotFound(f"Invalid resource ARN specified {arn}")
        self._apis.stage(api, stage_name)
        return api, stage_name

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Params:
        link = self._tagged_link(ctx, params["ResourceArn"])
        if link is not None:
            await self._links().tag(ctx.account_id, link.vpc_link_id, params.get("Tags") or {}, [])
            return {}
        api, stage_name = self._tagged(ctx, params["ResourceArn"])
        await self._apis.tag(api, stage_name, params.get("Tags") or {}, [])
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Params:
        link = self._tagged_link(ctx, params["ResourceArn"])
        if link is not None:
            keys = params.get("TagKeys") or []
            await self._links().tag(ctx.account_id, link.vpc_link_id, {}, keys)
            return {}
        api, stage_name = self._tagged(ctx, params["ResourceArn"])
        await self._apis.tag(api, stage_name, {}, params.get("TagKeys") or [])
        return {}

    async def get_tags(self, ctx: RequestContext, params: Params) -> Params:
        link = self._tagged_link(ctx, params["ResourceArn"])
        if link is not None:
            return {"Tags": dict(link.tags)}
        api, stage_name = self._tagged(ctx, params["ResourceArn"])
        tags = api.tags if stage_name is None else api.stages[stage_name].tags
        return {"Tags": dict(tags)}

    # -- stage settings --------------------------------------------------------------------
    async def delete_access_log_settings(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        await self._apis.clear_stage_setting(api, params["StageName"], "access_log_settings")
        return {}

    async def reset_authorizers_cache(self, ctx: RequestContext, params: Params) -> Params:
        """Empties the stage's Lambda authorizer results: the gateway's cache lives in
        memory only, so there is nothing to write."""
        api = self._get(ctx, params)
        self._apis.stage(api, params["StageName"])
        if self._reset_authorizers is not None:
            self._reset_authorizers(api.api_id, params["StageName"])
        return {}

    async def delete_route_settings(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        await self._apis.clear_stage_setting(
            api, params["StageName"], "route_settings", params["RouteKey"]
        )
        return {}
