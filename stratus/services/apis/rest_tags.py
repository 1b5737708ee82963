"""Tags of REST API resources named by ARN (TagResource, UntagResource, GetTags):
``arn:aws:apigateway:{region}::/restapis/{id}``, ``.../restapis/{id}/stages/{name}``,
``.../apikeys/{id}``, ``.../usageplans/{id}``, ``.../clientcertificates/{id}`` and
``.../vpclinks/{id}``."""

from __future__ import annotations

import re

from stratus.services.apis.errors import BadRequest, NotFound
from stratus.services.apis.rest_apis import RestApis
from stratus.services.system_tags import counted, reserved

__all__ = ["RestTags"]

_ARN = re.compile(r"^arn:aws[a-z-]*:apigateway:[a-z0-9-]+::(/.+)$")
_MAX_TAGS = 50


class RestTags:
    def __init__(self, apis: RestApis) -> None:
        self._apis = apis

    def tags(self, account: str, arn: str) -> dict[str, str]:
        """The live tag map of the resource the ARN names (NotFound if none)."""
        match = _ARN.match(arn)
        if match is None:
            raise BadRequest(f"Invalid ARN specified in the request: {arn}")
        parts = [p for p in match.group(1).split("/") if p]
        if len(parts) == 2 and parts[0] == "restapis":
            return self._apis.get(account, parts[1]).tags
        if len(parts) == 4 and parts[0] == "restapis" and parts[2] == "stages":
            return self._apis.stage(self._apis.get(account, parts[1]), parts[3]).tags
        if len(parts) == 2 and parts[0] == "apikeys":
            return self._apis.api_key(account, parts[1]).tags
        if len(parts) == 2 and parts[0] == "usageplans":
            return self._apis.usage_plan(account, parts[1]).tags
        if len(parts) == 2 and parts[0] == "clientcertificates":
            return self._apis.certificates.get(account, parts[1]).tags
        if len(parts) == 2 and parts[0] == "vpclinks":
            return self._apis.vpc_links.get(account, parts[1]).tags
        raise NotFound(f"Invalid resource identifier specified: {arn}")

    async def tag(self, account: str, arn: str, tags: dict[str, str]) -> None:
        current = self.tags(account, arn)
        if counted({**current, **tags}) > _MAX_TAGS:
            raise BadRequest(f"A resource may have at most {_MAX_TAGS} tags")
        for key in tags:
            if reserved(key):
                raise BadRequest("Tag keys must not start with 'aws:'")
        current.update(tags)
        await self._save(account, arn)

    async def untag(self, account: str, arn: str, keys: list[str]) -> None:
        current = self.tags(account, arn)
        for key in keys:
            current.pop(key, None)
        await self._save(account, arn)

    async def _save(self, account: str, arn: str) -> None:
        parts = [p for p in arn.split("::", 1)[1].split("/") if p]
        if parts[0] == "restapis":
            await self._apis.changed(self._apis.get(account, parts[1]))
        elif parts[0] == "apikeys":
            await self._apis.key_changed(self._apis.api_key(account, parts[1]))
        elif parts[0] == "clientcertificates":
            await self._apis.certificates.changed(self._apis.certificates.get(account, parts[1]))
        elif parts[0] == "vpclinks":
            await self._apis.vpc_links.changed(self._apis.vpc_links.get(account, parts[1]))
        else:
            await self._apis.plan_changed(self._apis.usage_plan(account, parts[1]))
