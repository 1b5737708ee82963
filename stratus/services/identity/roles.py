"""IAM roles, service-linked roles and instance profiles of an account.

A role is created with its trust policy (checked with the trust grammar: a principal,
no resource), may carry a permissions boundary, tags, attached and inline policies
(managed in ``policies.py``), and belongs to instance profiles. Deleting it is refused
while anything still hangs on it, as IAM refuses (DeleteConflict).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace

from stratus.services.identity.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    UnmodifiableEntity,
)
from stratus.services.identity.ids import INSTANCE_PROFILE_PREFIX, ROLE_PREFIX, new_unique_id
from stratus.services.identity.models import DeletionTask, InstanceProfile, Role
from stratus.services.identity.names import (
    check_length,
    check_name,
    check_path,
    check_path_prefix,
    check_range,
)
from stratus.services.identity.policy import PolicyKind, compact_size, parse_policy
from stratus.services.identity.state import IdentityState
from stratus.services.identity.tags import merge_tags, remove_tags

__all__ = ["Roles", "service_role_name"]

TRUST_POLICY_QUOTA = 2048
MAX_ROLE_POLICIES = 10  # managed policies attached to one role (IAM's default quota)

#: AWS's role names for the services users most often create service-linked roles for;
#: others follow the usual ``AWSServiceRoleFor<Service>`` shape.
_SERVICE_ROLE_NAMES = {
    "autoscaling.amazonaws.com": "AWSServiceRoleForAutoScaling",
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "lambda.amazonaws.com": "AWSServiceRoleForLambda",
    "rds.amazonaws.com": "AWSServiceRoleForRDS",
    "es.amazonaws.com": "AWSServiceRoleForAmazonElasticsearchService",
    "elasticbeanstalk.amazonaws.com": "AWSServiceRoleForElasticBeanstalk",
    "spot.amazonaws.com": "AWSServiceRoleForEC2Spot",
    "apigateway.amazonaws.com": "AWSServiceRoleForAPIGateway",
    "events.amazonaws.com": "AWSServiceRoleForCloudWatchEvents",
    "dynamodb.application-autoscaling.amazonaws.com": (
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
    ),
}


def service_role_name(service: str, suffix: str | None = None) -> str:
    """The name IAM gives a service-linked role of ``service``."""
    name = _SERVICE_ROLE_NAMES.get(service)
    if name is None:
        label = service.split(".")[0]
        name = "AWSServiceRoleFor" + "".join(p[:1].upper() + p[1:] for p in label.split("-"))
    return f"{name}_{suffix}" if suffix else name


def _trust_policy(document: str) -> str:
    parse_policy(document, PolicyKind.TRUST)
    if compact_size(document) > TRUST_POLICY_QUOTA:
        raise LimitExceeded(f"Cannot exceed quota for ACLSizePerRole: {TRUST_POLICY_QUOTA}")
    return document


def _description(description: str | None) -> None:
    if description is not None:
        check_length(description, "description", 0, 1000)


class Roles:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    # -- roles -----------------------------------------------------------------------
    async def create(
        self,
        account: str,
        name: str,
        trust_policy: str,
        *,
        path: str = "/",
        description: str | None = None,
        max_session_duration: int | None = None,
        boundary: str | None = None,
        tags: Iterable[tuple[str, str]] = (),
    ) -> Role:
        check_name(name, "roleName")
        check_path(path)
        _description(description)
        if max_session_duration is not None:
            check_range(max_session_duration, "maxSessionDuration", 3600, 43200)
        _trust_policy(trust_policy)
        if boundary is not None:
            self._boundary(account, boundary)
        tag_map = merge_tags({}, tags)
        async with self._state.lock:
            if name.lower() in self._state.account(account).roles:
                raise EntityAlreadyExists(f"Role with name {name} already exists.")
            role = Role(
                account=account,
                name=name,
                role_id=new_unique_id(ROLE_PREFIX),
                path=path,
                trust_policy=trust_policy,
                created=self._state.clock(),
                description=description,
                max_session_duration=max_session_duration or 3600,
                boundary=boundary,
                tags=tag_map,
            )
            await self._state.commit([role])
        return role

    def get(self, account: str, name: str) -> Role:
        return self._state.role(account, name)

    def under(self, account: str, path_prefix: str | None = None) -> list[Role]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        roles = self._state.account(account).roles.values()
        return sorted(
            (r for r in roles if r.path.startswith(path_prefix or "/")),
            key=lambda r: r.name.lower(),
        )

    async def update(
        self,
        account: str,
        name: str,
        *,
        description: str | None = None,
        max_session_duration: int | None = None,
    ) -> Role:
        _description(description)
        if max_session_duration is not None:
            check_range(max_session_duration, "maxSessionDuration", 3600, 43200)
        async with self._state.lock:
            role = self._modifiable(account, name)
            changed = replace(
                role,
                description=role.description if description is None else description,
                max_session_duration=max_session_duration or role.max_session_duration,
            )
            await self._state.commit([changed])
        return changed

    async def update_trust_policy(self, account: str, name: str, document: str) -> None:
        _trust_policy(document)
        async with self._state.lock:
            role = self._modifiable(account, name)
            await self._state.commit([replace(role, trust_policy=document)])

    async def delete(self, account: str, name: str) -> None:
        async with self._state.lock:
            role = self._modifiable(account, name)
            self._check_deletable(role)
            await self._state.commit(deletes=[role])

    def _check_deletable(self, role: Role) -> None:
        if role.attached:
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        if role.inline:
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if self.profiles_for(role.account, role.name):
            raise DeleteConflict(
                "Cannot delete entity, must remove roles from instance profile first."
            )

    def _modifiable(self, account: str, name: str) -> Role:
        role = self._state.role(account, name)
        if role.service is not None:
            raise UnmodifiableEntity(
                f"Cannot perform the operation on the protected role '{role.name}' - "
                "this role is only modifiable by AWS"
            )
        return role

    def _boundary(self, account: str, arn: str) -> None:
        if self._state.policy(account, arn) is None:
            raise NoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.")

    async def put_boundary(self, account: str, name: str, arn: str) -> None:
        self._boundary(account, arn)
        async with self._state.lock:
            role = self._modifiable(account, name)
            await self._state.commit([replace(role, boundary=arn)])

    async def delete_boundary(self, account: str, name: str) -> None:
        async with self._state.lock:
            role = self._modifiable(account, name)
            await self._state.commit([replace(role, boundary=None)])

    async def tag(self, account: str, name: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            role = self._state.role(account, name)
            await self._state.commit([replace(role, tags=merge_tags(role.tags, tags))])

    async def untag(self, account: str, name: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            role = self._state.role(account, name)
            await self._state.commit([replace(role, tags=remove_tags(role.tags, keys))])

    async def note_used(self, role: Role, region: str) -> None:
        """AssumeRole records RoleLastUsed, as IAM shows it in GetRole."""
        async with self._state.lock:
            current = self._state.account(role.account).roles.get(role.name.lower())
            if current is not None:
                used = replace(current, last_used=self._state.clock(), last_used_region=region)
                await self._state.commit([used])

    # -- service-linked roles --------------------------------------------------------
    async def create_service_linked(
        self,
        account: str,
        service: str,
        *,
        description: str | None = None,
        suffix: str | None = None,
    ) -> Role:
        check_length(service, "aWSServiceName", 1, 128)
        if suffix is not None:
            check_name(suffix, "customSuffix")
        _description(description)
        if not service.endswith(".amazonaws.com"):
            raise InvalidInput(f"Invalid ServiceName: {service}")
        name = service_role_name(service, suffix)
        trust = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":'
            f'{{"Service":["{service}"]}},"Action":["sts:AssumeRole"]}}]}}'
        )
        async with self._state.lock:
            if name.lower() in self._state.account(account).roles:
                raise InvalidInput(
                    f"Service role name {name} has been taken in this account, please try "
                    "a different suffix."
                )
            role = Role(
                account=account,
                name=name,
                role_id=new_unique_id(ROLE_PREFIX),
                path=f"/aws-service-role/{service}/",
                trust_policy=trust,
                created=self._state.clock(),
                description=description,
                service=service,
            )
            await self._state.commit([role])
        return role

    async def delete_service_linked(self, account: str, name: str) -> str:
        """Deletes at once (nothing uses the role here) and returns the task id."""
        async with self._state.lock:
            role = self._state.role(account, name)
            if role.service is None:
                raise InvalidInput(f"Role {name} is not a service-linked role.")
            task = DeletionTask(
                account,
                f"task/aws-service-role/{role.service}/{role.name}/{uuid.uuid4()}",
            )
            await self._state.commit([task], deletes=[role])
        return task.task_id

    def deletion_status(self, account: str, task_id: str) -> DeletionTask:
        task = self._state.account(account).tasks.get(task_id)
        if task is None:
            raise NoSuchEntity(f"Deletion task {task_id} cannot be found.")
        return task

    # -- instance profiles -----------------------------------------------------------
    async def create_profile(
        self,
        account: str,
        name: str,
        *,
        path: str = "/",
        tags: Iterable[tuple[str, str]] = (),
    ) -> InstanceProfile:
        check_name(name, "instanceProfileName", 128)
        check_path(path)
        tag_map = merge_tags({}, tags)
        async with self._state.lock:
            if name.lower() in self._state.account(account).profiles:
                raise EntityAlreadyExists(f"Instance Profile {name} already exists.")
            profile = InstanceProfile(
                account=account,
                name=name,
                profile_id=new_unique_id(INSTANCE_PROFILE_PREFIX),
                path=path,
                created=self._state.clock(),
                tags=tag_map,
            )
            await self._state.commit([profile])
        return profile

    def get_profile(self, account: str, name: str) -> InstanceProfile:
        return self._state.profile(account, name)

    def list_profiles(self, account: str, path_prefix: str | None = None) -> list[InstanceProfile]:
        if path_prefix is not None:
            check_path_prefix(path_prefix)
        profiles = self._state.account(account).profiles.values()
        return sorted(
            (p for p in profiles if p.path.startswith(path_prefix or "/")),
            key=lambda p: p.name.lower(),
        )

    async def delete_profile(self, account: str, name: str) -> None:
        async with self._state.lock:
            profile = self._state.profile(account, name)
            if profile.roles:
                raise DeleteConflict(
                    "Cannot delete entity, must remove roles from instance profile first."
                )
            await self._state.commit(deletes=[profile])

    async def add_to_profile(self, account: str, profile_name: str, role_name: str) -> None:
        async with self._state.lock:
            profile = self._state.profile(account, profile_name)
            role = self._state.role(account, role_name)
            if profile.roles:
                raise LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
            await self._state.commit([replace(profile, roles=[role.name])])

    async def remove_from_profile(self, account: str, profile_name: str, role_name: str) -> None:
        async with self._state.lock:
            profile = self._state.profile(account, profile_name)
            self._state.role(account, role_name)
            kept = [r for r in profile.roles if r.lower() != role_name.lower()]
            if len(kept) == len(profile.roles):
                raise NoSuchEntity(f"The role with name {role_name} cannot be found.")
            await self._state.commit([replace(profile, roles=kept)])

    async def tag_profile(self, account: str, name: str, tags: Iterable[tuple[str, str]]) -> None:
        async with self._state.lock:
            profile = self._state.profile(account, name)
            await self._state.commit([replace(profile, tags=merge_tags(profile.tags, tags))])

    async def untag_profile(self, account: str, name: str, keys: Iterable[str]) -> None:
        async with self._state.lock:
            profile = self._state.profile(account, name)
            await self._state.commit([replace(profile, tags=remove_tags(profile.tags, keys))])

    def profiles_for(self, account: str, role_name: str) -> list[InstanceProfile]:
        lowered = role_name.lower()
        profiles = self._state.account(account).profiles.values()
        return sorted(
            (p for p in profiles if any(r.lower() == lowered for r in p.roles)),
            key=lambda p: p.name.lower(),
        )

    def roles_of(self, profile: InstanceProfile) -> list[Role]:
        roles = self._state.account(profile.account).roles
        return [roles[r.lower()] for r in profile.roles if r.lower() in roles]
