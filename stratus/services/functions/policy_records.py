"""The registry's resource-based policy records: a mixin of :class:`FunctionRegistry`.

A function's policies live in its function record, one document per qualifier (``$LATEST``
for the unqualified function), so they are written through with the function, survive a
restart and go away with their version or alias. Lambda reports a policy's RevisionId as
that of the version or alias it belongs to, and a policy change gives it a new one.
Kept apart from the registry's core (functions, versions, aliases) to keep that small.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from stratus.services.functions import policies
from stratus.services.functions.errors import NotFound, PreconditionFailed
from stratus.services.functions.model import (
    LATEST,
    AliasConfig,
    FunctionConfig,
    FunctionRecord,
    new_revision,
)
from stratus.services.functions.names import qualified
from stratus.services.functions.repository import FunctionStore

# (current policy or None, the policy's resource ARN) -> new policy (None: no statements)
PolicyChange = Callable[[policies.Document | None, str], policies.Document | None]


class PolicyRecords:
    if TYPE_CHECKING:  # provided by FunctionRegistry
        _store: FunctionStore
        _functions: dict[str, FunctionRecord]
        _latest: dict[str, FunctionConfig]
        _versions: dict[str, dict[str, FunctionConfig]]
        _aliases: dict[str, dict[str, AliasConfig]]

        def _lock(self, name: str) -> asyncio.Lock: ...
        def _changed(self, name: str) -> None: ...
        def latest(self, name: str) -> FunctionConfig: ...
        def record(self, name: str) -> FunctionRecord: ...

    def policy(self, name: str, qualifier: str | None) -> tuple[policies.Document | None, str]:
        """A version's or alias's policy document (None: none) and its RevisionId.

        Lambda reports the RevisionId of the function version or alias the policy belongs
        to, and AddPermission/RemovePermission give that version or alias a new one.
        """
        key, revision, _ = self._policy_target(name, qualifier)
        return self.record(name).policies.get(key), revision

    async def change_policy(
        self,
        name: str,
        qualifier: str | None,
        change: PolicyChange,
        *,
        revision_id: str | None,
        stale_message: str,
    ) -> None:
        """Apply ``change`` to a version's or alias's policy durably (new RevisionId)."""
        async with self._lock(name):
            key, revision, arn = self._policy_target(name, qualifier)
            if revision_id is not None and revision_id != revision:
                raise PreconditionFailed(stale_message)
            function = self._functions[name]
            document = change(function.policies.get(key), arn)
            changed = dict(function.policies)
            if document is None:
                changed.pop(key, None)
            else:
                changed[key] = document
            function = dataclasses.replace(function, policies=changed)
            if key == LATEST:
                latest = dataclasses.replace(self._latest[name], revision_id=new_revision())
                function.config = latest.to_record()
                await self._store.put_function(name, function.to_record())
                self._latest[name] = latest
            elif key in self._versions[name]:
                await self._store.put_function(name, function.to_record())
                version = dataclasses.replace(self._versions[name][key], revision_id=new_revision())
                await self._store.put_version(name, key, version.to_record())
                self._versions[name][key] = version
            else:
                await self._store.put_function(name, function.to_record())
                alias = dataclasses.replace(self._aliases[name][key], revision_id=new_revision())
                await self._store.put_alias(name, key, alias.to_record())
                self._aliases[name][key] = alias
            self._functions[name] = function
        # A version's new RevisionId is a new configuration to the pools: retire the old one.
        self._changed(name)

    def _policy_target(self, name: str, qualifier: str | None) -> tuple[str, str, str]:
        """(policy key, current RevisionId, resource ARN) of a qualifier; NotFound if none."""
        latest = self.latest(name)
        if qualifier is None or qualifier == LATEST:
            return LATEST, latest.revision_id, latest.arn
        arn = qualified(name, qualifier)
        version = self._versions[name].get(qualifier)
        if version is not None:
            return qualifier, version.revision_id, arn
        alias = self._aliases[name].get(qualifier)
        if alias is not None:
            return qualifier, alias.revision_id, arn
        raise NotFound(f"Function not found: {arn}")

    async def _drop_policy(self, name: str, qualifier: str) -> None:
        function = self._functions[name]
        if qualifier in function.policies:
            changed = {k: v for k, v in function.policies.items() if k != qualifier}
            function = dataclasses.replace(function, policies=changed)
            await self._store.put_function(name, function.to_record())
            self._functions[name] = function
