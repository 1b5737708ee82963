"""Durable functions: what durability costs per step, and executions started per second.

Through a real ``stratus up`` over HTTP, with AWS's durable execution SDK packaged as a
layer (the SDK is a test dependency: ``pip install -e .[test]``). Baselines are measured
in the same run:

- a durable execution of 100 ``context.step`` calls (each checkpointed through the
  Lambda API and committed before the SDK goes on) against the same 100 steps as plain
  function calls in a plain function, both invoked synchronously: the difference divided
  by 100 is the cost of durability per step;
- durable executions started per second (Event invokes, 8 client threads) against plain
  Event invokes per second of a plain function, the same way.
"""

from __future__ import annotations

import io
import json
import statistics
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench._report import Figure, Row, argument_parser, emit
from bench._server import lambda_client, stratus_server

ROLE = "arn:aws:iam::000000000000:role/bench"

DURABLE_STEPS = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    total = 0
    for i in range(event["steps"]):
        total = context.step(lambda _, t=total, i=i: t + i, name=f"s{i}")
    return total
"""

PLAIN_STEPS = """
def step(total, i):
    return total + i

def handler(event, context):
    total = 0
    for i in range(event["steps"]):
        total = step(total, i)
    return total
"""

DURABLE_ONE = """
from aws_durable_execution_sdk_python import DurableContext, durable_execution

@durable_execution
def handler(event, context: DurableContext):
    return context.step(lambda _: 1, name="one")
"""

PLAIN_ONE = "def handler(event, context):\n    return 1\n"


def _zip(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sdk_layer() -> bytes:
    import aws_durable_execution_sdk_python as sdk

    root = Path(sdk.__file__).parent
    files: dict[str, str | bytes] = {}
    for path in root.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"python/{root.name}/{path.relative_to(root)}"] = path.read_bytes()
    return _zip(files)


def create(client: Any, name: str, source: str, layer: str | None, durable: bool) -> None:
    extra: dict[str, Any] = {}
    if layer:
        extra["Layers"] = [layer]
    if durable:
        extra["DurableConfig"] = {"ExecutionTimeout": 900}
    client.create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": _zip({"app.py": source})},
        Timeout=120,
        **extra,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)


def sync_seconds(client: Any, name: str, payload: dict[str, Any], rounds: int) -> float:
    name = f"{name}:$LATEST"  # durable functions are invoked qualified (any function may be)
    client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        answer = client.invoke(FunctionName=name, Payload=json.dumps(payload).encode())
        body = answer["Payload"].read()
        times.append(time.perf_counter() - started)
        if "FunctionError" in answer:
            raise RuntimeError(f"{name} failed: {body!r}")
    return statistics.median(times)


def event_rate(client: Any, name: str, count: int, threads: int = 8) -> float:
    name = f"{name}:$LATEST"

    def one(i: int) -> None:
        answer = client.invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
        if answer["StatusCode"] != 202:
            raise RuntimeError(answer)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(threads)))  # warm connections
        started = time.perf_counter()
        list(pool.map(one, range(count)))
        return count / (time.perf_counter() - started)


def wait_all_done(client: Any, name: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        marker: dict[str, Any] = {}
        running = 0
        while True:
            page = client.list_durable_executions_by_function(
                FunctionName=name, Statuses=["RUNNING"], **marker
            )
            running += len(page["DurableExecutions"])
            if not page.get("NextMarker"):
                break
            marker = {"Marker": page["NextMarker"]}
        if running == 0:
            return
        time.sleep(0.5)
    raise RuntimeError("durable executions did not finish")


def measure(steps: int, rounds: int, starts: int) -> Figure:
    figure = Figure("durable", "Durable functions: cost per step, executions started per second")
    with stratus_server() as served:
        client = lambda_client(served.endpoint, max_pool_connections=16)
        layer = client.publish_layer_version(LayerName="sdk", Content={"ZipFile": sdk_layer()})
        layer_arn = layer["LayerVersionArn"]
        create(client, "durable-steps", DURABLE_STEPS, layer_arn, durable=True)
        create(client, "plain-steps", PLAIN_STEPS, None, durable=False)
        create(client, "durable-one", DURABLE_ONE, layer_arn, durable=True)
        create(client, "plain-one", PLAIN_ONE, None, durable=False)
        durable_s = sync_seconds(client, "durable-steps", {"steps": steps}, rounds)
        plain_s = sync_seconds(client, "plain-steps", {"steps": steps}, rounds)
        durable_rate = event_rate(client, "durable-one", starts)
        plain_rate = event_rate(client, "plain-one", starts)
        wait_all_done(client, "durable-one")
    figure.add(
        Row(
            f"durable execution of {steps} steps: wall time (sync invoke)",
            durable_s * 1000,
            "ms",
            f"the same {steps} steps as plain calls in a plain function",
            plain_s * 1000,
        )
    )
    figure.add(
        Row(
            "durability cost per step (checkpoint over the Lambda API, committed)",
            (durable_s - plain_s) / steps * 1000,
            "ms",
        )
    )
    figure.add(
        Row(
            f"durable executions started/s (Event invoke, {starts}, 8 threads)",
            durable_rate,
            "/s",
            "plain Event invokes/s, the same way",
            plain_rate,
        )
    )
    figure.notes.append(
        "each step is one CheckpointDurableExecution call from the function (the SDK batches "
        "the step's START with its SUCCEED and waits for the answer), committed to SQLite "
        "(group commit) before it is answered; the rest of a step's cost is the SDK's boto3 "
        "call inside the function"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--starts", type=int, default=200)
    args = parser.parse_args()
    emit(measure(args.steps, args.rounds, args.starts), args.json)


if __name__ == "__main__":
    main()
