"""Map Runs: what a Distributed Map tells the driver about itself, as data.

A Distributed Map state is a *Map Run* on AWS: a resource with an ARN of its own, whose
iterations are child workflow executions with ARNs, names and statuses of their own
(DescribeMapRun, ListMapRuns, ListExecutions with ``mapRunArn``). The core runs those
iterations as scopes of the parent execution; as they start and end it emits a
:class:`MapRunChange` per fact, which the driver stores in the same commit as the step
that produced it, so the Map Run the API shows is never ahead of or behind the execution.

ARNs follow the Step Functions developer guide ("Examining Map Run"):
``arn:aws:states:REGION:ACCOUNT:mapRun:MACHINE/LABEL:RUN-ID`` for the run and
``arn:aws:states:REGION:ACCOUNT:execution:MACHINE/LABEL:CHILD-NAME`` (``express:`` for
EXPRESS children) for its child executions. The ids are UUIDs derived from the parent's
ARN and position (the core draws no random numbers), so a replayed step names them alike.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from stratus.workflows.interpreter.model import RUNNING

STARTED = "started"
CHILD = "child"
ENDED = "ended"
REDRIVEN = "redriven"


@dataclass(frozen=True, slots=True, kw_only=True)
class MapRunChange:
    """One fact about a Map Run: it started, one of its children changed, it ended, or a
    redrive continues it.

    ``details`` for ``started``: executionArn, stateMachineArn (the parent's machine),
    label, executionType, maxConcurrency, toleratedFailureCount/Percentage, total
    (children) and totalItems; for ``child``: arn, name, items and input (when it starts),
    output or error and cause (when it ends); for ``ended``: resultsWritten, error, cause;
    for ``redriven``: redriveCount.
    """

    kind: str
    map_run_arn: str
    at: float
    status: str = RUNNING
    index: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


def _prefix(execution_arn: str) -> str:
    """``arn:aws:states:REGION:ACCOUNT:`` of an execution ARN."""
    return ":".join(execution_arn.split(":")[:5]) + ":"


def map_run_arn(execution_arn: str, machine_name: str, label: str, seed: str) -> str:
    """The ARN of a Map Run started by `execution_arn`; `seed` tells its runs apart."""
    run_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{execution_arn}#{seed}")
    return f"{_prefix(execution_arn)}mapRun:{machine_name}/{label}:{run_id}"


def child_name(run_arn: str, index: int) -> str:
    """The name of a Map Run's child execution number `index` (a UUID, as on AWS)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{run_arn}#{index}"))


def child_arn(run_arn: str, index: int, execution_type: str) -> str:
    """The ARN of a Map Run's child execution: the run's ARN with the execution kind for
    ``mapRun`` and the child's name for the run's id."""
    head, _, _run_id = run_arn.rpartition(":")
    kind = "express" if execution_type == "EXPRESS" else "execution"
    return head.replace(":mapRun:", f":{kind}:", 1) + ":" + child_name(run_arn, index)


def machine_of(run_arn: str) -> str:
    """The child executions' state machine ARN: ``...:stateMachine:MACHINE/LABEL``."""
    head = run_arn.rpartition(":")[0]
    return head.replace(":mapRun:", ":stateMachine:", 1)


def item_count(child_input: Any, batched: bool) -> int:
    """How many items one child execution processes (a batch holds several)."""
    if batched and isinstance(child_input, dict) and isinstance(child_input.get("Items"), list):
        return len(child_input["Items"])
    return 1
