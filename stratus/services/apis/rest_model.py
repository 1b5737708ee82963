"""REST APIs (API Gateway v1) as records: resources with methods and integrations,
deployments (snapshots of the resource tree), stages, authorizers, and the account-wide
API keys and usage plans.

Field names are the snake_case of the model's members (``pathPart`` is ``path_part``), as
for v2 (see ``model.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.apis.gateway_responses import GatewayResponse
from stratus.services.apis.model import Json, from_json, to_json


@dataclass(slots=True)
class RestIntegration:
    type: str
    http_method: str | None = None
    uri: str | None = None
    connection_type: str = "INTERNET"
    credentials: str | None = None
    request_parameters: Json | None = None
    request_templates: Json | None = None
    passthrough_behavior: str | None = None
    content_handling: str | None = None
    timeout_in_millis: int = 29000
    cache_namespace: str | None = None
    cache_key_parameters: list[str] = field(default_factory=list)
    integration_responses: dict[str, Json] = field(default_factory=dict)


@dataclass(slots=True)
class RestMethod:
    http_method: str
    authorization_type: str = "NONE"
    authorizer_id: str | None = None
    api_key_required: bool = False
    operation_name: str | None = None
    request_parameters: Json | None = None
    request_models: Json | None = None
    authorization_scopes: list[str] | None = None
    request_validator_id: str | None = None
    method_responses: dict[str, Json] = field(default_factory=dict)
    method_integration: RestIntegration | None = None

    @classmethod
    def from_json(cls, data: Json) -> RestMethod:
        method = from_json(cls, data)
        if data.get("method_integration"):
            method.method_integration = from_json(RestIntegration, data["method_integration"])
        return method


@dataclass(slots=True)
class Resource:
    id: str
    parent_id: str | None
    path_part: str | None
    path: str
    methods: dict[str, RestMethod] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Json) -> Resource:
        resource = from_json(cls, data)
        resource.methods = {k: RestMethod.from_json(v) for k, v in data["methods"].items()}
        return resource


@dataclass(slots=True)
class RestAuthorizer:
    id: str
    name: str
    type: str
    authorizer_uri: str | None = None
    identity_source: str | None = None
    identity_validation_expression: str | None = None
    authorizer_result_ttl_in_seconds: int = 300
    provider_arns: list[str] | None = None
    auth_type: str | None = None
    authorizer_credentials: str | None = None


@dataclass(slots=True)
class RestModel:
    """A JSON Schema (draft 4) the API's methods name for a content type; ``schema`` is
    kept as the text the caller sent, as API Gateway answers it back."""

    id: str
    name: str
    content_type: str
    schema: str | None = None
    description: str | None = None


@dataclass(slots=True)
class RequestValidator:
    id: str
    name: str | None = None
    validate_request_body: bool = False
    validate_request_parameters: bool = False


@dataclass(slots=True)
class RestDeployment:
    id: str
    created_date: float
    description: str | None = None
    snapshot: Json = field(default_factory=dict)


@dataclass(slots=True)
class DocumentationPart:
    """Documentation of one entity of an API: ``location`` as AWS answers it (its
    defaults filled in), ``properties`` the JSON text the caller sent."""

    id: str
    location: Json
    properties: str


@dataclass(slots=True)
class DocumentationVersion:
    """A published snapshot of an API's documentation parts."""

    version: str
    created_date: float
    description: str | None = None
    parts: list[Json] = field(default_factory=list)


@dataclass(slots=True)
class RestStage:
    stage_name: str
    deployment_id: str
    created_date: float
    last_updated_date: float
    description: str | None = None
    variables: dict[str, str] = field(default_factory=dict)
    method_settings: dict[str, Json] = field(default_factory=dict)
    access_log_settings: Json | None = None
    tracing_enabled: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    documentation_version: str | None = None
    client_certificate_id: str | None = None


@dataclass(slots=True)
class RestApi:
    id: str
    account: str
    region: str
    name: str
    created_date: float
    root_resource_id: str
    description: str | None = None
    version: str | None = None
    binary_media_types: list[str] = field(default_factory=list)
    api_key_source: str = "HEADER"
    endpoint_configuration: Json | None = None
    disable_execute_api_endpoint: bool = False
    # The resource policy as kept (rest_policy.py: minified, expanded); absent from APIs
    # stored before resource policies existed. A deployment carries its own copy.
    policy: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    authorizers: dict[str, RestAuthorizer] = field(default_factory=dict)
    deployments: dict[str, RestDeployment] = field(default_factory=dict)
    stages: dict[str, RestStage] = field(default_factory=dict)
    models: dict[str, RestModel] = field(default_factory=dict)
    request_validators: dict[str, RequestValidator] = field(default_factory=dict)
    gateway_responses: dict[str, GatewayResponse] = field(default_factory=dict)
    documentation_parts: dict[str, DocumentationPart] = field(default_factory=dict)
    documentation_versions: dict[str, DocumentationVersion] = field(default_factory=dict)
    revision: int = 0

    def to_json(self) -> Json:
        return to_json(self)

    @classmethod
    def from_json(cls, data: Json) -> RestApi:
        api = from_json(cls, data)
        api.resources = {k: Resource.from_json(v) for k, v in data["resources"].items()}
        api.authorizers = {k: from_json(RestAuthorizer, v) for k, v in data["authorizers"].items()}
        api.deployments = {k: from_json(RestDeployment, v) for k, v in data["deployments"].items()}
        api.stages = {k: from_json(RestStage, v) for k, v in data["stages"].items()}
        api.models = {k: from_json(RestModel, v) for k, v in data.get("models", {}).items()}
        api.request_validators = {
            k: from_json(RequestValidator, v) for k, v in data.get("request_validators", {}).items()
        }
        api.gateway_responses = snapshot_gateway_responses(data)
        # absent from APIs stored before documentation existed
        api.documentation_parts = {
            k: from_json(DocumentationPart, v)
            for k, v in data.get("documentation_parts", {}).items()
        }
        api.documentation_versions = {
            k: from_json(DocumentationVersion, v)
            for k, v in data.get("documentation_versions", {}).items()
        }
        return api

    def snapshot(self) -> Json:
        return {
            "resources": [to_json(r) for r in self.resources.values()],
            "authorizers": [to_json(a) for a in self.authorizers.values()],
            "models": [to_json(m) for m in self.models.values()],
            "request_validators": [to_json(v) for v in self.request_validators.values()],
            "gateway_responses": [to_json(g) for g in self.gateway_responses.values()],
            # AWS applies a changed resource policy with the next deployment only
            "policy": self.policy,
        }


@dataclass(slots=True)
class ApiKey:
    id: str
    account: str
    value: str
    name: str | None
    created_date: float
    last_updated_date: float
    description: str | None = None
    enabled: bool = False
    customer_id: str | None = None
    stage_keys: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class UsagePlan:
    id: str
    account: str
    name: str
    description: str | None = None
    api_stages: list[Json] = field(default_factory=list)
    throttle: Json | None = None
    quota: Json | None = None
    tags: dict[str, str] = field(default_factory=dict)
    key_ids: list[str] = field(default_factory=list)
    # when it was made: the quota's ``offset`` applies to the period holding it
    created_date: float | None = None


def snapshot_resources(snapshot: Json) -> list[Resource]:
    return [Resource.from_json(r) for r in snapshot.get("resources", [])]


def snapshot_authorizers(snapshot: Json) -> dict[str, RestAuthorizer]:
    return {a["id"]: from_json(RestAuthorizer, a) for a in snapshot.get("authorizers", [])}


def snapshot_models(snapshot: Json) -> dict[str, RestModel]:
    return {m["name"]: from_json(RestModel, m) for m in snapshot.get("models", [])}


def snapshot_request_validators(snapshot: Json) -> dict[str, RequestValidator]:
    return {v["id"]: from_json(RequestValidator, v) for v in snapshot.get("request_validators", [])}


def snapshot_gateway_responses(snapshot: Json) -> dict[str, GatewayResponse]:
    """The gateway responses a deployment (or a stored API) carries, by response type."""
    found = snapshot.get("gateway_responses") or []
    items = found.values() if isinstance(found, dict) else found
    return {g["response_type"]: from_json(GatewayResponse, g) for g in items}


__all__ = [
    "ApiKey",
    "DocumentationPart",
    "DocumentationVersion",
    "RequestValidator",
    "Resource",
    "RestApi",
    "RestAuthorizer",
    "RestDeployment",
    "RestIntegration",
    "RestMethod",
    "RestModel",
    "RestStage",
    "UsagePlan",
    "snapshot_authorizers",
    "snapshot_gateway_responses",
    "snapshot_models",
    "snapshot_request_validators",
    "snapshot_resources",
]
_ = Any
