"""Credentials a user holds besides access keys: SSH public keys, signing certificates
and service-specific credentials.

Keys and certificates are parsed (``cryptography``) so a malformed one is refused as IAM
refuses it, and stored as uploaded; nothing here authenticates with any of them. Quotas
are IAM's: five SSH keys, two signing certificates, two credentials per service per user.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, replace

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from stratus.services.identity.errors import (
    DuplicateCertificate,
    DuplicateSshKey,
    InvalidPublicKey,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
    ServiceNotSupported,
)
from stratus.services.identity.ids import new_certificate_id, new_unique_id
from stratus.services.identity.models import ServiceCredential, SigningCertificate, SshPublicKey
from stratus.services.identity.state import IdentityState

__all__ = ["IssuedCredential", "UserCredentials", "ssh_fingerprint"]

MAX_SSH_KEYS = 5
MAX_SIGNING_CERTIFICATES = 2
SSH_KEY_PREFIX = "APKA"
SERVICE_CREDENTIAL_PREFIX = "ACCA"
MAX_SERVICE_CREDENTIALS = 2  # per user and service
#: The services IAM issues service-specific credentials for; Bedrock's are API keys
#: (an alias and a secret) where the others are a user name and a password.
SERVICES = frozenset(
    {"codecommit.amazonaws.com", "cassandra.amazonaws.com", "bedrock.amazonaws.com"}
)
API_KEY_SERVICES = frozenset({"bedrock.amazonaws.com"})


@dataclass(frozen=True, slots=True)
class IssuedCredential:
    """A service-specific credential with the secret Create and Reset return once."""

    credential: ServiceCredential
    secret: str


def ssh_fingerprint(body: str) -> str:
    """The MD5 of the key blob, colon-separated, as IAM (and ``ssh-keygen -E md5``) show it;
    raises ``InvalidPublicKey`` for anything that is no OpenSSH public key."""
    parts = body.strip().split()
    try:
        serialization.load_ssh_public_key(body.strip().encode())
        blob = base64.b64decode(parts[1], validate=True)
    except (ValueError, IndexError, TypeError):
        raise InvalidPublicKey(
            "The request was rejected because the public key is malformed or otherwise invalid."
        ) from None
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def ssh_key_as_pem(body: str) -> str:
    key = serialization.load_ssh_public_key(body.strip().encode())
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def _check_certificate(body: str) -> None:
    try:
        x509.load_pem_x509_certificate(body.strip().encode())
    except ValueError:
        raise MalformedCertificate(f"Certificate {body} is malformed.") from None


class UserCredentials:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    # -- SSH public keys -------------------------------------------------------------
    def ssh_keys(self, account: str, user_name: str) -> list[SshPublicKey]:
        user = self._state.user(account, user_name)
        keys = self._state.account(account).ssh_keys.values()
        return sorted((k for k in keys if k.user_name == user.name), key=lambda k: k.uploaded)

    def ssh_key(self, account: str, user_name: str, key_id: str) -> SshPublicKey:
        user = self._state.user(account, user_name)
        key = self._state.account(account).ssh_keys.get(key_id.lower())
        if key is None or key.user_name != user.name:
            raise NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")
        return key

    async def upload_ssh_key(self, account: str, user_name: str, body: str) -> SshPublicKey:
        self._state.user(account, user_name)
        fingerprint = ssh_fingerprint(body)
        async with self._state.lock:
            owned = self.ssh_keys(account, user_name)
            if any(k.fingerprint == fingerprint for k in owned):
                raise DuplicateSshKey(
                    "The request was rejected because the SSH public key is already "
                    "associated with the specified IAM user."
                )
            if len(owned) >= MAX_SSH_KEYS:
                raise LimitExceeded(f"Cannot exceed quota for PublicKeysPerUser: {MAX_SSH_KEYS}")
            key = SshPublicKey(
                account=account,
                name=new_unique_id(SSH_KEY_PREFIX),
                user_name=self._state.user(account, user_name).name,
                body=body,
                fingerprint=fingerprint,
                uploaded=self._state.clock(),
            )
            await self._state.commit([key])
        return key

    async def update_ssh_key(self, account: str, user_name: str, key_id: str, status: str) -> None:
        async with self._state.lock:
            key = self.ssh_key(account, user_name, key_id)
            await self._state.commit([replace(key, status=status)])

    async def delete_ssh_key(self, account: str, user_name: str, key_id: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.ssh_key(account, user_name, key_id)])

    # -- signing certificates --------------------------------------------------------
    def certificates(self, account: str, user_name: str) -> list[SigningCertificate]:
        user = self._state.user(account, user_name)
        certificates = self._state.account(account).signing.values()
        return sorted(
            (c for c in certificates if c.user_name == user.name), key=lambda c: c.uploaded
        )

    def certificate(self, account: str, user_name: str, cert_id: str) -> SigningCertificate:
        user = self._state.user(account, user_name)
        found = self._state.account(account).signing.get(cert_id.lower())
        if found is None or found.user_name != user.name:
            raise NoSuchEntity(f"The Certificate with id {cert_id} cannot be found.")
        return found

    async def upload_certificate(
        self, account: str, user_name: str, body: str
    ) -> SigningCertificate:
        self._state.user(account, user_name)
        _check_certificate(body)
        async with self._state.lock:
            owned = self.certificates(account, user_name)
            if any(c.body.strip() == body.strip() for c in owned):
                raise DuplicateCertificate(
                    "The request was rejected because the same certificate is associated "
                    "with an IAM user in the account."
                )
            if len(owned) >= MAX_SIGNING_CERTIFICATES:
                raise LimitExceeded(
                    f"Cannot exceed quota for CertificatesPerUser: {MAX_SIGNING_CERTIFICATES}"
                )
            certificate = SigningCertificate(
                account=account,
                name=new_certificate_id(),
                user_name=self._state.user(account, user_name).name,
                body=body,
                uploaded=self._state.clock(),
            )
            await self._state.commit([certificate])
        return certificate

    async def update_certificate(
        self, account: str, user_name: str, cert_id: str, status: str
    ) -> None:
        async with self._state.lock:
            found = self.certificate(account, user_name, cert_id)
            await self._state.commit([replace(found, status=status)])

    async def delete_certificate(self, account: str, user_name: str, cert_id: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.certificate(account, user_name, cert_id)])

    # -- service-specific credentials ------------------------------------------------
    def service_credentials(
        self, account: str, user_name: str | None, service: str | None = None
    ) -> list[ServiceCredential]:
        """A user's credentials (every user's when ``user_name`` is None)."""
        owner = self._state.user(account, user_name).name if user_name is not None else None
        found = self._state.account(account).service_credentials.values()
        return sorted(
            (
                c
                for c in found
                if (owner is None or c.user_name == owner)
                and (service is None or c.service == service)
            ),
            key=lambda c: c.created,
        )

    def service_credential(
        self, account: str, user_name: str, credential_id: str
    ) -> ServiceCredential:
        user = self._state.user(account, user_name)
        found = self._state.account(account).service_credentials.get(credential_id.lower())
        if found is None or found.user_name != user.name:
            raise NoSuchEntity(
                f"The Service Specific Credential with id {credential_id} cannot be found."
            )
        return found

    @staticmethod
    def _secret(service: str) -> str:
        if service in API_KEY_SERVICES:
            return "ABSK" + base64.b64encode(secrets.token_bytes(96)).decode()
        return base64.b64encode(secrets.token_bytes(33)).decode()

    async def create_service_credential(
        self, account: str, user_name: str, service: str, *, age_days: int | None = None
    ) -> IssuedCredential:
        if service not in SERVICES:
            raise ServiceNotSupported(
                "The specified service does not support service-specific credentials."
            )
        async with self._state.lock:
            user = self._state.user(account, user_name)
            if len(self.service_credentials(account, user.name, service)) >= (
                MAX_SERVICE_CREDENTIALS
            ):
                raise LimitExceeded(
                    "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: "
                    f"{MAX_SERVICE_CREDENTIALS}"
                )
            now = self._state.clock()
            credential = ServiceCredential(
                account=account,
                name=new_unique_id(SERVICE_CREDENTIAL_PREFIX),
                user_name=user.name,
                service=service,
                service_user_name=f"{user.name}-at-{account}",
                created=now,
                expires=now + age_days * 86400 if age_days is not None else None,
            )
            await self._state.commit([credential])
        return IssuedCredential(credential, self._secret(service))

    async def reset_service_credential(
        self, account: str, user_name: str, credential_id: str
    ) -> IssuedCredential:
        credential = self.service_credential(account, user_name, credential_id)
        return IssuedCredential(credential, self._secret(credential.service))

    async def update_service_credential(
        self, account: str, user_name: str, credential_id: str, status: str
    ) -> None:
        async with self._state.lock:
            found = self.service_credential(account, user_name, credential_id)
            await self._state.commit([replace(found, status=status)])

    async def delete_service_credential(
        self, account: str, user_name: str, credential_id: str
    ) -> None:
        async with self._state.lock:
            found = self.service_credential(account, user_name, credential_id)
            await self._state.commit(deletes=[found])
