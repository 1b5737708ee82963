"""HTTP and WebSocket APIs (API Gateway v2): create, change, deploy, delete.

Every change bumps the API's revision, gives each auto-deploying stage a new deployment
(a snapshot of routes, integrations and authorizers) and writes the API whole before the
caller is answered. The gateway reads APIs from here and recompiles one when its revision
moves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_child_id, new_id
from stratus.services.apis.model import (
    Authorizer,
    Deployment,
    HttpApi,
    Integration,
    Route,
    Stage,
    to_json,
)
from stratus.services.apis.parameter_mapping import (
    check_request_parameters,
    check_response_parameters,
    check_service_parameters,
    merge_parameters,
)
from stratus.services.apis.sqlite import SQLiteApiStore
from stratus.services.apis.v2_models import ModelsMixin
from stratus.services.apis.v2_responses import RouteResponsesMixin, drop_integration, drop_route
from stratus.services.system_tags import counted, reserved

KIND = "v2"
#: The first-class AWS service integrations Stratus serves (the gateway's
#: ``service_integrations.SUBTYPES`` carries them out).
SERVICE_SUBTYPES = frozenset(
    {
        "SQS-SendMessage",
        "EventBridge-PutEvents",
        "StepFunctions-StartExecution",
        "StepFunctions-StartSyncExecution",
        "StepFunctions-StopExecution",
    }
)
DEFAULT_STAGE = "$default"
WEBSOCKET_TIMEOUT_MS = 29_000  # a WebSocket integration's default and largest timeout
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"})
_PATH_PART = re.compile(r"^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._~:@!$&'()*,;=%-]+)$")
_STAGE_NAME = re.compile(r"^(\$default|[A-Za-z0-9_-]{1,128})$")


def check_route_key(key: str) -> None:
    """An HTTP API route key: ``$default`` or ``METHOD /path`` with ``{param}`` parts and a
    greedy ``{name+}`` only at the end (API Gateway's rules for HTTP API routes)."""
    if key == "$default":
        return
    method, _, path = key.partition(" ")
    if method not in HTTP_METHODS or not path.startswith("/"):
        raise BadRequest(f"Unable to create Route with RouteKey '{key}'. Invalid route key.")
    if path == "/":
        return
    parts = path[1:].split("/")
    for index, part in enumerate(parts):
        if not _PATH_PART.match(part):
            raise BadRequest(f"Unable to create Route with RouteKey '{key}'. Invalid route key.")
        if part.endswith("+}") and index != len(parts) - 1:
            raise BadRequest(
                f"Unable to create Route with RouteKey '{key}'. "
                "A greedy path variable must be the last part of the path."
            )


MAX_TAGS = 50


def check_tags(tags: dict[str, str] | None) -> None:
    """API Gateway's tag rules: at most 50 a resource, keys of 1 to 128 characters not
    starting with ``aws:``, values of at most 256."""
    if not tags:
        return
    if counted(tags) > MAX_TAGS:
        raise BadRequest(f"Too many tags: a resource can have at most {MAX_TAGS} tags.")
    for key, value in tags.items():
        if not 1 <= len(key) <= 128:
            raise BadRequest(f"Invalid tag key specified: {key[:128]}")
        if reserved(key):
            raise BadRequest(f"Tag keys starting with 'aws:' are reserved: {key}")
        if len(value) > 256:
            raise BadRequest(f"Invalid tag value specified for key {key}")


def _check_mappings(fields: dict[str, Any]) -> None:
    """An HTTP API integration's parameter mappings, as API Gateway checks them: service
    integrations map the request to the service's parameters; Lambda and HTTP
    integrations transform the request; any integration may transform its response."""
    request = fields.get("request_parameters")
    if request:
        if fields.get("integration_subtype"):
            check_service_parameters(request)
        else:
            check_request_parameters(request)
    response = fields.get("response_parameters")
    if response:
        check_response_parameters(response)


class HttpApis(RouteResponsesMixin, ModelsMixin):
    def __init__(
        self, store: SQLiteApiStore, vpc_link_exists: Callable[[str, str], bool] | None = None
    ) -> None:
        self._store = store
        self._apis: dict[str, HttpApi] = {}
        # (account, VPC link id) -> whether it exists: VPC_LINK integrations must name one
        self.vpc_link_exists = vpc_link_exists

    async def load(self) -> None:
        for data in await self._store.load(KIND):
            api = HttpApi.from_json(data)
            self._apis[api.api_id] = api

    # -- reading -----------------------------------------------------------------------
    def find(self, api_id: str) -> HttpApi | None:
        """The API of that id in any account (the gateway serves by id alone)."""
        return self._apis.get(api_id)

    def get(self, account: str, api_id: str) -> HttpApi:
        api = self._apis.get(api_id)
        if api is None or api.account != account:
            raise NotFound(f"Invalid API identifier specified {account}:{api_id}")
        return api

    def in_account(self, account: str) -> list[HttpApi]:
        return sorted(
            (a for a in self._apis.values() if a.account == account), key=lambda a: a.api_id
        )

    def all(self) -> Iterator[HttpApi]:
        return iter(list(self._apis.values()))

    # -- APIs --------------------------------------------------------------------------
    async def create(
        self,
        account: str,
        region: str,
        fields: dict[str, Any],
        *,
        target: str | None = None,
        route_key: str | None = None,
    ) -> HttpApi:
        protocol = fields["protocol_type"]
        if protocol == "WEBSOCKET" and not fields.get("route_selection_expression"):
            raise BadRequest("RouteSelectionExpression is required for WEBSOCKET APIs.")
        if protocol == "WEBSOCKET" and target:
            raise BadRequest("Quick create is not supported for WEBSOCKET APIs.")
        if protocol == "HTTP":
            fields.setdefault("route_selection_expression", "${request.method} ${request.path}")
            fields["route_selection_expression"] = (
                fields["route_selection_expression"] or "${request.method} ${request.path}"
            )
        check_tags(fields.get("tags"))
        api_id = new_id()
        while api_id in self._apis:
            api_id = new_id()
        api = HttpApi(
            api_id=api_id,
            account=account,
            region=region,
            created_date=time.time(),
            **{k: v for k, v in fields.items() if v is not None},
        )
        if protocol == "HTTP" and fields.get("cors_configuration"):
            api.cors_configuration = fields["cors_configuration"]
        if target:
            self._quick_create(api, target, route_key or "$default")
        elif route_key:
            raise BadRequest("RouteKey is only valid with Target (quick create).")
        self._apis[api.api_id] = api
        await self._changed(api)
        return api

    async def insert(self, api: HttpApi) -> HttpApi:
        """Store a whole new API built elsewhere (an OpenAPI import) under a fresh id, in
        one write: a crash part way leaves no half-made API."""
        api.api_id = new_id()
        while api.api_id in self._apis:
            api.api_id = new_id()
        self._apis[api.api_id] = api
        await self._changed(api)
        return api

    def _quick_create(self, api: HttpApi, target: str, route_key: str) -> None:
        """Quick create: one integration, one route to it, and the $default stage that
        deploys itself (API Gateway's "managed" resources)."""
        check_route_key(route_key)
        lambda_target = target.startswith("arn:")
        integration = Integration(
            integration_id=new_child_id(),
            integration_type="AWS_PROXY" if lambda_target else "HTTP_PROXY",
            integration_uri=target,
            integration_method=None if lambda_target else "ANY",
            payload_format_version="2.0" if lambda_target else "1.0",
            api_gateway_managed=True,
        )
        api.integrations[integration.integration_id] = integration
        route = Route(
            route_id=new_child_id(),
            route_key=route_key,
            target=f"integrations/{integration.integration_id}",
            api_gateway_managed=True,
        )
        api.routes[route.route_id] = route
        now = time.time()
        api.stages[DEFAULT_STAGE] = Stage(
            stage_name=DEFAULT_STAGE,
            created_date=now,
            last_updated_date=now,
            auto_deploy=True,
            api_gateway_managed=True,
        )

    async def update(self, account: str, api_id: str, fields: dict[str, Any]) -> HttpApi:
        api = self.get(account, api_id)
        for name, value in fields.items():
            if value is not None:
                setattr(api, name, value)
        await self._changed(api)
        return api

    async def delete(self, account: str, api_id: str) -> None:
        api = self.get(account, api_id)
        del self._apis[api.api_id]
        await self._store.delete(KIND, api.api_id)

    async def delete_cors(self, account: str, api_id: str) -> None:
        api = self.get(account, api_id)
        api.cors_configuration = None
        await self._changed(api)

    # -- routes --------------------------------------------------------------------------
    def route(self, api: HttpApi, route_id: str) -> Route:
        route = api.routes.get(route_id)
        if route is None:
            raise NotFound(f"Invalid Route identifier specified {api.account}:{route_id}")
        return route

    async def create_route(self, api: HttpApi, fields: dict[str, Any]) -> Route:
        key = fields["route_key"]
        if api.protocol_type == "HTTP":
            check_route_key(key)
        if any(r.route_key == key for r in api.routes.values()):
            raise Conflict(f"Unable to create Route with RouteKey '{key}'. Route already exists.")
        self._check_route_refs(api, fields)
        route = Route(route_id=new_child_id(), **{k: v for k, v in fields.items() if v is not None})
        api.routes[route.route_id] = route
        await self._changed(api)
        return route

    async def update_route(self, api: HttpApi, route_id: str, fields: dict[str, Any]) -> Route:
        route = self.route(api, route_id)
        key = fields.get("route_key")
        if key is not None and key != route.route_key:
            if api.protocol_type == "HTTP":
                check_route_key(key)
            if any(r.route_key == key for r in api.routes.values()):
                raise Conflict(f"Unable to update Route to RouteKey '{key}'. Route already exists.")
        self._check_route_refs(api, fields)
        for name, value in fields.items():
            if value is not None:
                setattr(route, name, value)
        await self._changed(api)
        return route

    def _check_route_refs(self, api: HttpApi, fields: dict[str, Any]) -> None:
        target = fields.get("target")
        if target:
            kind, _, integration_id = target.partition("/")
            if kind != "integrations" or integration_id not in api.integrations:
                raise BadRequest(f"Invalid target specified: {target}")
        authorizer_id = fields.get("authorizer_id")
        if authorizer_id and authorizer_id not in api.authorizers:
            raise NotFound(f"Invalid Authorizer identifier specified {api.account}:{authorizer_id}")
        for name in (fields.get("request_models") or {}).values():
            if not any(m.name == name for m in api.models.values()):
                raise NotFound(f"Invalid model name specified {api.account}:{name}")
        auth_type = fields.get("authorization_type")
        if auth_type in ("JWT", "CUSTOM") and not authorizer_id:
            raise BadRequest(f"AuthorizerId is required for AuthorizationType {auth_type}.")

    async def delete_route_request_parameter(self, api: HttpApi, route_id: str, key: str) -> None:
        """DeleteRouteRequestParameter: the key leaves the route, so the next deployment no
        longer requires it of a request."""
        route = self.route(api, route_id)
        parameters = dict(route.request_parameters or {})
        if key not in parameters:
            raise NotFound(f"Invalid request parameter key specified {api.account}:{key}")
        del parameters[key]
        route.request_parameters = parameters or None
        await self._changed(api)

    async def delete_route(self, api: HttpApi, route_id: str) -> None:
        self.route(api, route_id)
        del api.routes[route_id]
        drop_route(api, route_id)
        await self._changed(api)

    # -- integrations ------------------------------------------------------------------
    def integration(self, api: HttpApi, integration_id: str) -> Integration:
        integration = api.integrations.get(integration_id)
        if integration is None:
            raise NotFound(
                f"Invalid Integration identifier specified {api.account}:{integration_id}"
            )
        return integration

    async def create_integration(self, api: HttpApi, fields: dict[str, Any]) -> Integration:
        if api.protocol_type == "WEBSOCKET" and fields.get("timeout_in_millis") is None:
            fields["timeout_in_millis"] = WEBSOCKET_TIMEOUT_MS  # AWS's default there
        self._check_integration(api, fields)
        self._check_connection(api, fields)
        integration = Integration(
            integration_id=new_child_id(), **{k: v for k, v in fields.items() if v is not None}
        )
        api.integrations[integration.integration_id] = integration
        await self._changed(api)
        return integration

    def _check_integration(self, api: HttpApi, fields: dict[str, Any]) -> None:
        kind = fields.get("integration_type")
        version = fields.get("payload_format_version")
        if version is not None and version not in ("1.0", "2.0"):
            raise BadRequest("PayloadFormatVersion must be 1.0 or 2.0.")
        subtype = fields.get("integration_subtype")
        if subtype and subtype not in SERVICE_SUBTYPES:
            raise BadRequest(
                f"Integration subtype {subtype} is not supported; supported: "
                + ", ".join(sorted(SERVICE_SUBTYPES))
            )
        if kind == "AWS_PROXY" and api.protocol_type == "HTTP":
            if fields.get("integration_subtype"):
                fields.setdefault("payload_format_version", "1.0")
                fields["payload_format_version"] = fields["payload_format_version"] or "1.0"
            elif not fields.get("integration_uri"):
                raise BadRequest("IntegrationUri is required for AWS_PROXY integrations.")
            elif not version:
                raise BadRequest(
                    "PayloadFormatVersion is required for AWS_PROXY integrations of HTTP APIs."
                )
        if kind == "HTTP_PROXY" and api.protocol_type == "HTTP" and not version:
            fields["payload_format_version"] = "1.0"
        if kind in ("AWS", "HTTP", "MOCK") and api.protocol_type == "HTTP":
            raise BadRequest(
                f"Integration type {kind} is not supported for HTTP APIs; use AWS_PROXY or "
                "HTTP_PROXY."
            )
        if api.protocol_type == "HTTP":
            _check_mappings(fields)
        timeout = fields.get("timeout_in_millis")
        limit = 30000 if api.protocol_type == "HTTP" else 29000
        if timeout is not None and not 50 <= timeout <= limit:
            raise BadRequest(f"TimeoutInMillis must be between 50 and {limit}.")

    def _check_connection(self, api: HttpApi, fields: dict[str, Any]) -> None:
        """A private integration (ConnectionType VPC_LINK) of an HTTP API names an existing
        VPC link of the API's account in ConnectionId (WebSocket APIs use REST APIs' VPC
        links, another API's records)."""
        if fields.get("connection_type") != "VPC_LINK" or api.protocol_type != "HTTP":
            return
        link = fields.get("connection_id")
        if not link:
            raise BadRequest("ConnectionId must be specified when ConnectionType is VPC_LINK.")
        if self.vpc_link_exists is not None and not self.vpc_link_exists(api.account, link):
            raise NotFound(f"Invalid VpcLink identifier specified {api.account}:{link}")

    async def update_integration(
        self, api: HttpApi, integration_id: str, fields: dict[str, Any]
    ) -> Integration:
        integration = self.integration(api, integration_id)
        if api.protocol_type == "WEBSOCKET" and fields.get("timeout_in_millis") is None:
            # stored before WebSocket integrations defaulted to 29 s: not the caller's error
            integration.timeout_in_millis = min(integration.timeout_in_millis, WEBSOCKET_TIMEOUT_MS)
        if api.protocol_type == "HTTP":
            for name in ("request_parameters", "response_parameters"):
                if fields.get(name) is not None:
                    fields[name] = merge_parameters(getattr(integration, name), fields[name])
        merged = {**to_json(integration), **{k: v for k, v in fields.items() if v is not None}}
        self._check_integration(api, merged)
        if fields.get("connection_type") is not None or fields.get("connection_id") is not None:
            self._check_connection(api, merged)
        for name, value in fields.items():
            if value is not None:
                empty_mapping = name.endswith("_parameters") and not value
                setattr(integration, name, None if empty_mapping else value)
        await self._changed(api)
        return integration

    async def delete_integration(self, api: HttpApi, integration_id: str) -> None:
        self.integration(api, integration_id)
        target = f"integrations/{integration_id}"
        if any(r.target == target for r in api.routes.values()):
            raise Conflict("Cannot delete an integration that is the target of a route.")
        del api.integrations[integration_id]
        drop_integration(api, integration_id)
        await self._changed(api)

    # -- authorizers ---------------------------------------------------------------------
    def authorizer(self, api: HttpApi, authorizer_id: str) -> Authorizer:
        authorizer = api.authorizers.get(authorizer_id)
        if authorizer is None:
            raise NotFound(f"Invalid Authorizer identifier specified {api.account}:{authorizer_id}")
        return authorizer

    async def create_authorizer(self, api: HttpApi, fields: dict[str, Any]) -> Authorizer:
        kind = fields.get("authorizer_type")
        if kind == "JWT":
            if api.protocol_type != "HTTP":
                raise BadRequest("JWT authorizers are supported only for HTTP APIs.")
            config = fields.get("jwt_configuration") or {}
            if not config.get("Issuer"):
                raise BadRequest("JwtConfiguration.Issuer is required for JWT authorizers.")
        elif kind == "REQUEST":
            if not fields.get("authorizer_uri"):
                raise BadRequest("AuthorizerUri is required for REQUEST authorizers.")
            if api.protocol_type == "HTTP":
                version = fields.get("authorizer_payload_format_version")
                if version not in ("1.0", "2.0"):
                    raise BadRequest(
                        "AuthorizerPayloadFormatVersion is required for REQUEST authorizers "
                        "of HTTP APIs and must be 1.0 or 2.0."
                    )
                if fields.get("enable_simple_responses") and version != "2.0":
                    raise BadRequest(
                        "EnableSimpleResponses is supported only for payload format version 2.0."
                    )
        ttl = fields.get("authorizer_result_ttl_in_seconds")
        if ttl is not None and not 0 <= ttl <= 3600:
            raise BadRequest("AuthorizerResultTtlInSeconds must be between 0 and 3600.")
        authorizer = Authorizer(
            authorizer_id=new_child_id(), **{k: v for k, v in fields.items() if v is not None}
        )
        api.authorizers[authorizer.authorizer_id] = authorizer
        await self._changed(api)
        return authorizer

    async def update_authorizer(
        self, api: HttpApi, authorizer_id: str, fields: dict[str, Any]
    ) -> Authorizer:
        authorizer = self.authorizer(api, authorizer_id)
        for name, value in fields.items():
            if value is not None:
                setattr(authorizer, name, value)
        await self._changed(api)
        return authorizer

    async def delete_authorizer(self, api: HttpApi, authorizer_id: str) -> None:
        self.authorizer(api, authorizer_id)
        if any(r.authorizer_id == authorizer_id for r in api.routes.values()):
            raise Conflict("Cannot delete an authorizer that is used by a route.")
        del api.authorizers[authorizer_id]
        await self._changed(api)

    # -- stages and deployments ----------------------------------------------------------
    def stage(self, api: HttpApi, name: str) -> Stage:
        stage = api.stages.get(name)
        if stage is None:
            raise NotFound(f"Invalid stage identifier specified {api.account}:{name}")
        return stage

    async def create_stage(self, api: HttpApi, fields: dict[str, Any]) -> Stage:
        name = fields["stage_name"]
        if not _STAGE_NAME.match(name):
            raise BadRequest(f"Invalid stage name: {name}")
        if name in api.stages:
            raise Conflict(f"Stage already exists: {name}")
        check_tags(fields.get("tags"))
        deployment_id = fields.get("deployment_id")
        if deployment_id and deployment_id not in api.deployments:
            raise NotFound(f"Invalid deployment identifier specified {api.account}:{deployment_id}")
        now = time.time()
        stage = Stage(
            created_date=now,
            last_updated_date=now,
            **{k: v for k, v in fields.items() if v is not None},
        )
        api.stages[name] = stage
        await self._changed(api)
        return stage

    async def update_stage(self, api: HttpApi, name: str, fields: dict[str, Any]) -> Stage:
        stage = self.stage(api, name)
        deployment_id = fields.get("deployment_id")
        if deployment_id and deployment_id not in api.deployments:
            raise NotFound(f"Invalid deployment identifier specified {api.account}:{deployment_id}")
        for field_name, value in fields.items():
            if value is not None:
                setattr(stage, field_name, value)
        stage.last_updated_date = time.time()
        await self._changed(api)
        return stage

    async def clear_stage_setting(
        self, api: HttpApi, name: str, setting: str, route_key: str | None = None
    ) -> None:
        """DeleteAccessLogSettings, DeleteRouteSettings (one route key's)."""
        stage = self.stage(api, name)
        if setting == "route_settings":
            if route_key not in stage.route_settings:
                raise NotFound(f"Invalid route settings specified {api.account}:{route_key}")
            del stage.route_settings[route_key]
        else:
            stage.access_log_settings = None
        stage.last_updated_date = time.time()
        await self._changed(api)

    async def delete_stage(self, api: HttpApi, name: str) -> None:
        self.stage(api, name)
        del api.stages[name]
        await self._changed(api)

    def deployment(self, api: HttpApi, deployment_id: str) -> Deployment:
        deployment = api.deployments.get(deployment_id)
        if deployment is None:
            raise NotFound(f"Invalid deployment identifier specified {api.account}:{deployment_id}")
        return deployment

    async def create_deployment(
        self, api: HttpApi, stage_name: str | None, description: str | None
    ) -> Deployment:
        if stage_name is not None:
            stage = self.stage(api, stage_name)
            if stage.auto_deploy:
                raise BadRequest(
                    f"Stage {stage_name} has autoDeploy enabled; deployments are automatic."
                )
        if not api.routes:
            raise BadRequest("Unable to deploy API because no routes exist in this API")
        deployment = self._deploy(api, description, auto=False)
        if stage_name is not None:
            api.stages[stage_name].deployment_id = deployment.deployment_id
            api.stages[stage_name].last_updated_date = time.time()
        await self._changed(api)
        return deployment

    async def update_deployment(
        self, api: HttpApi, deployment_id: str, description: str | None
    ) -> Deployment:
        """UpdateDeployment: only the description changes; what was deployed stays."""
        deployment = self.deployment(api, deployment_id)
        if description is not None:
            deployment.description = description
        await self._changed(api)
        return deployment

    async def delete_deployment(self, api: HttpApi, deployment_id: str) -> None:
        self.deployment(api, deployment_id)
        if any(s.deployment_id == deployment_id for s in api.stages.values()):
            raise BadRequest("Active stages pointing to this deployment must be moved or deleted")
        del api.deployments[deployment_id]
        await self._changed(api)

    def _deploy(self, api: HttpApi, description: str | None, *, auto: bool) -> Deployment:
        deployment = Deployment(
            deployment_id=new_child_id(),
            created_date=time.time(),
            description=description,
            auto_deployed=auto,
            snapshot=api.snapshot(),
        )
        api.deployments[deployment.deployment_id] = deployment
        return deployment

    # -- tags ------------------------------------------------------------------------------
    async def tag(
        self, api: HttpApi, stage_name: str | None, added: dict[str, str], removed: list[str]
    ) -> None:
        """TagResource / UntagResource of an API or one of its stages."""
        holder = api if stage_name is None else self.stage(api, stage_name)
        tags = {k: v for k, v in holder.tags.items() if k not in set(removed)}
        tags.update(added)
        check_tags(tags)
        holder.tags = tags
        await self._changed(api)

    # -- every change --------------------------------------------------------------------
    async def save(self, api: HttpApi) -> None:
        """Store an API changed whole outside these methods (an OpenAPI import)."""
        await self._changed(api)

    async def _changed(self, api: HttpApi) -> None:
        """Auto-deploy, bump the revision, write the API whole."""
        auto = [s for s in api.stages.values() if s.auto_deploy]
        if auto and api.routes:
            snapshot = api.snapshot()
            # an auto-deploying stage already serving the API as it is now (one created
            # after the last change gets that deployment too, not nothing)
            current = next(
                (
                    api.deployments[s.deployment_id]
                    for s in auto
                    if s.deployment_id in api.deployments
                    and api.deployments[s.deployment_id].snapshot == snapshot
                ),
                None,
            )
            if current is None:
                current = self._deploy(
                    api,
                    "Automatic deployment triggered by changes to the Api configuration",
                    auto=True,
                )
            for stage in auto:
                old = stage.deployment_id
                if old == current.deployment_id:
                    continue
                stage.deployment_id = current.deployment_id
                if (
                    old
                    and old in api.deployments
                    and api.deployments[old].auto_deployed
                    and not any(s.deployment_id == old for s in api.stages.values())
                ):
                    del api.deployments[old]
        api.revision += 1
        await self._store.put(KIND, api.api_id, api.to_json())
