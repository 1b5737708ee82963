"""IAM's user operations: users, groups and access keys."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import access_key_shape, group_shape, tag_list, tag_pairs, user_shape

__all__ = ["UserOperations"]


class UserOperations(Operations):
    """Users, their groups and their keys."""

    # -- users -----------------------------------------------------------------------
    async def create_user(self, ctx: RequestContext, params: Params) -> Result:
        user = await self._users.create(
            ctx.account_id,
            params["UserName"],
            path=params.get("Path", "/"),
            boundary=params.get("PermissionsBoundary"),
            tags=tag_pairs(params),
        )
        return {"User": user_shape(user)}

    async def get_user(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName")
        if name is None:
            caller = self._identity.tokens.current_caller(ctx.access_key, ctx.account_id)
            if caller.arn.endswith(":root"):
                return {"User": {"UserId": caller.account, "Arn": caller.arn, "CreateDate": 0}}
            name = self._caller_user(ctx)
        return {"User": user_shape(self._users.get(ctx.account_id, name))}

    async def list_users(self, ctx: RequestContext, params: Params) -> Result:
        users, more = page_of(self._users.under(ctx.account_id, params.get("PathPrefix")), params)
        return {"Users": [user_shape(u, full=False) for u in users], **more}

    async def update_user(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.update(
            ctx.account_id,
            params["UserName"],
            new_name=params.get("NewUserName"),
            new_path=params.get("NewPath"),
        )
        return {}

    async def delete_user(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.delete(ctx.account_id, params["UserName"])
        return {}

    async def tag_user(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.tag(ctx.account_id, params["UserName"], tag_pairs(params))
        return {}

    async def untag_user(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.untag(ctx.account_id, params["UserName"], params["TagKeys"])
        return {}

    async def list_user_tags(self, ctx: RequestContext, params: Params) -> Result:
        user = self._users.get(ctx.account_id, params["UserName"])
        tags, more = page_of(tag_list(user.tags), params)
        return {"Tags": tags, **more}

    async def put_user_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.put_boundary(
            ctx.account_id, params["UserName"], params["PermissionsBoundary"]
        )
        return {}

    async def delete_user_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.delete_boundary(ctx.account_id, params["UserName"])
        return {}

    # -- groups ----------------------------------------------------------------------
    async def create_group(self, ctx: RequestContext, params: Params) -> Result:
        group = await self._users.create_group(
            ctx.account_id, params["GroupName"], path=params.get("Path", "/")
        )
        return {"Group": group_shape(group)}

    async def get_group(self, ctx: RequestContext, params: Params) -> Result:
        group, members = self._users.get_group(ctx.account_id, params["GroupName"])
        users, more = page_of(members, params)
        return {
            "Group": group_shape(group),
            "Users": [user_shape(u, full=False) for u in users],
            **more,
        }

    async def list_groups(self, ctx: RequestContext, params: Params) -> Result:
        found = self._users.list_groups(ctx.account_id, params.get("PathPrefix"))
        groups, more = page_of(found, params)
        return {"Groups": [group_shape(g) for g in groups], **more}

    async def list_groups_for_user(self, ctx: RequestContext, params: Params) -> Result:
        user = self._users.get(ctx.account_id, params["UserName"])
        groups, more = page_of(self._users.groups_for(ctx.account_id, user.name), params)
        return {"Groups": [group_shape(g) for g in groups], **more}

    async def delete_group(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.delete_group(ctx.account_id, params["GroupName"])
        return {}

    async def add_user_to_group(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.add_to_group(ctx.account_id, params["GroupName"], params["UserName"])
        return {}

    async def remove_user_from_group(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.remove_from_group(ctx.account_id, params["GroupName"], params["UserName"])
        return {}

    # -- access keys -----------------------------------------------------------------
    async def create_access_key(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        key = await self._users.create_key(ctx.account_id, name)
        return {"AccessKey": access_key_shape(key, secret=True)}

    async def list_access_keys(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        user = self._users.get(ctx.account_id, name)
        keys, more = page_of(self._users.keys_of(ctx.account_id, user.name), params)
        return {"AccessKeyMetadata": [access_key_shape(k) for k in keys], **more}

    async def update_access_key(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.update_key(
            ctx.account_id, params["AccessKeyId"], params["Status"], params.get("UserName")
        )
        return {}

    async def delete_access_key(self, ctx: RequestContext, params: Params) -> Result:
        await self._users.delete_key(ctx.account_id, params["AccessKeyId"], params.get("UserName"))
        return {}

    async def get_access_key_last_used(self, ctx: RequestContext, params: Params) -> Result:
        key = self._users.key(ctx.account_id, params["AccessKeyId"])
        last: Result = {"ServiceName": "N/A", "Region": "N/A"}
        if key.last_used is not None:
            last = {
                "LastUsedDate": key.last_used,
                "ServiceName": key.last_used_service,
                "Region": key.last_used_region,
            }
        return {"UserName": key.user_name, "AccessKeyLastUsed": last}
