"""Activities through boto3: the activity API, GetActivityTask's long poll, and the
callbacks (SendTaskSuccess/Failure/Heartbeat) with their timeouts and errors."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    activity_arn,
    all_pages,
    asl,
    assert_error,
    create_machine,
    event_types,
    history,
    sfn_client,
    unique,
    wait_finished,
    wait_for,
)
from tests.conftest import ServerProcess


def activity_task(arn: str, **fields: Any) -> str:
    return asl({"Work": {"Type": "Task", "Resource": arn, "End": True, **fields}})


@pytest.fixture
def activity(sfn: Any) -> str:
    return str(sfn.create_activity(name=unique("act"))["activityArn"])


def activity_names(sfn: Any) -> set[str]:
    return {a["name"] for a in all_pages(sfn, "list_activities", "activities")}


def take_task(sfn: Any, arn: str) -> dict[str, Any]:
    """GetActivityTask until it hands out a task (the execution may still be starting)."""
    task = sfn.get_activity_task(activityArn=arn, workerName="test-worker")
    assert task.get("taskToken"), "the long poll ended without the waiting task"
    return dict(task)


# -- the activity API ------------------------------------------------------------------
def test_create_describe_list_delete(sfn: Any) -> None:
    name = unique("act")
    created = sfn.create_activity(name=name, tags=[{"key": "team", "value": "ops"}])
    arn = created["activityArn"]
    assert arn == activity_arn(name)
    described = sfn.describe_activity(activityArn=arn)
    assert (described["name"], described["creationDate"]) == (name, created["creationDate"])
    assert name in activity_names(sfn)
    # idempotent
    assert sfn.create_activity(name=name)["creationDate"] == created["creationDate"]
    sfn.delete_activity(activityArn=arn)
    assert name not in activity_names(sfn)
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist) as error:
        sfn.describe_activity(activityArn=arn)
    assert_error(error, "ActivityDoesNotExist", f"Activity Does Not Exist: '{arn}'")


def test_list_activities_pages(sfn: Any) -> None:
    made = {sfn.create_activity(name=unique("act"))["activityArn"] for _ in range(3)}
    seen: list[str] = []
    token = None
    while True:
        page = sfn.list_activities(maxResults=2, **({"nextToken": token} if token else {}))
        assert len(page["activities"]) <= 2
        seen.extend(a["activityArn"] for a in page["activities"])
        token = page.get("nextToken")
        if not token:
            break
    assert made <= set(seen) and len(seen) == len(set(seen))


@pytest.mark.parametrize("name", ["a b", "a*"], ids=["space", "star"])
def test_create_refuses_an_invalid_name(sfn: Any, name: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidName) as error:
        sfn.create_activity(name=name)
    assert_error(error, "InvalidName", f"Invalid Name: '{name}'")
    assert name not in activity_names(sfn)


def test_bad_activity_arns(sfn: Any) -> None:
    unknown = activity_arn(unique("act"))
    with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
        sfn.get_activity_task(activityArn=unknown)
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.describe_activity(activityArn="arn:aws:states:us-east-1:000000000000:stateMachine:x")
    assert_error(
        error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"
    )
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_activity(activityArn="nope")


# -- GetActivityTask -------------------------------------------------------------------
def test_long_poll_returns_a_task_queued_while_it_waits(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity))
    got: dict[str, Any] = {}
    poller = threading.Thread(
        target=lambda: got.update(sfn.get_activity_task(activityArn=activity, workerName="w")),
    )
    poller.start()
    time.sleep(0.3)  # let the poll start waiting before there is anything to take
    arn = sfn.start_execution(stateMachineArn=machine, input='{"job": 42}')["executionArn"]
    poller.join(timeout=60)
    assert not poller.is_alive()
    assert json.loads(got["input"]) == {"job": 42}
    sfn.send_task_success(taskToken=got["taskToken"], output='{"result": "done"}')
    done = wait_finished(sfn, arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"result": "done"}


def test_each_task_is_handed_out_once(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity))
    arns = [
        sfn.start_execution(stateMachineArn=machine, input=json.dumps({"i": i}))["executionArn"]
        for i in range(3)
    ]
    tasks = [take_task(sfn, activity) for _ in arns]
    assert sorted(json.loads(t["input"])["i"] for t in tasks) == [0, 1, 2]
    assert len({t["taskToken"] for t in tasks}) == 3
    for task in tasks:
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    outputs = sorted(json.loads(wait_finished(sfn, a)["output"])["i"] for a in arns)
    assert outputs == [0, 1, 2]


@pytest.mark.slow
def test_long_poll_returns_empty_after_a_minute(server: ServerProcess, sfn: Any) -> None:
    slow = sfn_client(server, read_timeout=90)
    arn = sfn.create_activity(name=unique("idle"))["activityArn"]
    response = slow.get_activity_task(activityArn=arn)
    assert "taskToken" not in response and "input" not in response


# -- callbacks -------------------------------------------------------------------------
def test_send_task_failure_fails_the_execution(sfn: Any, activity: str) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, activity_task(activity)))[
        "executionArn"
    ]
    task = take_task(sfn, activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="Worker.Broke", cause="disk full")
    done = wait_finished(sfn, arn)
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "Worker.Broke", "disk full")


def test_a_token_answers_once(sfn: Any, activity: str) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, activity_task(activity)))[
        "executionArn"
    ]
    token = take_task(sfn, activity)["taskToken"]
    sfn.send_task_success(taskToken=token, output='{"first": true}')
    wait_finished(sfn, arn)
    for call in (
        lambda: sfn.send_task_success(taskToken=token, output='{"second": true}'),
        lambda: sfn.send_task_failure(taskToken=token, error="Late"),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(sfn.exceptions.TaskTimedOut) as error:
            call()
        assert_error(
            error, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'"
        )
    assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"first": True}


@pytest.mark.parametrize("token", ["not-a-token", "c3RyYXR1czEKeAp5"], ids=["junk", "forged"])
def test_invalid_tokens(sfn: Any, token: str) -> None:
    for call in (
        lambda: sfn.send_task_success(taskToken=token, output="{}"),
        lambda: sfn.send_task_failure(taskToken=token),
        lambda: sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(sfn.exceptions.ClientError) as error:
            call()
        code = error.value.response["Error"]["Code"]
        assert code in ("InvalidToken", "TaskTimedOut"), error.value.response
        if token == "not-a-token":
            assert_error(error, "InvalidToken", "Invalid Token: 'Invalid token'")


def test_send_task_success_refuses_invalid_output(sfn: Any, activity: str) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, activity_task(activity)))[
        "executionArn"
    ]
    token = take_task(sfn, activity)["taskToken"]
    with pytest.raises(sfn.exceptions.InvalidOutput) as error:
        sfn.send_task_success(taskToken=token, output="{oops")
    assert_error(error, "InvalidOutput", "Invalid Output: '", prefix=True)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"fixed": 1}')  # the task still waits
    assert json.loads(wait_finished(sfn, arn)["output"]) == {"fixed": 1}


def test_heartbeat_timeout(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity, HeartbeatSeconds=1, TimeoutSeconds=120))
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = take_task(sfn, activity)["taskToken"]
    done = wait_finished(sfn, arn)  # no heartbeat: the task times out after a second
    assert (done["status"], done["error"]) == ("FAILED", "States.HeartbeatTimeout")
    assert "TaskTimedOut" in event_types(sfn, arn) or "ActivityTimedOut" in event_types(sfn, arn)
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")


def test_heartbeats_keep_a_task_alive(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity, HeartbeatSeconds=2))
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    token = take_task(sfn, activity)["taskToken"]
    deadline = time.monotonic() + 5  # longer than two heartbeat periods
    while time.monotonic() < deadline:
        sfn.send_task_heartbeat(taskToken=token)
        time.sleep(0.2)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output='{"alive": true}')
    assert wait_finished(sfn, arn)["status"] == "SUCCEEDED"


def test_task_timeout_without_a_worker(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity, TimeoutSeconds=1))
    arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    done = wait_finished(sfn, arn)
    assert (done["status"], done["error"]) == ("FAILED", "States.Timeout")


def test_stopping_the_execution_withdraws_its_task(sfn: Any, activity: str) -> None:
    machine = create_machine(sfn, activity_task(activity))
    stopped = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
    scheduled = {"TaskStarted", "ActivityScheduled"}  # Task* or, as on AWS, Activity* events
    wait_for(lambda: scheduled & set(event_types(sfn, stopped)))
    sfn.stop_execution(executionArn=stopped)
    assert sfn.describe_execution(executionArn=stopped)["status"] == "ABORTED"
    live = sfn.start_execution(stateMachineArn=machine, input='{"n": 2}')["executionArn"]
    task = take_task(sfn, activity)  # the stopped execution's task is not handed out
    assert json.loads(task["input"]) == {"n": 2}
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_finished(sfn, live)["status"] == "SUCCEEDED"


def test_activity_history_has_aws_event_types(sfn: Any, activity: str) -> None:
    arn = sfn.start_execution(stateMachineArn=create_machine(sfn, activity_task(activity)))[
        "executionArn"
    ]
    task = take_task(sfn, activity)
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    wait_finished(sfn, arn)
    events = history(sfn, arn)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    assert events[3]["activityStartedEventDetails"] == {"workerName": "test-worker"}
