"""The AWS-recorded pure ASL cases, run THROUGH the Step Functions API.

Each case of `../shared/conformance/asl/localstack-sfn/cases-pure.jsonl` becomes a state
machine of its type (CreateStateMachine with its definition), is started with its input
(StartSyncExecution where the recording used it), runs to its end on the real server in
real time, and is compared by the material's README rules (status, output or
error/cause, history event types) with the helpers of `tests/workflows/conformance.py`.

The selected cases run concurrently against the session server (one batch per module),
so the whole file costs about as long as its slowest case. Cases waiting a minute or more
are slow-marked and run one by one. Known differences are strict xfails with reasons:
the interpreter's own (`tests/workflows/known_failures.PURE`) and those of the API.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import FINISHED, sfn_client
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import (
    MATERIAL,
    Outcome,
    _cause_matches,
    case_id,
    load_cases,
    longest_wait,
    matches,
)
from tests.workflows.known_failures import NOT_RUN, PURE

CASES = {case_id(case): case for case in load_cases("cases-pure.jsonl")}
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)

#: Differences that only show through the API (the in-memory driver matches AWS there).
API_ONLY: dict[str, str] = {}

#: A case still running after this long has hung (the slowest fast case waits seconds).
CASE_TIMEOUT_S = 60.0
WORKERS = 24


def is_slow(case: dict[str, Any]) -> bool:
    """Waits a minute or more (the ABORTED case is stopped at once, so it is not slow)."""
    return longest_wait(case) >= 60 and case["expected"]["status"] != "ABORTED"


def _known(name: str) -> str | None:
    return PURE.get(name) or API_ONLY.get(name)


def run_through_api(sfn: Any, case: dict[str, Any]) -> Outcome:
    """Create, start, wait for and compare one case; never raises for a mismatch."""
    expected = case["expected"]
    definition = (MATERIAL / case["definition_file"]).read_text()
    machine = sfn.create_state_machine(
        name=f"conf-{uuid.uuid4().hex[:16]}",
        definition=definition,
        roleArn=ROLE,
        type=case["state_machine_type"],
    )["stateMachineArn"]
    execution_input = json.dumps(case["input"])
    history: list[str] | None = None
    if case["start"] == "StartSyncExecution":
        result = sfn.start_sync_execution(stateMachineArn=machine, input=execution_input)
    else:
        arn = sfn.start_execution(stateMachineArn=machine, input=execution_input)["executionArn"]
        if expected["status"] == "ABORTED":  # test_stop_execution: stop while it waits
            sfn.stop_execution(executionArn=arn)
        deadline = time.monotonic() + CASE_TIMEOUT_S
        while (result := sfn.describe_execution(executionArn=arn))["status"] not in FINISHED:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        history = [
            event["type"]
            for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
            for event in page["events"]
        ]
    output = json.loads(result["output"]) if "output" in result else None
    return compare(
        case, result["status"], output, result.get("error"), result.get("cause"), history
    )


def compare(
    case: dict[str, Any],
    status: str,
    output: Any,
    error: str | None,
    cause: str | None,
    history: list[str] | None,
) -> Outcome:
    """The README's rules, as `tests/workflows/conformance.run_case` applies them."""
    expected = case["expected"]
    outcome = Outcome([], status, output, error, cause, history)
    if status != expected["status"]:
        outcome.problems.append(f"status {status} != {expected['status']}")
    elif status == "SUCCEEDED":
        if not matches(expected.get("output"), output):
            outcome.problems.append(
                f"output {json.dumps(output)} != {json.dumps(expected.get('output'))}"
            )
    elif status == "FAILED":
        if not matches(expected.get("error"), error):
            outcome.problems.append(f"error {error!r} != {expected.get('error')!r}")
        if not _cause_matches(expected.get("cause"), cause):
            outcome.problems.append(f"cause {cause!r} != {expected.get('cause')!r}")
    wanted = expected.get("history_event_types")
    exact = history is not None and wanted and "Parallel" not in case["state_types"]
    if exact and history != wanted:
        outcome.problems.append(f"history {history} != {wanted}")
    return outcome


def _guarded(sfn: Any, case: dict[str, Any]) -> Outcome:
    try:
        return run_through_api(sfn, case)
    except Exception as exc:  # an API error is this case's failure, not the batch's
        return Outcome([f"{type(exc).__name__}: {exc}"], "ERROR")


@pytest.fixture(scope="module")
def batch(request: pytest.FixtureRequest, server: ServerProcess) -> dict[str, Outcome]:
    """Outcomes of every selected fast case, run concurrently against one server."""
    selected = {
        item.callspec.id
        for item in request.session.items
        if item.module is request.module and item.originalname == "test_pure_case_via_api"
    }
    cases = [
        CASES[name]
        for name in selected
        if name in CASES and name not in NOT_RUN and not is_slow(CASES[name])
    ]
    sfn = sfn_client(server, max_pool_connections=WORKERS)
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = list(pool.map(lambda case: _guarded(sfn, case), cases))
    return {case_id(case): outcome for case, outcome in zip(cases, outcomes, strict=True)}


def _params() -> list[Any]:
    params = []
    for name, case in CASES.items():
        marks = [pytest.mark.slow] if is_slow(case) else []
        reason = _known(name)
        if reason:
            marks.append(pytest.mark.xfail(reason=reason, strict=True, run=name not in NOT_RUN))
        params.append(pytest.param(name, id=name, marks=marks))
    return params or [pytest.param("no-material", id="no-material")]


@pytest.mark.parametrize("name", _params())
def test_pure_case_via_api(
    name: str,
    sfn: Any,
    batch: dict[str, Outcome],
    api_conformance_tally: dict[str, list[bool]],
) -> None:
    outcome = batch.get(name) or _guarded(sfn, CASES[name])  # slow ones run on their own
    api_conformance_tally.setdefault("pure", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)


# -- the AWS-recorded activity cases (cases-service.jsonl, TestActivities) ---------------
ACTIVITY_CASES = {
    case_id(case): case
    for case in load_cases("cases-service.jsonl")
    if case["services"] == ["other:activity_arn"]
}


#: Known differences of the activity cases, with the reason.
ACTIVITY_KNOWN: dict[str, str] = {}


def _activity_params() -> list[Any]:
    return [
        pytest.param(
            n,
            id=n,
            marks=[pytest.mark.xfail(reason=ACTIVITY_KNOWN[n], strict=True)]
            if n in ACTIVITY_KNOWN
            else [],
        )
        for n in ACTIVITY_CASES
    ] or [pytest.param("no-material", id="no-material", marks=pytest.mark.skip("no material"))]


@pytest.mark.parametrize("name", _activity_params())
def test_activity_case_via_api(
    name: str, sfn: Any, api_conformance_tally: dict[str, list[bool]]
) -> None:
    """The recording's worker: takes the task (with a worker name unless the case says
    not), heartbeats where the case does, and answers with the task's input; in the
    start-timeout case it takes the task and never answers."""
    case = ACTIVITY_CASES[name]
    activity = sfn.create_activity(name=f"conf-{uuid.uuid4().hex[:16]}")["activityArn"]
    definition = (MATERIAL / case["definition_file"]).read_text()
    machine = sfn.create_state_machine(
        name=f"conf-{uuid.uuid4().hex[:16]}",
        definition=definition.replace('"activity_arn"', json.dumps(activity)),
        roleArn=ROLE,
    )["stateMachineArn"]
    if "on_deleted" in name:
        sfn.delete_activity(activityArn=activity)
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(case["input"]))[
        "executionArn"
    ]
    if "on_deleted" not in name:
        worker = {} if "no_worker_name" in name else {"workerName": "conformance-worker"}
        task = sfn.get_activity_task(activityArn=activity, **worker)
        assert task.get("taskToken"), "the task was not handed out"
        if "heartbeat" in name:
            sfn.send_task_heartbeat(taskToken=task["taskToken"])
        if "timeout" not in name:
            sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    deadline = time.monotonic() + CASE_TIMEOUT_S
    while (result := sfn.describe_execution(executionArn=arn))["status"] not in FINISHED:
        assert time.monotonic() < deadline, "the execution did not end"
        time.sleep(0.1)
    events = [
        event["type"]
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        for event in page["events"]
    ]
    output = json.loads(result["output"]) if "output" in result else None
    # the recording relabelled the activity's ARN as "activity_arn"
    case = json.loads(json.dumps(case).replace("activity_arn", activity))
    outcome = compare(
        case, result["status"], output, result.get("error"), result.get("cause"), events
    )
    api_conformance_tally.setdefault("activity", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)
