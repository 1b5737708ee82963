"""Managed policies (with their versions), attachments and inline policies.

A customer managed policy keeps up to five versions, one of them the default; AWS
managed policies (``arn:aws:iam::aws:policy/...``) exist in every account without being
created. Attachments live on the role, user or group (a list of policy ARNs), inline
policies too (name -> document), so deleting a principal sees at once what still hangs
on it. Documents are validated with the identity grammar and stored as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Literal

from stratus.services.identity.aws_policies import AWS_ACCOUNT, catalog
from stratus.services.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from stratus.services.identity.ids import POLICY_PREFIX, new_unique_id
from stratus.services.identity.models import Group, ManagedPolicy, PolicyVersion, Role, User
from stratus.services.identity.names import (
    check_length,
    check_name,
    check_path_prefix,
    check_policy_path,
)
from stratus.services.identity.policy import PolicyKind, compact_size, parse_policy
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["Holder", "Policies", "PrincipalKind"]

MAX_VERSIONS = 5
MANAGED_POLICY_QUOTA = 6144
MAX_ATTACHED = 10
PrincipalKind = Literal["role", "user", "group"]
Holder = Role | User | Group


def _document(document: str, kind: PolicyKind = PolicyKind.MANAGED) -> str:
    check_length(document, "policyDocument", 1, 131072)
    parse_policy(document, kind)
    return document


class Policies:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    # -- managed policies ------------------------------------------------------------
    async def create(
        self,
        account: str,
        name: str,
        document: str,
        *,
        path: str = "/",
        description: str | None = None,
        tags: Iterable[tuple[str, str]] = (),
    ) -> ManagedPolicy:
        check_name(name, "policyName", 128)
        check_policy_path(path)
        if description is not None:
            check_length(description, "description", 0, 1000)
        _document(document)
        if compact_size(document) > MANAGED_POLICY_QUOTA:
            raise LimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_QUOTA}")
        tag_map = merge_tags({}, tags)
        async with self._state.lock:
            if name.lower() in self._state.account(account).policies:
                raise EntityAlreadyExists(
                    f"A policy called {name} already exists. Duplicate names are not allowed."
                )
            now = self._state.clock()
            policy = ManagedPolicy(
                account=account,
                name=name,
                policy_id=new_unique_id(POLICY_PREFIX),
                path=path,
                created=now,
                updated=now,
                default_version="v1",
                versions=[PolicyVersion("v1", document, now)],
                next_version=2,
                description=description,
                tags=tag_map,
            )
            await self._state.commit([policy])
        return policy

    def get(self, account: str, arn: str) -> ManagedPolicy:
        policy = self._state.policy(account, arn)
        if policy is None:
            raise NoSuchEntity(f"Policy {arn} was not found.")
        return policy

    def _own(self, account: str, arn: str) -> ManagedPolicy:
        """A customer managed policy of ``account``; AWS's cannot be changed."""
        policy = self.get(account, arn)
        if policy.account == AWS_ACCOUNT:
            raise InvalidInput(f"Policy {arn} is an AWS managed policy and cannot be changed.")
        return policy

    def attachment_count(self, account: str, arn: str) -> int:
        return len(self._state.attachments(account, arn))

    def under(
        self,
        account: str,
        *,
        scope: str = "All",
        only_attached: bool = False,
        path_prefix: str | None = None,
    ) -> list[ManagedPolicy]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        found: list[ManagedPolicy] = []
        if scope in ("All", "AWS"):
            found.extend(catalog())
        if scope in ("All", "Local"):
            found.extend(self._state.account(account).policies.values())
        if only_attached:
            attached = self._attached_arns(account)
            found = [p for p in found if p.arn in attached]
        prefix = path_prefix or "/"
        return sorted((p for p in found if p.path.startswith(prefix)), key=lambda p: p.name.lower())

    def _attached_arns(self, account: str) -> set[str]:
        records = self._state.account(account)
        arns: set[str] = set()
        for table in (records.roles, records.users, records.groups):
            for holder in table.values():
                arns.update(holder.attached)
        return arns

    async def delete(self, account: str, arn: str) -> None:
        async with self._state.lock:
            policy = self._own(account, arn)
            if self._state.attachments(account, arn):
                raise DeleteConflict("Cannot delete a policy attached to entities.")
            if len(policy.versions) > 1:
                raise DeleteConflict(
                    "This policy has more than one version. Before you delete a policy, you "
                    "must delete the policy's versions. The default version is deleted with "
                    "the policy."
                )
            await self._state.commit(deletes=[policy])

    async def tag(self, account: str, arn: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            policy = self._own(account, arn)
            await self._state.commit([replace(policy, tags=merge_tags(policy.tags, tags))])

    async def untag(self, account: str, arn: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            policy = self._own(account, arn)
            await self._state.commit([replace(policy, tags=remove_tags(policy.tags, keys))])

    # -- versions --------------------------------------------------------------------
    async def create_version(
        self, account: str, arn: str, document: str, *, set_as_default: bool = False
    ) -> PolicyVersion:
        _document(document)
        if compact_size(document) > MANAGED_POLICY_QUOTA:
            raise LimitExceeded(f"Cannot exceed quota for PolicySize: {MANAGED_POLICY_QUOTA}")
        async with self._state.lock:
            policy = self._own(account, arn)
            if len(policy.versions) >= MAX_VERSIONS:
                raise LimitExceeded(
                    f"A managed policy can have up to {MAX_VERSIONS} versions. Before you "
                    "create a new version, you must delete an existing version."
                )
            now = self._state.clock()
            version = PolicyVersion(f"v{policy.next_version}", document, now)
            changed = replace(
                policy,
                versions=[*policy.versions, version],
                next_version=policy.next_version + 1,
                default_version=version.version_id if set_as_default else policy.default_version,
                updated=now,
            )
            await self._state.commit([changed])
        return version

    def get_version(self, account: str, arn: str, version_id: str) -> PolicyVersion:
        policy = self.get(account, arn)
        version = policy.version(version_id)
        if version is None:
            raise NoSuchEntity(
                f"Policy {arn} version {version_id} does not exist or is not attachable."
            )
        return version

    async def delete_version(self, account: str, arn: str, version_id: str) -> None:
        async with self._state.lock:
            policy = self._own(account, arn)
            self.get_version(account, arn, version_id)
            if version_id == policy.default_version:
                raise DeleteConflict("Cannot delete the default version of a policy.")
            kept = [v for v in policy.versions if v.version_id != version_id]
            await self._state.commit([replace(policy, versions=kept)])

    async def set_default_version(self, account: str, arn: str, version_id: str) -> None:
        async with self._state.lock:
            policy = self._own(account, arn)
            self.get_version(account, arn, version_id)
            changed = replace(policy, default_version=version_id, updated=self._state.clock())
            await self._state.commit([changed])

    # -- attachments -----------------------------------------------------------------
    def _holder(self, kind: PrincipalKind, account: str, name: str) -> Holder:
        if kind == "role":
            return self._state.role(account, name)
        if kind == "user":
            return self._state.user(account, name)
        return self._state.group(account, name)

    async def attach(self, kind: PrincipalKind, account: str, name: str, arn: str) -> None:
        async with self._state.lock:
            holder = self._holder(kind, account, name)
            if self._state.policy(account, arn) is None:
                raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
            if arn in holder.attached:
                return
            if len(holder.attached) >= MAX_ATTACHED:
                quota = {"role": "PoliciesPerRole", "user": "PoliciesPerUser"}.get(
                    kind, "PoliciesPerGroup"
                )
                raise LimitExceeded(f"Cannot exceed quota for {quota}: {MAX_ATTACHED}")
            await self._state.commit([replace(holder, attached=[*holder.attached, arn])])

    async def detach(self, kind: PrincipalKind, account: str, name: str, arn: str) -> None:
        async with self._state.lock:
            holder = self._holder(kind, account, name)
            if arn not in holder.attached:
                raise NoSuchEntity(f"Policy {arn} was not attached.")
            kept = [a for a in holder.attached if a != arn]
            await self._state.commit([replace(holder, attached=kept)])

    def attached(
        self, kind: PrincipalKind, account: str, name: str, path_prefix: str | None = None
    ) -> list[ManagedPolicy]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        holder = self._holder(kind, account, name)
        policies = [self._state.policy(account, arn) for arn in holder.attached]
        return [p for p in policies if p is not None and p.path.startswith(path_prefix or "/")]

    def entities(self, account: str, arn: str, path_prefix: str | None = None) -> list[Holder]:
        self.get(account, arn)
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        return [
            e
            for e in self._state.attachments(account, arn)
            if e.path.startswith(path_prefix or "/")
        ]

    # -- inline policies -------------------------------------------------------------
    async def put_inline(
        self, kind: PrincipalKind, account: str, name: str, policy_name: str, document: str
    ) -> None:
        check_name(policy_name, "policyName", 128)
        _document(document, PolicyKind.INLINE)
        async with self._state.lock:
            holder = self._holder(kind, account, name)
            inline = {**holder.inline, policy_name: document}
            await self._state.commit([replace(holder, inline=inline)])

    def get_inline(self, kind: PrincipalKind, account: str, name: str, policy_name: str) -> str:
        holder = self._holder(kind, account, name)
        document = holder.inline.get(policy_name)
        if document is None:
            raise NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")
        return document

    async def delete_inline(
        self, kind: PrincipalKind, account: str, name: str, policy_name: str
    ) -> None:
        async with self._state.lock:
            holder = self._holder(kind, account, name)
            if policy_name not in holder.inline:
                raise NoSuchEntity(f"The {kind} policy with name {policy_name} cannot be found.")
            inline = {k: v for k, v in holder.inline.items() if k != policy_name}
            await self._state.commit([replace(holder, inline=inline)])

    def inline_names(self, kind: PrincipalKind, account: str, name: str) -> list[str]:
        return sorted(self._holder(kind, account, name).inline)
