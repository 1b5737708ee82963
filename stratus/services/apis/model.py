"""HTTP and WebSocket APIs (API Gateway v2) as records.

Field names are the snake_case of the AWS members (``RouteKey`` is ``route_key``) so the
adapter maps them generically; nested AWS structures (``CorsConfiguration``,
``JwtConfiguration``, ``RouteSettings``) are kept in AWS's own shape, since they go to
the wire and to the gateway unchanged.

A deployment is a snapshot of the API's routes, integrations, authorizers and their
route and integration responses: a stage
serves the deployment it points at, as in API Gateway, and a stage with ``auto_deploy``
gets a new deployment after every change.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

Json = dict[str, Any]


def to_json(record: Any) -> Json:
    return dataclasses.asdict(record)


def from_json(kind: type[T], data: Json) -> T:
    names = {f.name for f in dataclasses.fields(kind)}  # type: ignore[arg-type]
    return kind(**{k: v for k, v in data.items() if k in names})


@dataclass(slots=True)
class Route:
    route_id: str
    route_key: str
    target: str | None = None
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    authorization_scopes: list[str] | None = None
    api_key_required: bool = False
    operation_name: str | None = None
    route_response_selection_expression: str | None = None
    request_parameters: Json | None = None
    api_gateway_managed: bool | None = None
    model_selection_expression: str | None = None
    request_models: dict[str, str] | None = None


@dataclass(slots=True)
class Integration:
    integration_id: str
    integration_type: str
    integration_uri: str | None = None
    integration_method: str | None = None
    integration_subtype: str | None = None
    payload_format_version: str | None = None
    timeout_in_millis: int = 30000
    request_parameters: Json | None = None
    response_parameters: Json | None = None
    credentials_arn: str | None = None
    connection_type: str = "INTERNET"
    description: str | None = None
    request_templates: Json | None = None
    template_selection_expression: str | None = None
    api_gateway_managed: bool | None = None
    passthrough_behavior: str | None = None
    content_handling_strategy: str | None = None
    connection_id: str | None = None
    tls_config: Json | None = None


@dataclass(slots=True)
class RouteResponse:
    """A WebSocket route's response: with one (key ``$default``) the route is two-way,
    the backend's answer goes back to the client."""

    route_response_id: str
    route_id: str
    route_response_key: str
    model_selection_expression: str | None = None
    response_models: dict[str, str] | None = None
    response_parameters: Json | None = None


@dataclass(slots=True)
class IntegrationResponse:
    """A WebSocket non-proxy integration's response, chosen by its key (``$default`` or a
    ``/regex/`` on the backend's status)."""

    integration_response_id: str
    integration_id: str
    integration_response_key: str
    content_handling_strategy: str | None = None
    response_parameters: dict[str, str] | None = None
    response_templates: dict[str, str] | None = None
    template_selection_expression: str | None = None


@dataclass(slots=True)
class ApiModel:
    """A v2 model: a JSON Schema draft 4 kept as the text the caller sent."""

    model_id: str
    name: str
    schema: str
    content_type: str | None = None
    description: str | None = None


@dataclass(slots=True)
class Authorizer:
    authorizer_id: str
    name: str
    authorizer_type: str
    identity_source: list[str] = field(default_factory=list)
    jwt_configuration: Json | None = None
    authorizer_uri: str | None = None
    authorizer_payload_format_version: str | None = None
    enable_simple_responses: bool | None = None
    authorizer_result_ttl_in_seconds: int | None = None
    identity_validation_expression: str | None = None
    authorizer_credentials_arn: str | None = None


@dataclass(slots=True)
class Deployment:
    deployment_id: str
    created_date: float
    description: str | None = None
    auto_deployed: bool = False
    deployment_status: str = "DEPLOYED"
    # the API as deployed: routes, integrations, authorizers (their JSON records)
    snapshot: Json = field(default_factory=dict)


@dataclass(slots=True)
class Stage:
    stage_name: str
    created_date: float
    last_updated_date: float
    auto_deploy: bool = False
    deployment_id: str | None = None
    description: str | None = None
    stage_variables: dict[str, str] = field(default_factory=dict)
    default_route_settings: Json | None = None
    route_settings: dict[str, Json] = field(default_factory=dict)
    access_log_settings: Json | None = None
    tags: dict[str, str] = field(default_factory=dict)
    api_gateway_managed: bool | None = None
    client_certificate_id: str | None = None


@dataclass(slots=True)
class HttpApi:
    """One HTTP or WebSocket API with everything that hangs off it."""

    api_id: str
    account: str
    region: str
    name: str
    protocol_type: str
    created_date: float
    route_selection_expression: str = "${request.method} ${request.path}"
    api_key_selection_expression: str = "$request.header.x-api-key"
    cors_configuration: Json | None = None
    description: str | None = None
    disable_execute_api_endpoint: bool = False
    version: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    disable_schema_validation: bool | None = None
    ip_address_type: str | None = None
    routes: dict[str, Route] = field(default_factory=dict)
    integrations: dict[str, Integration] = field(default_factory=dict)
    authorizers: dict[str, Authorizer] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    deployments: dict[str, Deployment] = field(default_factory=dict)
    route_responses: dict[str, RouteResponse] = field(default_factory=dict)
    integration_responses: dict[str, IntegrationResponse] = field(default_factory=dict)
    models: dict[str, ApiModel] = field(default_factory=dict)
    revision: int = 0  # bumped by every change: the gateway recompiles on a new one

    def to_json(self) -> Json:
        return to_json(self)

    @classmethod
    def from_json(cls, data: Json) -> HttpApi:
        api = from_json(cls, data)
        api.routes = {k: from_json(Route, v) for k, v in data["routes"].items()}
        api.integrations = {k: from_json(Integration, v) for k, v in data["integrations"].items()}
        api.authorizers = {k: from_json(Authorizer, v) for k, v in data["authorizers"].items()}
        api.stages = {k: from_json(Stage, v) for k, v in data["stages"].items()}
        api.deployments = {k: from_json(Deployment, v) for k, v in data["deployments"].items()}
        # absent from APIs stored before route/integration responses and models existed
        api.route_responses = {
            k: from_json(RouteResponse, v) for k, v in data.get("route_responses", {}).items()
        }
        api.integration_responses = {
            k: from_json(IntegrationResponse, v)
            for k, v in data.get("integration_responses", {}).items()
        }
        api.models = {k: from_json(ApiModel, v) for k, v in data.get("models", {}).items()}
        return api

    def snapshot(self) -> Json:
        """What a deployment freezes: the routes, integrations and authorizers now."""
        return {
            "routes": [to_json(r) for r in self.routes.values()],
            "integrations": [to_json(i) for i in self.integrations.values()],
            "authorizers": [to_json(a) for a in self.authorizers.values()],
            "route_responses": [to_json(r) for r in self.route_responses.values()],
            "integration_responses": [to_json(r) for r in self.integration_responses.values()],
        }
