"""Cold and warm invoke of runtimes beyond Python, through the Python API (issue 13).

A Node.js hello world (our client on the machine's ``node``) and a custom runtime whose
``bootstrap`` is a shell script that starts a small runtime client, against what the
machine itself takes, measured in the same run: ``node -e`` running the same handler once
(a fresh Node.js process), and a bare process start (``/bin/true``). A Python hello world
is measured beside them for reference.

    python -m bench.other_runtimes [--runs 30] [--warm 500] [--json PATH]
"""

from __future__ import annotations

import asyncio
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
from stratus.runtime.local.factory import LocalEnvironmentFactory

NODE_HELLO = "exports.handler = async (event) => ({hello: 'world'});\n"
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


def _function(root: Path, name: str, files: dict[str, str], runtime: str, handler: str) -> str:
    code = root / name
    code.mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        (code / path).write_text(text)
        if path == "bootstrap":
            (code / path).chmod(0o755)
    return str(code)


def _launch(code_dir: str, tmp_dir: str, runtime: str, handler: str) -> LaunchConfig:
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
    env = dict(FUNCTION_ENV, _HANDLER=handler, LAMBDA_TASK_ROOT=code_dir)
    return LaunchConfig(spec=spec, env=env, tmp_dir=tmp_dir)


async def _cold_and_warm(
    factory: LocalEnvironmentFactory,
    code_dir: str,
    root: Path,
    runtime: str,
    handler: str,
    runs: int,
    warm: int,
) -> tuple[list[float], list[float]]:
    cold: list[float] = []
    warm_ms: list[float] = []
    for i in range(runs):
        config = _launch(code_dir, str(root / f"t-{runtime}-{i}"), runtime, handler)
        start = time.perf_counter()
        try:
            env = await factory.create(config)
        except Exception as exc:
            raise RuntimeError(
                f"{runtime}: {exc!r} {getattr(exc, 'payload', b'')!r} {getattr(exc, 'logs', '')}"
            ) from exc
        outcome = await env.invoke(request())
        cold.append((time.perf_counter() - start) * 1000)
        if outcome.error_type:
            raise RuntimeError(f"{runtime} failed: {outcome.payload!r} {outcome.logs}")
        if i == runs - 1:
            for _ in range(warm):
                begin = time.perf_counter()
                await env.invoke(request())
                warm_ms.append((time.perf_counter() - begin) * 1000)
        env.kill()
        await env.wait_closed()
        await asyncio.sleep(0.025)
    return cold, warm_ms


def _process_ms(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


async def measure(runs: int, warm: int) -> Figure:
    figure = Figure("other_runtimes", "Runtimes beyond Python: cold and warm invoke (Python API)")
    node = shutil.which("node")
    with tempfile.TemporaryDirectory(prefix="stratus-bench-") as root_name:
        root = Path(root_name)
        factory = LocalEnvironmentFactory(work_dir=str(root / "work"))
        await factory.start()
        cases = [("python3.11", "app.handler", {"app.py": PYTHON_HELLO})]
        bootstrap = f'#!/bin/sh\nexec {sys.executable} -S "$LAMBDA_TASK_ROOT/loop.py"\n'
        cases.append(("provided.al2023", "x", {"bootstrap": bootstrap, "loop.py": RUNTIME_LOOP}))
        if node:
            cases.append(("nodejs20.x", "index.handler", {"index.js": NODE_HELLO}))
        results: dict[str, tuple[list[float], list[float]]] = {}
        try:
            for runtime, handler, files in cases:
                code = _function(root, runtime, files, runtime, handler)
                await _cold_and_warm(factory, code, root, runtime, handler, 2, 10)  # zygote up
                results[runtime] = await _cold_and_warm(
                    factory, code, root, runtime, handler, runs, warm
                )
        finally:
            await factory.close()
    bare = _process_ms(["/bin/true"], max(10, runs))
    # the loop's own interpreter start and imports, without the API
    py_base = _process_ms([sys.executable, "-S", "-c", "import http.client, os"], max(10, runs))
    node_base = _process_ms([node, "-e", NODE_BASELINE], max(10, runs)) if node else []
    baselines = {
        "python3.11": ("bare process start (/bin/true) p50", bare),
        "provided.al2023": (
            "fresh python -S -c pass p50 (the runtime loop's interpreter)",
            py_base,
        ),
        "nodejs20.x": ("node -e running the handler once p50", node_base),
    }
    for runtime, (cold, warm_ms) in results.items():
        base_label, base = baselines[runtime]
        figure.add(
            Row(
                f"{runtime}: cold start p50",
                percentile(cold, 0.5),
                "ms",
                base_label,
                percentile(base, 0.5) if base else None,
            )
        )
        figure.add(
            Row(
                f"{runtime}: warm invoke p50",
                percentile(warm_ms, 0.5),
                "ms",
                "bare process start (/bin/true) p50",
                percentile(bare, 0.5),
            )
        )
    figure.notes.append(
        f"{runs} cold starts per runtime, 25 ms apart, then {warm} warm invokes of the last "
        "environment; the custom runtime is a sh bootstrap exec-ing a Python Runtime API loop"
    )
    if not node:
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
