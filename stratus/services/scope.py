"""Where a call acts: an account and a region, shared by every service.

As in AWS, each resource belongs to one account in one region and its ARN says which
(``arn:aws:SERVICE:REGION:ACCOUNT:...``). The protocol edge builds a caller's scope from
its credentials and SigV4 scope (``RequestContext.scope``); services key resources so
that one scope never sees another's.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_ACCOUNT_ID", "DEFAULT_REGION", "Scope"]

DEFAULT_ACCOUNT_ID = "000000000000"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True, slots=True)
class Scope:
    account: str = DEFAULT_ACCOUNT_ID
    region: str = DEFAULT_REGION

    def arn_prefix(self, service: str) -> str:
        """What every ARN of ``service`` in this scope starts with (for listing)."""
        return f"arn:aws:{service}:{self.region}:{self.account}:"

    def owns(self, arn: str) -> bool:
        """Whether ``arn`` is a resource of this account and region."""
        return Scope.of_arn(arn) == self

    @classmethod
    def of_arn(cls, arn: str) -> Scope | None:
        """The scope an ARN names; ``None`` for what is not a regional ARN with an account."""
        parts = (arn or "").split(":")
        if len(parts) < 6 or parts[0] != "arn" or not parts[3]:
            return None
        if not (len(parts[4]) == 12 and parts[4].isdigit()):
            return None
        return cls(account=parts[4], region=parts[3])
