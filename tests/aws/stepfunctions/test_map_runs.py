"""Map Runs of Distributed Map states: DescribeMapRun, ListMapRuns, UpdateMapRun and
ListExecutions with mapRunArn, against a real server with boto3.

Slow children are activity tasks the test answers itself, so "running" and "pending"
are states the test holds the run in, never a matter of timing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    ACCOUNT,
    REGION,
    all_pages,
    asl,
    assert_error,
    create_machine,
    history,
    sfn_client,
    unique,
    wait_finished,
    wait_for,
)
from tests.conftest import ROLE, ServerProcess

UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}:"
COUNT_KEYS = {
    "pending",
    "running",
    "succeeded",
    "failed",
    "timedOut",
    "aborted",
    "total",
    "resultsWritten",
    "failuresNotRedrivable",
    "pendingRedrive",
}


def _processor(states: dict[str, Any], start: str, execution_type: str = "STANDARD") -> Any:
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": execution_type},
        "StartAt": start,
        "States": states,
    }


#: Items with {"fail": true} fail their child execution; the others double "n".
FAILING_PROCESSOR = _processor(
    {
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.fail", "BooleanEquals": True, "Next": "Boom"}],
            "Default": "Double",
        },
        "Boom": {"Type": "Fail", "Error": "Item.Bad", "Cause": "a bad item"},
        "Double": {
            "Type": "Pass",
            "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
            "End": True,
        },
    },
    "Check",
)


def _map_machine(sfn: Any, map_state: dict[str, Any], *, name: str | None = None) -> str:
    return create_machine(
        sfn,
        asl({"Each": {"Type": "Map", **map_state, "End": True}}),
        name=name or unique("maprun"),
    )


def _items(count: int, failing: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    return [{"n": i, "fail": i in failing} for i in range(count)]


def _map_run_arn(sfn: Any, execution_arn: str) -> str:
    runs = sfn.list_map_runs(executionArn=execution_arn)["mapRuns"]
    assert len(runs) == 1, runs
    return str(runs[0]["mapRunArn"])


def _counts(described: dict[str, Any], which: str) -> dict[str, int]:
    counts = dict(described[which])
    assert set(counts) == COUNT_KEYS, counts
    return counts


def _children(sfn: Any, map_run_arn: str, **kwargs: Any) -> list[dict[str, Any]]:
    return all_pages(sfn, "list_executions", "executions", mapRunArn=map_run_arn, **kwargs)


# -- a run over an inline item list --------------------------------------------------------


def test_map_run_over_items_path_is_described_listed_and_its_children_too(sfn: Any) -> None:
    name = unique("maprun")
    machine = _map_machine(
        sfn,
        {
            "ItemsPath": "$.items",
            "MaxConcurrency": 2,
            "ToleratedFailureCount": 1,
            "ToleratedFailurePercentage": 40,
            "Label": "Doubler",
            "ItemProcessor": FAILING_PROCESSOR,
        },
        name=name,
    )
    execution = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps({"items": _items(5, failing=(3,))})
    )["executionArn"]
    done = wait_finished(sfn, execution)
    assert done["status"] == "SUCCEEDED", done

    # the ARN AWS gives a Map Run: mapRun:MACHINE/LABEL:UUID, as the history names it
    run_arn = _map_run_arn(sfn, execution)
    assert re.fullmatch(f"{re.escape(PREFIX)}mapRun:{name}/Doubler:{UUID}", run_arn), run_arn
    started = [e for e in history(sfn, execution) if e["type"] == "MapRunStarted"]
    assert started[0]["mapRunStartedEventDetails"]["mapRunArn"] == run_arn

    listed = sfn.list_map_runs(executionArn=execution)["mapRuns"][0]
    assert listed["executionArn"] == execution
    assert listed["stateMachineArn"] == machine
    assert listed["stopDate"] >= listed["startDate"]

    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["mapRunArn"] == run_arn
    assert described["executionArn"] == execution
    assert described["status"] == "SUCCEEDED"
    assert described["startDate"] == listed["startDate"]
    assert described["stopDate"] == listed["stopDate"]
    assert described["maxConcurrency"] == 2
    assert described["toleratedFailureCount"] == 1
    assert described["toleratedFailurePercentage"] == 40.0
    assert described["redriveCount"] == 0
    expected = {
        "pending": 0,
        "running": 0,
        "succeeded": 4,
        "failed": 1,
        "timedOut": 0,
        "aborted": 0,
        "total": 5,
        "resultsWritten": 5,
        "failuresNotRedrivable": 0,
        "pendingRedrive": 0,
    }
    assert _counts(described, "itemCounts") == expected
    assert _counts(described, "executionCounts") == expected

    # its child executions: execution:MACHINE/LABEL:NAME, newest first, paged
    children = _children(sfn, run_arn, PaginationConfig={"PageSize": 2})
    assert len(children) == 5
    assert len({c["executionArn"] for c in children}) == 5
    child_machine = f"{PREFIX}stateMachine:{name}/Doubler"
    for child in children:
        assert re.fullmatch(
            f"{re.escape(PREFIX)}execution:{name}/Doubler:{UUID}", child["executionArn"]
        ), child
        assert child["executionArn"].endswith(":" + child["name"])
        assert child["stateMachineArn"] == child_machine
        assert child["mapRunArn"] == run_arn
        assert child["itemCount"] == 1
        assert child["stopDate"] >= child["startDate"]
    starts = [c["startDate"] for c in children]
    assert starts == sorted(starts, reverse=True)
    first_page = sfn.list_executions(mapRunArn=run_arn, maxResults=2)
    assert len(first_page["executions"]) == 2 and first_page["nextToken"]

    failed = _children(sfn, run_arn, statusFilter="FAILED")
    assert len(failed) == 1
    assert len(_children(sfn, run_arn, statusFilter="SUCCEEDED")) == 4
    assert _children(sfn, run_arn, statusFilter="RUNNING") == []
    assert _children(sfn, run_arn, redriveFilter="REDRIVEN") == []

    # DescribeExecution of a child names its Map Run
    bad = sfn.describe_execution(executionArn=failed[0]["executionArn"])
    assert bad["status"] == "FAILED"
    assert bad["mapRunArn"] == run_arn
    assert bad["stateMachineArn"] == child_machine
    assert json.loads(bad["input"]) == {"n": 3, "fail": True}
    assert (bad["error"], bad["cause"]) == ("Item.Bad", "a bad item")
    good = next(c for c in children if c["status"] == "SUCCEEDED")
    described_good = sfn.describe_execution(executionArn=good["executionArn"])
    assert described_good["mapRunArn"] == run_arn
    doubled = json.loads(described_good["output"])["doubled"]
    assert doubled == 2 * json.loads(described_good["input"])["n"]

    # and its state machine is the Map's ItemProcessor, named MACHINE/LABEL
    child_def = sfn.describe_state_machine_for_execution(executionArn=good["executionArn"])
    assert child_def["stateMachineArn"] == child_machine
    assert child_def["name"] == f"{name}/Doubler"
    assert child_def["mapRunArn"] == run_arn
    assert child_def["label"] == "Doubler"
    assert json.loads(child_def["definition"])["StartAt"] == "Check"
    assert child_def["roleArn"] == ROLE
    parent_def = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert "mapRunArn" not in parent_def and "label" not in parent_def


def test_map_run_label_defaults_to_the_state_name_and_express_children(sfn: Any) -> None:
    name = unique("maprun")
    machine = _map_machine(
        sfn,
        {
            "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P", "EXPRESS"),
        },
        name=name,
    )
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps([1, 2]))[
        "executionArn"
    ]
    assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
    run_arn = _map_run_arn(sfn, execution)
    assert re.fullmatch(f"{re.escape(PREFIX)}mapRun:{name}/Each:{UUID}", run_arn), run_arn
    children = _children(sfn, run_arn)
    assert len(children) == 2
    for child in children:
        assert re.fullmatch(f"{re.escape(PREFIX)}express:{name}/Each:{UUID}", child["executionArn"])
        assert sfn.describe_execution(executionArn=child["executionArn"])["mapRunArn"] == run_arn


def test_map_run_beyond_its_tolerance_fails_and_says_what_is_left(sfn: Any) -> None:
    machine = _map_machine(sfn, {"MaxConcurrency": 1, "ItemProcessor": FAILING_PROCESSOR})
    execution = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps(_items(4, failing=(0,)))
    )["executionArn"]
    done = wait_finished(sfn, execution)
    assert done["status"] == "FAILED"
    assert done["error"] == "States.ExceedToleratedFailureThreshold"
    described = sfn.describe_map_run(mapRunArn=_map_run_arn(sfn, execution))
    assert described["status"] == "FAILED"
    assert "stopDate" in described
    counts = _counts(described, "executionCounts")
    assert counts["failed"] == 1 and counts["pending"] == 3 and counts["total"] == 4
    assert counts["succeeded"] == 0 and counts["resultsWritten"] == 0


# -- a run over an S3 ItemReader, with batches ---------------------------------------------


def test_map_run_over_an_s3_item_reader_counts_items_and_executions(
    server: ServerProcess, sfn: Any
) -> None:
    s3 = server.client("s3")
    bucket = unique("maprun-items")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="items.json", Body=json.dumps(_items(5)).encode())
    machine = _map_machine(
        sfn,
        {
            "ItemReader": {
                "Resource": "arn:aws:states:::s3:getObject",
                "ReaderConfig": {"InputType": "JSON"},
                "Parameters": {"Bucket": bucket, "Key": "items.json"},
            },
            "ItemBatcher": {"MaxItemsPerBatch": 2},
            "ItemProcessor": _processor({"P": {"Type": "Pass", "End": True}}, "P"),
        },
    )
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
    run_arn = _map_run_arn(sfn, execution)
    described = sfn.describe_map_run(mapRunArn=run_arn)
    items = _counts(described, "itemCounts")
    executions = _counts(described, "executionCounts")
    assert (items["total"], items["succeeded"], items["resultsWritten"]) == (5, 5, 5)
    assert (executions["total"], executions["succeeded"]) == (3, 3)
    assert sorted(c["itemCount"] for c in _children(sfn, run_arn)) == [1, 2, 2]


# -- bad input -----------------------------------------------------------------------------


def test_map_run_apis_refuse_bad_input_as_aws_does(sfn: Any, raw_sfn: Any) -> None:
    machine = _map_machine(sfn, {"ItemProcessor": FAILING_PROCESSOR})
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(_items(2)))[
        "executionArn"
    ]
    assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
    run_arn = _map_run_arn(sfn, execution)
    missing = run_arn.rsplit(":", 1)[0] + ":00000000-0000-0000-0000-000000000000"

    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.describe_map_run(mapRunArn="not-an-arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'not-an-arn'")
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.describe_map_run(mapRunArn=machine)
    assert_error(
        error, "InvalidArn", "Invalid Arn: 'Resource type not valid in this context: stateMachine'"
    )
    with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
        sfn.describe_map_run(mapRunArn=missing)
    assert_error(error, "ResourceNotFound", f"Resource not found: '{missing}'")

    gone = execution.rsplit(":", 1)[0] + ":nobody"
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
        sfn.list_map_runs(executionArn=gone)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{gone}'")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.list_map_runs(executionArn=machine)

    for both_or_neither in ({"stateMachineArn": machine, "mapRunArn": run_arn}, {}):
        with pytest.raises(sfn.exceptions.ClientError) as error:
            raw_sfn.list_executions(**both_or_neither)
        assert_error(error, "ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.list_executions(mapRunArn=missing)

    # UpdateMapRun: a finished run, no value, out-of-range values, an unknown run
    with pytest.raises(sfn.exceptions.ValidationException) as error:
        sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=5)
    assert_error(error, "ValidationException", f"Map Run is not in RUNNING status: '{run_arn}'")
    with pytest.raises(sfn.exceptions.ValidationException) as error:
        sfn.update_map_run(mapRunArn=run_arn)
    assert_error(error, "ValidationException", prefix=True, message="At least one of")
    for bad in (
        {"maxConcurrency": -1},
        {"toleratedFailurePercentage": 101.0},
        {"toleratedFailureCount": -2},
    ):
        with pytest.raises(sfn.exceptions.ClientError) as error:
            raw_sfn.update_map_run(mapRunArn=run_arn, **bad)
        assert_error(error, "ValidationException")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.update_map_run(mapRunArn=missing, maxConcurrency=1)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.update_map_run(mapRunArn=execution, maxConcurrency=1)
    # nothing of it was stored
    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["maxConcurrency"] == 0 and described["toleratedFailureCount"] == 0


# -- UpdateMapRun on a running map: the engine starts more children ------------------------


def _activity_map(sfn: Any, activity: str, concurrency: int) -> str:
    return _map_machine(
        sfn,
        {
            "MaxConcurrency": concurrency,
            "ItemProcessor": _processor(
                {"Work": {"Type": "Task", "Resource": activity, "End": True}}, "Work"
            ),
        },
    )


def _running(sfn: Any, run_arn: str, running: int, pending: int) -> bool:
    counts = sfn.describe_map_run(mapRunArn=run_arn)["executionCounts"]
    return bool(counts["running"] == running and counts["pending"] == pending)


def _answer(sfn: Any, activity: str, count: int) -> None:
    for _ in range(count):
        task = sfn.get_activity_task(activityArn=activity)
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])


def test_update_map_run_changes_the_concurrency_of_a_running_map(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("slow"))["activityArn"]
    machine = _activity_map(sfn, activity, 1)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(_items(5)))[
        "executionArn"
    ]
    run_arn = wait_for(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"])[0]["mapRunArn"]
    wait_for(lambda: _running(sfn, run_arn, 1, 4))
    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["status"] == "RUNNING" and "stopDate" not in described
    assert len(_children(sfn, run_arn, statusFilter="RUNNING")) == 1

    sfn.update_map_run(
        mapRunArn=run_arn,
        maxConcurrency=3,
        toleratedFailureCount=2,
        toleratedFailurePercentage=50.5,
    )
    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["maxConcurrency"] == 3
    assert described["toleratedFailureCount"] == 2
    assert described["toleratedFailurePercentage"] == 50.5
    wait_for(lambda: _running(sfn, run_arn, 3, 2))  # the engine started two more

    _answer(sfn, activity, 5)
    assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["status"] == "SUCCEEDED"
    assert _counts(described, "executionCounts")["succeeded"] == 5


def test_stopping_the_execution_aborts_its_map_run(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("slow"))["activityArn"]
    machine = _activity_map(sfn, activity, 2)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(_items(3)))[
        "executionArn"
    ]
    run_arn = wait_for(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"])[0]["mapRunArn"]
    wait_for(lambda: _running(sfn, run_arn, 2, 1))
    sfn.stop_execution(executionArn=execution)
    wait_finished(sfn, execution)
    described = sfn.describe_map_run(mapRunArn=run_arn)
    assert described["status"] == "ABORTED"
    counts = _counts(described, "executionCounts")
    assert (counts["aborted"], counts["pending"], counts["running"]) == (2, 1, 0)
    assert len(_children(sfn, run_arn, statusFilter="ABORTED")) == 2


# -- a restart -----------------------------------------------------------------------------


def test_map_run_and_its_update_survive_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
    second: ServerProcess | None = None
    try:
        sfn = sfn_client(first)
        activity = sfn.create_activity(name="restart-work")["activityArn"]
        machine = _activity_map(sfn, activity, 1)
        execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(_items(4)))[
            "executionArn"
        ]
        run_arn = wait_for(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"])[0][
            "mapRunArn"
        ]
        wait_for(lambda: _running(sfn, run_arn, 1, 3))
        sfn.update_map_run(mapRunArn=run_arn, maxConcurrency=2)
        first.kill()

        second = ServerProcess(data_dir)
        second.port, second.gateway_port = first.port, first.gateway_port
        second.start()
        sfn = sfn_client(second)
        described = sfn.describe_map_run(mapRunArn=run_arn)
        assert described["status"] == "RUNNING"
        assert described["maxConcurrency"] == 2
        wait_for(lambda: _running(sfn, run_arn, 2, 2))  # the engine took the update back
        _answer(sfn, activity, 4)
        assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
        described = sfn.describe_map_run(mapRunArn=run_arn)
        assert described["status"] == "SUCCEEDED"
        assert _counts(described, "executionCounts")["succeeded"] == 4
        assert len(_children(sfn, run_arn)) == 4
    finally:
        if second is not None:
            second.stop()
        first.stop()


# -- a redrive -----------------------------------------------------------------------------


def test_redriving_the_execution_redrives_its_map_run(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("slow"))["activityArn"]
    machine = _activity_map(sfn, activity, 1)
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps(_items(4)))[
        "executionArn"
    ]
    run_arn = wait_for(lambda: sfn.list_map_runs(executionArn=execution)["mapRuns"])[0]["mapRunArn"]
    _answer(sfn, activity, 1)  # item 0 succeeds
    task = sfn.get_activity_task(activityArn=activity)
    assert json.loads(task["input"])["n"] == 1
    sfn.send_task_failure(taskToken=task["taskToken"], error="Item.Bad", cause="once")
    assert wait_finished(sfn, execution)["status"] == "FAILED"
    failed = sfn.describe_map_run(mapRunArn=run_arn)
    assert failed["status"] == "FAILED" and failed["redriveCount"] == 0
    assert "redriveDate" not in failed
    counts = _counts(failed, "executionCounts")
    assert (counts["succeeded"], counts["failed"], counts["pending"]) == (1, 1, 2)

    sfn.redrive_execution(executionArn=execution)
    wait_for(lambda: _running(sfn, run_arn, 1, 2))
    redriven = sfn.describe_map_run(mapRunArn=run_arn)
    assert redriven["status"] == "RUNNING" and "stopDate" not in redriven
    assert redriven["redriveCount"] == 1 and redriven["redriveDate"] >= failed["stopDate"]
    # the same Map Run goes on: only the children that did not succeed run again
    seen = []
    for _ in range(3):
        task = sfn.get_activity_task(activityArn=activity)
        seen.append(json.loads(task["input"])["n"])
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    assert seen == [1, 2, 3]
    assert wait_finished(sfn, execution)["status"] == "SUCCEEDED"
    assert sfn.list_map_runs(executionArn=execution)["mapRuns"][0]["mapRunArn"] == run_arn
    done = sfn.describe_map_run(mapRunArn=run_arn)
    assert done["status"] == "SUCCEEDED" and done["redriveCount"] == 1
    counts = _counts(done, "executionCounts")
    assert (counts["succeeded"], counts["failed"], counts["total"]) == (4, 0, 4)
    events = [e for e in history(sfn, execution) if e["type"] == "MapRunRedriven"]
    assert events[0]["mapRunRedrivenEventDetails"] == {"mapRunArn": run_arn, "redriveCount": 1}
    again = _children(sfn, run_arn, redriveFilter="REDRIVEN")
    assert len(again) == 1 and again[0]["redriveCount"] == 1
    assert json.loads(sfn.describe_execution(executionArn=again[0]["executionArn"])["input"]) == {
        "n": 1,
        "fail": False,
    }
    assert len(_children(sfn, run_arn, redriveFilter="NOT_REDRIVEN")) == 3
