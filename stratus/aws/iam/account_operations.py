"""IAM's account-level operations: console passwords, the password policy, the alias."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import (
    instance_profile_shape,
    policy_document,
    policy_shape,
    policy_version_shape,
    role_shape,
    user_shape,
)
from stratus.services.identity.errors import InvalidUserType
from stratus.services.identity.models import (
    Group,
    LoginProfile,
    ManagedPolicy,
    PasswordPolicy,
    Role,
    User,
)
from stratus.services.identity.summary import account_summary

__all__ = ["AccountOperations"]


def _login_shape(profile: LoginProfile) -> Result:
    return {
        "UserName": profile.name,
        "CreateDate": profile.created,
        "PasswordResetRequired": profile.reset_required,
    }


def _policy_shape(policy: PasswordPolicy) -> Result:
    """``PasswordPolicy``: age, reuse and hard expiry only when the policy sets them (as
    AWS answers)."""
    shape: Result = {
        "MinimumPasswordLength": policy.minimum_length,
        "RequireSymbols": policy.require_symbols,
        "RequireNumbers": policy.require_numbers,
        "RequireUppercaseCharacters": policy.require_uppercase,
        "RequireLowercaseCharacters": policy.require_lowercase,
        "AllowUsersToChangePassword": policy.allow_users_to_change,
        "ExpirePasswords": policy.max_age > 0,
    }
    if policy.max_age:
        shape["MaxPasswordAge"] = policy.max_age
    if policy.reuse_prevention:
        shape["PasswordReusePrevention"] = policy.reuse_prevention
    if policy.hard_expiry:
        shape["HardExpiry"] = True
    return shape


def _attached(holder: Role | User | Group) -> list[Result]:
    return [{"PolicyName": arn.rpartition("/")[2], "PolicyArn": arn} for arn in holder.attached]


def _inline(holder: Role | User | Group) -> list[Result]:
    return [
        {"PolicyName": name, "PolicyDocument": policy_document(document)}
        for name, document in sorted(holder.inline.items())
    ]


#: GetAccountAuthorizationDetails' ``Filter`` values and the list each one fills.
_DETAIL_LISTS = {
    "User": "UserDetailList",
    "Group": "GroupDetailList",
    "Role": "RoleDetailList",
    "LocalManagedPolicy": "Policies",
    "AWSManagedPolicy": "Policies",
}


class AccountOperations(Operations):
    """What belongs to the account as a whole, or to a user's console access."""

    # -- login profiles --------------------------------------------------------------
    async def create_login_profile(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        profile = await self._identity.passwords.create_login(
            ctx.account_id,
            name,
            params.get("Password") or "",
            reset_required=params.get("PasswordResetRequired", False),
        )
        return {"LoginProfile": _login_shape(profile)}

    async def get_login_profile(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        return {"LoginProfile": _login_shape(self._identity.passwords.login(ctx.account_id, name))}

    async def update_login_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.passwords.update_login(
            ctx.account_id,
            params["UserName"],
            password=params.get("Password"),
            reset_required=params.get("PasswordResetRequired"),
        )
        return {}

    async def change_password(self, ctx: RequestContext, params: Params) -> Result:
        """The caller changes its own password: the caller must be an IAM user (its
        access key says which), not the root user or a role session."""
        caller = self._identity.tokens.current_caller(ctx.access_key, ctx.account_id)
        if caller.user_name is None or ":user/" not in caller.arn:
            raise InvalidUserType(
                f"Only IAM users can change their own password: the caller is {caller.arn}"
            )
        await self._identity.passwords.change(
            ctx.account_id, caller.user_name, params["OldPassword"], params["NewPassword"]
        )
        return {}

    async def delete_login_profile(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.passwords.delete_login(ctx.account_id, name)
        return {}

    # -- the account's password policy ------------------------------------------------
    async def update_account_password_policy(self, ctx: RequestContext, params: Params) -> Result:
        policy = PasswordPolicy(
            account=ctx.account_id,
            minimum_length=params.get("MinimumPasswordLength", 6),
            require_symbols=params.get("RequireSymbols", False),
            require_numbers=params.get("RequireNumbers", False),
            require_uppercase=params.get("RequireUppercaseCharacters", False),
            require_lowercase=params.get("RequireLowercaseCharacters", False),
            allow_users_to_change=params.get("AllowUsersToChangePassword", False),
            max_age=params.get("MaxPasswordAge", 0),
            reuse_prevention=params.get("PasswordReusePrevention", 0),
            hard_expiry=params.get("HardExpiry", False),
        )
        await self._identity.passwords.update_policy(policy)
        return {}

    async def get_account_password_policy(self, ctx: RequestContext, params: Params) -> Result:
        return {"PasswordPolicy": _policy_shape(self._identity.passwords.policy(ctx.account_id))}

    async def delete_account_password_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.passwords.delete_policy(ctx.account_id)
        return {}

    # -- the account alias --------------------------------------------------------------
    async def create_account_alias(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.aliases.create(ctx.account_id, params["AccountAlias"])
        return {}

    async def delete_account_alias(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.aliases.delete(ctx.account_id, params["AccountAlias"])
        return {}

    async def list_account_aliases(self, ctx: RequestContext, params: Params) -> Result:
        """Terraform's provider asks for them at start (to name the account)."""
        return {"AccountAliases": self._identity.aliases.of(ctx.account_id), "IsTruncated": False}

    # -- the account as a whole -----------------------------------------------------------
    async def get_account_summary(self, ctx: RequestContext, params: Params) -> Result:
        return {"SummaryMap": account_summary(self._identity.state, ctx.account_id)}

    async def get_account_authorization_details(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        """Every user, group, role and managed policy (AWS's: those attached here), in that
        order, paged as one list so ``MaxItems`` counts entities of every kind."""
        account = ctx.account_id
        wanted = set(params.get("Filter") or _DETAIL_LISTS)
        entries: list[tuple[str, Any]] = []
        if "User" in wanted:
            entries += [("User", u) for u in self._users.under(account)]
        if "Group" in wanted:
            entries += [("Group", g) for g in self._users.list_groups(account)]
        if "Role" in wanted:
            entries += [("Role", r) for r in self._roles.under(account)]
        if "LocalManagedPolicy" in wanted:
            local = self._policies.under(account, scope="Local")
            entries += [("LocalManagedPolicy", p) for p in local]
        if "AWSManagedPolicy" in wanted:
            holders: list[Role | User | Group] = [
                *self._users.under(account),
                *self._users.list_groups(account),
                *self._roles.under(account),
            ]
            arns = {
                arn
                for holder in holders
                for arn in holder.attached
                if arn.startswith("arn:aws:iam::aws:policy/")
            }
            aws = sorted((self._policies.get(account, a) for a in arns), key=lambda p: p.name)
            entries += [("AWSManagedPolicy", p) for p in aws]
        chunk, more = page_of(entries, params)
        result: Result = {name: [] for name in dict.fromkeys(_DETAIL_LISTS.values())}
        for kind, record in chunk:
            result[_DETAIL_LISTS[kind]].append(self._detail(account, kind, record))
        return {**result, **more}

    def _detail(self, account: str, kind: str, record: Any) -> Result:
        if kind == "User":
            user: User = record
            return {
                **user_shape(user),
                "UserPolicyList": _inline(user),
                "GroupList": [g.name for g in self._users.groups_for(account, user.name)],
                "AttachedManagedPolicies": _attached(user),
            }
        if kind == "Group":
            group: Group = record
            return {
                "Path": group.path,
                "GroupName": group.name,
                "GroupId": group.group_id,
                "Arn": group.arn,
                "CreateDate": group.created,
                "GroupPolicyList": _inline(group),
                "AttachedManagedPolicies": _attached(group),
            }
        if kind == "Role":
            role: Role = record
            profiles = self._roles.profiles_for(account, role.name)
            return {
                **role_shape(role),
                "InstanceProfileList": [
                    instance_profile_shape(p, self._roles.roles_of(p)) for p in profiles
                ],
                "RolePolicyList": _inline(role),
                "AttachedManagedPolicies": _attached(role),
            }
        policy: ManagedPolicy = record
        shape = policy_shape(policy, self._policies.attachment_count(account, policy.arn))
        shape.pop("Tags", None)
        shape["PolicyVersionList"] = [
            policy_version_shape(v, policy.default_version) for v in policy.versions
        ]
        return shape
