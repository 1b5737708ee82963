"""A program: StartAt plus States, the unit a state machine, a branch or a map processor is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from stratus.workflows.states.base import State


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    """`key` is the JSON-pointer-like location ("" for the top level,
    "/States/P/Branches/0", "/States/M/ItemProcessor") that execution state stores to find
    its program again after a restart."""

    key: str
    start_at: str
    states: Mapping[str, State]
    query_language: str
    comment: str | None = None
