"""Global endpoints: a name, two buses (one per Region), a failover route and a replication
setting, kept as records.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-global-endpoints.html

An endpoint is stored and answered with AWS's shapes; a server is one Region, so nothing
fails over and nothing is replicated: an endpoint is ``ACTIVE`` from its creation (AWS
passes through ``CREATING``). ``ReplicationConfig`` defaults to ``ENABLED``, which needs a
``RoleArn``, as AWS documents. The ``EndpointId`` is the URL's subdomain (``abcde.veo``
in AWS's example), ``EndpointUrl`` the AWS-shaped URL that names it.
"""

from __future__ import annotations

import secrets
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stratus.services.events.errors import AlreadyExists, Invalid, NotFound
from stratus.services.events.repository import EventsRepository
from stratus.services.scope import Scope

__all__ = ["Endpoint", "Endpoints"]

KIND = "endpoint"
_ID_LETTERS = string.ascii_lowercase + string.digits


def _new_id() -> str:
    def part(length: int) -> str:
        return "".join(secrets.choice(_ID_LETTERS) for _ in range(length))

    return f"{part(10)}.{part(3)}"


@dataclass(slots=True)
class Endpoint:
    name: str
    arn: str
    endpoint_id: str
    routing: dict[str, Any]
    buses: list[dict[str, str]]
    replication: dict[str, str] = field(default_factory=lambda: {"State": "ENABLED"})
    role_arn: str | None = None
    description: str | None = None
    created: float = 0.0
    modified: float = 0.0
    state: str = "ACTIVE"

    @property
    def url(self) -> str:
        return f"https://{self.endpoint_id}.endpoint.events.amazonaws.com"

    def to_document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "id": self.endpoint_id,
            "routing": self.routing,
            "buses": self.buses,
            "replication": self.replication,
            "role": self.role_arn,
            "description": self.description,
            "created": self.created,
            "modified": self.modified,
        }

    @classmethod
    def from_document(cls, doc: dict[str, Any]) -> Endpoint:
        return cls(
            doc["name"],
            doc["arn"],
            doc["id"],
            dict(doc["routing"]),
            list(doc["buses"]),
            dict(doc.get("replication") or {"State": "ENABLED"}),
            doc.get("role"),
            doc.get("description"),
            doc.get("created", 0.0),
            doc.get("modified", 0.0),
        )


def _check(endpoint: Endpoint) -> None:
    """What the model cannot say: replication needs a role; the two buses share a name."""
    if endpoint.replication.get("State") == "ENABLED" and not endpoint.role_arn:
        raise Invalid(
            "Parameter RoleArn must be specified when ReplicationConfig State is ENABLED."
        )
    names = {bus["EventBusArn"].rsplit("event-bus/", 1)[-1] for bus in endpoint.buses}
    if len(names) != 1:
        raise Invalid("Parameter EventBuses is not valid. Reason: event bus names must match.")


class Endpoints:
    def __init__(
        self, repository: EventsRepository, clock: Callable[[], float] = time.time
    ) -> None:
        self._repository = repository
        self._clock = clock
        self.endpoints: dict[str, Endpoint] = {}  # by ARN

    def load(self, documents: list[dict[str, Any]]) -> None:
        for doc in documents:
            endpoint = Endpoint.from_document(doc)
            self.endpoints[endpoint.arn] = endpoint

    @staticmethod
    def arn(scope: Scope, name: str) -> str:
        return f"arn:aws:events:{scope.region}:{scope.account}:endpoint/{name}"

    def endpoint(self, scope: Scope, name: str) -> Endpoint:
        found = self.endpoints.get(self.arn(scope, name))
        if found is None:
            raise NotFound(f"Endpoint {name} does not exist.")
        return found

    async def create(self, scope: Scope, params: dict[str, Any]) -> Endpoint:
        name = params["Name"]
        arn = self.arn(scope, name)
        if arn in self.endpoints:
            raise AlreadyExists(f"Endpoint {name} already exists.")
        now = self._clock()
        endpoint = Endpoint(
            name,
            arn,
            _new_id(),
            params["RoutingConfig"],
            list(params["EventBuses"]),
            dict(params.get("ReplicationConfig") or {"State": "ENABLED"}),
            params.get("RoleArn"),
            params.get("Description"),
            now,
            now,
        )
        _check(endpoint)
        await self._repository.put_record(KIND, arn, endpoint.to_document())
        self.endpoints[arn] = endpoint
        return endpoint

    async def update(self, scope: Scope, params: dict[str, Any]) -> Endpoint:
        """The members given replace the endpoint's; checked whole before it is stored."""
        current = self.endpoint(scope, params["Name"])
        updated = Endpoint.from_document(current.to_document())
        if "RoutingConfig" in params:
            updated.routing = params["RoutingConfig"]
        if "EventBuses" in params:
            updated.buses = list(params["EventBuses"])
        if "ReplicationConfig" in params:
            updated.replication = dict(params["ReplicationConfig"])
        if "RoleArn" in params:
            updated.role_arn = params["RoleArn"]
        if "Description" in params:
            updated.description = params["Description"]
        updated.modified = self._clock()
        _check(updated)
        await self._repository.put_record(KIND, updated.arn, updated.to_document())
        self.endpoints[updated.arn] = updated
        return updated

    async def delete(self, scope: Scope, name: str) -> None:
        endpoint = self.endpoint(scope, name)
        await self._repository.delete_record(endpoint.arn)
        del self.endpoints[endpoint.arn]

    def listing(self, scope: Scope, prefix: str | None) -> list[Endpoint]:
        return sorted(
            (
                e
                for e in self.endpoints.values()
                if scope.owns(e.arn) and e.name.startswith(prefix or "")
            ),
            key=lambda e: e.name,
        )
