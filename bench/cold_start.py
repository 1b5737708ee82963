"""Cold start of a function: create an environment -> first response, through the Python API.

Baseline, measured in the same run: a fresh ``python3 -c`` that imports the handler and
calls it once (what starting an interpreter per environment would cost). Also reports the
warm invoke overhead against a direct in-process call of the same handler.

    .venv/bin/python bench/cold_start.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


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
    return times


_SNAP_SPEC: dict = {}


async def warm_overhead_us(
    factory: LocalEnvironmentFactory, code_dir: str, tmp: Path, runs: int
) -> tuple[float, float]:
    env = await factory.create(launch(code_dir, str(tmp / "warm")))
    for _ in range(100):
        await env.invoke(request())
    times = []
    for _ in range(runs):
        req = request()
        start = time.perf_counter()
        await env.invoke(req)
        times.append((time.perf_counter() - start) * 1e6)
    env.kill()
    await env.wait_closed()
    namespace: dict = {}
    exec(HELLO, namespace)  # the same handler, called directly
    handler = namespace["handler"]
    direct = []
    for _ in range(runs):
        start = time.perf_counter()
        handler({"key": "value"}, None)
        direct.append((time.perf_counter() - start) * 1e6)
    return percentile(times, 0.5), percentile(direct, 0.5)


def report(label: str, ours: list[float], base: list[float]) -> None:
    p50, p95 = percentile(ours, 0.5), percentile(ours, 0.95)
    b50 = percentile(base, 0.5)
    print(
        f"{label:<34} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms | fresh python -c p50 "
        f"{b50:7.2f} ms | {b50 / p50:5.1f}x faster"
    )


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        hello = write_function(root, "hello", HELLO)
        boto = write_function(root, "boto3", BOTO3)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        try:
            await cold_ms(factory, hello, root, 3, False)  # start the zygote, not measured
            results = {
                "hello world": (
                    await cold_ms(factory, hello, root, runs, False),
                    baseline_ms(hello, max(5, runs // 5)),
                ),
                "boto3 client at init": (
                    await cold_ms(factory, boto, root, runs, False),
                    baseline_ms(boto, max(5, runs // 5)),
                ),
                "boto3 client at init, SnapStart": (
                    await cold_ms(factory, boto, root, runs, True),
                    [],
                ),
            }
            for label, (ours, base) in results.items():
                report(label, ours, base or results["boto3 client at init"][1])
            warm, direct = await warm_overhead_us(factory, hello, root, runs * 20)
            print(
                f"{'warm invoke (hello world)':<34} p50 {warm:7.1f} us | direct call p50 "
                f"{direct:5.1f} us | overhead {warm - direct:7.1f} us"
            )
        finally:
            await factory.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
