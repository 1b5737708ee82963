"""AWS::Route53::HostedZone, RecordSet and RecordSetGroup, kept as records.

Stratus answers no DNS: a template's zones and records (SAM's ``Domain.Route53``, the
CDK's ``ARecord`` aliasing a custom domain) deploy so the rest of the stack does, and
resolving the names is left to the user (an ``/etc/hosts`` line pointing them at
127.0.0.1 reaches the gateway port's custom domains, docs/gateway.md). The checks are
CloudFormation's own for these types: required properties, the record type's enum,
exactly one of the zone's id or name, and records or an alias target.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from stratus.services.stacks.errors import ResourceFailed
from stratus.services.stacks.resources.base import Handler, Provisioned, Provisioning

RECORD_TYPES = (
    "A",
    "AAAA",
    "CAA",
    "CNAME",
    "DS",
    "HTTPS",
    "MX",
    "NAPTR",
    "NS",
    "PTR",
    "SOA",
    "SPF",
    "SRV",
    "SSHFP",
    "SVCB",
    "TLSA",
    "TXT",
)
_ZONE_ID_CHARACTERS = string.ascii_uppercase + string.digits


def _invalid(message: str) -> ResourceFailed:
    return ResourceFailed(f"Properties validation failed for resource with message: {message}")


def _zone_id() -> str:
    return "Z" + "".join(secrets.choice(_ZONE_ID_CHARACTERS) for _ in range(20))


class HostedZoneHandler(Handler):
    """A zone id and name servers, no name server behind them."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("Name")
        if not isinstance(name, str) or not name.strip("."):
            raise _invalid("#: required key [Name] not found")
        zone = _zone_id()
        servers = [f"ns-{n}.awsdns-{n % 64:02d}.{tld}" for n, tld in _SERVERS]
        return Provisioned(zone, {"Id": zone, "NameServers": servers})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        return current if old.get("Name") == new.get("Name") else None


_SERVERS = ((101, "com"), (1202, "net"), (1803, "org"), (704, "co.uk"))


def check_record_set(record: dict[str, Any], where: str = "#") -> None:
    """One record set's properties, as CloudFormation checks them."""
    for key in ("Name", "Type"):
        if not record.get(key):
            raise _invalid(f"{where}: required key [{key}] not found")
    if record["Type"] not in RECORD_TYPES:
        raise _invalid(f"{where}/Type: {record['Type']} is not a valid enum value")
    alias = record.get("AliasTarget")
    if alias is not None:
        if not isinstance(alias, dict) or not alias.get("DNSName") or not alias.get("HostedZoneId"):
            raise _invalid(f"{where}/AliasTarget: required key [DNSName, HostedZoneId] not found")
    elif not record.get("ResourceRecords"):
        raise ResourceFailed(
            "Invalid request provided: one of ResourceRecords or AliasTarget is required"
        )


def _check_zone(props: dict[str, Any]) -> None:
    if bool(props.get("HostedZoneId")) == bool(props.get("HostedZoneName")):
        raise ResourceFailed(
            "Invalid request provided: Exactly one of [HostedZoneId, HostedZoneName] must "
            "be specified"
        )


class RecordSetHandler(Handler):
    """A record set: its name is its physical id (what ``Ref`` answers, as on AWS)."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        _check_zone(props)
        check_record_set(props)
        return Provisioned(str(props["Name"]), {})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name") or old.get("Type") != new.get("Type"):
            return None
        _check_zone(new)
        check_record_set(new)
        return current


class RecordSetGroupHandler(Handler):
    """Several record sets of one zone, as one resource."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        self._check(props)
        return Provisioned(ctx.physical_name(logical_id), {})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        self._check(new)
        return current

    @staticmethod
    def _check(props: dict[str, Any]) -> None:
        _check_zone(props)
        records = props.get("RecordSets")
        if not isinstance(records, list):
            raise _invalid("#/RecordSets: expected type: JSONArray")
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise _invalid(f"#/RecordSets/{index}: expected type: JSONObject")
            check_record_set(record, f"#/RecordSets/{index}")
