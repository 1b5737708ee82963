"""TestState: run one state on its own and report what it did.

The state is wrapped into a one-state machine and run by the in-memory driver with the
real task integrations: every transition it would make (``Next``, a Choice branch, a
Catch) is redirected to a Succeed state named after the target, so the run ends right
after the tested state and the target it chose is read off the history. A Retry that
would fire is not waited for: the state is reported ``RETRIABLE``, as Step Functions does.
Wait states do not wait. Callback patterns, ``.sync``, activities, Map and Parallel need
mocks on AWS, which Stratus does not support yet.
"""

from __future__ import annotations

import json
from typing import Any

from stratus.services.scope import Scope
from stratus.workflows.definition import load_json, parse_definition
from stratus.workflows.driver import Driver, TaskContext
from stratus.workflows.errors import DefinitionError, StatesError
from stratus.workflows.expressions import jsonpath, payload
from stratus.workflows.integrations.base import (
    AWAIT_CALLBACK,
    IntegrationRegistry,
    Submitted,
    TaskRequest,
)
from stratus.workflows.interpreter.retry import error_matches
from stratus.workflows.service.errors import InvalidDefinitionError, InvalidParameter
from stratus.workflows.service.executions import parse_json_input
from stratus.workflows.service.names import execution_arn

_TARGET = "__stratus_next__:"
_UNSUPPORTED_SUFFIXES = (".sync", ".sync:2", ".waitForTaskToken")


def _redirect(state: dict[str, Any], targets: set[str]) -> dict[str, Any]:
    """A copy of the state whose every transition names a synthetic Succeed state."""
    copy: dict[str, Any] = json.loads(json.dumps(state))
    if "Next" in copy:
        targets.add(copy["Next"])
        copy["Next"] = _TARGET + copy["Next"]
    for catcher in copy.get("Catch", []):
        targets.add(catcher["Next"])
        catcher["Next"] = _TARGET + catcher["Next"]
    for choice in copy.get("Choices", []):
        targets.add(choice["Next"])
        choice["Next"] = _TARGET + choice["Next"]
    if "Default" in copy:
        targets.add(copy["Default"])
        copy["Default"] = _TARGET + copy["Default"]
    copy.pop("Retry", None)
    if copy.get("Type") == "Wait":
        copy = {
            k: v
            for k, v in copy.items()
            if k
            in (
                "Type",
                "Next",
                "End",
                "InputPath",
                "OutputPath",
                "Comment",
                "QueryLanguage",
                "Output",
                "Assign",
            )
        }
        copy["Type"] = "Pass"
    return copy


def _pick_state(definition: Any, state_name: str | None) -> tuple[str, dict[str, Any], str | None]:
    if not isinstance(definition, dict):
        raise InvalidDefinitionError(
            "Invalid State Machine Definition: 'the definition must be a JSON object'"
        )
    if "States" in definition:
        states = definition.get("States") or {}
        name = state_name or definition.get("StartAt")
        if not isinstance(name, str) or name not in states or not isinstance(states[name], dict):
            raise InvalidParameter(f"State '{name}' does not exist in the definition")
        language = definition.get("QueryLanguage")
        return name, states[name], language if isinstance(language, str) else None
    return state_name or "TestState", definition, None


class StateTester:
    def __init__(self, integrations: IntegrationRegistry) -> None:
        self._integrations = integrations

    async def test(
        self,
        definition_text: str,
        input_text: str | None,
        *,
        scope: Scope,
        state_name: str | None = None,
        inspection_level: str = "INFO",
    ) -> dict[str, Any]:
        """Run the state as a task of a pretend execution in the caller's ``scope``, so
        its integrations act in the caller's account and region."""
        try:
            raw = load_json(definition_text)
        except DefinitionError as exc:
            raise InvalidDefinitionError(str(exc)) from exc
        name, state, language = _pick_state(raw, state_name)
        kind = state.get("Type")
        resource = str(state.get("Resource", ""))
        if (
            kind in ("Map", "Parallel")
            or ":activity:" in resource
            or resource.endswith(_UNSUPPORTED_SUFFIXES)
        ):
            raise InvalidParameter(
                "TestState only supports Activity tasks, .sync or .waitForTaskToken service "
                "integration patterns, Parallel, or Map states when a mock is specified; "
                "Stratus does not support mocks yet."
            )
        state_input = parse_json_input(input_text)
        self._validate(name, state, language)
        targets: set[str] = set()
        machine_raw: dict[str, Any] = {"StartAt": name, "States": {name: _redirect(state, targets)}}
        if language:
            machine_raw["QueryLanguage"] = language
        if "Next" not in state and kind not in ("Choice", "Succeed", "Fail"):
            machine_raw["States"][name]["End"] = True
        for target in targets:
            machine_raw["States"][_TARGET + target] = {"Type": "Succeed"}
        try:
            machine = parse_definition(machine_raw)
        except DefinitionError as exc:
            raise InvalidDefinitionError(str(exc).replace(_TARGET, "")) from exc

        seen: dict[str, Any] = {}
        pretend_execution = execution_arn(scope, "TestState", "test")

        async def executor(task_resource: str, task_input: Any, context: TaskContext) -> Any:
            seen["afterParameters"] = task_input
            request = TaskRequest(
                resource=task_resource,
                input=task_input,
                execution_arn=pretend_execution,
                state_name=context.state_name,
                task_token=context.token,
                context=context.context,
                timeout_seconds=context.timeout_seconds,
                heartbeat_seconds=context.heartbeat_seconds,
            )
            result = await self._integrations.run(request)
            if result is AWAIT_CALLBACK or isinstance(result, Submitted):
                raise StatesError("States.Runtime", "Callback tasks need a mock in TestState")
            seen["result"] = result
            return result

        outcome = await Driver(machine, executor).run(state_input)
        next_state = None
        for event in outcome.history:
            details = event.get("stateEnteredEventDetails") or {}
            if details.get("name", "").startswith(_TARGET):
                next_state = details["name"][len(_TARGET) :]
        result: dict[str, Any] = {}
        retriers = state.get("Retry", [])
        if outcome.status == "SUCCEEDED":
            result["status"] = "SUCCEEDED"
            result["output"] = json.dumps(outcome.output, separators=(",", ":"))
            caught = any(
                next_state == c.get("Next") for c in state.get("Catch", [])
            ) and next_state != state.get("Next")
            if caught:
                result["status"] = "CAUGHT_ERROR"
                failed = next(
                    (
                        e
                        for e in outcome.history
                        if e["type"] in ("TaskFailed", "LambdaFunctionFailed", "TaskTimedOut")
                    ),
                    None,
                )
                if failed is not None:
                    details = next(v for k, v in failed.items() if k.endswith("EventDetails"))
                    result["error"] = details.get("error")
                    result["cause"] = details.get("cause")
            if next_state is not None:
                result["nextState"] = next_state
        else:
            error, cause = outcome.error, outcome.cause
            if any(
                error_matches(error, r.get("ErrorEquals", [])) and r.get("MaxAttempts", 3) > 0
                for r in retriers
            ):
                result["status"] = "RETRIABLE"
            else:
                result["status"] = "FAILED"
            if error is not None:
                result["error"] = error
            if cause is not None:
                result["cause"] = cause
        result["inspectionData"] = self._inspection(state, state_input, seen, inspection_level)
        return result

    @staticmethod
    def _validate(name: str, state: Any, language: str | None) -> None:
        """Check the state as written, its transition targets standing in as Succeed states."""
        raw: dict[str, Any] = {"StartAt": name, "States": {name: state}}
        if language:
            raw["QueryLanguage"] = language
        if isinstance(state, dict):
            named = [state.get("Next"), state.get("Default")]
            named += [c.get("Next") for c in state.get("Catch", []) if isinstance(c, dict)]
            named += [c.get("Next") for c in state.get("Choices", []) if isinstance(c, dict)]
            for target in named:
                if isinstance(target, str) and target != name:
                    raw["States"][target] = {"Type": "Succeed"}
        try:
            parse_definition(raw)
        except DefinitionError as exc:
            raise InvalidDefinitionError(str(exc)) from exc

    @staticmethod
    def _inspection(
        state: dict[str, Any], state_input: Any, seen: dict[str, Any], level: str
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"input": json.dumps(state_input, separators=(",", ":"))}
        if level == "INFO" or state.get("QueryLanguage") == "JSONata":
            return data
        try:
            after_input = (
                jsonpath.select(state_input, state["InputPath"])
                if state.get("InputPath")
                else state_input
            )
            data["afterInputPath"] = json.dumps(after_input, separators=(",", ":"))
            after_parameters = seen.get("afterParameters")
            if after_parameters is None and "Parameters" in state:
                after_parameters = payload.render(state["Parameters"], after_input, {})
            if after_parameters is not None:
                data["afterParameters"] = json.dumps(after_parameters, separators=(",", ":"))
            if "result" in seen:
                task_result = seen["result"]
                data["result"] = json.dumps(task_result, separators=(",", ":"))
                selected = (
                    payload.render(state["ResultSelector"], task_result, {})
                    if "ResultSelector" in state
                    else task_result
                )
                data["afterResultSelector"] = json.dumps(selected, separators=(",", ":"))
                after_result_path = jsonpath.apply_result_path(
                    state_input, selected, state.get("ResultPath", "$")
                )
                data["afterResultPath"] = json.dumps(after_result_path, separators=(",", ":"))
        except StatesError:
            pass  # the run itself reported the failure
        return data
