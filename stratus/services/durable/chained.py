"""Chained invokes (``context.invoke``): the target is resolved while the checkpoint is
taken (so ChainedInvokeStarted precedes the caller's suspension), then invoked: a
durable target as a child execution named after the operation (so a restart finds it
instead of starting another), a plain one synchronously."""

from __future__ import annotations

import hashlib
from typing import Any

from stratus.services.durable import operations as ops
from stratus.services.durable.core import DurableCore
from stratus.services.durable.errors import CallbackClosed
from stratus.services.durable.invocation import UNQUALIFIED, invocation_error
from stratus.services.durable.live import LiveExecution
from stratus.services.durable.model import (
    STOPPED,
    SUCCEEDED,
    TIMED_OUT,
    Event,
    Execution,
    Operation,
    execution_arn,
)


class ChainedInvokes(DurableCore):
    # -- chained invokes -----------------------------------------------------------
    def _prepare_chained(self, execution: Execution, op_id: str, at: float) -> list[Event]:
        """Resolve the target while the checkpoint is taken, so ChainedInvokeStarted is
        in the log before the function's invocation ends."""
        op = execution.operations[op_id]
        try:
            target = self._functions.resolve(op["_target"], None, execution.function_arn)
        except Exception as exc:
            message = getattr(exc, "message", str(exc))
            op["_failure"] = {"ErrorType": "ResourceNotFoundException", "ErrorMessage": message}
            return [ops.invoke_started(op, at, None, None)]
        if target.durable_config is not None and not target.qualified:
            op["_failure"] = {
                "ErrorType": "InvalidParameterValueException",
                "ErrorMessage": UNQUALIFIED,
            }
            return [ops.invoke_started(op, at, None, None)]
        op["_function_arn"] = target.function_arn
        op["_version"] = target.version
        child = None
        if target.durable_config is not None:
            digest = hashlib.sha256(f"{execution.arn}\n{op_id}".encode()).hexdigest()[:32]
            child = execution_arn(target.function_arn, target.version, digest)
            op["_child"] = child
            op["_child_name"] = digest
        return [ops.invoke_started(op, at, target.version, child)]

    async def _run_chained(self, live: LiveExecution, op_id: str) -> None:
        execution = live.execution
        op = execution.operations[op_id]
        if op.get("Status") != ops.STARTED:
            return
        failure = op.get("_failure")
        if failure is not None:
            await self._chained_result(live, op, None, failure, ops.OP_FAILED)
            return
        payload = (op.get("_input") or "").encode()
        if op.get("_child"):
            child_arn = op["_child"]
            if child_arn in self._live:
                return  # running: its end completes this operation
            found = await self._store.get(child_arn)
            if found is not None:
                if found.terminal:
                    await self._child_done(execution.arn, op_id, found)
                return
            target = self._functions.resolve(
                op["_function_arn"], op["_version"], execution.function_arn
            )
            await self.start(
                target,
                payload,
                name=op["_child_name"],
                parent=[execution.arn, op_id],
                arn=child_arn,
            )
            return
        try:
            outcome = await self._functions.invoke(op["_function_arn"], op["_version"], payload)
        except Exception as exc:
            error = {
                "ErrorType": type(exc).__name__,
                "ErrorMessage": getattr(exc, "message", str(exc)),
            }
            await self._chained_result(live, op, None, error, ops.OP_FAILED)
            return
        if outcome.function_error:
            await self._chained_result(
                live,
                op,
                None,
                invocation_error(outcome.payload, outcome.function_error),
                ops.OP_FAILED,
            )
        else:
            await self._chained_result(
                live, op, outcome.payload.decode(errors="replace"), None, ops.OP_SUCCEEDED
            )

    async def _child_done(self, parent_arn: str, op_id: str, child: Execution) -> None:
        live = self._live.get(parent_arn)
        if live is None:
            return
        op = live.execution.operations.get(op_id)
        if op is None or op.get("Status") != ops.STARTED:
            return
        status = {
            SUCCEEDED: ops.OP_SUCCEEDED,
            TIMED_OUT: ops.OP_TIMED_OUT,
            STOPPED: ops.OP_STOPPED,
        }.get(child.status, ops.OP_FAILED)
        await self._chained_result(live, op, child.result, child.error, status)

    async def _chained_result(
        self,
        live: LiveExecution,
        op: Operation,
        result: str | None,
        error: dict[str, Any] | None,
        status: str,
    ) -> None:
        # The caller's invocation suspends right after it started the invoke: the result
        # is recorded once that invocation ended, as Lambda's history orders them.
        await live.idle.wait()
        try:
            await self._service_change(
                live, op, lambda at: ops.invoke_finished(op, result, error, status, at)
            )
        except CallbackClosed:
            pass  # the parent ended (or cancelled the invoke) meanwhile
