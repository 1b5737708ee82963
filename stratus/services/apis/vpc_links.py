"""VPC links of HTTP APIs (API Gateway v2): records an integration with ConnectionType
``VPC_LINK`` names by its ``ConnectionId``.

On AWS a VPC link puts elastic network interfaces in the given subnets so private
integrations reach a load balancer or Cloud Map service. Stratus has no VPCs: a link is
its record, ready at once (``AVAILABLE``, where AWS passes through ``PENDING`` for a few
minutes), kept whole as one document of the APIs' store so it survives a restart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.http_apis import check_tags
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import from_json, to_json
from stratus.services.apis.sqlite import SQLiteApiStore

KIND = "v2-vpclink"
AVAILABLE_MESSAGE = "VPC link is ready to route traffic"
MAX_SUBNETS = 10  # API Gateway's quota of subnets in one VPC link (HTTP APIs)


@dataclass(slots=True)
class VpcLink:
    vpc_link_id: str
    account: str
    region: str
    name: str
    created_date: float
    subnet_ids: list[str] = field(default_factory=list)
    security_group_ids: list[str] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    vpc_link_status: str = "AVAILABLE"
    vpc_link_status_message: str = AVAILABLE_MESSAGE
    vpc_link_version: str = "V2"


class VpcLinks:
    """CreateVpcLink ... DeleteVpcLink, served from memory, written before answering."""

    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        self._links: dict[str, VpcLink] = {}

    async def load(self) -> None:
        for data in await self._store.load(KIND):
            link = from_json(VpcLink, data)
            self._links[link.vpc_link_id] = link

    def get(self, account: str, vpc_link_id: str) -> VpcLink:
        link = self._links.get(vpc_link_id)
        if link is None or link.account != account:
            raise NotFound(f"Invalid VpcLink identifier specified {account}:{vpc_link_id}")
        return link

    def exists(self, account: str, vpc_link_id: str) -> bool:
        link = self._links.get(vpc_link_id)
        return link is not None and link.account == account

    def in_account(self, account: str) -> list[VpcLink]:
        return [link for link in self._links.values() if link.account == account]

    async def create(
        self,
        account: str,
        region: str,
        name: str,
        subnet_ids: list[str],
        security_group_ids: list[str] | None,
        tags: dict[str, str] | None,
    ) -> VpcLink:
        _check(name, subnet_ids)
        check_tags(tags)
        vpc_link_id = new_id(6)
        while vpc_link_id in self._links:
            vpc_link_id = new_id(6)
        link = VpcLink(
            vpc_link_id=vpc_link_id,
            account=account,
            region=region,
            name=name,
            created_date=time.time(),
            subnet_ids=list(subnet_ids),
            security_group_ids=list(security_group_ids or []),
            tags=dict(tags or {}),
        )
        await self._store.put(KIND, vpc_link_id, to_json(link))
        self._links[vpc_link_id] = link
        return link

    async def update(self, account: str, vpc_link_id: str, name: str | None) -> VpcLink:
        """UpdateVpcLink: only the name changes (subnets and security groups are fixed)."""
        link = self.get(account, vpc_link_id)
        if name is not None:
            _check(name, link.subnet_ids)
            changed = VpcLink(**{**to_json(link), "name": name})
            await self._store.put(KIND, vpc_link_id, to_json(changed))
            self._links[vpc_link_id] = changed
            return changed
        return link

    async def tag(
        self, account: str, vpc_link_id: str, added: dict[str, str], removed: list[str]
    ) -> None:
        link = self.get(account, vpc_link_id)
        tags = {k: v for k, v in link.tags.items() if k not in set(removed)}
        tags.update(added)
        check_tags(tags)
        changed = VpcLink(**{**to_json(link), "tags": tags})
        await self._store.put(KIND, vpc_link_id, to_json(changed))
        self._links[vpc_link_id] = changed

    async def delete(self, account: str, vpc_link_id: str) -> None:
        link = self.get(account, vpc_link_id)
        await self._store.delete(KIND, link.vpc_link_id)
        del self._links[link.vpc_link_id]


def _check(name: str, subnet_ids: list[str]) -> None:
    """What the model cannot say: a name of 1 to 128 characters, 1 to 10 subnets."""
    if not 1 <= len(name) <= 128:
        raise BadRequest("Invalid VPC link name: it must be between 1 and 128 characters.")
    if not subnet_ids:
        raise BadRequest("At least one subnet ID must be specified.")
    if len(subnet_ids) > MAX_SUBNETS:
        raise BadRequest(f"A VPC link can have at most {MAX_SUBNETS} subnets.")
