"""Cold start of a function: create an environment -> first response, through the Python API.

Baseline, measured in the same run: a fresh ``python3 -c`` that imports the handler and
calls it once (what starting an interpreter per environment would cost). The warm invoke
overhead is ``bench/warm_invoke.py``'s figure.

    python -m bench.cold_start [--runs 50] [--json PATH]
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Figure, Row, argument_parser, emit, percentile
from stratus.runtime.environment import FunctionSpec, InvokeRequest, LaunchConfig
from stratus.runtime.local.factory import LocalEnvironmentFactory

HELLO = "def handler(event, context):\n    return {'hello': 'world'}\n"
BOTO3 = (
    "import boto3\n"
    "client = boto3.client('s3')\n"
    "def handler(event, context):\n"
    "    return {'region': client.meta.region_name}\n"
)
FUNCTION_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
}


def write_function(root: Path, name: str, source: str) -> str:
    code = root / name
    code.mkdir(parents=True, exist_ok=True)
    (code / "app.py").write_text(source)
    return str(code)


def launch(code_dir: str, tmp_dir: str, *, snapshot: bool = False) -> LaunchConfig:
    name = "bench-" + uuid.uuid4().hex[:6]
    spec = FunctionSpec(
        function_name=name,
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:" + name,
        version="$LATEST",
        runtime="python3.11",
        handler="app.handler",
        code_dir=code_dir,
        code_sha256="bench",
        snapshot=snapshot,
    )
    return LaunchConfig(spec=spec, env=dict(FUNCTION_ENV), tmp_dir=tmp_dir)


def request() -> InvokeRequest:
    return InvokeRequest(
        request_id=str(uuid.uuid4()),
        payload=b'{"key": "value"}',
        invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:bench",
        deadline_epoch_ms=time.time() * 1000 + 3000,
    )


BASELINE = (
    "import sys; sys.path.insert(0, {code!r}); import app; app.handler({{'key': 'value'}}, None)"
)


def baseline_ms(code_dir: str, runs: int) -> list[float]:
    env = dict(os.environ, **FUNCTION_ENV)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", BASELINE.format(code=code_dir)], env=env, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def cold_ms(
    factory: LocalEnvironmentFactory, code_dir: str, tmp: Path, runs: int, snapshot: bool
) -> list[float]:
    times = []
    for i in range(runs):
        config = launch(code_dir, str(tmp / f"t{i}"), snapshot=snapshot)
        if snapshot:  # every run is the same function version: one template
            config = type(config)(
                spec=_SNAP_SPEC.setdefault(code_dir, config.spec),
                env=config.env,
                tmp_dir=config.tmp_dir,
            )
        start = time.perf_counter()
        env = await factory.create(config)
        await env.invoke(request())
        times.append((time.perf_counter() - start) * 1000)
        env.kill()
        await env.wait_closed()
        await asyncio.sleep(SPACING_S)
    return times


_SNAP_SPEC: dict[str, FunctionSpec] = {}

#: Independent first invokes do not arrive within microseconds of each other; bursts of
#: cold starts are bench/scale_out.py's figure. The pause also lets the zygote ready its
#: spare child, as it does between cold starts in a running server.
SPACING_S = 0.025


def add_cold(
    figure: Figure,
    label: str,
    ours: list[float],
    base: list[float],
    target: str,
    limit_ms: float | None,
    min_speedup: float | None = None,
) -> None:
    p50 = percentile(ours, 0.5)
    b50 = percentile(base, 0.5)
    met = None if limit_ms is None else p50 < limit_ms
    if met is not None and min_speedup is not None:
        met = met and b50 / p50 >= min_speedup
    figure.add(
        Row(
            f"{label}: p50",
            p50,
            "ms",
            "fresh python -c p50",
            b50,
            target,
            met,
        )
    )
    figure.add(Row(f"{label}: p95", percentile(ours, 0.95), "ms"))


async def measure(runs: int) -> Figure:
    figure = Figure("cold_start", "Cold start: create -> first response (Python API)")
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        hello = write_function(root, "hello", HELLO)
        boto = write_function(root, "boto3", BOTO3)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        try:
            await cold_ms(factory, hello, root, 3, False)  # start the zygote, not measured
            hello_ms = await cold_ms(factory, hello, root, runs, False)
            boto_ms = await cold_ms(factory, boto, root, runs, False)
            snap_ms = await cold_ms(factory, boto, root, runs, True)
        finally:
            await factory.close()
        base_runs = max(5, runs // 5)
        hello_base = baseline_ms(hello, base_runs)
        boto_base = baseline_ms(boto, base_runs)
    add_cold(
        figure,
        "hello world",
        hello_ms,
        hello_base,
        "p50 < 10 ms and >= 10x the baseline",
        10.0,
        10.0,
    )
    add_cold(figure, "boto3 client at init", boto_ms, boto_base, "p50 < 30 ms", 30.0)
    add_cold(figure, "boto3 client at init, SnapStart", snap_ms, boto_base, "", None)
    figure.notes.append(
        f"{runs} cold starts each, sequential, {SPACING_S * 1000:.0f} ms apart; every "
        "environment is killed before the next"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    emit(asyncio.run(measure(args.runs)), args.json)


if __name__ == "__main__":
    main()
