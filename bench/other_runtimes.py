"""Cold and warm invoke of runtimes beyond Python, through the Python API (issue 13).

A Node.js hello world (our client on the machine's ``node``) and a custom runtime whose
``bootstrap`` is a shell script that starts a small runtime client, against what the
machine itself takes, measured in the same run: ``node -e`` running the same handler once
(a fresh Node.js process), and a bare process start (``/bin/true``). A Python hello world
is measured beside them: the Node.js cold start is reported from the pool of pre-started
``node`` processes (``worker/node_pool.py``) as a ratio to ``node -e`` and to Python's
cold start, and without the pool (a function whose ``UV_THREADPOOL_SIZE``, read by
``node`` at its start, needs a ``node`` of its own; 4 is the default, so it runs the same).

    python -m bench.other_runtimes [--runs 30] [--warm 500] [--json PATH]
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._report import Figure, Row, argument_parser, emit, percentile
from bench.cold_start import FUNCTION_ENV, request
from stratus.runtime.environment import FunctionSpec, LaunchConfig
from stratus.runtime.lambda_env import BASE_ENV
from stratus.runtime.local.factory import LocalEnvironmentFactory

# The handler says when its node started: before the launch means it came from the pool.
NODE_HELLO = (
    "exports.handler = async (event) => "
    "({hello: 'world', started: Date.now() - process.uptime() * 1000});\n"
)
PYTHON_HELLO = "def handler(event, context):\n    return {'hello': 'world'}\n"
# A custom runtime as users write them in a compiled language: one process that loops on
# the Runtime API. Here the loop is Python's standard library, started by a sh bootstrap.
RUNTIME_LOOP = """
import http.client, os
conn = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
while True:
    conn.request("GET", "/2018-06-01/runtime/invocation/next")
    answer = conn.getresponse()
    answer.read()
    rid = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    conn.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b'{"hello":"world"}')
    conn.getresponse().read()
"""
NODE_BASELINE = NODE_HELLO + "exports.handler({}).then(() => 0);\n"
ON_DEMAND = {"UV_THREADPOOL_SIZE": "4"}  # read at node's start: no pooled node fits
POOL_GAP_S = 0.5  # between pooled cold starts: the pool refills in the background


def _function(root: Path, name: str, files: dict[str, str]) -> str:
    code = root / name
    code.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        (code / path).write_text(text)
        if path == "bootstrap":
            (code / path).chmod(0o755)
    return str(code)


def _launch(
    code_dir: str, tmp_dir: str, runtime: str, handler: str, extra: dict[str, str]
) -> LaunchConfig:
    name = "bench-" + uuid.uuid4().hex[:6]
    spec = FunctionSpec(
        function_name=name,
        function_arn="arn:aws:lambda:us-east-1:000000000000:function:" + name,
        version="$LATEST",
        runtime=runtime,
        handler=handler,
        code_dir=code_dir,
        code_sha256="bench",
    )
    env = dict(BASE_ENV, **FUNCTION_ENV, _HANDLER=handler, LAMBDA_TASK_ROOT=code_dir, **extra)
    return LaunchConfig(spec=spec, env=env, tmp_dir=tmp_dir)


class Case:
    """One runtime measured: its code, its variables, how far apart its cold starts are."""

    def __init__(
        self,
        label: str,
        runtime: str,
        handler: str,
        files: dict[str, str],
        extra: dict[str, str] | None = None,
        gap_s: float = 0.025,
    ) -> None:
        self.label = label
        self.runtime = runtime
        self.handler = handler
        self.files = files
        self.extra = extra or {}
        self.gap_s = gap_s
        self.cold: list[float] = []
        self.warm: list[float] = []
        self.pooled = 0  # cold starts whose node was started before the launch


async def _cold_and_warm(
    factory: LocalEnvironmentFactory, case: Case, code_dir: str, root: Path, runs: int, warm: int
) -> None:
    case.cold, case.warm, case.pooled = [], [], 0
    for i in range(runs):
        config = _launch(
            code_dir, str(root / f"t-{case.label}-{i}"), case.runtime, case.handler, case.extra
        )
        launched_ms = time.time() * 1000
        start = time.perf_counter()
        try:
            env = await factory.create(config)
        except Exception as exc:
            raise RuntimeError(
                f"{case.label}: {exc!r} {getattr(exc, 'payload', b'')!r} {getattr(exc, 'logs', '')}"
            ) from exc
        outcome = await env.invoke(request())
        case.cold.append((time.perf_counter() - start) * 1000)
        if outcome.error_type:
            raise RuntimeError(f"{case.label} failed: {outcome.payload!r} {outcome.logs}")
        started = json.loads(outcome.payload).get("started")
        if started is not None and started < launched_ms:
            case.pooled += 1
        if i == runs - 1:
            for _ in range(warm):
                begin = time.perf_counter()
                await env.invoke(request())
                case.warm.append((time.perf_counter() - begin) * 1000)
        env.kill()
        await env.wait_closed()
        await asyncio.sleep(case.gap_s)


def _process_ms(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


def _cases(node: str | None) -> list[Case]:
    bootstrap = f'#!/bin/sh\nexec {sys.executable} -S "$LAMBDA_TASK_ROOT/loop.py"\n'
    cases = [
        Case("python3.11", "python3.11", "app.handler", {"app.py": PYTHON_HELLO}),
        Case(
            "provided.al2023",
            "provided.al2023",
            "x",
            {"bootstrap": bootstrap, "loop.py": RUNTIME_LOOP},
        ),
    ]
    if node:
        index = {"index.js": NODE_HELLO}
        cases.append(Case("nodejs20.x", "nodejs20.x", "index.handler", index, gap_s=POOL_GAP_S))
        cases.append(Case("nodejs20.x on demand", "nodejs20.x", "index.handler", index, ON_DEMAND))
    return cases


async def measure(runs: int, warm: int) -> Figure:
    figure = Figure("other_runtimes", "Runtimes beyond Python: cold and warm invoke (Python API)")
    node = shutil.which("node")
    cases = _cases(node)
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        try:
            for case in cases:
                code = _function(root, case.label.replace(" ", "-"), case.files)
                await _cold_and_warm(factory, case, code, root, 2, 10)  # zygote and pool up
                await asyncio.sleep(1.0)
                await _cold_and_warm(factory, case, code, root, runs, warm)
        finally:
            await factory.close()
    bare = _process_ms(["/bin/true"], max(10, runs))
    # the loop's own interpreter start and imports, without the API
    py_base = _process_ms([sys.executable, "-S", "-c", "import http.client, os"], max(10, runs))
    node_base = _process_ms([node, "-e", NODE_BASELINE], max(10, runs)) if node else []
    bare_label, bare_p50 = "bare process start (/bin/true) p50", percentile(bare, 0.5)
    node_label = "node -e running the handler once p50"
    node_p50 = percentile(node_base, 0.5) if node_base else None
    by_label = {case.label: case for case in cases}
    python_p50 = percentile(by_label["python3.11"].cold, 0.5)
    cold_rows = {
        "python3.11": [("python3.11: cold start p50", bare_label, bare_p50)],
        "provided.al2023": [
            (
                "provided.al2023: cold start p50",
                "fresh python -S -c pass p50 (the runtime loop's interpreter)",
                percentile(py_base, 0.5),
            )
        ],
        "nodejs20.x": [
            ("nodejs20.x: cold start from the pool p50", node_label, node_p50),
            ("nodejs20.x: cold start from the pool p50", "python3.11 cold start p50", python_p50),
        ],
        "nodejs20.x on demand": [
            ("nodejs20.x: cold start without the pool p50", node_label, node_p50)
        ],
    }
    for case in cases:
        value = percentile(case.cold, 0.5)
        for label, base_label, base in cold_rows[case.label]:
            figure.add(Row(label, value, "ms", base_label, base))
        if case.label != "nodejs20.x on demand":
            figure.add(
                Row(
                    f"{case.runtime}: warm invoke p50",
                    percentile(case.warm, 0.5),
                    "ms",
                    bare_label,
                    bare_p50,
                )
            )
    figure.notes.append(
        f"{runs} cold starts per runtime, 25 ms apart ({POOL_GAP_S * 1000:.0f} ms for the "
        f"pooled Node.js ones, so the pool refills), then {warm} warm invokes of the last "
        "environment; the custom runtime is a sh bootstrap exec-ing a Python Runtime API loop"
    )
    if node:
        pooled = by_label["nodejs20.x"]
        figure.notes.append(
            f"Node.js cold starts served by a pre-started node: {pooled.pooled} of "
            f"{len(pooled.cold)} (pool of 2 per memory size); without the pool: "
            f"{by_label['nodejs20.x on demand'].pooled} of "
            f"{len(by_label['nodejs20.x on demand'].cold)}"
        )
    else:
        figure.notes.append("node is not installed here: no Node.js figures")
    return figure


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warm", type=int, default=500)
    args = parser.parse_args()
    emit(asyncio.run(measure(args.runs, args.warm)), args.json)


if __name__ == "__main__":
    main()
