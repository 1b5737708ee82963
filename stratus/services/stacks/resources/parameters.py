"""AWS::SSM::Parameter through our own SSM API (Parameter Store)."""

from __future__ import annotations

from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
    tag_list,
)

#: CloudFormation's parameter types (SecureString cannot be created by a template).
TYPES = ("String", "StringList")
_SETTINGS = ("Description", "AllowedPattern", "Tier", "DataType")


class ParameterHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        self._check(props)
        name = props.get("Name") or f"CFN-{ctx.physical_name(logical_id, 128)}"
        params = {"Name": name, "Type": props["Type"], "Value": str(props["Value"])}
        params.update(pick(props, *_SETTINGS))
        if props.get("Tags"):
            params["Tags"] = tag_list(props["Tags"])
        await ctx.call("ssm", "PutParameter", params)
        return Provisioned(name, {"Type": props["Type"], "Value": str(props["Value"])})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name"):
            return None
        self._check(new)
        name = current.physical_id
        params = {"Name": name, "Type": new["Type"], "Value": str(new["Value"]), "Overwrite": True}
        params.update(pick(new, *_SETTINGS))
        await ctx.call("ssm", "PutParameter", params)
        if new.get("Tags") != old.get("Tags"):
            removed = [
                t["Key"]
                for t in tag_list(old.get("Tags"))
                if t["Key"] not in {n["Key"] for n in tag_list(new.get("Tags"))}
            ]
            if removed:
                await ctx.call(
                    "ssm",
                    "RemoveTagsFromResource",
                    {"ResourceType": "Parameter", "ResourceId": name, "TagKeys": removed},
                )
            if new.get("Tags"):
                await ctx.call(
                    "ssm",
                    "AddTagsToResource",
                    {
                        "ResourceType": "Parameter",
                        "ResourceId": name,
                        "Tags": tag_list(new["Tags"]),
                    },
                )
        return Provisioned(name, {"Type": new["Type"], "Value": str(new["Value"])})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("ssm", "DeleteParameter", {"Name": current.physical_id}))

    @staticmethod
    def _check(props: dict[str, Any]) -> None:
        for key in ("Type", "Value"):
            if key not in props:
                raise ResourceFailed(
                    "Properties validation failed for resource with message: "
                    f"#: required key [{key}] not found"
                )
        if props["Type"] not in TYPES:
            raise ResourceFailed(
                f"Properties validation failed for resource with message: "
                f"#/Type: {props['Type']} is not a valid enum value"
            )
