"""Which account a request acts as, from its access key id.

As in AWS, every resource belongs to an account, and the caller's credentials say which:
a 12-digit access key id *is* that account (so two teams on one server pick two accounts
by choosing their keys, as LocalStack users do), a key that Stratus issued (an IAM user's
access key, STS temporary credentials) acts as the account it was issued in, and any other
key, or none, is the default account ``000000000000``.

Resolving runs on every request, so it is a dict lookup; keys are registered by the
identity component as it issues or loads them.
"""

from __future__ import annotations

from stratus.services.scope import DEFAULT_ACCOUNT_ID

__all__ = ["DEFAULT_ACCOUNT_ID", "Accounts", "is_account_id"]


def is_account_id(value: str) -> bool:
    return len(value) == 12 and value.isdigit()


class Accounts:
    """Access key id -> account id."""

    def __init__(self, default: str = DEFAULT_ACCOUNT_ID) -> None:
        self.default = default
        self._issued: dict[str, str] = {}

    def account_for(self, access_key: str | None) -> str:
        if not access_key:
            return self.default
        issued = self._issued.get(access_key)
        if issued is not None:
            return issued
        if is_account_id(access_key):
            return access_key
        return self.default

    def register(self, access_key: str, account_id: str) -> None:
        """A key Stratus issued now acts as ``account_id``."""
        self._issued[access_key] = account_id

    def forget(self, access_key: str) -> None:
        self._issued.pop(access_key, None)
