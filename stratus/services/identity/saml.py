"""SAML 2.0 identity providers: the IdPs roles trust for AssumeRoleWithSAML.

The metadata document is checked as IAM checks it: well-formed XML whose root is a SAML
metadata ``EntityDescriptor``; ``ValidUntil`` is the document's ``validUntil`` (IAM's
default when it has none is far in the future: 100 years here). Stored, not consulted:
Stratus does not serve AssumeRoleWithSAML.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from xml.etree import ElementTree

from stratus.services.identity.errors import (
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from stratus.services.identity.models import SamlProvider
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["SamlProviders"]

MAX_SAML_PROVIDERS = 100
_METADATA_NS = "urn:oasis:names:tc:SAML:2.0:metadata"
_HUNDRED_YEARS_S = 100 * 365.25 * 86400
_UUID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _valid_until(document: str, now: float) -> float:
    """Check the metadata; its ``validUntil`` (epoch seconds), or 100 years from now."""
    unparsable = InvalidInput("Could not parse metadata")
    if "<!DOCTYPE" in document or "<!ENTITY" in document:
        raise unparsable  # no DTDs: entity expansion is no metadata's business
    try:
        root = ElementTree.fromstring(document)
    except ElementTree.ParseError:
        raise unparsable from None
    if root.tag not in (
        f"{{{_METADATA_NS}}}EntityDescriptor",
        f"{{{_METADATA_NS}}}EntitiesDescriptor",
    ):
        raise unparsable
    stamp = root.get("validUntil")
    if stamp is None:
        return now + _HUNDRED_YEARS_S
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise unparsable from None


class SamlProviders:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    def get(self, account: str, arn: str) -> SamlProvider:
        prefix = f"arn:aws:iam::{account}:saml-provider/"
        found = None
        if arn.startswith(prefix):
            found = self._state.account(account).saml.get(arn.removeprefix(prefix).lower())
        if found is None:
            raise NoSuchEntity(f"Manifest not found for arn {arn}")
        return found

    def all(self, account: str) -> list[SamlProvider]:
        return sorted(self._state.account(account).saml.values(), key=lambda p: p.name.lower())

    async def create(
        self,
        account: str,
        name: str,
        metadata: str,
        *,
        encryption_mode: str | None = None,
        tags: Iterable[tuple[str, str]] = (),
    ) -> SamlProvider:
        tag_map = merge_tags({}, tags)
        now = self._state.clock()
        valid_until = await asyncio.to_thread(_valid_until, metadata, now)
        async with self._state.lock:
            providers = self._state.account(account).saml
            if name.lower() in providers:
                raise EntityAlreadyExists(f"SAMLProvider {name} already exists")
            if len(providers) >= MAX_SAML_PROVIDERS:
                raise LimitExceeded(
                    f"Cannot exceed quota for SamlProvidersPerAccount: {MAX_SAML_PROVIDERS}"
                )
            provider = SamlProvider(
                account=account,
                name=name,
                uuid="".join(secrets.choice(_UUID_ALPHABET) for _ in range(26)),
                metadata=metadata,
                created=now,
                valid_until=valid_until,
                encryption_mode=encryption_mode or "Allowed",
                tags=tag_map,
            )
            await self._state.commit([provider])
        return provider

    async def update(
        self,
        account: str,
        arn: str,
        *,
        metadata: str | None = None,
        encryption_mode: str | None = None,
    ) -> SamlProvider:
        self.get(account, arn)
        valid_until = None
        if metadata is not None:
            valid_until = await asyncio.to_thread(_valid_until, metadata, self._state.clock())
        async with self._state.lock:
            provider = self.get(account, arn)
            if metadata is not None and valid_until is not None:
                provider = replace(provider, metadata=metadata, valid_until=valid_until)
            if encryption_mode is not None:
                provider = replace(provider, encryption_mode=encryption_mode)
            await self._state.commit([provider])
        return provider

    async def delete(self, account: str, arn: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.get(account, arn)])

    async def tag(self, account: str, arn: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            provider = self.get(account, arn)
            await self._state.commit([replace(provider, tags=merge_tags(provider.tags, tags))])

    async def untag(self, account: str, arn: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            provider = self.get(account, arn)
            await self._state.commit([replace(provider, tags=remove_tags(provider.tags, keys))])
