"""API Gateway (v1) operations that reach into the gateway serving REST APIs:
TestInvokeMethod, TestInvokeAuthorizer, and the stage cache flushes. A mixin of
:class:`ApiGatewayProvider`; the gateway's pieces are handed in by the component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.aws.context import RequestContext
from stratus.gateway.rest_test_invoke import RestTestInvoke, TestRequest
from stratus.services.apis.errors import BadRequest

if TYPE_CHECKING:
    from stratus.gateway.rest_api import RestApiServer
    from stratus.services.apis.rest_apis import RestApis
    from stratus.services.apis.rest_model import RestApi

__all__ = ["GatewayOperations"]

Params = dict[str, Any]


def _test_request(params: Params) -> TestRequest:
    return TestRequest(
        params.get("pathWithQueryString"),
        params.get("body"),
        dict(params.get("headers") or {}),
        {k: list(v) for k, v in (params.get("multiValueHeaders") or {}).items()},
        dict(params.get("stageVariables") or {}),
    )


class GatewayOperations:
    _apis: RestApis
    _rest_server: RestApiServer | None = None

    def _server(self) -> RestApiServer:
        if self._rest_server is None:
            raise BadRequest("Test invocations need the gateway, which this server does not run")
        return self._rest_server

    def _rest(self, ctx: RequestContext, params: Params) -> RestApi:
        return self._apis.get(ctx.account_id, params["restApiId"])

    async def test_invoke_method(self, ctx: RequestContext, params: Params) -> Params:
        api = self._rest(ctx, params)
        self._apis.method(api, params["resourceId"], params["httpMethod"])
        trial = await RestTestInvoke(self._server()).method(
            api, params["resourceId"], params["httpMethod"], _test_request(params)
        )
        multi: dict[str, list[str]] = {}
        for name, value in trial.headers:
            multi.setdefault(name, []).append(value)
        return {
            "status": trial.status,
            "body": trial.body.decode("utf-8", "replace"),
            "headers": {name: values[-1] for name, values in multi.items()},
            "multiValueHeaders": multi,
            "log": trial.log,
            "latency": trial.latency_ms,
        }

    async def test_invoke_authorizer(self, ctx: RequestContext, params: Params) -> Params:
        api = self._rest(ctx, params)
        authorizer = self._apis.authorizer(api, params["authorizerId"])
        trial = await RestTestInvoke(self._server()).authorizer(
            api, authorizer, _test_request(params)
        )
        out: Params = {
            "clientStatus": trial.client_status,
            "log": trial.log,
            "latency": trial.latency_ms,
        }
        if trial.principal_id is not None:
            out["principalId"] = trial.principal_id
        if trial.policy is not None:
            out["policy"] = trial.policy
        return out

    async def flush_stage_authorizers_cache(self, ctx: RequestContext, params: Params) -> Params:
        api = self._rest(ctx, params)
        self._apis.stage(api, params["stageName"])
        if self._rest_server is not None:
            self._rest_server.flush_authorizer_cache(api.id, params["stageName"])
        return {}

    async def flush_stage_cache(self, ctx: RequestContext, params: Params) -> Params:
        """Accepted: Stratus keeps no stage (response) cache, so there is nothing to empty."""
        api = self._rest(ctx, params)
        self._apis.stage(api, params["stageName"])
        return {}
