"""Event invoke configs (the API) and what they do to Event invocations (retries).

The session server runs with ``--async-retry-delay 0.2``, so Lambda's minute-long waits
between attempts shrink to fractions of a second.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, function_arn, native_logs, wait_for
from tests.conftest import create_function

FAILING = """
def handler(event, context):
    with open(event["path"], "a") as f:
        f.write(context.aws_request_id + "\\n")
    raise RuntimeError("always fails")
"""

# Long enough for another attempt at the server's 0.2 s base delay (0.2, 0.4, 0.8 ...).
_QUIET_S = 2.0


def _no_config_message(name: str, qualifier: str = "$LATEST") -> str:
    return f"The function {function_arn(name, qualifier)} doesn't have an EventInvokeConfig"


def test_event_invoke_config_crud(lambda_client: Any) -> None:
    name = create_function(lambda_client, FAILING)
    put = lambda_client.put_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120
    )
    assert put["FunctionArn"] == function_arn(name, "$LATEST")
    assert put["MaximumRetryAttempts"] == 1
    assert put["MaximumEventAgeInSeconds"] == 120
    assert put["LastModified"]
    got = lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert (got["MaximumRetryAttempts"], got["MaximumEventAgeInSeconds"]) == (1, 120)
    updated = lambda_client.update_function_event_invoke_config(
        FunctionName=name, MaximumRetryAttempts=0
    )
    assert (updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]) == (0, 120)
    # Put replaces the whole config: what is not given goes back to its default
    replaced = lambda_client.put_function_event_invoke_config(
        FunctionName=name, MaximumEventAgeInSeconds=300
    )
    assert replaced["MaximumEventAgeInSeconds"] == 300
    assert replaced["MaximumRetryAttempts"] == 2
    listed = lambda_client.list_function_event_invoke_configs(FunctionName=name)
    assert [c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]] == [
        function_arn(name, "$LATEST")
    ]
    lambda_client.delete_function_event_invoke_config(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert_error(error, "ResourceNotFoundException", _no_config_message(name), 404)
    listed = lambda_client.list_function_event_invoke_configs(FunctionName=name)
    assert listed["FunctionEventInvokeConfigs"] == []


def test_event_invoke_config_per_qualifier(lambda_client: Any) -> None:
    name = create_function(lambda_client, FAILING)
    lambda_client.publish_version(FunctionName=name)
    lambda_client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    lambda_client.put_function_event_invoke_config(
        FunctionName=name, Qualifier="live", MaximumRetryAttempts=0
    )
    got = lambda_client.get_function_event_invoke_config(FunctionName=name, Qualifier="live")
    assert got["FunctionArn"] == function_arn(name, "live")
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_function_event_invoke_config(FunctionName=name)
    assert_error(error, "ResourceNotFoundException", _no_config_message(name), 404)


def test_update_without_config_is_not_found(lambda_client: Any) -> None:
    name = create_function(lambda_client, FAILING)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.update_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    assert_error(error, "ResourceNotFoundException", _no_config_message(name), 404)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.delete_function_event_invoke_config(FunctionName=name)
    assert (
        lambda_client.list_function_event_invoke_configs(FunctionName=name)[
            "FunctionEventInvokeConfigs"
        ]
        == []
    )


def test_event_invoke_config_unknown_qualifier(lambda_client: Any) -> None:
    name = create_function(lambda_client, FAILING)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.put_function_event_invoke_config(
            FunctionName=name, Qualifier="nope", MaximumRetryAttempts=1
        )
    assert_error(
        error, "ResourceNotFoundException", f"Function not found: {function_arn(name, 'nope')}"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"MaximumRetryAttempts": 3},
            "1 validation error detected: Value '3' at 'maximumRetryAttempts' failed to satisfy "
            "constraint: Member must have value less than or equal to 2",
            id="retries-high",
        ),
        pytest.param(
            {"MaximumRetryAttempts": -1},
            "1 validation error detected: Value '-1' at 'maximumRetryAttempts' failed to "
            "satisfy constraint: Member must have value greater than or equal to 0",
            id="retries-negative",
        ),
        pytest.param(
            {"MaximumEventAgeInSeconds": 59},
            "1 validation error detected: Value '59' at 'maximumEventAgeInSeconds' failed to "
            "satisfy constraint: Member must have value greater than or equal to 60",
            id="age-low",
        ),
        pytest.param(
            {"MaximumEventAgeInSeconds": 21601},
            "1 validation error detected: Value '21601' at 'maximumEventAgeInSeconds' failed "
            "to satisfy constraint: Member must have value less than or equal to 21600",
            id="age-high",
        ),
    ],
)
def test_event_invoke_config_out_of_range(
    lambda_client: Any, raw_client: Any, change: dict[str, int], message: str
) -> None:
    name = create_function(lambda_client, FAILING)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.put_function_event_invoke_config(FunctionName=name, **change)
    assert_error(error, "ValidationException", message, 400)
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function_event_invoke_config(FunctionName=name)


def _attempts(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def test_failing_event_is_tried_three_times_by_default(lambda_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "attempts"
    name = create_function(lambda_client, FAILING)
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(path)})
    )
    request_id = response["ResponseMetadata"]["RequestId"]
    wait_for(lambda: len(_attempts(path)) >= 3)
    time.sleep(_QUIET_S)  # no fourth attempt may follow
    # every attempt is the same event: it keeps its request id
    assert _attempts(path) == [request_id] * 3


def test_max_retry_attempts_zero_gives_one_attempt(lambda_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "attempts"
    name = create_function(lambda_client, FAILING)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
    lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(path)})
    )
    wait_for(lambda: _attempts(path))
    time.sleep(_QUIET_S)
    assert len(_attempts(path)) == 1


def test_max_retry_attempts_one_gives_two_attempts(lambda_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "attempts"
    name = create_function(lambda_client, FAILING)
    lambda_client.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=1)
    lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(path)})
    )
    wait_for(lambda: len(_attempts(path)) >= 2)
    time.sleep(_QUIET_S)
    assert len(_attempts(path)) == 2


def test_event_logs_reach_native_api(lambda_client: Any, server: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    print('async says', event['word'])\n",
    )
    response = lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"word": "hello"})
    )
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = wait_for(
        lambda: (
            [line for line in native_logs(server, name) if line.startswith("REPORT RequestId")]
            and native_logs(server, name)
        )
    )
    text = "\n".join(lines)
    assert "async says hello" in text
    assert f"START RequestId: {request_id}" in text
    assert f"END RequestId: {request_id}" in text


def test_successful_event_runs_once(lambda_client: Any, tmp_path: Path) -> None:
    path = tmp_path / "attempts"
    name = create_function(
        lambda_client,
        "def handler(event, context):\n"
        "    with open(event['path'], 'a') as f:\n"
        "        f.write('ok\\n')\n",
    )
    lambda_client.invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"path": str(path)})
    )
    wait_for(lambda: _attempts(path))
    time.sleep(_QUIET_S / 2)
    assert _attempts(path) == ["ok"]
