"""Changes to REST APIs beyond create and delete: gateway responses, moving and renaming
resources, method responses, and the Update* operations of API keys, usage plans,
deployments and authorizers (API Gateway's patch operations).

Kept apart from ``rest_apis.py`` (which owns the records and their storage): each method
here checks, changes one record in place, and has the owner store it.
"""

from __future__ import annotations

import copy
import dataclasses
import time
from collections.abc import Callable
from typing import Any, TypeVar

from botocore import xform_name

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.gateway_responses import (
    RESPONSE_TYPES,
    GatewayResponse,
    apply_gateway_response_patch,
    check_gateway_response,
    effective_response,
    gateway_response_listing,
)
from stratus.services.apis.rest_apis import PATH_PART, RestApis, apply_patch
from stratus.services.apis.rest_model import (
    ApiKey,
    Resource,
    RestApi,
    RestAuthorizer,
    RestDeployment,
    UsagePlan,
)

__all__ = ["RestApiEdits"]

Patch = list[dict[str, Any]]
R = TypeVar("R")


def _patched(record: R, change: Callable[[R], None]) -> R:
    """``change`` applied to a copy of ``record``, and taken over only if it raised
    nothing: a refused patch leaves the record as it was."""
    draft = copy.deepcopy(record)
    change(draft)
    for item in dataclasses.fields(record):  # type: ignore[arg-type]
        setattr(record, item.name, getattr(draft, item.name))
    return record


def _path_error(operation: dict[str, Any], allowed: str) -> BadRequest:
    return BadRequest(
        f"Invalid patch path '{operation.get('path')}' specified for op "
        f"'{operation.get('op')}'. Must be one of: [{allowed}]"
    )


def _known_type(response_type: str) -> str:
    if response_type not in RESPONSE_TYPES:
        raise NotFound(f"Invalid response type specified: {response_type}")
    return response_type


class RestApiEdits:
    def __init__(self, apis: RestApis) -> None:
        self._apis = apis

    # -- gateway responses ---------------------------------------------------------------
    async def put_gateway_response(
        self,
        api: RestApi,
        response_type: str,
        status_code: str | None,
        parameters: dict[str, str] | None,
        templates: dict[str, str] | None,
    ) -> GatewayResponse:
        response = GatewayResponse(
            _known_type(response_type), status_code, dict(parameters or {}), dict(templates or {})
        )
        check_gateway_response(response)
        api.gateway_responses[response_type] = response
        await self._apis.changed(api)
        return response

    def gateway_response(self, api: RestApi, response_type: str) -> GatewayResponse:
        return effective_response(api.gateway_responses, _known_type(response_type))

    def gateway_responses(self, api: RestApi) -> list[GatewayResponse]:
        return gateway_response_listing(api.gateway_responses)

    async def update_gateway_response(
        self, api: RestApi, response_type: str, patch: Patch
    ) -> GatewayResponse:
        """A type never put starts from what is in force for it (AWS patches the default)."""
        current = self.gateway_response(api, response_type)
        response = GatewayResponse(
            current.response_type,
            current.status_code,
            dict(current.response_parameters),
            dict(current.response_templates),
        )
        apply_gateway_response_patch(response, patch)
        check_gateway_response(response)
        api.gateway_responses[response_type] = response
        await self._apis.changed(api)
        return response

    async def delete_gateway_response(self, api: RestApi, response_type: str) -> None:
        _known_type(response_type)
        if response_type not in api.gateway_responses:
            raise NotFound("Invalid Gateway Response identifier specified")
        del api.gateway_responses[response_type]
        await self._apis.changed(api)

    # -- resources -------------------------------------------------------------------------
    async def update_resource(self, api: RestApi, resource_id: str, patch: Patch) -> Resource:
        """``/pathPart`` renames, ``/parentId`` moves; the paths below follow."""
        resource = self._apis.resource(api, resource_id)
        if resource.id == api.root_resource_id:
            raise BadRequest("Root resource cannot be modified")
        path_part, parent_id = resource.path_part or "", resource.parent_id or ""
        for operation in patch:
            if operation.get("op") != "replace":
                raise _path_error(operation, "/parentId, /pathPart")
            if operation.get("path") == "/pathPart":
                path_part = str(operation.get("value") or "")
            elif operation.get("path") == "/parentId":
                parent_id = str(operation.get("value") or "")
            else:
                raise _path_error(operation, "/parentId, /pathPart")
        if not PATH_PART.match(path_part):
            raise BadRequest(
                "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning "
                "and the end and an optional plus sign before the closing brace."
            )
        parent = self._apis.resource(api, parent_id)
        below = self._descendants(api, resource.id)
        if parent.id in below or parent.id == resource.id:
            raise BadRequest("Cannot move a resource under itself or one of its children")
        if parent.path_part and parent.path_part.endswith("+}"):
            raise BadRequest("Cannot create a child of a resource with a greedy path variable")
        for other in api.resources.values():
            if (
                other.id != resource.id
                and other.parent_id == parent.id
                and other.path_part == path_part
            ):
                raise Conflict(
                    f"Another resource with the same parent already has this name: {path_part}"
                )
        resource.path_part, resource.parent_id = path_part, parent.id
        self._repath(api, resource, parent.path)
        await self._apis.changed(api)
        return resource

    @staticmethod
    def _descendants(api: RestApi, resource_id: str) -> set[str]:
        found: set[str] = set()
        frontier = [resource_id]
        while frontier:
            current = frontier.pop()
            for other in api.resources.values():
                if other.parent_id == current and other.id not in found:
                    found.add(other.id)
                    frontier.append(other.id)
        return found

    def _repath(self, api: RestApi, resource: Resource, parent_path: str) -> None:
        resource.path = f"{parent_path.rstrip('/')}/{resource.path_part}"
        for other in api.resources.values():
            if other.parent_id == resource.id:
                self._repath(api, other, resource.path)

    # -- method responses ---------------------------------------------------------------
    def method_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str
    ) -> dict[str, Any]:
        method = self._apis.method(api, resource_id, http_method)
        response = method.method_responses.get(status)
        if response is None:
            raise NotFound("Invalid Response status code specified")
        return response

    async def update_method_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str, patch: Patch
    ) -> dict[str, Any]:
        """Entries of ``/responseParameters/{name}`` (a boolean: required) and
        ``/responseModels/{type}``."""
        stored = self.method_response(api, resource_id, http_method, status)
        response = copy.deepcopy(stored)
        for operation in patch:
            parts = [p for p in str(operation.get("path", "")).split("/") if p]
            name = xform_name(parts[0]) if parts else ""
            if name not in ("response_parameters", "response_models") or len(parts) < 2:
                raise _path_error(
                    operation, "/responseParameters/{name}, /responseModels/{contentType}"
                )
            key = "/".join(parts[1:]).replace("~1", "/").replace("~0", "~")
            entries = response.setdefault(name, {})
            if operation.get("op") == "remove":
                entries.pop(key, None)
            elif name == "response_parameters":
                entries[key] = str(operation.get("value")).lower() == "true"
            else:
                entries[key] = operation.get("value")
        stored.clear()
        stored.update(response)
        await self._apis.changed(api)
        return stored

    async def delete_method_response(
        self, api: RestApi, resource_id: str, http_method: str, status: str
    ) -> None:
        self.method_response(api, resource_id, http_method, status)
        del self._apis.method(api, resource_id, http_method).method_responses[status]
        await self._apis.changed(api)

    # -- deployments and authorizers -----------------------------------------------------------
    async def update_deployment(
        self, api: RestApi, deployment_id: str, patch: Patch
    ) -> RestDeployment:
        deployment = self._apis.deployment(api, deployment_id)

        def change(draft: RestDeployment) -> None:
            for operation in patch:
                if operation.get("path") != "/description" or operation.get("op") not in (
                    "replace",
                    "add",
                    "remove",
                ):
                    raise _path_error(operation, "/description")
                draft.description = (
                    None if operation.get("op") == "remove" else operation.get("value")
                )

        _patched(deployment, change)
        await self._apis.changed(api)
        return deployment

    async def update_authorizer(
        self, api: RestApi, authorizer_id: str, patch: Patch
    ) -> RestAuthorizer:
        authorizer = self._apis.authorizer(api, authorizer_id)
        allowed = (
            "/name, /type, /authorizerUri, /authorizerCredentials, /identitySource, "
            "/identityValidationExpression, /authorizerResultTtlInSeconds, /providerARNs"
        )
        for operation in patch:
            if operation.get("path") not in allowed.split(", "):
                raise _path_error(operation, allowed)
        renamed = [
            {**o, "path": "/providerArns"} if o.get("path") == "/providerARNs" else o for o in patch
        ]

        def change(draft: RestAuthorizer) -> None:
            apply_patch(draft, renamed)
            ttl = draft.authorizer_result_ttl_in_seconds
            if ttl is not None and not 0 <= int(ttl) <= 3600:
                raise BadRequest("The Authorizer TTL must be between 0 and 3600 seconds")
            if draft.type not in ("TOKEN", "REQUEST", "COGNITO_USER_POOLS"):
                raise BadRequest(f"Invalid authorizer type specified: {draft.type}")

        _patched(authorizer, change)
        await self._apis.changed(api)
        return authorizer

    # -- API keys and usage plans ----------------------------------------------------------
    async def update_api_key(self, account: str, key_id: str, patch: Patch) -> ApiKey:
        key = self._apis.api_key(account, key_id)
        allowed = "/name, /description, /enabled, /customerId, /stages"

        def change(draft: ApiKey) -> None:
            for operation in patch:
                path = operation.get("path")
                if path == "/stages":
                    value = str(operation.get("value") or "")
                    if operation.get("op") == "add":
                        if value not in draft.stage_keys:
                            draft.stage_keys.append(value)
                    elif operation.get("op") == "remove":
                        if value in draft.stage_keys:
                            draft.stage_keys.remove(value)
                    else:
                        raise _path_error(operation, allowed)
                elif path in ("/name", "/description", "/enabled", "/customerId"):
                    apply_patch(draft, [operation])
                else:
                    raise _path_error(operation, allowed)

        _patched(key, change)
        key.last_updated_date = time.time()
        await self._apis.key_changed(key)
        return key

    async def update_usage_plan(self, account: str, plan_id: str, patch: Patch) -> UsagePlan:
        plan = self._apis.usage_plan(account, plan_id)
        allowed = (
            "/name, /description, /productCode, /apiStages, /throttle/rateLimit, "
            "/throttle/burstLimit, /quota/limit, /quota/period, /quota/offset, /throttle, /quota"
        )

        def change(draft: UsagePlan) -> None:
            for operation in patch:
                op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
                if path in ("/name", "/description") and op in ("replace", "add", "remove"):
                    apply_patch(draft, [operation])
                elif path == "/productCode":
                    continue  # AWS Marketplace only; nothing to store
                elif path == "/apiStages" and op in ("add", "remove"):
                    api_id, _, stage = str(value or "").partition(":")
                    entry = {"apiId": api_id, "stage": stage}
                    if op == "add":
                        api = self._apis.get(account, api_id)
                        if stage not in api.stages:
                            raise BadRequest(f"Invalid stage identifier specified: {stage}")
                        if entry not in draft.api_stages:
                            draft.api_stages.append(entry)
                    else:
                        if entry not in draft.api_stages:
                            raise NotFound(f"Invalid API Stage {value} specified for usage plan")
                        draft.api_stages.remove(entry)
                elif path in ("/throttle", "/quota") and op == "remove":
                    setattr(draft, path[1:], None)
                elif path in ("/throttle/rateLimit", "/throttle/burstLimit") and op == "replace":
                    throttle = dict(draft.throttle or {})
                    name = path.rsplit("/", 1)[1]
                    throttle[name] = float(str(value)) if name == "rateLimit" else int(str(value))
                    draft.throttle = throttle
                elif path in ("/quota/limit", "/quota/period", "/quota/offset") and op == "replace":
                    quota = dict(draft.quota or {})
                    name = path.rsplit("/", 1)[1]
                    if name == "period":
                        if value not in ("DAY", "WEEK", "MONTH"):
                            raise BadRequest(f"Invalid quota period specified: {value}")
                        quota[name] = value
                    else:
                        try:
                            quota[name] = int(str(value))
                        except ValueError as exc:
                            raise BadRequest(f"Invalid quota {name} specified: {value}") from exc
                    draft.quota = quota
                else:
                    raise _path_error(operation, allowed)

        _patched(plan, change)
        await self._apis.plan_changed(plan)
        return plan
