"""REST APIs (API Gateway v1): resources, methods, integrations, deployments, stages,
authorizers; API keys and usage plans (account-wide).

Integrations of every type are kept (AWS, HTTP, MOCK with their mapping templates, the
proxy types); the gateway evaluates the templates (``stratus.gateway.rest_integration``).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import fields as dataclass_fields
from typing import Any

from botocore import xform_name

from stratus.services.apis.client_certificates import ClientCertificates
from stratus.services.apis.errors import BadRequest, Conflict, NotFound, Unsupported
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import to_json
from stratus.services.apis.rest_model import (
    ApiKey,
    Resource,
    RestApi,
    RestAuthorizer,
    RestDeployment,
    RestIntegration,
    RestMethod,
    RestStage,
    UsagePlan,
)
from stratus.services.apis.rest_policy import stored_policy
from stratus.services.apis.rest_validation import (
    RestValidation,
    check_method_request,
    default_models,
    patch_method_request,
)
from stratus.services.apis.rest_vpc_links import VpcLinks
from stratus.services.apis.sqlite import SQLiteApiStore
from stratus.services.apis.usage import UsageLedger

KIND, KEYS, PLANS = "v1", "apikey", "usageplan"
METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"})
PATH_PART = re.compile(r"^(\{[A-Za-z0-9._-]+\+?\}|[A-Za-z0-9._~:@!$&'()*,;=%-]+)$")
_AWS_URI = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+:[A-Za-z0-9.-]+:(path|action)/.+")
_NOT_PATCHABLE = frozenset(
    {
        "id",
        "account",
        "region",
        "created_date",
        "root_resource_id",
        "resources",
        "authorizers",
        "deployments",
        "stages",
        "gateway_responses",
        "documentation_parts",
        "documentation_versions",
        "revision",
    }
)
_PASSTHROUGH = frozenset({"WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"})
_POLICY_OPS = frozenset({"replace", "add", "remove"})


def _set_fields(record: Any, values: dict[str, Any]) -> None:
    names = {f.name for f in dataclass_fields(record)}
    for name, value in values.items():
        if name in names and value is not None:
            setattr(record, name, value)


def apply_patch(record: Any, operations: list[dict[str, Any]], maps: tuple[str, ...] = ()) -> None:
    """API Gateway's PatchOperations on a record: ``replace``/``add``/``remove`` of
    ``/member`` (camelCase) or of an entry of a map member (``/variables/color``)."""
    names = {f.name for f in dataclass_fields(record)}
    for operation in operations:
        op = operation.get("op")
        path = operation.get("path", "")
        value = operation.get("value")
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise BadRequest(f"Invalid patch path {path}")
        attribute = xform_name(parts[0])
        if attribute in maps and len(parts) >= 2:
            target = getattr(record, attribute)
            if target is None:
                target = {}
                setattr(record, attribute, target)
            # JSON Pointer escapes: "/requestTemplates/application~1json"
            key = "/".join(parts[1:]).replace("~1", "/").replace("~0", "~")
            if op == "remove":
                target.pop(key, None)
            else:
                target[key] = value
            continue
        if len(parts) != 1 or attribute not in names:
            raise BadRequest(f"Invalid patch path {path}")
        if op == "remove":
            setattr(record, attribute, None)
            continue
        current = getattr(record, attribute)
        if isinstance(current, bool):
            setattr(record, attribute, str(value).lower() == "true")
        elif isinstance(current, int) and value is not None:
            setattr(record, attribute, int(value))
        elif isinstance(current, list):
            if op == "add":
                current.append(value)
            else:
                setattr(record, attribute, [value] if value is not None else [])
        else:
            setattr(record, attribute, value)


class RestApis(RestValidation):
    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._apis: dict[str, RestApi] = {}
        self._keys: dict[str, ApiKey] = {}
        self._plans: dict[str, UsagePlan] = {}
        self.usage = UsageLedger(store)  # the quota counters of the plans' keys
        self.certificates = ClientCertificates(store)
        self.vpc_links = VpcLinks(store)

    async def load(self) -> None:
        await self.usage.load()
        await self.certificates.load()
        await self.vpc_links.load()
        for data in await self._store.load(KIND):
            api = RestApi.from_json(data)
            self._apis[api.id] = api
        for data in await self._store.load(KEYS):
            self._keys[data["id"]] = ApiKey(**data)
        for data in await self._store.load(PLANS):
            self._plans[data["id"]] = UsagePlan(**data)

    # -- APIs ----------------------------------------------------------------------------
    def find(self, api_id: str) -> RestApi | None:
        return self._apis.get(api_id)

    def all(self) -> list[RestApi]:
        return list(self._apis.values())

    def get(self, account: str, api_id: str) -> RestApi:
        api = self._apis.get(api_id)
        if api is None or api.account != account:
            raise NotFound(f"Invalid API identifier specified {account}:{api_id}")
        return api

    def in_account(self, account: str) -> list[RestApi]:
        return sorted((a for a in self._apis.values() if a.account == account), key=lambda a: a.id)

    async def create(
        self, account: str, region: str, values: dict[str, Any], *, api_id: str | None = None
    ) -> RestApi:
        """A new API; ``api_id``: the id an import's draft already gave it (its models
        refer to each other by it)."""
        api_id = api_id or new_id()
        root = new_id(10)
        api = RestApi(
            id=api_id,
            account=account,
            region=region,
            name=values["name"],
            created_date=time.time(),
            root_resource_id=root,
        )
        _set_fields(api, {k: v for k, v in values.items() if k not in ("id", "name", "policy")})
        api.policy = stored_policy(values.get("policy"), api_id, account, region)
        api.resources[root] = Resource(root, None, None, "/")
        api.models = default_models()
        self._apis[api_id] = api
        await self._changed(api)
        return api

    async def update(self, account: str, api_id: str, patch: list[dict[str, Any]]) -> RestApi:
        api = self.get(account, api_id)
        policy, rest = api.policy, []
        for operation in patch:  # what other operations own is not UpdateRestApi's
            head = str(operation.get("path", "")).strip("/").split("/")[0]
            if xform_name(head) in _NOT_PATCHABLE:
                raise BadRequest(f"Invalid patch path {operation.get('path')}")
            if head != "policy":
                rest.append(operation)
            elif operation.get("path") != "/policy" or operation.get("op") not in _POLICY_OPS:
                raise BadRequest(f"Invalid patch path {operation.get('path')}")
            else:  # checked before anything changes: a bad policy refuses the whole patch
                value = None if operation.get("op") == "remove" else operation.get("value")
                policy = stored_policy(value, api.id, api.account, api.region)
        apply_patch(api, rest)
        api.policy = policy
        await self._changed(api)
        return api

    async def delete(self, account: str, api_id: str) -> None:
        api = self.get(account, api_id)
        del self._apis[api.id]
        await self._store.delete(KIND, api.id)

    # -- resources -------------------------------------------------------------------------
    def resource(self, api: RestApi, resource_id: str) -> Resource:
        resource = api.resources.get(resource_id)
        if resource is None:
            raise NotFound(f"Invalid Resource identifier specified {api.account}:{resource_id}")
        return resource

    async def create_resource(self, api: RestApi, parent_id: str, path_part: str) -> Resource:
        parent = self.resource(api, parent_id)
        if not PATH_PART.match(path_part):
            raise BadRequest(
                "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
                "and the end and an optional plus sign before the closing brace."
            )
        if parent.path_part and parent.path_part.endswith("+}"):
            raise BadRequest("Cannot create a child of a resource with a greedy path variable")
        for other in api.resources.values():
            if other.parent_id == parent_id and other.path_part == path_part:
                raise Conflict(
                    f"Another resource with the same parent already has this name: {path_part}"
                )
        path = f"{parent.path.rstrip('/')}/{path_part}"
        resource = Resource(new_id(6), parent_id, path_part, path)
        api.resources[resource.id] = resource
        await self._changed(api)
        return resource

    async def delete_resource(self, api: RestApi, resource_id: str) -> None:
        resource = self.resource(api, resource_id)
        if resource.id == api.root_resource_id:
            raise BadRequest("Cannot delete the root resource")
        doomed = {resource.id}
        changed = True
        while changed:
            changed = False
            for other in api.resources.values():
                if other.parent_id in doomed and other.id not in doomed:
                    doomed.add(other.id)
                    changed = True
        for key in doomed:
            del api.resources[key]
        await self._changed(api)

    # -- methods and integrations -----------------------------------------------------
    def method(self, api: RestApi, resource_id: str, http_method: str) -> RestMethod:
        method = self.resource(api, resource_id).methods.get(http_method)
        if method is None:
            raise NotFound("Invalid Method identifier specified")
        return method

    async def put_method(
        self, api: RestApi, resource_id: str, http_method: str, values: dict[str, Any]
    ) -> RestMethod:
        resource = self.resource(api, resource_id)
        if http_method not in METHODS:
            raise BadRequest(
                "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
            )
        kind = values.get("authorization_type") or "NONE"
        if kind == "CUSTOM":
            authorizer_id = values.get("authorizer_id")
            if not authorizer_id or authorizer_id not in api.authorizers:
                raise BadRequest(
                    "Invalid authorizer ID specified. Setting the authorization type to CUSTOM requires a valid authorizer."
                )
        check_method_request(api, values)
        method = RestMethod(http_method=http_method)
        _set_fields(method, values)
        resource.methods[http_method] = method
        await self._changed(api)
        return method

    async def update_method(
        self, api: RestApi, resource_id: str, http_method: str, patch: list[dict[str, Any]]
    ) -> RestMethod:
        method = self.method(api, resource_id, http_method)
        rest, settle = patch_method_request(api, method, patch)
        apply_patch(method, rest)
        settle()
        await self._changed(api)
        return method

    async def delete_method(self, api: RestApi, resource_id: str, http_method: str) -> None:
        self.method(api, resource_id, http_method)
        del api.resources[resource_id].methods[http_method]
        await self._changed(api)

    async def put_method_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        method = self.method(api, resource_id, http_method)
        response = {"status_code": status, **{k: v for k, v in values.items() if v is not None}}
        method.method_responses[status] = response
        await self._changed(api)
        return response

    def integration(self, api: RestApi, resource_id: str, http_method: str) -> RestIntegration:
        integration = self.method(api, resource_id, http_method).method_integration
        if integration is None:
            raise NotFound("No integration defined for method")
        return integration

    async def put_integration(
        self, api: RestApi, resource_id: str, http_method: str, values: dict[str, Any]
    ) -> RestIntegration:
        method = self.method(api, resource_id, http_method)
        kind = values["type"]
        if kind != "MOCK" and not values.get("uri"):
            raise BadRequest("Enumeration value for Uri must be non-empty")
        if kind != "MOCK" and not values.get("integration_http_method"):
            raise BadRequest("Enumeration value for HttpMethod must be non-empty")
        if kind == "AWS" and not _AWS_URI.match(values["uri"]):
            raise BadRequest("AWS ARN for integration must contain path or action")
        if kind == "HTTP" and not str(values["uri"]).startswith(("http://", "https://")):
            raise BadRequest("Invalid HTTP endpoint specified for URI")
        behavior = values.get("passthrough_behavior")
        if behavior is not None:
            # OpenAPI definitions write it in lower case ("when_no_templates"), as AWS's
            # import takes it; the API's own callers send the enum.
            behavior = values["passthrough_behavior"] = str(behavior).upper()
        if behavior is not None and behavior not in _PASSTHROUGH:
            raise BadRequest(
                "Invalid passthrough behavior specified: "
                f"{behavior}, valid values are [WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER]"
            )
        timeout = values.get("timeout_in_millis")
        if timeout is not None and not 50 <= timeout <= 29000:
            raise BadRequest("Timeout should be between 50 ms and 29000 ms")
        integration = RestIntegration(type=kind)
        values = dict(values)
        values["http_method"] = values.pop("integration_http_method", None)
        _set_fields(integration, {k: v for k, v in values.items() if k != "type"})
        method.method_integration = integration
        await self._changed(api)
        return integration

    async def delete_integration(self, api: RestApi, resource_id: str, http_method: str) -> None:
        self.integration(api, resource_id, http_method)
        self.method(api, resource_id, http_method).method_integration = None
        await self._changed(api)

    async def put_integration_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        integration = self.integration(api, resource_id, http_method)
        pattern = values.get("selection_pattern")
        if pattern:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                raise BadRequest(f"Invalid selection pattern specified: {pattern}") from exc
        response = {"status_code": status, **{k: v for k, v in values.items() if v is not None}}
        integration.integration_responses[status] = response
        await self._changed(api)
        return response

    async def update_integration(
        self, api: RestApi, resource_id: str, http_method: str, patch: list[dict[str, Any]]
    ) -> RestIntegration:
        """Patch operations on ``/uri``, ``/passthroughBehavior``, ``/timeoutInMillis`` ...
        and on entries of ``/requestTemplates/{type}`` and ``/requestParameters/{name}``."""
        integration = self.integration(api, resource_id, http_method)
        renamed = [
            {**op, "path": "/httpMethod" + op["path"][len("/integrationHttpMethod") :]}
            if str(op.get("path", "")).startswith("/integrationHttpMethod")
            else op
            for op in patch
        ]
        apply_patch(integration, renamed, maps=("request_templates", "request_parameters"))
        if integration.passthrough_behavior is not None:
            integration.passthrough_behavior = integration.passthrough_behavior.upper()
            if integration.passthrough_behavior not in _PASSTHROUGH:
                raise BadRequest(
                    "Invalid passthrough behavior specified: "
                    f"{integration.passthrough_behavior}, valid values are "
                    "[WHEN_NO_MATCH, WHEN_NO_TEMPLATES, NEVER]"
                )
        await self._changed(api)
        return integration

    def integration_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str
    ) -> dict[str, Any]:
        response = self.integration(api, resource_id, http_method).integration_responses.get(status)
        if response is None:
            raise NotFound("Invalid Response status code specified")
        return response

    async def update_integration_response(
        self,
        api: RestApi,
        resource_id: str,
        http_method: str,
        status: str,
        patch: list[dict[str, Any]],
    ) -> dict[str, Any]:
        """Patch operations on ``/selectionPattern``, ``/contentHandling`` and entries of
        ``/responseTemplates/{type}`` and ``/responseParameters/{name}``."""
        response = self.integration_response(api, resource_id, http_method, status)
        for operation in patch:
            parts = [p for p in str(operation.get("path", "")).split("/") if p]
            op, value = operation.get("op"), operation.get("value")
            name = xform_name(parts[0]) if parts else ""
            if name in ("response_templates", "response_parameters") and len(parts) >= 2:
                key = "/".join(parts[1:]).replace("~1", "/").replace("~0", "~")
                entries = response.setdefault(name, {})
                if op == "remove":
                    entries.pop(key, None)
                else:
                    entries[key] = value
            elif name in ("selection_pattern", "content_handling") and len(parts) == 1:
                if op == "remove":
                    response.pop(name, None)
                else:
                    if name == "selection_pattern":
                        try:
                            re.compile(str(value))
                        except re.error as exc:
                            raise BadRequest(
                                f"Invalid selection pattern specified: {value}"
                            ) from exc
                    response[name] = value
            else:
                raise BadRequest(f"Invalid patch path {operation.get('path')}")
        await self._changed(api)
        return response

    async def delete_integration_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str
    ) -> None:
        self.integration_response(api, resource_id, http_method, status)
        del self.integration(api, resource_id, http_method).integration_responses[status]
        await self._changed(api)

    # -- authorizers -----------------------------------------------------------------------
    def authorizer(self, api: RestApi, authorizer_id: str) -> RestAuthorizer:
        authorizer = api.authorizers.get(authorizer_id)
        if authorizer is None:
            raise NotFound(f"Invalid Authorizer identifier specified {api.account}:{authorizer_id}")
        return authorizer

    async def create_authorizer(self, api: RestApi, values: dict[str, Any]) -> RestAuthorizer:
        kind = values.get("type")
        if kind in ("TOKEN", "REQUEST") and not values.get("authorizer_uri"):
            raise BadRequest("Authorizer URI is required for authorizer type " + str(kind))
        if kind == "TOKEN" and not values.get("identity_source"):
            values["identity_source"] = "method.request.header.Authorization"
        if kind == "COGNITO_USER_POOLS":
            raise Unsupported("COGNITO_USER_POOLS authorizers are not supported by Stratus.")
        authorizer = RestAuthorizer(id=new_id(6), name=values["name"], type=str(kind))
        _set_fields(authorizer, {k: v for k, v in values.items() if k not in ("name", "type")})
        api.authorizers[authorizer.id] = authorizer
        await self._changed(api)
        return authorizer

    async def delete_authorizer(self, api: RestApi, authorizer_id: str) -> None:
        self.authorizer(api, authorizer_id)
        del api.authorizers[authorizer_id]
        await self._changed(api)

    # -- deployments and stages ----------------------------------------------------------
    async def create_deployment(
        self,
        api: RestApi,
        stage_name: str | None,
        description: str | None,
        variables: dict[str, str] | None,
    ) -> RestDeployment:
        methods = [m for r in api.resources.values() for m in r.methods.values()]
        if not methods:
            raise BadRequest("The REST API doesn't contain any methods")
        if any(m.method_integration is None for m in methods):
            raise BadRequest("No integration defined for method")
        deployment = RestDeployment(new_id(6), time.time(), description, api.snapshot())
        api.deployments[deployment.id] = deployment
        if stage_name:
            stage = api.stages.get(stage_name)
            now = time.time()
            if stage is None:
                stage = api.stages[stage_name] = RestStage(stage_name, deployment.id, now, now)
            stage.deployment_id = deployment.id
            stage.last_updated_date = now
            if variables:
                stage.variables.update(variables)
        await self._changed(api)
        return deployment

    def deployment(self, api: RestApi, deployment_id: str) -> RestDeployment:
        deployment = api.deployments.get(deployment_id)
        if deployment is None:
            raise NotFound(f"Invalid Deployment identifier specified {api.account}:{deployment_id}")
        return deployment

    async def delete_deployment(self, api: RestApi, deployment_id: str) -> None:
        self.deployment(api, deployment_id)
        if any(s.deployment_id == deployment_id for s in api.stages.values()):
            raise BadRequest("Active stages pointing to this deployment must be moved or deleted")
        del api.deployments[deployment_id]
        await self._changed(api)

    def stage(self, api: RestApi, name: str) -> RestStage:
        stage = api.stages.get(name)
        if stage is None:
            raise NotFound("Invalid Stage identifier specified")
        return stage

    async def create_stage(self, api: RestApi, values: dict[str, Any]) -> RestStage:
        name = values["stage_name"]
        if name in api.stages:
            raise Conflict("Stage already exists")
        self.deployment(api, values["deployment_id"])
        now = time.time()
        stage = RestStage(name, values["deployment_id"], now, now)
        _set_fields(stage, {k: v for k, v in values.items() if k not in ("stage_name",)})
        api.stages[name] = stage
        await self._changed(api)
        return stage

    async def update_stage(self, api: RestApi, name: str, patch: list[dict[str, Any]]) -> RestStage:
        stage = self.stage(api, name)
        settings_ops = [
            p
            for p in patch
            if p.get("path", "").count("/") >= 3 and not p["path"].startswith("/variables/")
        ]
        other = [p for p in patch if p not in settings_ops]
        apply_patch(stage, other, maps=("variables",))
        for operation in settings_ops:  # /{resource path}/{method}/throttling/rateLimit
            parts = operation["path"].strip("/").split("/")
            key = "/".join(parts[:-2])
            setting = "/".join(parts[-2:])
            stage.method_settings.setdefault(key, {})[setting] = operation.get("value")
        if stage.deployment_id not in api.deployments:
            raise BadRequest("Invalid deployment id")
        stage.last_updated_date = time.time()
        await self._changed(api)
        return stage

    async def delete_stage(self, api: RestApi, name: str) -> None:
        self.stage(api, name)
        del api.stages[name]
        await self._changed(api)

    # -- API keys and usage plans ----------------------------------------------------------
    def api_key(self, account: str, key_id: str) -> ApiKey:
        key = self._keys.get(key_id)
        if key is None or key.account != account:
            raise NotFound("Invalid API Key identifier specified")
        return key

    def api_keys(self, account: str) -> list[ApiKey]:
        return [k for k in self._keys.values() if k.account == account]

    def key_by_value(self, value: str) -> ApiKey | None:
        for key in self._keys.values():
            if key.value == value:
                return key
        return None

    async def create_api_key(self, account: str, values: dict[str, Any]) -> ApiKey:
        value = values.get("value") or secrets.token_urlsafe(30)[:40]
        if len(value) < 20:
            raise BadRequest("API Key value should be at least 20 characters")
        if self.key_by_value(value) is not None:
            raise Conflict("API Key already exists")
        now = time.time()
        key = ApiKey(new_id(10), account, value, values.get("name"), now, now)
        _set_fields(
            key,
            {k: v for k, v in values.items() if k not in ("value", "name", "generate_distinct_id")},
        )
        self._keys[key.id] = key
        await self._store.put(KEYS, key.id, to_json(key))
        return key

    async def delete_api_key(self, account: str, key_id: str) -> None:
        self.api_key(account, key_id)
        del self._keys[key_id]
        for plan in self._plans.values():
            if key_id in plan.key_ids:
                plan.key_ids.remove(key_id)
                await self._store.put(PLANS, plan.id, to_json(plan))
        await self._store.delete(KEYS, key_id)

    def usage_plan(self, account: str, plan_id: str) -> UsagePlan:
        plan = self._plans.get(plan_id)
        if plan is None or plan.account != account:
            raise NotFound("Invalid Usage Plan ID specified")
        return plan

    def usage_plans(self, account: str) -> list[UsagePlan]:
        return [p for p in self._plans.values() if p.account == account]

    def plans_of_key(self, key_id: str) -> list[UsagePlan]:
        return [p for p in self._plans.values() if key_id in p.key_ids]

    async def create_usage_plan(self, account: str, values: dict[str, Any]) -> UsagePlan:
        for stage in values.get("api_stages") or []:
            api = self.get(account, stage.get("apiId", ""))
            if stage.get("stage") not in api.stages:
                raise BadRequest(f"Invalid stage identifier specified: {stage.get('stage')}")
        plan = UsagePlan(new_id(6), account, values["name"], created_date=time.time())
        _set_fields(plan, {k: v for k, v in values.items() if k != "name"})
        self._plans[plan.id] = plan
        await self._store.put(PLANS, plan.id, to_json(plan))
        return plan

    async def delete_usage_plan(self, account: str, plan_id: str) -> None:
        self.usage_plan(account, plan_id)
        del self._plans[plan_id]
        await self._store.delete(PLANS, plan_id)
        await self.usage.forget(plan_id)

    async def create_usage_plan_key(
        self, account: str, plan_id: str, key_id: str, key_type: str
    ) -> ApiKey:
        plan = self.usage_plan(account, plan_id)
        if key_type != "API_KEY":
            raise BadRequest("Invalid key type specified")
        key = self.api_key(account, key_id)
        if key_id in plan.key_ids:
            raise Conflict("Usage Plan already contains the API Key")
        plan.key_ids.append(key_id)
        await self._store.put(PLANS, plan.id, to_json(plan))
        return key

    async def delete_usage_plan_key(self, account: str, plan_id: str, key_id: str) -> None:
        plan = self.usage_plan(account, plan_id)
        if key_id not in plan.key_ids:
            raise NotFound("Invalid API Key identifier specified")
        plan.key_ids.remove(key_id)
        await self._store.put(PLANS, plan.id, to_json(plan))

    async def key_changed(self, key: ApiKey) -> None:
        await self._store.put(KEYS, key.id, to_json(key))

    async def plan_changed(self, plan: UsagePlan) -> None:
        await self._store.put(PLANS, plan.id, to_json(plan))

    async def changed(self, api: RestApi) -> None:
        """Store an API that a caller outside this class changed (a new revision)."""
        await self._changed(api)

    async def _changed(self, api: RestApi) -> None:
        api.revision += 1
        await self._store.put(KIND, api.id, api.to_json())
