"""Credentials a user holds besides access keys: SSH public keys and signing certificates.

Both are parsed (``cryptography``) so a malformed one is refused as IAM refuses it, and
stored as uploaded; neither is used to authenticate anything here. Quotas are IAM's: five
SSH keys and two signing certificates per user.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from stratus.services.identity.errors import (
    DuplicateCertificate,
    DuplicateSshKey,
    InvalidPublicKey,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
)
from stratus.services.identity.ids import new_certificate_id, new_unique_id
from stratus.services.identity.models import SigningCertificate, SshPublicKey
from stratus.services.identity.state import IdentityState

__all__ = ["UserCredentials", "ssh_fingerprint"]

MAX_SSH_KEYS = 5
MAX_SIGNING_CERTIFICATES = 2
SSH_KEY_PREFIX = "APKA"


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
