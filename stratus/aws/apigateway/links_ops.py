"""API Gateway (v1) client certificates and VPC links (account-wide), GetModelTemplate and
the SDK operations (types listed, no SDK generated). A mixin of :class:`ApiGatewayProvider`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.aws.apigateway.pages import page
from stratus.aws.context import RequestContext
from stratus.services.apis.client_certificates import ClientCertificate
from stratus.services.apis.model_template import model_template
from stratus.services.apis.rest_vpc_links import VpcLink
from stratus.services.apis.sdk_types import SDK_TYPES, SdkType, check_sdk_request, sdk_type

if TYPE_CHECKING:
    from stratus.services.apis.rest_apis import RestApis

__all__ = ["LinkOperations"]

Params = dict[str, Any]


def _certificate(certificate: ClientCertificate) -> Params:
    out: Params = {
        "clientCertificateId": certificate.id,
        "pemEncodedCertificate": certificate.pem_encoded_certificate,
        "createdDate": certificate.created_date,
        "expirationDate": certificate.expiration_date,
    }
    if certificate.description is not None:
        out["description"] = certificate.description
    if certificate.tags:
        out["tags"] = dict(certificate.tags)
    return out


def _link(link: VpcLink) -> Params:
    out: Params = {
        "id": link.id,
        "name": link.name,
        "targetArns": list(link.target_arns),
        "status": link.status,
        "statusMessage": link.status_message,
    }
    if link.description is not None:
        out["description"] = link.description
    if link.tags:
        out["tags"] = dict(link.tags)
    return out


def _sdk(sdk: SdkType) -> Params:
    return {
        "id": sdk.id,
        "friendlyName": sdk.friendly_name,
        "description": sdk.description,
        "configurationProperties": [
            {
                "name": p.name,
                "friendlyName": p.friendly_name,
                "description": p.description,
                "required": p.required,
                **({"defaultValue": p.default_value} if p.default_value is not None else {}),
            }
            for p in sdk.configuration_properties
        ],
    }


class LinkOperations:
    _apis: RestApis

    # -- client certificates ---------------------------------------------------------------
    async def generate_client_certificate(self, ctx: RequestContext, params: Params) -> Params:
        certificate = await self._apis.certificates.generate(
            ctx.account_id, params.get("description"), params.get("tags")
        )
        return _certificate(certificate)

    async def get_client_certificate(self, ctx: RequestContext, params: Params) -> Params:
        return _certificate(
            self._apis.certificates.get(ctx.account_id, params["clientCertificateId"])
        )

    async def get_client_certificates(self, ctx: RequestContext, params: Params) -> Params:
        return page(
            self._apis.certificates.in_account(ctx.account_id),
            lambda c: c.id,
            params,
            _certificate,
        )

    async def update_client_certificate(self, ctx: RequestContext, params: Params) -> Params:
        certificate = await self._apis.certificates.update(
            ctx.account_id, params["clientCertificateId"], params.get("patchOperations") or []
        )
        return _certificate(certificate)

    async def delete_client_certificate(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.certificates.delete(ctx.account_id, params["clientCertificateId"])
        return {}

    # -- VPC links -----------------------------------------------------------------------------
    async def create_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        link = await self._apis.vpc_links.create(
            ctx.account_id,
            params["name"],
            list(params["targetArns"]),
            params.get("description"),
            params.get("tags"),
        )
        return _link(link)

    async def get_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        return _link(self._apis.vpc_links.get(ctx.account_id, params["vpcLinkId"]))

    async def get_vpc_links(self, ctx: RequestContext, params: Params) -> Params:
        return page(self._apis.vpc_links.in_account(ctx.account_id), lambda v: v.id, params, _link)

    async def update_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        link = await self._apis.vpc_links.update(
            ctx.account_id, params["vpcLinkId"], params.get("patchOperations") or []
        )
        return _link(link)

    async def delete_vpc_link(self, ctx: RequestContext, params: Params) -> Params:
        await self._apis.vpc_links.delete(ctx.account_id, params["vpcLinkId"])
        return {}

    # -- model templates and SDKs ----------------------------------------------------------
    async def get_model_template(self, ctx: RequestContext, params: Params) -> Params:
        api = self._apis.get(ctx.account_id, params["restApiId"])
        return {"value": model_template(api, self._apis.model(api, params["modelName"]))}

    async def get_sdk_types(self, ctx: RequestContext, params: Params) -> Params:
        order = {type_id: f"{i:03d}" for i, type_id in enumerate(SDK_TYPES)}
        return page(SDK_TYPES.values(), lambda s: order[s.id], params, _sdk)

    async def get_sdk_type(self, ctx: RequestContext, params: Params) -> Params:
        return _sdk(sdk_type(params["id"]))

    async def get_sdk(self, ctx: RequestContext, params: Params) -> Params:
        api = self._apis.get(ctx.account_id, params["restApiId"])
        self._apis.stage(api, params["stageName"])
        check_sdk_request(params["sdkType"], dict(params.get("parameters") or {}))
        return {}  # not reached: check_sdk_request refuses every request
