"""STS: who is calling, and temporary credentials for roles and sessions.

Credentials STS issues are real to Stratus: each session is stored (so it survives a
restart) and its access key is reported to the ``KeyListener``, so requests signed with
it act as the role's account until the session expires; the reaper then deletes it.
Trust policies are not evaluated (policies are stored, not enforced): any caller may
assume any existing role, as with a trust policy that trusts the whole account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stratus.services.identity.errors import (
    AccessDenied,
    ExpiredToken,
    InvalidIdentityToken,
    InvalidName,
    PackedPolicyTooLarge,
)
from stratus.services.identity.ids import (
    TEMPORARY_KEY_PREFIX,
    new_access_key_id,
    new_secret_key,
    new_session_token,
)
from stratus.services.identity.models import Caller, Role, Session
from stratus.services.identity.names import check_length, check_range
from stratus.services.identity.policy import PolicyKind, compact_size, parse_policy
from stratus.services.identity.roles import Roles
from stratus.services.identity.saml_assertion import (
    NOT_AUTHORIZED,
    SamlAssertion,
    metadata_entity_ids,
    parse_assertion,
)
from stratus.services.identity.state import IdentityState
from stratus.services.identity.users import KeyListener

__all__ = ["AssumedRole", "SamlIdentity", "SecurityTokens", "WebIdentity"]

_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/(?:[\x21-\x7e]*/)?([\w+=,.@-]+)")
_SESSION_NAME = re.compile(r"[\w+=,.@-]*")
PACKED_POLICY_QUOTA = 2048
CHAINED_SESSION_LIMIT = 3600


@dataclass(frozen=True, slots=True)
class AssumedRole:
    session: Session
    role: Role
    packed_policy_size: int | None
    source_identity: str | None = None


@dataclass(frozen=True, slots=True)
class WebIdentity:
    assumed: AssumedRole
    subject: str
    audience: str
    provider: str


@dataclass(frozen=True, slots=True)
class SamlIdentity:
    assumed: AssumedRole
    assertion: SamlAssertion
    name_qualifier: str


_SAML_PROVIDER_ARN = re.compile(r"arn:aws:iam::(\d{12}):saml-provider/([\w.-]+)")


def _check_session_name(name: str) -> None:
    check_length(name, "roleSessionName", 2, 64)
    if not _SESSION_NAME.fullmatch(name):
        raise InvalidName(
            f"1 validation error detected: Value '{name}' at 'roleSessionName' failed to "
            r"satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*"
        )


def _jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT; its signature is not verified (no identity provider here)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise _bad_token()
    try:
        decoded = [json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2]]
    except (ValueError, binascii.Error):
        raise _bad_token() from None
    header, claims = decoded
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise _bad_token()
    return claims


def _bad_token() -> InvalidIdentityToken:
    return InvalidIdentityToken(
        "The web identity token that was passed could not be validated by AWS. Get a new "
        "identity token from the identity provider and then retry the request."
    )


class SecurityTokens:
    def __init__(self, state: IdentityState, roles: Roles, keys: KeyListener) -> None:
        self._state = state
        self._roles = roles
        self._keys = keys

    def caller(self, access_key: str | None, account: str) -> Caller:
        """The identity a request signed with ``access_key`` carries in ``account``."""
        if access_key:
            session = self._state.sessions.get(access_key)
            if session is not None:
                return session.caller(expired=session.expires <= self._state.clock())
            key = self._state.access_keys.get(access_key)
            if key is not None:
                user = self._state.account(key.account).users.get(key.user_name.lower())
                if user is not None:
                    return Caller(key.account, user.arn, user.user_id, user.name)
        return Caller(account, f"arn:aws:iam::{account}:root", account)

    def current_caller(self, access_key: str | None, account: str) -> Caller:
        """:meth:`caller`, refusing expired temporary credentials as STS does."""
        caller = self.caller(access_key, account)
        if caller.expired:
            raise ExpiredToken("The security token included in the request is expired")
        return caller

    async def assume_role(
        self,
        caller: Caller,
        role_arn: str,
        session_name: str,
        *,
        duration: int | None = None,
        policy: str | None = None,
        policy_arns: Iterable[str] = (),
        tags: Iterable[tuple[str, str]] = (),
        source_identity: str | None = None,
        region: str = "us-east-1",
    ) -> AssumedRole:
        check_length(role_arn, "roleArn", 20, 2048)
        _check_session_name(session_name)
        if duration is not None:
            check_range(duration, "durationSeconds", 900, 43200)
        role = self._role(role_arn, caller.arn)
        seconds = duration or 3600
        if seconds > role.max_session_duration:
            raise InvalidName(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        if ":assumed-role/" in caller.arn and seconds > CHAINED_SESSION_LIMIT:
            raise InvalidName(
                "The requested DurationSeconds exceeds the 1 hour session limit for roles "
                "assumed by role chaining."
            )
        packed = self._packed_size(policy, list(policy_arns), list(tags))
        session = await self._issue(
            role.account,
            seconds,
            arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
            user_id=f"{role.role_id}:{session_name}",
            role_name=role.name,
        )
        await self._roles.note_used(role, region)
        return AssumedRole(session, role, packed, source_identity)

    async def assume_role_with_web_identity(
        self,
        role_arn: str,
        session_name: str,
        token: str,
        *,
        provider_id: str | None = None,
        duration: int | None = None,
        policy: str | None = None,
        policy_arns: Iterable[str] = (),
        region: str = "us-east-1",
    ) -> WebIdentity:
        check_length(role_arn, "roleArn", 20, 2048)
        _check_session_name(session_name)
        check_length(token, "webIdentityToken", 4, 20000)
        if duration is not None:
            check_range(duration, "durationSeconds", 900, 43200)
        claims = _jwt_claims(token)
        role = self._role(role_arn, f"arn:aws:sts::{role_arn.split(':')[4]}:federated-user")
        seconds = duration or 3600
        if seconds > role.max_session_duration:
            raise InvalidName(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        packed = self._packed_size(policy, list(policy_arns), [])
        session = await self._issue(
            role.account,
            seconds,
            arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
            user_id=f"{role.role_id}:{session_name}",
            role_name=role.name,
        )
        await self._roles.note_used(role, region)
        audience = claims.get("aud", "")
        if isinstance(audience, list):
            audience = audience[0] if audience else ""
        issuer = str(claims.get("iss", ""))
        provider = provider_id or issuer.removeprefix("https://")
        return WebIdentity(
            AssumedRole(session, role, packed),
            subject=str(claims.get("sub", "")),
            audience=str(audience),
            provider=provider,
        )

    async def assume_role_with_saml(
        self,
        role_arn: str,
        provider_arn: str,
        encoded: str,
        *,
        duration: int | None = None,
        policy: str | None = None,
        policy_arns: Iterable[str] = (),
        region: str = "us-east-1",
    ) -> SamlIdentity:
        """Credentials for ``role_arn`` from an identity provider's SAML response: the
        provider must exist, the response's issuer must be the provider's entity, and the
        response's Role attribute must pair the role with the provider. The signature is
        not verified and the role's trust policy not evaluated (docs/identity.md)."""
        check_length(role_arn, "roleArn", 20, 2048)
        check_length(provider_arn, "principalArn", 20, 2048)
        if duration is not None:
            check_range(duration, "durationSeconds", 900, 43200)
        provider_match = _SAML_PROVIDER_ARN.fullmatch(provider_arn)
        provider = None
        if provider_match is not None:
            account, name = provider_match.groups()
            provider = self._state.account(account).saml.get(name.lower())
        if provider is None or provider.arn != provider_arn:
            raise InvalidIdentityToken("Specified provider doesn't exist")
        assertion = parse_assertion(encoded, self._state.clock())
        if assertion.issuer not in metadata_entity_ids(provider.metadata):
            raise InvalidIdentityToken(
                "Failed to assume role: Issuer not present in specified provider"
            )
        match = _ROLE_ARN.fullmatch(role_arn)
        role = None
        if match is not None and match.group(1) == provider.account:
            role = self._state.account(match.group(1)).roles.get(match.group(2).lower())
        if role is None or role.arn != role_arn or (role_arn, provider_arn) not in assertion.roles:
            raise AccessDenied(NOT_AUTHORIZED)
        seconds = duration or 3600
        if seconds > role.max_session_duration:
            raise InvalidName(
                "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
            )
        packed = self._packed_size(policy, list(policy_arns), [])
        session_name = assertion.session_name
        session = await self._issue(
            role.account,
            seconds,
            arn=f"arn:aws:sts::{role.account}:assumed-role/{role.name}/{session_name}",
            user_id=f"{role.role_id}:{session_name}",
            role_name=role.name,
        )
        await self._roles.note_used(role, region)
        qualifier = hashlib.sha1(  # AWS documents NameQualifier as this SHA-1
            f"{assertion.issuer}{role.account}/{provider.name}".encode()
        ).digest()
        return SamlIdentity(
            AssumedRole(session, role, packed, assertion.source_identity),
            assertion,
            base64.b64encode(qualifier).decode(),
        )

    async def session_token(self, caller: Caller, duration: int | None = None) -> Session:
        if duration is not None:
            check_range(duration, "durationSeconds", 900, 129600)
        if ":assumed-role/" in caller.arn:
            raise AccessDenied("Cannot call GetSessionToken with session credentials")
        seconds = duration or 43200
        if caller.arn.endswith(":root"):
            seconds = min(seconds, 3600)  # root's sessions last an hour at most
        return await self._issue(
            caller.account, seconds, arn=caller.arn, user_id=caller.user_id,
            user_name=caller.user_name,
        )  # fmt: skip

    async def federation_token(
        self,
        caller: Caller,
        name: str,
        *,
        duration: int | None = None,
        policy: str | None = None,
        policy_arns: Iterable[str] = (),
        tags: Iterable[tuple[str, str]] = (),
    ) -> tuple[Session, int | None]:
        """Credentials of a federated user acting in the caller's account (IAM users and
        root only: STS refuses session credentials), with their packed policy size."""
        if ":assumed-role/" in caller.arn or ":federated-user/" in caller.arn:
            raise AccessDenied("Cannot call GetFederationToken with session credentials")
        seconds = duration or 43200
        if caller.arn.endswith(":root"):
            seconds = min(seconds, 3600)  # root's federation tokens last an hour at most
        packed = self._packed_size(policy, list(policy_arns), list(tags))
        session = await self._issue(
            caller.account,
            seconds,
            arn=f"arn:aws:sts::{caller.account}:federated-user/{name}",
            user_id=f"{caller.account}:{name}",
        )
        return session, packed

    async def reap(self) -> list[str]:
        """Delete expired sessions; their keys stop acting as the role's account."""
        expired = await self._state.reap_sessions()
        for key_id in expired:
            self._keys.forget(key_id)
        return expired

    def register_loaded(self) -> None:
        """At start: every stored key (IAM users' and live sessions') acts as its account."""
        for key_id, key in self._state.access_keys.items():
            self._keys.register(key_id, key.account)
        now = self._state.clock()
        for key_id, session in self._state.sessions.items():
            if session.expires > now:
                self._keys.register(key_id, session.account)

    def _role(self, role_arn: str, caller_arn: str) -> Role:
        denied = AccessDenied(
            f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: "
            f"{role_arn}"
        )
        match = _ROLE_ARN.fullmatch(role_arn)
        if match is None:
            raise denied
        role = self._state.account(match.group(1)).roles.get(match.group(2).lower())
        if role is None or role.arn != role_arn:
            raise denied
        return role

    @staticmethod
    def _packed_size(
        policy: str | None, policy_arns: list[str], tags: list[tuple[str, str]]
    ) -> int | None:
        """The share (percent) of the session's packed policies and tags; AWS returns it
        when any were given and refuses above 100."""
        if policy is None and not policy_arns and not tags:
            return None
        size = 0
        if policy is not None:
            check_length(policy, "policy", 1, 2048)
            parse_policy(policy, PolicyKind.INLINE)
            size += compact_size(policy)
        size += sum(len(a) for a in policy_arns) + sum(len(k) + len(v) for k, v in tags)
        percent = size * 100 // PACKED_POLICY_QUOTA
        if percent > 100:
            raise PackedPolicyTooLarge(
                f"Packed policy consumes {percent}% of allotted space, please use smaller policy."
            )
        return percent

    async def _issue(
        self,
        account: str,
        seconds: int,
        *,
        arn: str,
        user_id: str,
        role_name: str | None = None,
        user_name: str | None = None,
    ) -> Session:
        session = Session(
            key_id=new_access_key_id(TEMPORARY_KEY_PREFIX),
            secret=new_secret_key(),
            token=new_session_token(),
            account=account,
            expires=self._state.clock() + seconds,
            arn=arn,
            user_id=user_id,
            user_name=user_name,
            role_name=role_name,
        )
        async with self._state.lock:
            await self._state.commit([session])
        self._keys.register(session.key_id, account)
        return session
