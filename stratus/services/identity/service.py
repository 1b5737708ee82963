"""The identity service: one object holding IAM's parts and STS, built on one state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from stratus.services.identity.aliases import AccountAliases
from stratus.services.identity.mfa import MfaDevices
from stratus.services.identity.oidc import OidcProviders
from stratus.services.identity.passwords import Passwords
from stratus.services.identity.policies import Policies
from stratus.services.identity.repository import IdentityRepository
from stratus.services.identity.roles import Roles
from stratus.services.identity.saml import SamlProviders
from stratus.services.identity.server_certificates import ServerCertificates
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tokens import SecurityTokens
from stratus.services.identity.user_credentials import UserCredentials
from stratus.services.identity.users import KeyListener, Users

__all__ = ["IdentityService"]

REAP_INTERVAL_S = 60.0


class IdentityService:
    def __init__(
        self,
        repository: IdentityRepository,
        keys: KeyListener,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = IdentityState(repository, clock)
        self.roles = Roles(self.state)
        self.users = Users(self.state, keys)
        self.policies = Policies(self.state)
        self.oidc = OidcProviders(self.state)
        self.passwords = Passwords(self.state)
        self.aliases = AccountAliases(self.state)
        self.credentials = UserCredentials(self.state)
        self.server_certificates = ServerCertificates(self.state)
        self.saml = SamlProviders(self.state)
        self.mfa = MfaDevices(self.state)
        self.tokens = SecurityTokens(self.state, self.roles, keys)

    def signing_secret(self, access_key: str) -> str | None:
        """The secret a request signed with ``access_key`` used: an STS session's or an
        active IAM user key's (None: a key Stratus never issued, so nothing to verify)."""
        session = self.state.sessions.get(access_key)
        if session is not None:
            return session.secret
        key = self.state.access_keys.get(access_key)
        return key.secret if key is not None and key.status == "Active" else None

    async def load(self) -> None:
        """Read the store; every stored key acts as its account again (survives restarts)."""
        await self.state.load()
        self.tokens.register_loaded()

    async def run_reaper(self, interval_s: float = REAP_INTERVAL_S) -> None:
        """Delete expired sessions, now and then every ``interval_s``; runs until cancelled."""
        while True:
            await self.tokens.reap()
            await asyncio.sleep(interval_s)
