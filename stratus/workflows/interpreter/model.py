"""The state of one execution, as data.

An execution is a tree of *scopes*: the top-level program, each Parallel branch and each
Map iteration is one. A scope knows which program it runs, the state it is in, what that
state is waiting for and its variables. Everything here is JSON-serialisable
(`ExecutionState.to_dict` / `from_dict`) so a durable driver can store it at every
transition and resume after a crash from the stored dict alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
ABORTED = "ABORTED"
TIMED_OUT = "TIMED_OUT"


@dataclass(slots=True, kw_only=True)
class Children:
    """Progress of the Map iterations or Parallel branches a scope is waiting on."""

    kind: str  # "map" | "parallel"
    inputs: list[Any]
    results: list[Any]
    # The running children's scope ids, in start order: a dict (ordered, values unused)
    # so that one finishing is found and removed at once even among 10,000 (a Distributed
    # Map's default concurrency); states stored before held a list.
    running: dict[str, None] = field(default_factory=dict)
    next_index: int = 0
    finished: int = 0
    failures: int = 0
    max_concurrency: int = 0
    tolerated_count: int | None = None
    tolerated_percentage: float | None = None
    distributed: bool = False
    map_run_arn: str | None = None
    # A Distributed Map's children: STANDARD or EXPRESS executions, and how many items
    # each processes (several when an ItemBatcher batches them).
    child_type: str = "STANDARD"
    item_counts: list[int] | None = None
    # Each child's status ("" until it starts), the children a redrive runs again (in
    # place of `next_index`), and how many times the run was redriven.
    statuses: list[str] | None = None
    queue: list[int] | None = None
    redrive_count: int = 0


@dataclass(slots=True, kw_only=True)
class Scope:
    """One running program: the top level, a Parallel branch or a Map iteration.

    `phase` says what the current state is doing: "enter" (about to be entered), "act"
    (entered, about to act), "task" / "timer" / "retry" / "children" (waiting on `pending`
    or on child scopes), "done".
    """

    id: str
    program: str
    parent: str | None = None
    index: int | None = None
    state: str | None = None
    phase: str = "enter"
    state_input: Any = None
    effective_input: Any = None
    entered_event_id: int = 0
    entered_time: float = 0.0
    last_event_id: int = 0
    retry_counts: list[int] = field(default_factory=list)
    retry_total: int = 0
    pending: str | None = None
    deadline: str | None = None
    # When the `deadline` timer is due (epoch seconds): deadlines due at the same instant
    # fire together (`ExecutionState.deadlines`).
    deadline_at: float | None = None
    heartbeat: str | None = None
    heartbeat_seconds: float | None = None
    children: Children | None = None
    # A Distributed Map run of the current state that failed (kept for RedriveExecution,
    # which redrives that Map Run), and the one a redrive is about to continue.
    last_run: Children | None = None
    redrive_run: Children | None = None
    # A Distributed Map's items once its ItemReader read them, and its ResultWriter's
    # files still to write.
    reader_items: list[Any] | None = None
    writes: list[dict[str, Any]] | None = None
    # An S3 Inventory manifest being read: files still to read, row schema, items so far.
    manifest: dict[str, Any] | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    # The current state failed through its task (TaskFailed, TaskTimedOut): if that fails
    # the enclosing Map or Parallel, the state is recorded Aborted too, as on AWS.
    failed_task: bool = False
    record: bool = True
    status: str = RUNNING
    output: Any = None
    error: str | None = None
    cause: str | None = None


@dataclass(slots=True, kw_only=True)
class ExecutionState:
    """Everything the core needs to continue an execution; stored after every step."""

    execution_arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    role_arn: str
    input: Any
    start_time: float
    state_machine_type: str = "STANDARD"
    status: str = RUNNING
    output: Any = None
    error: str | None = None
    cause: str | None = None
    next_event_id: int = 1
    next_scope: int = 1
    scopes: dict[str, Scope] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)
    # Task deadlines by due time (the repr of the epoch second) -> ids of the scopes
    # waiting on one: the tasks a Map scheduled together time out together.
    deadlines: dict[str, dict[str, None]] = field(default_factory=dict)
    # Work left over when an activation used up its budget (`limits.WORK_PER_ACTIVATION`):
    # [action, scope id] pairs, taken up again by the next activation.
    ready: list[list[str]] = field(default_factory=list)
    # RedriveExecution: how many times, and when last (`$$.Execution.RedriveCount`).
    redrive_count: int = 0
    redrive_time: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready copy."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ExecutionState:
        """Rebuild a state stored with `to_dict`."""
        values = dict(data)
        scopes = {}
        for key, raw in values.pop("scopes").items():
            scope_values = dict(raw)
            scopes[key] = Scope(
                **{k: v for k, v in scope_values.items() if k not in _CHILDREN_FIELDS},
                children=_children(scope_values.get("children")),
                last_run=_children(scope_values.get("last_run")),
                redrive_run=_children(scope_values.get("redrive_run")),
            )
        return cls(**values, scopes=scopes)


_CHILDREN_FIELDS = ("children", "last_run", "redrive_run")


def _children(data: dict[str, Any] | None) -> Children | None:
    if not data:
        return None
    if isinstance(data.get("running"), list):
        data = {**data, "running": dict.fromkeys(data["running"])}
    return Children(**data)
