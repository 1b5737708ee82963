"""Per-function settings and the deprecated InvokeAsync, a mixin of :class:`LambdaProvider`.

PutFunctionRecursionConfig/GetFunctionRecursionConfig, PutRuntimeManagementConfig/
GetRuntimeManagementConfig and InvokeAsync. Thin: parameters in, service call, shapes out.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_ import shapes
from stratus.aws.lambda_.scope import fid
from stratus.services.functions.function_configs import FunctionConfigs
from stratus.services.functions.invocations import Invocations
from stratus.services.functions.model import FunctionConfig
from stratus.services.functions.names import parse_function_name, qualified

Params = dict[str, Any]


class ConfigsApi:
    _configs: FunctionConfigs
    _invocations: Invocations

    # -- recursive loop detection ----------------------------------------------------
    async def put_function_recursion_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        value = await self._configs.put_recursive_loop(fid(ctx, ref), params["RecursiveLoop"])
        return {"RecursiveLoop": value}

    async def get_function_recursion_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        return {"RecursiveLoop": self._configs.recursive_loop(fid(ctx, ref))}

    # -- runtime management ----------------------------------------------------------
    async def put_runtime_management_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        function_id = fid(ctx, ref)
        config = await self._configs.put_runtime_management(
            function_id, ref.qualifier, params["UpdateRuntimeOn"], params.get("RuntimeVersionArn")
        )
        return _runtime_management(function_id, ref.qualifier, config)

    async def get_runtime_management_config(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        function_id = fid(ctx, ref)
        config = self._configs.runtime_management(function_id, ref.qualifier)
        return _runtime_management(function_id, ref.qualifier, config)

    # -- InvokeAsync (deprecated, still answered) ------------------------------------
    async def invoke_async(self, ctx: RequestContext, params: Params) -> Params:
        """Lambda's first asynchronous invoke: an Event invocation answering ``Status: 202``."""
        ref = parse_function_name(params["FunctionName"])
        payload = params.get("InvokeArgs") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        elif not isinstance(payload, bytes):
            payload = payload.read()
        await self._invocations.enqueue(fid(ctx, ref), None, payload, request_id=ctx.request_id)
        return {"Status": 202}


def _runtime_management(name: str, qualifier: str | None, config: FunctionConfig) -> Params:
    """Lambda answers the qualified ARN it was asked about; the ARN only for Manual."""
    shape: Params = {
        "UpdateRuntimeOn": config.update_runtime_on,
        "FunctionArn": qualified(name, qualifier),
    }
    if config.update_runtime_on == "Manual":
        shape["RuntimeVersionArn"] = shapes.runtime_version_arn(config)
    return shape
