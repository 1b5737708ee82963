"""VPC links of REST APIs (API Gateway v1): account-wide records, each a document in the store.

A VPC link has no network behind it on one machine: it is AVAILABLE as soon as it is
created, and ``connectionType: VPC_LINK`` integrations are kept but not routed through it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stratus.services.apis.client_certificates import patch_error
from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import to_json
from stratus.services.apis.sqlite import SQLiteApiStore

__all__ = ["VpcLink", "VpcLinks"]

LINKS = "vpclink"
AVAILABLE_MESSAGE = "Your vpc link is ready for use"


@dataclass(slots=True)
class VpcLink:
    id: str
    account: str
    name: str
    target_arns: list[str]
    description: str | None = None
    status: str = "AVAILABLE"
    status_message: str = AVAILABLE_MESSAGE
    tags: dict[str, str] = field(default_factory=dict)


class VpcLinks:
    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._links: dict[str, VpcLink] = {}

    async def load(self) -> None:
        for data in await self._store.load(LINKS):
            link = VpcLink(**data)
            self._links[link.id] = link

    def get(self, account: str, link_id: str) -> VpcLink:
        link = self._links.get(link_id)
        if link is None or link.account != account:
            raise NotFound("Invalid VPC link identifier specified")
        return link

    def in_account(self, account: str) -> list[VpcLink]:
        return [link for link in self._links.values() if link.account == account]

    async def create(
        self,
        account: str,
        name: str,
        target_arns: list[str],
        description: str | None,
        tags: dict[str, str] | None,
    ) -> VpcLink:
        """A link to one network load balancer (API Gateway takes exactly one ARN)."""
        if len(target_arns) != 1:
            raise BadRequest("A VPC link must target exactly one network load balancer")
        arn = target_arns[0]
        if not arn.startswith("arn:") or ":elasticloadbalancing:" not in arn:
            raise BadRequest(f"Invalid network load balancer ARN: {arn}")
        link = VpcLink(new_id(6), account, name, [arn], description, tags=dict(tags or {}))
        await self._store.put(LINKS, link.id, to_json(link))
        self._links[link.id] = link
        return link

    async def update(self, account: str, link_id: str, patch: list[dict[str, Any]]) -> VpcLink:
        link = self.get(account, link_id)
        name, description = link.name, link.description
        for operation in patch:
            op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
            if path == "/name" and op == "replace" and value:
                name = str(value)
            elif path == "/description" and op in ("replace", "add", "remove"):
                description = None if op == "remove" else value
            else:
                raise patch_error(operation, "/name, /description")
        link.name, link.description = name, description
        await self._store.put(LINKS, link.id, to_json(link))
        return link

    async def changed(self, link: VpcLink) -> None:
        """Store a record another module changed (its tags)."""
        await self._store.put(LINKS, link.id, to_json(link))

    async def delete(self, account: str, link_id: str) -> None:
        self.get(account, link_id)
        await self._store.delete(LINKS, link_id)
        del self._links[link_id]
