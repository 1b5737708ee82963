"""A FunctionName or LayerName, in the caller's account and region, as the functions
service identifies it (by ARN)."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.services.functions.names import FunctionRef, layer_arn, parse_layer_name


def fid(ctx: RequestContext, ref: FunctionRef) -> str:
    """The id of the function a FunctionName names: an ARN's own, else in the caller's scope."""
    return ref.function_id(ctx.scope)


def layer_id(ctx: RequestContext, value: str) -> str:
    """The id (unversioned ARN) of the layer a LayerName (name or ARN) names."""
    if value.startswith("arn:"):
        parse_layer_name(value)
        return value
    return layer_arn(ctx.region, parse_layer_name(value), account=ctx.account_id)
