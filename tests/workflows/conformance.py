"""Run AWS-recorded ASL cases (`../shared/conformance/asl/localstack-sfn`) and compare.

The comparison follows the material's README ("Comparing results"): status first, then
output or error/cause with snapshot labels as wildcards, then the history event types
where they are exact (not for cases with a Parallel state).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stratus.workflows.definition import parse_definition
from stratus.workflows.driver import Clock, Driver, TaskExecutor, no_tasks

from .lambda_emulation import lambda_executor

ROOT = Path(__file__).resolve().parents[2]
MATERIAL = ROOT.parent / "shared" / "conformance" / "asl" / "localstack-sfn"

#: Timers run this many times faster than real time (Waits, retry back-off, deadlines).
TIME_SCALE = 200.0

_LABEL = re.compile(r"<[^<>]+>")
_BARE_LABELS = {
    "date",
    "timestamp",
    "start-time",
    "start-date",
    "stop-date",
    "entered-time",
    "execution-arn",
    "state-machine-arn",
    "snf_role_arn",
    "sfn_role_arn",
    "a_task_token",
    "sqs_queue_url",
    "RandomNumberGenerated",
    "generated-uuid",
    "executionSucceededEventDetails.output",
}


def load_cases(name: str) -> list[dict[str, Any]]:
    """Every case of one jsonl file ([] when the material is absent)."""
    path = MATERIAL / name
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def case_id(case: dict[str, Any]) -> str:
    """A short, stable pytest id: the node id without the file path."""
    return str(case["id"]).split("::", 1)[-1]


def longest_wait(case: dict[str, Any]) -> float:
    """The longest literal Wait `Seconds` in a case's definition (for the slow marker)."""
    text = (MATERIAL / case["definition_file"]).read_text()
    seconds = [int(s) for s in re.findall(r'"Seconds"\s*:\s*(\d+)', text)]
    return float(max(seconds, default=0))


def matches(expected: Any, actual: Any) -> bool:
    """JSON equality where snapshot labels in `expected` match anything."""
    if isinstance(expected, str):
        if _LABEL.search(expected) or expected in _BARE_LABELS:
            return True
        return isinstance(actual, str) and expected == actual
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return False
        return all((key == value) or matches(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return bool(expected == actual)


def _cause_matches(expected: Any, actual: str | None) -> bool:
    if isinstance(expected, dict):
        try:
            parsed = json.loads(actual or "")
        except ValueError:
            return False
        if "errorType" in expected or "errorMessage" in expected:
            return isinstance(parsed, dict) and all(
                matches(expected.get(k), parsed.get(k)) for k in ("errorType", "errorMessage")
            )
        return matches(expected, parsed)
    if isinstance(expected, str) and isinstance(actual, str) and actual.startswith("{"):
        try:
            return matches(expected, actual) or matches(json.loads(expected), json.loads(actual))
        except ValueError:
            return False
    return matches(expected, actual)


@dataclass
class Outcome:
    """Result of running one case: `problems` is empty when it matched."""

    problems: list[str]
    status: str
    output: Any = None
    error: Any = None
    cause: Any = None
    history: list[str] | None = None


async def _run(case: dict[str, Any], executor: TaskExecutor | None) -> Any:
    machine = parse_definition((MATERIAL / case["definition_file"]).read_text())
    clock = Clock(TIME_SCALE)
    if executor is None:
        executor = lambda_executor(case["lambdas"], clock) if case["lambdas"] else no_tasks
    driver = Driver(machine, executor, clock=clock)
    execution = driver.execution(case["input"], state_machine_type=case["state_machine_type"])
    if case["expected"]["status"] != "ABORTED":
        return await asyncio.wait_for(execution.run(), timeout=60)
    runner = asyncio.create_task(execution.run())
    await execution.wait_started()
    execution.stop()
    return await asyncio.wait_for(runner, timeout=60)


def run_case(case: dict[str, Any], executor: TaskExecutor | None = None) -> Outcome:
    """Run one case through the in-memory driver and compare with the recording."""
    expected = case["expected"]
    result = asyncio.run(_run(case, executor))
    history = [event["type"] for event in result.history]
    outcome = Outcome([], result.status, result.output, result.error, result.cause, history)
    if result.status != expected["status"]:
        outcome.problems.append(f"status {result.status} != {expected['status']}")
    elif result.status == "SUCCEEDED":
        if not matches(expected.get("output"), result.output):
            outcome.problems.append(
                f"output {json.dumps(result.output)} != {json.dumps(expected.get('output'))}"
            )
    elif result.status == "FAILED":
        if not matches(expected.get("error"), result.error):
            outcome.problems.append(f"error {result.error!r} != {expected.get('error')!r}")
        if not _cause_matches(expected.get("cause"), result.cause):
            outcome.problems.append(f"cause {result.cause!r} != {expected.get('cause')!r}")
    wanted = expected.get("history_event_types")
    if wanted and "Parallel" not in case["state_types"] and history != wanted:
        outcome.problems.append(f"history {history} != {wanted}")
    return outcome
