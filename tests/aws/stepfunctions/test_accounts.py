"""Accounts and regions: every Step Functions resource belongs to one account in one region.

Two accounts (access key ids ``111111111111`` and ``222222222222``, each of which *is* that
account) and two regions (``us-east-1``, ``eu-west-1``, from the SigV4 scope) create the
same machine and activity names on one server: each gets its own resource, whose ARN
carries its account and region, and none can see, describe, list, start, update, delete,
tag, stop, poll or answer another's (another scope's ARN is simply not found, as on AWS).
An execution started in eu-west-1 runs there, and so does the child it starts; a restart
keeps every scope. A dedicated server, so the listings hold only this module's resources.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from tests.aws.stepfunctions.conftest import (
    PASS,
    all_pages,
    asl,
    assert_error,
    history,
    wait_finished,
    wait_for,
)
from tests.conftest import ROLE, ServerProcess

EAST, WEST = "us-east-1", "eu-west-1"
ONE, TWO = "111111111111", "222222222222"
#: (account, region) of each caller; the first is "ours", the others are foreign to it.
SCOPES = [(ONE, EAST), (TWO, EAST), (ONE, WEST), (TWO, WEST)]
SLOW_TASK = asl({"W": {"Type": "Wait", "Seconds": 600, "End": True}})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(Path(tmp_path_factory.mktemp("accounts")) / "data").start()
    yield proc
    proc.stop()


def client(server: ServerProcess, account: str, region: str, read_timeout: int = 120) -> Any:
    """A Step Functions client acting as ``account`` in ``region``."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=server.endpoint,
        region_name=region,
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            read_timeout=read_timeout,
            inject_host_prefix=False,
        ),
    )


@pytest.fixture(scope="module")
def clients(server: ServerProcess) -> dict[tuple[str, str], Any]:
    return {scope: client(server, *scope) for scope in SCOPES}


def arn(scope: tuple[str, str], rest: str) -> str:
    account, region = scope
    return f"arn:aws:states:{region}:{account}:{rest}"


def refused(call: Any, code: str, message: str, **params: Any) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as error:
        call(**params)
    assert_error(error, code, message)


def test_same_machine_name_is_one_machine_per_account_and_region(clients: Any) -> None:
    arns = {
        scope: sfn.create_state_machine(name="orders", definition=PASS, roleArn=ROLE)[
            "stateMachineArn"
        ]
        for scope, sfn in clients.items()
    }
    for scope, machine in arns.items():
        assert machine == arn(scope, "stateMachine:orders")
    assert len(set(arns.values())) == len(SCOPES)

    for scope, sfn in clients.items():
        described = sfn.describe_state_machine(stateMachineArn=arns[scope])
        assert described["stateMachineArn"] == arns[scope]
        listed = all_pages(sfn, "list_state_machines", "stateMachines")
        assert [m["stateMachineArn"] for m in listed] == [arns[scope]]
        for other, foreign in arns.items():
            if other == scope:
                continue
            missing = f"State Machine Does Not Exist: '{foreign}'"
            refused(
                sfn.describe_state_machine,
                "StateMachineDoesNotExist",
                missing,
                stateMachineArn=foreign,
            )
            refused(
                sfn.start_execution, "StateMachineDoesNotExist", missing, stateMachineArn=foreign
            )
            refused(
                sfn.list_executions, "StateMachineDoesNotExist", missing, stateMachineArn=foreign
            )
            refused(
                sfn.update_state_machine,
                "StateMachineDoesNotExist",
                missing,
                stateMachineArn=foreign,
                definition=PASS,
            )
            refused(
                sfn.tag_resource,
                "ResourceNotFound",
                f"Resource not found: '{foreign}'",
                resourceArn=foreign,
                tags=[{"key": "k", "value": "v"}],
            )
            sfn.delete_state_machine(stateMachineArn=foreign)  # as for any unknown ARN

    # The foreign deletes and updates touched nothing: every machine is still there.
    for scope, sfn in clients.items():
        described = sfn.describe_state_machine(stateMachineArn=arns[scope])
        assert described["definition"] == PASS
        assert sfn.list_tags_for_resource(resourceArn=arns[scope])["tags"] == []


def test_executions_are_invisible_to_other_accounts_and_regions(clients: Any) -> None:
    ours, theirs = clients[(ONE, EAST)], [s for k, s in clients.items() if k != (ONE, EAST)]
    machine = ours.create_state_machine(name="slow", definition=SLOW_TASK, roleArn=ROLE)[
        "stateMachineArn"
    ]
    started = ours.start_execution(stateMachineArn=machine, name="run-1")
    execution = started["executionArn"]
    assert execution == arn((ONE, EAST), "execution:slow:run-1")

    for sfn in theirs:
        missing = f"Execution Does Not Exist: '{execution}'"
        refused(sfn.describe_execution, "ExecutionDoesNotExist", missing, executionArn=execution)
        refused(sfn.get_execution_history, "ExecutionDoesNotExist", missing, executionArn=execution)
        refused(sfn.stop_execution, "ExecutionDoesNotExist", missing, executionArn=execution)
        refused(
            sfn.describe_state_machine_for_execution,
            "ExecutionDoesNotExist",
            missing,
            executionArn=execution,
        )
    assert ours.describe_execution(executionArn=execution)["status"] == "RUNNING"

    # The same machine and execution names elsewhere are other executions.
    for scope, sfn in clients.items():
        if scope == (ONE, EAST):
            continue
        other = sfn.create_state_machine(name="slow", definition=PASS, roleArn=ROLE)
        run = sfn.start_execution(stateMachineArn=other["stateMachineArn"], name="run-1")
        assert run["executionArn"] == arn(scope, "execution:slow:run-1")
        assert wait_finished(sfn, run["executionArn"])["status"] == "SUCCEEDED"
        listed = all_pages(
            sfn, "list_executions", "executions", stateMachineArn=other["stateMachineArn"]
        )
        assert [e["executionArn"] for e in listed] == [run["executionArn"]]

    ours.stop_execution(executionArn=execution)
    assert ours.describe_execution(executionArn=execution)["status"] == "ABORTED"


def test_express_executions_are_scoped_too(clients: Any) -> None:
    scope, sfn = (TWO, WEST), clients[(TWO, WEST)]
    machine = sfn.create_state_machine(name="quick", definition=PASS, roleArn=ROLE, type="EXPRESS")
    done = sfn.start_sync_execution(stateMachineArn=machine["stateMachineArn"], name="q1")
    assert done["status"] == "SUCCEEDED"
    assert done["executionArn"].startswith(arn(scope, "express:quick:q1:"))
    for other, foreign in clients.items():
        if other == scope:
            continue
        refused(
            foreign.start_sync_execution,
            "StateMachineDoesNotExist",
            f"State Machine Does Not Exist: '{machine['stateMachineArn']}'",
            stateMachineArn=machine["stateMachineArn"],
        )
        refused(
            foreign.describe_execution,
            "ExecutionDoesNotExist",
            f"Execution Does Not Exist: '{done['executionArn']}'",
            executionArn=done["executionArn"],
        )


def test_activity_tasks_are_answered_only_in_their_account_and_region(
    server: ServerProcess, clients: Any
) -> None:
    ours = clients[(ONE, EAST)]
    activities = {
        scope: sfn.create_activity(name="approve")["activityArn"] for scope, sfn in clients.items()
    }
    for scope, activity in activities.items():
        assert activity == arn(scope, "activity:approve")
        listed = all_pages(clients[scope], "list_activities", "activities")
        assert [a["activityArn"] for a in listed] == [activity]

    mine = activities[(ONE, EAST)]
    flow = asl({"Ask": {"Type": "Task", "Resource": mine, "End": True}})
    machine = ours.create_state_machine(name="approval", definition=flow, roleArn=ROLE)
    execution = ours.start_execution(
        stateMachineArn=machine["stateMachineArn"], input='{"order": 7}'
    )["executionArn"]
    wait_for(lambda: "ActivityScheduled" in [e["type"] for e in history(ours, execution)])

    for scope, sfn in clients.items():
        if scope == (ONE, EAST):
            continue
        missing = f"Activity Does Not Exist: '{mine}'"
        refused(sfn.describe_activity, "ActivityDoesNotExist", missing, activityArn=mine)
        refused(sfn.get_activity_task, "ActivityDoesNotExist", missing, activityArn=mine)
        sfn.delete_activity(activityArn=mine)  # as for any unknown ARN
        # Their own activity of the same name has no task: ours is not theirs.
        assert "taskToken" not in _poll_briefly(server, scope, activities[scope])

    task = ours.get_activity_task(activityArn=mine, workerName="w")
    assert json.loads(task["input"]) == {"order": 7}
    token = task["taskToken"]
    for scope, sfn in clients.items():
        if scope == (ONE, EAST):
            continue
        invalid = "Invalid Token: 'Invalid token'"
        refused(sfn.send_task_success, "InvalidToken", invalid, taskToken=token, output="{}")
        refused(sfn.send_task_failure, "InvalidToken", invalid, taskToken=token, error="X")
        refused(sfn.send_task_heartbeat, "InvalidToken", invalid, taskToken=token)
    ours.send_task_success(taskToken=token, output='{"approved": true}')
    done = wait_finished(ours, execution)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"approved": True})

    # A machine of another region naming our activity reaches no such activity.
    west = clients[(ONE, WEST)]
    reach = west.create_state_machine(name="reach-activity", definition=flow, roleArn=ROLE)
    run = west.start_execution(stateMachineArn=reach["stateMachineArn"])
    failed = wait_finished(west, run["executionArn"])
    assert (failed["status"], failed["error"]) == ("FAILED", "States.Runtime")
    assert failed["cause"] == (
        "An error occurred while executing the state 'Ask' (entered at the event id #2). "
        f"The activity {mine} does not exist."
    )
    assert [e["type"] for e in history(west, run["executionArn"])] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ExecutionFailed",
    ]


def _poll_briefly(server: ServerProcess, scope: tuple[str, str], activity: str) -> dict[str, Any]:
    """GetActivityTask without waiting the full minute when there is nothing: a queued
    task is answered at once, so a client that gives up after a second (botocore's read
    timeout) has seen an empty poll."""
    quick = client(server, *scope, read_timeout=1)
    try:
        return dict(quick.get_activity_task(activityArn=activity))
    except botocore.exceptions.ReadTimeoutError:
        return {}


CHILD = asl({"Where": {"Type": "Pass", "Parameters": {"me.$": "$$.Execution.Id"}, "End": True}})


def _parent(child: str) -> str:
    return asl(
        {
            "Start": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {}},
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                "End": True,
            },
            "Failed": {"Type": "Pass", "End": True},
        }
    )


def test_execution_in_eu_west_1_runs_there_with_its_children(clients: Any) -> None:
    west, east = (ONE, WEST), (ONE, EAST)
    sfn = clients[west]
    child = sfn.create_state_machine(name="child", definition=CHILD, roleArn=ROLE)
    parent = sfn.create_state_machine(
        name="parent", definition=_parent(child["stateMachineArn"]), roleArn=ROLE
    )
    execution = sfn.start_execution(stateMachineArn=parent["stateMachineArn"], name="p1")
    assert execution["executionArn"] == arn(west, "execution:parent:p1")
    done = wait_finished(sfn, execution["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    output = json.loads(done["output"])
    child_execution = output["ExecutionArn"]
    assert child_execution.startswith(arn(west, "execution:child:"))
    assert output["Output"] == {"me": child_execution}

    events = history(sfn, execution["executionArn"])
    scheduled = next(e for e in events if e["type"] == "TaskScheduled")
    assert scheduled["taskScheduledEventDetails"]["region"] == WEST
    succeeded = next(e for e in events if e["type"] == "TaskSucceeded")
    assert json.loads(succeeded["taskSucceededEventDetails"]["output"])["ExecutionArn"] == (
        child_execution
    )
    # The child is visible where it ran, and only there.
    assert sfn.describe_execution(executionArn=child_execution)["status"] == "SUCCEEDED"
    refused(
        clients[east].describe_execution,
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{child_execution}'",
        executionArn=child_execution,
    )

    # A Task naming a machine of another region (or account) finds no such machine.
    for other in ((ONE, EAST), (TWO, WEST)):
        foreign = clients[other].create_state_machine(name="child", definition=CHILD, roleArn=ROLE)[
            "stateMachineArn"
        ]
        reach = sfn.create_state_machine(
            name=f"reach-{other[0]}-{other[1]}", definition=_parent(foreign), roleArn=ROLE
        )
        run = sfn.start_execution(stateMachineArn=reach["stateMachineArn"])
        assert wait_finished(sfn, run["executionArn"])["status"] == "SUCCEEDED"
        failed = next(
            e["taskFailedEventDetails"]
            for e in history(sfn, run["executionArn"])
            if e["type"] == "TaskFailed"
        )
        assert failed["error"] == "StepFunctions.StateMachineDoesNotExistException"
        assert failed["cause"] == f"State Machine Does Not Exist: '{foreign}'"
        assert (
            all_pages(clients[other], "list_executions", "executions", stateMachineArn=foreign)
            == []
        )


def test_sdk_tasks_act_in_their_executions_account_and_region(clients: Any) -> None:
    scope = (TWO, WEST)
    sfn = clients[scope]
    lister = asl(
        {
            "List": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sfn:listStateMachines",
                "Parameters": {},
                "End": True,
            }
        }
    )
    machine = sfn.create_state_machine(name="lister", definition=lister, roleArn=ROLE)
    run = sfn.start_execution(stateMachineArn=machine["stateMachineArn"])
    done = wait_finished(sfn, run["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    seen = [m["StateMachineArn"] for m in json.loads(done["output"])["StateMachines"]]
    own = [m["stateMachineArn"] for m in all_pages(sfn, "list_state_machines", "stateMachines")]
    assert sorted(seen) == sorted(own)
    assert machine["stateMachineArn"] in seen


def test_a_restart_keeps_every_scope(server: ServerProcess) -> None:
    before = {
        scope: (
            [m["stateMachineArn"] for m in all_pages(sfn, "list_state_machines", "stateMachines")],
            [a["activityArn"] for a in all_pages(sfn, "list_activities", "activities")],
        )
        for scope, sfn in ((s, client(server, *s)) for s in SCOPES)
    }
    assert all(machines and activities for machines, activities in before.values())
    server.stop()
    server.start()
    for scope in SCOPES:
        sfn = client(server, *scope)
        after = (
            [m["stateMachineArn"] for m in all_pages(sfn, "list_state_machines", "stateMachines")],
            [a["activityArn"] for a in all_pages(sfn, "list_activities", "activities")],
        )
        assert after == before[scope]
        assert all(a.startswith(arn(scope, "")) for a in after[0] + after[1])
    east, west = client(server, ONE, EAST), client(server, ONE, WEST)
    execution = arn((ONE, EAST), "execution:slow:run-1")
    assert east.describe_execution(executionArn=execution)["status"] == "ABORTED"
    refused(
        west.describe_execution,
        "ExecutionDoesNotExist",
        f"Execution Does Not Exist: '{execution}'",
        executionArn=execution,
    )
    # The default account (any other key) sees none of them.
    default = client(server, "test", EAST)
    assert all_pages(default, "list_state_machines", "stateMachines") == []
