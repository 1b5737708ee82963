"""Client certificates of API Gateway (v1): account-wide records, each a document in the
store.

A client certificate is a real self-signed X.509 certificate (RSA 2048, SHA-256, valid
365 days, as API Gateway's are), made with ``cryptography`` (installed with PyJWT's
``crypto`` extra); only its PEM is kept, as API Gateway hands out only that. Stratus's
HTTP integrations do not present it to backends.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import to_json
from stratus.services.apis.sqlite import SQLiteApiStore

__all__ = ["ClientCertificate", "ClientCertificates", "patch_error"]

CERTIFICATES = "clientcert"
VALID_DAYS = 365


@dataclass(slots=True)
class ClientCertificate:
    id: str
    account: str
    pem_encoded_certificate: str
    created_date: float
    expiration_date: float
    description: str | None = None
    tags: dict[str, str] = field(default_factory=dict)


def _self_signed(common_name: str, now: float) -> tuple[str, float]:
    """A self-signed certificate's PEM and its expiry (epoch seconds). CPU work (an RSA
    key): callers run it off the event loop."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.fromtimestamp(int(now), dt.UTC)
    end = start + dt.timedelta(days=VALID_DAYS)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return pem, end.timestamp()


def patch_error(operation: dict[str, Any], allowed: str) -> BadRequest:
    return BadRequest(
        f"Invalid patch path '{operation.get('path')}' specified for op "
        f"'{operation.get('op')}'. Must be one of: [{allowed}]"
    )


class ClientCertificates:
    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._certificates: dict[str, ClientCertificate] = {}

    async def load(self) -> None:
        for data in await self._store.load(CERTIFICATES):
            certificate = ClientCertificate(**data)
            self._certificates[certificate.id] = certificate

    def get(self, account: str, certificate_id: str) -> ClientCertificate:
        certificate = self._certificates.get(certificate_id)
        if certificate is None or certificate.account != account:
            raise NotFound("Invalid Client Certificate identifier specified")
        return certificate

    def in_account(self, account: str) -> list[ClientCertificate]:
        return [c for c in self._certificates.values() if c.account == account]

    async def generate(
        self, account: str, description: str | None, tags: dict[str, str] | None
    ) -> ClientCertificate:
        certificate_id = new_id(6)
        now = time.time()
        pem, expires = await asyncio.to_thread(_self_signed, certificate_id, now)
        certificate = ClientCertificate(
            certificate_id, account, pem, now, expires, description, dict(tags or {})
        )
        await self._store.put(CERTIFICATES, certificate.id, to_json(certificate))
        self._certificates[certificate.id] = certificate
        return certificate

    async def update(
        self, account: str, certificate_id: str, patch: list[dict[str, Any]]
    ) -> ClientCertificate:
        certificate = self.get(account, certificate_id)
        description = certificate.description
        for operation in patch:
            if operation.get("path") != "/description" or operation.get("op") not in (
                "replace",
                "add",
                "remove",
            ):
                raise patch_error(operation, "/description")
            description = None if operation.get("op") == "remove" else operation.get("value")
        certificate.description = description
        await self._store.put(CERTIFICATES, certificate.id, to_json(certificate))
        return certificate

    async def changed(self, certificate: ClientCertificate) -> None:
        """Store a record another module changed (its tags)."""
        await self._store.put(CERTIFICATES, certificate.id, to_json(certificate))

    async def delete(self, account: str, certificate_id: str) -> None:
        self.get(account, certificate_id)
        await self._store.delete(CERTIFICATES, certificate_id)
        del self._certificates[certificate_id]
