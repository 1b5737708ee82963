"""Function URL configs, a mixin of :class:`LambdaProvider`.

CreateFunctionUrlConfig, GetFunctionUrlConfig, UpdateFunctionUrlConfig,
DeleteFunctionUrlConfig and ListFunctionUrlConfigs. Thin: parameters in,
``services.functions.function_urls`` call, shapes out. The URL itself is the gateway's
(``stratus/gateway/function_urls``): ``http://{url-id}.lambda-url.{region}.localhost:{port}/``.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.lambda_.pagination import list_result
from stratus.aws.lambda_.scope import fid
from stratus.services.functions.errors import Validation
from stratus.services.functions.function_urls import FunctionUrls, UrlConfig
from stratus.services.functions.model import LATEST
from stratus.services.functions.names import VERSION_NUMBER, parse_function_name, validation_message

Params = dict[str, Any]

# The model's qualifier pattern (FunctionUrlQualifier), and the one Lambda's message names
# for a version number.
_ALIAS_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"
_VERSION_PATTERN = "(^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))"


class FunctionUrlsApi:
    _function_urls: FunctionUrls
    _gateway_port: int

    def function_url(self, config: UrlConfig) -> str:
        return f"http://{config.url_id}.lambda-url.{config.region}.localhost:{self._gateway_port}/"

    def _url_shape(self, config: UrlConfig, *, modified: bool = True) -> Params:
        shape: Params = {
            "FunctionUrl": self.function_url(config),
            "FunctionArn": config.function_arn,
            "AuthType": config.auth_type,
            "CreationTime": config.creation_time,
            "InvokeMode": config.invoke_mode,
        }
        if config.cors is not None:
            shape["Cors"] = config.cors
        if modified:
            shape["LastModifiedTime"] = config.last_modified_time
        return shape

    def _url_target(self, ctx: RequestContext, params: Params) -> tuple[str, str | None]:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        qualifier = ref.qualifier
        if qualifier == LATEST:
            raise Validation(
                validation_message(
                    qualifier,
                    "qualifier",
                    f"Member must satisfy regular expression pattern: {_ALIAS_PATTERN}",
                )
            )
        if qualifier is not None and VERSION_NUMBER.match(qualifier):
            raise Validation(
                validation_message(
                    qualifier,
                    "qualifier",
                    f"Member must satisfy regular expression pattern: {_VERSION_PATTERN}",
                )
            )
        return fid(ctx, ref), qualifier

    async def create_function_url_config(self, ctx: RequestContext, params: Params) -> Params:
        function_id, qualifier = self._url_target(ctx, params)
        config = await self._function_urls.create(
            function_id,
            qualifier,
            auth_type=params["AuthType"],
            cors=_cors(params.get("Cors")),
            invoke_mode=params.get("InvokeMode"),
        )
        return self._url_shape(config, modified=False)

    async def get_function_url_config(self, ctx: RequestContext, params: Params) -> Params:
        function_id, qualifier = self._url_target(ctx, params)
        return self._url_shape(self._function_urls.get(function_id, qualifier))

    async def update_function_url_config(self, ctx: RequestContext, params: Params) -> Params:
        function_id, qualifier = self._url_target(ctx, params)
        config = await self._function_urls.update(
            function_id,
            qualifier,
            auth_type=params.get("AuthType"),
            cors=_cors(params.get("Cors")),
            invoke_mode=params.get("InvokeMode"),
        )
        return self._url_shape(config)

    async def delete_function_url_config(self, ctx: RequestContext, params: Params) -> Params:
        function_id, qualifier = self._url_target(ctx, params)
        await self._function_urls.delete(function_id, qualifier)
        return {}

    async def list_function_url_configs(self, ctx: RequestContext, params: Params) -> Params:
        ref = parse_function_name(params["FunctionName"])
        configs = self._function_urls.of_function(fid(ctx, ref))
        return list_result(
            "FunctionUrlConfigs", configs, lambda c: c.function_arn, params, self._url_shape
        )


def _cors(value: Params | None) -> Params | None:
    """The Cors structure as given, once its methods are ones a URL can allow."""
    if value is None:
        return None
    cors = {k: (list(v) if isinstance(v, list) else v) for k, v in value.items()}
    for method in cors.get("AllowMethods") or ():
        if str(method).upper() not in _METHODS:
            raise Validation(
                validation_message(
                    str(method),
                    "cors.allowMethods.member",
                    "Member must satisfy enum value set: [GET, PUT, HEAD, POST, PATCH, DELETE, *]",
                )
            )
    return cors


_METHODS = ("GET", "PUT", "HEAD", "POST", "PATCH", "DELETE", "*")
