"""Memory of an idle execution environment: unshared (USS) and proportional (PSS) set size.

Each environment is created, invoked once, then left idle; its figures come from
``/proc/<pid>/smaps_rollup``. Baseline, measured in the same run: the same number of
fresh ``python3 -c`` processes that import the handler, call it once and wait.

    python -m bench.env_memory [--count 10] [--json PATH]
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Figure, Row, argument_parser, emit
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


def mean_mb(values: list[int]) -> float:
    return sum(values) / len(values) / 1024


def add_rows(
    figure: Figure, label: str, got: list[tuple[int, int]], base: list[tuple[int, int]]
) -> None:
    uss = mean_mb([u for u, _ in got])
    figure.add(
        Row(
            f"{label}: USS",
            uss,
            "MB",
            "fresh python -c USS",
            mean_mb([u for u, _ in base]),
            "< 15 MB unshared",
            uss < 15.0,
        )
    )
    figure.add(
        Row(
            f"{label}: PSS",
            mean_mb([p for _, p in got]),
            "MB",
            "fresh python -c PSS",
            mean_mb([p for _, p in base]),
        )
    )


async def measure(count: int) -> Figure:
    figure = Figure("env_memory", "Memory per idle environment (smaps_rollup)")
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        hello = write_function(root, "hello", HELLO)
        boto = write_function(root, "boto3", BOTO3)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        try:
            hello_ours = await ours(factory, hello, root / "h", count, False)
            boto_ours = await ours(factory, boto, root / "b", count, False)
            snap_ours = await ours(factory, boto, root / "s", count, True)
        finally:
            await factory.close()
        boto_base = baseline(boto, count)
        add_rows(figure, "hello world", hello_ours, baseline(hello, count))
        add_rows(figure, "boto3 client at init", boto_ours, boto_base)
        add_rows(figure, "boto3 client at init, SnapStart", snap_ours, boto_base)
    figure.notes.append(
        f"{count} idle environments per row, each invoked once; USS = Private_Clean + "
        "Private_Dirty; PSS charges each its share of the zygote's pages"
    )
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--count", type=int, default=10)
    args = parser.parse_args()
    if args.count < 1:
        parser.error("--count must be at least 1")
    emit(asyncio.run(measure(args.count)), args.json)


if __name__ == "__main__":
    main()
