"""AWS::ApiGateway::* and AWS::ApiGatewayV2::* through our own API Gateway APIs.

A REST API given as an OpenAPI ``Body`` (what SAM writes) is imported the way API
Gateway's import does: one resource per path segment, one method and integration per
operation, from the ``x-amazon-apigateway-integration`` extensions. An HTTP API's
``Body`` goes through the management API's ImportApi (``v2_apis.import_body``).
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
)
from stratus.services.stacks.resources.v2_apis import import_body

_METHODS = (
    "get",
    "put",
    "post",
    "delete",
    "options",
    "head",
    "patch",
    "x-amazon-apigateway-any-method",
)


def _operations(body: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in (body.get("paths") or {}).items():
        for method, operation in (item or {}).items():
            if method.lower() in _METHODS and isinstance(operation, dict):
                verb = (
                    "ANY" if method.lower() == "x-amazon-apigateway-any-method" else method.upper()
                )
                found.append((str(path), verb, operation))
    return found


class RestApiHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        body = props.get("Body") or {}
        name = props.get("Name") or (body.get("info") or {}).get("title") or logical_id
        params: dict[str, Any] = {
            "name": name,
            **{
                k[:1].lower() + k[1:]: v
                for k, v in pick(
                    props, "Description", "BinaryMediaTypes", "ApiKeySourceType"
                ).items()
            },
        }
        if "EndpointConfiguration" in props:
            params["endpointConfiguration"] = {
                "types": props["EndpointConfiguration"].get("Types", ["EDGE"])
            }
        policy = _policy_text(props.get("Policy"))
        if policy:
            params["policy"] = policy
        api = await ctx.call("apigateway", "CreateRestApi", params)
        api_id = api["id"]
        await ctx.call(
            "apigateway",
            "TagResource",
            {
                "resourceArn": f"arn:aws:apigateway:{ctx.region}::/restapis/{api_id}",
                "tags": ctx.tags(logical_id, props.get("Tags")),
            },
        )
        if body:
            # What CloudFormation does with a Body: PutRestApi (API Gateway's own import:
            # paths, authorizers, gateway responses ...), then the template's Name wins.
            await ctx.call(
                "apigateway",
                "PutRestApi",
                {
                    "restApiId": api_id,
                    "mode": str(props.get("Mode") or "overwrite"),
                    "body": json.dumps(body).encode(),
                },
            )
            if policy and "x-amazon-apigateway-policy" in body:  # the template's wins
                await _put_policy(ctx, api_id, policy)
            if props.get("Name") and props["Name"] != (body.get("info") or {}).get("title"):
                await ctx.call(
                    "apigateway",
                    "UpdateRestApi",
                    {
                        "restApiId": api_id,
                        "patchOperations": [
                            {"op": "replace", "path": "/name", "value": props["Name"]}
                        ],
                    },
                )
        resources = await ctx.call(
            "apigateway", "GetResources", {"restApiId": api_id, "limit": 500}
        )
        root = next(r["id"] for r in resources["items"] if r["path"] == "/")
        return Provisioned(api_id, {"RootResourceId": root, "RestApiId": api_id})

    def replaces(self, old: dict[str, Any], new: dict[str, Any]) -> bool:
        """A change of ``Policy`` alone updates the API in place (no interruption, as
        CloudFormation documents it); any other change makes a new API."""
        return any(old.get(k) != new.get(k) for k in set(old) | set(new) if k != "Policy")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if self.replaces(old, new):
            return None
        await _put_policy(ctx, current.physical_id, _policy_text(new.get("Policy")))
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("apigateway", "DeleteRestApi", {"restApiId": current.physical_id})
        )


def _policy_text(policy: Any) -> str:
    """``Policy``: a document (as YAML and JSON templates write it) or its JSON text."""
    if policy is None or policy == "":
        return ""
    return policy if isinstance(policy, str) else json.dumps(policy)


async def _put_policy(ctx: Provisioning, api_id: str, policy: str) -> None:
    await ctx.call(
        "apigateway",
        "UpdateRestApi",
        {
            "restApiId": api_id,
            "patchOperations": [{"op": "replace", "path": "/policy", "value": policy}],
        },
    )


class ResourceHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        made = await ctx.call(
            "apigateway",
            "CreateResource",
            {
                "restApiId": props["RestApiId"],
                "parentId": props["ParentId"],
                "pathPart": props["PathPart"],
            },
        )
        return Provisioned(made["id"], {"ResourceId": made["id"]})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteResource",
                {"restApiId": props["RestApiId"], "resourceId": current.physical_id},
            )
        )


class MethodHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        api, resource, verb = props["RestApiId"], props["ResourceId"], props["HttpMethod"]
        await ctx.call(
            "apigateway",
            "PutMethod",
            {
                "restApiId": api,
                "resourceId": resource,
                "httpMethod": verb,
                "authorizationType": props.get("AuthorizationType", "NONE"),
                **{
                    k[:1].lower() + k[1:]: v
                    for k, v in pick(
                        props,
                        "AuthorizerId",
                        "ApiKeyRequired",
                        "RequestParameters",
                        "RequestModels",
                        "RequestValidatorId",
                        "OperationName",
                    ).items()
                },
            },
        )
        integration = props.get("Integration")
        if integration:
            params = {
                "restApiId": api,
                "resourceId": resource,
                "httpMethod": verb,
                "type": integration["Type"],
                **{
                    k[:1].lower() + k[1:]: v
                    for k, v in pick(
                        integration,
                        "Uri",
                        "Credentials",
                        "RequestParameters",
                        "RequestTemplates",
                        "PassthroughBehavior",
                        "TimeoutInMillis",
                    ).items()
                },
            }
            if "IntegrationHttpMethod" in integration:
                params["integrationHttpMethod"] = integration["IntegrationHttpMethod"]
            await ctx.call("apigateway", "PutIntegration", params)
        method = {"restApiId": api, "resourceId": resource, "httpMethod": verb}
        await _method_responses(
            ctx,
            method,
            [
                _camel(r, "StatusCode", "ResponseParameters", "ResponseModels")
                for r in props.get("MethodResponses") or ()
            ],
        )
        if integration:
            await _integration_responses(
                ctx,
                method,
                [
                    _camel(
                        r,
                        "StatusCode",
                        "SelectionPattern",
                        "ResponseParameters",
                        "ResponseTemplates",
                        "ContentHandling",
                    )
                    for r in integration.get("IntegrationResponses") or ()
                ],
            )
        return Provisioned(f"{api}|{resource}|{verb}")

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        api, resource, verb = current.physical_id.split("|")
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteMethod",
                {"restApiId": api, "resourceId": resource, "httpMethod": verb},
            )
        )


class DeploymentHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = {
            "restApiId": props["RestApiId"],
            **{
                k[:1].lower() + k[1:]: v for k, v in pick(props, "StageName", "Description").items()
            },
        }
        made = await ctx.call("apigateway", "CreateDeployment", params)
        return Provisioned(made["id"], {"DeploymentId": made["id"]})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        if props.get("StageName"):  # the stage the deployment made goes with it
            await ignore_missing(
                ctx.call(
                    "apigateway",
                    "DeleteStage",
                    {"restApiId": props["RestApiId"], "stageName": props["StageName"]},
                )
            )
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteDeployment",
                {"restApiId": props["RestApiId"], "deploymentId": current.physical_id},
            )
        )


class StageHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = {
            "restApiId": props["RestApiId"],
            "stageName": props.get("StageName") or logical_id,
            "deploymentId": props["DeploymentId"],
            **{
                k[:1].lower() + k[1:]: v
                for k, v in pick(props, "Description", "Variables", "TracingEnabled").items()
            },
        }
        await ctx.call("apigateway", "CreateStage", params)
        return Provisioned(params["stageName"])

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("StageName") != new.get("StageName") or old.get("RestApiId") != new.get(
            "RestApiId"
        ):
            return None
        await ctx.call(
            "apigateway",
            "UpdateStage",
            {
                "restApiId": new["RestApiId"],
                "stageName": current.physical_id,
                "patchOperations": [
                    {"op": "replace", "path": "/deploymentId", "value": new["DeploymentId"]}
                ],
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteStage",
                {"restApiId": props["RestApiId"], "stageName": current.physical_id},
            )
        )


def _camel(props: dict[str, Any], *names: str) -> dict[str, Any]:
    """CloudFormation's property names as the API's members (``StatusCode`` -> ``statusCode``)."""
    return {k[:1].lower() + k[1:]: v for k, v in pick(props, *names).items()}


async def _method_responses(
    ctx: Provisioning, method: dict[str, Any], responses: list[dict[str, Any]]
) -> None:
    for response in responses:
        await ctx.call("apigateway", "PutMethodResponse", {**method, **response})


async def _integration_responses(
    ctx: Provisioning, method: dict[str, Any], responses: list[dict[str, Any]]
) -> None:
    """Each integration response, after a method response of its status code (API
    Gateway wants one; a template may name only the integration's)."""
    if not responses:
        return
    known = await ctx.call("apigateway", "GetMethod", dict(method))
    have = set((known.get("methodResponses") or {}).keys())
    for response in responses:
        code = str(response["statusCode"])
        if code not in have:
            await ctx.call("apigateway", "PutMethodResponse", {**method, "statusCode": code})
            have.add(code)
        await ctx.call("apigateway", "PutIntegrationResponse", {**method, **response})


class HttpApiHandler(Handler):
    _FIELDS = (
        "Name",
        "ProtocolType",
        "RouteSelectionExpression",
        "Description",
        "CorsConfiguration",
        "Target",
        "RouteKey",
        "CredentialsArn",
        "DisableExecuteApiEndpoint",
        "ApiKeySelectionExpression",
    )

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        body = props.get("Body")
        if body:
            # the service's own ImportApi, so a template and import-api agree
            api = await import_body(ctx, props, body)
            await ctx.call(
                "apigatewayv2",
                "TagResource",
                {
                    "ResourceArn": f"arn:aws:apigateway:{ctx.region}::/apis/{api['ApiId']}",
                    "Tags": ctx.tags(logical_id),
                },
            )
        else:
            params: dict[str, Any] = pick(props, *self._FIELDS)
            params.setdefault("Name", logical_id)
            params.setdefault("ProtocolType", "HTTP")
            params["Tags"] = ctx.tags(logical_id, props.get("Tags"))
            api = await ctx.call("apigatewayv2", "CreateApi", params)
        api_id = api["ApiId"]
        return Provisioned(api_id, {"ApiId": api_id, "ApiEndpoint": api.get("ApiEndpoint", "")})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("apigatewayv2", "DeleteApi", {"ApiId": current.physical_id}))


def _v2_response_parameters(value: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation writes an integration's response mappings as
    ``{"200": {"ResponseParameters": [{"Destination": ..., "Source": ...}]}}``; the API
    takes ``{"200": {destination: source}}``."""
    converted: dict[str, Any] = {}
    for status, mapping in value.items():
        pairs = mapping.get("ResponseParameters") if isinstance(mapping, dict) else None
        if isinstance(pairs, list):
            converted[status] = {p.get("Destination"): p.get("Source") for p in pairs}
        else:
            converted[status] = mapping
    return converted


class V2Handler(Handler):
    """Route, Integration, Stage and Deployment: each one create call of the same name."""

    def __init__(self, kind: str, id_field: str) -> None:
        self._kind = kind
        self._id = id_field

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = dict(props)
        if self._kind == "Stage" and "StageName" not in params:
            params["StageName"] = logical_id
        for noise in ("Tags",) if self._kind != "Stage" else ():
            params.pop(noise, None)
        params.pop("AccessLogSettings", None)  # access logs go to the server's log
        if self._kind == "Integration" and params.get("ResponseParameters"):
            params["ResponseParameters"] = _v2_response_parameters(params["ResponseParameters"])
        made = await ctx.call("apigatewayv2", f"Create{self._kind}", params)
        physical = str(made[self._id])
        return Provisioned(physical, {f"{self._kind}Id": physical})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigatewayv2",
                f"Delete{self._kind}",
                {"ApiId": props["ApiId"], self._id: current.physical_id},
            )
        )


class GatewayResponseHandler(Handler):
    """AWS::ApiGateway::GatewayResponse: PutGatewayResponse; a change of its status,
    parameters or templates puts it again in place."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        await self._put(ctx, props)
        return Provisioned(
            f"{props['RestApiId']}|{props['ResponseType']}", {"Id": ctx.token(logical_id)}
        )

    async def _put(self, ctx: Provisioning, props: dict[str, Any]) -> None:
        params = {
            "restApiId": props["RestApiId"],
            "responseType": props["ResponseType"],
            **_camel(props, "StatusCode", "ResponseParameters", "ResponseTemplates"),
        }
        await ctx.call("apigateway", "PutGatewayResponse", params)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if (old.get("RestApiId"), old.get("ResponseType")) != (
            new.get("RestApiId"),
            new.get("ResponseType"),
        ):
            return None
        await self._put(ctx, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        api, kind = current.physical_id.split("|", 1)
        await ignore_missing(
            ctx.call(
                "apigateway", "DeleteGatewayResponse", {"restApiId": api, "responseType": kind}
            )
        )


class AccountHandler(Handler):
    """AWS::ApiGateway::Account (CDK's ``RestApi`` makes one): the account's CloudWatch
    role. Deleting the resource leaves the setting, as CloudFormation does."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        await self._apply(ctx, props)
        return Provisioned(ctx.token(logical_id))

    async def _apply(self, ctx: Provisioning, props: dict[str, Any]) -> None:
        role = props.get("CloudWatchRoleArn")
        operation = (
            {"op": "replace", "path": "/cloudwatchRoleArn", "value": role}
            if role
            else {"op": "remove", "path": "/cloudwatchRoleArn"}
        )
        await ctx.call("apigateway", "UpdateAccount", {"patchOperations": [operation]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        await self._apply(ctx, new)
        return current
