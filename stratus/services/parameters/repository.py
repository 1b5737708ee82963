"""What the parameter store needs from persistence."""

from __future__ import annotations

from typing import Protocol

from stratus.services.parameters.model import Parameter


class ParametersRepository(Protocol):
    async def load(self) -> list[Parameter]: ...
    async def put(self, parameter: Parameter) -> None:
        """The parameter with all its versions, replacing what was stored under its name."""
        ...

    async def delete(self, account: str, region: str, names: list[str]) -> None: ...
