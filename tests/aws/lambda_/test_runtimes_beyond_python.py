"""Runtimes beyond Python against a real server: custom runtimes (a ``bootstrap`` speaking
the Runtime API) and Node.js, with Lambda's errors, timeouts and crashes, and the Runtime
API's own answers to bad requests, asked from inside the environment."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import sys
import time
import zipfile
from typing import Any

import pytest

from tests.conftest import ROLE, unique_name

needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js (node) not installed")
needs_curl = pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")


def zip_with_modes(files: dict[str, tuple[str | bytes, int]]) -> bytes:
    """A zip whose entries carry Unix modes, as `zip` writes them (the exec bit matters)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (content, mode) in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def create(client: Any, runtime: str, files: dict[str, tuple[str | bytes, int]], **kw: Any) -> str:
    name = unique_name(runtime.split(".")[0])
    client.create_function(
        FunctionName=name,
        Runtime=runtime,
        Role=ROLE,
        Handler=kw.pop("Handler", "function.handler"),
        Code={"ZipFile": zip_with_modes(files)},
        **kw,
    )
    client.get_waiter("function_active_v2").wait(FunctionName=name)
    return name


def invoke(client: Any, name: str, event: Any = None) -> tuple[dict[str, Any], Any, str]:
    response = client.invoke(
        FunctionName=name, Payload=json.dumps(event if event is not None else {}), LogType="Tail"
    )
    raw = response["Payload"].read()
    log = base64.b64decode(response.get("LogResult", "")).decode("utf-8", "replace")
    try:
        payload = json.loads(raw)
    except ValueError:
        payload = raw
    return response, payload, log


# A bash custom runtime, as AWS's tutorial writes it: curl for every call.
BASH_BOOTSTRAP = r"""#!/bin/bash
set -euo pipefail
echo "bash runtime starting for $_HANDLER in $LAMBDA_TASK_ROOT"
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "$API/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  ARN=$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)
  DEADLINE=$(grep -Fi Lambda-Runtime-Deadline-Ms "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  echo "handling $REQUEST_ID"
  if [ "$(echo "$EVENT" | grep -c fail || true)" != "0" ]; then
    curl -sS -H "Lambda-Runtime-Function-Error-Type: Custom.Failure" \
      "$API/invocation/$REQUEST_ID/error" \
      -d '{"errorMessage":"asked to fail","errorType":"Custom.Failure"}' >/dev/null
  else
    curl -sS "$API/invocation/$REQUEST_ID/response" \
      -d "{\"echo\": $EVENT, \"arn\": \"$ARN\", \"deadline\": $DEADLINE, \"request\": \"$REQUEST_ID\"}" >/dev/null
  fi
done
"""


@needs_curl
def test_bash_bootstrap_answers_invocations_and_stays_warm(lambda_client: Any) -> None:
    name = create(lambda_client, "provided.al2023", {"bootstrap": (BASH_BOOTSTRAP, 0o755)})
    first, payload, log = invoke(lambda_client, name, {"n": 1})
    assert "FunctionError" not in first
    assert payload["echo"] == {"n": 1}
    assert payload["arn"].endswith(f":function:{name}")
    assert payload["deadline"] > 0
    assert payload["request"] == first["ResponseMetadata"]["RequestId"]
    assert "bash runtime starting for function.handler" in log or "Init Duration" in log
    assert "Init Duration" in log
    second, payload, log = invoke(lambda_client, name, {"n": 2})
    assert payload["echo"] == {"n": 2}
    assert "Init Duration" not in log  # the same process: warm
    assert f"handling {second['ResponseMetadata']['RequestId']}" in log


@needs_curl
def test_bootstrap_error_post_is_the_function_error(lambda_client: Any) -> None:
    name = create(lambda_client, "provided.al2", {"bootstrap": (BASH_BOOTSTRAP, 0o755)})
    response, payload, _ = invoke(lambda_client, name, {"please": "fail"})
    assert response["FunctionError"] == "Unhandled"
    assert payload == {"errorMessage": "asked to fail", "errorType": "Custom.Failure"}
    # and the environment keeps answering
    _, payload, _ = invoke(lambda_client, name, {"n": 3})
    assert payload["echo"] == {"n": 3}


def test_bootstrap_from_a_layer(lambda_client: Any) -> None:
    script = (
        "#!/bin/sh\n"
        'API="$AWS_LAMBDA_RUNTIME_API"\n'
        "exec " + sys.executable + " -c '\n"
        "import http.client, os\n"
        'c = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])\n'
        "while True:\n"
        '    c.request("GET", "/2018-06-01/runtime/invocation/next")\n'
        "    r = c.getresponse(); r.read()\n"
        '    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")\n'
        '    c.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, b"\\"from layer\\"")\n'
        "    c.getresponse().read()\n"
        "'\n"
    )
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("rt-layer"),
        Content={"ZipFile": zip_with_modes({"bootstrap": (script, 0o755)})},
    )
    name = create(
        lambda_client,
        "provided.al2023",
        {"README": ("no bootstrap here", 0o644)},
        Layers=[layer["LayerVersionArn"]],
    )
    response, payload, _ = invoke(lambda_client, name)
    assert "FunctionError" not in response
    assert payload == "from layer"


def test_missing_bootstrap_is_an_invalid_entrypoint(lambda_client: Any) -> None:
    name = create(lambda_client, "provided.al2023", {"handler.sh": ("echo hi", 0o755)})
    response, payload, _ = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.InvalidEntrypoint"
    assert (
        "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
        in (payload["errorMessage"])
    )


def test_bootstrap_without_exec_permission(lambda_client: Any) -> None:
    name = create(lambda_client, "provided.al2023", {"bootstrap": ("#!/bin/sh\nexit 0\n", 0o644)})
    response, payload, _ = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.InvalidEntrypoint"
    assert payload["errorMessage"].endswith("bootstrap: permission denied")


def test_bootstrap_that_exits_during_init(lambda_client: Any) -> None:
    name = create(
        lambda_client, "provided.al2023", {"bootstrap": ("#!/bin/sh\necho dying\nexit 7\n", 0o755)}
    )
    response, payload, log = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 7" in payload["errorMessage"]
    assert "dying" in log  # what init wrote reaches the log


PY_RUNTIME = """
import http.client, json, os, sys, time
API = os.environ["AWS_LAMBDA_RUNTIME_API"]
conn = http.client.HTTPConnection(API)

def call(method, path, body=None, headers=None):
    conn.request(method, "/2018-06-01" + path, body=body, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read().decode(), dict(r.getheaders())

if os.environ.get("INIT_FAIL"):
    print(call("POST", "/runtime/init/error", json.dumps(
        {"errorMessage": "cannot start", "errorType": "Custom.InitFailure"}),
        {"Lambda-Runtime-Function-Error-Type": "Custom.InitFailure"}))
    sys.exit(1)

last = None  # what the runtime heard after its previous answer, for the next one to tell
while True:
    status, body, headers = call("GET", "/runtime/invocation/next")
    rid = headers["Lambda-Runtime-Aws-Request-Id"]
    event = json.loads(body)
    action = event.get("action")
    if action == "probe":
        found = {
            "unknown_id": call("POST", "/runtime/invocation/not-this-one/response", b"{}")[:2],
            "wrong_method": call("GET", "/runtime/invocation/%s/response" % rid)[0],
            "unknown_path": call("GET", "/runtime/nothing")[0],
            "no_prefix": call("GET", "/../runtime/invocation/next")[0],
            "init_error_late": call("POST", "/runtime/init/error", b"{}")[:2],
            "next_while_busy": call("GET", "/runtime/invocation/next")[:2],
            "client_context": headers.get("Lambda-Runtime-Client-Context"),
        }
        first = call("POST", "/runtime/invocation/%s/response" % rid, json.dumps(found))[:2]
        last = [first, call("POST", "/runtime/invocation/%s/response" % rid, b"{}")[:2]]
    elif action == "big":
        last = call("POST", "/runtime/invocation/%s/response" % rid,
                    b'"' + b"x" * (7 * 1024 * 1024) + b'"')[:2]
    elif action == "last":
        call("POST", "/runtime/invocation/%s/response" % rid, json.dumps(last))
    elif action == "sleep":
        time.sleep(30)
    elif action == "crash":
        os._exit(3)
    elif action == "headerless_error":
        call("POST", "/runtime/invocation/%s/error" % rid, b"not json at all",
             {"Lambda-Runtime-Function-Error-Type": "Custom.Raw"})
    else:
        call("POST", "/runtime/invocation/%s/response" % rid, json.dumps({"ok": event}))
"""


def _python_runtime(client: Any, **kw: Any) -> str:
    bootstrap = f'#!/bin/sh\nexec {sys.executable} "$LAMBDA_TASK_ROOT/runtime.py"\n'
    return create(
        client,
        "provided.al2023",
        {"bootstrap": (bootstrap, 0o755), "runtime.py": (PY_RUNTIME, 0o644)},
        **kw,
    )


def test_runtime_api_answers_bad_requests_as_lambda_does(lambda_client: Any) -> None:
    name = _python_runtime(lambda_client)
    response = lambda_client.invoke(
        FunctionName=name,
        Payload=json.dumps({"action": "probe"}),
        LogType="Tail",
        ClientContext=base64.b64encode(b'{"custom": {"a": 1}}').decode(),
    )
    found = json.loads(response["Payload"].read())
    assert found["unknown_id"] == [
        400,
        '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n',
    ]
    assert found["wrong_method"] == 405
    assert found["unknown_path"] == 404
    assert found["no_prefix"] == 404
    assert found["init_error_late"][0] == 403
    assert json.loads(found["init_error_late"][1])["errorType"] == "InvalidStateTransition"
    assert found["next_while_busy"][0] == 403
    assert json.loads(found["client_context"]) == {"custom": {"a": 1}}
    _, answers, _ = invoke(lambda_client, name, {"action": "last"})
    assert answers[0] == [202, '{"status":"OK"}\n']
    # a second response for the same request: that id is no longer being answered
    assert answers[1] == [
        400,
        '{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}\n',
    ]


def test_oversized_response_is_413_to_the_runtime_and_an_error_to_the_caller(
    lambda_client: Any,
) -> None:
    name = _python_runtime(lambda_client)
    response, payload, log = invoke(lambda_client, name, {"action": "big"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Function.ResponseSizeTooLarge"
    _, heard, log = invoke(lambda_client, name, {"action": "last"})
    assert "Init Duration" not in log  # still warm and in step
    assert heard == [
        413,
        '{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).",'
        '"errorType":"RequestEntityTooLarge"}\n',
    ]


def test_error_without_a_json_body_is_built_from_the_header(lambda_client: Any) -> None:
    name = _python_runtime(lambda_client)
    response, payload, _ = invoke(lambda_client, name, {"action": "headerless_error"})
    assert response["FunctionError"] == "Unhandled"
    assert payload == {"errorMessage": "not json at all", "errorType": "Custom.Raw"}


def test_init_error_reported_through_the_api(lambda_client: Any) -> None:
    name = _python_runtime(lambda_client, Environment={"Variables": {"INIT_FAIL": "1"}})
    response, payload, _ = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Custom.InitFailure"
    assert payload["errorMessage"] == "cannot start"


def test_runtime_timeout_and_crash(lambda_client: Any) -> None:
    name = _python_runtime(lambda_client, Timeout=1)
    response, payload, _ = invoke(lambda_client, name, {"action": "sleep"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in payload["errorMessage"]
    response, payload, _ = invoke(lambda_client, name, {"action": "crash"})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 3" in payload["errorMessage"]
    _, payload, _ = invoke(lambda_client, name, {"n": 5})  # a new environment
    assert payload == {"ok": {"n": 5}}


# -- awslambdaric: AWS's own Python runtime interface client, unchanged -----------------


def test_awslambdaric_runs_as_a_custom_runtime(lambda_client: Any) -> None:
    pytest.importorskip("awslambdaric")
    bootstrap = f'#!/bin/sh\nexec {sys.executable} -m awslambdaric "$_HANDLER"\n'
    source = (
        "def handler(event, context):\n"
        "    if event.get('fail'):\n"
        "        raise ValueError('ric says no')\n"
        "    print('ric handling', context.aws_request_id)\n"
        "    return {'ric': True, 'event': event, 'left': context.get_remaining_time_in_millis() > 0}\n"
    )
    name = create(
        lambda_client,
        "provided.al2023",
        {"bootstrap": (bootstrap, 0o755), "function.py": (source, 0o644)},
        Handler="function.handler",
    )
    response, payload, log = invoke(lambda_client, name, {"n": 1})
    assert "FunctionError" not in response
    assert payload == {"ric": True, "event": {"n": 1}, "left": True}
    assert "ric handling" in log
    response, payload, _ = invoke(lambda_client, name, {"fail": True})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "ValueError"
    assert payload["errorMessage"] == "ric says no"


# -- Node.js -------------------------------------------------------------------------------


@needs_node
@pytest.mark.parametrize(
    ("files", "handler"),
    [
        (
            {
                "index.js": "exports.handler = async (event, context) => "
                "({style: 'async', event, name: context.functionName, "
                "id: context.awsRequestId, memory: context.memoryLimitInMB, "
                "left: context.getRemainingTimeInMillis() > 0});"
            },
            "index.handler",
        ),
        (
            {
                "index.js": "exports.handler = (event, context, callback) => "
                "{ setTimeout(() => callback(null, {style: 'callback', event, "
                "name: context.functionName, id: context.awsRequestId, "
                "memory: context.memoryLimitInMB, left: true}), 5); };"
            },
            "index.handler",
        ),
        (
            {
                "src/app.mjs": "export const handler = async (event, context) => "
                "({style: 'esm', event, name: context.functionName, id: context.awsRequestId, "
                "memory: context.memoryLimitInMB, left: context.getRemainingTimeInMillis() > 0});"
            },
            "src/app.handler",
        ),
        (
            {
                "package.json": '{"type": "module"}',
                "index.js": "export async function handler(event, context) { return "
                "{style: 'esm-js', event, name: context.functionName, "
                "id: context.awsRequestId, memory: context.memoryLimitInMB, left: true}; }",
            },
            "index.handler",
        ),
    ],
    ids=["commonjs-async", "commonjs-callback", "esm-mjs", "esm-package-type"],
)
def test_node_handler_styles(lambda_client: Any, files: dict[str, str], handler: str) -> None:
    name = create(
        lambda_client,
        "nodejs20.x",
        {path: (text, 0o644) for path, text in files.items()},
        Handler=handler,
        MemorySize=256,
    )
    response, payload, _ = invoke(lambda_client, name, {"k": "v"})
    assert "FunctionError" not in response, payload
    assert payload["event"] == {"k": "v"}
    assert payload["name"] == name
    assert payload["id"] == response["ResponseMetadata"]["RequestId"]
    assert payload["memory"] == "256"
    assert payload["left"] is True


@needs_node
def test_node_callback_waits_for_the_event_loop_unless_told_not_to(lambda_client: Any) -> None:
    source = (
        "let ticks = 0;\n"
        "exports.handler = (event, context, callback) => {\n"
        "  if (event.count) { context.callbackWaitsForEmptyEventLoop = false; "
        "return callback(null, ticks); }\n"
        "  context.callbackWaitsForEmptyEventLoop = event.wait;\n"
        "  setTimeout(() => { ticks += 1; }, 300);\n"
        "  callback(null, 'answered');\n"
        "};\n"
    )
    name = create(
        lambda_client, "nodejs20.x", {"index.js": (source, 0o644)}, Handler="index.handler"
    )
    _, payload, _ = invoke(lambda_client, name, {"wait": True})
    assert payload == "answered"
    # the answer waited for the timer: it has run by the time the caller hears back
    _, payload, _ = invoke(lambda_client, name, {"count": True})
    assert payload == 1
    _, payload, _ = invoke(lambda_client, name, {"wait": False})
    assert payload == "answered"  # answered at once, the timer still pending


@needs_node
def test_node_logs_and_errors_as_lambda_writes_them(lambda_client: Any) -> None:
    source = (
        "exports.handler = async (event) => {\n"
        "  console.log('line one\\nline two', {a: 1});\n"
        "  console.error('to stderr');\n"
        "  if (event.throw) { const e = new TypeError('bad thing'); throw e; }\n"
        "  if (event.reject) { return Promise.reject('plain string'); }\n"
        "  return 'fine';\n"
        "};\n"
    )
    name = create(
        lambda_client, "nodejs22.x", {"index.js": (source, 0o644)}, Handler="index.handler"
    )
    response, payload, log = invoke(lambda_client, name)
    assert payload == "fine"
    request_id = response["ResponseMetadata"]["RequestId"]
    assert f"\t{request_id}\tINFO\tline one\rline two {{ a: 1 }}" in log
    assert f"\t{request_id}\tERROR\tto stderr" in log
    response, payload, log = invoke(lambda_client, name, {"throw": True})
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "TypeError"
    assert payload["errorMessage"] == "bad thing"
    assert payload["trace"][0] == "TypeError: bad thing"
    response, payload, _ = invoke(lambda_client, name, {"reject": True})
    assert response["FunctionError"] == "Unhandled"
    assert payload == {"errorType": "string", "errorMessage": "plain string", "trace": []}


@needs_node
@pytest.mark.parametrize(
    ("files", "handler", "error_type", "message"),
    [
        (
            {"index.js": "exports.other = () => 1;"},
            "index.handler",
            "Runtime.HandlerNotFound",
            "index.handler is undefined or not exported",
        ),
        (
            {"index.js": "exports.handler = () => 1;"},
            "missing.handler",
            "Runtime.ImportModuleError",
            "Error: Cannot find module 'missing'",
        ),
        (
            {"index.js": "exports.handler = () => 1;"},
            "index",
            "Runtime.MalformedHandlerName",
            "Bad handler",
        ),
        (
            {"index.js": "exports.handler = async () => { return 1 +; };"},
            "index.handler",
            "Runtime.UserCodeSyntaxError",
            "SyntaxError: Unexpected token",
        ),
    ],
    ids=["handler-not-found", "module-not-found", "malformed-name", "syntax-error"],
)
def test_node_init_errors(
    lambda_client: Any, files: dict[str, str], handler: str, error_type: str, message: str
) -> None:
    name = create(
        lambda_client,
        "nodejs20.x",
        {path: (text, 0o644) for path, text in files.items()},
        Handler=handler,
    )
    response, payload, _ = invoke(lambda_client, name)
    assert response["FunctionError"] == "Unhandled"
    assert payload["errorType"] == error_type
    assert payload["errorMessage"].startswith(message)


@needs_node
def test_node_layer_modules_on_node_path(lambda_client: Any) -> None:
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("node-layer"),
        Content={
            "ZipFile": zip_with_modes(
                {"nodejs/node_modules/greeter/index.js": ("exports.greet = n => 'hi ' + n;", 0o644)}
            )
        },
    )
    name = create(
        lambda_client,
        "nodejs20.x",
        {
            "index.js": (
                "const g = require('greeter'); exports.handler = async () => g.greet('x');",
                0o644,
            )
        },
        Handler="index.handler",
        Layers=[layer["LayerVersionArn"]],
    )
    response, payload, _ = invoke(lambda_client, name)
    assert "FunctionError" not in response, payload
    assert payload == "hi x"


def test_deprecated_node_runtime_is_refused_in_lambdas_words(lambda_client: Any) -> None:
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as caught:
        lambda_client.create_function(
            FunctionName=unique_name(),
            Runtime="nodejs16.x",
            Role=ROLE,
            Handler="index.handler",
            Code={"ZipFile": zip_with_modes({"index.js": ("", 0o644)})},
        )
    assert caught.value.response["Error"]["Message"] == (
        "The runtime parameter of nodejs16.x is no longer supported for creating or updating "
        "AWS Lambda functions. We recommend you use the new runtime (nodejs24.x) while "
        "creating or updating functions."
    )


# -- a hostile neighbour -------------------------------------------------------------------

THIEF = """
import socket

def handler(event, context):
    own_uid = None
    listening = []
    with open("/proc/net/tcp") as table:
        next(table)
        for line in table:
            fields = line.split()
            local, state, uid = fields[1], fields[3], int(fields[7])
            host, port = local.split(":")
            if state == "0A" and host == "0100007F":
                listening.append((int(port, 16), uid))
    heard = {}
    for port, uid in listening:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.3) as sock:
                sock.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
                sock.settimeout(0.3)
                heard[port] = sock.recv(4096).decode("latin-1")
        except OSError as exc:
            heard[port] = "error: %s" % exc
    return heard
"""


@pytest.mark.skipif(
    os.geteuid() != 0, reason="telling functions apart needs each to run as its own user (root)"
)
def test_another_function_cannot_use_an_environments_runtime_api(lambda_client: Any) -> None:
    victim = _python_runtime(lambda_client)
    _, payload, _ = invoke(lambda_client, victim, {"n": 1})  # warm: its /next is waiting
    assert payload == {"ok": {"n": 1}}
    thief = unique_name("thief")
    lambda_client.create_function(
        FunctionName=thief,
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_with_modes({"app.py": (THIEF, 0o644)})},
        Timeout=30,
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=thief)
    _, heard, _ = invoke(lambda_client, thief)
    assert heard, "the thief found no loopback listener at all"
    assert not any("Lambda-Runtime-Aws-Request-Id" in answer for answer in heard.values())
    assert not any(
        answer.startswith("HTTP/1.1 200") and "Lambda-Runtime" in answer
        for answer in heard.values()
    )
    # the victim's own runtime still gets its events
    _, payload, _ = invoke(lambda_client, victim, {"n": 2})
    assert payload == {"ok": {"n": 2}}


# -- extensions ------------------------------------------------------------------------------

EXTENSION = """
import http.client, http.server, json, os, tempfile, threading
import boto3

api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
log = os.path.join(tempfile.gettempdir(), "extension-events")

def note(item):
    with open(log, "a") as out:
        out.write(json.dumps(item) + "\\n")

def call(method, path, body=None, headers=None):
    api.request(method, path, body=body, headers=headers or {})
    answer = api.getresponse()
    return answer.status, answer.read(), answer

status, body, answer = call("POST", "/2020-01-01/extension/register",
                            json.dumps({"events": ["INVOKE", "SHUTDOWN"]}),
                            {"Lambda-Extension-Name": "probe"})
ident = answer.getheader("Lambda-Extension-Identifier")
note({"registered": json.loads(body), "status": status})
note({"no_id": call("GET", "/2020-01-01/extension/event/next")[:2][0]})
note({"bad_id": call("GET", "/2020-01-01/extension/event/next", headers={
    "Lambda-Extension-Identifier": "not-a-uuid"})[1].decode()})
note({"bad_subscription": call("PUT", "/2022-07-01/telemetry", json.dumps({"schemaVersion": "2022-12-13"}),
                               {"Lambda-Extension-Identifier": ident})[0]})

class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        for item in batch:
            note({"telemetry": item["type"], "record": item["record"]})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

listener = http.server.HTTPServer(("127.0.0.1", 0), Listener)
threading.Thread(target=listener.serve_forever, daemon=True).start()
subscription = {
    "schemaVersion": "2022-12-13",
    "destination": {"protocol": "HTTP",
                    "URI": "http://sandbox.localdomain:%d/telemetry" % listener.server_port},
    "types": ["platform", "function", "extension"],
    "buffering": {"timeoutMs": 25},
}
note({"subscription": call("PUT", "/2022-07-01/telemetry", json.dumps(subscription),
                           {"Lambda-Extension-Identifier": ident})[0]})
too_small = dict(subscription, buffering={"maxItems": 5})
status, body, _ = call("PUT", "/2022-07-01/telemetry", json.dumps(too_small),
                       {"Lambda-Extension-Identifier": ident})
note({"bad_buffering": status, "body": json.loads(body)})
print("probe extension is up", flush=True)
while True:
    status, body, _ = call("GET", "/2020-01-01/extension/event/next",
                           headers={"Lambda-Extension-Identifier": ident})
    event = json.loads(body)
    note(event)
    if event["eventType"] == "SHUTDOWN":
        boto3.client("sqs").send_message(QueueUrl=os.environ["SHUTDOWN_QUEUE"],
                                         MessageBody=json.dumps(event))
        break
"""

EVENTS_RUNTIME = """
import http.client, json, os, tempfile
api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
log = os.path.join(tempfile.gettempdir(), "extension-events")
while True:
    api.request("GET", "/2018-06-01/runtime/invocation/next")
    answer = api.getresponse()
    answer.read()
    rid = answer.getheader("Lambda-Runtime-Aws-Request-Id")
    print("runtime says hi to", rid, flush=True)
    with open(log) as source:
        seen = [json.loads(line) for line in source if line.endswith("\\n")]
    api.request("POST", "/2018-06-01/runtime/invocation/%s/response" % rid, json.dumps(seen))
    api.getresponse().read()
"""


PYTHON_EVENTS_HANDLER = """
import json, os, tempfile

def handler(event, context):
    print("handler says hi to", context.aws_request_id)
    with open(os.path.join(tempfile.gettempdir(), "extension-events")) as source:
        # the extension may be writing a line right now: complete lines only
        return [json.loads(line) for line in source if line.endswith("\\n")]
"""


@pytest.mark.parametrize("runtime", ["provided.al2023", "python3.11"])
def test_an_external_extension_hears_invoke_and_shutdown(
    server: Any, lambda_client: Any, runtime: str
) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique_name("shutdowns"))["QueueUrl"]
    launcher = f'#!/bin/sh\nexec {sys.executable} "$(dirname "$0")/../probe_extension.py"\n'
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("ext-layer"),
        Content={
            "ZipFile": zip_with_modes(
                {
                    "extensions/probe": (launcher, 0o755),
                    "probe_extension.py": (EXTENSION, 0o644),
                }
            )
        },
    )
    bootstrap = f'#!/bin/sh\nexec {sys.executable} "$LAMBDA_TASK_ROOT/runtime.py"\n'
    if runtime == "python3.11":
        code = {"function.py": (PYTHON_EVENTS_HANDLER, 0o644)}
    else:
        code = {"bootstrap": (bootstrap, 0o755), "runtime.py": (EVENTS_RUNTIME, 0o644)}
    name = create(
        lambda_client,
        runtime,
        code,
        Layers=[layer["LayerVersionArn"]],
        Environment={"Variables": {"SHUTDOWN_QUEUE": queue_url}},
    )
    first, _, _ = invoke(lambda_client, name)
    second, _, _ = invoke(lambda_client, name)
    # the extension hears an INVOKE while the runtime handles it, and telemetry comes
    # in batches (and not while the environment is frozen): later looks tell
    for _ in range(20):
        _, seen, _ = invoke(lambda_client, name)
        kinds = {e.get("telemetry") for e in seen}
        if {"platform.report", "function", "extension", "platform.initReport"} <= kinds and len(
            [e for e in seen if e.get("eventType") == "INVOKE"]
        ) >= 2:
            break
        time.sleep(0.1)
    assert seen[0]["status"] == 200
    assert seen[0]["registered"] == {
        "functionName": name,
        "functionVersion": "$LATEST",
        "handler": "function.handler",
    }
    assert seen[1] == {"no_id": 403}
    assert json.loads(seen[2]["bad_id"])["errorType"] == "Extension.InvalidExtensionIdentifier"
    assert seen[3] == {"bad_subscription": 400}
    assert seen[4] == {"subscription": 200}
    telemetry = [e for e in seen if "telemetry" in e]
    first_id = first["ResponseMetadata"]["RequestId"]
    kinds = [
        e["telemetry"]
        for e in telemetry
        if isinstance(e["record"], dict) and e["record"].get("requestId") == first_id
    ]
    assert kinds[:3] == ["platform.start", "platform.runtimeDone", "platform.report"]
    report = next(e for e in telemetry if e["telemetry"] == "platform.report")["record"]
    assert report["status"] == "success"
    assert report["metrics"]["durationMs"] >= 0
    assert report["metrics"]["memorySizeMB"] == 128
    # a runtime's own output (or a Python handler's) reaches function subscribers
    lines = [e["record"] for e in telemetry if e["telemetry"] == "function"]
    if runtime.startswith("provided"):
        assert f"runtime says hi to {first_id}" in lines
    else:
        assert any(f"handler says hi to {first_id}" in line for line in lines)
    # what the extension itself wrote reaches extension subscribers
    assert "probe extension is up" in [
        e["record"] for e in telemetry if e["telemetry"] == "extension"
    ]
    # init telemetry: the extension subscribed during init, so it hears init's events
    init = {e["telemetry"]: e["record"] for e in telemetry}
    assert init["platform.initStart"]["initializationType"] == "on-demand"
    assert init["platform.initStart"]["phase"] == "init"
    assert init["platform.initStart"]["functionName"] == name
    assert init["platform.initStart"]["functionVersion"] == "$LATEST"
    assert init["platform.initRuntimeDone"]["status"] == "success"
    assert init["platform.initReport"]["status"] == "success"
    assert init["platform.initReport"]["metrics"]["durationMs"] >= 0
    assert init["platform.extension"] == {
        "name": "probe",
        "state": "Ready",
        "events": ["INVOKE", "SHUTDOWN"],
    }
    assert init["platform.telemetrySubscription"] == {
        "name": "probe",
        "state": "Subscribed",
        "types": ["platform", "function", "extension"],
    }
    assert seen[5]["bad_buffering"] == 400
    assert seen[5]["body"]["errorType"] == "ValidationError"
    invokes = [e for e in seen if e.get("eventType") == "INVOKE"]
    assert [e["requestId"] for e in invokes][:2] == [
        first["ResponseMetadata"]["RequestId"],
        second["ResponseMetadata"]["RequestId"],
    ]
    assert invokes[0]["invokedFunctionArn"].endswith(f":function:{name}")
    assert invokes[0]["deadlineMs"] > 0
    assert invokes[0]["tracing"]["type"] == "X-Amzn-Trace-Id"
    lambda_client.delete_function(FunctionName=name)  # the environment spins down
    received = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=10)
    assert received.get("Messages"), "no SHUTDOWN event reached the extension"
    shutdown = json.loads(received["Messages"][0]["Body"])
    assert shutdown["eventType"] == "SHUTDOWN"
    assert shutdown["shutdownReason"] == "spindown"
    assert shutdown["deadlineMs"] > 0


INIT_WATCHER = """
import http.client, http.server, json, os, threading
import boto3

api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
api.request("POST", "/2020-01-01/extension/register", json.dumps({"events": []}),
            {"Lambda-Extension-Name": "watcher"})
answer = api.getresponse()
answer.read()
ident = answer.getheader("Lambda-Extension-Identifier")
sqs = boto3.client("sqs")

class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        for item in batch:
            if item["type"].startswith("platform.init"):
                sqs.send_message(QueueUrl=os.environ["QUEUE"], MessageBody=json.dumps(item))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

listener = http.server.HTTPServer(("127.0.0.1", 0), Listener)
threading.Thread(target=listener.serve_forever, daemon=True).start()
api.request("PUT", "/2022-07-01/telemetry", json.dumps({
    "schemaVersion": "2022-12-13",
    "destination": {"protocol": "HTTP",
                    "URI": "http://sandbox.localdomain:%d/" % listener.server_port},
    "types": ["platform"]}), {"Lambda-Extension-Identifier": ident})
api.getresponse().read()
api.request("GET", "/2020-01-01/extension/event/next",
            headers={"Lambda-Extension-Identifier": ident})
api.getresponse().read()
"""


def test_a_failed_init_is_told_to_telemetry_subscribers(server: Any, lambda_client: Any) -> None:
    sqs = server.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique_name("inits"))["QueueUrl"]
    launcher = f'#!/bin/sh\nexec {sys.executable} "$(dirname "$0")/../watcher.py"\n'
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("watcher-layer"),
        Content={
            "ZipFile": zip_with_modes(
                {"extensions/watcher": (launcher, 0o755), "watcher.py": (INIT_WATCHER, 0o644)}
            )
        },
    )
    name = create(
        lambda_client,
        "python3.11",
        {"function.py": ("raise RuntimeError('no init for you')\n", 0o644)},
        Layers=[layer["LayerVersionArn"]],
        Environment={"Variables": {"QUEUE": queue_url}},
    )
    response, payload, _ = invoke(lambda_client, name)
    assert response.get("FunctionError") == "Unhandled"
    events: dict[str, Any] = {}
    for _ in range(10):
        for message in sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=2, MaxNumberOfMessages=10
        ).get("Messages", []):
            item = json.loads(message["Body"])
            events[item["type"]] = item
        if "platform.initReport" in events:
            break
    assert events["platform.initRuntimeDone"]["record"] == {
        "initializationType": "on-demand",
        "phase": "init",
        "status": "error",
        "errorType": payload["errorType"],
    }
    assert events["platform.initReport"]["record"]["status"] == "error"
    assert events["platform.initStart"]["time"] <= events["platform.initReport"]["time"]
    assert events["platform.initStart"]["time"].endswith("Z")


FLOODER = """
import http.client, http.server, json, os, sys, tempfile, threading

for i in range(20000):  # two megabytes before it even registers
    sys.stdout.write("flood %05d %s\\n" % (i, "x" * 90))
sys.stdout.flush()
api = http.client.HTTPConnection(os.environ["AWS_LAMBDA_RUNTIME_API"])
api.request("POST", "/2020-01-01/extension/register", json.dumps({"events": ["INVOKE"]}),
            {"Lambda-Extension-Name": "flooder"})
answer = api.getresponse()
answer.read()
ident = answer.getheader("Lambda-Extension-Identifier")
log = os.path.join(tempfile.gettempdir(), "types-seen")

class Listener(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        batch = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with open(log, "a") as out:
            for item in batch:
                out.write(item["type"] + "\\n")
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

listener = http.server.HTTPServer(("127.0.0.1", 0), Listener)
threading.Thread(target=listener.serve_forever, daemon=True).start()
api.request("PUT", "/2022-07-01/telemetry", json.dumps({
    "schemaVersion": "2022-12-13",
    "destination": {"protocol": "HTTP",
                    "URI": "http://sandbox.localdomain:%d/" % listener.server_port},
    "types": ["platform"], "buffering": {"timeoutMs": 25}}),
    {"Lambda-Extension-Identifier": ident})
api.getresponse().read()
while True:
    api.request("GET", "/2020-01-01/extension/event/next",
                headers={"Lambda-Extension-Identifier": ident})
    api.getresponse().read()
    print("more noise", flush=True)
"""

TYPES_HANDLER = """
import os, tempfile

def handler(event, context):
    print("the handler speaks")
    path = os.path.join(tempfile.gettempdir(), "types-seen")
    if not os.path.exists(path):
        return []
    with open(path) as source:
        return sorted({line.strip() for line in source if line.endswith("\\n")})
"""


def test_a_flooding_extension_and_a_platform_only_subscriber(lambda_client: Any) -> None:
    launcher = f'#!/bin/sh\nexec {sys.executable} "$(dirname "$0")/../flooder.py"\n'
    layer = lambda_client.publish_layer_version(
        LayerName=unique_name("flood-layer"),
        Content={
            "ZipFile": zip_with_modes(
                {"extensions/flooder": (launcher, 0o755), "flooder.py": (FLOODER, 0o644)}
            )
        },
    )
    name = create(
        lambda_client,
        "python3.11",
        {"function.py": (TYPES_HANDLER, 0o644)},
        Layers=[layer["LayerVersionArn"]],
    )
    for _ in range(20):
        _, seen, _ = invoke(lambda_client, name)
        if "platform.report" in seen:
            break
        time.sleep(0.1)
    # it only hears what it asked for: no function or extension lines
    assert "platform.report" in seen
    assert "platform.initReport" in seen
    assert not {"function", "extension"} & set(seen)
    assert all(kind.startswith("platform.") for kind in seen)
