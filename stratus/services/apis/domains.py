"""Custom domain names and their API mappings, shared by API Gateway v1 and v2.

AWS keeps one set of custom domain names per account and region: a domain created with
the v1 API (``CreateDomainName``) is the one the v2 API lists, and its v1 base path
mappings are the v2 API mappings (a base path is a mapping key; ``(none)`` is the empty
key). A mapping points a key at one stage of an HTTP API or a REST API; the gateway serves
a request whose ``Host`` is a domain name by the mapping with the longest key that
prefixes its path (docs: "Map API stages to a custom domain name for HTTP APIs").

Stratus serves by host alone, so a domain name is unique across accounts here (AWS makes
names unique across accounts for edge-optimized domains, per account and region for
regional ones). The gateway reads :attr:`DomainNames.hosts`, a plain dict by lowercase
name kept current by every change, so serving a domain costs one dict lookup.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stratus.services.apis.errors import BadRequest, Conflict, NotFound
from stratus.services.apis.ids import new_id
from stratus.services.apis.model import to_json
from stratus.services.apis.sqlite import SQLiteApiStore

__all__ = [
    "ApiMapping",
    "DomainName",
    "DomainNames",
    "check_mapping_key",
]

KIND = "domain"
ENDPOINT_TYPES = ("REGIONAL", "EDGE", "PRIVATE")
SECURITY_POLICIES = ("TLS_1_0", "TLS_1_2")
#: Where a domain "points": AWS answers ``d-{id}.execute-api.{region}.amazonaws.com``
#: (regional) or a CloudFront name; Stratus answers a ``*.localhost`` name, which
#: resolvers send to the loopback address.
TARGET_SUFFIX = ".execute-api.localhost"
#: AWS's hosted zones: API Gateway's regional zone (us-east-1's) and CloudFront's.
REGIONAL_ZONE = "Z1UJRXOUMOOFQ8"
EDGE_ZONE = "Z2FDTNDATAQYW2"
MAX_DOMAIN_LENGTH = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_KEY_PART = re.compile(r"^[A-Za-z0-9$\-_.+!*'()]+$")
_CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[\w-]+$")
_KEY_CHARACTERS = "An ApiMapping key may contain only letters, numbers and one of $-_.+!*'()"
MAX_KEY_LENGTH = 300


def check_domain_name(name: str) -> str:
    """A fully qualified name (a leading ``*.`` for a wildcard domain), lowercased."""
    lowered = name.lower().rstrip(".")
    labels = lowered.split(".")
    if labels[0] == "*":
        labels = labels[1:]
    if (
        not name
        or len(lowered) > MAX_DOMAIN_LENGTH
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
    ):
        raise BadRequest(f"Invalid domain name specified: {name[:MAX_DOMAIN_LENGTH]}")
    return lowered


def check_mapping_key(key: str) -> str:
    """An API mapping key: empty (the domain's root) or ``/``-separated levels of letters,
    digits and ``$-_.+!*'()``. Levels of ``.`` or ``..`` are refused: clients resolve
    them before sending, so such a mapping could never be reached."""
    if key in ("", "(none)"):
        return ""
    if len(key) > MAX_KEY_LENGTH:
        raise BadRequest(_KEY_CHARACTERS)
    for part in key.split("/"):
        if not _KEY_PART.match(part) or part in (".", ".."):
            raise BadRequest(_KEY_CHARACTERS)
    return key


def check_certificate(arn: Any) -> str:
    if not isinstance(arn, str) or not _CERTIFICATE.match(arn):
        raise BadRequest(f"Invalid certificate ARN specified: {str(arn)[:256]}")
    return arn


@dataclass(slots=True)
class ApiMapping:
    api_mapping_id: str
    api_id: str
    stage: str
    api_mapping_key: str  # "" maps the domain's root: v1 shows it as "(none)"


@dataclass(slots=True)
class DomainName:
    domain_name: str
    account: str
    region: str
    domain_id: str  # the d-... of its target name
    endpoint_type: str = "REGIONAL"
    certificate_arn: str | None = None
    certificate_name: str | None = None
    security_policy: str = "TLS_1_2"
    mutual_tls_authentication: dict[str, Any] | None = None
    tags: dict[str, str] = field(default_factory=dict)
    created: float = 0.0
    mappings: dict[str, ApiMapping] = field(default_factory=dict)  # by id
    # The serving index: key -> mapping, and the deepest key's number of levels.
    by_key: dict[str, ApiMapping] = field(default_factory=dict, repr=False)
    depth: int = 0

    @property
    def target(self) -> str:
        """What the name points at (v2's ApiGatewayDomainName, v1's regional or
        distribution domain name)."""
        return f"{self.domain_id}{TARGET_SUFFIX}"

    @property
    def hosted_zone_id(self) -> str:
        return EDGE_ZONE if self.endpoint_type == "EDGE" else REGIONAL_ZONE

    def reindex(self) -> None:
        self.by_key = {m.api_mapping_key: m for m in self.mappings.values()}
        self.depth = max((k.count("/") + 1 for k in self.by_key if k), default=0)

    def resolve(self, path: str) -> tuple[ApiMapping, str] | None:
        """The mapping serving ``path`` (the longest key that is a whole-level prefix
        of it, else the root mapping) and the path that remains, ``/``-led."""
        if self.depth:
            parts = path[1:].split("/", self.depth)
            for levels in range(min(self.depth, len(parts)), 0, -1):
                mapping = self.by_key.get("/".join(parts[:levels]))
                if mapping is not None:
                    rest = "/".join(parts[levels:]) if len(parts) > levels else ""
                    return mapping, "/" + rest
        root = self.by_key.get("")
        return (root, path) if root is not None else None

    def to_record(self) -> dict[str, Any]:
        record = to_json(self)
        del record["by_key"], record["depth"]
        return record

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> DomainName:
        mappings = {k: ApiMapping(**v) for k, v in data.pop("mappings", {}).items()}
        domain = cls(**{k: v for k, v in data.items() if k not in ("by_key", "depth")})
        domain.mappings = mappings
        domain.reindex()
        return domain


StageCheck = Callable[[str, str, str], None]
"""``(account, api_id, stage)``: raises NotFound/BadRequest unless that stage exists."""


class DomainNames:
    def __init__(self, store: SQLiteApiStore) -> None:
        self._store = store
        #: Every domain by lowercase name: what the gateway looks a ``Host`` up in.
        self.hosts: dict[str, DomainName] = {}

    async def load(self) -> None:
        for data in await self._store.load(KIND):
            domain = DomainName.from_record(data)
            self.hosts[domain.domain_name] = domain

    # -- reading -----------------------------------------------------------------------
    def get(self, account: str, name: str, message: str) -> DomainName:
        domain = self.hosts.get(name.lower())
        if domain is None or domain.account != account:
            raise NotFound(message)
        return domain

    def in_account(self, account: str, region: str) -> list[DomainName]:
        return [d for d in self.hosts.values() if d.account == account and d.region == region]

    def mapping(self, domain: DomainName, mapping_id: str, message: str) -> ApiMapping:
        mapping = domain.mappings.get(mapping_id)
        if mapping is None:
            raise NotFound(message)
        return mapping

    # -- domain names ------------------------------------------------------------------
    async def create(
        self,
        account: str,
        region: str,
        name: str,
        *,
        endpoint_type: str,
        certificate_arn: str,
        certificate_name: str | None,
        security_policy: str | None,
        mutual_tls: dict[str, Any] | None,
        tags: dict[str, str] | None,
        exists_message: str,
    ) -> DomainName:
        lowered = check_domain_name(name)
        endpoint_type, security_policy = _check_endpoint(endpoint_type, security_policy)
        if lowered in self.hosts:
            raise Conflict(exists_message)
        domain = DomainName(
            lowered,
            account,
            region,
            "d-" + new_id(10),
            endpoint_type,
            check_certificate(certificate_arn),
            certificate_name,
            security_policy,
            _check_mutual_tls(mutual_tls, endpoint_type, security_policy),
            dict(tags or {}),
            time.time(),
        )
        self.hosts[lowered] = domain
        await self._save(domain)
        return domain

    async def update(
        self,
        domain: DomainName,
        *,
        endpoint_type: str | None = None,
        certificate_arn: str | None = None,
        certificate_name: str | None = None,
        security_policy: str | None = None,
        mutual_tls: dict[str, Any] | None = None,
    ) -> DomainName:
        """Checks every change before making any, so a refused update changes nothing."""
        kind, policy = _check_endpoint(
            endpoint_type or domain.endpoint_type, security_policy or domain.security_policy
        )
        arn = check_certificate(certificate_arn) if certificate_arn else domain.certificate_arn
        mtls = domain.mutual_tls_authentication
        if mutual_tls is not None:
            mtls = _check_mutual_tls(mutual_tls, kind, policy)
        if domain.depth > 1 and (kind != "REGIONAL" or policy != "TLS_1_2"):
            raise BadRequest(_MULTI_LEVEL)
        domain.endpoint_type, domain.security_policy = kind, policy
        domain.certificate_arn = arn
        domain.certificate_name = certificate_name or domain.certificate_name
        domain.mutual_tls_authentication = mtls
        await self._save(domain)
        return domain

    async def delete(self, domain: DomainName) -> None:
        self.hosts.pop(domain.domain_name, None)
        await self._store.delete(KIND, domain.domain_name)

    async def tag(self, domain: DomainName, tags: dict[str, str], remove: list[str]) -> None:
        for key in remove:
            domain.tags.pop(key, None)
        domain.tags.update(tags)
        await self._save(domain)

    # -- mappings ----------------------------------------------------------------------
    async def create_mapping(
        self,
        domain: DomainName,
        api_id: str,
        stage: str,
        key: str,
        check_stage: StageCheck,
        exists_message: str,
    ) -> ApiMapping:
        key = self._check_key(domain, key, exists_message)
        check_stage(domain.account, api_id, stage)
        mapping = ApiMapping(new_id(6), api_id, stage, key)
        domain.mappings[mapping.api_mapping_id] = mapping
        domain.reindex()
        await self._save(domain)
        return mapping

    async def update_mapping(
        self,
        domain: DomainName,
        mapping: ApiMapping,
        *,
        api_id: str | None,
        stage: str | None,
        key: str | None,
        check_stage: StageCheck,
        exists_message: str,
    ) -> ApiMapping:
        new_key = mapping.api_mapping_key
        if key is not None and check_mapping_key(key) != mapping.api_mapping_key:
            new_key = self._check_key(domain, key, exists_message)
        new_api, new_stage = api_id or mapping.api_id, stage or mapping.stage
        check_stage(domain.account, new_api, new_stage)
        mapping.api_id, mapping.stage, mapping.api_mapping_key = new_api, new_stage, new_key
        domain.reindex()
        await self._save(domain)
        return mapping

    async def delete_mapping(self, domain: DomainName, mapping: ApiMapping) -> None:
        domain.mappings.pop(mapping.api_mapping_id, None)
        domain.reindex()
        await self._save(domain)

    def _check_key(self, domain: DomainName, key: str, exists_message: str) -> str:
        key = check_mapping_key(key)
        if "/" in key and (
            domain.endpoint_type != "REGIONAL" or domain.security_policy != "TLS_1_2"
        ):
            raise BadRequest(_MULTI_LEVEL)
        if key in domain.by_key:
            raise Conflict(exists_message)
        return key

    async def _save(self, domain: DomainName) -> None:
        await self._store.put(KIND, domain.domain_name, domain.to_record())


_MULTI_LEVEL = (
    "Multi-level base path mappings are only supported for REGIONAL domain names "
    "with the TLS_1_2 security policy"
)


def _check_endpoint(endpoint_type: str, security_policy: str | None) -> tuple[str, str]:
    if endpoint_type not in ENDPOINT_TYPES:
        raise BadRequest(
            f"Invalid endpoint type specified: {endpoint_type[:64]}. "
            f"Valid values are: {', '.join(ENDPOINT_TYPES)}"
        )
    policy = security_policy or "TLS_1_2"
    if policy not in SECURITY_POLICIES:
        raise BadRequest(
            f"Invalid security policy specified: {policy[:64]}. "
            f"Valid values are: {', '.join(SECURITY_POLICIES)}"
        )
    return endpoint_type, policy


def _check_mutual_tls(
    mutual_tls: dict[str, Any] | None, endpoint_type: str, policy: str
) -> dict[str, Any] | None:
    """Mutual TLS needs a REGIONAL domain with TLS 1.2 and an ``s3://`` truststore (AWS's
    rules); Stratus keeps it and answers it, it serves no TLS."""
    if not mutual_tls or not mutual_tls.get("TruststoreUri"):
        return None
    uri = str(mutual_tls["TruststoreUri"])
    if not uri.startswith("s3://") or "/" not in uri[5:]:
        raise BadRequest(f"Invalid truststore URI specified: {uri[:256]}")
    if endpoint_type != "REGIONAL" or policy != "TLS_1_2":
        raise BadRequest(
            "Mutual TLS is only supported for REGIONAL domain names with the TLS_1_2 "
            "security policy"
        )
    out = {"TruststoreUri": uri}
    if mutual_tls.get("TruststoreVersion"):
        out["TruststoreVersion"] = str(mutual_tls["TruststoreVersion"])
    return out


def stage_checker(
    find_http: Callable[[str], Any] | None, find_rest: Callable[[str], Any]
) -> StageCheck:
    """The check a mapping's target passes: an API of the account (HTTP and WebSocket
    APIs only where ``find_http`` is given: the v1 API maps REST APIs alone) with that
    stage. AWS answers NotFound for the API and BadRequest for the stage."""

    def check(account: str, api_id: str, stage: str) -> None:
        for find in (find_http, find_rest):
            api = find(api_id) if find is not None else None
            if api is not None and api.account == account:
                if stage and stage not in api.stages:
                    raise BadRequest("Invalid stage identifier specified")
                return
        raise NotFound(
            f"Invalid API identifier specified {account}:{api_id}"
            if find_http is not None
            else "Invalid REST API identifier specified"
        )

    return check
