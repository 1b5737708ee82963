"""OpenID Connect providers: the IdPs roles trust for AssumeRoleWithWebIdentity.

Stored as IAM stores them (URL, audiences, thumbprints, tags); like every policy here they
are not enforced: AssumeRoleWithWebIdentity accepts any well-formed token whether or not
its issuer is registered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from stratus.services.identity.errors import (
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
)
from stratus.services.identity.models import OidcProvider
from stratus.services.identity.names import check_length
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["OidcProviders"]

MAX_CLIENT_IDS = 100
MAX_THUMBPRINTS = 5


def _thumbprints(values: Sequence[str]) -> list[str]:
    if len(values) > MAX_THUMBPRINTS:
        raise LimitExceeded(
            f"Cannot exceed quota for ThumbprintsPerOpenIdConnectProvider: {MAX_THUMBPRINTS}"
        )
    for value in values:
        check_length(value, "thumbprintList.member", 40, 40)
    return list(values)


class OidcProviders:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def create(
        self,
        account: str,
        url: str,
        *,
        client_ids: Sequence[str] = (),
        thumbprints: Sequence[str] = (),
        tags: Iterable[tuple[str, str]] = (),
    ) -> OidcProvider:
        check_length(url, "url", 1, 255)
        if not url.startswith("https://") or "?" in url or len(url) == len("https://"):
            raise InvalidInput(f"Invalid URL: {url}")
        if len(client_ids) > MAX_CLIENT_IDS:
            raise LimitExceeded(
                f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
            )
        for client_id in client_ids:
            check_length(client_id, "clientIDList.member", 1, 255)
        name = url.removeprefix("https://").rstrip("/")
        tag_map = merge_tags({}, tags)
        async with self._state.lock:
            if name.lower() in self._state.account(account).oidc:
                raise EntityAlreadyExists(f"Provider with url {url} already exists.")
            provider = OidcProvider(
                account=account,
                name=name,
                client_ids=list(dict.fromkeys(client_ids)),
                thumbprints=_thumbprints(thumbprints),
                created=self._state.clock(),
                tags=tag_map,
            )
            await self._state.commit([provider])
        return provider

    def get(self, account: str, arn: str) -> OidcProvider:
        prefix = f"arn:aws:iam::{account}:oidc-provider/"
        found = None
        if arn.startswith(prefix):
            found = self._state.account(account).oidc.get(arn.removeprefix(prefix).lower())
        if found is None:
            raise NoSuchEntity(f"OpenIDConnect Provider not found for arn {arn}")
        return found

    def all(self, account: str) -> list[OidcProvider]:
        return sorted(self._state.account(account).oidc.values(), key=lambda p: p.arn)

    async def delete(self, account: str, arn: str) -> None:
        async with self._state.lock:
            await self._state.commit(deletes=[self.get(account, arn)])

    async def add_client_id(self, account: str, arn: str, client_id: str) -> None:
        check_length(client_id, "clientID", 1, 255)
        async with self._state.lock:
            provider = self.get(account, arn)
            if client_id not in provider.client_ids:
                if len(provider.client_ids) >= MAX_CLIENT_IDS:
                    raise LimitExceeded(
                        f"Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: {MAX_CLIENT_IDS}"
                    )
                ids = [*provider.client_ids, client_id]
                await self._state.commit([replace(provider, client_ids=ids)])

    async def remove_client_id(self, account: str, arn: str, client_id: str) -> None:
        async with self._state.lock:
            provider = self.get(account, arn)
            ids = [c for c in provider.client_ids if c != client_id]
            await self._state.commit([replace(provider, client_ids=ids)])

    async def update_thumbprints(self, account: str, arn: str, thumbprints: Sequence[str]) -> None:
        checked = _thumbprints(thumbprints)
        async with self._state.lock:
            provider = self.get(account, arn)
            await self._state.commit([replace(provider, thumbprints=checked)])

    async def tag(self, account: str, arn: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            provider = self.get(account, arn)
            await self._state.commit([replace(provider, tags=merge_tags(provider.tags, tags))])

    async def untag(self, account: str, arn: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            provider = self.get(account, arn)
            await self._state.commit([replace(provider, tags=remove_tags(provider.tags, keys))])
