"""Wait states: Seconds, Timestamp, SecondsPath, TimestampPath (and their JSONata forms).

A wait is a timer command; the driver fires it. AWS rejects delays past 2^31-1 seconds
("Wait state delay is too long") and timestamps that are not ISO-8601 extended offset
date-times (an offset, `Z` or `+hh:mm`, is required; fractions up to nanoseconds).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from stratus.workflows.errors import StatesError
from stratus.workflows.interpreter import dataflow
from stratus.workflows.interpreter.history import to_json_text
from stratus.workflows.states import WaitState

if TYPE_CHECKING:
    from stratus.workflows.interpreter.core import Run
    from stratus.workflows.interpreter.model import Scope

MAX_DELAY_SECONDS = 2**31 - 1

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(text: Any) -> float | None:
    """Epoch seconds of an ISO-8601 extended offset date-time, or None if it is not one."""
    if not isinstance(text, str):
        return None
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    micro = int((fraction or "0").ljust(6, "0")[:6])
    zone = "+00:00" if offset == "Z" else offset
    try:
        moment = datetime.fromisoformat(
            f"{year}-{month}-{day}T{hour}:{minute}:{second}.{micro:06d}{zone}"
        )
    except ValueError:
        return None
    return moment.timestamp()


def act_wait(run: Run, scope: Scope, state: WaitState) -> None:
    """Compute when the wait ends and start its timer."""
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        fire_at = _jsonata_fire_at(run, state, states, variables)
    else:
        effective = dataflow.select_path(scope.state_input, state.input_path, context, variables)
        scope.effective_input = effective
        fire_at = _jsonpath_fire_at(run, state, effective, context, variables)
    if fire_at - run.at > MAX_DELAY_SECONDS:
        raise StatesError("States.Runtime", "Wait state delay is too long.")
    token = run.token(scope, "wait")
    scope.phase = "timer"
    scope.pending = token
    run.start_timer(scope, token, fire_at)


def _jsonpath_fire_at(
    run: Run, state: WaitState, data: Any, context: dict[str, Any], variables: dict[str, Any]
) -> float:
    from stratus.workflows.expressions import jsonpath

    if state.seconds_path is not None:
        path = state.seconds_path
        try:
            value = jsonpath.select(data, path, context, variables)
        except StatesError:
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter does not reference an input value: {path}",
            ) from None
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter cannot be parsed as a long value: {path} == "
                f"{_plain(value)}",
            )
        if value < 0:
            raise StatesError(
                "States.Runtime",
                f"The SecondsPath parameter references a negative value: {path} == {_plain(value)}",
            )
        return run.at + int(value)
    if state.timestamp_path is not None:
        path = state.timestamp_path
        try:
            value = jsonpath.select(data, path, context, variables)
        except StatesError:
            raise StatesError(
                "States.Runtime",
                f"The TimestampPath parameter does not reference an input value: {path}",
            ) from None
        moment = parse_timestamp(value)
        if moment is None:
            raise StatesError(
                "States.Runtime",
                "The TimestampPath parameter does not reference a valid ISO-8601 extended "
                f"offset date-time format string: {path} == {_plain(value)}",
            )
        return moment
    if state.timestamp is not None:
        moment = parse_timestamp(state.timestamp)
        return run.at if moment is None else moment
    return run.at + float(state.seconds or 0)


def _jsonata_fire_at(
    run: Run, state: WaitState, states: dict[str, Any], variables: dict[str, Any]
) -> float:
    if state.timestamp is not None:
        value = dataflow.jsonata_value(state.timestamp, "Timestamp", states, variables)
        moment = parse_timestamp(value)
        if moment is None:
            raise StatesError(
                "States.QueryEvaluationError",
                "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time "
                f"format string: {_plain(value)}",
            )
        return moment
    value = dataflow.jsonata_value(state.seconds, "Seconds", states, variables)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise StatesError(
            "States.QueryEvaluationError",
            f"The JSONata expression '{state.seconds}' specified for the field 'Seconds' "
            f"returned an unexpected result type. Expected 'integer', but was "
            f"'{type(value).__name__}' for value: {to_json_text(value)}",
        )
    if value < 0:
        raise StatesError(
            "States.QueryEvaluationError",
            f"The JSONata expression '{state.seconds}' specified for the field 'Seconds' "
            f"returned a negative value: {value}",
        )
    return run.at + int(value)


def finish_wait(run: Run, scope: Scope, state: WaitState) -> None:
    """The timer fired: shape the output and leave the state."""
    scope.pending = None
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        assigned = dataflow.jsonata_assign(state.assign, states, variables)
        output = (
            dataflow.jsonata_value(state.output, "Output", states, variables)
            if state.has_output
            else scope.state_input
        )
    else:
        effective = scope.effective_input
        assigned = dataflow.jsonpath_assign(state.assign, effective, context, variables)
        output = dataflow.select_path(effective, state.output_path, context, variables)
    run.exit(scope, state, output, assigned)


def _plain(value: Any) -> str:
    """How AWS prints the offending value in Wait causes (strings bare, others as JSON)."""
    return value if isinstance(value, str) else to_json_text(value)
