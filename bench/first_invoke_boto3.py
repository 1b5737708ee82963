"""Create + first invoke of a fresh function through boto3 over HTTP: what users see.

Figure (the issue's comparison): MiniStack answered a first invoke in about 160 ms through
boto3 on this machine kind; we aim for more than ten times faster. Against
``python -m stratus up`` (free ports, temporary data directory), for each of ``--functions``
fresh hello-world functions: ``create_function`` (until it is Active), then the first
``invoke`` (a cold start: fork from the zygote, import the handler, run it), then one warm
``invoke`` of the same function.

Baselines measured in the same run:

- the warm invoke through the same boto3 client (so first - warm is what a cold start adds
  on top of HTTP, boto3 and the protocol layer);
- a fresh ``python -c`` that imports the same handler and calls it: what a platform that
  starts an interpreter per environment pays before any HTTP at all.

    python -m bench.first_invoke_boto3 [--functions 30] [--json PATH]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench._platform import HELLO_SOURCE, ROLE, zip_of
from bench._report import Figure, Row, argument_parser, emit, percentile
from bench._server import create_active, invoke_ms, lambda_client, stratus_server

MINISTACK_FIRST_MS = 160.0  # issue 3: MiniStack's first invoke through boto3, this machine kind

BASELINE = "import sys; sys.path.insert(0, {code!r}); import app; app.handler({{}}, None)"


def fresh_python_ms(runs: int) -> list[float]:
    """A fresh interpreter per call: import the handler, call it once, exit."""
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as code:
        Path(code, "app.py").write_text(HELLO_SOURCE)
        argv = [sys.executable, "-c", BASELINE.format(code=code)]
        env = dict(os.environ, AWS_REGION="us-east-1")
        times = []
        for _ in range(runs):
            start = time.perf_counter_ns()
            subprocess.run(argv, env=env, check=True)
            times.append((time.perf_counter_ns() - start) / 1e6)
    return times


def first_invokes(endpoint: str, functions: int) -> dict[str, list[float]]:
    """Milliseconds of create, first invoke and a warm invoke, per fresh function."""
    client = lambda_client(endpoint)
    package = zip_of(HELLO_SOURCE)
    times: dict[str, list[float]] = {"create": [], "first": [], "warm": []}

    # One function first, unmeasured: it starts the zygote, which a running server has.
    warmup = f"bench-first-warmup-{uuid.uuid4().hex[:6]}"
    create_active(client, warmup, package, ROLE)
    invoke_ms(client, warmup)
    for i in range(functions):
        name = f"bench-first-{i}-{uuid.uuid4().hex[:6]}"
        start = time.perf_counter_ns()
        create_active(client, name, package, ROLE)
        times["create"].append((time.perf_counter_ns() - start) / 1e6)
        times["first"].append(invoke_ms(client, name))
        times["warm"].append(invoke_ms(client, name))
    return times


def measure(functions: int, baseline_runs: int) -> Figure:
    with stratus_server() as stratus:
        times = first_invokes(stratus.endpoint, functions)
    fresh = fresh_python_ms(baseline_runs)
    figure = Figure("first_invoke_boto3", "Create + first invoke through boto3 over HTTP")
    target_ms = MINISTACK_FIRST_MS / 10
    first50, first99 = percentile(times["first"], 0.5), percentile(times["first"], 0.99)
    warm50, warm99 = percentile(times["warm"], 0.5), percentile(times["warm"], 0.99)
    fresh50, fresh99 = percentile(fresh, 0.5), percentile(fresh, 0.99)
    figure.add(
        Row(
            "first invoke p50",
            first50,
            "ms",
            "fresh python -c",
            fresh50,
            target=f"p50 < {target_ms:.0f} ms (MiniStack ~{MINISTACK_FIRST_MS:.0f} ms / 10)",
            met=first50 < target_ms,
        )
    )
    figure.add(Row("first invoke p99", first99, "ms", "fresh python -c", fresh99))
    figure.add(Row("first invoke p50 vs warm invoke", first50, "ms", "warm p50", warm50))
    figure.add(Row("first invoke p99 vs warm invoke", first99, "ms", "warm p99", warm99))
    totals = [c + f for c, f in zip(times["create"], times["first"], strict=True)]
    figure.add(Row("create_function p50", percentile(times["create"], 0.5), "ms"))
    figure.add(Row("create_function p99", percentile(times["create"], 0.99), "ms"))
    figure.add(
        Row("create + first invoke p50", percentile(totals, 0.5), "ms", "fresh python -c", fresh50)
    )
    figure.add(
        Row("create + first invoke p99", percentile(totals, 0.99), "ms", "fresh python -c", fresh99)
    )
    figure.notes.append(
        f"{functions} fresh functions, one boto3 client, after one unmeasured function that "
        f"starts the zygote; fresh python -c over {baseline_runs} runs"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--functions", type=int, default=30)
    parser.add_argument("--baseline-runs", type=int, default=15)
    args = parser.parse_args()
    if args.functions < 2 or args.baseline_runs < 1:
        parser.error("--functions must be >= 2 and --baseline-runs >= 1")
    emit(measure(args.functions, args.baseline_runs), args.json)


if __name__ == "__main__":
    main()
