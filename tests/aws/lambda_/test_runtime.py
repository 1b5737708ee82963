"""Runtime behaviour seen through the API: timeouts, memory, crashes, init errors, state.

Errors are the shapes Lambda's Python runtime and its platform report (errorType,
errorMessage, FunctionError: Unhandled) so that callers written for Lambda recognise them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import read_payload
from tests.conftest import create_function

PID = "import os\ndef handler(event, context):\n    return os.getpid()\n"


def _failed(response: dict[str, Any]) -> dict[str, Any]:
    assert response["StatusCode"] == 200
    assert response["FunctionError"] == "Unhandled"
    body: dict[str, Any] = read_payload(response)
    return body


def test_timeout_kills_and_next_invoke_is_fresh(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import os, time\nSTARTED = os.getpid()\n"
        "def handler(event, context):\n"
        "    if event.get('sleep'):\n"
        "        time.sleep(event['sleep'])\n"
        "    return STARTED\n",
        Timeout=1,
    )
    first_pid = read_payload(lambda_client.invoke(FunctionName=name))
    response = lambda_client.invoke(
        FunctionName=name, Payload=json.dumps({"sleep": 30}), LogType="Tail"
    )
    request_id = response["ResponseMetadata"]["RequestId"]
    body = _failed(response)
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"] == (
        f"RequestId: {request_id} Error: Task timed out after 1.00 seconds"
    )
    log = base64.b64decode(response["LogResult"]).decode()
    assert "Task timed out after 1.00 seconds" in log
    assert f"REPORT RequestId: {request_id}" in log
    # the environment was killed: the next invocation runs on a new one and succeeds
    after = lambda_client.invoke(FunctionName=name)
    assert "FunctionError" not in after
    assert read_payload(after) != first_pid


def test_context_remaining_time(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    return context.get_remaining_time_in_millis()\n",
        Timeout=5,
    )
    remaining = read_payload(lambda_client.invoke(FunctionName=name))
    assert 0 < remaining <= 5000


def test_memory_overrun_is_killed(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import time\nHOARD = []\n"
        "def handler(event, context):\n"
        "    for _ in range(100):\n"
        "        HOARD.append(b'x' * (8 * 1024 * 1024))\n"
        "        time.sleep(0.02)\n"
        "    return len(HOARD)\n",
        MemorySize=128,
        Timeout=30,
    )
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    body = _failed(response)
    assert body["errorType"] == "Runtime.OutOfMemory"
    assert body["errorMessage"] == (
        f"RequestId: {request_id} Error: Runtime exited with error: signal: killed"
    )
    log = base64.b64decode(response["LogResult"]).decode()
    assert "Max Memory Used: 128 MB" in log


def test_os_exit_is_exit_error(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import os\ndef handler(event, context):\n"
        "    if event.get('die'):\n"
        "        os._exit(3)\n"
        "    return 'alive'\n",
    )
    response = lambda_client.invoke(FunctionName=name, Payload=b'{"die": true}')
    request_id = response["ResponseMetadata"]["RequestId"]
    body = _failed(response)
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"] == (
        f"RequestId: {request_id} Error: Runtime exited with error: exit status 3"
    )
    assert lambda_client.invoke(FunctionName=name)["Payload"].read() == b'"alive"'


def test_segfault_is_exit_error(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import ctypes\ndef handler(event, context):\n    ctypes.string_at(0)\n",
    )
    response = lambda_client.invoke(FunctionName=name)
    request_id = response["ResponseMetadata"]["RequestId"]
    body = _failed(response)
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"] == (
        f"RequestId: {request_id} Error: Runtime exited with error: signal: segmentation fault"
    )


def test_sys_exit_is_exit_error(lambda_client: Any) -> None:
    name = create_function(
        lambda_client, "import sys\ndef handler(event, context):\n    sys.exit(4)\n"
    )
    body = _failed(lambda_client.invoke(FunctionName=name))
    assert body["errorType"] == "Runtime.ExitError"
    assert body["errorMessage"].endswith("Runtime exited with error: exit status 4")


INIT_ERRORS = [
    pytest.param(
        {"app.py": "import no_such_module_here\ndef handler(e, c):\n    pass\n"},
        "app.handler",
        "Runtime.ImportModuleError",
        "Unable to import module 'app': No module named 'no_such_module_here'",
        id="import-error",
    ),
    pytest.param(
        {"app.py": "def handler(e, c):\n    pass\n"},
        "missing.handler",
        "Runtime.ImportModuleError",
        "Unable to import module 'missing': No module named 'missing'",
        id="missing-module",
    ),
    pytest.param(
        {"app.py": "def handler(e, c):\n    pass\n"},
        "app.nothere",
        "Runtime.HandlerNotFound",
        "Handler 'nothere' missing on module 'app'",
        id="missing-handler",
    ),
    pytest.param(
        {"app.py": "def handler(e, c)\n    pass\n"},
        "app.handler",
        "Runtime.UserCodeSyntaxError",
        None,
        id="syntax-error",
    ),
    pytest.param(
        {"app.py": "raise ValueError('bad config at import')\ndef handler(e, c):\n    pass\n"},
        "app.handler",
        "ValueError",
        "bad config at import",
        id="exception-at-import",
    ),
    pytest.param(
        {"app.py": "def handler(e, c):\n    pass\n"},
        "app",
        "Runtime.MalformedHandlerName",
        "Bad handler 'app': not enough values to unpack (expected 2, got 1)",
        id="handler-without-dot",
    ),
]


@pytest.mark.parametrize(("files", "handler", "error_type", "message"), INIT_ERRORS)
def test_init_errors(
    lambda_client: Any,
    files: dict[str, str],
    handler: str,
    error_type: str,
    message: str | None,
) -> None:
    source = files.pop("app.py")
    name = create_function(lambda_client, source, handler=handler, files=files)
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    body = _failed(response)
    assert body["errorType"] == error_type
    if message is not None:
        assert body["errorMessage"] == message
    else:
        assert body["errorMessage"].startswith("Syntax error in module 'app': ")
        assert "(app.py, line 1)" in body["errorMessage"]
    assert isinstance(body.get("stackTrace", []), list)
    log = base64.b64decode(response["LogResult"]).decode()
    assert error_type in log
    # the error repeats on every invocation: a failed init is not cached as success
    assert read_payload(lambda_client.invoke(FunctionName=name))["errorType"] == error_type


def test_module_state_and_tmp_survive_warm_invocations(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "import os, tempfile\nCOUNT = 0\n"
        "def handler(event, context):\n"
        "    global COUNT\n"
        "    COUNT += 1\n"
        "    path = os.path.join(tempfile.gettempdir(), 'seen.txt')\n"
        "    with open(path, 'a') as f:\n"
        "        f.write('x')\n"
        "    with open(path) as f:\n"
        "        return [COUNT, len(f.read()), os.getpid()]\n",
    )
    results = [read_payload(lambda_client.invoke(FunctionName=name)) for _ in range(3)]
    assert [r[:2] for r in results] == [[1, 1], [2, 2], [3, 3]]
    assert len({r[2] for r in results}) == 1


def test_new_code_gets_a_new_environment(lambda_client: Any) -> None:
    from tests.conftest import make_zip

    name = create_function(
        lambda_client, "X = []\ndef handler(e, c):\n    X.append(1)\n    return len(X)\n"
    )
    assert read_payload(lambda_client.invoke(FunctionName=name)) == 1
    assert read_payload(lambda_client.invoke(FunctionName=name)) == 2
    lambda_client.update_function_code(
        FunctionName=name,
        ZipFile=make_zip(
            {"app.py": "X = []\ndef handler(e, c):\n    X.append(1)\n    return -len(X)\n"}
        ),
    )
    assert read_payload(lambda_client.invoke(FunctionName=name)) == -1


def test_lambda_environment_variables(lambda_client: Any, server: Any) -> None:
    name = create_function(
        lambda_client,
        "import os\ndef handler(event, context):\n"
        "    return {'env': dict(os.environ), 'cwd': os.getcwd()}\n",
        MemorySize=256,
        Environment={"Variables": {"MY_SETTING": "on", "GREETING": "hello world"}},
    )
    body = read_payload(lambda_client.invoke(FunctionName=name))
    env = body["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["AWS_ENDPOINT_URL"].rstrip("/") == server.endpoint
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    assert env["LAMBDA_TASK_ROOT"] == body["cwd"]
    assert env["MY_SETTING"] == "on"
    assert env["GREETING"] == "hello world"
    assert env["TZ"] == ":UTC"


def test_boto3_inside_a_function_reaches_stratus(lambda_client: Any) -> None:
    """AWS_ENDPOINT_URL lets an unchanged boto3 client inside a function call Stratus."""
    target = create_function(
        lambda_client, "def handler(event, context):\n    return event['n'] * 2\n"
    )
    caller = create_function(
        lambda_client,
        "import json, boto3\nclient = boto3.client('lambda')\n"
        "def handler(event, context):\n"
        "    r = client.invoke(FunctionName=event['target'], Payload=json.dumps({'n': 21}))\n"
        "    return json.loads(r['Payload'].read())\n",
        Timeout=30,
    )
    response = lambda_client.invoke(FunctionName=caller, Payload=json.dumps({"target": target}))
    assert "FunctionError" not in response, response["Payload"].read()
    assert read_payload(response) == 42


def test_unhandled_exception_in_version(lambda_client: Any) -> None:
    name = create_function(lambda_client, "def handler(event, context):\n    return 1 / 0\n")
    lambda_client.publish_version(FunctionName=name)
    response = lambda_client.invoke(FunctionName=name, Qualifier="1")
    body = _failed(response)
    assert body["errorType"] == "ZeroDivisionError"
    assert body["errorMessage"] == "division by zero"
    assert response["ExecutedVersion"] == "1"
