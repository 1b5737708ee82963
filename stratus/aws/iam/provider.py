"""IAM's operations: parsed query parameters in, the model's output shapes out.

Thin by design: each method names the account (IAM is global, so only the account of
the caller matters, never the region), calls the identity service and shapes the
result. Errors are the service's exceptions, mapped by ``errors`` at the edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from stratus.aws.context import RequestContext
from stratus.aws.iam.errors import IAM_ERRORS
from stratus.aws.iam.shapes import (
    access_key_shape,
    group_shape,
    instance_profile_shape,
    policy_document,
    policy_shape,
    policy_version_shape,
    role_shape,
    tag_list,
    tag_pairs,
    user_shape,
)
from stratus.services.identity.errors import InvalidName
from stratus.services.identity.models import ManagedPolicy
from stratus.services.identity.names import check_range
from stratus.services.identity.policies import PrincipalKind
from stratus.services.identity.service import IdentityService
from stratus.services.identity.state import page

__all__ = ["IamProvider"]

Params = dict[str, Any]
Result = dict[str, Any]
T = TypeVar("T")


def _page(items: Sequence[T], params: Params) -> tuple[list[T], Result]:
    """One page and its ``IsTruncated``/``Marker`` members."""
    if params.get("MaxItems") is not None:
        check_range(params["MaxItems"], "maxItems", 1, 1000)
    chunk, marker = page(items, params.get("Marker"), params.get("MaxItems"))
    return chunk, {"IsTruncated": marker is not None, "Marker": marker}


class IamProvider:
    errors = IAM_ERRORS

    def __init__(self, identity: IdentityService) -> None:
        self._identity = identity
        self._roles = identity.roles
        self._users = identity.users
        self._policies = identity.policies

    def _caller_user(self, ctx: RequestContext) -> str:
        """The IAM user whose key signed the call (for calls that default to the caller)."""
        caller = self._identity.tokens.current_caller(ctx.access_key, ctx.account_id)
        if caller.user_name is None or ":assumed-role/" in caller.arn:
            raise InvalidName("Must specify userName when calling with non-User credentials")
        return caller.user_name

    async def list_account_aliases(self, ctx: RequestContext, params: Params) -> Result:
        """Accounts here have no aliases (tools such as terraform ask for them at start)."""
        return {"AccountAliases": [], "IsTruncated": False}

    # -- roles -----------------------------------------------------------------------
    async def create_role(self, ctx: RequestContext, params: Params) -> Result:
        boundary = params.get("PermissionsBoundary")
        role = await self._roles.create(
            ctx.account_id,
            params["RoleName"],
            params["AssumeRolePolicyDocument"],
            path=params.get("Path", "/"),
            description=params.get("Description"),
            max_session_duration=params.get("MaxSessionDuration"),
            boundary=boundary,
            tags=tag_pairs(params),
        )
        shape = role_shape(role)
        shape.pop("RoleLastUsed")
        return {"Role": shape}

    async def get_role(self, ctx: RequestContext, params: Params) -> Result:
        return {"Role": role_shape(self._roles.get(ctx.account_id, params["RoleName"]))}

    async def list_roles(self, ctx: RequestContext, params: Params) -> Result:
        roles, more = _page(self._roles.under(ctx.account_id, params.get("PathPrefix")), params)
        return {"Roles": [role_shape(r, full=False) for r in roles], **more}

    async def update_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.update(
            ctx.account_id,
            params["RoleName"],
            description=params.get("Description"),
            max_session_duration=params.get("MaxSessionDuration"),
        )
        return {}

    async def update_role_description(self, ctx: RequestContext, params: Params) -> Result:
        role = await self._roles.update(
            ctx.account_id, params["RoleName"], description=params["Description"]
        )
        return {"Role": role_shape(role)}

    async def update_assume_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.update_trust_policy(
            ctx.account_id, params["RoleName"], params["PolicyDocument"]
        )
        return {}

    async def delete_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete(ctx.account_id, params["RoleName"])
        return {}

    async def tag_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.tag(ctx.account_id, params["RoleName"], tag_pairs(params))
        return {}

    async def untag_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.untag(ctx.account_id, params["RoleName"], params["TagKeys"])
        return {}

    async def list_role_tags(self, ctx: RequestContext, params: Params) -> Result:
        role = self._roles.get(ctx.account_id, params["RoleName"])
        tags, more = _page(tag_list(role.tags), params)
        return {"Tags": tags, **more}

    async def put_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.put_boundary(
            ctx.account_id, params["RoleName"], params["PermissionsBoundary"]
        )
        return {}

    async def delete_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete_boundary(ctx.account_id, params["RoleName"])
        return {}

    # -- service-linked roles --------------------------------------------------------
    async def create_service_linked_role(self, ctx: RequestContext, params: Params) -> Result:
        role = await self._roles.create_service_linked(
            ctx.account_id,
            params["AWSServiceName"],
            description=params.get("Description"),
            suffix=params.get("CustomSuffix"),
        )
        return {"Role": role_shape(role)}

    async def delete_service_linked_role(self, ctx: RequestContext, params: Params) -> Result:
        task = await self._roles.delete_service_linked(ctx.account_id, params["RoleName"])
        return {"DeletionTaskId": task}

    async def get_service_linked_role_deletion_status(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        task = self._roles.deletion_status(ctx.account_id, params["DeletionTaskId"])
        return {"Status": task.status}

    # -- instance profiles -----------------------------------------------------------
    def _profile_shape(self, account: str, name: str) -> Result:
        profile = self._roles.get_profile(account, name)
        return instance_profile_shape(profile, self._roles.roles_of(profile))

    async def create_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        profile = await self._roles.create_profile(
            ctx.account_id,
            params["InstanceProfileName"],
            path=params.get("Path", "/"),
            tags=tag_pairs(params),
        )
        return {"InstanceProfile": instance_profile_shape(profile, [])}

    async def get_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        return {
            "InstanceProfile": self._profile_shape(ctx.account_id, params["InstanceProfileName"])
        }

    async def list_instance_profiles(self, ctx: RequestContext, params: Params) -> Result:
        found = self._roles.list_profiles(ctx.account_id, params.get("PathPrefix"))
        profiles, more = _page(found, params)
        return {
            "InstanceProfiles": [
                instance_profile_shape(p, self._roles.roles_of(p)) for p in profiles
            ],
            **more,
        }

    async def list_instance_profiles_for_role(self, ctx: RequestContext, params: Params) -> Result:
        self._roles.get(ctx.account_id, params["RoleName"])
        found = self._roles.profiles_for(ctx.account_id, params["RoleName"])
        profiles, more = _page(found, params)
        return {
            "InstanceProfiles": [
                instance_profile_shape(p, self._roles.roles_of(p)) for p in profiles
            ],
            **more,
        }

    async def delete_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete_profile(ctx.account_id, params["InstanceProfileName"])
        return {}

    async def add_role_to_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.add_to_profile(
            ctx.account_id, params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    async def remove_role_from_instance_profile(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._roles.remove_from_profile(
            ctx.account_id, params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    # -- OpenID Connect providers ----------------------------------------------------
    async def create_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = await self._identity.oidc.create(
            ctx.account_id,
            params["Url"],
            client_ids=params.get("ClientIDList") or [],
            thumbprints=params.get("ThumbprintList") or [],
            tags=tag_pairs(params),
        )
        return {"OpenIDConnectProviderArn": provider.arn, "Tags": tag_list(provider.tags) or None}

    async def get_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = self._identity.oidc.get(ctx.account_id, params["OpenIDConnectProviderArn"])
        return {
            "Url": provider.name,
            "ClientIDList": provider.client_ids,
            "ThumbprintList": provider.thumbprints,
            "CreateDate": provider.created,
            "Tags": tag_list(provider.tags) or None,
        }

    async def list_open_id_connect_providers(self, ctx: RequestContext, params: Params) -> Result:
        providers = self._identity.oidc.all(ctx.account_id)
        return {"OpenIDConnectProviderList": [{"Arn": p.arn} for p in providers]}

    async def delete_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.delete(ctx.account_id, params["OpenIDConnectProviderArn"])
        return {}

    async def add_client_id_to_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.add_client_id(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ClientID"]
        )
        return {}

    async def remove_client_id_from_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.remove_client_id(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ClientID"]
        )
        return {}

    async def update_open_id_connect_provider_thumbprint(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.update_thumbprints(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ThumbprintList"]
        )
        return {}

    async def tag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.tag(
            ctx.account_id, params["OpenIDConnectProviderArn"], tag_pairs(params)
        )
        return {}

    async def untag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.untag(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["TagKeys"]
        )
        return {}

    async def list_open_id_connect_provider_tags(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        provider = self._identity.oidc.get(ctx.account_id, params["OpenIDConnectProviderArn"])
        tags, more = _page(tag_list(provider.tags), params)
        return {"Tags": tags, **more}

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
        users, more = _page(self._users.under(ctx.account_id, params.get("PathPrefix")), params)
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
        tags, more = _page(tag_list(user.tags), params)
        return {"Tags": tags, **more}

    # -- groups ----------------------------------------------------------------------
    async def create_group(self, ctx: RequestContext, params: Params) -> Result:
        group = await self._users.create_group(
            ctx.account_id, params["GroupName"], path=params.get("Path", "/")
        )
        return {"Group": group_shape(group)}

    async def get_group(self, ctx: RequestContext, params: Params) -> Result:
        group, members = self._users.get_group(ctx.account_id, params["GroupName"])
        users, more = _page(members, params)
        return {
            "Group": group_shape(group),
            "Users": [user_shape(u, full=False) for u in users],
            **more,
        }

    async def list_groups(self, ctx: RequestContext, params: Params) -> Result:
        found = self._users.list_groups(ctx.account_id, params.get("PathPrefix"))
        groups, more = _page(found, params)
        return {"Groups": [group_shape(g) for g in groups], **more}

    async def list_groups_for_user(self, ctx: RequestContext, params: Params) -> Result:
        user = self._users.get(ctx.account_id, params["UserName"])
        groups, more = _page(self._users.groups_for(ctx.account_id, user.name), params)
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
        keys, more = _page(self._users.keys_of(ctx.account_id, user.name), params)
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
        policies, more = _page(found, params)
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
        tags, more = _page(tag_list(policy.tags), params)
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
        versions, more = _page(ordered, params)
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
        policies, more = _page(found, params)
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
        names, more = _page(self._policies.inline_names(kind, ctx.account_id, name), params)
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
