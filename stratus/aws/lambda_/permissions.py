"""Lambda's resource-based policy operations, a mixin of :class:`LambdaProvider`.

AddPermission, RemovePermission, GetPolicy for functions (per version or alias) and
AddLayerVersionPermission, RemoveLayerVersionPermission, GetLayerVersionPolicy for layer
versions; PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy for a function's,
version's or alias's whole document (the one AddPermission edits). Thin: parameters in, ``services.functions.permissions`` call, shapes out.
"""

from __future__ import annotations

from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.scope import fid, layer_id
from stratus.services.functions.errors import NotFound, Unsupported
from stratus.services.functions.names import FunctionRef, parse_function_name
from stratus.services.functions.permissions import Permissions, ResourcePolicies
from stratus.services.functions.policies import PermissionRequest

Params = dict[str, Any]

LATEST_PUBLISHED = "$LATEST.PUBLISHED"


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _policy_resource(value: str) -> FunctionRef:
    """The function, version or alias a ResourceArn names (the model checked its form)."""
    if ":runtime/" in value:
        # The model also admits Lambda's runtime ARNs; Stratus has no such resources.
        raise Unsupported("Stratus supports resource policies for functions only.")
    if value.endswith(":" + LATEST_PUBLISHED):
        # A version Lambda publishes by itself (CreateFunction's PublishTo): Stratus
        # makes none, so there is never one to hold a policy.
        raise NotFound(f"Function not found: {value}")
    return parse_function_name(value, member="resourceArn")


class PermissionsApi:
    _permissions: Permissions
    _resource_policies: ResourcePolicies

    async def add_permission(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        request = PermissionRequest(
            statement_id=params["StatementId"],
            action=params["Action"],
            principal=params["Principal"],
            source_arn=params.get("SourceArn"),
            source_account=params.get("SourceAccount"),
            event_source_token=params.get("EventSourceToken"),
            principal_org_id=params.get("PrincipalOrgID"),
            function_url_auth_type=params.get("FunctionUrlAuthType"),
            invoked_via_function_url=params.get("InvokedViaFunctionUrl"),
        )
        statement = await self._permissions.add(
            fid(ctx, ref), ref.qualifier, request, revision_id=params.get("RevisionId")
        )
        return {"Statement": _json(statement)}

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        await self._permissions.remove(
            fid(ctx, ref),
            ref.qualifier,
            params["StatementId"],
            revision_id=params.get("RevisionId"),
        )
        return {}

    async def get_policy(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        document, revision = self._permissions.get(fid(ctx, ref), ref.qualifier)
        return {"Policy": _json(document), "RevisionId": revision}

    async def add_layer_version_permission(self, ctx: RequestContext, params: Params) -> Params:
        statement, revision = await self._permissions.add_layer(
            layer_id(ctx, params["LayerName"]),
            int(params["VersionNumber"]),
            statement_id=params["StatementId"],
            action=params["Action"],
            principal=params["Principal"],
            organization_id=params.get("OrganizationId"),
            revision_id=params.get("RevisionId"),
        )
        return {"Statement": _json(statement), "RevisionId": revision}

    async def remove_layer_version_permission(self, ctx: RequestContext, params: Params) -> Params:
        await self._permissions.remove_layer(
            layer_id(ctx, params["LayerName"]),
            int(params["VersionNumber"]),
            params["StatementId"],
            revision_id=params.get("RevisionId"),
        )
        return {}

    async def get_layer_version_policy(self, ctx: RequestContext, params: Params) -> Params:
        document, revision = self._permissions.get_layer(
            layer_id(ctx, params["LayerName"]), int(params["VersionNumber"])
        )
        return {"Policy": _json(document), "RevisionId": revision}

    async def put_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        ref = _policy_resource(params["ResourceArn"])
        document, revision = await self._resource_policies.put(
            fid(ctx, ref), ref.qualifier, params["Policy"], revision_id=params.get("RevisionId")
        )
        return {"Policy": _json(document), "RevisionId": revision}

    async def get_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        ref = _policy_resource(params["ResourceArn"])
        document, revision = self._permissions.get(fid(ctx, ref), ref.qualifier)
        return {"Policy": _json(document), "RevisionId": revision}

    async def delete_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        ref = _policy_resource(params["ResourceArn"])
        await self._resource_policies.delete(
            fid(ctx, ref), ref.qualifier, revision_id=params.get("RevisionId")
        )
        return {}
