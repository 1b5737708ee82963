"""ImportApi, ReimportApi and ExportApi of the v2 management API: OpenAPI 3.0 in and out.

Mixed into ``ApiGatewayV2Provider``. Parsing and writing a document of up to 6 MB is CPU
work, so both run off the event loop; the APIs service builds and stores.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import yaml

from stratus.aws.context import RequestContext
from stratus.services.apis.http_apis import HttpApis
from stratus.services.apis.http_openapi_export import check_export, export_api
from stratus.services.apis.http_openapi_import import ImportResult, import_api, reimport_api
from stratus.services.apis.model import HttpApi
from stratus.services.apis.openapi_import import parse_definition

Params = dict[str, Any]


def _body(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value or "").encode()


def _write(document: dict[str, Any], output_type: str) -> bytes:
    if output_type == "YAML":
        text: str = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
        return text.encode()
    return orjson.dumps(document, option=orjson.OPT_INDENT_2)


class ImportOperations:
    """ImportApi, ReimportApi, ExportApi."""

    _apis: HttpApis

    def _get(self, ctx: RequestContext, params: Params) -> HttpApi:
        raise NotImplementedError  # the provider finds the API

    def _api(self, api: HttpApi, shape: str = "GetApiResponse") -> Params:
        raise NotImplementedError  # the provider renders the API

    def endpoint(self, api: HttpApi) -> str:
        raise NotImplementedError  # the provider knows the gateway's port

    def _imported(self, result: ImportResult, shape: str) -> Params:
        out = self._api(result.api, shape)
        if result.warnings:
            out["Warnings"] = result.warnings
        return out

    async def import_api(self, ctx: RequestContext, params: Params) -> Params:
        document = await asyncio.to_thread(parse_definition, _body(params.get("Body")))
        result = await import_api(
            self._apis,
            ctx.account_id,
            ctx.region,
            document,
            params.get("Basepath"),
            bool(params.get("FailOnWarnings")),
        )
        return self._imported(result, "ImportApiResponse")

    async def reimport_api(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        document = await asyncio.to_thread(parse_definition, _body(params.get("Body")))
        result = await reimport_api(
            self._apis,
            api,
            document,
            params.get("Basepath"),
            bool(params.get("FailOnWarnings")),
        )
        return self._imported(result, "ReimportApiResponse")

    async def export_api(self, ctx: RequestContext, params: Params) -> Params:
        api = self._get(ctx, params)
        output_type = str(params.get("OutputType") or "")
        check_export(api, str(params["Specification"]), output_type, params.get("ExportVersion"))
        include = params.get("IncludeExtensions")
        document = export_api(
            api,
            self.endpoint(api),
            params.get("StageName"),
            True if include is None else bool(include),
        )
        body = await asyncio.to_thread(_write, document, output_type)
        return {"body": body}
