"""Records shared by every state type: common fields, Retry and Catch.

A parsed definition is a tree of frozen records so the interpreter never re-reads raw JSON
or re-validates on its hot path. Payload templates (Parameters, Arguments, Assign, Output,
choice rules ...) stay as the JSON values the user wrote: the expression evaluators take
them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSONPATH = "JSONPath"
JSONATA = "JSONata"


@dataclass(frozen=True, slots=True, kw_only=True)
class Retrier:
    """One element of a state's `Retry` array (states-language.net, "Retrying after error")."""

    error_equals: tuple[str, ...]
    interval_seconds: float = 1
    max_attempts: int = 3
    backoff_rate: float = 2.0
    max_delay_seconds: float | None = None
    jitter_strategy: str = "NONE"
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Catcher:
    """One element of a state's `Catch` array; `result_path` None means "discard"."""

    error_equals: tuple[str, ...]
    next: str
    result_path: str | None = "$"
    output: Any = None
    has_output: bool = False
    assign: Mapping[str, Any] | None = None
    comment: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """Fields every state type may carry; absent optional fields keep their ASL defaults.

    `input_path`, `output_path`, `result_path`: "$" by default, None when the user wrote
    null (AWS: null InputPath gives {}, null ResultPath discards the result).
    """

    name: str
    type: str
    query_language: str = JSONPATH
    comment: str | None = None
    next: str | None = None
    end: bool = False
    input_path: str | None = "$"
    output_path: str | None = "$"
    result_path: str | None = "$"
    parameters: Any = None
    has_parameters: bool = False
    result_selector: Any = None
    has_result_selector: bool = False
    arguments: Any = None
    has_arguments: bool = False
    output: Any = None
    has_output: bool = False
    assign: Mapping[str, Any] | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_jsonata(self) -> bool:
        """True when this state evaluates JSONata (its own or the inherited QueryLanguage)."""
        return self.query_language == JSONATA


def path_field(raw: Mapping[str, Any], key: str) -> str | None:
    """An InputPath/OutputPath/ResultPath value: "$" when absent, None when null."""
    if key not in raw:
        return "$"
    value = raw[key]
    return value if isinstance(value, str) else None


def parse_retriers(raw: Any) -> tuple[Retrier, ...]:
    """Build Retry records; the validator has already checked types."""
    retriers = []
    for item in raw or ():
        retriers.append(
            Retrier(
                error_equals=tuple(item.get("ErrorEquals", ())),
                interval_seconds=item.get("IntervalSeconds", 1),
                max_attempts=item.get("MaxAttempts", 3),
                backoff_rate=item.get("BackoffRate", 2.0),
                max_delay_seconds=item.get("MaxDelaySeconds"),
                jitter_strategy=item.get("JitterStrategy", "NONE"),
                comment=item.get("Comment"),
            )
        )
    return tuple(retriers)


def parse_catchers(raw: Any) -> tuple[Catcher, ...]:
    """Build Catch records; the validator has already checked types."""
    catchers = []
    for item in raw or ():
        catchers.append(
            Catcher(
                error_equals=tuple(item.get("ErrorEquals", ())),
                next=item.get("Next", ""),
                result_path=path_field(item, "ResultPath"),
                output=item.get("Output"),
                has_output="Output" in item,
                assign=item.get("Assign"),
                comment=item.get("Comment"),
            )
        )
    return tuple(catchers)


def common_fields(name: str, raw: Mapping[str, Any], query_language: str) -> dict[str, Any]:
    """Keyword arguments for the `State` fields, read from one raw state object."""
    return {
        "name": name,
        "type": raw.get("Type", ""),
        "query_language": raw.get("QueryLanguage", query_language),
        "comment": raw.get("Comment"),
        "next": raw.get("Next"),
        "end": bool(raw.get("End", False)),
        "input_path": path_field(raw, "InputPath"),
        "output_path": path_field(raw, "OutputPath"),
        "result_path": path_field(raw, "ResultPath"),
        "parameters": raw.get("Parameters"),
        "has_parameters": "Parameters" in raw,
        "result_selector": raw.get("ResultSelector"),
        "has_result_selector": "ResultSelector" in raw,
        "arguments": raw.get("Arguments"),
        "has_arguments": "Arguments" in raw,
        "output": raw.get("Output"),
        "has_output": "Output" in raw,
        "assign": raw.get("Assign"),
        "retry": parse_retriers(raw.get("Retry")),
        "catch": parse_catchers(raw.get("Catch")),
        "raw": raw,
    }
