"""CloudFormation's StackSet operations: parsed parameters in, the model's shapes out.

A mixin of :class:`~stratus.aws.cloudformation.provider.CloudFormationProvider`, kept
apart so each module stays about one part of the API.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.cloudformation.pages import page
from stratus.aws.context import RequestContext
from stratus.services.stacks.errors import StackValidationError
from stratus.services.stacks.stack_set_model import Operation, StackInstance, StackSet
from stratus.services.stacks.stack_sets import StackSetSpec, StackSetsService, Targets

__all__ = ["StackSetOperations"]

Params = dict[str, Any]


def _spec(params: Params) -> StackSetSpec:
    given = params.get("Parameters") or []
    tags = params.get("Tags")
    return StackSetSpec(
        template_body=params.get("TemplateBody"),
        template_url=params.get("TemplateURL"),
        use_previous_template=bool(params.get("UsePreviousTemplate")),
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "")
            for p in given
            if not p.get("UsePreviousValue")
        },
        use_previous=frozenset(p["ParameterKey"] for p in given if p.get("UsePreviousValue")),
        capabilities=params.get("Capabilities"),
        tags=None if tags is None else {t["Key"]: t.get("Value", "") for t in tags},
        description=params.get("Description"),
        administration_role=params.get("AdministrationRoleARN"),
        execution_role=params.get("ExecutionRoleName"),
        permission_model=params.get("PermissionModel"),
    )


def _targets(params: Params, *, required: bool = True) -> Targets | None:
    """Accounts x Regions. SELF_MANAGED sets name accounts, in ``Accounts`` or in
    ``DeploymentTargets.Accounts``; organizational units belong to SERVICE_MANAGED."""
    targets = params.get("DeploymentTargets") or {}
    if targets.get("OrganizationalUnitIds"):
        raise StackValidationError(
            "StackSets with SELF_MANAGED permission model can only have accounts as target"
        )
    accounts = params.get("Accounts") or targets.get("Accounts")
    if not accounts:
        if not required and not params.get("Regions"):
            return None
        raise StackValidationError("Accounts or DeploymentTargets must be specified")
    regions = params.get("Regions")
    if not regions:
        if not required:
            raise StackValidationError("Regions must be specified together with Accounts")
        raise StackValidationError("Regions must be specified")
    return [(a, r) for r in regions for a in accounts]


def _preferences(params: Params) -> Params:
    """OperationPreferences, with the pairs AWS takes one of at most."""
    preferences: Params = params.get("OperationPreferences") or {}
    for first, second in (
        ("FailureToleranceCount", "FailureTolerancePercentage"),
        ("MaxConcurrentCount", "MaxConcurrentPercentage"),
    ):
        if first in preferences and second in preferences:
            raise StackValidationError(f"You must specify either {first} or {second}, but not both")
    return preferences


def _overrides(params: Params) -> tuple[dict[str, str] | None, frozenset[str]]:
    given = params.get("ParameterOverrides")
    if given is None:
        return None, frozenset()
    return (
        {
            p["ParameterKey"]: p.get("ParameterValue", "")
            for p in given
            if not p.get("UsePreviousValue")
        },
        frozenset(p["ParameterKey"] for p in given if p.get("UsePreviousValue")),
    )


def _parameters(values: dict[str, str]) -> list[Params]:
    return [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()]


def _stack_set(stack_set: StackSet) -> Params:
    out: Params = {
        "StackSetName": stack_set.name,
        "StackSetId": stack_set.stack_set_id,
        "Status": stack_set.status,
        "TemplateBody": stack_set.template_body,
        "Parameters": _parameters(stack_set.parameters),
        "Capabilities": stack_set.capabilities,
        "Tags": [{"Key": k, "Value": v} for k, v in stack_set.tags.items()],
        "StackSetARN": stack_set.arn,
        "AdministrationRoleARN": stack_set.administration_role,
        "ExecutionRoleName": stack_set.execution_role,
        "StackSetDriftDetectionDetails": {"DriftStatus": "NOT_CHECKED"},
        "PermissionModel": "SELF_MANAGED",
        "ManagedExecution": {"Active": False},
        "Regions": sorted({i.region for i in stack_set.instances.values()}),
    }
    if stack_set.description:
        out["Description"] = stack_set.description
    return out


def _instance(stack_set: StackSet, instance: StackInstance, *, detail: bool = False) -> Params:
    out: Params = {
        "StackSetId": stack_set.stack_set_id,
        "Region": instance.region,
        "Account": instance.account,
        "Status": instance.status,
        "StackInstanceStatus": {"DetailedStatus": instance.detailed},
        "DriftStatus": "NOT_CHECKED",
    }
    if instance.stack_id:
        out["StackId"] = instance.stack_id
    if instance.reason:
        out["StatusReason"] = instance.reason
    if instance.last_operation_id:
        out["LastOperationId"] = instance.last_operation_id
    if detail:
        out["ParameterOverrides"] = _parameters(instance.overrides)
    return out


def _operation_summary(operation: Operation) -> Params:
    out: Params = {
        "OperationId": operation.operation_id,
        "Action": operation.action,
        "Status": operation.status,
        "CreationTimestamp": operation.created,
        "StatusDetails": {
            "FailedStackInstancesCount": sum(
                1 for r in operation.results if r["Status"] == "FAILED"
            )
        },
        "OperationPreferences": operation.preferences,
    }
    if operation.ended is not None:
        out["EndTimestamp"] = operation.ended
    if operation.reason:
        out["StatusReason"] = operation.reason
    return out


class StackSetOperations:
    _stack_sets: StackSetsService

    # -- the set --------------------------------------------------------------------------
    async def create_stack_set(self, ctx: RequestContext, params: Params) -> Params:
        stack_set = await self._stack_sets.create_stack_set(
            ctx.scope, params["StackSetName"], _spec(params)
        )
        return {"StackSetId": stack_set.stack_set_id}

    async def describe_stack_set(self, ctx: RequestContext, params: Params) -> Params:
        return {"StackSet": _stack_set(self._stack_sets.find(ctx.scope, params["StackSetName"]))}

    async def list_stack_sets(self, ctx: RequestContext, params: Params) -> Params:
        return page(
            "Summaries",
            [
                {
                    "StackSetName": s.name,
                    "StackSetId": s.stack_set_id,
                    "Status": s.status,
                    "PermissionModel": "SELF_MANAGED",
                    "DriftStatus": "NOT_CHECKED",
                    "ManagedExecution": {"Active": False},
                    **({"Description": s.description} if s.description else {}),
                }
                for s in self._stack_sets.stack_sets(ctx.scope, params.get("Status"))
            ],
            params,
        )

    async def update_stack_set(self, ctx: RequestContext, params: Params) -> Params:
        operation_id = await self._stack_sets.update_stack_set(
            ctx.scope,
            params["StackSetName"],
            _spec(params),
            _targets(params, required=False),
            _preferences(params),
            params["OperationId"],
        )
        return {"OperationId": operation_id}

    async def delete_stack_set(self, ctx: RequestContext, params: Params) -> Params:
        await self._stack_sets.delete_stack_set(ctx.scope, params["StackSetName"])
        return {}

    # -- instances ------------------------------------------------------------------------
    async def create_stack_instances(self, ctx: RequestContext, params: Params) -> Params:
        overrides, _ = _overrides(params)
        targets = _targets(params)
        assert targets is not None
        operation_id = await self._stack_sets.create_instances(
            ctx.scope,
            params["StackSetName"],
            targets,
            overrides or {},
            _preferences(params),
            params["OperationId"],
        )
        return {"OperationId": operation_id}

    async def update_stack_instances(self, ctx: RequestContext, params: Params) -> Params:
        overrides, keep = _overrides(params)
        targets = _targets(params)
        assert targets is not None
        operation_id = await self._stack_sets.update_instances(
            ctx.scope,
            params["StackSetName"],
            targets,
            overrides,
            keep,
            _preferences(params),
            params["OperationId"],
        )
        return {"OperationId": operation_id}

    async def delete_stack_instances(self, ctx: RequestContext, params: Params) -> Params:
        targets = _targets(params)
        assert targets is not None
        operation_id = await self._stack_sets.delete_instances(
            ctx.scope,
            params["StackSetName"],
            targets,
            bool(params["RetainStacks"]),
            _preferences(params),
            params["OperationId"],
        )
        return {"OperationId": operation_id}

    async def describe_stack_instance(self, ctx: RequestContext, params: Params) -> Params:
        stack_set = self._stack_sets.find(ctx.scope, params["StackSetName"])
        instance = self._stack_sets.instance(
            ctx.scope,
            params["StackSetName"],
            params["StackInstanceAccount"],
            params["StackInstanceRegion"],
        )
        return {"StackInstance": _instance(stack_set, instance, detail=True)}

    async def list_stack_instances(self, ctx: RequestContext, params: Params) -> Params:
        stack_set = self._stack_sets.find(ctx.scope, params["StackSetName"])
        account = params.get("StackInstanceAccount")
        region = params.get("StackInstanceRegion")
        filters = {f["Name"]: f["Values"] for f in params.get("Filters") or []}
        out = []
        for instance in stack_set.instances.values():
            if account and instance.account != account:
                continue
            if region and instance.region != region:
                continue
            if "DETAILED_STATUS" in filters and instance.detailed != filters["DETAILED_STATUS"]:
                continue
            if (
                "LAST_OPERATION_ID" in filters
                and instance.last_operation_id != filters["LAST_OPERATION_ID"]
            ):
                continue
            if "DRIFT_STATUS" in filters and filters["DRIFT_STATUS"] != "NOT_CHECKED":
                continue
            out.append(_instance(stack_set, instance))
        return page("Summaries", out, params)

    # -- operations -----------------------------------------------------------------------
    async def describe_stack_set_operation(self, ctx: RequestContext, params: Params) -> Params:
        stack_set = self._stack_sets.find(ctx.scope, params["StackSetName"])
        operation = self._stack_sets.operation(
            ctx.scope, params["StackSetName"], params["OperationId"]
        )
        out = _operation_summary(operation)
        out["StackSetId"] = stack_set.stack_set_id
        out["AdministrationRoleARN"] = stack_set.administration_role
        out["ExecutionRoleName"] = stack_set.execution_role
        if operation.retain_stacks is not None:
            out["RetainStacks"] = operation.retain_stacks
        return {"StackSetOperation": out}

    async def list_stack_set_operations(self, ctx: RequestContext, params: Params) -> Params:
        stack_set = self._stack_sets.find(ctx.scope, params["StackSetName"])
        return {"Summaries": [_operation_summary(o) for o in reversed(stack_set.operations)]}

    async def list_stack_set_operation_results(self, ctx: RequestContext, params: Params) -> Params:
        operation = self._stack_sets.operation(
            ctx.scope, params["StackSetName"], params["OperationId"]
        )
        return page(
            "Summaries",
            [
                {
                    "Account": r["Account"],
                    "Region": r["Region"],
                    "Status": r["Status"],
                    **({"StatusReason": r["StatusReason"]} if r["StatusReason"] else {}),
                    "AccountGateResult": {
                        "Status": "SKIPPED",
                        "StatusReason": "Function not found: "
                        f"arn:aws:lambda:{r['Region']}:{r['Account']}:function:AWSCloudFormationStackSetAccountGate",
                    },
                }
                for r in operation.results
            ],
            params,
        )

    async def stop_stack_set_operation(self, ctx: RequestContext, params: Params) -> Params:
        await self._stack_sets.stop_operation(
            ctx.scope, params["StackSetName"], params["OperationId"]
        )
        return {}
