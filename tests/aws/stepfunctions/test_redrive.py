"""RedriveExecution over boto3 against a real server.

A redrive continues the recorded execution (same ARN, same definition, history kept)
from the state it ended in, without running again the states it left successfully
(AWS's RedriveExecution reference). The flaky Task is a real Lambda function that fails
the first time it runs and succeeds after, remembering through a marker object in S3.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    asl,
    assert_error,
    create_machine,
    history,
    sfn_client,
    unique,
    wait_finished,
)
from tests.conftest import ServerProcess, create_function

FLAKY = """
import boto3
import botocore.exceptions

s3 = boto3.client("s3")


def handler(event, context):
    try:
        s3.head_object(Bucket=event["bucket"], Key=event["key"])
    except botocore.exceptions.ClientError:
        s3.put_object(Bucket=event["bucket"], Key=event["key"], Body=b"failed once")
        raise RuntimeError("the first attempt fails")
    return {"attempt": "second"}
"""


@pytest.fixture(scope="module")
def flaky(server: ServerProcess, lambda_client: Any) -> tuple[str, str]:
    """(function ARN, marker bucket)."""
    bucket = f"redrive-{uuid.uuid4().hex[:12]}"
    server.client("s3").create_bucket(Bucket=bucket)
    name = create_function(lambda_client, FLAKY, Timeout=30)
    return f"arn:aws:lambda:us-east-1:000000000000:function:{name}", bucket


def flaky_machine(function_arn: str) -> str:
    return asl(
        {
            "Before": {"Type": "Pass", "Result": "kept", "ResultPath": "$.before", "Next": "Flaky"},
            "Flaky": {
                "Type": "Task",
                "Resource": function_arn,
                "Parameters": {"bucket.$": "$.bucket", "key.$": "$.key"},
                "ResultPath": "$.result",
                "Next": "After",
            },
            "After": {"Type": "Pass", "End": True},
        }
    )


def test_a_failed_execution_redriven_succeeds_without_rerunning_what_succeeded(
    sfn: Any, flaky: tuple[str, str]
) -> None:
    function_arn, bucket = flaky
    machine = create_machine(sfn, flaky_machine(function_arn))
    execution = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps({"bucket": bucket, "key": unique("marker")})
    )["executionArn"]
    failed = wait_finished(sfn, execution)
    assert failed["status"] == "FAILED", failed
    assert (failed["redriveStatus"], failed["redriveCount"]) == ("REDRIVABLE", 0)
    assert "redriveStatusReason" not in failed and "redriveDate" not in failed

    redriven = sfn.redrive_execution(executionArn=execution)
    done = wait_finished(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"])["result"] == {"attempt": "second"}
    assert json.loads(done["output"])["before"] == "kept"
    assert done["redriveCount"] == 1
    assert done["redriveDate"] == redriven["redriveDate"]
    assert done["redriveStatus"] == "NOT_REDRIVABLE"
    assert done["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"

    events = history(sfn, execution)
    types = [e["type"] for e in events]
    assert types.count("ExecutionStarted") == 1
    assert types.count("PassStateEntered") == 2  # Before once, After once
    assert types.count("TaskStateEntered") == 2  # Flaky, then Flaky again
    assert types.count("LambdaFunctionFailed") == 1 and types.count("LambdaFunctionSucceeded") == 1
    failed_at = types.index("ExecutionFailed")
    assert types[failed_at + 1] == "ExecutionRedriven"
    assert events[failed_at + 1]["executionRedrivenEventDetails"] == {"redriveCount": 1}
    assert types[-1] == "ExecutionSucceeded"
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))

    listed = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"]
    assert [(e["executionArn"], e["redriveCount"]) for e in listed] == [(execution, 1)]
    assert (
        sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")["executions"]
        == []
    )

    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable) as error:
        sfn.redrive_execution(executionArn=execution)
    assert_error(error, "ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven")


def test_redrive_runs_the_definition_the_execution_started_with(sfn: Any) -> None:
    failing = asl({"F": {"Type": "Fail", "Error": "Nope"}})
    machine = create_machine(sfn, failing)
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    assert wait_finished(sfn, execution)["status"] == "FAILED"
    sfn.update_state_machine(
        stateMachineArn=machine, definition=asl({"P": {"Type": "Pass", "End": True}})
    )
    sfn.redrive_execution(executionArn=execution)
    again = wait_finished(sfn, execution)
    assert (again["status"], again["error"], again["redriveCount"]) == ("FAILED", "Nope", 1)
    assert again["redriveStatus"] == "REDRIVABLE"
    definition = sfn.describe_state_machine_for_execution(executionArn=execution)["definition"]
    assert definition == failing


def test_an_aborted_execution_redriven_waits_on_its_task_again(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    machine = create_machine(
        sfn, asl({"Work": {"Type": "Task", "Resource": activity, "End": True}})
    )
    execution = sfn.start_execution(stateMachineArn=machine, input='{"n": 1}')["executionArn"]
    task = sfn.get_activity_task(activityArn=activity)
    assert task["taskToken"]
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable) as error:
        sfn.redrive_execution(executionArn=execution)
    assert_error(error, "ExecutionNotRedrivable", "Execution is RUNNING and cannot be redriven")
    sfn.stop_execution(executionArn=execution, error="Stopped", cause="by the test")
    assert wait_finished(sfn, execution)["status"] == "ABORTED"
    sfn.redrive_execution(executionArn=execution)
    task = sfn.get_activity_task(activityArn=activity)
    assert json.loads(task["input"]) == {"n": 1}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"ok": true}')
    done = wait_finished(sfn, execution)
    assert (done["status"], json.loads(done["output"]), done["redriveCount"]) == (
        "SUCCEEDED",
        {"ok": True},
        1,
    )


def test_the_same_client_token_redrives_once(sfn: Any) -> None:
    activity = sfn.create_activity(name=unique("act"))["activityArn"]
    machine = create_machine(
        sfn, asl({"Work": {"Type": "Task", "Resource": activity, "End": True}})
    )
    execution = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    sfn.stop_execution(executionArn=execution)
    wait_finished(sfn, execution)
    first = sfn.redrive_execution(executionArn=execution, clientToken="token-1")
    second = sfn.redrive_execution(executionArn=execution, clientToken="token-1")
    assert first["redriveDate"] == second["redriveDate"]
    assert sfn.describe_execution(executionArn=execution)["redriveCount"] == 1
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=execution, clientToken="token-2")
    sfn.stop_execution(executionArn=execution)


def test_redrive_refuses_what_aws_refuses(sfn: Any) -> None:
    machine = create_machine(sfn)
    succeeded = sfn.start_execution(stateMachineArn=machine)["executionArn"]
    wait_finished(sfn, succeeded)
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable) as error:
        sfn.redrive_execution(executionArn=succeeded)
    assert_error(error, "ExecutionNotRedrivable", "Execution is SUCCEEDED and cannot be redriven")
    assert sfn.describe_execution(executionArn=succeeded)["redriveCount"] == 0

    express = create_machine(sfn, asl({"F": {"Type": "Fail"}}), type="EXPRESS")
    express_execution = sfn.start_execution(stateMachineArn=express)["executionArn"]
    with pytest.raises(sfn.exceptions.ExecutionNotRedrivable):
        sfn.redrive_execution(executionArn=express_execution)

    missing = succeeded.rsplit(":", 1)[0] + ":nobody"
    with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
        sfn.redrive_execution(executionArn=missing)
    assert_error(error, "ExecutionDoesNotExist", f"Execution Does Not Exist: '{missing}'")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.redrive_execution(executionArn="not-an-arn")


def test_a_redrive_survives_a_restart(tmp_path: Path) -> None:
    """Failed before a restart, redriven after it; killed while the redriven execution waits
    on its task, and finished by the next server from the recorded state."""
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir).start()
    try:
        sfn = sfn_client(server)
        activity = sfn.create_activity(name="redrive-work")["activityArn"]
        machine = create_machine(
            sfn,
            asl(
                {
                    "First": {"Type": "Pass", "Result": 1, "ResultPath": "$.first", "Next": "Work"},
                    "Work": {
                        "Type": "Task",
                        "Resource": activity,
                        "ResultPath": "$.work",
                        "End": True,
                    },
                }
            ),
        )
        # versions and aliases are durable too: numbering continues after a restart
        sfn.publish_state_machine_version(stateMachineArn=machine)
        sfn.update_state_machine(
            stateMachineArn=machine,
            definition=asl({"P": {"Type": "Pass", "End": True}}),
            publish=True,
        )
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{machine}:2")
        routing = [{"stateMachineVersionArn": f"{machine}:1", "weight": 100}]
        alias = sfn.create_state_machine_alias(name="live", routingConfiguration=routing)
        execution = sfn.start_execution(stateMachineArn=alias["stateMachineAliasArn"], input="{}")[
            "executionArn"
        ]
        task = sfn.get_activity_task(activityArn=activity)
        sfn.send_task_failure(taskToken=task["taskToken"], error="Boom", cause="first try")
        assert wait_finished(sfn, execution)["status"] == "FAILED"

        server.stop()
        server = ServerProcess(data_dir).start()
        sfn = sfn_client(server)
        assert sfn.describe_execution(executionArn=execution)["redriveStatus"] == "REDRIVABLE"
        described = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{machine}:live")
        assert described["routingConfiguration"] == routing
        assert (
            sfn.publish_state_machine_version(stateMachineArn=machine)["stateMachineVersionArn"]
            == f"{machine}:3"
        )  # version 2 (the current revision) was deleted; 2 is not reused
        sfn.redrive_execution(executionArn=execution)
        assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"

        server.kill()
        server = ServerProcess(data_dir).start()
        sfn = sfn_client(server)
        task = sfn.get_activity_task(activityArn=activity)
        sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
        done = wait_finished(sfn, execution)
        assert done["status"] == "SUCCEEDED", done
        assert json.loads(done["output"]) == {"first": 1, "work": "done"}
        assert done["redriveCount"] == 1
        assert done["stateMachineVersionArn"] == f"{machine}:1"
        assert done["stateMachineAliasArn"] == f"{machine}:live"
        types = [e["type"] for e in history(sfn, execution)]
        assert types.count("PassStateEntered") == 1
        assert types.count("ExecutionRedriven") == 1
        assert types[-1] == "ExecutionSucceeded"
    finally:
        server.stop()
