"""AWS::Events::*, AWS::Scheduler::Schedule and AWS::StepFunctions::StateMachine (with its
StateMachineVersion and StateMachineAlias) through our own APIs (AWS::Logs::* is
logs.py)."""

from __future__ import annotations

import json
import re
from typing import Any

from stratus.services.stacks.resources.base import (
    Handler,
    Provisioned,
    Provisioning,
    ignore_missing,
    pick,
)


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


class EventBusHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params = {"Name": props["Name"], **pick(props, "EventSourceName", "Description")}
        params["Tags"] = ctx.tag_list(logical_id, props.get("Tags"))
        arn = (await ctx.call("events", "CreateEventBus", params))["EventBusArn"]
        return Provisioned(props["Name"], {"Arn": arn, "Name": props["Name"]})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(ctx.call("events", "DeleteEventBus", {"Name": current.physical_id}))


class EventBusPolicyHandler(Handler):
    """One statement of a bus's policy, under its StatementId: from Action, Principal and
    Condition (PutPermission's parameters), or a whole ``Statement``, which joins the
    bus's policy with ``Sid`` set to the StatementId (PutPermission's ``Policy`` replaces
    the whole policy, so the statement is merged into the one the bus has)."""

    required = ("StatementId",)

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        bus = props.get("EventBusName") or "default"
        sid = props["StatementId"]
        if props.get("Statement") is not None:
            raw = props["Statement"]
            statement = dict(json.loads(raw) if isinstance(raw, str) else raw)
            statement["Sid"] = sid
            described = await ctx.call("events", "DescribeEventBus", {"Name": bus})
            policy = json.loads(described.get("Policy") or '{"Version": "2012-10-17"}')
            kept = [s for s in _listed(policy.get("Statement")) if s.get("Sid") != sid]
            policy["Statement"] = [*kept, statement]
            await ctx.call(
                "events", "PutPermission", {"EventBusName": bus, "Policy": json.dumps(policy)}
            )
        else:
            params = {"EventBusName": bus, "StatementId": sid}
            params.update(pick(props, "Action", "Principal", "Condition"))
            await ctx.call("events", "PutPermission", params)
        return Provisioned(sid)

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        moved = (old.get("EventBusName") or "default", old["StatementId"]) != (
            new.get("EventBusName") or "default",
            new["StatementId"],
        )
        if moved:
            await self.delete(ctx, current, old)
        return await self.create(ctx, logical_id, new)

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        params = {
            "EventBusName": props.get("EventBusName") or "default",
            "StatementId": props.get("StatementId") or current.physical_id,
        }
        await ignore_missing(ctx.call("events", "RemovePermission", params))


def _listed(statements: Any) -> list[dict[str, Any]]:
    if isinstance(statements, dict):
        return [statements]
    return [s for s in statements or [] if isinstance(s, dict)]


def _target(target: dict[str, Any]) -> dict[str, Any]:
    out = pick(
        target,
        "Id",
        "Arn",
        "RoleArn",
        "Input",
        "InputPath",
        "InputTransformer",
        "DeadLetterConfig",
        "RetryPolicy",
        "SqsParameters",
        "HttpParameters",
        "KinesisParameters",
    )
    if isinstance(out.get("InputTransformer", {}).get("InputPathsMap"), dict):
        out["InputTransformer"] = dict(out["InputTransformer"])
    return out


class RuleHandler(Handler):
    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("Name") or ctx.physical_name(logical_id)
        bus = props.get("EventBusName") or "default"
        if bus.startswith("arn:"):
            bus = bus.rsplit("/", 1)[-1]
        params: dict[str, Any] = {
            "Name": name,
            "EventBusName": bus,
            **pick(props, "ScheduleExpression", "State", "Description", "RoleArn"),
        }
        if "EventPattern" in props:
            params["EventPattern"] = _json(props["EventPattern"])
        arn = (await ctx.call("events", "PutRule", params))["RuleArn"]
        await ctx.call(
            "events",
            "TagResource",
            {"ResourceARN": arn, "Tags": ctx.tag_list(logical_id, props.get("Tags"))},
        )
        targets = [_target(t) for t in props.get("Targets", [])]
        if targets:
            await ctx.call(
                "events", "PutTargets", {"Rule": name, "EventBusName": bus, "Targets": targets}
            )
        physical = name if bus == "default" else f"{bus}|{name}"
        return Provisioned(physical, {"Arn": arn})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name") or old.get("EventBusName") != new.get("EventBusName"):
            return None
        bus, _, name = current.physical_id.rpartition("|")
        bus = bus or "default"
        stale = {t["Id"] for t in old.get("Targets", [])} - {
            t["Id"] for t in new.get("Targets", [])
        }
        if stale:
            await ctx.call(
                "events", "RemoveTargets", {"Rule": name, "EventBusName": bus, "Ids": sorted(stale)}
            )
        params: dict[str, Any] = {
            "Name": name,
            "EventBusName": bus,
            **pick(new, "ScheduleExpression", "State", "Description", "RoleArn"),
        }
        if "EventPattern" in new:
            params["EventPattern"] = _json(new["EventPattern"])
        await ctx.call("events", "PutRule", params)
        targets = [_target(t) for t in new.get("Targets", [])]
        if targets:
            await ctx.call(
                "events", "PutTargets", {"Rule": name, "EventBusName": bus, "Targets": targets}
            )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        bus, _, name = current.physical_id.rpartition("|")
        bus = bus or "default"
        ids = [t["Id"] for t in props.get("Targets", [])]
        if ids:
            await ignore_missing(
                ctx.call("events", "RemoveTargets", {"Rule": name, "EventBusName": bus, "Ids": ids})
            )
        await ignore_missing(ctx.call("events", "DeleteRule", {"Name": name, "EventBusName": bus}))


class ScheduleHandler(Handler):
    _FIELDS = (
        "GroupName",
        "ScheduleExpression",
        "ScheduleExpressionTimezone",
        "FlexibleTimeWindow",
        "Target",
        "State",
        "Description",
        "StartDate",
        "EndDate",
        "KmsKeyArn",
    )

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("Name") or ctx.physical_name(logical_id)
        params = {"Name": name, **pick(props, *self._FIELDS)}
        params.setdefault("FlexibleTimeWindow", {"Mode": "OFF"})
        arn = (await ctx.call("scheduler", "CreateSchedule", params))["ScheduleArn"]
        return Provisioned(name, {"Arn": arn})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name") or old.get("GroupName") != new.get("GroupName"):
            return None
        params = {"Name": current.physical_id, **pick(new, *self._FIELDS)}
        params.setdefault("FlexibleTimeWindow", {"Mode": "OFF"})
        await ctx.call("scheduler", "UpdateSchedule", params)
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "scheduler",
                "DeleteSchedule",
                {"Name": current.physical_id, **pick(props, "GroupName")},
            )
        )


_SUBSTITUTION = re.compile(r"\$\{([^}]+)\}")


class StateMachineHandler(Handler):
    """The definition inline (Definition, DefinitionString) or from S3
    (DefinitionS3Location), with DefinitionSubstitutions applied as CloudFormation does."""

    async def _definition(self, ctx: Provisioning, props: dict[str, Any]) -> str:
        if "Definition" in props:
            text = json.dumps(props["Definition"])
        elif "DefinitionString" in props:
            text = str(props["DefinitionString"])
        else:
            location = props.get("DefinitionS3Location") or {}
            params = {"Bucket": location.get("Bucket"), "Key": location.get("Key")}
            if location.get("Version"):
                params["VersionId"] = location["Version"]
            body = (await ctx.call("s3", "GetObject", params))["Body"]
            text = body.decode() if isinstance(body, bytes) else str(body)
        substitutions = props.get("DefinitionSubstitutions") or {}
        if substitutions:
            text = _SUBSTITUTION.sub(
                lambda m: (
                    str(substitutions[m.group(1)]) if m.group(1) in substitutions else m.group(0)
                ),
                text,
            )
        return text

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        name = props.get("StateMachineName") or ctx.physical_name(logical_id, 80)
        params: dict[str, Any] = {
            "name": name,
            "definition": await self._definition(ctx, props),
            "roleArn": props.get("RoleArn", ""),
            "type": props.get("StateMachineType", "STANDARD"),
        }
        if "LoggingConfiguration" in props:
            params["loggingConfiguration"] = _lower_keys(props["LoggingConfiguration"])
        if "TracingConfiguration" in props:
            params["tracingConfiguration"] = _lower_keys(props["TracingConfiguration"])
        params["tags"] = [
            {"key": k, "value": v} for k, v in ctx.tags(logical_id, props.get("Tags")).items()
        ]
        arn = (await ctx.call("stepfunctions", "CreateStateMachine", params))["stateMachineArn"]
        described = await ctx.call(
            "stepfunctions", "DescribeStateMachine", {"stateMachineArn": arn}
        )
        return Provisioned(
            arn,
            {"Arn": arn, "Name": name, "StateMachineRevisionId": described.get("revisionId", "")},
        )

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if any(old.get(k) != new.get(k) for k in ("StateMachineName", "StateMachineType")):
            return None
        params: dict[str, Any] = {
            "stateMachineArn": current.physical_id,
            "definition": await self._definition(ctx, new),
            "roleArn": new.get("RoleArn", ""),
        }
        answer = await ctx.call("stepfunctions", "UpdateStateMachine", params)
        # A new revision is what an AWS::StepFunctions::StateMachineVersion that reads
        # StateMachineRevisionId (SAM's AutoPublishAlias) is replaced, i.e. published, for.
        return Provisioned(
            current.physical_id,
            {**current.attributes, "StateMachineRevisionId": answer.get("revisionId", "")},
        )

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "stepfunctions", "DeleteStateMachine", {"stateMachineArn": current.physical_id}
            )
        )


class StateMachineVersionHandler(Handler):
    """A published version: immutable, so any change publishes a new one (replacement).
    ``StateMachineRevisionId`` makes the publish conditional on that revision, as on AWS."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {"stateMachineArn": props.get("StateMachineArn", "")}
        if props.get("Description"):
            params["description"] = props["Description"]
        if props.get("StateMachineRevisionId"):
            params["revisionId"] = props["StateMachineRevisionId"]
        answer = await ctx.call("stepfunctions", "PublishStateMachineVersion", params)
        arn = answer["stateMachineVersionArn"]
        return Provisioned(arn, {"Arn": arn})

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "stepfunctions",
                "DeleteStateMachineVersion",
                {"stateMachineVersionArn": current.physical_id},
            )
        )


def _alias_routing(props: dict[str, Any]) -> list[dict[str, Any]]:
    """RoutingConfiguration, or a DeploymentPreference's target version. A CANARY or
    LINEAR preference shifts traffic over minutes on AWS; here it moves at once."""
    routing = props.get("RoutingConfiguration")
    if routing:
        return [
            {"stateMachineVersionArn": r.get("StateMachineVersionArn"), "weight": r.get("Weight")}
            for r in routing
        ]
    preference = props.get("DeploymentPreference") or {}
    return [{"stateMachineVersionArn": preference.get("StateMachineVersionArn"), "weight": 100}]


class StateMachineAliasHandler(Handler):
    """An alias; renaming it replaces it, anything else updates it in place."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        params: dict[str, Any] = {
            "name": props.get("Name") or ctx.physical_name(logical_id, 80),
            "routingConfiguration": _alias_routing(props),
        }
        if props.get("Description"):
            params["description"] = props["Description"]
        answer = await ctx.call("stepfunctions", "CreateStateMachineAlias", params)
        arn = answer["stateMachineAliasArn"]
        return Provisioned(arn, {"Arn": arn})

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        if old.get("Name") != new.get("Name"):
            return None
        await ctx.call(
            "stepfunctions",
            "UpdateStateMachineAlias",
            {
                "stateMachineAliasArn": current.physical_id,
                "routingConfiguration": _alias_routing(new),
                "description": new.get("Description") or "",
            },
        )
        return current

    async def delete(self, ctx: Provisioning, current: Provisioned, props: dict[str, Any]) -> None:
        await ignore_missing(
            ctx.call(
                "stepfunctions",
                "DeleteStateMachineAlias",
                {"stateMachineAliasArn": current.physical_id},
            )
        )


def _lower_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


class NothingHandler(Handler):
    """Resources that provision nothing here (AWS::CDK::Metadata, wait condition handles)."""

    async def create(
        self, ctx: Provisioning, logical_id: str, props: dict[str, Any]
    ) -> Provisioned:
        return Provisioned(f"{ctx.stack_id.rsplit('/', 1)[-1]}-{logical_id}")

    async def update(
        self,
        ctx: Provisioning,
        logical_id: str,
        current: Provisioned,
        old: dict[str, Any],
        new: dict[str, Any],
    ) -> Provisioned | None:
        return current
