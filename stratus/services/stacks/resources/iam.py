"""AWS::IAM::Role, Policy and ManagedPolicy through our own IAM API."""

from __future__ import annotations

import json
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
    tag_list,
)


def _document(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class RoleHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("RoleName") or ctx.physical_name(logical_id)
        params: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": _document(props.get("AssumeRolePolicyDocument", {})),
            **pick(props, "Path", "Description", "MaxSessionDuration", "PermissionsBoundary"),
        }
        if props.get("Tags"):
            params["Tags"] = tag_list(props["Tags"])
        answer = await ctx.call("iam", "CreateRole", params)
        role = answer["Role"]
        await self._attach(ctx, name, props, {})
        return Provisioned(name, {"Arn": role["Arn"], "RoleId": role["RoleId"]})

    async def _attach(
        self, ctx: Provisioning, name: str, new: dict[str, Any], old: dict[str, Any]
    ) -> None:
        old_policies = {p["PolicyName"] for p in old.get("Policies", [])}
        for policy in new.get("Policies", []):
            await ctx.call(
                "iam",
                "PutRolePolicy",
                {
                    "RoleName": name,
                    "PolicyName": policy["PolicyName"],
                    "PolicyDocument": _document(policy["PolicyDocument"]),
                },
            )
            old_policies.discard(policy["PolicyName"])
        for policy_name in old_policies:
            await ignore_missing(
                ctx.call("iam", "DeleteRolePolicy", {"RoleName": name, "PolicyName": policy_name})
            )
        old_arns = set(old.get("ManagedPolicyArns", []))
        for arn in new.get("ManagedPolicyArns", []):
            if arn not in old_arns:
                await ctx.call("iam", "AttachRolePolicy", {"RoleName": name, "PolicyArn": arn})
            old_arns.discard(arn)
        for arn in old_arns:
            await ignore_missing(
                ctx.call("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": arn})
            )

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("RoleName") != new.get("RoleName") or old.get("Path") != new.get("Path"):
            return None
        if old.get("AssumeRolePolicyDocument") != new.get("AssumeRolePolicyDocument"):
            await ctx.call(
                "iam",
                "UpdateAssumeRolePolicy",
                {
                    "RoleName": current.physical_id,
                    "PolicyDocument": _document(new.get("AssumeRolePolicyDocument", {})),
                },
            )
        await self._attach(ctx, current.physical_id, new, old)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        name = current.physical_id
        for policy in props.get("Policies", []):
            await ignore_missing(
                ctx.call(
                    "iam",
                    "DeleteRolePolicy",
                    {"RoleName": name, "PolicyName": policy["PolicyName"]},
                )
            )
        for arn in props.get("ManagedPolicyArns", []):
            await ignore_missing(
                ctx.call("iam", "DetachRolePolicy", {"RoleName": name, "PolicyArn": arn})
            )
        await ignore_missing(ctx.call("iam", "DeleteRole", {"RoleName": name}))


class PolicyHandler(Handler):
    """An inline policy put on each of its roles (users and groups: not offered)."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        document = _document(props["PolicyDocument"])
        for role in props.get("Roles", []):
            await ctx.call(
                "iam",
                "PutRolePolicy",
                {"RoleName": role, "PolicyName": props["PolicyName"], "PolicyDocument": document},
            )
        return Provisioned(
            f"{ctx.stack_name[:5]}-{props['PolicyName'][:10]}-{ctx.token(logical_id)}".upper()
        )

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        await self.delete(ctx, current, old)
        await self.create(ctx, logical_id, new)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        for role in props.get("Roles", []):
            await ignore_missing(
                ctx.call(
                    "iam", "DeleteRolePolicy", {"RoleName": role, "PolicyName": props["PolicyName"]}
                )
            )


class ManagedPolicyHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("ManagedPolicyName") or ctx.physical_name(logical_id, 128)
        answer = await ctx.call(
            "iam",
            "CreatePolicy",
            {
                "PolicyName": name,
                "PolicyDocument": _document(props["PolicyDocument"]),
                **pick(props, "Path", "Description"),
            },
        )
        arn = answer["Policy"]["Arn"]
        for role in props.get("Roles", []):
            await ctx.call("iam", "AttachRolePolicy", {"RoleName": role, "PolicyArn": arn})
        return Provisioned(
            arn, {"PolicyArn": arn, "PolicyId": answer["Policy"].get("PolicyId", "")}
        )

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        for role in props.get("Roles", []):
            await ignore_missing(
                ctx.call(
                    "iam", "DetachRolePolicy", {"RoleName": role, "PolicyArn": current.physical_id}
                )
            )
        await ignore_missing(ctx.call("iam", "DeletePolicy", {"PolicyArn": current.physical_id}))
