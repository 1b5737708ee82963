"""Memory of an idle execution environment: unshared (USS) and proportional (PSS) set size.

Each environment is created, invoked once, then left idle; its figures come from
``/proc/<pid>/smaps_rollup``. Baseline, measured in the same run: the same number of
fresh ``python3 -c`` processes that import the handler, call it once and wait.

    .venv/bin/python bench/env_memory.py [--count 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.cold_start import BOTO3, FUNCTION_ENV, HELLO, launch, request, write_function
from stratus.runtime.local.factory import LocalEnvironmentFactory

BASELINE = (
    "import sys; sys.path.insert(0, {code!r}); import app; app.handler({{'key': 'value'}}, None);"
    "print('ready', flush=True); sys.stdin.read()"
)


def smaps(pid: int) -> tuple[int, int]:
    """(USS, PSS) in KiB."""
    fields: dict[str, int] = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                fields[parts[0].rstrip(":")] = int(parts[1])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return uss, fields.get("Pss", 0)


def baseline(code_dir: str, count: int) -> list[tuple[int, int]]:
    env = dict(os.environ, **FUNCTION_ENV)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BASELINE.format(code=code_dir)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(count)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            proc.stdout.readline()
        return [smaps(proc.pid) for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


async def ours(
    factory: LocalEnvironmentFactory, code_dir: str, tmp: Path, count: int, snapshot: bool
) -> list[tuple[int, int]]:
    first = launch(code_dir, str(tmp / "e0"), snapshot=snapshot)
    envs = []
    for i in range(count):
        config = type(first)(spec=first.spec, env=first.env, tmp_dir=str(tmp / f"e{i}"))
        env = await factory.create(config)
        await env.invoke(request())
        envs.append(env)
    await asyncio.sleep(0.2)
    figures = [smaps(env.pid) for env in envs]
    for env in envs:
        env.kill()
        await env.wait_closed()
    return figures


def mean(values: list[int]) -> float:
    return sum(values) / len(values) / 1024


def report(label: str, got: list[tuple[int, int]], base: list[tuple[int, int]]) -> None:
    uss, pss = mean([u for u, _ in got]), mean([p for _, p in got])
    buss, bpss = mean([u for u, _ in base]), mean([p for _, p in base])
    print(
        f"{label:<32} USS {uss:6.2f} MB  PSS {pss:6.2f} MB | fresh python -c USS {buss:6.2f} MB"
        f"  PSS {bpss:6.2f} MB | USS {buss / uss:4.1f}x smaller"
    )


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        hello = write_function(root, "hello", HELLO)
        boto = write_function(root, "boto3", BOTO3)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        try:
            rows = [
                (
                    "hello world",
                    await ours(factory, hello, root / "h", count, False),
                    baseline(hello, count),
                ),
                (
                    "boto3 client at init",
                    await ours(factory, boto, root / "b", count, False),
                    baseline(boto, count),
                ),
                (
                    "boto3 client at init, SnapStart",
                    await ours(factory, boto, root / "s", count, True),
                    None,
                ),
            ]
            for label, got, base in rows:
                report(label, got, base or rows[1][2])
        finally:
            await factory.close()
    print(f"({count} idle environments each; PSS shares the zygote's pages among them)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10)
    asyncio.run(main(parser.parse_args().count))
