"""The Step Functions API (json 1.0) on top of the workflows service.

Thin: read parameters, call the service, shape the answer. Service errors become AWS
errors through ``AWS_CODES`` (one table, in the service's errors module, because the
``states:startExecution`` integration names failures after the same codes).

Every operation acts in the caller's account and region (``ctx.account_id``,
``ctx.region``), handed to the service as a :class:`Scope`: the service keys resources by
ARN and answers another scope's ARN as not found.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorTable
from stratus.aws.protocol.errors import ServiceError
from stratus.services.scope import Scope
from stratus.workflows.definition import load_json
from stratus.workflows.errors import DefinitionError
from stratus.workflows.interpreter.map_runs import machine_of
from stratus.workflows.service.activities import ActivityService
from stratus.workflows.service.errors import (
    ExecutionNotFound,
    InvalidArnError,
    InvalidParameter,
    ResourceNotFound,
    WorkflowServiceError,
    aws_code,
)
from stratus.workflows.service.executions import ExecutionManager
from stratus.workflows.service.machines import StateMachineRegistry
from stratus.workflows.service.map_runs import MapRunLimits, MapRunService, item_processor
from stratus.workflows.service.names import parse_arn, split_qualified
from stratus.workflows.service.repository import StoredMapRun
from stratus.workflows.service.shapes import (
    child_list_item,
    describe_child,
    describe_execution,
    describe_map_run,
    list_item,
    map_run_list_item,
)
from stratus.workflows.service.single_state import StateTester
from stratus.workflows.service.versions import VersionRegistry
from stratus.workflows.validator import validate_definition

Params = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Awaitable[Params]])
# ExecutionStatus in the model; the protocol layer does not check enums, so we do.


def _max_results(params: Params, default: int = 100) -> int:
    """maxResults (the model's range [0, 1000] is checked at the edge); 0 and absent mean
    ``default``."""
    return int(params.get("maxResults") or 0) or default


def _page(items: list[Any], params: Params, default: int = 100) -> tuple[list[Any], str | None]:
    limit = _max_results(params, default)
    start = 0
    token = params.get("nextToken")
    if token:
        try:
            start = int(str(token))
        except ValueError as exc:
            raise InvalidParameter(f"Invalid Token: '{token}'") from exc
    page = items[start : start + limit]
    return page, (str(start + limit) if start + limit < len(items) else None)


def _tags_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    """GetExecutionHistory with includeExecutionData=false leaves payloads out."""
    stripped: dict[str, Any] = {}
    for key, value in event.items():
        if isinstance(value, dict) and key.endswith("EventDetails"):
            value = {
                k: ({"included": False} if k in ("inputDetails", "outputDetails") else v)
                for k, v in value.items()
                if k not in ("input", "output")
            }
        stripped[key] = value
    return stripped


def _problems(definition: str) -> list[str]:
    """Every problem of a definition (run in a worker thread: a 1 MB definition takes CPU
    for hundreds of milliseconds)."""
    try:
        return validate_definition(load_json(definition))
    except DefinitionError as exc:
        return exc.problems


def _diagnostic(problem: str) -> dict[str, str]:
    code, _, rest = problem.partition(": ")
    message, location = rest, ""
    if " at /" in rest:
        message, _, tail = rest.rpartition(" at /")
        location = "/" + tail
    diagnostic = {"severity": "ERROR", "code": code, "message": message}
    if location:
        diagnostic["location"] = location
    return diagnostic


def _check_publish(params: Params) -> None:
    """CreateStateMachine and UpdateStateMachine take a version description only with
    ``publish`` (AWS's answer, recorded by LocalStack's versioning snapshot tests)."""
    if params.get("versionDescription") is not None and not params.get("publish"):
        raise InvalidParameter("Version description can only be set when publish is true")


class StepFunctionsProvider:
    errors = ErrorTable(
        {
            WorkflowServiceError: lambda exc: ServiceError(
                str(getattr(exc, "message", exc)),
                code=aws_code(exc),
                status_code=400,
            )
        }
    )

    def __init__(
        self,
        machines: StateMachineRegistry,
        executions: ExecutionManager,
        activities: ActivityService,
        tester: StateTester,
        versions: VersionRegistry,
        map_runs: MapRunService,
    ) -> None:
        self._map_runs = map_runs
        self._tester = tester
        self._versions = versions
        self._machines = machines
        self._executions = executions
        self._activities = activities

    # -- state machines ---------------------------------------------------------------
    async def create_state_machine(self, ctx: RequestContext, params: Params) -> Params:
        _check_publish(params)
        tags = {t["key"]: t.get("value", "") for t in params.get("tags") or []}
        machine = await self._machines.create(
            params["name"],
            params["definition"],
            params["roleArn"],
            scope=ctx.scope,
            type=params.get("type") or "STANDARD",
            logging_configuration=params.get("loggingConfiguration"),
            tracing_configuration=params.get("tracingConfiguration"),
            tags=tags,
        )
        result: Params = {"stateMachineArn": machine.arn, "creationDate": machine.creation_date}
        if params.get("publish"):
            version = await self._versions.publish(
                machine.arn, ctx.scope, params.get("versionDescription"), None
            )
            result["stateMachineVersionArn"] = version.arn
        return result

    async def update_state_machine(self, ctx: RequestContext, params: Params) -> Params:
        _check_publish(params)
        machine = await self._machines.update(
            params["stateMachineArn"],
            scope=ctx.scope,
            definition=params.get("definition"),
            role_arn=params.get("roleArn"),
            logging_configuration=params.get("loggingConfiguration"),
            tracing_configuration=params.get("tracingConfiguration"),
        )
        result: Params = {"updateDate": machine.update_date, "revisionId": machine.revision_id}
        if params.get("publish"):
            version = await self._versions.publish(
                machine.arn, ctx.scope, params.get("versionDescription"), None
            )
            result["stateMachineVersionArn"] = version.arn
        return result

    async def describe_state_machine(self, ctx: RequestContext, params: Params) -> Params:
        arn = params["stateMachineArn"]
        _base, qualifier = split_qualified(arn)
        if qualifier is not None and qualifier.isdigit():
            version = self._versions.version(arn, ctx.scope)
            shape: Params = {
                "stateMachineArn": version.arn,
                "name": self._machines.get(version.machine_arn, ctx.scope).name,
                "status": "ACTIVE",
                "definition": version.definition,
                "roleArn": version.role_arn,
                "type": version.type,
                "creationDate": version.creation_date,
                "loggingConfiguration": version.logging_configuration,
                "tracingConfiguration": version.tracing_configuration,
                "revisionId": version.revision_id,
            }
            if version.description:
                shape["description"] = version.description
            return shape
        machine = self._machines.get(arn, ctx.scope)
        return {
            "stateMachineArn": machine.arn,
            "name": machine.name,
            "status": "ACTIVE",
            "definition": machine.definition,
            "roleArn": machine.role_arn,
            "type": machine.type,
            "creationDate": machine.creation_date,
            "loggingConfiguration": machine.logging_configuration,
            "tracingConfiguration": machine.tracing_configuration,
            "revisionId": machine.revision_id,
        }

    async def list_state_machines(self, ctx: RequestContext, params: Params) -> Params:
        page, token = _page(self._machines.all(ctx.scope), params)
        result: Params = {
            "stateMachines": [
                {
                    "stateMachineArn": m.arn,
                    "name": m.name,
                    "type": m.type,
                    "creationDate": m.creation_date,
                }
                for m in page
            ]
        }
        if token:
            result["nextToken"] = token
        return result

    async def delete_state_machine(self, ctx: RequestContext, params: Params) -> Params:
        await self._machines.delete(params["stateMachineArn"], ctx.scope)
        return {}

    async def validate_state_machine_definition(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        problems = await asyncio.to_thread(_problems, params["definition"])
        limit = int(params.get("maxResults") or 100)
        diagnostics = [_diagnostic(p) for p in problems]
        return {
            "result": "FAIL" if problems else "OK",
            "diagnostics": diagnostics[:limit],
            "truncated": len(diagnostics) > limit,
        }

    # -- versions ----------------------------------------------------------------------
    async def publish_state_machine_version(self, ctx: RequestContext, params: Params) -> Params:
        version = await self._versions.publish(
            params["stateMachineArn"],
            ctx.scope,
            params.get("description"),
            params.get("revisionId"),
        )
        return {"stateMachineVersionArn": version.arn, "creationDate": version.creation_date}

    async def list_state_machine_versions(self, ctx: RequestContext, params: Params) -> Params:
        machine = self._machines.get(params["stateMachineArn"], ctx.scope)
        versions = self._versions.versions_of(machine.arn)
        token = params.get("nextToken")
        if token:
            # the last number the previous page showed: versions published meanwhile
            # (numbered higher) neither shift nor repeat the pages that follow
            if not str(token).isdigit():
                raise InvalidParameter(f"Invalid Token: '{token}'")
            versions = [v for v in versions if v.number < int(token)]
        limit = _max_results(params)
        page = versions[:limit]
        result: Params = {
            "stateMachineVersions": [
                {"stateMachineVersionArn": v.arn, "creationDate": v.creation_date} for v in page
            ]
        }
        if len(versions) > limit:
            result["nextToken"] = str(page[-1].number)
        return result

    async def delete_state_machine_version(self, ctx: RequestContext, params: Params) -> Params:
        await self._versions.delete_version(params["stateMachineVersionArn"], ctx.scope)
        return {}

    # -- aliases -----------------------------------------------------------------------
    async def create_state_machine_alias(self, ctx: RequestContext, params: Params) -> Params:
        alias = await self._versions.create_alias(
            params["name"], params["routingConfiguration"], params.get("description"), ctx.scope
        )
        return {"stateMachineAliasArn": alias.arn, "creationDate": alias.creation_date}

    async def describe_state_machine_alias(self, ctx: RequestContext, params: Params) -> Params:
        alias = self._versions.alias(params["stateMachineAliasArn"], ctx.scope)
        shape: Params = {
            "stateMachineAliasArn": alias.arn,
            "name": alias.name,
            "routingConfiguration": alias.routing,
            "creationDate": alias.creation_date,
            "updateDate": alias.update_date,
        }
        if alias.description:
            shape["description"] = alias.description
        return shape

    async def update_state_machine_alias(self, ctx: RequestContext, params: Params) -> Params:
        alias = await self._versions.update_alias(
            params["stateMachineAliasArn"],
            ctx.scope,
            params.get("routingConfiguration"),
            params.get("description"),
        )
        return {"updateDate": alias.update_date}

    async def delete_state_machine_alias(self, ctx: RequestContext, params: Params) -> Params:
        await self._versions.delete_alias(params["stateMachineAliasArn"], ctx.scope)
        return {}

    async def list_state_machine_aliases(self, ctx: RequestContext, params: Params) -> Params:
        arn = params["stateMachineArn"]
        base, qualifier = split_qualified(arn)
        if qualifier is not None and not qualifier.isdigit():
            raise InvalidArnError(f"Invalid Arn: '{arn}'")
        machine = self._machines.get(base, ctx.scope)
        aliases = self._versions.aliases_of(machine.arn)
        if qualifier is not None:
            # a version's aliases: the ones that route to it
            self._versions.version(arn, ctx.scope)
            aliases = [
                a for a in aliases if any(r["stateMachineVersionArn"] == arn for r in a.routing)
            ]
        page, token = _page(aliases, params)
        result: Params = {
            "stateMachineAliases": [
                {"stateMachineAliasArn": a.arn, "creationDate": a.creation_date} for a in page
            ]
        }
        if token:
            result["nextToken"] = token
        return result

    # -- executions --------------------------------------------------------------------
    async def start_execution(self, ctx: RequestContext, params: Params) -> Params:
        record = await self._executions.start(
            params["stateMachineArn"],
            params.get("name"),
            params.get("input"),
            scope=ctx.scope,
            trace_header=params.get("traceHeader"),
        )
        return {"executionArn": record["arn"], "startDate": record["start_ms"] / 1000}

    async def start_sync_execution(self, ctx: RequestContext, params: Params) -> Params:
        record = await self._executions.start_sync(
            params["stateMachineArn"], params.get("name"), params.get("input"), scope=ctx.scope
        )
        shape = describe_execution(record)
        for key in ("redriveCount", "redriveStatus", "redriveStatusReason"):
            shape.pop(key, None)
        shape["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(
                100,
                ((record.get("stop_ms") or record["start_ms"]) - record["start_ms"] + 99)
                // 100
                * 100,
            ),
        }
        return shape

    async def describe_execution(self, ctx: RequestContext, params: Params) -> Params:
        arn = params["executionArn"]
        include = params.get("includedData") != "METADATA_ONLY"
        try:
            record = await self._executions.describe(arn, ctx.scope)
        except ExecutionNotFound:
            found = await self._map_runs.child(arn, ctx.scope)
            if found is None:
                raise
            return describe_child(*found, include_data=include)
        return describe_execution(record)

    async def list_executions(self, ctx: RequestContext, params: Params) -> Params:
        # exactly one of the two (ListExecutions: "You can specify either a mapRunArn or
        # a stateMachineArn, but not both")
        if bool(params.get("stateMachineArn")) == bool(params.get("mapRunArn")):
            raise InvalidParameter("Must provide a StateMachine ARN or MapRun ARN")
        limit = _max_results(params)
        redrive_filter = params.get("redriveFilter")
        if params.get("mapRunArn"):
            children, run, token = await self._map_runs.children(
                params["mapRunArn"],
                ctx.scope,
                params.get("statusFilter"),
                limit,
                params.get("nextToken"),
                None if redrive_filter is None else redrive_filter == "REDRIVEN",
            )
            page: Params = {"executions": [child_list_item(c, run) for c in children]}
            if token:
                page["nextToken"] = token
            return page
        records, token = await self._executions.list_executions(
            params["stateMachineArn"],
            ctx.scope,
            params.get("statusFilter"),
            limit,
            params.get("nextToken"),
            None if redrive_filter is None else redrive_filter == "REDRIVEN",
        )
        result: Params = {"executions": [list_item(r) for r in records]}
        if token:
            result["nextToken"] = token
        return result

    async def redrive_execution(self, ctx: RequestContext, params: Params) -> Params:
        redriven = await self._executions.redrive(
            params["executionArn"], ctx.scope, params.get("clientToken")
        )
        return {"redriveDate": redriven}

    async def stop_execution(self, ctx: RequestContext, params: Params) -> Params:
        stop = await self._executions.stop(
            params["executionArn"], ctx.scope, params.get("error"), params.get("cause")
        )
        return {"stopDate": stop}

    async def get_execution_history(self, ctx: RequestContext, params: Params) -> Params:
        limit = _max_results(params)
        events, token = await self._executions.history(
            params["executionArn"],
            ctx.scope,
            limit,
            bool(params.get("reverseOrder")),
            params.get("nextToken"),
        )
        if params.get("includeExecutionData") is False:
            events = [_without_data(e) for e in events]
        result: Params = {"events": events}
        if token:
            result["nextToken"] = token
        return result

    async def describe_state_machine_for_execution(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        try:
            record = await self._executions.describe(params["executionArn"], ctx.scope)
        except ExecutionNotFound:
            found = await self._map_runs.child(params["executionArn"], ctx.scope)
            if found is None:
                raise
            return await self._child_machine(ctx, found[1])
        try:
            machine = self._machines.get(record["machine_arn"], ctx.scope)
            logging, tracing, update = (
                machine.logging_configuration,
                machine.tracing_configuration,
                machine.update_date,
            )
        except WorkflowServiceError:
            logging, tracing, update = (
                {"level": "OFF"},
                {"enabled": False},
                record["start_ms"] / 1000,
            )
        return {
            "stateMachineArn": record["machine_arn"],
            "name": record["machine_name"],
            "definition": record["definition"],
            "roleArn": record["role_arn"],
            "updateDate": update,
            "loggingConfiguration": logging,
            "tracingConfiguration": tracing,
            "revisionId": record.get("machine_revision"),
        }

    async def _child_machine(self, ctx: RequestContext, run: StoredMapRun) -> Params:
        """DescribeStateMachineForExecution of a Map Run's child: the Map state's
        ItemProcessor as a machine named MACHINE/LABEL, with the run's ARN and label."""
        parent = await self._executions.describe(run.execution_arn, ctx.scope)
        shape = await self.describe_state_machine_for_execution(
            ctx, {"executionArn": run.execution_arn}
        )
        processor = item_processor(parent["definition"], str(run.record.get("stateName")))
        label = str(run.record["label"])
        shape.update(
            {
                "stateMachineArn": machine_of(run.arn),
                "name": f"{parent['machine_name']}/{label}",
                "definition": json.dumps(processor, separators=(",", ":")),
                "mapRunArn": run.arn,
                "label": label,
            }
        )
        return shape

    # -- Map Runs ----------------------------------------------------------------------
    async def describe_map_run(self, ctx: RequestContext, params: Params) -> Params:
        run = await self._map_runs.get(params["mapRunArn"], ctx.scope)
        items, executions = await self._map_runs.counts(run)
        return describe_map_run(run, items, executions)

    async def list_map_runs(self, ctx: RequestContext, params: Params) -> Params:
        runs, token = await self._map_runs.list_runs(
            params["executionArn"], ctx.scope, _max_results(params), params.get("nextToken")
        )
        result: Params = {"mapRuns": [map_run_list_item(r) for r in runs]}
        if token:
            result["nextToken"] = token
        return result

    async def update_map_run(self, ctx: RequestContext, params: Params) -> Params:
        await self._map_runs.update(
            params["mapRunArn"],
            ctx.scope,
            MapRunLimits(
                max_concurrency=params.get("maxConcurrency"),
                tolerated_failure_count=params.get("toleratedFailureCount"),
                tolerated_failure_percentage=params.get("toleratedFailurePercentage"),
            ),
        )
        return {}

    async def test_state(self, ctx: RequestContext, params: Params) -> Params:
        if params.get("mock") is not None:
            raise InvalidParameter("TestState mocks are not supported by Stratus yet.")
        return await self._tester.test(
            params["definition"],
            params.get("input"),
            scope=ctx.scope,
            state_name=params.get("stateName"),
            inspection_level=params.get("inspectionLevel") or "INFO",
        )

    # -- activities and callbacks -------------------------------------------------------
    async def create_activity(self, ctx: RequestContext, params: Params) -> Params:
        tags = {t["key"]: t.get("value", "") for t in params.get("tags") or []}
        record = await self._activities.create(params["name"], ctx.scope, tags)
        return {"activityArn": record["arn"], "creationDate": record["creation_date"]}

    async def describe_activity(self, ctx: RequestContext, params: Params) -> Params:
        record = self._activities.get(params["activityArn"], ctx.scope)
        return {
            "activityArn": record["arn"],
            "name": record["name"],
            "creationDate": record["creation_date"],
        }

    async def delete_activity(self, ctx: RequestContext, params: Params) -> Params:
        await self._activities.delete(params["activityArn"], ctx.scope)
        return {}

    async def list_activities(self, ctx: RequestContext, params: Params) -> Params:
        page, token = _page(self._activities.all(ctx.scope), params)
        result: Params = {
            "activities": [
                {"activityArn": r["arn"], "name": r["name"], "creationDate": r["creation_date"]}
                for r in page
            ]
        }
        if token:
            result["nextToken"] = token
        return result

    async def get_activity_task(self, ctx: RequestContext, params: Params) -> Params:
        task = await self._activities.get_task(params["activityArn"], ctx.scope)
        if task is None:
            return {}
        self._executions.task_taken(task[0], params.get("workerName"))
        return {"taskToken": task[0], "input": task[1]}

    async def send_task_success(self, ctx: RequestContext, params: Params) -> Params:
        self._executions.send_task_success(params["taskToken"], params["output"], ctx.scope)
        await self._activities.finished(params["taskToken"])
        return {}

    async def send_task_failure(self, ctx: RequestContext, params: Params) -> Params:
        self._executions.send_task_failure(
            params["taskToken"], params.get("error"), params.get("cause"), ctx.scope
        )
        await self._activities.finished(params["taskToken"])
        return {}

    async def send_task_heartbeat(self, ctx: RequestContext, params: Params) -> Params:
        self._executions.send_task_heartbeat(params["taskToken"], ctx.scope)
        return {}

    # -- tags ----------------------------------------------------------------------------
    def _tagged(self, arn: str, scope: Scope) -> tuple[str, dict[str, str]]:
        parsed = parse_arn(arn, "stateMachine", "activity")
        try:
            if parsed.kind == "stateMachine":
                return parsed.kind, self._machines.get(arn, scope).tags
            return parsed.kind, self._activities.get(arn, scope)["tags"]
        except WorkflowServiceError as exc:
            raise ResourceNotFound(f"Resource not found: '{arn}'") from exc

    async def _set_tags(self, arn: str, scope: Scope, kind: str, tags: dict[str, str]) -> None:
        if kind == "stateMachine":
            await self._machines.set_tags(arn, scope, tags)
        else:
            await self._activities.set_tags(arn, scope, tags)

    async def tag_resource(self, ctx: RequestContext, params: Params) -> Params:
        kind, tags = self._tagged(params["resourceArn"], ctx.scope)
        merged = dict(tags)
        merged.update({t["key"]: t.get("value", "") for t in params["tags"]})
        if len(merged) > 50:
            raise InvalidParameter("The number of tags exceeds the maximum of 50.")
        await self._set_tags(params["resourceArn"], ctx.scope, kind, merged)
        return {}

    async def untag_resource(self, ctx: RequestContext, params: Params) -> Params:
        kind, tags = self._tagged(params["resourceArn"], ctx.scope)
        remaining = {k: v for k, v in tags.items() if k not in set(params["tagKeys"])}
        await self._set_tags(params["resourceArn"], ctx.scope, kind, remaining)
        return {}

    async def list_tags_for_resource(self, ctx: RequestContext, params: Params) -> Params:
        _kind, tags = self._tagged(params["resourceArn"], ctx.scope)
        return {"tags": _tags_list(tags)}
