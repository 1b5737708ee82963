"""API destinations: an HTTP endpoint, a method, a connection and a rate, as rule targets.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html

An API destination is ACTIVE while its connection is authorized and INACTIVE otherwise
(its state follows the connection's, computed when asked). ``InvocationRateLimitPerSecond``
defaults to 300, AWS's default. AWS requires an HTTPS endpoint; Stratus, which runs on a
laptop, also takes ``http://`` URLs (a local receiver).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stratus.services.events.connections import Connection, Connections
from stratus.services.events.errors import AlreadyExists, Invalid, NotFound
from stratus.services.scope import Scope

__all__ = ["ApiDestination", "ApiDestinations"]

KIND = "api-destination"
DEFAULT_RATE = 300


@dataclass(slots=True)
class ApiDestination:
    name: str
    arn: str
    connection_arn: str
    endpoint: str
    method: str
    rate: int = DEFAULT_RATE
    description: str | None = None
    created: float = 0.0
    modified: float = 0.0

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "connection": self.connection_arn,
            "endpoint": self.endpoint,
            "method": self.method,
            "rate": self.rate,
            "description": self.description,
            "created": self.created,
            "modified": self.modified,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> ApiDestination:
        return cls(
            doc["name"],
            doc["arn"],
            doc["connection"],
            doc["endpoint"],
            doc["method"],
            int(doc.get("rate") or DEFAULT_RATE),
            doc.get("description"),
            doc.get("created", 0.0),
            doc.get("modified", 0.0),
        )


def _check_endpoint(url: str) -> None:
    if not url.startswith(("https://", "http://")):
        raise Invalid(
            "Parameter InvocationEndpoint is not valid. Reason: it must be an HTTP(S) URL."
        )


class ApiDestinations:
    def __init__(
        self,
        store: Callable[[ApiDestination], Any],
        forget: Callable[[str], Any],
        connections: Connections,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._forget = forget
        self._connections = connections
        self._clock = clock
        self.destinations: dict[str, ApiDestination] = {}  # by ARN

    def load(self, documents: list[dict[str, Any]]) -> None:
        for doc in documents:
            destination = ApiDestination.from_document(doc)
            self.destinations[destination.arn] = destination

    def destination(self, scope: Scope, name: str) -> ApiDestination:
        for destination in self.destinations.values():
            if destination.name == name and scope.owns(destination.arn):
                return destination
        raise NotFound(
            f"Failed to describe the api-destination(s). An api-destination '{name}' does not exist."
        )

    def by_arn(self, arn: str) -> ApiDestination | None:
        return self.destinations.get(arn)

    def connection_of(self, destination: ApiDestination) -> Connection | None:
        return self._connections.by_arn(destination.connection_arn)

    def state(self, destination: ApiDestination) -> str:
        connection = self.connection_of(destination)
        return (
            "ACTIVE" if connection is not None and connection.state == "AUTHORIZED" else "INACTIVE"
        )

    def _connection(self, scope: Scope, arn: str) -> Connection:
        connection = self._connections.by_arn(arn)
        if connection is None or not scope.owns(arn):
            name = arn.split("connection/", 1)[-1].split("/", 1)[0]
            raise NotFound(f"Connection '{name}' does not exist.")
        return connection

    async def create(self, scope: Scope, params: dict[str, Any]) -> ApiDestination:
        name = params["Name"]
        if any(d.name == name and scope.owns(d.arn) for d in self.destinations.values()):
            raise AlreadyExists(f"An api-destination '{name}' already exists.")
        connection = self._connection(scope, params["ConnectionArn"])
        _check_endpoint(params["InvocationEndpoint"])
        now = self._clock()
        destination = ApiDestination(
            name,
            f"arn:aws:events:{scope.region}:{scope.account}:api-destination/{name}/{uuid.uuid4()}",
            connection.arn,
            params["InvocationEndpoint"],
            params["HttpMethod"],
            int(params.get("InvocationRateLimitPerSecond") or DEFAULT_RATE),
            params.get("Description"),
            now,
            now,
        )
        await self._store(destination)
        self.destinations[destination.arn] = destination
        return destination

    async def update(self, scope: Scope, params: dict[str, Any]) -> ApiDestination:
        destination = self.destination(scope, params["Name"])
        if params.get("ConnectionArn"):
            destination.connection_arn = self._connection(scope, params["ConnectionArn"]).arn
        if params.get("InvocationEndpoint"):
            _check_endpoint(params["InvocationEndpoint"])
            destination.endpoint = params["InvocationEndpoint"]
        if params.get("HttpMethod"):
            destination.method = params["HttpMethod"]
        if params.get("InvocationRateLimitPerSecond"):
            destination.rate = int(params["InvocationRateLimitPerSecond"])
        if "Description" in params:
            destination.description = params["Description"]
        destination.modified = self._clock()
        await self._store(destination)
        return destination

    async def delete(self, scope: Scope, name: str) -> None:
        destination = self.destination(scope, name)
        await self._forget(destination.arn)
        del self.destinations[destination.arn]

    def listing(
        self, scope: Scope, prefix: str | None, connection_arn: str | None
    ) -> list[ApiDestination]:
        return sorted(
            (
                d
                for d in self.destinations.values()
                if scope.owns(d.arn)
                and d.name.startswith(prefix or "")
                and (connection_arn is None or d.connection_arn == connection_arn)
            ),
            key=lambda d: d.name,
        )
