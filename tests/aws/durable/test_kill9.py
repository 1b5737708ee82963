"""``kill -9`` of the server while durable executions are in flight.

Each execution runs a step, waits, waits for a callback, runs a second step and waits
again; the steps record each run (with its time) in a file. The server is killed with
SIGKILL while executions are at every stage, some callbacks having been answered just
before; a new server on the same data directory must finish every execution with the
right result, no step may run again after its StepSucceeded was recorded, no wait may
end before its scheduled time and no answered callback may be lost.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.durable.conftest import history, sdk_layer_zip
from tests.conftest import ROLE, ServerProcess, make_zip

HANDLER = """
import json, os, time
from aws_durable_execution_sdk_python import DurableContext, durable_execution
from aws_durable_execution_sdk_python.config import Duration

def record(i, step):
    with open(os.path.join(os.environ["SCRATCH"], f"runs-{i}"), "a") as out:
        out.write(f"{step} {time.time()}\\n")

def first(i):
    record(i, "first")
    return i

def second(i, answer):
    record(i, "second")
    return i * 10 + int(answer)

@durable_execution
def handler(event, context: DurableContext):
    i = event["i"]
    a = context.step(lambda _: first(i), name="first")
    context.wait(Duration.from_seconds(2), name="pause")
    answer = context.create_callback(name="approve").result()
    b = context.step(lambda _: second(a, json.loads(answer)), name="second")
    context.wait(Duration.from_seconds(1), name="settle")
    return b
"""


def _callbacks(lam: Any, arns: list[str], answered: set[str]) -> dict[str, str]:
    """Started, unanswered callbacks of suspended executions: ARN -> CallbackId."""
    found = {}
    for arn in arns:
        if arn in answered:
            continue
        events = history(lam, arn)
        for i, event in enumerate(events):
            if event["EventType"] == "CallbackStarted" and any(
                e["EventType"] == "InvocationCompleted" for e in events[i:]
            ):
                found[arn] = event["CallbackStartedDetails"]["CallbackId"]
    return found


def _wait_until(predicate: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def _run(tmp_path: Path, count: int) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    scratch.chmod(0o777)
    data_dir = tmp_path / "data"
    first_server = ServerProcess(data_dir).start()
    second_server: ServerProcess | None = None
    try:
        lam = first_server.client("lambda")
        layer = lam.publish_layer_version(
            LayerName="durable-sdk", Content={"ZipFile": sdk_layer_zip()}
        )["LayerVersionArn"]
        lam.create_function(
            FunctionName="kill9",
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})},
            Layers=[layer],
            Timeout=30,
            Environment={"Variables": {"SCRATCH": str(scratch)}},
            DurableConfig={"ExecutionTimeout": 600},
        )
        lam.get_waiter("function_active_v2").wait(FunctionName="kill9")
        arns = []
        for i in range(count):
            answer = lam.invoke(
                FunctionName="kill9:$LATEST",
                InvocationType="Event",
                Payload=json.dumps({"i": i}).encode(),
                DurableExecutionName=f"order-{i}",
            )
            arns.append(answer["DurableExecutionArn"])
        # Answer the callbacks of the first executions to get there, then kill at once.
        answered: set[str] = set()
        _wait_until(lambda: len(_callbacks(lam, arns, answered)) >= max(1, count // 3), 120)
        for arn, callback in _callbacks(lam, arns, answered).items():
            lam.send_durable_execution_callback_success(CallbackId=callback, Result=b'"7"')
            answered.add(arn)
        first_server.kill()

        second_server = ServerProcess(data_dir).start()
        lam = second_server.client("lambda")

        def all_answered() -> bool:
            for arn, callback in _callbacks(lam, arns, answered).items():
                lam.send_durable_execution_callback_success(CallbackId=callback, Result=b'"7"')
                answered.add(arn)
            return len(answered) == count

        _wait_until(all_answered, 180)

        def all_done() -> bool:
            statuses = [lam.get_durable_execution(DurableExecutionArn=a)["Status"] for a in arns]
            return all(status != "RUNNING" for status in statuses)

        _wait_until(all_done, 180)
        for i, arn in enumerate(arns):
            execution = lam.get_durable_execution(DurableExecutionArn=arn)
            assert execution["Status"] == "SUCCEEDED", (arn, execution.get("Error"))
            assert json.loads(execution["Result"]) == i * 10 + 7
            events = history(lam, arn)
            succeeded = {
                e["Name"]: e["EventTimestamp"].timestamp()
                for e in events
                if e["EventType"] == "StepSucceeded"
            }
            runs = [line.split() for line in (scratch / f"runs-{i}").read_text().splitlines()]
            for step, at in runs:
                # A run may repeat only before its success was recorded (at least once).
                assert float(at) <= succeeded[step] + 0.001, (arn, step, runs)
            assert [step for step, _ in runs].count("first") >= 1
            for event in events:
                if event["EventType"] == "WaitSucceeded":
                    started = next(
                        e
                        for e in events
                        if e["EventType"] == "WaitStarted" and e["Id"] == event["Id"]
                    )
                    scheduled = started["WaitStartedDetails"]["ScheduledEndTimestamp"]
                    assert event["EventTimestamp"] >= scheduled  # never early
            assert [e["EventType"] for e in events].count("CallbackSucceeded") == 1
    finally:
        first_server.stop()
        if second_server is not None:
            second_server.stop()


def test_kill_9_small(tmp_path: Path) -> None:
    _run(tmp_path, 6)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_kill_9_fifty_executions(tmp_path: Path) -> None:
    _run(tmp_path, 50)
