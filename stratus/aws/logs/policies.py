"""The Logs API's policies and keys: PutResourcePolicy, DescribeResourcePolicies,
DeleteResourcePolicy, Put/Get/DeleteDataProtectionPolicy, AssociateKmsKey and
DisassociateKmsKey (stored and shown, not enforced: docs/logs.md)."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params, group_arn, group_of_resource
from stratus.services.logs.errors import InvalidParameter
from stratus.services.logs.paging import page
from stratus.services.logs.policies import LogPolicies
from stratus.services.logs.records import ResourcePolicyRecord


def _policy(record: ResourcePolicyRecord) -> Params:
    shown: Params = {
        "policyName": record.name,
        "policyDocument": record.document,
        "lastUpdatedTime": record.updated_ms,
        "policyScope": "RESOURCE" if record.resource_arn else "ACCOUNT",
    }
    if record.resource_arn:
        shown["resourceArn"] = record.resource_arn
        shown["revisionId"] = record.revision_id
    return shown


def _identifier(params: Params) -> str:
    """The group of a DataProtectionPolicy call's ``logGroupIdentifier`` (name or ARN)."""
    return str(params["logGroupIdentifier"]).rsplit(":log-group:", 1)[-1].removesuffix(":*")


class PoliciesApi:
    _policies: LogPolicies

    # -- resource policies ---------------------------------------------------------------
    async def put_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        arn = _resource_arn(ctx, params)
        record = await self._policies.put_resource_policy(
            ctx.scope,
            params.get("policyName"),
            params.get("policyDocument"),
            resource_group=group_of_resource(ctx, arn) if arn else None,
            resource_arn=arn,
            expected_revision=params.get("expectedRevisionId"),
        )
        result: Params = {"resourcePolicy": _policy(record)}
        if record.revision_id:
            result["revisionId"] = record.revision_id
        return result

    async def describe_resource_policies(self, ctx: RequestContext, params: Params) -> Params:
        arn = _resource_arn(ctx, params)
        if params.get("policyScope") == "ACCOUNT" and arn:
            raise InvalidParameter("resourceArn cannot be specified with policyScope ACCOUNT.")
        found = self._policies.resource_policies(ctx.scope, arn, params.get("policyScope"))
        chosen, token = page(
            found,
            lambda p: f"{p.resource_arn}\x00{p.name}",
            int(params.get("limit") or 50),
            params.get("nextToken"),
        )
        result: Params = {"resourcePolicies": [_policy(p) for p in chosen]}
        if token:
            result["nextToken"] = token
        return result

    async def delete_resource_policy(self, ctx: RequestContext, params: Params) -> Params:
        arn = _resource_arn(ctx, params)
        await self._policies.delete_resource_policy(
            ctx.scope, params.get("policyName"), arn, params.get("expectedRevisionId")
        )
        return {}

    # -- data protection -----------------------------------------------------------------
    async def put_data_protection_policy(self, ctx: RequestContext, params: Params) -> Params:
        record = await self._policies.put_data_protection(
            ctx.scope, _identifier(params), params["policyDocument"]
        )
        return {
            "logGroupIdentifier": params["logGroupIdentifier"],
            "policyDocument": record.document,
            "lastUpdatedTime": record.updated_ms,
        }

    async def get_data_protection_policy(self, ctx: RequestContext, params: Params) -> Params:
        record = self._policies.data_protection(ctx.scope, _identifier(params))
        result: Params = {"logGroupIdentifier": params["logGroupIdentifier"]}
        if record is not None:
            result["policyDocument"] = record.document
            result["lastUpdatedTime"] = record.updated_ms
        return result

    async def delete_data_protection_policy(self, ctx: RequestContext, params: Params) -> Params:
        await self._policies.delete_data_protection(ctx.scope, _identifier(params))
        return {}

    # -- KMS keys ------------------------------------------------------------------------
    async def associate_kms_key(self, ctx: RequestContext, params: Params) -> Params:
        await self._policies.associate_kms_key(
            ctx.scope, _kms_target(ctx, params), params["kmsKeyId"]
        )
        return {}

    async def disassociate_kms_key(self, ctx: RequestContext, params: Params) -> Params:
        await self._policies.disassociate_kms_key(ctx.scope, _kms_target(ctx, params))
        return {}


def _resource_arn(ctx: RequestContext, params: Params) -> str:
    """A request's ``resourceArn`` as the group's ARN (with or without ``:*``, one
    policy); "" when none is given."""
    arn = params.get("resourceArn")
    return group_arn(ctx, group_of_resource(ctx, str(arn))) if arn else ""


def _kms_target(ctx: RequestContext, params: Params) -> str:
    """The group of ``logGroupName`` or of a log group ARN in ``resourceIdentifier``
    (query results' keys, ``query-result:*``, are not kept here)."""
    name, identifier = params.get("logGroupName"), params.get("resourceIdentifier")
    if name and identifier:
        raise InvalidParameter(
            "logGroupName and resourceIdentifier are mutually exclusive parameters."
        )
    if name:
        return str(name)
    if not identifier:
        raise InvalidParameter("Either logGroupName or resourceIdentifier must be provided.")
    return group_of_resource(ctx, str(identifier))
