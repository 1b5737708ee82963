"""The Logs API's destinations (PutDestination, DescribeDestinations, DeleteDestination,
PutDestinationPolicy) and account-level policies (PutAccountPolicy,
DescribeAccountPolicies, DeleteAccountPolicy), over ``services/logs/account.py``."""

from __future__ import annotations

from stratus.aws.context import RequestContext
from stratus.aws.logs.params import Params
from stratus.services.logs.account import AccountPolicyRecord, DestinationRecord, LogAccount
from stratus.services.logs.errors import InvalidParameter
from stratus.services.logs.paging import page


class AccountApi:
    _account: LogAccount

    # -- destinations --------------------------------------------------------------------
    async def put_destination(self, ctx: RequestContext, params: Params) -> Params:
        record = await self._account.put_destination(
            ctx.scope,
            params["destinationName"],
            params["targetArn"],
            params["roleArn"],
            params.get("tags"),
        )
        return {"destination": _destination(ctx, record)}

    async def describe_destinations(self, ctx: RequestContext, params: Params) -> Params:
        found = self._account.destinations(ctx.scope, params.get("DestinationNamePrefix"))
        chosen, token = page(
            found, lambda d: d.name, int(params.get("limit") or 50), params.get("nextToken")
        )
        result: Params = {"destinations": [_destination(ctx, d) for d in chosen]}
        if token:
            result["nextToken"] = token
        return result

    async def delete_destination(self, ctx: RequestContext, params: Params) -> Params:
        await self._account.delete_destination(ctx.scope, params["destinationName"])
        return {}

    async def put_destination_policy(self, ctx: RequestContext, params: Params) -> Params:
        await self._account.put_destination_policy(
            ctx.scope, params["destinationName"], params["accessPolicy"]
        )
        return {}

    # -- account policies ----------------------------------------------------------------
    async def put_account_policy(self, ctx: RequestContext, params: Params) -> Params:
        policy_type = params["policyType"]
        if params.get("dryRun") and policy_type != "RETENTION_POLICY":
            raise InvalidParameter("dryRun is only supported for RETENTION_POLICY.")
        record = await self._account.put_policy(
            ctx.scope,
            params["policyName"],
            policy_type,
            params["policyDocument"],
            params.get("scope"),
            params.get("selectionCriteria"),
            dry_run=bool(params.get("dryRun")),
        )
        if params.get("dryRun"):
            return {}
        return {"accountPolicy": _policy(ctx, record)}

    async def describe_account_policies(self, ctx: RequestContext, params: Params) -> Params:
        accounts = params.get("accountIdentifiers")
        if accounts and ctx.account_id not in accounts:
            return {"accountPolicies": []}
        found = self._account.policies(ctx.scope, params["policyType"], params.get("policyName"))
        return {"accountPolicies": [_policy(ctx, p) for p in found]}

    async def delete_account_policy(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("dryRun") and params["policyType"] != "RETENTION_POLICY":
            raise InvalidParameter("dryRun is only supported for RETENTION_POLICY.")
        if params.get("dryRun"):
            self._account.policy(ctx.scope, params["policyName"], params["policyType"])
            return {}
        await self._account.delete_policy(ctx.scope, params["policyName"], params["policyType"])
        return {}


def _destination(ctx: RequestContext, record: DestinationRecord) -> Params:
    out: Params = {
        "destinationName": record.name,
        "targetArn": record.target_arn,
        "roleArn": record.role_arn,
        "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:destination:{record.name}",
        "creationTime": record.created_ms,
    }
    if record.access_policy is not None:
        out["accessPolicy"] = record.access_policy
    return out


def _policy(ctx: RequestContext, record: AccountPolicyRecord) -> Params:
    out: Params = {
        "policyName": record.name,
        "policyDocument": record.document,
        "lastUpdatedTime": record.updated_ms,
        "policyType": record.policy_type,
        "scope": record.scope,
        "accountId": ctx.account_id,
    }
    if record.selection is not None:
        out["selectionCriteria"] = record.selection
    return out
