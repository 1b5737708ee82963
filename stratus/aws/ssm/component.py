"""The parameters component: SSM Parameter Store over the parameters service."""

from __future__ import annotations

from collections.abc import Mapping

from stratus.aws.component import Component, PlatformContext
from stratus.aws.ssm.provider import SsmProvider
from stratus.services.parameters.service import ParametersService
from stratus.services.parameters.sqlite import MIGRATIONS, SQLiteParametersRepository

__all__ = ["ParametersComponent"]


class ParametersComponent(Component):
    name = "parameters"
    migrations = MIGRATIONS

    def __init__(self, ctx: PlatformContext) -> None:
        super().__init__(ctx)
        self.parameters = ParametersService(SQLiteParametersRepository(ctx.db))
        self._provider = SsmProvider(self.parameters)

    def providers(self) -> Mapping[str, object]:
        return {"ssm": self._provider}

    async def start(self) -> None:
        await self.parameters.load()
