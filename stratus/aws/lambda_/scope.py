"""A FunctionName or LayerName, in the caller's account and region, as the functions
service identifies it (by ARN)."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.functions.names import (
    FunctionRef,
    layer_arn,
    parse_function_name,
    parse_layer_name,
)


def fid(ctx: RequestContext, ref: FunctionRef) -> str:
    """The id of the function a FunctionName names: an ARN's own, else in the caller's scope."""
    return ref.function_id(ctx.scope)


def layer_id(ctx: RequestContext, value: str) -> str:
    """The id (unversioned ARN) of the layer a LayerName (name or ARN) names."""
    if value.startswith("arn:"):
        parse_layer_name(value)
        return value
    return layer_arn(ctx.region, parse_layer_name(value), account=ctx.account_id)


def invoke_target(
    ctx: RequestContext, params: dict[str, Any]
) -> tuple[FunctionRef, str, bytes, str]:
    """What Invoke and InvokeWithResponseStream read alike from their parameters: the
    function's reference and id, the event as bytes, and the InvocationType."""
    ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
    payload = params.get("Payload") or b""
    if isinstance(payload, str):
        payload = payload.encode()
    return ref, fid(ctx, ref), payload, params.get("InvocationType") or "RequestResponse"
