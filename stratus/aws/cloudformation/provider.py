"""CloudFormation's operations: parsed query parameters in, the model's shapes out.

Thin by design: each method reads its parameters into a :class:`StackRequest` or a
lookup, calls the stacks service in the caller's scope and shapes the answer.
"""

from __future__ import annotations

import json
from typing import Any

from stratus.aws.cloudformation.errors import CLOUDFORMATION_ERRORS
from stratus.aws.cloudformation.stack_sets import StackSetOperations
from stratus.aws.cloudformation.types import TypeRegistryOperations
from stratus.aws.context import RequestContext
from stratus.services.stacks.errors import StackValidationError
from stratus.services.stacks.model import ResourceState, Stack, StackEvent
from stratus.services.stacks.service import StacksService
from stratus.services.stacks.sources import StackRequest
from stratus.services.stacks.stack_sets import StackSetsService
from stratus.services.stacks.template.sam import transforms

__all__ = ["CloudFormationProvider"]

Params = dict[str, Any]

_NOT_CHECKED = {"StackResourceDriftStatus": "NOT_CHECKED"}

#: CloudFormation's account quotas, as DescribeAccountLimits reports them.
#: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
ACCOUNT_LIMITS = (
    ("ConcurrentResourcesLimit", 2500),
    ("StackLimit", 2000),
    ("StackOutputsLimit", 200),
)


def _request(params: Params) -> StackRequest:
    given = params.get("Parameters") or []
    return StackRequest(
        name=params["StackName"],
        template_body=params.get("TemplateBody"),
        template_url=params.get("TemplateURL"),
        use_previous_template=bool(params.get("UsePreviousTemplate")),
        parameters={
            p["ParameterKey"]: p.get("ParameterValue", "")
            for p in given
            if not p.get("UsePreviousValue")
        },
        use_previous=frozenset(p["ParameterKey"] for p in given if p.get("UsePreviousValue")),
        capabilities=list(params.get("Capabilities") or []),
        tags={t["Key"]: t.get("Value", "") for t in params.get("Tags") or []},
        disable_rollback=bool(params.get("DisableRollback"))
        or params.get("OnFailure") == "DO_NOTHING",
        description=params.get("Description", ""),
        policy_body=params.get("StackPolicyBody"),
        policy_url=params.get("StackPolicyURL"),
        during_update_body=params.get("StackPolicyDuringUpdateBody"),
        during_update_url=params.get("StackPolicyDuringUpdateURL"),
    )


def _parameters(
    stack_parameters: dict[str, Any], template: dict[str, Any], overrides: dict[str, str]
) -> list[dict[str, str]]:
    """A stack's parameters as AWS shows them: an SSM-typed one's value is the parameter
    name given (or defaulted), and what it resolved to is its ``ResolvedValue``."""
    declared = template.get("Parameters") or {}
    out = []
    for key, value in stack_parameters.items():
        spec = declared.get(key) or {}
        text = ",".join(value) if isinstance(value, list) else str(value)
        if str(spec.get("NoEcho", "")).lower() == "true":
            text = "****"
        entry = {"ParameterKey": key, "ParameterValue": text}
        if str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value<"):
            entry["ParameterValue"] = str(overrides.get(key, spec.get("Default", "")))
            entry["ResolvedValue"] = text
        out.append(entry)
    return out


def _stack(stack: Stack) -> Params:
    out: Params = {
        "StackId": stack.stack_id,
        "StackName": stack.name,
        "CreationTime": stack.created,
        "StackStatus": stack.status,
        "DisableRollback": stack.disable_rollback,
        "NotificationARNs": stack.notification_arns,
        "Capabilities": stack.capabilities,
        "Tags": [{"Key": k, "Value": v} for k, v in stack.tags.items()],
        "Parameters": _parameters(stack.parameters, stack.template, stack.parameter_overrides),
        "EnableTerminationProtection": False,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
    }
    if stack.outputs:
        out["Outputs"] = stack.outputs
    if stack.description:
        out["Description"] = stack.description
    if stack.status_reason:
        out["StackStatusReason"] = stack.status_reason
    if stack.updated:
        out["LastUpdatedTime"] = stack.updated
    if stack.deleted:
        out["DeletionTime"] = stack.deleted
    if stack.change_set_id:
        out["ChangeSetId"] = stack.change_set_id
    if stack.parent_id:
        out["ParentId"], out["RootId"] = stack.parent_id, stack.root_id
    return out


def _resource(stack: Stack, state: ResourceState, *, detail: bool = False) -> Params:
    out: Params = {
        "LogicalResourceId": state.logical_id,
        "PhysicalResourceId": state.physical_id,
        "ResourceType": state.type,
        "ResourceStatus": state.status,
        "DriftInformation": dict(_NOT_CHECKED),
    }
    if state.status_reason:
        out["ResourceStatusReason"] = state.status_reason
    if detail:
        out.update(
            {
                "StackName": stack.name,
                "StackId": stack.stack_id,
                "LastUpdatedTimestamp": state.updated,
            }
        )
    else:
        out["LastUpdatedTimestamp"] = state.updated
    return out


def _event(event: StackEvent) -> Params:
    out: Params = {
        "StackId": event.stack_id,
        "EventId": event.event_id,
        "StackName": event.stack_name,
        "LogicalResourceId": event.logical_id,
        "PhysicalResourceId": event.physical_id,
        "ResourceType": event.type,
        "Timestamp": event.timestamp,
        "ResourceStatus": event.status,
    }
    if event.reason:
        out["ResourceStatusReason"] = event.reason
    return out


def _summary_parameters(template: dict[str, Any]) -> list[Params]:
    out = []
    for key, spec in (template.get("Parameters") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        entry: Params = {
            "ParameterKey": key,
            "ParameterType": str(spec.get("Type", "String")),
            "NoEcho": str(spec.get("NoEcho", "false")).lower() == "true",
        }
        if "Default" in spec:
            entry["DefaultValue"] = str(spec["Default"])
        if "Description" in spec:
            entry["Description"] = str(spec["Description"])
        if "AllowedValues" in spec:
            entry["ParameterConstraints"] = {
                "AllowedValues": [str(v) for v in spec["AllowedValues"]]
            }
        out.append(entry)
    return out


def _capabilities(template: dict[str, Any]) -> list[str]:
    needs: list[str] = []
    for resource in (template.get("Resources") or {}).values():
        if isinstance(resource, dict) and str(resource.get("Type", "")).startswith("AWS::IAM::"):
            needs = ["CAPABILITY_IAM"]
    if transforms(template):
        needs.append("CAPABILITY_AUTO_EXPAND")
    return needs


class CloudFormationProvider(StackSetOperations, TypeRegistryOperations):
    errors = CLOUDFORMATION_ERRORS

    def __init__(self, stacks: StacksService, stack_sets: StackSetsService) -> None:
        self._stacks = stacks
        self._stack_sets = stack_sets

    # -- stacks ---------------------------------------------------------------------------
    async def create_stack(self, ctx: RequestContext, params: Params) -> Params:
        stack = await self._stacks.create_stack(ctx.scope, _request(params))
        return {"StackId": stack.stack_id}

    async def update_stack(self, ctx: RequestContext, params: Params) -> Params:
        stack = await self._stacks.update_stack(ctx.scope, _request(params))
        return {"StackId": stack.stack_id}

    async def delete_stack(self, ctx: RequestContext, params: Params) -> Params:
        await self._stacks.delete_stack(
            ctx.scope, params["StackName"], frozenset(params.get("RetainResources") or [])
        )
        return {}

    async def set_stack_policy(self, ctx: RequestContext, params: Params) -> Params:
        await self._stacks.set_stack_policy(
            ctx.scope,
            params["StackName"],
            params.get("StackPolicyBody"),
            params.get("StackPolicyURL"),
        )
        return {}

    async def get_stack_policy(self, ctx: RequestContext, params: Params) -> Params:
        policy = self._stacks.stack_policy(ctx.scope, params["StackName"])
        return {"StackPolicyBody": policy} if policy else {}

    async def cancel_update_stack(self, ctx: RequestContext, params: Params) -> Params:
        self._stacks.cancel_update(ctx.scope, params["StackName"])
        return {}

    async def continue_update_rollback(self, ctx: RequestContext, params: Params) -> Params:
        await self._stacks.continue_update_rollback(
            ctx.scope, params["StackName"], frozenset(params.get("ResourcesToSkip") or [])
        )
        return {}

    async def describe_account_limits(self, ctx: RequestContext, params: Params) -> Params:
        return {"AccountLimits": [{"Name": n, "Value": v} for n, v in ACCOUNT_LIMITS]}

    async def describe_stacks(self, ctx: RequestContext, params: Params) -> Params:
        return {
            "Stacks": [_stack(s) for s in self._stacks.stacks(ctx.scope, params.get("StackName"))]
        }

    async def list_stacks(self, ctx: RequestContext, params: Params) -> Params:
        wanted = set(params.get("StackStatusFilter") or [])
        summaries = []
        for stack in self._stacks.all_stacks(ctx.scope):
            if wanted and stack.status not in wanted:
                continue
            summary: Params = {
                "StackId": stack.stack_id,
                "StackName": stack.name,
                "CreationTime": stack.created,
                "StackStatus": stack.status,
                "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
            }
            if stack.description:
                summary["TemplateDescription"] = stack.description
            if stack.updated:
                summary["LastUpdatedTime"] = stack.updated
            if stack.deleted:
                summary["DeletionTime"] = stack.deleted
            if stack.status_reason:
                summary["StackStatusReason"] = stack.status_reason
            if stack.parent_id:
                summary["ParentId"], summary["RootId"] = stack.parent_id, stack.root_id
            summaries.append(summary)
        return {"StackSummaries": summaries}

    async def describe_stack_events(self, ctx: RequestContext, params: Params) -> Params:
        return {
            "StackEvents": [_event(e) for e in self._stacks.events(ctx.scope, params["StackName"])]
        }

    async def describe_stack_resource(self, ctx: RequestContext, params: Params) -> Params:
        stack = self._stacks.find(ctx.scope, params["StackName"])
        state = self._stacks.resource(stack, params["LogicalResourceId"])
        return {"StackResourceDetail": _resource(stack, state, detail=True)}

    async def describe_stack_resources(self, ctx: RequestContext, params: Params) -> Params:
        stack = self._stack_of(ctx, params)
        wanted = params.get("LogicalResourceId")
        out = []
        for state in stack.resources.values():
            if wanted and state.logical_id != wanted:
                continue
            entry = _resource(stack, state, detail=True)
            entry["Timestamp"] = entry.pop("LastUpdatedTimestamp")
            out.append(entry)
        return {"StackResources": out}

    def _stack_of(self, ctx: RequestContext, params: Params) -> Stack:
        """DescribeStackResources' stack: by name, or the one holding a physical id."""
        if params.get("StackName"):
            return self._stacks.find(ctx.scope, params["StackName"])
        physical = params.get("PhysicalResourceId")
        if not physical:
            raise StackValidationError("Either StackName or PhysicalResourceId must be specified.")
        for stack in self._stacks.stacks(ctx.scope):
            if any(r.physical_id == physical for r in stack.resources.values()):
                return stack
        raise StackValidationError(f"Stack for {physical} does not exist")

    async def list_stack_resources(self, ctx: RequestContext, params: Params) -> Params:
        stack = self._stacks.find(ctx.scope, params["StackName"])
        return {"StackResourceSummaries": [_resource(stack, s) for s in stack.resources.values()]}

    # -- templates ------------------------------------------------------------------------
    async def get_template(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("ChangeSetName"):
            change_set = self._stacks.change_set(
                ctx.scope, params["ChangeSetName"], params.get("StackName")
            )
            body, processed = change_set.template_body, change_set.processed
        else:
            # AWS's words when neither names a stack
            stack = self._stacks.find(ctx.scope, params.get("StackName") or "null")
            body, processed = stack.template_body, stack.processed
        stage = params.get("TemplateStage", "Original")
        text = json.dumps(processed) if stage == "Processed" else body
        return {"TemplateBody": text, "StagesAvailable": ["Original", "Processed"]}

    async def get_template_summary(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("StackName"):
            stack = self._stacks.find(ctx.scope, params["StackName"])
            template = stack.template
            kinds = sorted({s.type for s in stack.resources.values()})
        else:
            template = (
                await self._stacks.validate(ctx.scope, _request({"StackName": "", **params}))
            ).template
            kinds = sorted(
                {
                    str(r.get("Type"))
                    for r in (template.get("Resources") or {}).values()
                    if isinstance(r, dict)
                }
            )
        out: Params = {
            "Parameters": _summary_parameters(template),
            "ResourceTypes": kinds,
            "Capabilities": _capabilities(template),
            "DeclaredTransforms": transforms(template),
        }
        if template.get("Description"):
            out["Description"] = str(template["Description"])
        if template.get("AWSTemplateFormatVersion"):
            out["Version"] = str(template["AWSTemplateFormatVersion"])
        return out

    async def validate_template(self, ctx: RequestContext, params: Params) -> Params:
        template = (
            await self._stacks.validate(ctx.scope, _request({"StackName": "", **params}))
        ).template
        out: Params = {
            "Parameters": [
                {
                    k: v
                    for k, v in p.items()
                    if k in ("ParameterKey", "DefaultValue", "NoEcho", "Description")
                }
                for p in _summary_parameters(template)
            ],
            "Capabilities": _capabilities(template),
            "DeclaredTransforms": transforms(template),
        }
        if template.get("Description"):
            out["Description"] = str(template["Description"])
        return out

    # -- change sets ----------------------------------------------------------------------
    async def create_change_set(self, ctx: RequestContext, params: Params) -> Params:
        change_set = await self._stacks.create_change_set(
            ctx.scope,
            _request(params),
            params["ChangeSetName"],
            params.get("ChangeSetType", "UPDATE"),
        )
        return {"Id": change_set.change_set_id, "StackId": change_set.stack_id}

    async def describe_change_set(self, ctx: RequestContext, params: Params) -> Params:
        change_set = self._stacks.change_set(
            ctx.scope, params["ChangeSetName"], params.get("StackName")
        )
        out: Params = {
            "ChangeSetName": change_set.name,
            "ChangeSetId": change_set.change_set_id,
            "StackId": change_set.stack_id,
            "StackName": change_set.stack_name,
            "CreationTime": change_set.created,
            "ExecutionStatus": change_set.execution_status,
            "Status": change_set.status,
            "Parameters": _parameters(
                change_set.parameters, change_set.template, change_set.parameter_overrides
            ),
            "Capabilities": change_set.capabilities,
            "Tags": [{"Key": k, "Value": v} for k, v in change_set.tags.items()],
            "Changes": change_set.changes,
            "NotificationARNs": [],
            "IncludeNestedStacks": False,
        }
        if change_set.description:
            out["Description"] = change_set.description
        if change_set.status_reason:
            out["StatusReason"] = change_set.status_reason
        return out

    async def execute_change_set(self, ctx: RequestContext, params: Params) -> Params:
        await self._stacks.execute_change_set(
            ctx.scope,
            params["ChangeSetName"],
            params.get("StackName"),
            bool(params.get("DisableRollback")),
        )
        return {}

    async def delete_change_set(self, ctx: RequestContext, params: Params) -> Params:
        await self._stacks.delete_change_set(
            ctx.scope, params["ChangeSetName"], params.get("StackName")
        )
        return {}

    async def list_change_sets(self, ctx: RequestContext, params: Params) -> Params:
        return {
            "Summaries": [
                {
                    "StackId": c.stack_id,
                    "StackName": c.stack_name,
                    "ChangeSetId": c.change_set_id,
                    "ChangeSetName": c.name,
                    "ExecutionStatus": c.execution_status,
                    "Status": c.status,
                    "CreationTime": c.created,
                    **({"StatusReason": c.status_reason} if c.status_reason else {}),
                }
                for c in self._stacks.change_sets(ctx.scope, params["StackName"])
            ]
        }

    # -- exports --------------------------------------------------------------------------
    async def list_exports(self, ctx: RequestContext, params: Params) -> Params:
        return {
            "Exports": [
                {"ExportingStackId": s.stack_id, "Name": o["ExportName"], "Value": o["OutputValue"]}
                for s, o in self._stacks.exports(ctx.scope)
            ]
        }

    async def list_imports(self, ctx: RequestContext, params: Params) -> Params:
        return {"Imports": self._stacks.importers(ctx.scope, params["ExportName"])}
