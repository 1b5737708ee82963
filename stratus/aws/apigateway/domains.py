"""The API Gateway (v1) custom domain operations: DomainName and BasePathMapping.

A mixin of :class:`ApiGatewayProvider`. The domains are the v2 API's too
(:mod:`stratus.services.apis.domains`): a base path is an API mapping key, and the
domain's root, the empty key, is the base path ``(none)``. Base path mappings map REST
APIs only: an HTTP API's id is not a REST API's, so it is refused as AWS refuses it, with
"Invalid REST API identifier specified"; mappings made with the v2 API to HTTP APIs are
listed all the same.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.apigateway.pages import page
from stratus.aws.context import RequestContext
from stratus.services.apis.domains import (
    ApiMapping,
    DomainName,
    DomainNames,
    StageCheck,
    check_mapping_key,
)
from stratus.services.apis.errors import BadRequest, NotFound

__all__ = ["DomainNameOperations"]

Params = dict[str, Any]
NONE = "(none)"
_NO_DOMAIN = "Invalid domain name identifier specified"
_DOMAIN_EXISTS = "The domain name you provided already exists."
_NO_MAPPING = "Invalid base path mapping identifier specified"
_PATH_EXISTS = "Base path already exists for this domain name"
_DOMAIN_PATHS = (
    "/certificateArn",
    "/certificateName",
    "/regionalCertificateArn",
    "/regionalCertificateName",
    "/securityPolicy",
    "/endpointConfiguration/types/0",
    "/mutualTlsAuthentication/truststoreUri",
    "/mutualTlsAuthentication/truststoreVersion",
)
_MAPPING_PATHS = ("/basePath", "/restapiId", "/stage")


def domain_shape(domain: DomainName) -> Params:
    """The ``DomainName`` shape: edge-optimized names answer a distribution, regional
    (and private) ones a regional name, both the local target name."""
    out: Params = {
        "domainName": domain.domain_name,
        "domainNameArn": f"arn:aws:apigateway:{domain.region}::/domainnames/{domain.domain_name}",
        "certificateUploadDate": domain.created,
        "endpointConfiguration": {"types": [domain.endpoint_type]},
        "domainNameStatus": "AVAILABLE",
        "routingMode": "BASE_PATH_MAPPING_ONLY",
        "securityPolicy": domain.security_policy,
        "tags": dict(domain.tags),
    }
    if domain.endpoint_type == "EDGE":
        out["certificateArn"] = domain.certificate_arn
        out["distributionDomainName"] = domain.target
        out["distributionHostedZoneId"] = domain.hosted_zone_id
        if domain.certificate_name:
            out["certificateName"] = domain.certificate_name
    else:
        out["regionalCertificateArn"] = domain.certificate_arn
        out["regionalDomainName"] = domain.target
        out["regionalHostedZoneId"] = domain.hosted_zone_id
        if domain.certificate_name:
            out["regionalCertificateName"] = domain.certificate_name
    mtls = domain.mutual_tls_authentication
    if mtls:
        out["mutualTlsAuthentication"] = {
            "truststoreUri": mtls["TruststoreUri"],
            **(
                {"truststoreVersion": mtls["TruststoreVersion"]}
                if "TruststoreVersion" in mtls
                else {}
            ),
        }
    return out


def mapping_shape(mapping: ApiMapping) -> Params:
    out: Params = {"basePath": mapping.api_mapping_key or NONE, "restApiId": mapping.api_id}
    if mapping.stage:
        out["stage"] = mapping.stage
    return out


def _mtls(value: Any) -> dict[str, Any] | None:
    if not value:
        return None
    return {
        "TruststoreUri": value.get("truststoreUri"),
        "TruststoreVersion": value.get("truststoreVersion"),
    }


def _endpoint_type(params: Params) -> str:
    types = (params.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    if len(types) != 1:
        raise BadRequest("Cannot create a domain name with more than one endpoint type")
    return str(types[0])


def _patch_error(op: Any, path: Any, allowed: tuple[str, ...]) -> BadRequest:
    return BadRequest(
        f"Invalid patch path '{path}' specified for op '{op}'. Must be one of: "
        f"[{', '.join(allowed)}]"
    )


class DomainNameOperations:
    """Needs the provider's ``_domains`` and ``_rest_stage_check``."""

    _domains: DomainNames | None
    _rest_stage_check: StageCheck

    @property
    def _names(self) -> DomainNames:
        assert self._domains is not None, "the component gives the provider its domains"
        return self._domains

    def _domain(self, ctx: RequestContext, params: Params) -> DomainName:
        return self._names.get(ctx.account_id, params["domainName"], _NO_DOMAIN)

    def _mapping(self, domain: DomainName, base_path: str) -> ApiMapping:
        key = "" if base_path in ("", NONE) else base_path
        mapping = domain.by_key.get(key)
        if mapping is None:
            raise NotFound(_NO_MAPPING)
        return mapping

    # -- domain names ------------------------------------------------------------------
    async def create_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        endpoint_type = _endpoint_type(params)
        if params.get("routingMode") not in (None, "BASE_PATH_MAPPING_ONLY"):
            raise BadRequest(
                "Stratus serves base path mappings only (routingMode BASE_PATH_MAPPING_ONLY)"
            )
        if params.get("certificateBody") or params.get("certificatePrivateKey"):
            raise BadRequest("Stratus accepts certificates by ARN only (certificateArn)")
        if endpoint_type == "EDGE":
            arn, name = params.get("certificateArn"), params.get("certificateName")
        else:
            arn, name = params.get("regionalCertificateArn"), params.get("regionalCertificateName")
        if not arn:
            which = "certificateArn" if endpoint_type == "EDGE" else "regionalCertificateArn"
            raise BadRequest(f"A {which} is required for a domain name of type {endpoint_type}")
        domain = await self._names.create(
            ctx.account_id,
            ctx.region,
            params["domainName"],
            endpoint_type=endpoint_type,
            certificate_arn=arn,
            certificate_name=name,
            security_policy=params.get("securityPolicy"),
            mutual_tls=_mtls(params.get("mutualTlsAuthentication")),
            tags=params.get("tags"),
            exists_message=_DOMAIN_EXISTS,
        )
        return domain_shape(domain)

    async def get_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        return domain_shape(self._domain(ctx, params))

    async def get_domain_names(self, ctx: RequestContext, params: Params) -> Params:
        domains = self._names.in_account(ctx.account_id, ctx.region)
        return page(domains, lambda d: d.domain_name, params, domain_shape)

    async def update_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        changes: dict[str, Any] = {}
        mtls = dict(domain.mutual_tls_authentication or {})
        for operation in params.get("patchOperations") or []:
            op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
            if op != "replace" or path not in _DOMAIN_PATHS:
                raise _patch_error(op, path, _DOMAIN_PATHS)
            if path in ("/certificateArn", "/regionalCertificateArn"):
                changes["certificate_arn"] = value
            elif path in ("/certificateName", "/regionalCertificateName"):
                changes["certificate_name"] = value
            elif path == "/securityPolicy":
                changes["security_policy"] = value
            elif path == "/endpointConfiguration/types/0":
                changes["endpoint_type"] = value
            else:
                mtls["TruststoreUri" if path.endswith("Uri") else "TruststoreVersion"] = value
                changes["mutual_tls"] = mtls
        return domain_shape(await self._names.update(domain, **changes))

    async def delete_domain_name(self, ctx: RequestContext, params: Params) -> Params:
        await self._names.delete(self._domain(ctx, params))
        return {}

    # -- base path mappings ------------------------------------------------------------
    async def create_base_path_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        stage = params.get("stage") or ""
        mapping = await self._names.create_mapping(
            domain,
            params["restApiId"],
            "" if stage == NONE else stage,
            params.get("basePath") or "",
            self._rest_stage_check,
            _PATH_EXISTS,
        )
        return mapping_shape(mapping)

    async def get_base_path_mapping(self, ctx: RequestContext, params: Params) -> Params:
        return mapping_shape(self._mapping(self._domain(ctx, params), params["basePath"]))

    async def get_base_path_mappings(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        return page(
            domain.mappings.values(), lambda m: m.api_mapping_key or NONE, params, mapping_shape
        )

    async def update_base_path_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        mapping = self._mapping(domain, params["basePath"])
        changes: dict[str, Any] = {"api_id": None, "stage": None, "key": None}
        for operation in params.get("patchOperations") or []:
            op, path, value = operation.get("op"), operation.get("path"), operation.get("value")
            if op != "replace" or path not in _MAPPING_PATHS:
                raise _patch_error(op, path, _MAPPING_PATHS)
            text = "" if value is None else str(value)
            if path == "/basePath":
                changes["key"] = check_mapping_key(text)
            elif path == "/restapiId":
                changes["api_id"] = text
            else:
                changes["stage"] = text
        updated = await self._names.update_mapping(
            domain,
            mapping,
            check_stage=self._rest_stage_check,
            exists_message=_PATH_EXISTS,
            **changes,
        )
        return mapping_shape(updated)

    async def delete_base_path_mapping(self, ctx: RequestContext, params: Params) -> Params:
        domain = self._domain(ctx, params)
        await self._names.delete_mapping(domain, self._mapping(domain, params["basePath"]))
        return {}
