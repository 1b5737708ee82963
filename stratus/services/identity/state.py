"""The identity records of every account, in memory, written through to the repository.

Every change runs under one lock: check, write the changed records in one transaction,
and only then swap them into memory, so a failed write changes nothing and concurrent
calls (two CreateRole of one name) are serialized as IAM serializes them. Records are
replaced, never mutated in place (``dataclasses.replace``), so a reader never sees a
half-made change.

IAM is global, not regional, but per account: each account has its own
:class:`AccountRecords`, and nothing of one is reachable from another. IAM names are
unique without regard to case, so the dictionaries are keyed by the lowered name.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from stratus.services.identity.aws_policies import aws_policy
from stratus.services.identity.errors import InvalidName, NoSuchEntity
from stratus.services.identity.models import (
    AccessKey,
    AccountAlias,
    DeletionTask,
    Group,
    InstanceProfile,
    LoginProfile,
    ManagedPolicy,
    MfaDevice,
    OidcProvider,
    PasswordPolicy,
    Role,
    SamlProvider,
    ServerCertificate,
    ServiceCredential,
    Session,
    SigningCertificate,
    SshPublicKey,
    User,
    record_to_dict,
)
from stratus.services.identity.repository import IdentityRepository, RecordKey, StoredRecord

__all__ = ["AccountRecords", "IdentityState", "Record", "page"]

Record = (
    Role
    | User
    | Group
    | ManagedPolicy
    | InstanceProfile
    | OidcProvider
    | LoginProfile
    | PasswordPolicy
    | AccountAlias
    | SshPublicKey
    | SigningCertificate
    | ServiceCredential
    | ServerCertificate
    | SamlProvider
    | MfaDevice
    | AccessKey
    | DeletionTask
    | Session
)
T = TypeVar("T")


@dataclass(slots=True)
class AccountRecords:
    roles: dict[str, Role] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    policies: dict[str, ManagedPolicy] = field(default_factory=dict)  # by lowered name
    profiles: dict[str, InstanceProfile] = field(default_factory=dict)
    keys: dict[str, AccessKey] = field(default_factory=dict)  # by key id
    tasks: dict[str, DeletionTask] = field(default_factory=dict)
    oidc: dict[str, OidcProvider] = field(default_factory=dict)  # by lowered host/path
    logins: dict[str, LoginProfile] = field(default_factory=dict)  # by lowered user name
    settings: dict[str, PasswordPolicy] = field(default_factory=dict)  # "passwordpolicy"
    aliases: dict[str, AccountAlias] = field(default_factory=dict)  # at most one
    ssh_keys: dict[str, SshPublicKey] = field(default_factory=dict)  # by lowered key id
    signing: dict[str, SigningCertificate] = field(default_factory=dict)  # by lowered id
    service_credentials: dict[str, ServiceCredential] = field(default_factory=dict)
    server_certs: dict[str, ServerCertificate] = field(default_factory=dict)
    saml: dict[str, SamlProvider] = field(default_factory=dict)
    mfa: dict[str, MfaDevice] = field(default_factory=dict)  # by lowered path + name


def _record_key(record: Record) -> RecordKey:
    if isinstance(record, AccessKey | Session):
        return RecordKey(_KINDS[type(record)], record.account, record.key_id)
    if isinstance(record, DeletionTask):
        return RecordKey("task", record.account, record.task_id)
    return RecordKey(_KINDS[type(record)], record.account, record.name.lower())


_KINDS: dict[type[Any], str] = {
    Role: "role",
    User: "user",
    Group: "group",
    ManagedPolicy: "policy",
    InstanceProfile: "instance_profile",
    OidcProvider: "oidc_provider",
    LoginProfile: "login_profile",
    PasswordPolicy: "password_policy",
    AccountAlias: "account_alias",
    SshPublicKey: "ssh_public_key",
    SigningCertificate: "signing_certificate",
    ServiceCredential: "service_credential",
    ServerCertificate: "server_certificate",
    SamlProvider: "saml_provider",
    MfaDevice: "mfa_device",
    AccessKey: "access_key",
    DeletionTask: "task",
    Session: "session",
}
#: The ``AccountRecords`` table of each record kind kept by its lowered name.
_TABLES: dict[type[Any], str] = {
    Role: "roles",
    User: "users",
    Group: "groups",
    ManagedPolicy: "policies",
    InstanceProfile: "profiles",
    OidcProvider: "oidc",
    LoginProfile: "logins",
    PasswordPolicy: "settings",
    AccountAlias: "aliases",
    SshPublicKey: "ssh_keys",
    SigningCertificate: "signing",
    ServiceCredential: "service_credentials",
    ServerCertificate: "server_certs",
    SamlProvider: "saml",
    MfaDevice: "mfa",
}
_LOADERS: dict[str, Callable[[dict[str, Any]], Record]] = {
    "role": Role.from_dict,
    "user": User.from_dict,
    "group": Group.from_dict,
    "policy": ManagedPolicy.from_dict,
    "instance_profile": InstanceProfile.from_dict,
    "oidc_provider": OidcProvider.from_dict,
    "login_profile": LoginProfile.from_dict,
    "password_policy": PasswordPolicy.from_dict,
    "account_alias": AccountAlias.from_dict,
    "ssh_public_key": SshPublicKey.from_dict,
    "signing_certificate": SigningCertificate.from_dict,
    "service_credential": ServiceCredential.from_dict,
    "server_certificate": ServerCertificate.from_dict,
    "saml_provider": SamlProvider.from_dict,
    "mfa_device": MfaDevice.from_dict,
    "access_key": AccessKey.from_dict,
    "task": DeletionTask.from_dict,
    "session": Session.from_dict,
}


class IdentityState:
    """All accounts' records plus the index of issued keys (IAM keys and STS sessions)."""

    def __init__(self, repository: IdentityRepository, clock: Callable[[], float] = time.time):
        self._repository = repository
        self._accounts: dict[str, AccountRecords] = {}
        self.sessions: dict[str, Session] = {}
        self.access_keys: dict[str, AccessKey] = {}  # every account's, by key id
        self.lock = asyncio.Lock()
        self.clock = clock

    def account(self, account_id: str) -> AccountRecords:
        records = self._accounts.get(account_id)
        if records is None:
            records = self._accounts[account_id] = AccountRecords()
        return records

    async def load(self) -> None:
        """Read every record; expired sessions are left for the reaper to delete."""
        for stored in await self._repository.load():
            record = _LOADERS[stored.at.kind](stored.body)
            self._put(record)

    async def commit(self, puts: Sequence[Record] = (), deletes: Sequence[Record] = ()) -> None:
        """Write the changed records, then make them visible. Callers hold ``lock``."""
        await self._repository.apply(
            [
                StoredRecord(
                    _record_key(r),
                    record_to_dict(r),
                    r.expires if isinstance(r, Session) else None,
                )
                for r in puts
            ],
            [_record_key(r) for r in deletes],
        )
        for record in deletes:
            self._remove(record)
        for record in puts:
            self._put(record)

    async def reap_sessions(self) -> list[str]:
        """Delete expired sessions from the store and memory; returns their key ids."""
        expired = await self._repository.delete_expired(self.clock())
        for key_id in expired:
            self.sessions.pop(key_id, None)
        return expired

    def _put(self, record: Record) -> None:
        if isinstance(record, Session):
            self.sessions[record.key_id] = record
            return
        records = self.account(record.account)
        if isinstance(record, AccessKey):
            records.keys[record.key_id] = record
            self.access_keys[record.key_id] = record
        elif isinstance(record, DeletionTask):
            records.tasks[record.task_id] = record
        else:
            self._table(records, record)[record.name.lower()] = record

    def _remove(self, record: Record) -> None:
        if isinstance(record, Session):
            self.sessions.pop(record.key_id, None)
            return
        records = self.account(record.account)
        if isinstance(record, AccessKey):
            records.keys.pop(record.key_id, None)
            self.access_keys.pop(record.key_id, None)
        elif isinstance(record, DeletionTask):
            records.tasks.pop(record.task_id, None)
        else:
            self._table(records, record).pop(record.name.lower(), None)

    @staticmethod
    def _table(records: AccountRecords, record: Record) -> dict[str, Any]:
        table: dict[str, Any] = getattr(records, _TABLES[type(record)])
        return table

    # -- lookups raising IAM's NoSuchEntity --------------------------------------------
    def role(self, account: str, name: str) -> Role:
        role = self.account(account).roles.get(name.lower())
        if role is None:
            raise NoSuchEntity(f"The role with name {name} cannot be found.")
        return role

    def user(self, account: str, name: str) -> User:
        user = self.account(account).users.get(name.lower())
        if user is None:
            raise NoSuchEntity(f"The user with name {name} cannot be found.")
        return user

    def group(self, account: str, name: str) -> Group:
        group = self.account(account).groups.get(name.lower())
        if group is None:
            raise NoSuchEntity(f"The group with name {name} cannot be found.")
        return group

    def profile(self, account: str, name: str) -> InstanceProfile:
        profile = self.account(account).profiles.get(name.lower())
        if profile is None:
            raise NoSuchEntity(f"Instance Profile {name} cannot be found.")
        return profile

    def policy(self, account: str, arn: str) -> ManagedPolicy | None:
        """The managed policy ``arn`` as ``account`` sees it: its own or an AWS one.

        Another account's policy is invisible (accounts never see each other).
        """
        if arn.startswith("arn:aws:iam::aws:policy/"):
            return aws_policy(arn)
        name = arn.rpartition("/")[2]
        policy = self.account(account).policies.get(name.lower())
        return policy if policy is not None and policy.arn == arn else None

    def attachments(self, account: str, arn: str) -> list[Role | User | Group]:
        """The roles, users and groups of ``account`` that ``arn`` is attached to."""
        records = self.account(account)
        found: list[Role | User | Group] = []
        for table in (records.groups, records.users, records.roles):
            found.extend(e for e in table.values() if arn in e.attached)
        return found

    def all_accounts(self) -> Iterator[tuple[str, AccountRecords]]:
        yield from self._accounts.items()


def page(
    items: Sequence[T], marker: str | None, max_items: int | None
) -> tuple[list[T], str | None]:
    """One page of a list call: IAM's ``Marker``/``MaxItems`` (default 100). A marker this
    did not make is IAM's ``ValidationError`` "Invalid Marker." (as recorded from AWS)."""
    start = 0
    if marker:
        try:
            start = int(base64.urlsafe_b64decode(marker.encode()).decode())
        except ValueError:
            start = -1
        if start < 0:
            raise InvalidName("Invalid Marker.")
    limit = max_items or 100
    chunk = list(items[start : start + limit])
    end = start + len(chunk)
    following = base64.urlsafe_b64encode(str(end).encode()).decode() if end < len(items) else None
    return chunk, following
