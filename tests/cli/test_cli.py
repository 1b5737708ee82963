"""The ``stratus`` command line against a real server: output a person reads, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT, ServerProcess, create_function


def stratus(
    server: ServerProcess, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stratus", "--endpoint", server.endpoint, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
    )


GREETER = (
    "import logging\n"
    "logging.getLogger().setLevel(logging.INFO)\n"
    "def handler(event, context):\n"
    "    logging.info('hello %s', event.get('name'))\n"
    "    print('printed line')\n"
    "    if event.get('fail'):\n"
    "        raise ValueError('asked to fail')\n"
    "    return {'message': 'Hello, ' + event.get('name', 'world') + '!'}\n"
)


def test_invoke_prints_the_response(server: ServerProcess, lambda_client: Any) -> None:
    name = create_function(lambda_client, GREETER)
    result = stratus(server, "invoke", name, "--payload", '{"name": "Ada"}')
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"message": "Hello, Ada!"}


def test_invoke_function_error_goes_to_stderr_with_exit_1(
    server: ServerProcess, lambda_client: Any
) -> None:
    name = create_function(lambda_client, GREETER)
    result = stratus(server, "invoke", name, "--payload", '{"fail": true}')
    assert result.returncode == 1
    error = json.loads(result.stderr)
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "asked to fail"


def test_invoke_unknown_function_is_one_clear_line(server: ServerProcess) -> None:
    result = stratus(server, "invoke", "no-such-function")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: ResourceNotFoundException: Function not found: "
        "arn:aws:lambda:us-east-1:000000000000:function:no-such-function"
    ]
    assert "Traceback" not in result.stderr


def test_invoke_bad_payload_is_refused_before_sending(server: ServerProcess) -> None:
    result = stratus(server, "invoke", "anything", "--payload", "{not json")
    assert result.returncode == 1
    assert result.stderr.startswith("error: --payload is not valid JSON")


def test_async_invoke_and_logs(server: ServerProcess, lambda_client: Any) -> None:
    name = create_function(lambda_client, GREETER)
    result = stratus(server, "invoke", name, "--async", "--payload", '{"name": "Eve"}')
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"accepted: {name} will run asynchronously")
    sync = stratus(server, "invoke", name, "--payload", '{"name": "Bob"}')
    assert sync.returncode == 0
    for _ in range(100):
        logs = stratus(server, "logs", name)
        if "hello Eve" in logs.stdout and "hello Bob" in logs.stdout:
            break
    lines = logs.stdout.splitlines()
    assert any("START RequestId:" in line for line in lines)
    assert any("REPORT RequestId:" in line and "Billed Duration:" in line for line in lines)
    assert any("printed line" in line for line in lines)
    assert any("hello Eve" in line for line in lines)


def test_logs_of_unknown_function(server: ServerProcess) -> None:
    result = stratus(server, "logs", "nope")
    assert result.returncode == 1
    assert result.stderr.startswith("error: ResourceNotFoundException")


def test_functions_lists_metrics(server: ServerProcess, lambda_client: Any) -> None:
    name = create_function(lambda_client, GREETER)
    assert stratus(server, "invoke", name).returncode == 0
    stratus(server, "invoke", name, "--payload", '{"fail": true}')
    result = stratus(server, "functions")
    assert result.returncode == 0
    header, *rows = result.stdout.splitlines()
    assert header.split()[:4] == ["NAME", "RUNTIME", "MEM", "INVOKES"]
    row = next(r.split() for r in rows if r.split()[0] == name)
    assert row[1:6] == ["python3.11", "128", "2", "1", "0"]  # invocations, errors, throttles
    assert row[6] == "1"  # one cold start


def test_unreachable_server_is_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "stratus", "--endpoint", "http://127.0.0.1:1", "functions"],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO_ROOT,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: cannot reach Stratus at http://127.0.0.1:1 (is `stratus up` running?)"
    )


def test_functions_shows_p90_and_peak_concurrency(
    server: ServerProcess, lambda_client: Any
) -> None:
    name = create_function(lambda_client, GREETER)
    assert stratus(server, "invoke", name).returncode == 0
    header = stratus(server, "functions").stdout.splitlines()[0]
    assert "P90" in header and "PEAK" in header


def test_invoke_prints_one_line(server: ServerProcess, lambda_client: Any) -> None:
    name = create_function(lambda_client, GREETER)
    result = stratus(server, "invoke", name, "--payload", '{"name": "Ada"}')
    assert result.stdout == '{"message": "Hello, Ada!"}\n'


def test_demo_serves_the_greeter_behind_an_http_api(tmp_path: Path) -> None:
    """`make run` (stratus up --demo): the banner shows a curl that works as printed."""
    import re
    import time
    import urllib.request

    demo = ServerProcess(tmp_path / "demo", "--demo", "--log-level", "info")
    demo.start()
    try:
        deadline = time.monotonic() + 30
        banner = ""
        while time.monotonic() < deadline and "demo: curl" not in banner:
            time.sleep(0.1)
            banner = demo.log()
        match = re.search(r"demo: curl (\S+)", banner)
        assert match, banner
        assert f"execute-api.localhost:{demo.gateway_port}" in match.group(1)
        api_id = match.group(1).split("//", 1)[1].split(".", 1)[0]
        url = f"http://127.0.0.1:{demo.gateway_port}/_aws/execute-api/{api_id}/?name=Ada"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert json.loads(response.read()) == {"message": "Hello, Ada!"}
    finally:
        demo.stop()
