"""The AWS-recorded Step Functions cases that publish to SNS (``cases-service.jsonl``,
``sns:publish`` and ``sns:publish.waitForTaskToken``), run through the real APIs.

Each case gets the topic its recording had: created (FIFO for a ``.fifo`` name) unless
the recording is of a missing topic (``SNS.NotFoundException``), its ARN put in the
input. The callback case is answered as the recorded test did: a subscriber takes the
task token out of the delivered message and calls SendTaskSuccess.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any

import pytest

from tests.aws.sns.conftest import Endpoint, confirm, wait_for
from tests.aws.stepfunctions.conftest import FINISHED, sfn_client
from tests.aws.stepfunctions.test_conformance_api import compare
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import MATERIAL, case_id, load_cases

CASES = {
    case_id(case): case
    for case in load_cases("cases-service.jsonl")
    if case["services"] == ["sns:publish"]
}
pytestmark = pytest.mark.skipif(not CASES, reason=f"ASL material not found at {MATERIAL}")
TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def sfn(server: ServerProcess) -> Any:
    return sfn_client(server)


def _topic_for(sns: Any, case: dict[str, Any]) -> str:
    recorded = str(case["input"].get("TopicArn", "topic"))
    fifo = recorded.endswith(".fifo")
    name = f"sfn-{uuid.uuid4().hex[:12]}" + (".fifo" if fifo else "")
    if case["expected"].get("error") == "SNS.NotFoundException":
        return f"arn:aws:sns:us-east-1:000000000000:{name}"
    attributes = {"FifoTopic": "true"} if fifo else {}
    return str(sns.create_topic(Name=name, Attributes=attributes)["TopicArn"])


def _answer_callbacks(sfn: Any, endpoint: Endpoint, stop: threading.Event) -> None:
    """The recorded test's subscriber: SendTaskSuccess with each message's TaskToken."""
    answered: set[str] = set()
    while not stop.is_set():
        for received in endpoint.of_type("Notification"):
            message = json.loads(received.json()["Message"])
            token = message.get("TaskToken")
            if token and token not in answered:
                answered.add(token)
                sfn.send_task_success(taskToken=token, output="{}")
        time.sleep(0.05)


@pytest.mark.parametrize("name", sorted(CASES) or ["no-material"])
def test_sns_case(name: str, sns: Any, sfn: Any, endpoint: Endpoint) -> None:
    case = CASES[name]
    topic = _topic_for(sns, case)
    stop = threading.Event()
    helper: threading.Thread | None = None
    if any(r.endswith(".waitForTaskToken") for r in case["task_resources"]):
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
        confirm(sns, endpoint, topic)
        helper = threading.Thread(target=_answer_callbacks, args=(sfn, endpoint, stop), daemon=True)
        helper.start()
    try:
        machine = sfn.create_state_machine(
            name=f"sns-{uuid.uuid4().hex[:12]}",
            definition=(MATERIAL / case["definition_file"]).read_text(),
            roleArn=ROLE,
            type=case["state_machine_type"],
        )["stateMachineArn"]
        execution_input = {**case["input"], "TopicArn": topic}
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))[
            "executionArn"
        ]
        result = wait_for(
            lambda: (d := sfn.describe_execution(executionArn=arn))["status"] in FINISHED and d,
            timeout=TIMEOUT_S,
        )
    finally:
        stop.set()
        if helper is not None:
            helper.join(5)
    history = [
        event["type"]
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        for event in page["events"]
    ]
    output = json.loads(result["output"]) if "output" in result else None
    outcome = compare(
        case, result["status"], output, result.get("error"), result.get("cause"), history
    )
    assert not outcome.problems, "\n".join(outcome.problems)
