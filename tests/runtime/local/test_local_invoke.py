"""Invocations through the factory: real zygote, real forked environments."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from stratus.runtime.local.errors import UnsupportedRuntime

from .conftest import launch_for, request, write_code

HELLO = {
    "app.py": """
        print("init says hi")

        def handler(event, context):
            print("hello", event["name"])
            return {"greeting": "hello " + event["name"]}
    """
}


@pytest.fixture
def env_of(factory, run, tmp_path: Path):
    """Create an environment for some code; kill them all at the end of the test."""
    made = []

    def make(files: dict[str, str], handler: str = "app.handler", **kw: Any):
        code = write_code(tmp_path / f"code{len(made)}", files)
        launch = launch_for(code, handler, tmp_dir=str(tmp_path / f"tmp{len(made)}"), **kw)
        env = run(factory.create(launch))
        made.append(env)
        return env

    yield make
    for env in made:
        env.kill()
        run(env.wait_closed())


def test_hello_world(env_of, run) -> None:
    env = env_of(HELLO)
    assert env.alive
    assert env.init.logs == "init says hi\n"
    outcome = run(env.invoke(request(b'{"name": "ada"}')))
    assert outcome.error_type is None
    assert json.loads(outcome.payload) == {"greeting": "hello ada"}
    assert outcome.payload == b'{"greeting": "hello ada"}'  # Lambda's separators
    assert outcome.logs == "hello ada\n"
    assert outcome.max_memory_used_mb > 0
    assert env.rss_bytes() > 0


def test_context_has_every_lambda_member(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            def handler(event, context):
                cc = context.client_context
                context.log("via context.log\\n")
                return {
                    "function_name": context.function_name,
                    "function_version": context.function_version,
                    "invoked_function_arn": context.invoked_function_arn,
                    "memory_limit_in_mb": context.memory_limit_in_mb,
                    "aws_request_id": context.aws_request_id,
                    "log_group_name": context.log_group_name,
                    "log_stream_name": context.log_stream_name,
                    "identity_id": context.identity.cognito_identity_id,
                    "identity_pool": context.identity.cognito_identity_pool_id,
                    "custom": cc.custom,
                    "env": cc.env,
                    "app_title": cc.client.app_title,
                    "installation_id": cc.client.installation_id,
                    "w3c": context.w3c(),
                    "remaining": context.get_remaining_time_in_millis(),
                    "tenant_id": context.tenant_id,
                    "repr": repr(context).startswith("LambdaContext(["),
                }
            """
        },
        name="ctx-fn",
    )
    client_context = {
        "client": {"installation_id": "i-1", "app_title": "app"},
        "custom": {"k": "v"},
        "env": {"platform": "linux"},
        "w3c": {"traceparent": "00-abc-def-01", "other": "dropped"},
    }
    outcome = run(
        env.invoke(
            request(
                request_id="req-ctx",
                arn="arn:aws:lambda:us-east-1:000000000000:function:ctx-fn:live",
                remaining_ms=60_000,
                client_context=json.dumps(client_context),
                cognito_identity={"cognitoIdentityId": "id-1", "cognitoIdentityPoolId": "pool-1"},
            )
        )
    )
    got = json.loads(outcome.payload)
    remaining = got.pop("remaining")
    assert 0 < remaining <= 60_000
    assert got == {
        "function_name": "ctx-fn",
        "function_version": "$LATEST",
        "invoked_function_arn": "arn:aws:lambda:us-east-1:000000000000:function:ctx-fn:live",
        "memory_limit_in_mb": "256",
        "aws_request_id": "req-ctx",
        "log_group_name": "/aws/lambda/ctx-fn",
        "log_stream_name": "2026/01/01/[$LATEST]abc",
        "identity_id": "id-1",
        "identity_pool": "pool-1",
        "custom": {"k": "v"},
        "env": {"platform": "linux"},
        "app_title": "app",
        "installation_id": "i-1",
        "w3c": {"traceparent": "00-abc-def-01"},
        "tenant_id": None,
        "repr": True,
    }
    assert outcome.logs == "via context.log\n"


def test_context_without_client_context_or_identity(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            def handler(event, context):
                return [context.client_context, context.identity.cognito_identity_id,
                        context.get_remaining_time_in_millis()]
            """
        }
    )
    outcome = run(env.invoke(request(remaining_ms=-5000)))
    assert json.loads(outcome.payload) == [None, None, 0]


def test_environment_variables_tmp_and_trace_id(env_of, factory, run, tmp_path: Path) -> None:
    env = env_of(
        {
            "app.py": """
            import os, subprocess, sys, tempfile

            def _platform(names):
                return sorted(n for n in names if n.startswith(("STRATUS_", "PYTHON")) or n == "HOME")

            def handler(event, context):
                seen = subprocess.run(["env"], capture_output=True, text=True).stdout
                return {
                    "mine": os.environ.get("MY_VAR"),
                    "leaked": os.environ.get("PYTHONPATH"),
                    "zygote's": _platform(os.environ) + _platform(
                        line.split("=", 1)[0] for line in seen.splitlines()
                    ),
                    "tmpdir": os.environ.get("TMPDIR"),
                    "gettempdir": tempfile.gettempdir(),
                    "trace": os.environ.get("_X_AMZN_TRACE_ID"),
                    "cwd": os.getcwd(),
                    "path0": sys.path[0],
                }
            """
        },
        env={"MY_VAR": "42"},
    )
    first = json.loads(run(env.invoke(request(trace_id="Root=1-abc;Sampled=1"))).payload)
    second = json.loads(run(env.invoke(request())).payload)
    tmp = str(tmp_path / "tmp0")
    code = str(tmp_path / "code0")
    view = factory.mount_view()
    if view and view["enabled"]:  # Lambda's paths, and no TMPDIR (Lambda sets none)
        tmp, code = "/tmp", "/var/task"
    assert first == {
        "mine": "42",
        "leaked": None,
        "zygote's": [],  # neither in os.environ nor in what a subprocess inherits
        "tmpdir": None if code == "/var/task" else tmp,
        "gettempdir": tmp,
        "trace": "Root=1-abc;Sampled=1",
        "cwd": code,
        "path0": code,
    }
    assert second["trace"] is None


def test_module_state_and_tmp_files_survive(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            import os, tempfile
            calls = 0

            def handler(event, context):
                global calls
                calls += 1
                path = os.path.join(tempfile.gettempdir(), "seen.txt")
                with open(path, "a") as f:
                    f.write("x")
                with open(path) as f:
                    return [calls, f.read()]
            """
        }
    )
    results = [json.loads(run(env.invoke(request())).payload) for _ in range(3)]
    assert results == [[1, "x"], [2, "xx"], [3, "xxx"]]


def test_layers_are_on_the_path_after_the_task_root(env_of, run, tmp_path: Path) -> None:
    layer = tmp_path / "layer1"
    write_code(layer, {"python/shared.py": "WHO = 'layer'\n"})
    site = layer / "python/lib/python3.11/site-packages"
    write_code(site, {"deep.py": "WHO = 'site-packages'\n"})
    env = env_of(
        {
            "app.py": """
            import shared, deep

            def handler(event, context):
                return [shared.WHO, deep.WHO]
            """
        },
        layers=(str(layer),),
    )
    assert json.loads(run(env.invoke(request())).payload) == ["layer", "site-packages"]


def test_unhandled_error_is_lambdas_error_object(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            def helper():
                raise ValueError("bad input")

            def handler(event, context):
                print("before")
                helper()
            """
        }
    )
    outcome = run(env.invoke(request(request_id="req-err")))
    assert outcome.error_type == "Unhandled"
    error = json.loads(outcome.payload)
    assert error["errorMessage"] == "bad input"
    assert error["errorType"] == "ValueError"
    assert error["requestId"] == "req-err"
    assert len(error["stackTrace"]) == 2
    assert error["stackTrace"][0].startswith('  File "') and "app.py" in error["stackTrace"][0]
    assert "in handler" in error["stackTrace"][0] and "in helper" in error["stackTrace"][1]
    assert outcome.logs.startswith("before\n[ERROR] ValueError: bad input\rTraceback")
    # The environment survives a handler's exception.
    assert env.alive
    assert run(env.invoke(request())).error_type == "Unhandled"


def test_marshal_error(env_of, run) -> None:
    env = env_of({"app.py": "def handler(event, context):\n    return {1, 2}\n"})
    outcome = run(env.invoke(request(request_id="req-m")))
    assert outcome.error_type == "Unhandled"
    assert json.loads(outcome.payload) == {
        "errorMessage": "Unable to marshal response: Object of type set is not JSON serializable",
        "errorType": "Runtime.MarshalError",
        "requestId": "req-m",
        "stackTrace": [],
    }


def test_unmarshal_error_on_a_bad_event(env_of, run) -> None:
    env = env_of(HELLO)
    outcome = run(env.invoke(request(b"{not json")))
    error = json.loads(outcome.payload)
    assert error["errorType"] == "Runtime.UnmarshalError"
    assert error["errorMessage"].startswith("Unable to unmarshal input: ")


def test_bytes_decimals_and_none_results(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            from decimal import Decimal

            def handler(event, context):
                kind = event["kind"]
                if kind == "bytes":
                    return b"\\x00raw"
                if kind == "decimal":
                    return {"int": Decimal("3"), "frac": Decimal("1.5")}
                if kind == "unicode":
                    return "caf\\u00e9"
                return None
            """
        }
    )

    def payload(kind: str) -> bytes:
        return run(env.invoke(request(json.dumps({"kind": kind}).encode()))).payload

    assert payload("bytes") == b"\x00raw"
    assert payload("decimal") == b'{"int": 3, "frac": 1.5}'
    assert payload("unicode") == b'"caf\\u00e9"'
    assert payload("none") == b"null"


def test_logging_format_and_level(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            import logging
            logger = logging.getLogger()

            def handler(event, context):
                logger.debug("hidden")
                logger.info("shown")
                return None
            """
        },
        env={"AWS_LAMBDA_LOG_LEVEL": "INFO"},
    )
    logs = run(env.invoke(request(request_id="req-log"))).logs
    level, stamp, rid, message = logs.rstrip("\n").split("\t")
    assert (level, rid, message) == ("[INFO]", "req-log", "shown")
    assert stamp.endswith("Z") and stamp[10] == "T"


def test_boto3_client_at_init_uses_the_functions_environment(env_of, run) -> None:
    env = env_of(
        {
            "app.py": """
            import boto3
            s3 = boto3.client("s3")

            def handler(event, context):
                credentials = s3._request_signer._credentials
                return [s3.meta.region_name, s3.meta.endpoint_url, credentials.access_key]
            """
        },
        env={
            "AWS_DEFAULT_REGION": "eu-west-3",
            "AWS_REGION": "eu-west-3",
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
            "AWS_ACCESS_KEY_ID": "from-the-launch",
            "AWS_SECRET_ACCESS_KEY": "test",
        },
    )
    assert json.loads(run(env.invoke(request())).payload) == [
        "eu-west-3",
        "http://127.0.0.1:4566",
        "from-the-launch",
    ]


def test_invoke_while_busy_waits_its_turn_or_is_refused(env_of, run) -> None:
    """A second invocation handed to a running environment waits inside it (the worker
    runs one at a time: the second starts when the first ends, with its own deadline and
    its own log lines); one that may not wait (too big to queue) is refused."""
    import asyncio

    from stratus.runtime.local.environment import QUEUED_PAYLOAD_MAX
    from stratus.runtime.local.errors import EnvironmentBusy

    env = env_of(
        {
            "app.py": "import time\n"
            "def handler(e, c):\n"
            "    print('start', e['n'], flush=True)\n"
            "    began = time.time()\n"
            "    time.sleep(e['sleep'])\n"
            "    print('end', e['n'])\n"
            "    return [e['n'], began, c.get_remaining_time_in_millis()]\n"
        }
    )
    assert env.queueable

    async def both() -> None:
        first = asyncio.ensure_future(env.invoke(request(b'{"n": 1, "sleep": 0.2}')))
        await asyncio.sleep(0)
        assert env.in_flight == 1
        with pytest.raises(EnvironmentBusy):
            await env.invoke(request(b'{"n": 0, "pad": "%s"}' % (b"x" * QUEUED_PAYLOAD_MAX)))
        second = asyncio.ensure_future(env.invoke(request(b'{"n": 2, "sleep": 0}')))
        await asyncio.sleep(0)
        assert env.in_flight == 2
        one, two = await first, await second
        n1, began1, _ = json.loads(one.payload)
        n2, began2, left2 = json.loads(two.payload)
        assert (n1, n2) == (1, 2)
        assert began2 >= began1 + 0.2  # one at a time
        assert left2 > 2500  # its 3 s started when it did, not when it was queued
        assert one.logs == "start 1\nend 1\n"
        assert two.logs == "start 2\nend 2\n"
        assert env.in_flight == 0

    run(both())


def test_runtime_we_do_not_run_is_refused(factory, run, tmp_path: Path) -> None:
    code = write_code(tmp_path / "code", HELLO)
    launch = launch_for(code, tmp_dir=str(tmp_path / "tmp"), runtime="java21")
    with pytest.raises(UnsupportedRuntime):
        run(factory.create(launch))


@pytest.mark.parametrize("size", [100, 70_000, 3_000_000])
def test_large_events_and_responses(env_of, run, size: int) -> None:
    env = env_of(
        {
            "app.py": """
            def handler(event, context):
                print("x" * len(event["blob"]))
                return {"echo": event["blob"][::-1], "size": len(event["blob"])}
            """
        }
    )
    blob = "ab" * (size // 2)
    for _ in range(2):  # the second frame starts where the first one's bytes ended
        outcome = run(env.invoke(request(json.dumps({"blob": blob}).encode())))
        result = json.loads(outcome.payload)
        assert result == {"echo": blob[::-1], "size": len(blob)}
        assert outcome.logs == "x" * len(blob) + "\n"


def test_a_wake_ahead_of_an_invocation_or_without_one(env_of, run, monkeypatch) -> None:
    """``wake``: the invoker tells an idle environment an invocation is coming, so its
    worker polls instead of sleeping. Whether the invocation follows at once, late or
    never, every answer is the right one; a busy or frozen environment is not woken."""
    import time

    from stratus.runtime.local import environment as environments

    monkeypatch.setattr(environments, "_concurrent_at", 0.0)  # one at a time, as a client
    env = env_of(
        {
            "app.py": """
                import time
                def handler(event, context):
                    time.sleep(event.get("sleep", 0))
                    print("hello", event["name"])
                    return {"greeting": "hello " + event["name"]}
            """
        }
    )
    env.wake()
    assert env._woken
    env.wake()  # once per invocation: nothing more is sent
    outcome = run(env.invoke(request(b'{"name": "ada"}')))
    assert json.loads(outcome.payload) == {"greeting": "hello ada"}
    assert not env._woken
    env.wake()  # and no invocation comes: the worker's poll runs out, then it blocks
    time.sleep(0.05)
    outcome = run(env.invoke(request(b'{"name": "bob"}')))
    assert json.loads(outcome.payload) == {"greeting": "hello bob"}
    assert outcome.logs == "hello bob\n"

    async def during() -> bool:
        call = asyncio.ensure_future(env.invoke(request(b'{"name": "cy", "sleep": 0.2}')))
        await asyncio.sleep(0)
        env.wake()  # running one: nothing to wake
        woken = env._woken
        await call
        return woken

    assert run(during()) is False
    if env.group is not None and env.group.freeze():
        env._frozen = True
        env.wake()
        assert not env._woken
        outcome = run(env.invoke(request(b'{"name": "dee"}')))  # thawed by the invocation
        assert json.loads(outcome.payload) == {"greeting": "hello dee"}
