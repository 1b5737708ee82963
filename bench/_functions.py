"""Function code shared by the runtime benchmarks (written to a temporary directory)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from stratus.runtime.environment import FunctionSpec, InvokeRequest, LaunchConfig

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
