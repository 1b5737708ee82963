"""Check a whole definition before it is stored, the way CreateStateMachine does.

Every problem is one line in AWS's diagnostic form, `CODE: message at /json/pointer`
(ValidateStateMachineDefinitionDiagnostic codes): SCHEMA_VALIDATION_FAILED for shapes,
fields and types, MISSING_TRANSITION_TARGET for a Next/Default/StartAt that names no
state and for an unreachable state, MISSING_END_STATE, INVALID_JSONATA_EXPRESSION,
INVALID_JSON_DESCRIPTION. The checks collect every problem instead of stopping at the
first, so a user fixes a definition in one round.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stratus.workflows.schema import (
    ALLOWED,
    CATCHER_FIELDS,
    COMPARISONS,
    INTEGER_FIELDS,
    JSONATA_ONLY,
    JSONPATH_ONLY,
    NULLABLE_PATHS,
    PATH_FIELDS,
    PROCESSOR_FIELDS,
    PROGRAM_FIELDS,
    RETRIER_FIELDS,
    STATE_TYPES,
    TOP_FIELDS,
)
from stratus.workflows.states.base import JSONATA, JSONPATH


def validate_definition(raw: Any) -> list[str]:
    """Every problem of a decoded definition, in AWS's diagnostic form ([] when valid)."""
    problems: list[str] = []
    if not isinstance(raw, Mapping):
        return ["SCHEMA_VALIDATION_FAILED: Expected value of type Object at /"]
    for key in raw:
        if key not in TOP_FIELDS:
            problems.append(f"SCHEMA_VALIDATION_FAILED: Field '{key}' is not supported at /")
    language = raw.get("QueryLanguage", JSONPATH)
    if language not in (JSONPATH, JSONATA):
        problems.append(
            "SCHEMA_VALIDATION_FAILED: Value is not a valid QueryLanguage (JSONPath, JSONata) "
            "at /QueryLanguage"
        )
        language = JSONPATH
    timeout = raw.get("TimeoutSeconds")
    if timeout is not None and not _is_int(timeout, minimum=0):
        problems.append(
            "SCHEMA_VALIDATION_FAILED: Expected value of type Integer at /TimeoutSeconds"
        )
    _Checker(problems, language).program(raw, "", language, TOP_FIELDS)
    return problems


def _is_int(value: Any, minimum: int | None = None) -> bool:
    if isinstance(value, bool) or not isinstance(value, int):
        return False
    return minimum is None or value >= minimum


class _Checker:
    """Walks programs and states, appending problems."""

    def __init__(self, problems: list[str], machine_language: str) -> None:
        self.problems = problems
        self.machine_language = machine_language

    def fail(self, message: str, at: str, code: str = "SCHEMA_VALIDATION_FAILED") -> None:
        self.problems.append(f"{code}: {message} at {at or '/'}")

    # ------------------------------------------------------------------ programs

    def program(self, raw: Mapping[str, Any], at: str, language: str, allowed: set[str]) -> None:
        if at:  # the top level is checked by validate_definition
            for key in raw:
                if key not in allowed:
                    self.fail(f"Field '{key}' is not supported", at)
        start = raw.get("StartAt")
        states = raw.get("States")
        missing = [name for name in ("StartAt", "States") if name not in raw]
        if missing:
            self.fail(f"These fields are required: [{', '.join(missing)}]", at)
        if start is not None and not isinstance(start, str):
            self.fail("Expected value of type String", f"{at}/StartAt")
        if states is not None and not isinstance(states, Mapping):
            self.fail("Expected value of type Object", f"{at}/States")
            return
        states = states or {}
        if not states and "States" in raw:
            self.fail("The field 'States' must not be empty", f"{at}/States")
        for name, state in states.items():
            self.state(name, state, f"{at}/States/{name}", language)
        if isinstance(start, str) and start not in states:
            self.fail(
                f"Missing 'StartAt' target: {start}", f"{at}/StartAt", "MISSING_TRANSITION_TARGET"
            )
        self.transitions(states, at)
        if isinstance(start, str) and start in states:
            self.reachability(start, states, at)
        if states and not any(_is_terminal(state) for state in states.values()):
            self.fail("No terminal state found in the workflow", at, "MISSING_END_STATE")

    def transitions(self, states: Mapping[str, Any], at: str) -> None:
        for name, state in states.items():
            if not isinstance(state, Mapping):
                continue
            for target, where in _targets(state):
                if isinstance(target, str) and target not in states:
                    self.fail(
                        f"Missing '{where.rsplit('/', 1)[-1]}' target: {target}",
                        f"{at}/States/{name}/{where}",
                        "MISSING_TRANSITION_TARGET",
                    )

    def reachability(self, start: str, states: Mapping[str, Any], at: str) -> None:
        seen = {start}
        todo = [start]
        while todo:
            state = states.get(todo.pop())
            if not isinstance(state, Mapping):
                continue
            for target, _ in _targets(state):
                if isinstance(target, str) and target in states and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for name in states:
            if name not in seen:
                self.fail(
                    f'State "{name}" is not reachable.',
                    f"{at}/States/{name}",
                    "MISSING_TRANSITION_TARGET",
                )

    # ------------------------------------------------------------------ states

    def state(self, name: str, raw: Any, at: str, inherited: str) -> None:
        if not isinstance(raw, Mapping):
            self.fail("Expected value of type Object", at)
            return
        if len(name) > 80:
            # AWS's words (https://github.com/ChristopheBougere/asl-validator/issues/69).
            self.fail(
                f"Invalid State name: State '{name}' exceeds the 80-character limit allowed "
                "by the service",
                at,
                "INVALID_STATE_NAME",
            )
        kind = raw.get("Type")
        if kind is None:
            self.fail("These fields are required: [Type]", at)
            return
        if kind not in STATE_TYPES:
            self.fail(f"Value is not a valid state type: {kind}", f"{at}/Type")
            return
        language = self.language(raw, at, inherited)
        allowed = ALLOWED[kind]
        for key in raw:
            if key not in allowed:
                self.fail(f"Field '{key}' is not supported", at)
            elif language == JSONPATH and key in JSONATA_ONLY:
                self.fail(
                    f"The QueryLanguage is set to 'JSONPath', but field '{key}' is only "
                    "supported for the 'JSONata' QueryLanguage",
                    at,
                )
            elif language == JSONATA and key in JSONPATH_ONLY:
                self.fail(
                    f"The QueryLanguage is set to 'JSONata', but field '{key}' is only "
                    "supported for the 'JSONPath' QueryLanguage",
                    at,
                )
        self.flow(kind, raw, at)
        self.types(raw, at, language)
        if language == JSONPATH:
            self.paths(raw, at)
        else:
            self.jsonata(raw, at)
        self.retry_catch(raw, at, language)
        if kind == "Task" and not isinstance(raw.get("Resource"), str):
            self.fail("These fields are required: [Resource]", at)
        elif kind == "Choice":
            self.choice(raw, at, language)
        elif kind == "Wait":
            forms = [
                k for k in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath") if k in raw
            ]
            if len(forms) != 1:
                self.fail(
                    "A Wait state must have exactly one of Seconds, SecondsPath, Timestamp, "
                    "TimestampPath",
                    at,
                )
        elif kind == "Parallel":
            branches = raw.get("Branches")
            if not isinstance(branches, list) or not branches:
                self.fail("These fields are required: [Branches]", at)
            else:
                for index, branch in enumerate(branches):
                    if isinstance(branch, Mapping):
                        self.program(
                            branch, f"{at}/Branches/{index}", self.machine_language, PROGRAM_FIELDS
                        )
                    else:
                        self.fail("Expected value of type Object", f"{at}/Branches/{index}")
        elif kind == "Map":
            self.map(raw, at, language)

    def language(self, raw: Mapping[str, Any], at: str, inherited: str) -> str:
        value = raw.get("QueryLanguage")
        if value is None:
            return inherited
        if value not in (JSONPATH, JSONATA):
            self.fail("Value is not a valid QueryLanguage (JSONPath, JSONata)", at)
            return inherited
        if value == JSONPATH and self.machine_language == JSONATA:
            self.fail(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                at,
            )
        return str(value)

    def flow(self, kind: str, raw: Mapping[str, Any], at: str) -> None:
        if kind in ("Choice", "Succeed", "Fail"):
            return
        has_next, end = "Next" in raw, raw.get("End")
        if end is not None and not isinstance(end, bool):
            self.fail("Expected value of type Boolean", f"{at}/End")
        if has_next and not isinstance(raw["Next"], str):
            self.fail("Expected value of type String", f"{at}/Next")
        if has_next and end is True:
            self.fail("Only one of 'Next' or 'End' may be set", at)
        elif not has_next and end is not True:
            self.fail("One of 'Next' or 'End' is required", at)

    def types(self, raw: Mapping[str, Any], at: str, language: str) -> None:
        for key in ("Comment", "Resource", "Default", "Error", "Cause", "Label"):
            if key in raw and not isinstance(raw[key], str):
                self.fail("Expected value of type String", f"{at}/{key}")
        for key in INTEGER_FIELDS:
            value = raw.get(key)
            if value is None:
                continue
            if language == JSONATA and isinstance(value, str) and value.startswith("{%"):
                continue  # a JSONata expression, parsed by `jsonata`
            if not _is_int(value, minimum=0 if key != "TimeoutSeconds" else 1):
                self.fail("Expected value of type Integer", f"{at}/{key}")
        for key in ("Parameters", "ResultSelector", "ItemSelector", "Assign"):
            if key in raw and key != "Parameters" and not isinstance(raw[key], Mapping):
                self.fail("Expected value of type Object", f"{at}/{key}")
        if "Timestamp" in raw and not isinstance(raw["Timestamp"], str):
            self.fail("Expected value of type String", f"{at}/Timestamp")

    def paths(self, raw: Mapping[str, Any], at: str) -> None:
        from stratus.workflows.errors import StatesError
        from stratus.workflows.expressions import jsonpath

        for key in PATH_FIELDS:
            if key not in raw:
                continue
            value = raw[key]
            if value is None and key in NULLABLE_PATHS:
                continue
            if not isinstance(value, str):
                self.fail("Expected value of type String", f"{at}/{key}")
                continue
            try:
                parsed = jsonpath.parse(value)
            except StatesError:
                self.fail(
                    f"The value for the field '{key}' must be a valid JSONPath", f"{at}/{key}"
                )
                continue
            if key == "ResultPath" and (parsed.root != "$" or not parsed.definite):
                self.fail(
                    "The value for the field 'ResultPath' must be a valid ReferencePath",
                    f"{at}/{key}",
                )
        for key in ("ErrorPath", "CausePath"):
            if key in raw and not isinstance(raw[key], str):
                self.fail("Expected value of type String", f"{at}/{key}")

    def jsonata(self, value: Any, at: str) -> None:
        """Every '{% %}' expression must parse (INVALID_JSONATA_EXPRESSION)."""
        if isinstance(value, str):
            if value.startswith("{%") and value.endswith("%}"):
                import jsonata as jsonata_lib

                try:
                    jsonata_lib.Jsonata(value[2:-2].strip())
                except Exception as error:  # the library raises assorted error types
                    message = str(error).split(": ", 1)[-1] if ": " in str(error) else str(error)
                    self.fail(message, at, "INVALID_JSONATA_EXPRESSION")
            return
        if isinstance(value, Mapping):
            for key, item in value.items():
                if key in ("ItemProcessor", "Iterator", "Branches"):
                    continue  # nested programs are checked as programs
                self.jsonata(item, f"{at}/{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.jsonata(item, f"{at}[{index}]")

    def retry_catch(self, raw: Mapping[str, Any], at: str, language: str) -> None:
        for index, retrier in enumerate(_as_list(raw.get("Retry"), self, f"{at}/Retry")):
            where = f"{at}/Retry[{index}]"
            if not isinstance(retrier, Mapping):
                self.fail("Expected value of type Object", where)
                continue
            for key in retrier:
                if key not in RETRIER_FIELDS:
                    self.fail(f"Field '{key}' is not supported", where)
            self.error_equals(retrier, where)
            for key in ("IntervalSeconds", "MaxAttempts", "MaxDelaySeconds"):
                if key in retrier and not _is_int(retrier[key], minimum=0):
                    self.fail("Expected value of type Integer", f"{where}/{key}")
            rate = retrier.get("BackoffRate")
            if rate is not None and (
                isinstance(rate, bool) or not isinstance(rate, int | float) or rate < 1
            ):
                self.fail("BackoffRate must be a number greater than or equal to 1.0", where)
            if retrier.get("JitterStrategy", "NONE") not in ("NONE", "FULL"):
                self.fail("JitterStrategy must be NONE or FULL", f"{where}/JitterStrategy")
        for index, catcher in enumerate(_as_list(raw.get("Catch"), self, f"{at}/Catch")):
            where = f"{at}/Catch[{index}]"
            if not isinstance(catcher, Mapping):
                self.fail("Expected value of type Object", where)
                continue
            for key in catcher:
                if key not in CATCHER_FIELDS:
                    self.fail(f"Field '{key}' is not supported", where)
                elif language == JSONPATH and key == "Output":
                    self.fail(
                        "The QueryLanguage is set to 'JSONPath', but field 'Output' is only "
                        "supported for the 'JSONata' QueryLanguage",
                        where,
                    )
                elif language == JSONATA and key == "ResultPath":
                    self.fail(
                        "The QueryLanguage is set to 'JSONata', but field 'ResultPath' is only "
                        "supported for the 'JSONPath' QueryLanguage",
                        where,
                    )
            self.error_equals(catcher, where)
            if not isinstance(catcher.get("Next"), str):
                self.fail("These fields are required: [Next]", where)

    def error_equals(self, raw: Mapping[str, Any], at: str) -> None:
        names = raw.get("ErrorEquals")
        if not isinstance(names, list) or not names:
            self.fail("These fields are required: [ErrorEquals]", at)
            return
        if any(not isinstance(name, str) for name in names):
            self.fail("Expected value of type String", f"{at}/ErrorEquals")
        elif "States.ALL" in names and len(names) > 1:
            self.fail("States.ALL must appear alone in ErrorEquals", f"{at}/ErrorEquals")

    def choice(self, raw: Mapping[str, Any], at: str, language: str) -> None:
        choices = raw.get("Choices")
        if not isinstance(choices, list) or not choices:
            self.fail("These fields are required: [Choices]", at)
            return
        for index, rule in enumerate(choices):
            where = f"{at}/Choices[{index}]"
            if not isinstance(rule, Mapping):
                self.fail("Expected value of type Object", where)
                continue
            if not isinstance(rule.get("Next"), str):
                self.fail("These fields are required: [Next]", where)
            if language == JSONATA:
                if "Condition" not in rule:
                    self.fail("These fields are required: [Condition]", where)
            else:
                self.rule(rule, where, top=True)

    def rule(self, rule: Mapping[str, Any], at: str, top: bool) -> None:
        """A JSONPath choice rule: Variable + one comparison, or And/Or/Not."""
        if "Condition" in rule:
            self.fail(
                "The QueryLanguage is set to 'JSONPath', but field 'Condition' is only "
                "supported for the 'JSONata' QueryLanguage",
                at,
            )
            return
        if "And" in rule or "Or" in rule:
            key = "And" if "And" in rule else "Or"
            for index, inner in enumerate(_as_list(rule.get(key), self, f"{at}/{key}")):
                if isinstance(inner, Mapping):
                    self.rule(inner, f"{at}/{key}[{index}]", top=False)
            return
        if "Not" in rule:
            if isinstance(rule["Not"], Mapping):
                self.rule(rule["Not"], f"{at}/Not", top=False)
            return
        operators = [key for key in rule if key in COMPARISONS]
        if "Variable" not in rule:
            self.fail("These fields are required: [Variable]", at)
        if len(operators) != 1:
            self.fail("A choice rule must have exactly one comparison operator", at)
        allowed = COMPARISONS | {"Variable", "Next", "Comment", "Assign"}
        for key in rule:
            if key not in allowed:
                self.fail(f"Field '{key}' is not supported", at)

    def map(self, raw: Mapping[str, Any], at: str, language: str) -> None:
        key = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
        processor = raw.get(key)
        if "ItemProcessor" in raw and "Iterator" in raw:
            self.fail("Only one of 'ItemProcessor' or 'Iterator' may be set", at)
        if not isinstance(processor, Mapping):
            self.fail("These fields are required: [ItemProcessor]", at)
            return
        config = processor.get("ProcessorConfig") or {}
        if isinstance(config, Mapping):
            mode = config.get("Mode", "INLINE")
            if mode not in ("INLINE", "DISTRIBUTED"):
                self.fail("Mode must be INLINE or DISTRIBUTED", f"{at}/{key}/ProcessorConfig/Mode")
        self.program(processor, f"{at}/{key}", self.machine_language, PROCESSOR_FIELDS)
        if "ItemSelector" in raw and "Parameters" in raw:
            self.fail("Only one of 'ItemSelector' or 'Parameters' may be set", at)


def _as_list(value: Any, checker: _Checker, at: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        checker.fail("Expected value of type Array", at)
        return []
    return value


def _targets(state: Mapping[str, Any]) -> list[tuple[Any, str]]:
    """(target, location) for every transition a state names."""
    found: list[tuple[Any, str]] = []
    if "Next" in state:
        found.append((state["Next"], "Next"))
    if "Default" in state:
        found.append((state["Default"], "Default"))
    for index, rule in enumerate(state.get("Choices") or ()):
        if isinstance(rule, Mapping) and "Next" in rule:
            found.append((rule["Next"], f"Choices[{index}]/Next"))
    for index, catcher in enumerate(state.get("Catch") or ()):
        if isinstance(catcher, Mapping) and "Next" in catcher:
            found.append((catcher["Next"], f"Catch[{index}]/Next"))
    return found


def _is_terminal(state: Any) -> bool:
    if not isinstance(state, Mapping):
        return False
    return state.get("Type") in ("Succeed", "Fail") or state.get("End") is True
