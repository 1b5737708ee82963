"""IAM's role operations: roles, boundaries, service-linked roles, instance profiles, OIDC."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.aws.iam.shapes import instance_profile_shape, role_shape, tag_list, tag_pairs

__all__ = ["RoleOperations"]


class RoleOperations(Operations):
    """Roles and what roles hang on."""

    # -- roles -----------------------------------------------------------------------
    async def create_role(self, ctx: RequestContext, params: Params) -> Result:
        boundary = params.get("PermissionsBoundary")
        role = await self._roles.create(
            ctx.account_id,
            params["RoleName"],
            params["AssumeRolePolicyDocument"],
            path=params.get("Path", "/"),
            description=params.get("Description"),
            max_session_duration=params.get("MaxSessionDuration"),
            boundary=boundary,
            tags=tag_pairs(params),
        )
        shape = role_shape(role)
        shape.pop("RoleLastUsed")
        return {"Role": shape}

    async def get_role(self, ctx: RequestContext, params: Params) -> Result:
        return {"Role": role_shape(self._roles.get(ctx.account_id, params["RoleName"]))}

    async def list_roles(self, ctx: RequestContext, params: Params) -> Result:
        roles, more = page_of(self._roles.under(ctx.account_id, params.get("PathPrefix")), params)
        return {"Roles": [role_shape(r, full=False) for r in roles], **more}

    async def update_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.update(
            ctx.account_id,
            params["RoleName"],
            description=params.get("Description"),
            max_session_duration=params.get("MaxSessionDuration"),
        )
        return {}

    async def update_role_description(self, ctx: RequestContext, params: Params) -> Result:
        role = await self._roles.update(
            ctx.account_id, params["RoleName"], description=params["Description"]
        )
        return {"Role": role_shape(role)}

    async def update_assume_role_policy(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.update_trust_policy(
            ctx.account_id, params["RoleName"], params["PolicyDocument"]
        )
        return {}

    async def delete_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete(ctx.account_id, params["RoleName"])
        return {}

    async def tag_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.tag(ctx.account_id, params["RoleName"], tag_pairs(params))
        return {}

    async def untag_role(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.untag(ctx.account_id, params["RoleName"], params["TagKeys"])
        return {}

    async def list_role_tags(self, ctx: RequestContext, params: Params) -> Result:
        role = self._roles.get(ctx.account_id, params["RoleName"])
        tags, more = page_of(tag_list(role.tags), params)
        return {"Tags": tags, **more}

    async def put_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.put_boundary(
            ctx.account_id, params["RoleName"], params["PermissionsBoundary"]
        )
        return {}

    async def delete_role_permissions_boundary(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete_boundary(ctx.account_id, params["RoleName"])
        return {}

    # -- service-linked roles --------------------------------------------------------
    async def create_service_linked_role(self, ctx: RequestContext, params: Params) -> Result:
        role = await self._roles.create_service_linked(
            ctx.account_id,
            params["AWSServiceName"],
            description=params.get("Description"),
            suffix=params.get("CustomSuffix"),
        )
        return {"Role": role_shape(role)}

    async def delete_service_linked_role(self, ctx: RequestContext, params: Params) -> Result:
        task = await self._roles.delete_service_linked(ctx.account_id, params["RoleName"])
        return {"DeletionTaskId": task}

    async def get_service_linked_role_deletion_status(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        task = self._roles.deletion_status(ctx.account_id, params["DeletionTaskId"])
        return {"Status": task.status}

    # -- instance profiles -----------------------------------------------------------
    def _profile_shape(self, account: str, name: str) -> Result:
        profile = self._roles.get_profile(account, name)
        return instance_profile_shape(profile, self._roles.roles_of(profile))

    async def create_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        profile = await self._roles.create_profile(
            ctx.account_id,
            params["InstanceProfileName"],
            path=params.get("Path", "/"),
            tags=tag_pairs(params),
        )
        return {"InstanceProfile": instance_profile_shape(profile, [])}

    async def get_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        return {
            "InstanceProfile": self._profile_shape(ctx.account_id, params["InstanceProfileName"])
        }

    async def list_instance_profiles(self, ctx: RequestContext, params: Params) -> Result:
        found = self._roles.list_profiles(ctx.account_id, params.get("PathPrefix"))
        profiles, more = page_of(found, params)
        return {
            "InstanceProfiles": [
                instance_profile_shape(p, self._roles.roles_of(p)) for p in profiles
            ],
            **more,
        }

    async def list_instance_profiles_for_role(self, ctx: RequestContext, params: Params) -> Result:
        self._roles.get(ctx.account_id, params["RoleName"])
        found = self._roles.profiles_for(ctx.account_id, params["RoleName"])
        profiles, more = page_of(found, params)
        return {
            "InstanceProfiles": [
                instance_profile_shape(p, self._roles.roles_of(p)) for p in profiles
            ],
            **more,
        }

    async def delete_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.delete_profile(ctx.account_id, params["InstanceProfileName"])
        return {}

    async def add_role_to_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.add_to_profile(
            ctx.account_id, params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    async def remove_role_from_instance_profile(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._roles.remove_from_profile(
            ctx.account_id, params["InstanceProfileName"], params["RoleName"]
        )
        return {}

    async def tag_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.tag_profile(
            ctx.account_id, params["InstanceProfileName"], tag_pairs(params)
        )
        return {}

    async def untag_instance_profile(self, ctx: RequestContext, params: Params) -> Result:
        await self._roles.untag_profile(
            ctx.account_id, params["InstanceProfileName"], params["TagKeys"]
        )
        return {}

    async def list_instance_profile_tags(self, ctx: RequestContext, params: Params) -> Result:
        profile = self._roles.get_profile(ctx.account_id, params["InstanceProfileName"])
        tags, more = page_of(tag_list(profile.tags), params)
        return {"Tags": tags, **more}

    # -- OpenID Connect providers ----------------------------------------------------
    async def create_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = await self._identity.oidc.create(
            ctx.account_id,
            params["Url"],
            client_ids=params.get("ClientIDList") or [],
            thumbprints=params.get("ThumbprintList") or [],
            tags=tag_pairs(params),
        )
        return {"OpenIDConnectProviderArn": provider.arn, "Tags": tag_list(provider.tags) or None}

    async def get_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        provider = self._identity.oidc.get(ctx.account_id, params["OpenIDConnectProviderArn"])
        return {
            "Url": provider.name,
            "ClientIDList": provider.client_ids,
            "ThumbprintList": provider.thumbprints,
            "CreateDate": provider.created,
            "Tags": tag_list(provider.tags) or None,
        }

    async def list_open_id_connect_providers(self, ctx: RequestContext, params: Params) -> Result:
        providers = self._identity.oidc.all(ctx.account_id)
        return {"OpenIDConnectProviderList": [{"Arn": p.arn} for p in providers]}

    async def delete_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.delete(ctx.account_id, params["OpenIDConnectProviderArn"])
        return {}

    async def add_client_id_to_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.add_client_id(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ClientID"]
        )
        return {}

    async def remove_client_id_from_open_id_connect_provider(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.remove_client_id(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ClientID"]
        )
        return {}

    async def update_open_id_connect_provider_thumbprint(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        await self._identity.oidc.update_thumbprints(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["ThumbprintList"]
        )
        return {}

    async def tag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.tag(
            ctx.account_id, params["OpenIDConnectProviderArn"], tag_pairs(params)
        )
        return {}

    async def untag_open_id_connect_provider(self, ctx: RequestContext, params: Params) -> Result:
        await self._identity.oidc.untag(
            ctx.account_id, params["OpenIDConnectProviderArn"], params["TagKeys"]
        )
        return {}

    async def list_open_id_connect_provider_tags(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        provider = self._identity.oidc.get(ctx.account_id, params["OpenIDConnectProviderArn"])
        tags, more = page_of(tag_list(provider.tags), params)
        return {"Tags": tags, **more}
