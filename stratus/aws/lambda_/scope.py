"""The caller's account and region, as the functions service scopes its resources."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.services.functions.names import FunctionRef, Scope, layer_arn, parse_layer_name


def scope(ctx: RequestContext) -> Scope:
    return Scope(account=ctx.account_id, region=ctx.region)


def fid(ctx: RequestContext, ref: FunctionRef) -> str:
    """The id of the function a FunctionName names: an ARN's own, else in the caller's scope."""
    return ref.function_id(scope(ctx))


def layer_id(ctx: RequestContext, value: str) -> str:
    """The id (unversioned ARN) of the layer a LayerName (name or ARN) names."""
    if value.startswith("arn:"):
        parse_layer_name(value)
        return value
    return layer_arn(ctx.region, parse_layer_name(value), account=ctx.account_id)
