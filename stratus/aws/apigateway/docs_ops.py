"""API Gateway (v1) documentation parts and versions (``stratus.services.apis.documentation``).
A mixin of :class:`ApiGatewayProvider`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from stratus.aws.apigateway.pages import page
from stratus.aws.context import RequestContext
from stratus.services.apis.documentation import RestDocumentation
from stratus.services.apis.openapi_import import parse_definition
from stratus.services.apis.rest_model import DocumentationPart, DocumentationVersion

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis
    from stratus.services.apis.rest_model import RestApi

__all__ = ["DocumentationOperations"]

Params = dict[str, Any]


def _part(part: DocumentationPart) -> Params:
    return {"id": part.id, "location": dict(part.location), "properties": part.properties}


def _version(version: DocumentationVersion) -> Params:
    out: Params = {"version": version.version, "createdDate": version.created_date}
    if version.description is not None:
        out["description"] = version.description
    return out


class DocumentationOperations:
    _apis: RestApis

    @property
    def _docs(self) -> RestDocumentation:
        return RestDocumentation(self._apis)

    def _doc_api(self, ctx: RequestContext, params: Params) -> RestApi:
        return self._apis.get(ctx.account_id, params["restApiId"])

    # -- parts -------------------------------------------------------------------------------
    async def create_documentation_part(self, ctx: RequestContext, params: Params) -> Params:
        part = await self._docs.create_part(
            self._doc_api(ctx, params), dict(params["location"]), params["properties"]
        )
        return _part(part)

    async def get_documentation_part(self, ctx: RequestContext, params: Params) -> Params:
        return _part(self._docs.part(self._doc_api(ctx, params), params["documentationPartId"]))

    async def get_documentation_parts(self, ctx: RequestContext, params: Params) -> Params:
        found = self._docs.parts(
            self._doc_api(ctx, params),
            params.get("type"),
            params.get("nameQuery"),
            params.get("path"),
            params.get("locationStatus"),
        )
        return page(found, lambda p: p.id, params, _part)

    async def update_documentation_part(self, ctx: RequestContext, params: Params) -> Params:
        part = await self._docs.update_part(
            self._doc_api(ctx, params),
            params["documentationPartId"],
            params.get("patchOperations") or [],
        )
        return _part(part)

    async def delete_documentation_part(self, ctx: RequestContext, params: Params) -> Params:
        await self._docs.delete_part(self._doc_api(ctx, params), params["documentationPartId"])
        return {}

    async def import_documentation_parts(self, ctx: RequestContext, params: Params) -> Params:
        api = self._doc_api(ctx, params)
        body = params.get("body") or b""
        document = await asyncio.to_thread(
            parse_definition, body.encode() if isinstance(body, str) else bytes(body)
        )
        ids, warnings = await self._docs.import_parts(
            api, document, params.get("mode") or "merge", bool(params.get("failOnWarnings"))
        )
        out: Params = {"ids": ids}
        if warnings:
            out["warnings"] = warnings
        return out

    # -- versions ----------------------------------------------------------------------------
    async def create_documentation_version(self, ctx: RequestContext, params: Params) -> Params:
        version = await self._docs.create_version(
            self._doc_api(ctx, params),
            params["documentationVersion"],
            params.get("stageName"),
            params.get("description"),
        )
        return _version(version)

    async def get_documentation_version(self, ctx: RequestContext, params: Params) -> Params:
        return _version(
            self._docs.version(self._doc_api(ctx, params), params["documentationVersion"])
        )

    async def get_documentation_versions(self, ctx: RequestContext, params: Params) -> Params:
        api = self._doc_api(ctx, params)
        return page(api.documentation_versions.values(), lambda v: v.version, params, _version)

    async def update_documentation_version(self, ctx: RequestContext, params: Params) -> Params:
        version = await self._docs.update_version(
            self._doc_api(ctx, params),
            params["documentationVersion"],
            params.get("patchOperations") or [],
        )
        return _version(version)

    async def delete_documentation_version(self, ctx: RequestContext, params: Params) -> Params:
        await self._docs.delete_version(self._doc_api(ctx, params), params["documentationVersion"])
        return {}
