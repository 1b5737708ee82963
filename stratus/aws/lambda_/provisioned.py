"""Put/Get/Delete/ListProvisionedConcurrencyConfig(s) on the provisioned concurrency service.

See https://docs.aws.amazon.com/lambda/latest/api/API_PutProvisionedConcurrencyConfig.html
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.scope import fid
from stratus.services.functions.names import parse_function_name
from stratus.services.functions.provisioned import ProvisionedConcurrency, ProvisionedConfig

Params = dict[str, Any]


def _shape(config: ProvisionedConfig, *, with_arn: bool = False) -> Params:
    shape: Params = {
        "RequestedProvisionedConcurrentExecutions": config.requested,
        "AvailableProvisionedConcurrentExecutions": config.available,
        "AllocatedProvisionedConcurrentExecutions": config.allocated,
        "Status": config.status,
        "LastModified": config.last_modified,
    }
    if config.status_reason is not None:
        shape["StatusReason"] = config.status_reason
    if with_arn:
        shape = {"FunctionArn": config.function_arn, **shape}
    return shape


class ProvisionedConcurrencyMixin:
    """The provisioned concurrency operations of
    :class:`~stratus.aws.lambda_.provider.LambdaProvider`."""

    _provisioned: ProvisionedConcurrency

    async def put_provisioned_concurrency_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        count = int(params["ProvisionedConcurrentExecutions"])
        return _shape(await self._provisioned.put(fid(ctx, ref), ref.qualifier, count))

    async def get_provisioned_concurrency_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        return _shape(self._provisioned.get(fid(ctx, ref), ref.qualifier))

    async def delete_provisioned_concurrency_config(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        await self._provisioned.delete(fid(ctx, ref), ref.qualifier)
        return {}

    async def list_provisioned_concurrency_configs(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"])
        return list_result(
            "ProvisionedConcurrencyConfigs",
            self._provisioned.list(fid(ctx, ref)),
            lambda config: config.function_arn,
            params,
            lambda config: _shape(config, with_arn=True),
        )
