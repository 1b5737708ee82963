"""Parse a state machine definition (JSON text) into typed records.

`parse_definition` validates first (see `validator.py`) and raises `DefinitionError` with
AWS-style diagnostics, so everything downstream may trust the shape of the records.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from stratus.workflows.errors import DefinitionError
from stratus.workflows.expressions.values import nesting_exceeds
from stratus.workflows.limits import MAX_JSON_DEPTH
from stratus.workflows.states import JSONPATH, Program, State
from stratus.workflows.states.compound import build_map, build_parallel
from stratus.workflows.states.flow import (
    build_choice,
    build_fail,
    build_pass,
    build_succeed,
    build_wait,
)
from stratus.workflows.states.task import build_task

_SIMPLE_BUILDERS = {
    "Pass": build_pass,
    "Choice": build_choice,
    "Wait": build_wait,
    "Succeed": build_succeed,
    "Fail": build_fail,
    "Task": build_task,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class StateMachine:
    """A whole definition: the top program plus every nested program by key."""

    program: Program
    programs: Mapping[str, Program]
    comment: str | None = None
    version: str | None = None
    timeout_seconds: int | None = None
    query_language: str = JSONPATH
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def state(self, program_key: str, name: str) -> State:
        """The state `name` of the program stored under `program_key`."""
        return self.programs[program_key].states[name]


def load_json(text: str | bytes | Mapping[str, Any]) -> Any:
    """Decode a definition; mappings (already decoded) pass through unchanged.

    A definition nested deeper than MAX_JSON_DEPTH is refused here, before the validator
    and the parser, which recurse once per level, ever see it (see `limits.py`).
    """
    if isinstance(text, Mapping):
        raw: Any = text
    else:
        try:
            raw = json.loads(text)
        except RecursionError:
            raise DefinitionError([_TOO_DEEP]) from None
        except (ValueError, TypeError) as error:
            raise DefinitionError([f"INVALID_JSON_DESCRIPTION: {error}"]) from None
    if nesting_exceeds(raw, MAX_JSON_DEPTH):
        raise DefinitionError([_TOO_DEEP])
    return raw


_TOO_DEEP = (
    "INVALID_JSON_DESCRIPTION: The definition is nested deeper than the maximum depth "
    f"({MAX_JSON_DEPTH})"
)


def parse_definition(
    text: str | bytes | Mapping[str, Any], *, validate: bool = True
) -> StateMachine:
    """Validate and parse a definition; raise `DefinitionError` listing every problem."""
    raw = load_json(text)
    if validate:
        from stratus.workflows.validator import validate_definition

        problems = validate_definition(raw)
        if problems:
            raise DefinitionError(problems)
    programs: dict[str, Program] = {}
    query_language = raw.get("QueryLanguage", JSONPATH)

    def build(program_raw: Mapping[str, Any], key: str, inherited: str) -> Program:
        states: dict[str, State] = {}
        for name, state_raw in (program_raw.get("States") or {}).items():
            kind = state_raw.get("Type")
            path = f"{key}/States/{name}"
            if kind == "Parallel":
                states[name] = build_parallel(
                    name, state_raw, inherited, path, build, query_language
                )
            elif kind == "Map":
                states[name] = build_map(name, state_raw, inherited, path, build, query_language)
            else:
                states[name] = _SIMPLE_BUILDERS[kind](name, state_raw, inherited)
        program = Program(
            key=key,
            start_at=program_raw.get("StartAt", ""),
            states=states,
            query_language=inherited,
            comment=program_raw.get("Comment"),
        )
        programs[key] = program
        return program

    top = build(raw, "", query_language)
    return StateMachine(
        program=top,
        programs=programs,
        comment=raw.get("Comment"),
        version=raw.get("Version"),
        timeout_seconds=raw.get("TimeoutSeconds"),
        query_language=query_language,
        raw=raw,
    )
