"""The AWS-recorded Lambda cases, run with REAL functions on the platform's runtime.

Each case's functions are created (or reconfigured) on the shared platform with the
behaviour the case describes, the definition runs on the in-memory driver, and every task
goes through the integration registry to the functions service and worker processes.
Compared by the material's README rules (`tests/workflows/conformance.py`); known
differences are strict xfails listed in ``KNOWN`` with their reason.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.driver import Clock, Driver
from stratus.workflows.integrations.base import IntegrationRegistry

from ..conformance import MATERIAL, TIME_SCALE, _cause_matches, case_id, load_cases, matches
from ..known_failures import LAMBDA as INTERPRETER_KNOWN
from .harness import PlatformThread, execution_arn, machine_arn, registry_executor

CASES = load_cases("cases-lambda.jsonl")
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)

#: Cases we know we do not reproduce with real functions, with the reason.
KNOWN: dict[str, str] = {**INTERPRETER_KNOWN}


def behavior_of(description: str) -> str:
    """The test function's BEHAVIOR for a case's described behaviour."""
    table = [
        ("identity", "identity"),
        ("raises Exception", "raise"),
        ("CustomException", "custom"),
        ("sleeps 60", "sleep"),
        ("257 KiB", "large"),
        ("constant", "constant"),
        ("HelloWorld!", "bytes"),
        ("input-event-", "input-event"),
    ]
    for marker, behavior in table:
        if marker in description:
            return behavior
    raise AssertionError(f"no behaviour for {description!r}")


RECORDED_ACCOUNT = "111111111111"


def _time_scale(case: dict[str, Any], definition: str) -> float:
    """Timers run faster than real time, except where a deadline races a real function
    that does not sleep: a 1 s TimeoutSeconds or HeartbeatSeconds must stay longer than a real cold start."""
    sleeps = any(behavior_of(f["behavior"]) == "sleep" for f in case["lambdas"])
    deadline = "TimeoutSeconds" in definition or "HeartbeatSeconds" in definition
    return TIME_SCALE if sleeps or not deadline else 1.0


async def _run(
    platform: PlatformThread, registry: IntegrationRegistry, case: dict[str, Any]
) -> Any:
    for function in case["lambdas"]:
        behavior = behavior_of(function["behavior"])
        # The cases were recorded in account 111111111111 and name its functions by ARN:
        # they run in that account here too, as the functions they call.
        await platform.ensure_function(function["name"], behavior, account=RECORDED_ACCOUNT)
    text = (MATERIAL / case["definition_file"]).read_text()
    machine = parse_definition(text)
    clock = Clock(_time_scale(case, text))
    arn = execution_arn(machine_arn("machine", RECORDED_ACCOUNT), "case")
    driver = Driver(machine, registry_executor(registry, arn), clock=clock)
    execution = driver.execution(
        case["input"],
        execution_arn=arn,
        name="case",
        state_machine_type=case["state_machine_type"],
    )
    return await asyncio.wait_for(execution.run(), timeout=60)


def _problems(case: dict[str, Any], result: Any) -> list[str]:
    expected = case["expected"]
    problems = []
    if result.status != expected["status"]:
        problems.append(
            f"status {result.status} != {expected['status']} ({result.error}: {result.cause})"
        )
    elif result.status == "SUCCEEDED":
        if not matches(expected.get("output"), result.output):
            problems.append(
                f"output {json.dumps(result.output)} != {json.dumps(expected.get('output'))}"
            )
    elif result.status == "FAILED":
        if not matches(expected.get("error"), result.error):
            problems.append(f"error {result.error!r} != {expected.get('error')!r}")
        if not _cause_matches(expected.get("cause"), result.cause):
            problems.append(f"cause {result.cause!r} != {expected.get('cause')!r}")
    history = [event["type"] for event in result.history]
    wanted = expected.get("history_event_types")
    if wanted and "Parallel" not in case["state_types"] and history != wanted:
        problems.append(f"history {history} != {wanted}")
    return problems


def _params() -> list[Any]:
    params = []
    for case in CASES:
        name = case_id(case)
        marks = []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(reason=KNOWN[name], strict=True))
        params.append(pytest.param(case, id=name, marks=marks))
    return params or [pytest.param(None, id="no-material")]


@pytest.mark.parametrize("case", _params())
def test_lambda_case_real(
    case: dict[str, Any],
    platform_thread: PlatformThread,
    registry: IntegrationRegistry,
    conformance_tally: dict[str, list[bool]],
) -> None:
    result = platform_thread.run(_run(platform_thread, registry, case))
    problems = _problems(case, result)
    conformance_tally.setdefault("lambda (real functions)", []).append(not problems)
    assert not problems, "\n".join(problems)
