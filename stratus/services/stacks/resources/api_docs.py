"""AWS::ApiGateway::DocumentationPart, DocumentationVersion, ClientCertificate and VpcLink
through our own API Gateway API.

``Ref`` of a documentation part is its id (also ``DocumentationPartId``), of a version its
version string, of a client certificate its id, of a VPC link its id (also ``VpcLinkId``).
What the API can patch changes in place (a part's properties, descriptions, a link's
name); anything else replaces the resource.
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    tag_map,
)

__all__ = [
    "ClientCertificateHandler",
    "DocumentationPartHandler",
    "DocumentationVersionHandler",
    "VpcLinkHandler",
]

_LOCATION = {
    "Type": "type",
    "Path": "path",
    "Method": "method",
    "StatusCode": "statusCode",
    "Name": "name",
}


def _text(value: Any) -> str:
    """A template may give JSON properties as an object or as their text."""
    return value if isinstance(value, str) else json.dumps(value)


def _replace(path: str, value: Any) -> dict[str, Any]:
    return {"op": "replace", "path": path, "value": "" if value is None else str(value)}


class DocumentationPartHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        location = props.get("Location") or {}
        made = await ctx.call(
            "apigateway",
            "CreateDocumentationPart",
            {
                "restApiId": props["RestApiId"],
                "location": {
                    member: location[key] for key, member in _LOCATION.items() if key in location
                },
                "properties": _text(props.get("Properties") or {}),
            },
        )
        return Provisioned(made["id"], {"DocumentationPartId": made["id"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("RestApiId") != new.get("RestApiId") or old.get("Location") != new.get(
            "Location"
        ):
            return None
        await ctx.call(
            "apigateway",
            "UpdateDocumentationPart",
            {
                "restApiId": new["RestApiId"],
                "documentationPartId": current.physical_id,
                "patchOperations": [_replace("/properties", _text(new.get("Properties") or {}))],
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteDocumentationPart",
                {"restApiId": props["RestApiId"], "documentationPartId": current.physical_id},
            )
        )


class DocumentationVersionHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            "restApiId": props["RestApiId"],
            "documentationVersion": str(props["DocumentationVersion"]),
        }
        if props.get("Description") is not None:
            params["description"] = props["Description"]
        made = await ctx.call("apigateway", "CreateDocumentationVersion", params)
        return Provisioned(made["version"])

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("RestApiId", "DocumentationVersion")):
            return None
        await ctx.call(
            "apigateway",
            "UpdateDocumentationVersion",
            {
                "restApiId": new["RestApiId"],
                "documentationVersion": current.physical_id,
                "patchOperations": [_replace("/description", new.get("Description"))],
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteDocumentationVersion",
                {"restApiId": props["RestApiId"], "documentationVersion": current.physical_id},
            )
        )


class ClientCertificateHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {}
        if props.get("Description") is not None:
            params["description"] = props["Description"]
        if props.get("Tags"):
            params["tags"] = tag_map(props["Tags"])
        made = await ctx.call("apigateway", "GenerateClientCertificate", params)
        return Provisioned(made["clientCertificateId"])

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Tags") != new.get("Tags"):
            return None
        await ctx.call(
            "apigateway",
            "UpdateClientCertificate",
            {
                "clientCertificateId": current.physical_id,
                "patchOperations": [_replace("/description", new.get("Description"))],
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteClientCertificate",
                {"clientCertificateId": current.physical_id},
            )
        )


class VpcLinkHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            "name": props.get("Name") or ctx.physical_name(logical_id),
            "targetArns": list(props.get("TargetArns") or []),
        }
        if props.get("Description") is not None:
            params["description"] = props["Description"]
        if props.get("Tags"):
            params["tags"] = tag_map(props["Tags"])
        made = await ctx.call("apigateway", "CreateVpcLink", params)
        return Provisioned(made["id"], {"VpcLinkId": made["id"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("TargetArns", "Tags")):
            return None
        operations = []
        if old.get("Name") != new.get("Name"):
            name = new.get("Name") or ctx.physical_name(logical_id)
            operations.append(_replace("/name", name))
        if old.get("Description") != new.get("Description"):
            operations.append(_replace("/description", new.get("Description")))
        if operations:
            await ctx.call(
                "apigateway",
                "UpdateVpcLink",
                {"vpcLinkId": current.physical_id, "patchOperations": operations},
            )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("apigateway", "DeleteVpcLink", {"vpcLinkId": current.physical_id})
        )
