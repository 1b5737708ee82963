"""What REST APIs' ``AWS`` integrations need from the layer that speaks AWS's protocols:
one call of one of our own services, described as API Gateway's integration describes it
(the URI, the method, the body and headers the templates made), answered as the service
answered. ``aws/apigateway/integration_calls.py`` implements it; the gateway knows no
AWS wire format."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class UnsupportedUri(ValueError):
    """An integration URI that names no call we can make."""


@dataclass(frozen=True, slots=True)
class AwsAnswer:
    status: int
    headers: dict[str, str]  # names lowercased
    body: bytes


class AwsIntegrationCalls(Protocol):
    async def call(
        self,
        uri: str,
        http_method: str,
        body: bytes,
        headers: dict[str, str],
        query: list[tuple[str, str]],
        account: str,
    ) -> AwsAnswer | None:
        """The service's answer (JSON where API Gateway asks a query-protocol service
        for JSON); ``None`` when no service answers. Raises UnsupportedUri."""
        ...
