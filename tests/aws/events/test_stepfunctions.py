"""Step Functions with EventBridge: the AWS-recorded ``events:putEvents`` cases, the
``.waitForTaskToken`` form answered by a rule's target, and a state machine as a rule's
target (StartExecution through the workflows component)."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from typing import Any

import pytest

from tests.aws.events.conftest import name, new_queue, receive
from tests.aws.sns.conftest import wait_for
from tests.aws.stepfunctions.conftest import FINISHED, sfn_client
from tests.aws.stepfunctions.test_conformance_api import compare
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import MATERIAL, case_id, load_cases

CASES = {
    case_id(case): case
    for case in load_cases("cases-service.jsonl")
    if case["services"] == ["events:putEvents"]
}


@pytest.fixture(scope="module")
def sfn(server: ServerProcess) -> Any:
    return sfn_client(server)


def _run(sfn: Any, definition: str, execution_input: Any) -> tuple[dict[str, Any], list[str]]:
    machine = sfn.create_state_machine(
        name=f"ev-{uuid.uuid4().hex[:12]}", definition=definition, roleArn=ROLE
    )["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))[
        "executionArn"
    ]
    result = wait_for(
        lambda: (d := sfn.describe_execution(executionArn=arn))["status"] in FINISHED and d,
        timeout=60,
    )
    history = [
        e["type"]
        for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn)
        for e in page["events"]
    ]
    return result, history


@pytest.mark.skipif(not CASES, reason=f"ASL material not found at {MATERIAL}")
@pytest.mark.parametrize("case_name", sorted(CASES) or ["no-material"])
def test_put_events_case(case_name: str, sfn: Any) -> None:
    case = CASES[case_name]
    result, history = _run(sfn, (MATERIAL / case["definition_file"]).read_text(), case["input"])
    output = json.loads(result["output"]) if "output" in result else None
    outcome = compare(
        case, result["status"], output, result.get("error"), result.get("cause"), history
    )
    assert not outcome.problems, "\n".join(outcome.problems)


def test_put_events_wait_for_task_token(sfn: Any, server: ServerProcess) -> None:
    """The event carries the token; a rule sends it to a queue; the test answers."""
    events, sqs = server.client("events"), server.client("sqs")
    source = name("sfn")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    url, arn = new_queue(sqs)
    events.put_targets(Rule=rule, Targets=[{"Id": "q", "Arn": arn}])
    definition = json.dumps(
        {
            "StartAt": "Put",
            "States": {
                "Put": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::events:putEvents.waitForTaskToken",
                    "Parameters": {
                        "Entries": [
                            {
                                "Source": source,
                                "DetailType": "approve",
                                "Detail": {"token.$": "$$.Task.Token", "n": 7},
                            }
                        ]
                    },
                    "End": True,
                }
            },
        }
    )
    machine = sfn.create_state_machine(
        name=f"ev-{uuid.uuid4().hex[:12]}", definition=definition, roleArn=ROLE
    )["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    [event] = receive(sqs, url, timeout=30)
    assert event["detail"]["n"] == 7
    sfn.send_task_success(taskToken=event["detail"]["token"], output='{"approved": true}')
    result = wait_for(
        lambda: (d := sfn.describe_execution(executionArn=execution))["status"] in FINISHED and d,
        timeout=30,
    )
    assert result["status"] == "SUCCEEDED"
    assert json.loads(result["output"]) == {"approved": True}


def test_state_machine_as_rule_target(sfn: Any, server: ServerProcess) -> None:
    events = server.client("events")
    machine = sfn.create_state_machine(
        name=f"ev-{uuid.uuid4().hex[:12]}",
        roleArn=ROLE,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    source = name("app")
    rule = name()
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": [source]}))
    events.put_targets(
        Rule=rule, Targets=[{"Id": "sm", "Arn": machine, "RoleArn": ROLE, "InputPath": "$.detail"}]
    )
    events.put_events(Entries=[{"Source": source, "DetailType": "t", "Detail": '{"order": 1}'}])
    deadline = time.monotonic() + 30
    executions: list[Any] = []
    while not executions and time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        time.sleep(0.1)
    [execution] = executions
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"order": 1}


def test_state_machine_as_schedule_target(sfn: Any, server: ServerProcess) -> None:
    scheduler = server.client("scheduler")
    machine = sfn.create_state_machine(
        name=f"ev-{uuid.uuid4().hex[:12]}",
        roleArn=ROLE,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": machine, "RoleArn": ROLE, "Input": '{"from": "scheduler"}'},
    )
    deadline = time.monotonic() + 30
    executions: list[Any] = []
    while not executions and time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        time.sleep(0.2)
    [execution] = executions
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"from": "scheduler"}


def test_universal_start_execution_target(sfn: Any, server: ServerProcess) -> None:
    """Scheduler's universal target ``aws-sdk:sfn:startExecution``: the input is the call."""
    scheduler = server.client("scheduler")
    machine = sfn.create_state_machine(
        name=f"ev-{uuid.uuid4().hex[:12]}",
        roleArn=ROLE,
        definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}),
    )["stateMachineArn"]
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    scheduler.create_schedule(
        Name=name("s"),
        ScheduleExpression=f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": "arn:aws:scheduler:::aws-sdk:sfn:startExecution",
            "RoleArn": ROLE,
            "Input": json.dumps(
                {
                    "StateMachineArn": machine,
                    "Name": "from-universal",
                    "Input": '{"universal": true}',
                }
            ),
        },
    )
    deadline = time.monotonic() + 30
    executions: list[Any] = []
    while not executions and time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=machine)["executions"]
        time.sleep(0.2)
    [execution] = executions
    assert execution["name"] == "from-universal"
    described = sfn.describe_execution(executionArn=execution["executionArn"])
    assert json.loads(described["input"]) == {"universal": True}
