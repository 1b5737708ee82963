"""IAM's account-level operations: console passwords, the password policy, the alias."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.services.identity.models import LoginProfile, PasswordPolicy

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
