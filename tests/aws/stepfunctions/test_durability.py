"""The crash test: executions survive ``kill -9`` of the server, and no task runs twice.

A dedicated server (not the session one) runs 100 executions, each a Wait, an activity
Task answered by worker threads of this test, another Wait and a Pass. While they run
the server is killed with SIGKILL and a new one is started on the same data directory
(and port). Every execution must finish with the output its own task produced; every
activity task is handed to a worker once (a second delivery would mean the task ran
twice) and each task state records one TaskSucceeded. Separate executions waiting 10 s
across the kill show that a Wait keeps its deadline instead of starting again from zero.

Activity tasks are delivered at most once, as on AWS: a task taken by a worker whose
response the crash swallowed is never handed out again, so the Task has TimeoutSeconds
and a Retry on States.Timeout, as a real worker fleet would. The bookkeeping below allows
exactly that: an execution's task is handed out at most once per attempt, and a new
attempt is scheduled only after a TaskTimedOut.
"""

from __future__ import annotations

import collections
import json
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.exceptions

from tests.aws.stepfunctions.conftest import asl, history, sfn_client, wait_for
from tests.conftest import ROLE, ServerProcess

EXECUTIONS = 100
DEADLINE_WAIT_S = 10
TASK_TIMEOUT_S = 5


def worked_definition(activity: str) -> str:
    return asl(
        {
            "Before": {"Type": "Wait", "Seconds": 1, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": activity,
                "TimeoutSeconds": TASK_TIMEOUT_S,
                "ResultPath": "$.work",
                "Retry": [
                    {"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1, "MaxAttempts": 3}
                ],
                "Next": "After",
            },
            "After": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {
                "Type": "Pass",
                "Parameters": {"id.$": "$.id", "answer.$": "$.work.answer"},
                "End": True,
            },
        }
    )


DEADLINE = asl(
    {
        "Long": {"Type": "Wait", "Seconds": DEADLINE_WAIT_S, "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    }
)

_DOWN = (botocore.exceptions.BotoCoreError,)  # connection refused/reset while restarting


class Worker(threading.Thread):
    """Polls the activity and answers ``{"answer": id * 2}``, riding out the restart."""

    def __init__(self, endpoint_server: ServerProcess, activity: str, ledger: Ledger) -> None:
        super().__init__(daemon=True)
        self.client = sfn_client(endpoint_server)
        self.activity = activity
        self.ledger = ledger
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                task = self.client.get_activity_task(activityArn=self.activity, workerName="w")
            except _DOWN:
                time.sleep(0.1)
                continue
            if not task.get("taskToken"):
                continue
            execution_id = json.loads(task["input"])["id"]
            self.ledger.delivered(task["taskToken"], execution_id)
            self._answer(task["taskToken"], execution_id)

    def _answer(self, token: str, execution_id: int) -> None:
        output = json.dumps({"answer": execution_id * 2})
        while not self.stopping.is_set():
            try:
                self.client.send_task_success(taskToken=token, output=output)
            except _DOWN:
                time.sleep(0.1)  # the server is down: send again once it is back
                continue
            except self.client.exceptions.TaskTimedOut:
                self.ledger.refused(token)  # timed out (or our lost first send was taken)
                return
            self.ledger.accepted(token)
            return


class Ledger:
    """What the workers saw, shared between their threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.deliveries: collections.Counter[int] = collections.Counter()
        self.tokens: collections.Counter[str] = collections.Counter()
        self.accepted_tokens: collections.Counter[str] = collections.Counter()
        self.refused_tokens: set[str] = set()

    def delivered(self, token: str, execution_id: int) -> None:
        with self._lock:
            self.deliveries[execution_id] += 1
            self.tokens[token] += 1

    def accepted(self, token: str) -> None:
        with self._lock:
            self.accepted_tokens[token] += 1

    def refused(self, token: str) -> None:
        with self._lock:
            self.refused_tokens.add(token)


def _status(sfn: Any, arn: str) -> str:
    return str(sfn.describe_execution(executionArn=arn)["status"])


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def test_kill_9_mid_flight_loses_nothing_and_runs_no_task_twice(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
    second: ServerProcess | None = None
    ledger = Ledger()
    workers: list[Worker] = []
    try:
        sfn = sfn_client(first)
        activity = sfn.create_activity(name="crash-work")["activityArn"]
        machine = sfn.create_state_machine(
            name="crash", definition=worked_definition(activity), roleArn=ROLE
        )["stateMachineArn"]
        waiter = sfn.create_state_machine(name="deadline", definition=DEADLINE, roleArn=ROLE)[
            "stateMachineArn"
        ]
        waits = [
            sfn.start_execution(stateMachineArn=waiter, name=f"wait-{i}")["executionArn"]
            for i in range(5)
        ]
        arns = {
            i: sfn.start_execution(
                stateMachineArn=machine, name=f"run-{i:03d}", input=json.dumps({"id": i})
            )["executionArn"]
            for i in range(EXECUTIONS)
        }
        workers = [Worker(first, activity, ledger) for _ in range(4)]
        for worker in workers:
            worker.start()
        wait_for(lambda: sum(ledger.accepted_tokens.values()) >= 10, timeout=60)

        first.kill()
        killed_at = time.time()
        done_before = sum(ledger.accepted_tokens.values())
        assert done_before < EXECUTIONS, "the kill came too late to test anything"

        second = ServerProcess(data_dir)
        second.port, second.gateway_port = first.port, first.gateway_port  # workers reconnect
        second.start()
        sfn = sfn_client(second)

        finished = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
        wait_for(
            lambda: all(_status(sfn, a) in finished for a in [*arns.values(), *waits]),
            timeout=120,
        )

        # every execution finished with the output of its own task
        for i, arn in arns.items():
            described = sfn.describe_execution(executionArn=arn)
            assert described["status"] == "SUCCEEDED", described
            assert json.loads(described["output"]) == {"id": i, "answer": i * 2}
            # activity tasks record Activity* events on AWS (Task* for other resources)
            types = [e["type"].replace("Activity", "Task", 1) for e in history(sfn, arn)]
            assert types.count("TaskSucceeded") == 1, types
            assert types.count("ExecutionStarted") == 1, types
            # handed out at most once per attempt; a new attempt only after a timeout
            attempts = types.count("TaskScheduled")
            assert attempts == 1 + types.count("TaskTimedOut"), types
            assert 1 <= ledger.deliveries[i] <= attempts, (i, types)
        assert all(count == 1 for count in ledger.tokens.values()), "a token delivered twice"
        assert all(count == 1 for count in ledger.accepted_tokens.values())

        # a Wait kept its deadline: it ended DEADLINE_WAIT_S after it began, which a timer
        # started again from zero by the new server (up after the kill) could not do
        for arn in waits:
            events = {e["type"]: e for e in history(sfn, arn)}
            entered = _epoch(events["WaitStateEntered"]["timestamp"])
            exited = _epoch(events["WaitStateExited"]["timestamp"])
            assert entered < killed_at, "the Wait began after the kill"
            assert exited >= entered + DEADLINE_WAIT_S
            assert exited < killed_at + DEADLINE_WAIT_S
            assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"

        # what was created before the crash is all there
        assert sfn.describe_activity(activityArn=activity)["name"] == "crash-work"
        assert sfn.describe_state_machine(stateMachineArn=machine)["name"] == "crash"
    finally:
        for worker in workers:
            worker.stopping.set()
        # SIGKILL again: a graceful stop would wait for the workers' 60 s long polls
        for server in (second, first):
            if server is not None and server.process and server.process.poll() is None:
                server.kill()
