"""The API Gateway v2 custom domain operations: DomainName and ApiMapping.

A mixin of :class:`ApiGatewayV2Provider`; the domain names themselves, shared with the v1
API, live in :mod:`stratus.services.apis.domains`. The v2 API manages REGIONAL domain
names with the TLS 1.2 policy only: it creates no other, and refuses to map or change an
edge-optimized or TLS 1.0 domain made with the v1 API, with AWS's message.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.apigatewayv2.pages import listing
from stratus.aws.context import RequestContext
from stratus.services.apis.domains import (
    ApiMapping,
    DomainName,
    DomainNames,
    StageCheck,
)
from stratus.services.apis.errors import BadRequest

__all__ = ["DomainOperations", "domain_shape"]

Params = dict[str, Any]
_NO_DOMAIN = "The domain name resource specified in the request was not found."
_DOMAIN_EXISTS = "The domain name you provided already exists."
_KEY_EXISTS = "ApiMapping key already exists for this domain name"
_ONE_CONFIGURATION = "Invalid input. Expected one domain name configuration"
_NO_TLS_1_0 = "TLS_1_0 is not supported for APIGatewayV2 domainName."
_REGIONAL_ONLY = (
    "Only REGIONAL domain names with a security policy of TLS 1.2 can be managed through "
    "the API Gateway V2 API. For TLS 1.0 domain names, please use the API Gateway V1 API to "
    "upgrade your security policy to TLS 1.2. Currently, only REST APIs can be attached to "
    "a domain name with a security policy of TLS 1.0."
)


def domain_shape(domain: DomainName) -> Params:
    """``GetDomainNameResponse`` (and ``DomainName``, the listing's item)."""
    configuration: Params = {
        "ApiGatewayDomainName": domain.target,
        "CertificateArn": domain.certificate_arn,
        "CertificateUploadDate": domain.created,
        "DomainNameStatus": "AVAILABLE",
        "EndpointType": domain.endpoint_type,
        "HostedZoneId": domain.hosted_zone_id,
        "IpAddressType": "ipv4",
        "SecurityPolicy": domain.security_policy,
    }
    if domain.certificate_name:
        configuration["CertificateName"] = domain.certificate_name
    out: Params = {
        "ApiMappingSelectionExpression": "$request.basepath",
        "DomainName": domain.domain_name,
        "DomainNameArn": f"arn:aws:apigateway:{domain.region}::/domainnames/{domain.domain_name}",
        "DomainNameConfigurations": [configuration],
        "RoutingMode": "API_MAPPING_ONLY",
        "Tags": dict(domain.tags),
    }
    if domain.mutual_tls_authentication:
        out["MutualTlsAuthentication"] = dict(domain.mutual_tls_authentication)
    return out


def mapping_shape(mapping: ApiMapping) -> Params:
    return {
        "ApiId": mapping.api_id,
        "ApiMappingId": mapping.api_mapping_id,
        "ApiMappingKey": mapping.api_mapping_key,
        "Stage": mapping.stage or "(none)",
    }


def _configuration(params: Params, required: bool) -> Params:
    """The one ``DomainNameConfigurations`` entry an HTTP API domain has (AWS answers
    "Expected one" for none or more), REGIONAL and TLS 1.2 as the v2 API requires."""
    configurations = params.get("DomainNameConfigurations")
    if configurations is None and not required:
        return {}
    if not isinstance(configurations, list) or len(configurations) != 1:
        raise BadRequest(_ONE_CONFIGURATION)
    configuration = dict(configurations[0])
    if configuration.get("SecurityPolicy") == "TLS_1_0":
        raise BadRequest(_NO_TLS_1_0)
    if configuration.get("EndpointType", "REGIONAL") != "REGIONAL":
        raise BadRequest(_REGIONAL_ONLY)
    return configuration


def _managed(domain: DomainName) -> DomainName:
    """A domain the v2 API may change: REGIONAL with TLS 1.2."""
    if domain.endpoint_type != "REGIONAL" or domain.security_policy != "TLS_1_2":
        raise BadRequest(_REGIONAL_ONLY)
    return domain


class DomainOperations:
    """Needs the provider's ``_domains`` and ``_stage_check``."""

    _domains: DomainNames | None
    _stage_check: StageCheck

    @property
    def _names(self) -> DomainNames:
        assert self._domains is not None, "the component gives the provider its domains"
        return self._domains

    def _domain(self, ctx: RequestContext, params: Params) -> DomainName:
        return self._names.get(ctx.account_id, params["DomainName"], _NO_DOMAIN)

    def _mapping(self, domain: DomainName, mapping_id: str) -> ApiMapping:
        return self._names.mapping(
            domain, mapping_id, f"Unable to find ApiMapping with ID {mapping_id}"
        )

    # -- domain names ------------------------------------------------------------------
    async def create_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        configuration = _configuration(params, required=True)
        if params.get("RoutingMode") not in (None, "API_MAPPING_ONLY"):
            raise BadRequest("Stratus serves API mappings only (RoutingMode API_MAPPING_ONLY)")
        if not configuration.get("CertificateArn"):
            raise BadRequest("A certificate ARN is required to create a domain name")
        domain = await self._names.create(
            ctx.account_id,
            ctx.region,
            params["DomainName"],
            endpoint_type=configuration.get("EndpointType") or "REGIONAL",
            certificate_arn=configuration["CertificateArn"],
            certificate_name=configuration.get("CertificateName"),
            security_policy=configuration.get("SecurityPolicy"),
            mutual_tls=params.get("MutualTlsAuthentication"),
            tags=params.get("Tags"),
            exists_message=_DOMAIN_EXISTS,
        )
        return domain_shape(domain)

    async def get_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        return domain_shape(self._domain(ctx, params))

    async def get_domain_names(self, ctx: RequestContext, params: Params) -> Params:
        domains = self._names.in_account(ctx.account_id, ctx.region)
        return listing(domains, lambda d: d.domain_name, params, domain_shape)

    async def update_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        domain = _managed(self._domain(ctx, params))
        configuration = _configuration(params, required=False)
        updated = await self._names.update(
            domain,
            endpoint_type=configuration.get("EndpointType"),
            certificate_arn=configuration.get("CertificateArn"),
            certificate_name=configuration.get("CertificateName"),
            security_policy=configuration.get("SecurityPolicy"),
            mutual_tls=params.get("MutualTlsAuthentication"),
        )
        return domain_shape(updated)

    async def delete_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        await self._names.delete(self._domain(ctx, params))
        return {}

    # -- API mappings --------------------------------------------------------------------
    async def create_api_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = _managed(self._domain(ctx, params))
        mapping = await self._names.create_mapping(
            domain,
            params["ApiId"],
            params["Stage"],
            params.get("ApiMappingKey") or "",
            self._stage_check,
            _KEY_EXISTS,
        )
        return mapping_shape(mapping)

    async def get_api_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        return mapping_shape(self._mapping(domain, params["ApiMappingId"]))

    async def get_api_mappings(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        return listing(
            list(domain.mappings.values()),
            lambda m: m.api_mapping_id,
            params,
            mapping_shape,
        )

    async def update_api_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = _managed(self._domain(ctx, params))
        mapping = self._mapping(domain, params["ApiMappingId"])
        updated = await self._names.update_mapping(
            domain,
            mapping,
            api_id=params.get("ApiId"),
            stage=params.get("Stage"),
            key=params.get("ApiMappingKey"),
            check_stage=self._stage_check,
            exists_message=_KEY_EXISTS,
        )
        return mapping_shape(updated)

    async def delete_api_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        mapping = self._mapping(domain, params["ApiMappingId"])
        await self._names.delete_mapping(domain, mapping)
        return {}
