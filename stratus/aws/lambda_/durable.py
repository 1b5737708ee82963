"""Lambda's durable execution operations (API version 2025-12-01) and the Invoke of a
durable function, on top of ``services/durable``.

The provider (``provider.py``) mixes this class in; ``DurableComponent`` attaches the
service when the platform builds it, so the functions component needs nothing of it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from stratus.aws.context import RequestContext
from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.runtime.limits import Limits
from stratus.services.durable import errors as de
from stratus.services.durable.history import page, without_data
from stratus.services.durable.invocation import SYNC_LIMIT_S, UNQUALIFIED, invocation_answer
from stratus.services.durable.model import Execution, split_execution_arn
from stratus.services.durable.ports import FunctionPort, Target
from stratus.services.durable.service import DurableService
from stratus.services.functions.errors import (
    InvalidParameter,
    InvalidRequestContent,
    RequestTooLarge,
)
from stratus.services.functions.model import FunctionConfig
from stratus.services.functions.names import parse_function_name

Params = dict[str, Any]


def _user(_exc: BaseException) -> dict[str, Any]:
    return {"Type": "User"}


DURABLE_ERRORS = ErrorTable(
    {
        de.ExecutionNotFound: ErrorRule("ResourceNotFoundException", 404, _user),
        de.InvalidCheckpointToken: ErrorRule("InvalidParameterValueException", 400, _user),
        de.InvalidUpdate: ErrorRule("InvalidParameterValueException", 400, _user),
        de.AlreadyStarted: ErrorRule("DurableExecutionAlreadyStartedException", 409, _user),
        de.CallbackClosed: ErrorRule("CallbackTimeoutException", 400, _user),
        de.Conflict: ErrorRule("ResourceConflictException", 409, _user),
        de.ExecutionComplete: ErrorRule("InvalidParameterValueException", 400, _user),
        de.NotDurable: ErrorRule("InvalidParameterValueException", 400, _user),
        de.DurableError: ErrorRule("InvalidParameterValueException", 400, _user),
    }
)


def execution_shape(execution: Execution, *, data: bool = True) -> Params:
    shape: Params = {
        "DurableExecutionArn": execution.arn,
        "DurableExecutionName": execution.name,
        "FunctionArn": f"{execution.function_arn}:{execution.version}",
        "StartTimestamp": execution.start,
        "Status": execution.status,
        "Version": execution.version,
        "DurableConfig": {
            "ExecutionTimeout": execution.timeout_s,
            "RetentionPeriodInDays": execution.retention_days,
        },
        "ExpectedExecutionTimeoutTimestamp": execution.start + execution.timeout_s,
        "ExecutionDataIncluded": data,
    }
    if data:
        shape["InputPayload"] = execution.input_payload
        if execution.result is not None and execution.status == "SUCCEEDED":
            shape["Result"] = execution.result
    if execution.error and execution.status != "SUCCEEDED":
        shape["Error"] = dict(execution.error)
    if execution.end is not None:
        shape["EndTimestamp"] = execution.end
    if execution.pause:
        shape["PauseDetails"] = dict(execution.pause)
    return shape


def summary_shape(record: Params) -> Params:
    shape: Params = {
        "DurableExecutionArn": record["arn"],
        "DurableExecutionName": record["name"],
        "FunctionArn": f"{record['function_arn']}:{record['version']}",
        "Status": record["status"],
        "StartTimestamp": record["start"],
    }
    if record.get("end") is not None:
        shape["EndTimestamp"] = record["end"]
    return shape


def _epoch(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value)


def _event(payload: bytes, limit: int) -> str:
    """The event of an Invoke as Lambda checks it: within the size limit, JSON (an empty
    payload is ``{}``)."""
    if len(payload) > limit:
        raise RequestTooLarge(
            f"Request must be smaller than {limit} bytes for the InvokeFunction operation"
        )
    if not payload.strip():
        return "{}"
    try:
        orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise InvalidRequestContent(
            f"Could not parse request body into json: Could not parse payload into json: {exc}"
        ) from exc
    return payload.decode()


class DurableApi:
    """The durable operations of the Lambda API (a mixin of ``LambdaProvider``)."""

    _durable: DurableService | None = None
    _limits: Limits
    _durable_functions: FunctionPort | None = None

    def attach_durable(self, service: DurableService, functions: FunctionPort) -> None:
        self._durable = service
        self._durable_functions = functions

    def _durable_payload_limit(self, kind: str) -> int:
        limits = self._limits
        return limits.async_payload_bytes if kind == "Event" else limits.sync_payload_bytes

    @property
    def durable(self) -> DurableService:
        if self._durable is None:
            raise de.DurableError("Durable functions are not enabled on this server")
        return self._durable

    # -- Invoke --------------------------------------------------------------------
    async def invoke_durable(
        self,
        params: Params,
        config: FunctionConfig | None,
        qualifier: str | None,
        payload: bytes,
        kind: str,
    ) -> Params | None:
        """The answer to Invoke when the function ``config`` (as routed for this call;
        None when it does not resolve) is durable; None when it is not."""
        if (
            self._durable_functions is None
            or config is None
            or config.durable_config is None
            or kind == "DryRun"
        ):
            return None  # the plain path answers it, with Lambda's order of checks
        target = Target(config.arn, config.version, config.durable_config, qualifier is not None)
        if qualifier is None:
            raise InvalidParameter(UNQUALIFIED)
        event = _event(payload, self._durable_payload_limit(kind))
        started = await self.durable.start(
            target, event.encode(), name=params.get("DurableExecutionName")
        )
        execution = started.execution
        if kind == "Event":
            return {"StatusCode": 202, "Payload": b"", "DurableExecutionArn": execution.arn}
        done = await self.durable.wait_done(
            execution.arn, min(SYNC_LIMIT_S, float(execution.timeout_s))
        )
        body, function_error = invocation_answer(done)
        result: Params = {
            "StatusCode": 200,
            "ExecutedVersion": done.version,
            "DurableExecutionArn": done.arn,
            "Payload": body,
        }
        if function_error:
            result["FunctionError"] = function_error
        return result

    # -- data plane ----------------------------------------------------------------
    async def checkpoint_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        token, operations = await self.durable.checkpoint(
            params["DurableExecutionArn"],
            params["CheckpointToken"],
            list(params.get("Updates") or []),
            params.get("ClientToken"),
        )
        result: Params = {"NewExecutionState": {"Operations": operations}}
        if token is not None:
            result["CheckpointToken"] = token
        return result

    async def get_durable_execution_state(self, ctx: RequestContext, params: Params) -> Params:
        operations, marker = await self.durable.state(
            params["DurableExecutionArn"],
            params["CheckpointToken"],
            params.get("Marker"),
            params.get("MaxItems"),
        )
        result: Params = {"Operations": operations}
        if marker is not None:
            result["NextMarker"] = marker
        return result

    # -- control plane -------------------------------------------------------------
    async def get_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        execution = await self.durable.get(params["DurableExecutionArn"])
        return execution_shape(execution, data=params.get("IncludeExecutionData", True))

    async def get_durable_execution_history(self, ctx: RequestContext, params: Params) -> Params:
        events = await self.durable.history(params["DurableExecutionArn"])
        if params.get("ReverseOrder"):
            events.reverse()
        if not params.get("IncludeExecutionData", True):
            events = [without_data(e) for e in events]
        chunk, marker = page(events, params.get("Marker"), params.get("MaxItems"))
        result: Params = {"Events": chunk}
        if marker is not None:
            result["NextMarker"] = marker
        return result

    async def list_durable_executions_by_function(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        ref = parse_function_name(params["FunctionName"], params.get("Qualifier"))
        function_id = ref.function_id(ctx.scope)
        assert self._durable_functions is not None
        self._durable_functions.resolve(function_id, None, function_id)  # exists, else 404
        records = await self.durable.list_executions(function_id)
        qualifier = ref.qualifier
        if qualifier is not None:
            target = self._durable_functions.resolve(function_id, qualifier, function_id)
            records = [r for r in records if r["version"] == target.version]
        if params.get("DurableExecutionName"):
            records = [r for r in records if r["name"] == params["DurableExecutionName"]]
        if params.get("Statuses"):
            wanted = set(params["Statuses"])
            records = [r for r in records if r["status"] in wanted]
        after = _epoch(params.get("StartedAfter"))
        before = _epoch(params.get("StartedBefore"))
        if after is not None:
            records = [r for r in records if r["start"] >= after]
        if before is not None:
            records = [r for r in records if r["start"] <= before]
        if not params.get("ReverseOrder"):  # newest first unless asked otherwise
            records.reverse()
        chunk, marker = page(records, params.get("Marker"), params.get("MaxItems"))
        result: Params = {"DurableExecutions": [summary_shape(r) for r in chunk]}
        if marker is not None:
            result["NextMarker"] = marker
        return result

    async def stop_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        split_execution_arn(params["DurableExecutionArn"])
        at = await self.durable.stop(params["DurableExecutionArn"], params.get("Error"))
        return {"StopTimestamp": at}

    async def pause_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        await self.durable.pause_execution(
            params["DurableExecutionArn"],
            params.get("Reason"),
            bool(params.get("ExecutionTimeoutPaused")),
        )
        return {}

    async def resume_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        await self.durable.resume_execution(params["DurableExecutionArn"], params.get("Reason"))
        return {}

    async def delete_durable_execution(self, ctx: RequestContext, params: Params) -> Params:
        at = await self.durable.delete(params["DurableExecutionArn"])
        return {"DeletionRequestTimestamp": at}

    # -- callbacks -----------------------------------------------------------------
    async def send_durable_execution_callback_success(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        result = params.get("Result") or b""
        if isinstance(result, str):
            result = result.encode()
        await self.durable.callback_success(params["CallbackId"], result)
        return {}

    async def send_durable_execution_callback_failure(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        await self.durable.callback_failure(params["CallbackId"], dict(params.get("Error") or {}))
        return {}

    async def send_durable_execution_callback_heartbeat(
        self, ctx: RequestContext, params: Params
    ) -> Params:
        await self.durable.callback_heartbeat(params["CallbackId"])
        return {}
