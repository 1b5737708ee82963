"""IAM's operations on credentials other than access keys: SSH public keys, signing and
server certificates, service-specific credentials."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import tag_list, tag_pairs
from stratus.services.identity.models import (
    ServerCertificate,
    ServiceCredential,
    SigningCertificate,
    SshPublicKey,
)
from stratus.services.identity.user_credentials import (
    API_KEY_SERVICES,
    IssuedCredential,
    ssh_key_as_pem,
)

__all__ = ["CredentialOperations"]


def _ssh_shape(key: SshPublicKey, *, body: str | None = None) -> Result:
    shape: Result = {
        "UserName": key.user_name,
        "SSHPublicKeyId": key.name,
        "Status": key.status,
        "UploadDate": key.uploaded,
    }
    if body is not None:
        shape["Fingerprint"] = key.fingerprint
        shape["SSHPublicKeyBody"] = body
    return shape


def _signing_shape(certificate: SigningCertificate) -> Result:
    return {
        "UserName": certificate.user_name,
        "CertificateId": certificate.name,
        "CertificateBody": certificate.body,
        "Status": certificate.status,
        "UploadDate": certificate.uploaded,
    }


def _server_metadata(certificate: ServerCertificate) -> Result:
    return {
        "Path": certificate.path,
        "ServerCertificateName": certificate.name,
        "ServerCertificateId": certificate.certificate_id,
        "Arn": certificate.arn,
        "UploadDate": certificate.uploaded,
        "Expiration": certificate.expiration,
    }


def _service_credential_shape(credential: ServiceCredential) -> Result:
    """``ServiceSpecificCredentialMetadata``: Bedrock's keys carry an alias, not a user name."""
    shape: Result = {
        "UserName": credential.user_name,
        "Status": credential.status,
        "CreateDate": credential.created,
        "ExpirationDate": credential.expires,
        "ServiceSpecificCredentialId": credential.name,
        "ServiceName": credential.service,
    }
    if credential.service in API_KEY_SERVICES:
        shape["ServiceCredentialAlias"] = credential.service_user_name
    else:
        shape["ServiceUserName"] = credential.service_user_name
    return shape


def _issued_shape(issued: IssuedCredential) -> Result:
    shape = _service_credential_shape(issued.credential)
    if issued.credential.service in API_KEY_SERVICES:
        shape["ServiceCredentialSecret"] = issued.secret
    else:
        shape["ServicePassword"] = issued.secret
    return shape


class CredentialOperations(Operations):
    """SSH keys and certificates: uploaded, listed, switched on and off, deleted."""

    # -- SSH public keys -------------------------------------------------------------
    async def upload_ssh_public_key(self, ctx: RequestContext, params: Params) -> Result:
        key = await self._identity.credentials.upload_ssh_key(
            ctx.account_id, params["UserName"], params["SSHPublicKeyBody"]
        )
        return {"SSHPublicKey": _ssh_shape(key, body=key.body)}

    async def get_ssh_public_key(self, ctx: RequestContext, params: Params) -> Result:
        key = self._identity.credentials.ssh_key(
            ctx.account_id, params["UserName"], params["SSHPublicKeyId"]
        )
        body = ssh_key_as_pem(key.body) if params["Encoding"] == "PEM" else key.body
        return {"SSHPublicKey": _ssh_shape(key, body=body)}

    async def list_ssh_public_keys(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        keys, more = page_of(self._identity.credentials.ssh_keys(ctx.account_id, name), params)
        return {"SSHPublicKeys": [_ssh_shape(k) for k in keys], **more}

    async def update_ssh_public_key(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.credentials.update_ssh_key(
            ctx.account_id, params["UserName"], params["SSHPublicKeyId"], params["Status"]
        )
        return {}

    async def delete_ssh_public_key(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.credentials.delete_ssh_key(
            ctx.account_id, params["UserName"], params["SSHPublicKeyId"]
        )
        return {}

    # -- signing certificates --------------------------------------------------------
    async def upload_signing_certificate(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        certificate = await self._identity.credentials.upload_certificate(
            ctx.account_id, name, params["CertificateBody"]
        )
        return {"Certificate": _signing_shape(certificate)}

    async def list_signing_certificates(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        found = self._identity.credentials.certificates(ctx.account_id, name)
        certificates, more = page_of(found, params)
        return {"Certificates": [_signing_shape(c) for c in certificates], **more}

    async def update_signing_certificate(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.credentials.update_certificate(
            ctx.account_id, name, params["CertificateId"], params["Status"]
        )
        return {}

    async def delete_signing_certificate(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.credentials.delete_certificate(
            ctx.account_id, name, params["CertificateId"]
        )
        return {}

    # -- server certificates ---------------------------------------------------------
    async def upload_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        certificate = await self._identity.server_certificates.upload(
            ctx.account_id,
            params["ServerCertificateName"],
            params["CertificateBody"],
            params["PrivateKey"],
            chain=params.get("CertificateChain"),
            path=params.get("Path", "/"),
            tags=tag_pairs(params),
        )
        return {
            "ServerCertificateMetadata": _server_metadata(certificate),
            "Tags": tag_list(certificate.tags) or None,
        }

    async def get_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        found = self._identity.server_certificates.get(
            ctx.account_id, params["ServerCertificateName"]
        )
        return {
            "ServerCertificate": {
                "ServerCertificateMetadata": _server_metadata(found),
                "CertificateBody": found.body,
                "CertificateChain": found.chain,
                "Tags": tag_list(found.tags),
            }
        }

    async def list_server_certificates(self, ctx: RequestContext, params: Params) -> Result:
        found = self._identity.server_certificates.under(ctx.account_id, params.get("PathPrefix"))
        certificates, more = page_of(found, params)
        return {
            "ServerCertificateMetadataList": [_server_metadata(c) for c in certificates],
            **more,
        }

    async def update_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.server_certificates.update(
            ctx.account_id,
            params["ServerCertificateName"],
            new_name=params.get("NewServerCertificateName"),
            new_path=params.get("NewPath"),
        )
        return {}

    async def delete_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.server_certificates.delete(
            ctx.account_id, params["ServerCertificateName"]
        )
        return {}

    async def tag_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.server_certificates.tag(
            ctx.account_id, params["ServerCertificateName"], tag_pairs(params)
        )
        return {}

    async def untag_server_certificate(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.server_certificates.untag(
            ctx.account_id, params["ServerCertificateName"], params["TagKeys"]
        )
        return {}

    async def list_server_certificate_tags(self, ctx: RequestContext, params: Params) -> Result:
        found = self._identity.server_certificates.get(
            ctx.account_id, params["ServerCertificateName"]
        )
        tags, more = page_of(tag_list(found.tags), params)
        return {"Tags": tags, **more}

    # -- service-specific credentials ------------------------------------------------
    async def create_service_specific_credential(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        issued = await self._identity.credentials.create_service_credential(
            ctx.account_id,
            params["UserName"],
            params["ServiceName"],
            age_days=params.get("CredentialAgeDays"),
        )
        return {"ServiceSpecificCredential": _issued_shape(issued)}

    async def list_service_specific_credentials(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = None
        if not params.get("AllUsers"):
            name = params.get("UserName") or self._caller_user(ctx)
        found = self._identity.credentials.service_credentials(
            ctx.account_id, name, params.get("ServiceName")
        )
        credentials, more = page_of(found, params)
        return {
            "ServiceSpecificCredentials": [_service_credential_shape(c) for c in credentials],
            **more,
        }

    async def reset_service_specific_credential(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        issued = await self._identity.credentials.reset_service_credential(
            ctx.account_id, name, params["ServiceSpecificCredentialId"]
        )
        return {"ServiceSpecificCredential": _issued_shape(issued)}

    async def update_service_specific_credential(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.credentials.update_service_credential(
            ctx.account_id, name, params["ServiceSpecificCredentialId"], params["Status"]
        )
        return {}

    async def delete_service_specific_credential(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.credentials.delete_service_credential(
            ctx.account_id, name, params["ServiceSpecificCredentialId"]
        )
        return {}
