"""State transitions per second, executions started per second, and a 10,000-item Map.

Through the Python API of an in-process platform (``bench._platform``): what a server
runs, minus HTTP. Baselines are measured in the same run:

- a chain of 1,000 Pass states (STANDARD: every step committed to SQLite before it is
  acted on; EXPRESS: in memory) against the same chain as a plain Python loop of dict
  copies, the least any interpreter must do per state;
- StartExecution of a one-state machine, many at once, against the pure interpreter's
  ``start_execution`` with no IO;
- a Map of 10,000 items whose iteration is a Lambda task (MaxConcurrency 0; inline Maps
  run at most 40 iterations at once, as on AWS) against the same 10,000 invokes made
  directly through the runtime, 40 at a time.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

from bench._platform import ROLE, create_function, running_platform
from bench._report import Figure, Row, argument_parser, emit
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.aws.stepfunctions.component import WorkflowsComponent
from stratus.platform import Platform
from stratus.services.functions.names import function_arn
from stratus.services.scope import Scope
from stratus.workflows.definition import parse_definition
from stratus.workflows.interpreter import ExecutionStart, start_execution

DOUBLE_SOURCE = "def handler(event, context):\n    return event * 2\n"


def chain(length: int) -> dict[str, Any]:
    states: dict[str, Any] = {}
    for i in range(length):
        state: dict[str, Any] = {"Type": "Pass", "ResultPath": f"$.s{i % 8}", "Result": i}
        if i + 1 < length:
            state["Next"] = f"S{i + 1}"
        else:
            state["End"] = True
        states[f"S{i}"] = state
    return {"StartAt": "S0", "States": states}


def dict_copy_loop(length: int) -> float:
    """The baseline: one dict copy and one assignment per state, timed."""
    data: dict[str, Any] = {"id": 1}
    started = time.perf_counter()
    for i in range(length):
        data = dict(data)
        data[f"s{i % 8}"] = i
    return time.perf_counter() - started


SCOPE = Scope(account="000000000000", region="us-east-1")  # the default account


async def run_machine(platform: Platform, arn: str, payload: Any) -> dict[str, Any]:
    record = await platform.component(WorkflowsComponent).executions.start(
        arn, None, json.dumps(payload), scope=SCOPE
    )
    return await platform.component(WorkflowsComponent).executions.wait(record["arn"])


async def transitions(platform: Platform, kind: str, length: int, rounds: int) -> float:
    machine = await platform.component(WorkflowsComponent).state_machines.create(
        f"chain-{kind.lower()}", json.dumps(chain(length)), ROLE, scope=SCOPE, type=kind
    )
    await run_machine(platform, machine.arn, {"id": 1})  # warm caches
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        record = await run_machine(platform, machine.arn, {"id": 1})
        seconds.append(time.perf_counter() - started)
        assert record["status"] == "SUCCEEDED", record
    return length / statistics.median(seconds)


async def starts(platform: Platform, count: int) -> tuple[float, float]:
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    machine = await platform.component(WorkflowsComponent).state_machines.create(
        "tiny", json.dumps(definition), ROLE, scope=SCOPE
    )
    started = time.perf_counter()
    records = await asyncio.gather(
        *(
            platform.component(WorkflowsComponent).executions.start(
                machine.arn, None, '{"n": 1}', scope=SCOPE
            )
            for _ in range(count)
        )
    )
    api_rate = count / (time.perf_counter() - started)
    for record in records:
        await platform.component(WorkflowsComponent).executions.wait(record["arn"])
    compiled = parse_definition(definition)
    started = time.perf_counter()
    for i in range(count):
        start_execution(compiled, ExecutionStart(at=time.time(), input={"n": 1}, name=str(i)))
    core_rate = count / (time.perf_counter() - started)
    return api_rate, core_rate


async def big_map(platform: Platform, items: int) -> tuple[float, float]:
    await create_function(platform, "double", DOUBLE_SOURCE)
    definition = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "MaxConcurrency": 0,
                "ItemProcessor": {
                    "StartAt": "T",
                    "States": {
                        "T": {
                            "Type": "Task",
                            "Resource": "arn:aws:lambda:us-east-1:000000000000:function:double",
                            "End": True,
                        }
                    },
                },
                "End": True,
            }
        },
    }
    # EXPRESS: an inline Map of 10,000 items writes more than the 25,000 history events
    # a STANDARD execution may have, and fails there, as on AWS.
    machine = await platform.component(WorkflowsComponent).state_machines.create(
        "big-map", json.dumps(definition), ROLE, scope=SCOPE, type="EXPRESS"
    )
    started = time.perf_counter()
    record = await run_machine(platform, machine.arn, list(range(items)))
    map_s = time.perf_counter() - started
    assert record["status"] == "SUCCEEDED", record.get("cause")
    assert record["output"][-1] == (items - 1) * 2

    limit = asyncio.Semaphore(40)

    async def one(i: int) -> None:
        async with limit:
            await platform.component(FunctionsComponent).invocations.invoke(
                function_arn(platform.config.region, "double"), None, str(i).encode()
            )

    started = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(items)))
    direct_s = time.perf_counter() - started
    return map_s, direct_s


async def measure(length: int, rounds: int, count: int, items: int) -> Figure:
    figure = Figure("workflow_transitions", "Workflows: transitions, starts and a big Map")
    baseline = length / statistics.median(dict_copy_loop(length) for _ in range(rounds))
    async with running_platform() as platform:
        standard = await transitions(platform, "STANDARD", length, rounds)
        express = await transitions(platform, "EXPRESS", length, rounds)
        api_rate, core_rate = await starts(platform, count)
        map_s, direct_s = await big_map(platform, items) if items else (0.0, 0.0)
    figure.add(
        Row(
            f"STANDARD transitions/s ({length} Pass states, durable)",
            standard,
            "/s",
            "dict-copy loop",
            baseline,
            "> 5,000/s",
            standard > 5000,
        )
    )
    figure.add(
        Row(
            f"EXPRESS transitions/s ({length} Pass states)",
            express,
            "/s",
            "dict-copy loop",
            baseline,
            "> 50,000/s",
            express > 50000,
        )
    )
    figure.add(
        Row(
            f"executions started/s ({count} at once, STANDARD, durable)",
            api_rate,
            "/s",
            "interpreter start, no IO",
            core_rate,
        )
    )
    if items:
        figure.add(
            Row(
                f"Map of {items:,} items, Lambda task: wall time",
                map_s * 1000,
                "ms",
                "same invokes direct, 40 at a time",
                direct_s * 1000,
            )
        )
    figure.notes.append(
        "a chain of Pass states needs no IO between states, so a STANDARD execution commits "
        "its whole history in one group commit before completing; every transition is "
        "durable before the execution is acknowledged as finished"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--starts", type=int, default=500)
    parser.add_argument("--items", type=int, default=10000)
    args = parser.parse_args()
    try:
        import uvloop

        figure = uvloop.run(measure(args.length, args.rounds, args.starts, args.items))
    except ImportError:  # pragma: no cover
        figure = asyncio.run(measure(args.length, args.rounds, args.starts, args.items))
    emit(figure, args.json)


if __name__ == "__main__":
    main()
