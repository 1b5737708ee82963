"""The identity component: IAM and STS over one identity service and its tables.

Its ``start`` loads every stored record and registers every issued key (IAM users' and
live STS sessions') with the platform's ``Accounts``, so credentials survive a restart;
its one background task deletes expired sessions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stratus.aws.component import BackgroundTask, Component, PlatformContext
from stratus.aws.iam.provider import IamProvider
from stratus.aws.sts.provider import StsProvider
from stratus.services.identity.service import IdentityService
from stratus.services.identity.sqlite import MIGRATIONS, SQLiteIdentityRepository

__all__ = ["IdentityComponent"]


class IdentityComponent(Component):
    name = "identity"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.identity = IdentityService(SQLiteIdentityRepository(ctx.db), ctx.accounts)

    def providers(self) -> Mapping[str, object]:
        return {
            "iam": IamProvider(self.identity),
            "sts": StsProvider(self.identity, self.ctx.accounts),
        }

    async def start(self) -> None:
        await self.identity.load()

    def background(self) -> Iterable[BackgroundTask]:
        return [BackgroundTask("identity-session-reaper", self.identity.run_reaper)]
