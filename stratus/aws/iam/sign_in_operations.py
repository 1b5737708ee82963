"""IAM's sign-in operations: SAML identity providers and virtual MFA devices."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import tag_list, tag_pairs, user_shape
from stratus.services.identity.models import MfaDevice

__all__ = ["SignInOperations"]


class SignInOperations(Operations):
    """Federated and second-factor sign-in, stored as IAM stores it."""

    # -- SAML providers --------------------------------------------------------------
    async def create_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = await self._identity.saml.create(
            ctx.account_id,
            params["Name"],
            params["SAMLMetadataDocument"],
            encryption_mode=params.get("AssertionEncryptionMode"),
            tags=tag_pairs(params),
        )
        return {"SAMLProviderArn": provider.arn, "Tags": tag_list(provider.tags) or None}

    async def get_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = self._identity.saml.get(ctx.account_id, params["SAMLProviderArn"])
        return {
            "SAMLProviderUUID": provider.uuid,
            "SAMLMetadataDocument": provider.metadata,
            "CreateDate": provider.created,
            "ValidUntil": provider.valid_until,
            "Tags": tag_list(provider.tags),
            "AssertionEncryptionMode": provider.encryption_mode,
            "PrivateKeyList": [],
        }

    async def list_saml_providers(self, ctx: RequestContext, params: Params) -> Result:
        return {
            "SAMLProviderList": [
                {"Arn": p.arn, "ValidUntil": p.valid_until, "CreateDate": p.created}
                for p in self._identity.saml.all(ctx.account_id)
            ]
        }

    async def update_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = await self._identity.saml.update(
            ctx.account_id,
            params["SAMLProviderArn"],
            metadata=params.get("SAMLMetadataDocument"),
            encryption_mode=params.get("AssertionEncryptionMode"),
        )
        return {"SAMLProviderArn": provider.arn}

    async def delete_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.saml.delete(ctx.account_id, params["SAMLProviderArn"])
        return {}

    async def tag_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.saml.tag(ctx.account_id, params["SAMLProviderArn"], tag_pairs(params))
        return {}

    async def untag_saml_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.saml.untag(
            ctx.account_id, params["SAMLProviderArn"], params["TagKeys"]
        )
        return {}

    async def list_saml_provider_tags(self, ctx: RequestContext, params: Params) -> Result:
        provider = self._identity.saml.get(ctx.account_id, params["SAMLProviderArn"])
        tags, more = page_of(tag_list(provider.tags), params)
        return {"Tags": tags, **more}

    # -- virtual MFA devices ---------------------------------------------------------
    def _virtual_shape(self, device: MfaDevice) -> Result:
        shape: Result = {"SerialNumber": device.serial}
        if device.user_name is not None:
            user = self._users.get(device.account, device.user_name)
            shape["User"] = user_shape(user, full=False)
            shape["EnableDate"] = device.enabled
        if device.tags:
            shape["Tags"] = tag_list(device.tags)
        return shape

    async def create_virtual_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        device = await self._identity.mfa.create(
            ctx.account_id,
            params["VirtualMFADeviceName"],
            path=params.get("Path", "/"),
            tags=tag_pairs(params),
        )
        return {
            "VirtualMFADevice": {
                "SerialNumber": device.serial,
                "Base32StringSeed": device.seed.encode(),
                "Tags": tag_list(device.tags) or None,
            }
        }

    async def delete_virtual_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.mfa.delete(ctx.account_id, params["SerialNumber"])
        return {}

    async def list_virtual_mfa_devices(self, ctx: RequestContext, params: Params) -> Result:
        found = self._identity.mfa.virtual(ctx.account_id, params.get("AssignmentStatus", "Any"))
        devices, more = page_of(found, params)
        return {"VirtualMFADevices": [self._virtual_shape(d) for d in devices], **more}

    async def enable_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.mfa.enable(
            ctx.account_id,
            params["UserName"],
            params["SerialNumber"],
            params["AuthenticationCode1"],
            params["AuthenticationCode2"],
        )
        return {}

    async def deactivate_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        await self._identity.mfa.deactivate(ctx.account_id, name, params["SerialNumber"])
        return {}

    async def resync_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        """Codes drift only on hardware; a virtual device assigned to the user is in sync."""
        self._identity.mfa.assigned(ctx.account_id, params["UserName"], params["SerialNumber"])
        return {}

    async def get_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        """An enabled device of the user (virtual devices carry no certifications)."""
        name = params.get("UserName") or self._caller_user(ctx)
        device = self._identity.mfa.assigned(ctx.account_id, name, params["SerialNumber"])
        return {
            "UserName": device.user_name,
            "SerialNumber": device.serial,
            "EnableDate": device.enabled,
        }

    async def list_mfa_devices(self, ctx: RequestContext, params: Params) -> Result:
        name = params.get("UserName") or self._caller_user(ctx)
        devices, more = page_of(self._identity.mfa.of_user(ctx.account_id, name), params)
        return {
            "MFADevices": [
                {"UserName": d.user_name, "SerialNumber": d.serial, "EnableDate": d.enabled}
                for d in devices
            ],
            **more,
        }

    async def tag_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.mfa.tag(ctx.account_id, params["SerialNumber"], tag_pairs(params))
        return {}

    async def untag_mfa_device(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.mfa.untag(ctx.account_id, params["SerialNumber"], params["TagKeys"])
        return {}

    async def list_mfa_device_tags(self, ctx: RequestContext, params: Params) -> Result:
        device = self._identity.mfa.get(ctx.account_id, params["SerialNumber"])
        tags, more = page_of(tag_list(device.tags), params)
        return {"Tags": tags, **more}
