"""AWS::ApiGateway::Model and AWS::ApiGateway::RequestValidator through our own API
Gateway API.

``Ref`` of a model is its name, of a validator its id (what a method's ``RequestModels``
and ``RequestValidatorId`` name). A model's schema and description, and everything of a
validator, change in place; a model's new name, content type or API replaces it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
)


def _schema(value: Any) -> str | None:
    """A template gives the schema as a JSON object (or, rarely, as its text)."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)


class ModelHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        # CloudFormation names an unnamed model itself; models are alphanumeric.
        name = props.get("Name") or re.sub(r"[^A-Za-z0-9]", "", ctx.physical_name(logical_id))
        params: dict[str, Any] = {
            "restApiId": props["RestApiId"],
            "name": name,
            "contentType": props.get("ContentType") or "application/json",
        }
        schema = _schema(props.get("Schema"))
        if schema is not None:
            params["schema"] = schema
        if props.get("Description") is not None:
            params["description"] = props["Description"]
        made = await ctx.call("apigateway", "CreateModel", params)
        return Provisioned(made["name"])

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("RestApiId", "Name", "ContentType")):
            return None
        operations = []
        if _schema(old.get("Schema")) != _schema(new.get("Schema")):
            operations.append(
                {"op": "replace", "path": "/schema", "value": _schema(new.get("Schema")) or ""}
            )
        if old.get("Description") != new.get("Description"):
            operations.append(
                {"op": "replace", "path": "/description", "value": new.get("Description") or ""}
            )
        if operations:
            await ctx.call(
                "apigateway",
                "UpdateModel",
                {
                    "restApiId": new["RestApiId"],
                    "modelName": current.physical_id,
                    "patchOperations": operations,
                },
            )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteModel",
                {"restApiId": props["RestApiId"], "modelName": current.physical_id},
            )
        )


class RequestValidatorHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        made = await ctx.call(
            "apigateway",
            "CreateRequestValidator",
            {
                "restApiId": props["RestApiId"],
                "name": props.get("Name") or ctx.physical_name(logical_id),
                "validateRequestBody": _flag(props.get("ValidateRequestBody")),
                "validateRequestParameters": _flag(props.get("ValidateRequestParameters")),
            },
        )
        return Provisioned(made["id"], {"RequestValidatorId": made["id"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("RestApiId") != new.get("RestApiId"):
            return None
        await ctx.call(
            "apigateway",
            "UpdateRequestValidator",
            {
                "restApiId": new["RestApiId"],
                "requestValidatorId": current.physical_id,
                "patchOperations": [
                    {
                        "op": "replace",
                        "path": "/name",
                        "value": new.get("Name") or ctx.physical_name(logical_id),
                    },
                    {
                        "op": "replace",
                        "path": "/validateRequestBody",
                        "value": str(_flag(new.get("ValidateRequestBody"))).lower(),
                    },
                    {
                        "op": "replace",
                        "path": "/validateRequestParameters",
                        "value": str(_flag(new.get("ValidateRequestParameters"))).lower(),
                    },
                ],
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteRequestValidator",
                {"restApiId": props["RestApiId"], "requestValidatorId": current.physical_id},
            )
        )


def _flag(value: Any) -> bool:
    """A template's boolean, whether written ``true`` or ``"true"``."""
    return value is True or str(value).lower() == "true"
