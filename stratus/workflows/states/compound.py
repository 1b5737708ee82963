"""States that run programs of their own: Parallel (branches) and Map (an item processor)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stratus.workflows.states.base import State, common_fields
from stratus.workflows.states.program import Program

#: Builds the program at (raw, key, inherited query language). Nested programs inherit
#: the machine's QueryLanguage, not their parent state's (AWS validates them that way).
ProgramBuilder = Callable[[Mapping[str, Any], str, str], Program]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelState(State):
    """Parallel: every branch gets the same input; the result is the list of branch outputs."""

    branches: tuple[Program, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class MapState(State):
    """Map, inline or distributed. `Iterator` (legacy) is read as `ItemProcessor`.

    Fields that may be given as literal or *Path form keep both; the interpreter resolves
    them at run time. ItemReader/ResultWriter/ItemBatcher are kept for the integrations.
    """

    processor: Program
    mode: str = "INLINE"
    execution_type: str | None = None
    items_path: str | None = "$"
    items: Any = None
    has_items: bool = False
    item_selector: Any = None
    has_item_selector: bool = False
    max_concurrency: Any = 0
    max_concurrency_path: str | None = None
    tolerated_failure_count: Any = None
    tolerated_failure_count_path: str | None = None
    tolerated_failure_percentage: Any = None
    tolerated_failure_percentage_path: str | None = None
    item_reader: Mapping[str, Any] | None = None
    item_batcher: Mapping[str, Any] | None = None
    result_writer: Mapping[str, Any] | None = None
    label: str | None = None

    @property
    def distributed(self) -> bool:
        """Distributed maps run iterations as child executions (MapRun events)."""
        return self.mode == "DISTRIBUTED"


def build_parallel(
    name: str,
    raw: Mapping[str, Any],
    query_language: str,
    key: str,
    build: ProgramBuilder,
    machine_language: str,
) -> ParallelState:
    """Parallel state record with its branch programs."""
    fields = common_fields(name, raw, query_language)
    branches = tuple(
        build(branch, f"{key}/Branches/{index}", machine_language)
        for index, branch in enumerate(raw.get("Branches") or ())
    )
    return ParallelState(**fields, branches=branches)


def build_map(
    name: str,
    raw: Mapping[str, Any],
    query_language: str,
    key: str,
    build: ProgramBuilder,
    machine_language: str,
) -> MapState:
    """Map state record with its item processor program."""
    fields = common_fields(name, raw, query_language)
    field_name = "ItemProcessor" if "ItemProcessor" in raw else "Iterator"
    processor_raw = raw.get(field_name) or {}
    config = processor_raw.get("ProcessorConfig") or {}
    selector_key = "ItemSelector" if "ItemSelector" in raw else "Parameters"
    if selector_key == "Parameters":
        # On Map, Parameters is the legacy name of ItemSelector: it shapes each item.
        fields["parameters"], fields["has_parameters"] = None, False
    return MapState(
        **fields,
        processor=build(processor_raw, f"{key}/{field_name}", machine_language),
        mode=config.get("Mode", "INLINE"),
        execution_type=config.get("ExecutionType"),
        items_path=raw.get("ItemsPath", "$"),
        items=raw.get("Items"),
        has_items="Items" in raw,
        item_selector=raw.get(selector_key),
        has_item_selector=selector_key in raw,
        max_concurrency=raw.get("MaxConcurrency", 0),
        max_concurrency_path=raw.get("MaxConcurrencyPath"),
        tolerated_failure_count=raw.get("ToleratedFailureCount"),
        tolerated_failure_count_path=raw.get("ToleratedFailureCountPath"),
        tolerated_failure_percentage=raw.get("ToleratedFailurePercentage"),
        tolerated_failure_percentage_path=raw.get("ToleratedFailurePercentagePath"),
        item_reader=raw.get("ItemReader"),
        item_batcher=raw.get("ItemBatcher"),
        result_writer=raw.get("ResultWriter"),
        label=raw.get("Label"),
    )
