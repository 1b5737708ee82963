"""Custom domain names in templates: ``AWS::ApiGateway::DomainName`` and
``BasePathMapping`` (SAM's ``Domain`` on ``AWS::Serverless::Api``, CDK's ``DomainName``),
``AWS::ApiGatewayV2::DomainName`` and ``ApiMapping`` (SAM's ``Domain`` on an HttpApi),
and ``AWS::CertificateManager::Certificate`` (CDK's ``acm.Certificate``) as a record.

Each provisions through the API Gateway APIs, so a template gets their checks and errors.
A certificate or security policy change updates a domain in place; a new name replaces
it. A mapping changes in place unless it moves to another domain.
"""

from __future__ import annotations

import uuid
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    tag_map,
)

__all__ = [
    "ApiMappingHandler",
    "BasePathMappingHandler",
    "CertificateHandler",
    "DomainNameHandler",
    "V2DomainNameHandler",
]


def _v1_attributes(domain: dict[str, Any]) -> dict[str, Any]:
    return {
        "DomainNameArn": domain.get("domainNameArn", ""),
        "DistributionDomainName": domain.get("distributionDomainName", ""),
        "DistributionHostedZoneId": domain.get("distributionHostedZoneId", ""),
        "RegionalDomainName": domain.get("regionalDomainName", ""),
        "RegionalHostedZoneId": domain.get("regionalHostedZoneId", ""),
    }


def _v1_mtls(props: dict[str, Any]) -> dict[str, Any] | None:
    mtls = props.get("MutualTlsAuthentication")
    if not mtls:
        return None
    return {
        "truststoreUri": mtls.get("TruststoreUri"),
        **({"truststoreVersion": mtls["TruststoreVersion"]} if "TruststoreVersion" in mtls else {}),
    }


class DomainNameHandler(Handler):
    """AWS::ApiGateway::DomainName: Ref is the name."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {"domainName": props.get("DomainName", "")}
        for prop, member in (
            ("CertificateArn", "certificateArn"),
            ("RegionalCertificateArn", "regionalCertificateArn"),
            ("SecurityPolicy", "securityPolicy"),
        ):
            if props.get(prop):
                params[member] = props[prop]
        types = (props.get("EndpointConfiguration") or {}).get("Types")
        if types:
            params["endpointConfiguration"] = {"types": list(types)}
        mtls = _v1_mtls(props)
        if mtls:
            params["mutualTlsAuthentication"] = mtls
        if props.get("Tags"):
            params["tags"] = tag_map(props["Tags"])
        domain = await ctx.call("apigateway", "CreateDomainName", params)
        return Provisioned(domain["domainName"], _v1_attributes(domain))

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("DomainName") != new.get("DomainName") or old.get(
            "EndpointConfiguration"
        ) != new.get("EndpointConfiguration"):
            return None
        patch = [
            {"op": "replace", "path": f"/{member}", "value": new[prop]}
            for prop, member in (
                ("CertificateArn", "certificateArn"),
                ("RegionalCertificateArn", "regionalCertificateArn"),
                ("SecurityPolicy", "securityPolicy"),
            )
            if new.get(prop) and new.get(prop) != old.get(prop)
        ]
        domain = await ctx.call(
            "apigateway",
            "UpdateDomainName",
            {"domainName": current.physical_id, "patchOperations": patch},
        )
        return Provisioned(current.physical_id, _v1_attributes(domain))

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("apigateway", "DeleteDomainName", {"domainName": current.physical_id})
        )


class BasePathMappingHandler(Handler):
    """AWS::ApiGateway::BasePathMapping: no Ref of its own in AWS; Stratus answers
    ``{domain}/{basePath}``."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            "domainName": props.get("DomainName", ""),
            "restApiId": props.get("RestApiId", ""),
        }
        if props.get("BasePath"):
            params["basePath"] = props["BasePath"]
        if props.get("Stage"):
            params["stage"] = props["Stage"]
        made = await ctx.call("apigateway", "CreateBasePathMapping", params)
        return Provisioned(f"{params['domainName']}/{made['basePath']}")

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        domain, _, base_path = current.physical_id.partition("/")
        await ignore_missing(
            ctx.call(
                "apigateway",
                "DeleteBasePathMapping",
                {"domainName": domain, "basePath": base_path},
            )
        )


def _v2_attributes(domain: dict[str, Any]) -> dict[str, Any]:
    configuration = (domain.get("DomainNameConfigurations") or [{}])[0]
    return {
        "DomainNameArn": domain.get("DomainNameArn", ""),
        "RegionalDomainName": configuration.get("ApiGatewayDomainName", ""),
        "RegionalHostedZoneId": configuration.get("HostedZoneId", ""),
    }


def _configurations(props: dict[str, Any]) -> list[dict[str, Any]]:
    keep = ("CertificateArn", "CertificateName", "EndpointType", "SecurityPolicy")
    return [
        {k: v for k, v in c.items() if k in keep}
        for c in props.get("DomainNameConfigurations") or []
    ]


class V2DomainNameHandler(Handler):
    """AWS::ApiGatewayV2::DomainName: Ref is the name."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            "DomainName": props.get("DomainName", ""),
            "DomainNameConfigurations": _configurations(props),
        }
        if props.get("MutualTlsAuthentication"):
            params["MutualTlsAuthentication"] = props["MutualTlsAuthentication"]
        if props.get("Tags"):
            params["Tags"] = tag_map(props["Tags"])
        domain = await ctx.call("apigatewayv2", "CreateDomainName", params)
        return Provisioned(domain["DomainName"], _v2_attributes(domain))

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("DomainName") != new.get("DomainName"):
            return None
        params: dict[str, Any] = {
            "DomainName": current.physical_id,
            "DomainNameConfigurations": _configurations(new),
        }
        if new.get("MutualTlsAuthentication"):
            params["MutualTlsAuthentication"] = new["MutualTlsAuthentication"]
        domain = await ctx.call("apigatewayv2", "UpdateDomainName", params)
        return Provisioned(current.physical_id, _v2_attributes(domain))

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call("apigatewayv2", "DeleteDomainName", {"DomainName": current.physical_id})
        )


class ApiMappingHandler(Handler):
    """AWS::ApiGatewayV2::ApiMapping: Ref is the mapping's id."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            k: props[k] for k in ("DomainName", "ApiId", "Stage", "ApiMappingKey") if k in props
        }
        made = await ctx.call("apigatewayv2", "CreateApiMapping", params)
        return Provisioned(made["ApiMappingId"], {"ApiMappingId": made["ApiMappingId"]})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("DomainName") != new.get("DomainName"):
            return None
        params: dict[str, Any] = {
            k: new[k] for k in ("DomainName", "ApiId", "Stage", "ApiMappingKey") if k in new
        }
        params.setdefault("ApiMappingKey", "")
        params["ApiMappingId"] = current.physical_id
        await ctx.call("apigatewayv2", "UpdateApiMapping", params)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "apigatewayv2",
                "DeleteApiMapping",
                {"DomainName": props.get("DomainName", ""), "ApiMappingId": current.physical_id},
            )
        )


class CertificateHandler(Handler):
    """AWS::CertificateManager::Certificate: Stratus has no ACM and serves no TLS; the
    record answers the ARN a domain name is created with (Ref), issued at once."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        return Provisioned(ctx.arn("acm", f"certificate/{uuid.uuid4()}"))

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        same = old.get("DomainName") == new.get("DomainName") and old.get(
            "SubjectAlternativeNames"
        ) == new.get("SubjectAlternativeNames")
        return current if same else None
