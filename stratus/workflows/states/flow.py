"""Flow states that never call out: Pass, Choice, Wait, Succeed and Fail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stratus.workflows.states.base import State, common_fields


@dataclass(frozen=True, slots=True, kw_only=True)
class PassState(State):
    """Pass: `Result` (JSONPath) is the state's result; absent, the effective input is."""

    result: Any = None
    has_result: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceState(State):
    """Choice: rules are kept raw (the choice evaluator reads them); `default` is a name."""

    choices: tuple[Mapping[str, Any], ...] = ()
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitState(State):
    """Wait: exactly one of the four forms is set (JSONata: Seconds/Timestamp may be '{% %}')."""

    seconds: Any = None
    timestamp: Any = None
    seconds_path: str | None = None
    timestamp_path: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SucceedState(State):
    """Succeed: ends the (sub)program with its output."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FailState(State):
    """Fail: Error/Cause may be literals, paths (JSONPath) or '{% %}' (JSONata)."""

    error: Any = None
    cause: Any = None
    error_path: str | None = None
    cause_path: str | None = None


def build_pass(name: str, raw: Mapping[str, Any], query_language: str) -> PassState:
    """Pass state record."""
    return PassState(
        **common_fields(name, raw, query_language),
        result=raw.get("Result"),
        has_result="Result" in raw,
    )


def build_choice(name: str, raw: Mapping[str, Any], query_language: str) -> ChoiceState:
    """Choice state record."""
    return ChoiceState(
        **common_fields(name, raw, query_language),
        choices=tuple(raw.get("Choices") or ()),
        default=raw.get("Default"),
    )


def build_wait(name: str, raw: Mapping[str, Any], query_language: str) -> WaitState:
    """Wait state record."""
    return WaitState(
        **common_fields(name, raw, query_language),
        seconds=raw.get("Seconds"),
        timestamp=raw.get("Timestamp"),
        seconds_path=raw.get("SecondsPath"),
        timestamp_path=raw.get("TimestampPath"),
    )


def build_succeed(name: str, raw: Mapping[str, Any], query_language: str) -> SucceedState:
    """Succeed state record."""
    return SucceedState(**common_fields(name, raw, query_language))


def build_fail(name: str, raw: Mapping[str, Any], query_language: str) -> FailState:
    """Fail state record."""
    return FailState(
        **common_fields(name, raw, query_language),
        error=raw.get("Error"),
        cause=raw.get("Cause"),
        error_path=raw.get("ErrorPath"),
        cause_path=raw.get("CausePath"),
    )
