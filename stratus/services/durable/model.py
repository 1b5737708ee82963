"""A durable execution, its operation log and the identifiers the SDK carries around.

An operation is kept in the shape the Lambda API gives it (``Id``, ``Type``, ``Status``,
``StepDetails`` ...), timestamps as epoch seconds: it goes to the wire as it is, in the
invocation envelope, in GetDurableExecutionState and in checkpoint answers, so one form
serves all three and nothing converts it back and forth.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from stratus.services.durable.errors import ExecutionNotFound, InvalidCheckpointToken

Operation = dict[str, Any]  # the API's Operation shape, built and read by operations.py
Event = dict[str, Any]  # the API's Event shape (GetDurableExecutionHistory)

RUNNING = "RUNNING"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
TIMED_OUT = "TIMED_OUT"
STOPPED = "STOPPED"
PAUSED = "PAUSED"
TERMINAL = frozenset({SUCCEEDED, FAILED, TIMED_OUT, STOPPED})


def now() -> float:
    return time.time()


@dataclass(slots=True)
class Execution:
    """One durable execution; ``operations`` and the event log are stored beside it."""

    arn: str
    function_arn: str  # unqualified
    version: str  # the version that runs: $LATEST or a number
    name: str
    input_payload: str
    start: float
    timeout_s: int
    retention_days: int = 14
    status: str = RUNNING
    end: float | None = None
    result: str | None = None
    error: dict[str, Any] | None = None
    token_seq: int = 1
    token_live: bool = True  # False once terminal: the last answer carries no token
    next_event_id: int = 1
    invocation_failures: int = 0
    pause: dict[str, Any] | None = None
    # ClientToken -> the token sequence it consumed (a retried checkpoint is answered again)
    client_tokens: dict[str, int] = field(default_factory=dict)
    # A chained invoke waiting on this execution: [parent execution ARN, operation id].
    parent: list[str] | None = None
    operations: dict[str, Operation] = field(default_factory=dict)
    # Operations the service changed (timer, callback, chained invoke) that the function
    # has not been told about yet: the next checkpoint answer and envelope carry them.
    updated: list[str] = field(default_factory=list)

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    def record(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        del data["operations"]
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any], operations: dict[str, Operation]) -> Execution:
        names = {f.name for f in dataclasses.fields(cls)}
        execution = cls(**{k: v for k, v in data.items() if k in names and k != "operations"})
        execution.operations = operations
        return execution


def execution_arn(function_arn: str, version: str, name: str) -> str:
    """Lambda's form: ``{function ARN}:{version}/durable-execution/{name}/{id}``."""
    return f"{function_arn}:{version}/durable-execution/{name}/{uuid.uuid4()}"


def split_execution_arn(arn: str) -> tuple[str, str]:
    """The unqualified function ARN and the version an execution ARN names."""
    qualified, sep, _rest = arn.partition("/durable-execution/")
    function_arn, _, version = qualified.rpartition(":")
    if not sep or not function_arn:
        raise ExecutionNotFound(f"Durable execution not found: {arn}")
    return function_arn, version


def new_execution_name() -> str:
    return str(uuid.uuid4())


# -- checkpoint tokens and callback ids ------------------------------------------------
# Both are base64 (the model's pattern) of text the service can read back: the execution
# ARN and a sequence (tokens) or the operation id (callbacks), plus randomness so neither
# can be guessed from the other.


def _encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _decode(value: str) -> str:
    try:
        return base64.b64decode(value.encode(), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return ""


def checkpoint_token(execution: Execution) -> str:
    return _encode(f"{execution.arn}\n{execution.token_seq}\n{secrets.token_hex(4)}")


def read_checkpoint_token(token: str, arn: str) -> int:
    """The sequence a token carries, if it belongs to ``arn``."""
    parts = _decode(token).split("\n")
    if len(parts) != 3 or parts[0] != arn or not parts[1].isdigit():
        raise InvalidCheckpointToken("Invalid checkpoint token: the token is malformed")
    return int(parts[1])


def callback_id(arn: str, operation_id: str) -> str:
    return _encode(f"{arn}\n{operation_id}\n{secrets.token_hex(6)}")


def read_callback_id(value: str) -> tuple[str, str]:
    parts = _decode(value).split("\n")
    if len(parts) != 3:
        raise ExecutionNotFound("Callback not found")
    return parts[0], parts[1]


def execution_operation_id(arn: str) -> str:
    """The SDK finds the EXECUTION operation by the ARN's last segment."""
    return arn.rsplit("/", 1)[-1]
