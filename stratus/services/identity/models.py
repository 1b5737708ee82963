"""The identity records: what IAM and STS keep per account.

Records are mutable dataclasses owned by :class:`~stratus.services.identity.state.IdentityState`;
they cross to the store as JSON dicts (``asdict``) and come back through ``from_dict``.
Times are epoch seconds (floats), as the protocol layer's serializers take them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "AccessKey",
    "AccountAlias",
    "Caller",
    "DeletionTask",
    "Group",
    "InstanceProfile",
    "LoginProfile",
    "ManagedPolicy",
    "MfaDevice",
    "OidcProvider",
    "PasswordPolicy",
    "PolicyVersion",
    "Role",
    "SamlProvider",
    "ServerCertificate",
    "ServiceCredential",
    "Session",
    "SigningCertificate",
    "SshPublicKey",
    "User",
    "record_to_dict",
]


@dataclass(slots=True)
class Role:
    account: str
    name: str
    role_id: str
    path: str
    trust_policy: str
    created: float
    description: str | None = None
    max_session_duration: int = 3600
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)
    last_used: float | None = None
    last_used_region: str | None = None
    service: str | None = None  # the AWS service of a service-linked role

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:role{self.path}{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Role:
        return cls(**data)


@dataclass(slots=True)
class User:
    account: str
    name: str
    user_id: str
    path: str
    created: float
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    attached: list[str] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:user{self.path}{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> User:
        return cls(**data)


@dataclass(slots=True)
class Group:
    account: str
    name: str
    group_id: str
    path: str
    created: float
    members: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    inline: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:group{self.path}{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Group:
        return cls(**data)


@dataclass(slots=True)
class PolicyVersion:
    version_id: str
    document: str
    created: float


@dataclass(slots=True)
class ManagedPolicy:
    """A customer managed policy; AWS managed ones come from ``aws_policies``."""

    account: str  # "aws" for AWS managed policies
    name: str
    policy_id: str
    path: str
    created: float
    updated: float
    default_version: str
    versions: list[PolicyVersion]
    next_version: int
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:policy{self.path}{self.name}"

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ManagedPolicy:
        versions = [PolicyVersion(**v) for v in data.pop("versions")]
        return cls(versions=versions, **data)


@dataclass(slots=True)
class InstanceProfile:
    account: str
    name: str
    profile_id: str
    path: str
    created: float
    roles: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:instance-profile{self.path}{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InstanceProfile:
        return cls(**data)


@dataclass(slots=True)
class OidcProvider:
    """An OpenID Connect identity provider (what AssumeRoleWithWebIdentity trusts)."""

    account: str
    name: str  # the URL without its scheme: host and path, as the ARN carries it
    client_ids: list[str]
    thumbprints: list[str]
    created: float
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:oidc-provider/{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OidcProvider:
        return cls(**data)


@dataclass(slots=True)
class AccessKey:
    """An IAM user's long-term key; requests signed with it act as the user's account."""

    account: str
    user_name: str
    key_id: str
    secret: str
    created: float
    status: str = "Active"
    last_used: float | None = None
    last_used_service: str | None = None
    last_used_region: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccessKey:
        return cls(**data)


@dataclass(slots=True)
class LoginProfile:
    """A user's console password: kept only as a salted hash, never returned."""

    account: str
    name: str  # the user's name: one login profile per user
    created: float
    password_hash: str
    reset_required: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LoginProfile:
        return cls(**data)


@dataclass(slots=True)
class PasswordPolicy:
    """The account's password policy (UpdateAccountPasswordPolicy); one per account."""

    account: str
    minimum_length: int = 6
    require_symbols: bool = False
    require_numbers: bool = False
    require_uppercase: bool = False
    require_lowercase: bool = False
    allow_users_to_change: bool = False
    max_age: int = 0  # days; 0: passwords never expire
    reuse_prevention: int = 0
    hard_expiry: bool = False
    name: str = "PasswordPolicy"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PasswordPolicy:
        return cls(**data)


@dataclass(slots=True)
class AccountAlias:
    """The account's alias (IAM allows one; unique across accounts)."""

    account: str
    name: str
    created: float

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AccountAlias:
        return cls(**data)


@dataclass(slots=True)
class SshPublicKey:
    """A user's SSH public key (what CodeCommit would accept); ``name`` is its key id."""

    account: str
    name: str  # APKA...: the key's id, unique in the account
    user_name: str
    body: str
    fingerprint: str
    uploaded: float
    status: str = "Active"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SshPublicKey:
        return cls(**data)


@dataclass(slots=True)
class SigningCertificate:
    """A user's X.509 signing certificate; ``name`` is its certificate id."""

    account: str
    name: str
    user_name: str
    body: str
    uploaded: float
    status: str = "Active"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SigningCertificate:
        return cls(**data)


@dataclass(slots=True)
class ServiceCredential:
    """A service-specific credential (CodeCommit's Git, Keyspaces, Bedrock API keys);
    ``name`` is its id. The password is returned by Create/Reset and never kept."""

    account: str
    name: str  # ACCA...: the credential's id
    user_name: str
    service: str
    service_user_name: str
    created: float
    expires: float | None = None
    status: str = "Active"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServiceCredential:
        return cls(**data)


@dataclass(slots=True)
class ServerCertificate:
    """A TLS certificate with its key, for load balancers and CloudFront to use."""

    account: str
    name: str
    certificate_id: str
    path: str
    body: str
    private_key: str
    chain: str | None
    expiration: float
    uploaded: float
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:server-certificate{self.path}{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ServerCertificate:
        return cls(**data)


@dataclass(slots=True)
class SamlProvider:
    """A SAML 2.0 identity provider: its metadata document, as IAM keeps it."""

    account: str
    name: str
    uuid: str
    metadata: str
    created: float
    valid_until: float
    encryption_mode: str = "Allowed"
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::{self.account}:saml-provider/{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SamlProvider:
        return cls(**data)


@dataclass(slots=True)
class MfaDevice:
    """A virtual MFA device; ``name`` is its path and name (the serial number's tail)."""

    account: str
    name: str  # e.g. "/team/alice-phone": path and device name
    seed: str  # the Base32 TOTP seed, returned once at creation
    created: float
    user_name: str | None = None
    enabled: float | None = None
    tags: dict[str, str] = field(default_factory=dict)

    @property
    def serial(self) -> str:
        return f"arn:aws:iam::{self.account}:mfa{self.name}"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MfaDevice:
        return cls(**data)


@dataclass(slots=True)
class DeletionTask:
    """A service-linked role deletion; Stratus deletes at once, so every task succeeded."""

    account: str
    task_id: str
    status: str = "SUCCEEDED"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeletionTask:
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Caller:
    """Who signed a request, as GetCallerIdentity names it."""

    account: str
    arn: str
    user_id: str
    user_name: str | None = None  # an IAM user's name, for GetUser without a name
    expired: bool = False


@dataclass(slots=True)
class Session:
    """STS temporary credentials; they act as ``account`` until ``expires``."""

    key_id: str
    secret: str
    token: str
    account: str
    expires: float
    arn: str  # the identity the credentials carry (assumed-role ARN, user, root)
    user_id: str  # AROA...:session for roles, the caller's id otherwise
    user_name: str | None = None
    role_name: str | None = None

    def caller(self, expired: bool = False) -> Caller:
        return Caller(self.account, self.arn, self.user_id, self.user_name, expired)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        return cls(**data)


def record_to_dict(record: Any) -> dict[str, Any]:
    """A record as the JSON dict the store keeps."""
    return asdict(record)
