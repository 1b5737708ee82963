"""What every group of IAM operations shares: the identity service and the caller."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.identity.errors import InvalidName
from stratus.services.identity.service import IdentityService

__all__ = ["Operations", "Params", "Result"]

Params = dict[str, Any]
Result = dict[str, Any]


class Operations:
    """Base of the IAM operation groups; ``IamProvider`` combines them into one provider."""

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
