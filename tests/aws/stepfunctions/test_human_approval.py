"""A human-approval step end to end: the execution waits on an activity task until a
separate client (the approver) answers with the token it read via GetActivityTask.

Approval continues with the approver's answer; rejection (SendTaskFailure) is caught by
the Task's Catch and routed to its own branch.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    asl,
    create_machine,
    history,
    sfn_client,
    unique,
    wait_finished,
)
from tests.conftest import ServerProcess


def approval_flow(activity: str) -> str:
    return asl(
        {
            "Prepare": {
                "Type": "Pass",
                "Parameters": {"order.$": "$.order", "amount.$": "$.amount"},
                "Next": "AskForApproval",
            },
            "AskForApproval": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": 300,
                "ResultPath": "$.approval",
                "Catch": [
                    {"ErrorEquals": ["Rejected"], "ResultPath": "$.rejection", "Next": "Cancel"}
                ],
                "Next": "Ship",
            },
            "Ship": {
                "Type": "Pass",
                "Parameters": {"shipped.$": "$.order", "approvedBy.$": "$.approval.by"},
                "End": True,
            },
            "Cancel": {
                "Type": "Pass",
                "Parameters": {"cancelled.$": "$.order", "reason.$": "$.rejection.Cause"},
                "End": True,
            },
        }
    )


class Approver(threading.Thread):
    """The human: its own client polls for the request, reads it and decides."""

    def __init__(self, server: ServerProcess, activity: str, approve: bool) -> None:
        super().__init__(daemon=True)
        self.client = sfn_client(server)
        self.activity = activity
        self.approve = approve
        self.request: dict[str, Any] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            task = self.client.get_activity_task(activityArn=self.activity, workerName="alice")
            self.request = json.loads(task["input"])
            if self.approve:
                self.client.send_task_success(
                    taskToken=task["taskToken"], output=json.dumps({"by": "alice"})
                )
            else:
                self.client.send_task_failure(
                    taskToken=task["taskToken"], error="Rejected", cause="too expensive"
                )
        except BaseException as exc:  # reported by the test
            self.error = exc


@pytest.mark.parametrize("approve", [True, False], ids=["approved", "rejected"])
def test_human_approval(server: ServerProcess, sfn: Any, approve: bool) -> None:
    activity = sfn.create_activity(name=unique("approval"))["activityArn"]
    machine = create_machine(sfn, approval_flow(activity))
    approver = Approver(server, activity, approve)
    approver.start()
    arn = sfn.start_execution(
        stateMachineArn=machine, input=json.dumps({"order": "o-17", "amount": 990})
    )["executionArn"]
    approver.join(timeout=90)
    assert not approver.is_alive() and approver.error is None, approver.error
    assert approver.request == {"order": "o-17", "amount": 990}

    done = wait_finished(sfn, arn)
    assert done["status"] == "SUCCEEDED"
    if approve:
        assert json.loads(done["output"]) == {"shipped": "o-17", "approvedBy": "alice"}
    else:
        assert json.loads(done["output"]) == {"cancelled": "o-17", "reason": "too expensive"}
    events = history(sfn, arn)
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e
    ]
    assert entered == ["Prepare", "AskForApproval", "Ship" if approve else "Cancel"]
    outcome = "TaskSucceeded" if approve else "TaskFailed"
    types = [e["type"] for e in events]
    assert types.count(outcome) + types.count(outcome.replace("Task", "Activity")) == 1
