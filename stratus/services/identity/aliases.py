"""The account alias: the friendly name of an account's sign-in URL.

IAM keeps one alias per account and an alias names one account only, so creating one
that another account holds is refused; creating another for an account that has one
replaces it, as the console's "edit alias" does.
"""

from __future__ import annotations

from stratus.services.identity.errors import EntityAlreadyExists, NoSuchEntity
from stratus.services.identity.models import AccountAlias
from stratus.services.identity.state import IdentityState

__all__ = ["AccountAliases"]


class AccountAliases:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    def of(self, account: str) -> list[str]:
        return [a.name for a in self._state.account(account).aliases.values()]

    async def create(self, account: str, alias: str) -> None:
        async with self._state.lock:
            for holder, records in self._state.all_accounts():
                if alias in records.aliases:
                    if holder == account:
                        return
                    raise EntityAlreadyExists(f"The account alias {alias} already exists.")
            current = list(self._state.account(account).aliases.values())
            created = AccountAlias(account=account, name=alias, created=self._state.clock())
            await self._state.commit([created], deletes=current)

    async def delete(self, account: str, alias: str) -> None:
        async with self._state.lock:
            found = self._state.account(account).aliases.get(alias)
            if found is None:
                raise NoSuchEntity(f"The account alias {alias} cannot be found.")
            await self._state.commit(deletes=[found])
