"""Provisioned concurrency through boto3: configs as Lambda answers them, and environments
that are really pre-initialized, served first, kept, replaced, released and restored.

The handler tells which kind of environment served it: ``AWS_LAMBDA_INITIALIZATION_TYPE``
(``provisioned-concurrency`` or ``on-demand``, as Lambda sets it), its process id, and a
module-level counter of inits. The REPORT line of ``LogType=Tail`` carries
``Init Duration`` only when the invocation itself paid for an init, so its absence on the
first invocation proves init ran before it.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn, wait_for
from tests.conftest import ServerProcess, create_function

HANDLER = """
import os
import time

INITS = 1  # module-level: counts the inits of this environment (always 1 per process)

def handler(event, context):
    if event.get("exit"):
        os._exit(3)
    time.sleep(event.get("sleep", 0))
    return {
        "init_type": os.environ["AWS_LAMBDA_INITIALIZATION_TYPE"],
        "pid": os.getpid(),
        "inits": INITS,
        "version": context.function_version,
    }
"""

BROKEN_INIT = "raise RuntimeError('init says no')\n\ndef handler(event, context):\n    return 1\n"


def invoke(client: Any, name: str, qualifier: str, **event: Any) -> tuple[dict[str, Any], str]:
    """The handler's answer and the invocation's log tail."""
    response = client.invoke(
        FunctionName=name, Qualifier=qualifier, Payload=json.dumps(event), LogType="Tail"
    )
    assert "FunctionError" not in response, response["Payload"].read()
    return json.loads(response["Payload"].read()), base64.b64decode(response["LogResult"]).decode()


def ready(client: Any, name: str, qualifier: str, count: int) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        config = client.get_provisioned_concurrency_config(FunctionName=name, Qualifier=qualifier)
        assert config["Status"] != "FAILED", config
        done = config["Status"] == "READY" and config["AvailableProvisionedConcurrentExecutions"]
        return (
            config if done and config["AllocatedProvisionedConcurrentExecutions"] == count else None
        )

    return dict(wait_for(check))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a sandboxed environment under another identity: still there
        return True
    return True


def published(client: Any, versions: int = 1, alias: str | None = "live") -> str:
    name = create_function(client, HANDLER)
    for _ in range(versions):
        client.publish_version(FunctionName=name, Description=f"v{_}")
    if alias is not None:
        client.create_alias(FunctionName=name, Name=alias, FunctionVersion="1")
    return name


# -- lifecycle and serving ------------------------------------------------------------
def test_lifecycle_in_progress_then_ready_and_served_pre_initialized(lambda_client: Any) -> None:
    name = published(lambda_client)
    put = lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert put["Status"] == "IN_PROGRESS"
    assert put["RequestedProvisionedConcurrentExecutions"] == 2
    assert put["AllocatedProvisionedConcurrentExecutions"] == 0
    assert put["AvailableProvisionedConcurrentExecutions"] == 0
    assert "StatusReason" not in put
    config = ready(lambda_client, name, "live", 2)
    assert config["RequestedProvisionedConcurrentExecutions"] == 2
    assert config["LastModified"] == put["LastModified"]

    body, log = invoke(lambda_client, name, "live")
    assert body["init_type"] == "provisioned-concurrency"
    assert body["version"] == "1"
    assert body["inits"] == 1
    assert "REPORT RequestId:" in log and "Init Duration" not in log  # init ran before

    listed = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)
    assert listed["ProvisionedConcurrencyConfigs"] == [
        {
            "FunctionArn": function_arn(name, "live"),
            "RequestedProvisionedConcurrentExecutions": 2,
            "AvailableProvisionedConcurrentExecutions": 2,
            "AllocatedProvisionedConcurrentExecutions": 2,
            "Status": "READY",
            "LastModified": put["LastModified"],
        }
    ]


def test_spill_over_goes_to_on_demand_environments(lambda_client: Any) -> None:
    name = published(lambda_client, alias=None)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "1", 1)
    results: list[dict[str, Any]] = []
    barrier = threading.Barrier(3)

    def call(sleep: float) -> None:
        barrier.wait()
        results.append(invoke(lambda_client, name, "1", sleep=sleep)[0])

    threads = [threading.Thread(target=call, args=(1.5,)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kinds = sorted(r["init_type"] for r in results)
    assert kinds == ["on-demand", "on-demand", "provisioned-concurrency"]
    assert len({r["pid"] for r in results}) == 3
    # once the burst is over, the provisioned environment serves again
    assert invoke(lambda_client, name, "1")[0]["init_type"] == "provisioned-concurrency"


def test_unconfigured_qualifiers_stay_on_demand(lambda_client: Any) -> None:
    name = published(lambda_client, versions=2)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="2", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "2", 1)
    assert invoke(lambda_client, name, "1")[0]["init_type"] == "on-demand"
    assert invoke(lambda_client, name, "$LATEST")[0]["init_type"] == "on-demand"
    assert invoke(lambda_client, name, "2")[0]["init_type"] == "provisioned-concurrency"


def test_a_dead_environment_is_replaced(lambda_client: Any) -> None:
    name = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "live", 1)
    first = invoke(lambda_client, name, "live")[0]
    crashed = lambda_client.invoke(
        FunctionName=name, Qualifier="live", Payload=json.dumps({"exit": True})
    )
    assert crashed["FunctionError"] == "Unhandled"
    wait_for(lambda: not alive(first["pid"]))
    ready(lambda_client, name, "live", 1)
    body, log = invoke(lambda_client, name, "live")
    assert body["init_type"] == "provisioned-concurrency"
    assert body["pid"] != first["pid"]
    assert "Init Duration" not in log


def test_lower_request_shrinks_and_delete_releases(lambda_client: Any) -> None:
    name = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=2
    )
    ready(lambda_client, name, "live", 2)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "live", 1)
    pid = invoke(lambda_client, name, "live")[0]["pid"]

    deleted = lambda_client.delete_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live"
    )
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    wait_for(lambda: not alive(pid))
    with pytest.raises(lambda_client.exceptions.ProvisionedConcurrencyConfigNotFoundException) as e:
        lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="live")
    assert_error(
        e,
        "ProvisionedConcurrencyConfigNotFoundException",
        "No Provisioned Concurrency Config found for this function",
        404,
    )
    body, log = invoke(lambda_client, name, "live")
    assert body["init_type"] == "on-demand" and "Init Duration" in log
    assert (
        lambda_client.list_provisioned_concurrency_configs(FunctionName=name)[
            "ProvisionedConcurrencyConfigs"
        ]
        == []
    )
    # Lambda's delete is idempotent
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="live")


def test_repointed_alias_moves_its_environments(lambda_client: Any) -> None:
    name = published(lambda_client, versions=2)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "live", 1)
    old = invoke(lambda_client, name, "live")[0]
    assert old["version"] == "1"
    lambda_client.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    wait_for(lambda: not alive(old["pid"]))
    ready(lambda_client, name, "live", 1)
    body, log = invoke(lambda_client, name, "live")
    assert body == {**body, "version": "2", "init_type": "provisioned-concurrency"}
    assert "Init Duration" not in log


def test_deleting_the_function_releases_its_environments(lambda_client: Any) -> None:
    name = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    ready(lambda_client, name, "live", 1)
    pid = invoke(lambda_client, name, "live")[0]["pid"]
    lambda_client.delete_function(FunctionName=name)
    wait_for(lambda: not alive(pid))


def test_failing_init_fails_the_config(lambda_client: Any) -> None:
    name = create_function(lambda_client, BROKEN_INIT)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )

    def failed() -> dict[str, Any] | None:
        config = lambda_client.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        return config if config["Status"] == "FAILED" else None

    config = wait_for(failed)
    assert config["StatusReason"] == "FUNCTION_ERROR_INIT_FAILURE"
    assert config["AllocatedProvisionedConcurrentExecutions"] == 0


# -- bad inputs ------------------------------------------------------------------------
UNPUBLISHED = "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
NOT_PUBLISHED = "The function resource provided must be an alias or a published version."

BAD_PUTS: list[tuple[str, str | None, str, int, str, str, int]] = [
    # (id, function (None: the fixture's), qualifier, count, code, message, status)
    ("latest", None, "$LATEST", 1, "InvalidParameterValueException", UNPUBLISHED, 400),
    ("alias-to-latest", None, "head", 1, "InvalidParameterValueException", UNPUBLISHED, 400),
    (
        "zero",
        None,
        "1",
        0,
        "ValidationException",
        "1 validation error detected: Value '0' at 'provisionedConcurrentExecutions' failed to "
        "satisfy constraint: Member must have value greater than or equal to 1",
        400,
    ),
    (
        "no-function",
        "no-such-fn-pc",
        "1",
        1,
        "ResourceNotFoundException",
        f"Function not found: {function_arn('no-such-fn-pc')}",
        404,
    ),
    ("no-version", None, "9", 1, "ResourceNotFoundException", "Function not found: ", 404),
    ("no-alias", None, "nope", 1, "ResourceNotFoundException", "Cannot find alias arn: ", 404),
    (
        "over-reserved",
        None,
        "1",
        3,
        "InvalidParameterValueException",
        "Requested Provisioned Concurrency should not be greater than the "
        "reservedConcurrentExecution for function",
        400,
    ),
]


@pytest.fixture(scope="module")
def target(lambda_client: Any) -> str:
    name = published(lambda_client, alias=None)
    lambda_client.create_alias(FunctionName=name, Name="head", FunctionVersion="$LATEST")
    lambda_client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=2)
    return name


@pytest.mark.parametrize(
    ("function", "qualifier", "count", "code", "message", "status"),
    [case[1:] for case in BAD_PUTS],
    ids=[case[0] for case in BAD_PUTS],
)
def test_bad_puts(
    raw_client: Any,
    target: str,
    function: str | None,
    qualifier: str,
    count: int,
    code: str,
    message: str,
    status: int,
) -> None:
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.put_provisioned_concurrency_config(
            FunctionName=function or target,
            Qualifier=qualifier,
            ProvisionedConcurrentExecutions=count,
        )
    assert_error(error, code, message, status, prefix=True)
    listed = raw_client.list_provisioned_concurrency_configs(FunctionName=target)
    assert listed["ProvisionedConcurrencyConfigs"] == []  # nothing was stored


@pytest.mark.parametrize("operation", ["get", "delete"])
@pytest.mark.parametrize(
    ("qualifier", "code", "message", "status"),
    [
        ("$LATEST", "InvalidParameterValueException", NOT_PUBLISHED, 400),
        ("9", "ResourceNotFoundException", "Function not found: ", 404),
        ("nope", "ResourceNotFoundException", "Cannot find alias arn: ", 404),
    ],
    ids=["latest", "no-version", "no-alias"],
)
def test_bad_get_and_delete(
    raw_client: Any,
    target: str,
    operation: str,
    qualifier: str,
    code: str,
    message: str,
    status: int,
) -> None:
    call = getattr(raw_client, f"{operation}_provisioned_concurrency_config")
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        call(FunctionName=target, Qualifier=qualifier)
    assert_error(error, code, message, status, prefix=True)


def test_list_of_a_missing_function(raw_client: Any) -> None:
    with pytest.raises(raw_client.exceptions.ResourceNotFoundException) as error:
        raw_client.list_provisioned_concurrency_configs(FunctionName="no-such-fn-pc")
    assert_error(
        error,
        "ResourceNotFoundException",
        f"Function not found: {function_arn('no-such-fn-pc')}",
        404,
    )


def test_alias_and_its_version_cannot_both_be_provisioned(lambda_client: Any) -> None:
    name = published(lambda_client)
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
        )
    assert_error(
        error,
        "ResourceConflictException",
        "Alias can't be used for Provisioned Concurrency configuration on an already "
        "Provisioned version",
        409,
    )
    lambda_client.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
    lambda_client.put_provisioned_concurrency_config(
        FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
    )
    with pytest.raises(lambda_client.exceptions.ResourceConflictException) as error:
        lambda_client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1
        )
    assert_error(
        error,
        "ResourceConflictException",
        "Version is pointed by a Provisioned Concurrency alias",
        409,
    )
    configs = lambda_client.list_provisioned_concurrency_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in configs["ProvisionedConcurrencyConfigs"]] == [
        function_arn(name, "live")
    ]


# -- a dedicated server: account limits, keep-warm, restart ---------------------------
def test_account_limits_reaper_and_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir, "--keep-warm", "1").start()
    second: ServerProcess | None = None
    try:
        client = first.client("lambda")
        name = published(client)
        for count, message in (
            (
                1001,
                "Specified ConcurrentExecutions for function is greater than account's "
                "unreserved concurrency [1000].",
            ),
            (
                901,
                "Specified ConcurrentExecutions for function decreases account's "
                "UnreservedConcurrentExecution below its minimum value of [100].",
            ),
        ):
            with pytest.raises(client.exceptions.InvalidParameterValueException) as error:
                client.put_provisioned_concurrency_config(
                    FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=count
                )
            assert_error(error, "InvalidParameterValueException", message, 400)
        client.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="live", ProvisionedConcurrentExecutions=1
        )
        ready(client, name, "live", 1)
        pid = invoke(client, name, "live")[0]["pid"]
        # an on-demand environment idle past the keep-warm period is reaped; ours is not
        on_demand = invoke(client, name, "$LATEST")[0]["pid"]
        wait_for(lambda: not alive(on_demand))
        assert alive(pid)
        assert invoke(client, name, "live")[0]["pid"] == pid

        first.stop()
        wait_for(lambda: not alive(pid))
        second = ServerProcess(data_dir).start()
        client = second.client("lambda")
        config = ready(client, name, "live", 1)
        assert config["RequestedProvisionedConcurrentExecutions"] == 1
        body, log = invoke(client, name, "live")
        assert body["init_type"] == "provisioned-concurrency" and "Init Duration" not in log
    finally:
        first.stop()
        if second is not None:
            second.stop()
