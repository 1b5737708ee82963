"""The AWS-recorded ``sqs:sendMessage`` cases, run THROUGH the Step Functions API.

Each case of ``cases-service.jsonl`` whose service is ``sqs:sendMessage`` gets a queue of
its own on the session server (its URL replaces the recording's placeholder; the
"no such queue" cases get a bare name, as recorded), and, for the ``.waitForTaskToken``
cases, a responder playing the recorded test's part: it receives the message and answers
with the token in it (SendTaskSuccess with the message, SendTaskHeartbeat first where the
case is about heartbeats, SendTaskFailure where it fails), or stays silent where the case
is about a timeout. The cases run concurrently and are compared by the material's README
rules with `test_conformance_api.compare`.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import FINISHED, sfn_client
from tests.aws.stepfunctions.test_conformance_api import compare
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import MATERIAL, Outcome, case_id, load_cases

CASES = {
    case_id(case): case
    for case in load_cases("cases-service.jsonl")
    if case["services"] == ["sqs:sendMessage"]
}
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)

#: Known differences, with the reason (strict: a fixed one must leave this list).
KNOWN: dict[str, str] = {}

CASE_TIMEOUT_S = 60.0


def responder_of(name: str) -> str:
    """What the recorded test did with the message: succeed, fail, or nothing."""
    if "failure" in name:
        return "fail"
    if (
        "timeout" in name
        or "no_token" in name
        or not name.startswith(("TestCallback", "TestBaseScenarios"))
    ):
        return "none"
    if "heartbeat" in name:
        return "heartbeat"
    return "succeed"


def respond(sfn: Any, sqs: Any, url: str, kind: str, stop: threading.Event) -> None:
    while not stop.is_set():
        messages = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1).get("Messages", [])
        for message in messages:
            body = json.loads(message["Body"])
            token = body["TaskToken"]
            if kind == "fail":
                sfn.send_task_failure(taskToken=token, error="Failure error", cause="Failure cause")
            elif kind == "heartbeat":
                for _ in range(3):
                    sfn.send_task_heartbeat(taskToken=token)
                sfn.send_task_success(taskToken=token, output=json.dumps(body))
            else:
                sfn.send_task_success(taskToken=token, output=json.dumps(body["Message"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def run_case(server: ServerProcess, case: dict[str, Any]) -> Outcome:
    sfn = sfn_client(server)
    sqs = server.client("sqs")
    name = case_id(case)
    url = sqs.create_queue(QueueName=f"conf-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    # The recording named its missing queue at random and kept the name in the expected
    # cause: that name stands in for the placeholder.
    missing = re.search(r"no-such-queue-[0-9a-f]+", json.dumps(case["expected"]))
    execution_input = json.loads(
        json.dumps(case["input"])
        .replace("<no_such_sqs_queue_url>", missing.group() if missing else "no-such-queue")
        .replace("<sqs_queue_url>", url)
        .replace('"sqs_queue_url"', json.dumps(url))
    )
    machine = sfn.create_state_machine(
        name=f"conf-{uuid.uuid4().hex[:16]}",
        definition=(MATERIAL / case["definition_file"]).read_text(),
        roleArn=ROLE,
        type=case["state_machine_type"],
    )["stateMachineArn"]
    stop = threading.Event()
    kind = responder_of(name)
    responder = None
    if kind != "none":
        responder = threading.Thread(target=respond, args=(sfn, sqs, url, kind, stop), daemon=True)
        responder.start()
    try:
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))[
            "executionArn"
        ]
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
    finally:
        stop.set()
        if responder is not None:
            responder.join(timeout=10)
    output = json.loads(result["output"]) if "output" in result else None
    return compare(
        case, result["status"], output, result.get("error"), result.get("cause"), history
    )


def _guarded(server: ServerProcess, case: dict[str, Any]) -> Outcome:
    try:
        return run_case(server, case)
    except Exception as exc:
        return Outcome([f"{type(exc).__name__}: {exc}"], "ERROR")


@pytest.fixture(scope="module")
def outcomes(server: ServerProcess) -> dict[str, Outcome]:
    with ThreadPoolExecutor(len(CASES) or 1) as pool:
        results = list(pool.map(lambda case: _guarded(server, case), CASES.values()))
    return dict(zip(CASES, results, strict=True))


def _params() -> list[Any]:
    params = []
    for name in CASES:
        marks = []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(reason=KNOWN[name], strict=True))
        params.append(pytest.param(name, id=name, marks=marks))
    return params or [pytest.param("no-material", id="no-material")]


@pytest.mark.parametrize("name", _params())
def test_sqs_case_via_api(
    name: str, outcomes: dict[str, Outcome], api_conformance_tally: dict[str, list[bool]]
) -> None:
    outcome = outcomes[name]
    api_conformance_tally.setdefault("sqs", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)
