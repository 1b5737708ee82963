"""Scale-out: 50 concurrent invocations of a cold function that sleeps 100 ms.

Figure (issue 3): "time for 50 concurrent invocations of a cold function that sleeps
100 ms (the ideal is 100 ms plus 50 cold starts spread over 2 cores)".

Through the Python API of an in-process ``Platform``: a fresh function (no environment
yet) gets 50 invocations at once with ``asyncio.gather``, so the pool must start 50
environments. The baseline is the ideal computed from a single cold start measured in
the same run (the first invoke of fresh hello-world functions, median):
``100 ms + 50 * cold_start / cores``. The same burst sent again, now warm, shows what is
left once no environment has to start.

    python -m bench.scale_out [--concurrency 50] [--rounds 3] [--json PATH]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

from bench._platform import HELLO_SOURCE, SLEEP_SOURCE, create_function, running_platform
from bench._report import Figure, Row, argument_parser, emit, percentile
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.platform import Platform

SLEEP_MS = 100.0


async def single_cold_start_ms(platform: Platform, samples: int) -> list[float]:
    """First invoke of fresh hello-world functions: one cold start each."""
    times = []
    for _ in range(samples):
        name = f"bench-cold-{uuid.uuid4().hex[:8]}"
        name = (await create_function(platform, name, HELLO_SOURCE)).arn
        start = time.perf_counter_ns()
        response = await platform.component(FunctionsComponent).invocations.invoke(
            name, None, b"{}"
        )
        times.append((time.perf_counter_ns() - start) / 1e6)
        if response.function_error:
            raise RuntimeError(response.payload.decode())
    return times


async def burst_ms(platform: Platform, name: str, concurrency: int) -> float:
    """Wall time of ``concurrency`` invocations of ``name`` sent at once."""
    start = time.perf_counter_ns()
    responses = await asyncio.gather(
        *(
            platform.component(FunctionsComponent).invocations.invoke(name, None, b"{}")
            for _ in range(concurrency)
        )
    )
    elapsed = (time.perf_counter_ns() - start) / 1e6
    failed = [r for r in responses if r.function_error]
    if failed:
        raise RuntimeError(f"{len(failed)} invocations failed: {failed[0].payload.decode()}")
    return elapsed


async def measure(concurrency: int, rounds: int) -> Figure:
    cores = len(os.sched_getaffinity(0))
    cold_walls, warm_walls, cold_counts = [], [], []
    async with running_platform() as platform:
        await single_cold_start_ms(platform, 2)  # start the zygote, unmeasured
        cold = await single_cold_start_ms(platform, 9)
        for _ in range(rounds):
            name = f"bench-scale-{uuid.uuid4().hex[:8]}"
            name = (await create_function(platform, name, SLEEP_SOURCE)).arn
            cold_walls.append(await burst_ms(platform, name, concurrency))
            cold_counts.append(
                platform.component(FunctionsComponent).invoker.metrics.of(name).cold_starts
            )
            warm_walls.append(await burst_ms(platform, name, concurrency))
    cold_ms = statistics.median(cold)
    ideal = SLEEP_MS + concurrency * cold_ms / cores
    figure = Figure(
        "scale_out",
        f"Scale-out: {concurrency} concurrent invocations of a cold "
        f"function sleeping {SLEEP_MS:.0f} ms (Python API)",
    )
    wall = statistics.median(cold_walls)
    figure.add(
        Row(
            f"wall time, {concurrency} cold (median of {rounds})",
            wall,
            "ms",
            "ideal",
            ideal,
            target="the ideal: 100 ms + N cold starts / cores",
        )
    )
    figure.add(
        Row(
            f"wall time, {concurrency} cold (worst of {rounds})",
            max(cold_walls),
            "ms",
            "ideal",
            ideal,
        )
    )
    figure.add(
        Row(
            f"wall time, {concurrency} warm (median)",
            statistics.median(warm_walls),
            "ms",
            "sleep alone",
            SLEEP_MS,
        )
    )
    figure.add(Row("single cold start p50 (first invoke, hello)", cold_ms, "ms"))
    figure.add(Row("single cold start p99 (first invoke, hello)", percentile(cold, 0.99), "ms"))
    figure.notes.append(
        f"ideal = {SLEEP_MS:.0f} ms + {concurrency} x {cold_ms:.2f} ms / {cores} cores = "
        f"{ideal:.1f} ms; environments started per cold burst: {cold_counts}"
    )
    if any(count != concurrency for count in cold_counts):
        figure.notes.append(
            "a cold burst started fewer environments than invocations: "
            "some invocations waited for a busy one instead"
        )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.concurrency < 1 or args.rounds < 1:
        parser.error("--concurrency and --rounds must be >= 1")
    try:
        import uvloop

        figure = uvloop.run(measure(args.concurrency, args.rounds))
    except ImportError:  # pragma: no cover - platforms without uvloop
        figure = asyncio.run(measure(args.concurrency, args.rounds))
    emit(figure, args.json)


if __name__ == "__main__":
    main()
