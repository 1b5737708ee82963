"""A memory spike too short for the periodic sampler still fails the invocation.

The server samples resident memory only every 30 s here, so only the worker's own
high-water mark (reported with the result) can catch the overrun.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ServerProcess, create_function

SPIKE = (
    "def handler(event, context):\n"
    "    block = b'x' * (event['mb'] * 1024 * 1024)\n"
    "    del block\n"
    "    return 'survived'\n"
)


def test_spike_between_samples_is_out_of_memory(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", "--limit", "memory_check_interval_s=30").start()
    try:
        client = server.client("lambda")
        name = create_function(client, SPIKE, MemorySize=128)
        small = client.invoke(FunctionName=name, Payload=json.dumps({"mb": 1}))
        assert json.loads(small["Payload"].read()) == "survived"
        big = client.invoke(FunctionName=name, Payload=json.dumps({"mb": 300}), LogType="Tail")
        assert big["FunctionError"] == "Unhandled"
        error = json.loads(big["Payload"].read())
        assert error["errorType"] == "Runtime.OutOfMemory"
        assert error["errorMessage"].endswith("Error: Runtime exited with error: signal: killed")
        again = client.invoke(FunctionName=name, Payload=json.dumps({"mb": 1}))
        assert json.loads(again["Payload"].read()) == "survived"  # on a fresh environment
    finally:
        server.stop()
