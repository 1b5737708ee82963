"""What a function sees of its environment, through the Lambda and CloudWatch Logs APIs.

A real server (``tests/conftest.py``), boto3 against it: output written straight to
descriptors 1 and 2 reaches the function's log; ``/tmp``, ``/var/task`` and ``/opt`` are
the function's own where the kernel allows a private mount namespace; a runtime whose
Python is missing says so in the function's log.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from stratus.runtime.local.interpreters import InterpreterResolver
from tests.aws.lambda_.conftest import wait_for
from tests.conftest import ServerProcess, create_function, make_zip, unique_name

DESCRIPTOR_OUTPUT = """
import ctypes, os, subprocess, sys

os.write(1, b"init wrote to fd 1\\n")

def handler(event, context):
    print("printed first")
    subprocess.run(["echo", "hi from echo"], check=True)
    subprocess.run(["sh", "-c", "echo to stderr from sh >&2"], check=True)
    os.write(1, b"raw fd 1\\n")
    os.write(2, b"raw fd 2\\n")
    ctypes.CDLL(None).dprintf(1, b"from C code\\n")
    print("printed last")
    return "done"
"""


def _tail(response: dict[str, Any]) -> list[str]:
    return base64.b64decode(response["LogResult"]).decode().splitlines()


def _invoke(client: Any, name: str, event: Any = None) -> tuple[Any, list[str]]:
    response = client.invoke(
        FunctionName=name, Payload=json.dumps(event or {}).encode(), LogType="Tail"
    )
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    return payload, _tail(response)


def test_descriptor_output_of_subprocesses_and_c_code_reaches_the_log(
    server: ServerProcess, lambda_client: Any
) -> None:
    name = create_function(lambda_client, DESCRIPTOR_OUTPUT)
    payload, tail = _invoke(lambda_client, name)
    assert payload == "done"
    start = next(i for i, line in enumerate(tail) if line.startswith("START RequestId"))
    end = next(i for i, line in enumerate(tail) if line.startswith("END RequestId"))
    # In the order they were written, as in Lambda, whichever way they were written.
    assert tail[start + 1 : end] == [
        "printed first",
        "hi from echo",
        "to stderr from sh",
        "raw fd 1",
        "raw fd 2",
        "from C code",
        "printed last",
    ]
    assert "init wrote to fd 1" in tail[:start]  # init's output comes before START

    # The same lines are stored: the CloudWatch Logs API reads them back.
    logs = server.client("logs")
    group = f"/aws/lambda/{name}"

    def stored() -> list[str]:
        events = logs.filter_log_events(logGroupName=group)["events"]
        return [e["message"] for e in events]

    messages = wait_for(lambda: (m := stored()) and any("END RequestId" in x for x in m) and m)
    assert "hi from echo" in messages and "from C code" in messages
    assert "init wrote to fd 1" in messages

    # A warm invocation gets its own output only.
    _payload, warm = _invoke(lambda_client, name)
    assert warm.count("raw fd 1") == 1
    assert "init wrote to fd 1" not in warm


def _mounted(client: Any) -> bool:
    probe = create_function(
        client, "import os\ndef handler(e, c):\n    return os.environ['LAMBDA_TASK_ROOT']\n"
    )
    return _invoke(client, probe)[0] == "/var/task"


TMP_WRITER = """
import os

def handler(event, context):
    before = open("/tmp/x").read() if os.path.exists("/tmp/x") else None
    with open("/tmp/x", "w") as f:
        f.write(event["value"])
    return {"before": before, "cwd": os.getcwd(), "file": __file__}
"""


def test_functions_have_their_own_tmp_and_code_at_var_task(lambda_client: Any) -> None:
    if not _mounted(lambda_client):
        pytest.skip("no private mount namespace on this machine (see the server's log)")
    first = create_function(lambda_client, TMP_WRITER)
    second = create_function(lambda_client, TMP_WRITER)
    a, _ = _invoke(lambda_client, first, {"value": "a"})
    b, _ = _invoke(lambda_client, second, {"value": "b"})
    again, _ = _invoke(lambda_client, first, {"value": "c"})
    assert a == {"before": None, "cwd": "/var/task", "file": "/var/task/app.py"}
    assert b["before"] is None  # not the other function's file
    assert again["before"] == "a"


def test_layers_are_under_opt(lambda_client: Any) -> None:
    if not _mounted(lambda_client):
        pytest.skip("no private mount namespace on this machine (see the server's log)")
    arns = []
    for who in ("first", "second"):
        layer = lambda_client.publish_layer_version(
            LayerName=unique_name("layer"),
            Content={"ZipFile": make_zip({"python/which.py": f"WHO = {who!r}\n", who: who})},
        )
        arns.append(layer["LayerVersionArn"])
    source = (
        "import os, which\n"
        "def handler(e, c):\n"
        "    return [which.WHO, which.__file__, sorted(os.listdir('/opt'))]\n"
    )
    name = create_function(lambda_client, source, Layers=arns)
    who, path, listing = _invoke(lambda_client, name)[0]
    assert who == "second"  # Lambda extracts layers in order: the later one's file wins
    assert path.startswith("/opt/python/")
    assert "python" in listing and "second" in listing


REAL_39 = bool(InterpreterResolver.candidates((3, 9)))
OWN = f"python{sys.version_info[0]}.{sys.version_info[1]}"
VERSION_SOURCE = (
    "import sys, boto3\n"
    "def handler(e, c):\n"
    "    return ['%d.%d' % sys.version_info[:2], boto3.__file__]\n"
)


@pytest.fixture(scope="module")
def runtime_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server that warms python3.9 at boot and is told python3.10 lives nowhere."""
    proc = ServerProcess(tmp_path_factory.mktemp("runtimes") / "data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STRATUS_WARM_RUNTIMES", f"{OWN},python3.9")
        patch.setenv("STRATUS_INTERPRETERS", "python3.10=/nonexistent/bin/python3.10")
        proc.start()
    yield proc
    proc.stop()


def _zygote_pythons(server_pid: int) -> set[str]:
    """The interpreters of the server's child processes (its zygotes)."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            if parent != server_pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if b"stratus.runtime.worker.zygote" in argv:
            found.add(os.path.basename(argv[0].decode()))
    return found


@pytest.mark.skipif(not REAL_39, reason="no python3.9 on this machine (PATH or pyenv)")
def test_python39_zygote_starts_at_boot_and_runs_on_a_real_39(
    runtime_server: ServerProcess,
) -> None:
    assert runtime_server.process is not None
    # Nothing invoked yet: the server started its zygotes by itself, in the background.
    wait_for(lambda: "python3.9" in _zygote_pythons(runtime_server.process.pid), timeout=600)
    client = runtime_server.client("lambda")
    name = create_function(client, VERSION_SOURCE, runtime="python3.9")
    (version, boto3_file), tail = _invoke(client, name)
    assert version == "3.9"
    # boto3 for 3.9 from the runtime's own directory under the data directory
    assert boto3_file.startswith(
        str(runtime_server.data_dir / "run" / "interpreters" / "python3.9")
    )
    assert not [line for line in tail if "[WARNING] Stratus:" in line]


def test_a_runtime_without_its_python_says_so_in_the_functions_log(
    runtime_server: ServerProcess,
) -> None:
    client = runtime_server.client("lambda")
    name = create_function(client, VERSION_SOURCE, runtime="python3.10")  # accepted, as AWS
    (version, _file), tail = _invoke(client, name)
    assert version == OWN[len("python") :]
    warning = [line for line in tail if "[WARNING] Stratus:" in line]
    assert warning and "python3.10 is not installed on this machine" in warning[0]
    assert f"runs on Python {version}" in warning[0]
    assert "no working python3.10" in runtime_server.log()  # and once in the server's log
