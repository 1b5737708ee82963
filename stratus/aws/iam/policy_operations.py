"""IAM's policy operations: managed policies and versions, attachments, inline policies."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import (
    policy_document,
    policy_shape,
    policy_version_shape,
    tag_list,
    tag_pairs,
)
from stratus.services.identity.models import ManagedPolicy
from stratus.services.identity.policies import PrincipalKind

__all__ = ["PolicyOperations"]


class PolicyOperations(Operations):
    """Policies, whoever holds them."""

    # -- managed policies ------------------------------------------------------------
    def _policy(self, account: str, policy: ManagedPolicy, *, full: bool = True) -> Result:
        return policy_shape(policy, self._policies.attachment_count(account, policy.arn), full=full)

    async def create_policy(self, ctx: RequestContext, params: Params) -> Result:
        policy = await self._policies.create(
            ctx.account_id,
            params["PolicyName"],
            params["PolicyDocument"],
            path=params.get("Path", "/"),
            description=params.get("Description"),
            tags=tag_pairs(params),
        )
        return {"Policy": self._policy(ctx.account_id, policy)}

    async def get_policy(self, ctx: RequestContext, params: Params) -> Result:
        policy = self._policies.get(ctx.account_id, params["PolicyArn"])
        return {"Policy": self._policy(ctx.account_id, policy)}

    async def list_policies(self, ctx: RequestContext, params: Params) -> Result:
        found = self._policies.under(
            ctx.account_id,
            scope=params.get("Scope", "All"),
            only_attached=params.get("OnlyAttached", False),
            path_prefix=params.get("PathPrefix"),
        )
        policies, more = page_of(found, params)
        return {
            "Policies": [self._policy(ctx.account_id, p, full=False) for p in policies],
            **more,
        }

    async def delete_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._policies.delete(ctx.account_id, params["PolicyArn"])
        return {}

    async def tag_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._policies.tag(ctx.account_id, params["PolicyArn"], tag_pairs(params))
        return {}

    async def untag_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._policies.untag(ctx.account_id, params["PolicyArn"], params["TagKeys"])
        return {}

    async def list_policy_tags(self, ctx: RequestContext, params: Params) -> Result:
        policy = self._policies.get(ctx.account_id, params["PolicyArn"])
        tags, more = page_of(tag_list(policy.tags), params)
        return {"Tags": tags, **more}

    async def create_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        arn = params["PolicyArn"]
        version = await self._policies.create_version(
            ctx.account_id,
            arn,
            params["PolicyDocument"],
            set_as_default=params.get("SetAsDefault", False),
        )
        default = self._policies.get(ctx.account_id, arn).default_version
        return {"PolicyVersion": policy_version_shape(version, default, document=False)}

    async def get_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        arn = params["PolicyArn"]
        version = self._policies.get_version(ctx.account_id, arn, params["VersionId"])
        default = self._policies.get(ctx.account_id, arn).default_version
        return {"PolicyVersion": policy_version_shape(version, default)}

    async def list_policy_versions(self, ctx: RequestContext, params: Params) -> Result:
        policy = self._policies.get(ctx.account_id, params["PolicyArn"])
        ordered = sorted(policy.versions, key=lambda v: -int(v.version_id[1:]))
        versions, more = page_of(ordered, params)
        return {
            "Versions": [
                policy_version_shape(v, policy.default_version, document=False) for v in versions
            ],
            **more,
        }

    async def delete_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        await self._policies.delete_version(
            ctx.account_id, params["PolicyArn"], params["VersionId"]
        )
        return {}

    async def set_default_policy_version(self, ctx: RequestContext, params: Params) -> Result:
        await self._policies.set_default_version(
            ctx.account_id, params["PolicyArn"], params["VersionId"]
        )
        return {}

    async def list_entities_for_policy(self, ctx: RequestContext, params: Params) -> Result:
        entities = self._policies.entities(
            ctx.account_id, params["PolicyArn"], params.get("PathPrefix")
        )
        wanted = params.get("EntityFilter")
        groups: list[Result] = []
        users: list[Result] = []
        roles: list[Result] = []
        for entity in entities:
            kind = type(entity).__name__
            if wanted not in (None, kind, "LocalManagedPolicy", "AWSManagedPolicy"):
                continue
            ids = {"Group": "GroupId", "User": "UserId", "Role": "RoleId"}[kind]
            item = {f"{kind}Name": entity.name, ids: _entity_id(entity)}
            {"Group": groups, "User": users, "Role": roles}[kind].append(item)
        return {"PolicyGroups": groups, "PolicyUsers": users, "PolicyRoles": roles,
                "IsTruncated": False}  # fmt: skip

    # -- attachments and inline policies, the same for roles, users and groups ------
    async def _attach(self, kind: PrincipalKind, ctx: RequestContext, params: Params) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        await self._policies.attach(kind, ctx.account_id, name, params["PolicyArn"])
        return {}

    async def _detach(self, kind: PrincipalKind, ctx: RequestContext, params: Params) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        await self._policies.detach(kind, ctx.account_id, name, params["PolicyArn"])
        return {}

    async def _attached(self, kind: PrincipalKind, ctx: RequestContext, params: Params) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        found = self._policies.attached(kind, ctx.account_id, name, params.get("PathPrefix"))
        policies, more = page_of(found, params)
        return {
            "AttachedPolicies": [{"PolicyName": p.name, "PolicyArn": p.arn} for p in policies],
            **more,
        }

    async def _put_inline(self, kind: PrincipalKind, ctx: RequestContext, params: Params) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        await self._policies.put_inline(
            kind, ctx.account_id, name, params["PolicyName"], params["PolicyDocument"]
        )
        return {}

    async def _get_inline(self, kind: PrincipalKind, ctx: RequestContext, params: Params) -> Result:
        member = f"{kind.capitalize()}Name"
        holder = params[member]
        document = self._policies.get_inline(kind, ctx.account_id, holder, params["PolicyName"])
        return {
            member: holder,
            "PolicyName": params["PolicyName"],
            "PolicyDocument": policy_document(document),
        }

    async def _delete_inline(
        self, kind: PrincipalKind, ctx: RequestContext, params: Params
    ) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        await self._policies.delete_inline(kind, ctx.account_id, name, params["PolicyName"])
        return {}

    async def _list_inline(
        self, kind: PrincipalKind, ctx: RequestContext, params: Params
    ) -> Result:
        name = params[f"{kind.capitalize()}Name"]
        names, more = page_of(self._policies.inline_names(kind, ctx.account_id, name), params)
        return {"PolicyNames": names, **more}

    async def attach_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attach("role", ctx, params)

    async def attach_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attach("user", ctx, params)

    async def attach_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attach("group", ctx, params)

    async def detach_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._detach("role", ctx, params)

    async def detach_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._detach("user", ctx, params)

    async def detach_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._detach("group", ctx, params)

    async def list_attached_role_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attached("role", ctx, params)

    async def list_attached_user_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attached("user", ctx, params)

    async def list_attached_group_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._attached("group", ctx, params)

    async def put_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._put_inline("role", ctx, params)

    async def put_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._put_inline("user", ctx, params)

    async def put_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._put_inline("group", ctx, params)

    async def get_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._get_inline("role", ctx, params)

    async def get_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._get_inline("user", ctx, params)

    async def get_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._get_inline("group", ctx, params)

    async def delete_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._delete_inline("role", ctx, params)

    async def delete_user_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._delete_inline("user", ctx, params)

    async def delete_group_policy(self, ctx: RequestContext, params: Params) -> Result:
        return await self._delete_inline("group", ctx, params)

    async def list_role_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._list_inline("role", ctx, params)

    async def list_user_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._list_inline("user", ctx, params)

    async def list_group_policies(self, ctx: RequestContext, params: Params) -> Result:
        return await self._list_inline("group", ctx, params)


def _entity_id(entity: Any) -> str:
    for attr in ("role_id", "user_id", "group_id"):
        if hasattr(entity, attr):
            return str(getattr(entity, attr))
    return ""
