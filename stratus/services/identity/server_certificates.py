"""Server certificates: TLS certificates with their private keys, kept for load balancers.

Upload parses the certificate, the key and the chain as IAM does (PEM only) and checks
that the key is the certificate's; the expiration IAM reports is the certificate's
``notAfter``. Parsing keys is CPU work, so it runs off the event loop. The private key is stored and, as in IAM, never returned. Nothing here
serves TLS with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import replace

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from stratus.services.identity.errors import (
    EntityAlreadyExists,
    KeyPairMismatch,
    MalformedCertificate,
    NoSuchEntity,
)
from stratus.services.identity.ids import new_unique_id
from stratus.services.identity.models import ServerCertificate
from stratus.services.identity.names import check_path_prefix
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["ServerCertificates"]

SERVER_CERTIFICATE_PREFIX = "ASCA"
_PEM_ONLY = "Unable to parse certificate. Please ensure the certificate is in PEM format."


def _parse(body: str, private_key: str, chain: str | None) -> float:
    """The certificate's expiration (epoch seconds), once all three parts check out."""
    try:
        certificate = x509.load_pem_x509_certificate(body.strip().encode())
    except ValueError:
        raise MalformedCertificate(_PEM_ONLY) from None
    try:
        key = serialization.load_pem_private_key(private_key.strip().encode(), password=None)
    except (ValueError, TypeError):
        raise MalformedCertificate("Unable to parse private key.") from None
    if chain is not None:
        try:
            x509.load_pem_x509_certificates(chain.strip().encode())
        except ValueError:
            raise MalformedCertificate(
                "Unable to parse certificate chain. Please ensure the chain is in PEM format."
            ) from None
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, public) != certificate.public_key().public_bytes(
        der, public
    ):
        raise KeyPairMismatch("Public key certificate and private key doesn't match.")
    return certificate.not_valid_after_utc.timestamp()


class ServerCertificates:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    def get(self, account: str, name: str) -> ServerCertificate:
        found = self._state.account(account).server_certs.get(name.lower())
        if found is None:
            raise NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")
        return found

    def under(self, account: str, path_prefix: str | None = None) -> list[ServerCertificate]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        found = self._state.account(account).server_certs.values()
        return sorted(
            (c for c in found if c.path.startswith(path_prefix or "/")),
            key=lambda c: c.name.lower(),
        )

    async def upload(
        self,
        account: str,
        name: str,
        body: str,
        private_key: str,
        *,
        chain: str | None = None,
        path: str = "/",
        tags: Iterable[tuple[str, str]] = (),
    ) -> ServerCertificate:
        tag_map = merge_tags({}, tags)
        expiration = await asyncio.to_thread(_parse, body, private_key, chain)
        async with self._state.lock:
            if name.lower() in self._state.account(account).server_certs:
                raise EntityAlreadyExists(
                    f"The Server Certificate with name {name} already exists."
                )
            certificate = ServerCertificate(
                account=account,
                name=name,
                certificate_id=new_unique_id(SERVER_CERTIFICATE_PREFIX),
                path=path,
                body=body,
                private_key=private_key,
                chain=chain,
                expiration=expiration,
                uploaded=self._state.clock(),
                tags=tag_map,
            )
            await self._state.commit([certificate])
        return certificate

    async def update(
        self, account: str, name: str, *, new_name: str | None = None, new_path: str | None = None
    ) -> None:
        async with self._state.lock:
            found = self.get(account, name)
            renamed = new_name if new_name is not None else found.name
            if (
                renamed.lower() != found.name.lower()
                and renamed.lower() in self._state.account(account).server_certs
            ):
                raise EntityAlreadyExists(
                    f"The Server Certificate with name {renamed} already exists."
                )
            changed = replace(found, name=renamed, path=new_path or found.path)
            await self._state.commit([changed], deletes=[found])

    async def delete(self, account: str, name: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.get(account, name)])

    async def tag(self, account: str, name: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            found = self.get(account, name)
            await self._state.commit([replace(found, tags=merge_tags(found.tags, tags))])

    async def untag(self, account: str, name: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            found = self.get(account, name)
            await self._state.commit([replace(found, tags=remove_tags(found.tags, keys))])
