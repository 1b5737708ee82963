"""Server CPU per warm invoke: the figure the throughput targets of issues 7, 8 and 9 hang on.

Wall-clock latency on a shared 2-core machine moves by tens of percent with the other
work on it; CPU time spent per invocation moves much less, and it is what bounds
throughput once the cores are busy. An in-process ``Platform`` (the real composition
root, uvloop, the real log sink and store writer) serves a hello-world function from a
real worker process; warm invokes run in a loop through ``Invocations.invoke`` in blocks,
and per invoke the script reports:

- the event loop thread's CPU (``time.thread_time``): what the service, the invoker, the
  environment's IPC and the log sink cost on the loop;
- the whole server process's CPU (``time.process_time``): the loop plus the store's
  writer thread committing the log lines;
- the worker's CPU (from ``/proc``): its share, including its poll for the next event;
- wall p50, for orientation only.

Each figure is the median over blocks, at concurrency 1 (one invoke after the other) and 8
(8 invokes at once on 8 warm environments: the shape of an event source mapping's batches
or a busy URL). ``--profile PATH`` also writes a cProfile of the loop per level (for
``pstats``).

    python -m bench.hot_path [--runs 4000] [--blocks 8] [--concurrency 1,8] [--json PATH]
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import os
import statistics
import time

from bench._platform import HELLO_SOURCE, create_function, running_platform
from bench._report import Figure, Row, argument_parser, emit, percentile
from stratus.aws.lambda_.component import FunctionsComponent
from stratus.services.functions.names import function_arn

NAME = "bench-hot-path"
_TICKS = os.sysconf("SC_CLK_TCK")


def _worker_cpu_s(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(b")") + 2 :].split()
        total += (int(fields[11]) + int(fields[12])) / _TICKS
    return total


def _worker_pids(component: FunctionsComponent) -> list[int]:
    pids = []
    for pool in component.invoker.pools().values():
        for env in [*pool.busy(), *(e for e, _ in getattr(pool, "_idle", []))]:
            pid = getattr(env, "pid", None)
            if pid is not None:
                pids.append(pid)
    return pids


async def measure(runs: int, blocks: int, concurrencies: list[int], profile: str | None) -> Figure:
    figure = Figure("hot_path", "Server CPU per warm invoke (Invocations.invoke, hello world)")
    async with running_platform() as platform:
        await create_function(platform, NAME, HELLO_SOURCE)
        component = platform.component(FunctionsComponent)
        invocations = component.invocations
        arn = function_arn(platform.config.region, NAME)

        async def one() -> None:
            response = await invocations.invoke(arn, None, b'{"key": "value"}')
            if response.function_error:
                raise RuntimeError(response.payload.decode())

        async def batch(n: int, concurrency: int) -> list[float]:
            times = []
            if concurrency == 1:
                for _ in range(n):
                    start = time.perf_counter_ns()
                    await one()
                    times.append((time.perf_counter_ns() - start) / 1000)
                return times
            for _ in range(n // concurrency):
                start = time.perf_counter_ns()
                await asyncio.gather(*(one() for _ in range(concurrency)))
                times.append((time.perf_counter_ns() - start) / 1000)
            return times

        for concurrency in concurrencies:
            await batch(max(300, 2 * concurrency), concurrency)  # environments, code warm
            await asyncio.sleep(0.2)
            pids = _worker_pids(component)
            per_block = runs // blocks
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                await batch(runs, concurrency)
                profiler.disable()
                profiler.dump_stats(f"{profile}.{concurrency}")
            loop_us, process_us, worker_us, walls = [], [], [], []
            for _ in range(blocks):
                gc.collect()
                await batch(50, concurrency)
                await asyncio.sleep(0.06)  # the log sink's flush of the warm-up, outside
                t0, p0, w0 = time.thread_time(), time.process_time(), _worker_cpu_s(pids)
                walls += await batch(per_block, concurrency)
                await asyncio.sleep(0.06)  # this block's own log flush, inside it
                t1, p1, w1 = time.thread_time(), time.process_time(), _worker_cpu_s(pids)
                done = per_block // concurrency * concurrency
                loop_us.append((t1 - t0) * 1e6 / done)
                process_us.append((p1 - p0) * 1e6 / done)
                worker_us.append((w1 - w0) * 1e6 / done)
            at = f"concurrency {concurrency}"
            for label, values in (
                ("event loop CPU per invoke", loop_us),
                ("server process CPU per invoke (loop + log writer)", process_us),
                ("worker CPU per invoke", worker_us),
            ):
                figure.add(Row(f"{at}: {label}", statistics.median(values), "us"))
            label = "wall p50 per invoke" if concurrency == 1 else f"wall p50 per {concurrency}"
            figure.add(Row(f"{at}: {label}", percentile(walls, 0.5), "us"))
            figure.notes.append(
                f"{at}: {blocks} blocks of {per_block} invokes, medians of the blocks; loop "
                f"CPU per block: {', '.join(f'{v:.1f}' for v in loop_us)}"
            )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--blocks", type=int, default=8)
    parser.add_argument("--concurrency", default="1,8", help="comma-separated levels")
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    import uvloop

    levels = [int(level) for level in args.concurrency.split(",")]
    figure = uvloop.run(measure(args.runs, args.blocks, levels, args.profile))
    emit(figure, args.json)


if __name__ == "__main__":
    main()
