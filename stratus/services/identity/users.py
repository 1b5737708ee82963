"""IAM users, groups and users' access keys of an account.

An access key is the one thing here that changes how requests are answered: a request
signed with it acts as the user's account. The service does not know how the platform
resolves accounts (that is the protocol layer's), so it reports each key it issues or
revokes through the ``KeyListener`` it was given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Protocol

from stratus.services.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidName,
    LimitExceeded,
    NoSuchEntity,
)
from stratus.services.identity.ids import (
    GROUP_PREFIX,
    USER_PREFIX,
    new_access_key_id,
    new_secret_key,
    new_unique_id,
)
from stratus.services.identity.models import AccessKey, Group, User
from stratus.services.identity.names import check_name, check_path, check_path_prefix
from stratus.services.identity.state import IdentityState, Record
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["KeyListener", "Users"]

MAX_ACCESS_KEYS = 2


class KeyListener(Protocol):
    """Told of every access key issued or revoked, so requests signed with it resolve."""

    def register(self, access_key: str, account_id: str) -> None: ...

    def forget(self, access_key: str) -> None: ...


class Users:
    def __init__(self, state: IdentityState, keys: KeyListener) -> None:
        self._state = state
        self._keys = keys

    # -- users -----------------------------------------------------------------------
    async def create(
        self,
        account: str,
        name: str,
        *,
        path: str = "/",
        boundary: str | None = None,
        tags: Iterable[tuple[str, str]] = (),
    ) -> User:
        check_name(name, "userName")
        check_path(path)
        tag_map = merge_tags({}, tags)
        if boundary is not None and self._state.policy(account, boundary) is None:
            raise NoSuchEntity(f"Scope ARN: {boundary} does not exist or is not attachable.")
        async with self._state.lock:
            if name.lower() in self._state.account(account).users:
                raise EntityAlreadyExists(f"User with name {name} already exists.")
            user = User(
                account=account,
                name=name,
                user_id=new_unique_id(USER_PREFIX),
                path=path,
                created=self._state.clock(),
                boundary=boundary,
                tags=tag_map,
            )
            await self._state.commit([user])
        return user

    def get(self, account: str, name: str) -> User:
        return self._state.user(account, name)

    def under(self, account: str, path_prefix: str | None = None) -> list[User]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        users = self._state.account(account).users.values()
        return sorted(
            (u for u in users if u.path.startswith(path_prefix or "/")),
            key=lambda u: u.name.lower(),
        )

    async def update(
        self, account: str, name: str, *, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        """Rename or move a user; its groups and access keys follow the new name."""
        if new_name is not None:
            check_name(new_name, "newUserName")
        if new_path is not None:
            check_path(new_path, "newPath")
        async with self._state.lock:
            user = self._state.user(account, name)
            records = self._state.account(account)
            renamed = new_name if new_name is not None else user.name
            lowered = renamed.lower()
            if lowered != user.name.lower() and lowered in records.users:
                raise EntityAlreadyExists(f"User with name {new_name} already exists.")
            changed = replace(user, name=renamed, path=new_path or user.path)
            puts: list[Record] = [changed]
            for group in records.groups.values():
                if user.name in group.members:
                    members = [renamed if m == user.name else m for m in group.members]
                    puts.append(replace(group, members=members))
            for key in records.keys.values():
                if key.user_name == user.name:
                    puts.append(replace(key, user_name=renamed))
            for ssh_key in records.ssh_keys.values():
                if ssh_key.user_name == user.name:
                    puts.append(replace(ssh_key, user_name=renamed))
            for certificate in records.signing.values():
                if certificate.user_name == user.name:
                    puts.append(replace(certificate, user_name=renamed))
            for credential in records.service_credentials.values():
                if credential.user_name == user.name:
                    puts.append(replace(credential, user_name=renamed))
            for device in records.mfa.values():
                if device.user_name == user.name:
                    puts.append(replace(device, user_name=renamed))
            deletes: list[Record] = []
            login = records.logins.get(user.name.lower())
            if login is not None and renamed != user.name:
                puts.append(replace(login, name=renamed))
                deletes.append(login)
            if renamed != user.name:
                deletes.append(user)
            await self._state.commit(puts, deletes=deletes)

    async def delete(self, account: str, name: str) -> None:
        async with self._state.lock:
            user = self._state.user(account, name)
            if user.attached:
                raise DeleteConflict("Cannot delete entity, must detach all policies first.")
            if user.inline:
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            if user.name.lower() in self._state.account(account).logins:
                raise DeleteConflict("Cannot delete entity, must delete login profile first.")
            if self.keys_of(account, user.name):
                raise DeleteConflict("Cannot delete entity, must delete access keys first.")
            records = self._state.account(account)
            if any(c.user_name == user.name for c in records.signing.values()):
                raise DeleteConflict(
                    "Cannot delete entity, must delete signing certificates first."
                )
            if any(k.user_name == user.name for k in records.ssh_keys.values()):
                raise DeleteConflict("Cannot delete entity, must delete SSH public keys first.")
            if any(c.user_name == user.name for c in records.service_credentials.values()):
                raise DeleteConflict(
                    "Cannot delete entity, must delete service specific credentials first."
                )
            if any(d.user_name == user.name for d in records.mfa.values()):
                raise DeleteConflict("Cannot delete entity, must remove MFA device first.")
            if self.groups_for(account, user.name):
                raise DeleteConflict("Cannot delete entity, must remove users from group first.")
            await self._state.commit(deletes=[user])

    async def put_boundary(self, account: str, name: str, arn: str) -> None:
        if self._state.policy(account, arn) is None:
            raise NoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.")
        async with self._state.lock:
            user = self._state.user(account, name)
            await self._state.commit([replace(user, boundary=arn)])

    async def delete_boundary(self, account: str, name: str) -> None:
        async with self._state.lock:
            user = self._state.user(account, name)
            await self._state.commit([replace(user, boundary=None)])

    async def tag(self, account: str, name: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            user = self._state.user(account, name)
            await self._state.commit([replace(user, tags=merge_tags(user.tags, tags))])

    async def untag(self, account: str, name: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            user = self._state.user(account, name)
            await self._state.commit([replace(user, tags=remove_tags(user.tags, keys))])

    # -- groups ----------------------------------------------------------------------
    async def create_group(self, account: str, name: str, *, path: str = "/") -> Group:
        check_name(name, "groupName", 128)
        check_path(path)
        async with self._state.lock:
            if name.lower() in self._state.account(account).groups:
                raise EntityAlreadyExists(f"Group with name {name} already exists.")
            group = Group(
                account=account,
                name=name,
                group_id=new_unique_id(GROUP_PREFIX),
                path=path,
                created=self._state.clock(),
            )
            await self._state.commit([group])
        return group

    def get_group(self, account: str, name: str) -> tuple[Group, list[User]]:
        group = self._state.group(account, name)
        users = self._state.account(account).users
        return group, [users[m.lower()] for m in group.members if m.lower() in users]

    def list_groups(self, account: str, path_prefix: str | None = None) -> list[Group]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        groups = self._state.account(account).groups.values()
        return sorted(
            (g for g in groups if g.path.startswith(path_prefix or "/")),
            key=lambda g: g.name.lower(),
        )

    async def delete_group(self, account: str, name: str) -> None:
        async with self._state.lock:
            group = self._state.group(account, name)
            if group.members:
                raise DeleteConflict("Cannot delete entity, must remove users from group first.")
            if group.attached:
                raise DeleteConflict("Cannot delete entity, must detach all policies first.")
            if group.inline:
                raise DeleteConflict("Cannot delete entity, must delete policies first.")
            await self._state.commit(deletes=[group])

    async def add_to_group(self, account: str, group_name: str, user_name: str) -> None:
        async with self._state.lock:
            group = self._state.group(account, group_name)
            user = self._state.user(account, user_name)
            if user.name not in group.members:
                await self._state.commit([replace(group, members=[*group.members, user.name])])

    async def remove_from_group(self, account: str, group_name: str, user_name: str) -> None:
        async with self._state.lock:
            group = self._state.group(account, group_name)
            user = self._state.user(account, user_name)
            if user.name not in group.members:
                raise NoSuchEntity(f"User {user_name} is not in group {group.name}.")
            members = [m for m in group.members if m != user.name]
            await self._state.commit([replace(group, members=members)])

    def groups_for(self, account: str, user_name: str) -> list[Group]:
        groups = self._state.account(account).groups.values()
        return sorted((g for g in groups if user_name in g.members), key=lambda g: g.name.lower())

    # -- access keys -----------------------------------------------------------------
    async def create_key(self, account: str, user_name: str) -> AccessKey:
        async with self._state.lock:
            user = self._state.user(account, user_name)
            if len(self.keys_of(account, user.name)) >= MAX_ACCESS_KEYS:
                raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS}")
            key = AccessKey(
                account=account,
                user_name=user.name,
                key_id=new_access_key_id(),
                secret=new_secret_key(),
                created=self._state.clock(),
            )
            await self._state.commit([key])
        self._keys.register(key.key_id, account)
        return key

    def keys_of(self, account: str, user_name: str) -> list[AccessKey]:
        keys = self._state.account(account).keys.values()
        return sorted((k for k in keys if k.user_name == user_name), key=lambda k: k.created)

    def key(self, account: str, key_id: str, user_name: str | None = None) -> AccessKey:
        key = self._state.account(account).keys.get(key_id)
        if key is None or (user_name is not None and key.user_name.lower() != user_name.lower()):
            raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
        return key

    async def update_key(
        self, account: str, key_id: str, status: str, user_name: str | None = None
    ) -> None:
        if status not in ("Active", "Inactive"):
            raise InvalidName(
                f"1 validation error detected: Value '{status}' at 'status' failed to satisfy "
                "constraint: Member must satisfy enum value set: [Active, Inactive]"
            )
        async with self._state.lock:
            key = self.key(account, key_id, user_name)
            await self._state.commit([replace(key, status=status)])

    async def delete_key(self, account: str, key_id: str, user_name: str | None = None) -> None:
        async with self._state.lock:
            key = self.key(account, key_id, user_name)
            await self._state.commit(deletes=[key])
        self._keys.forget(key_id)

    def key_owner(self, key_id: str) -> AccessKey | None:
        """The IAM key ``key_id`` of any account (for the caller's identity)."""
        return self._state.access_keys.get(key_id)
