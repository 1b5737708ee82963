"""Warm invoke overhead through the Python API, against a direct call of the same handler.

Figure (issue 3): "warm invoke overhead: invoke through the runtime's Python API minus a
direct in-process call of the handler. Target: p50 under 100 microseconds."

An in-process ``Platform`` (the real composition root, on a temporary data directory)
serves a hello-world function. Four layers are timed:

- ``Invocations.invoke``: the service call the Lambda adapter makes (payload checks,
  routing, spec lookup, the invoker);
- ``Invoker.invoke``: concurrency, pool, timeout, logs and metrics around the environment,
  with the platform's log sink (log lines appended to the SQLite store);
- ``Invoker.invoke, logs discarded``: a second Invoker built the same way on the same
  factory but with no log sink, so the difference is what persisting logs costs;
- ``ExecutionEnvironment.invoke``: one IPC round trip to a warm worker process, nothing else.

Each layer is timed in blocks, the blocks alternating over several rounds so that drift
(CPU frequency, other load on the machine) hits them alike while each block sees only
its own background work (interleaving single calls would charge the upper layers' log
commits, done by the store's writer thread, to the lower ones). Subtracting neighbouring
layers shows where the overhead goes. The baseline is the same handler called directly
in this process. The loop is uvloop, as ``stratus up`` runs it.

    python -m bench.warm_invoke [--runs 3000] [--json PATH]
"""

from __future__ import annotations

import asyncio
import gc
import time
import uuid
from collections.abc import Awaitable, Callable

from bench._platform import HELLO_SOURCE, create_function, hello_handler, running_platform
from bench._report import Figure, Row, argument_parser, emit, percentile
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.platform import Platform
from stratus.runtime.environment import FunctionSpec, InvokeRequest, LaunchConfig
from stratus.runtime.invoker import Invoker
from stratus.runtime.lambda_env import PlatformEnv, lambda_environment, log_stream_name
from stratus.services.functions.names import function_arn

TARGET_US = 100.0
ROUNDS = 5
NAME = "bench-warm"


def _request(arn: str) -> InvokeRequest:
    return InvokeRequest(
        request_id=str(uuid.uuid4()),
        payload=b"{}",
        invoked_function_arn=arn,
        deadline_epoch_ms=time.time() * 1000 + 30_000,
    )


def direct_us(runs: int) -> list[float]:
    """The baseline: the handler called in this process, as a test would call it."""
    handler = hello_handler()
    assert callable(handler)
    event: dict[str, object] = {}
    for _ in range(1000):
        handler(event, None)
    times = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        handler(event, None)
        times.append((time.perf_counter_ns() - start) / 1000)
    return times


async def layered_us(platform: Platform, runs: int) -> dict[str, tuple[list[float], float]]:
    """Time each layer in alternating blocks.

    Returns, per layer, the wall microseconds of every call and the mean CPU microseconds
    per call of this whole process (the loop, and the store's writer thread committing
    log lines): CPU is the steadier figure when other work shares the machine.
    """
    config = await create_function(platform, NAME, HELLO_SOURCE)
    spec = await platform.component(FunctionsComponent).invocations.spec_for(config)
    platform_env = PlatformEnv(
        region=platform.config.region, endpoint_url=platform.config.endpoint_url
    )

    def launch_for(spec: FunctionSpec) -> LaunchConfig:
        tmp_dir = platform.config.data_dir / "tmp" / f"bench-{uuid.uuid4().hex}"
        tmp_dir.mkdir(parents=True)
        env = lambda_environment(spec, platform_env, log_stream=log_stream_name(spec.version))
        return LaunchConfig(spec, env, str(tmp_dir))

    quiet_invoker = Invoker(
        lambda _spec: platform.component(FunctionsComponent).factory,
        launch_for,
        platform.config.limits,
    )
    raw_env = await platform.component(FunctionsComponent).factory.create(launch_for(spec))

    async def through_invocations() -> None:
        response = await platform.component(FunctionsComponent).invocations.invoke(
            function_arn(platform.config.region, NAME), None, b"{}"
        )
        if response.function_error:
            raise RuntimeError(response.payload.decode())

    async def through_invoker() -> None:
        result = await platform.component(FunctionsComponent).invoker.invoke(
            spec, _request(config.arn)
        )
        if result.function_error:
            raise RuntimeError(result.payload.decode())

    async def through_quiet_invoker() -> None:
        result = await quiet_invoker.invoke(spec, _request(config.arn))
        if result.function_error:
            raise RuntimeError(result.payload.decode())

    async def through_environment() -> None:
        outcome = await raw_env.invoke(_request(config.arn))
        if outcome.error_type:
            raise RuntimeError(outcome.payload.decode())

    layers: dict[str, Callable[[], Awaitable[None]]] = {
        "Invocations.invoke": through_invocations,
        "Invoker.invoke": through_invoker,
        "Invoker.invoke, logs discarded": through_quiet_invoker,
        "ExecutionEnvironment.invoke": through_environment,
    }
    times: dict[str, list[float]] = {label: [] for label in layers}
    cpu_us = dict.fromkeys(layers, 0.0)
    try:
        for _ in range(300):  # warm the pool, the worker and the code paths
            for call in layers.values():
                await call()
        gc.collect()
        for _ in range(ROUNDS):
            for label, call in layers.items():
                for _ in range(50):  # let the previous block's background work settle
                    await call()
                cpu_start = time.process_time()
                for _ in range(runs // ROUNDS):
                    start = time.perf_counter_ns()
                    await call()
                    times[label].append((time.perf_counter_ns() - start) / 1000)
                cpu_us[label] += (time.process_time() - cpu_start) * 1e6 / (runs // ROUNDS)
    finally:
        raw_env.kill()
        await raw_env.wait_closed()
        quiet_invoker.close()
    return {label: (values, cpu_us[label] / ROUNDS) for label, values in times.items()}


async def commits_per_invoke(platform: Platform, runs: int) -> float:
    """Store commits per sequential warm invoke: the log lines' share of the writer's work."""
    before = platform.db.statistics().commits
    for _ in range(runs):
        await platform.component(FunctionsComponent).invocations.invoke(
            function_arn(platform.config.region, NAME), None, b"{}"
        )
    return (platform.db.statistics().commits - before) / runs


async def measure(runs: int) -> Figure:
    direct = direct_us(runs)
    async with running_platform() as platform:
        layers = await layered_us(platform, runs)
        commits = await commits_per_invoke(platform, 500)
    d50, d99 = percentile(direct, 0.5), percentile(direct, 0.99)
    figure = Figure("warm_invoke", "Warm invoke overhead (Python API, hello world)")
    service, _ = layers["Invocations.invoke"]
    s50, s99 = percentile(service, 0.5), percentile(service, 0.99)
    figure.add(
        Row(
            "overhead p50: Invocations.invoke - direct call",
            s50 - d50,
            "us",
            target=f"p50 < {TARGET_US:.0f} us",
            met=s50 - d50 < TARGET_US,
        )
    )
    figure.add(Row("overhead p99: Invocations.invoke - direct call", s99 - d99, "us"))
    for label, (values, cpu_per_call) in layers.items():
        figure.add(Row(f"{label} p50", percentile(values, 0.5), "us", "direct call", d50))
        figure.add(Row(f"{label} p99", percentile(values, 0.99), "us", "direct call", d99))
        figure.add(Row(f"{label}: CPU per call (server process)", cpu_per_call, "us"))
    p50 = {label: percentile(values, 0.5) for label, (values, _) in layers.items()}
    cpu = {label: cpu_per_call for label, (_, cpu_per_call) in layers.items()}
    for what, upper, lower in (
        ("Invocations (service) above the Invoker", "Invocations.invoke", "Invoker.invoke"),
        (
            "persisting logs (Invoker minus Invoker without logs)",
            "Invoker.invoke",
            "Invoker.invoke, logs discarded",
        ),
        (
            "the Invoker's policies, logs discarded, above one IPC round trip",
            "Invoker.invoke, logs discarded",
            "ExecutionEnvironment.invoke",
        ),
    ):
        figure.add(Row(f"p50 spent in {what}", p50[upper] - p50[lower], "us"))
        figure.add(Row(f"CPU spent in {what}", cpu[upper] - cpu[lower], "us"))
    figure.add(Row("SQLite commits per sequential invoke (log lines)", commits, "commits"))
    figure.notes.append(
        f"{runs} warm invokes per layer in {ROUNDS} alternating blocks, uvloop; direct call "
        f"of the same handler p50 {d50:.2f} us, p99 {d99:.2f} us"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=3000)
    args = parser.parse_args()
    if args.runs < 10:
        parser.error("--runs must be at least 10")
    try:
        import uvloop

        figure = uvloop.run(measure(args.runs))
    except ImportError:  # pragma: no cover - platforms without uvloop
        figure = asyncio.run(measure(args.runs))
    emit(figure, args.json)


if __name__ == "__main__":
    main()
