"""LoggingConfig: Lambda's Text and JSON log formats, log-level filtering and log groups.

Shapes are Lambda's: application records as awslambdaric's JsonFormatter writes them
(timestamp, level, message, logger, requestId), platform records
``{"time", "type": "platform.start" | "platform.runtimeDone" | "platform.report", "record"}``.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, assert_no_function, wait_for
from tests.conftest import ROLE, ServerProcess, create_function, make_zip, unique_name

LOGGER = """
import logging
logger = logging.getLogger("app")

def handler(event, context):
    logging.getLogger().debug("root debug")
    logger.info("info %s", "line", extra={"order": 7})
    logger.warning("careful")
    print("plain print")
    return "ok"
"""
LEVELS_NEED_JSON = (
    'LogLevel is not supported when LogFormat is set to "Text". Remove LogLevel from your '
    'request or change the LogFormat to "Json" and try again.'
)


def _tail(response: dict[str, Any]) -> list[str]:
    return base64.b64decode(response["LogResult"]).decode().splitlines()


def _records(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_default_is_text(lambda_client: Any) -> None:
    name = create_function(lambda_client, LOGGER)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}
    lines = _tail(lambda_client.invoke(FunctionName=name, LogType="Tail"))
    assert lines[0].startswith("START RequestId: ")
    assert any(re.match(r"^\[WARNING\]\t\S+Z\t\S+\tcareful$", line) for line in lines)
    assert lines[-1].startswith("REPORT RequestId: ")


def test_json_format_records(lambda_client: Any) -> None:
    name = create_function(lambda_client, LOGGER, LoggingConfig={"LogFormat": "JSON"})
    config = lambda_client.get_function_configuration(FunctionName=name)["LoggingConfig"]
    assert config == {
        "LogFormat": "JSON",
        "ApplicationLogLevel": "INFO",
        "SystemLogLevel": "INFO",
        "LogGroup": f"/aws/lambda/{name}",
    }
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    request_id = response["ResponseMetadata"]["RequestId"]
    lines = _tail(response)
    records = _records(lines)
    start, report = records[0], records[-1]
    assert start["type"] == "platform.start"
    assert start["record"] == {"requestId": request_id, "version": "$LATEST"}
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", start["time"])
    assert report["type"] == "platform.report"
    assert report["record"]["requestId"] == request_id
    assert report["record"]["status"] == "success"
    assert set(report["record"]["metrics"]) >= {
        "durationMs",
        "billedDurationMs",
        "memorySizeMB",
        "maxMemoryUsedMB",
    }
    assert report["record"]["metrics"]["memorySizeMB"] == 128
    assert "platform.runtimeDone" not in [r.get("type") for r in records]  # DEBUG only
    application = [r for r in records if "type" not in r]
    assert [(r["level"], r["message"], r["logger"]) for r in application] == [
        ("INFO", "info line", "app"),
        ("WARNING", "careful", "app"),
    ]
    assert application[0]["requestId"] == request_id
    assert application[0]["order"] == 7  # extra fields, as Lambda's formatter keeps them
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", application[0]["timestamp"])
    assert "plain print" in lines  # print stays text, as in Lambda's Python runtime
    assert not any(line.startswith(("START", "END", "REPORT")) for line in lines)


def test_json_levels_filter(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        LOGGER,
        LoggingConfig={
            "LogFormat": "JSON",
            "ApplicationLogLevel": "WARN",
            "SystemLogLevel": "DEBUG",
        },
    )
    lines = _tail(lambda_client.invoke(FunctionName=name, LogType="Tail"))
    records = _records(lines)
    assert [r["type"] for r in records if "type" in r] == [
        "platform.start",
        "platform.runtimeDone",
        "platform.report",
    ]
    assert [r["message"] for r in records if "type" not in r] == ["careful"]
    assert "plain print" not in lines  # text without a level counts as INFO

    lambda_client.update_function_configuration(
        FunctionName=name, LoggingConfig={"ApplicationLogLevel": "TRACE", "SystemLogLevel": "WARN"}
    )
    lines = _tail(lambda_client.invoke(FunctionName=name, LogType="Tail"))
    records = _records(lines)
    assert [r for r in records if "type" in r] == []  # no platform record is WARN
    assert [r["message"] for r in records] == ["root debug", "info line", "careful"]
    assert "plain print" in lines


def test_levels_need_json(lambda_client: Any) -> None:
    name = unique_name()
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": LOGGER})},
            LoggingConfig={"LogFormat": "Text", "ApplicationLogLevel": "DEBUG"},
        )
    assert_error(error, "InvalidParameterValueException", LEVELS_NEED_JSON, 400)
    assert_no_function(lambda_client, name)

    name = create_function(lambda_client, LOGGER)
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_configuration(
            FunctionName=name, LoggingConfig={"SystemLogLevel": "WARN"}
        )
    assert_error(error, "InvalidParameterValueException", LEVELS_NEED_JSON, 400)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert after["LoggingConfig"] == before["LoggingConfig"]
    assert after["RevisionId"] == before["RevisionId"]


def test_back_to_text_drops_levels(lambda_client: Any) -> None:
    name = create_function(
        lambda_client, LOGGER, LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "ERROR"}
    )
    updated = lambda_client.update_function_configuration(
        FunctionName=name, LoggingConfig={"LogFormat": "Text"}
    )
    assert updated["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": f"/aws/lambda/{name}"}


@pytest.mark.parametrize(
    ("logging_config", "message"),
    [
        pytest.param(
            {"LogFormat": "XML"},
            "1 validation error detected: Value 'XML' at 'loggingConfig.logFormat' failed to "
            "satisfy constraint: Member must satisfy enum value set: [JSON, Text]",
            id="format",
        ),
        pytest.param(
            {"LogFormat": "JSON", "SystemLogLevel": "ERROR"},
            "1 validation error detected: Value 'ERROR' at 'loggingConfig.systemLogLevel' failed "
            "to satisfy constraint: Member must satisfy enum value set: [DEBUG, INFO, WARN]",
            id="system-level",
        ),
        pytest.param(
            {"LogFormat": "JSON", "ApplicationLogLevel": "LOUD"},
            "1 validation error detected: Value 'LOUD' at 'loggingConfig.applicationLogLevel' "
            "failed to satisfy constraint: Member must satisfy enum value set: "
            "[TRACE, DEBUG, INFO, WARN, ERROR, FATAL]",
            id="application-level",
        ),
        pytest.param(
            {"LogGroup": "bad group!"},
            "1 validation error detected: Value 'bad group!' at 'loggingConfig.logGroup' failed "
            "to satisfy constraint: Member must satisfy regular expression pattern: "
            "[\\.\\-_/#A-Za-z0-9]+",
            id="log-group",
        ),
    ],
)
def test_logging_config_bad_values(
    raw_client: Any, logging_config: dict[str, str], message: str
) -> None:
    name = unique_name()
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": LOGGER})},
            LoggingConfig=logging_config,
        )
    assert_error(error, "ValidationException", message, 400)
    assert_no_function(raw_client, name)


def test_custom_log_group(server: ServerProcess, lambda_client: Any) -> None:
    group = f"/shared/{unique_name('group')}"
    first = create_function(
        lambda_client,
        "def handler(event, context):\n    print('from', context.function_name, context.log_group_name)\n",
        LoggingConfig={"LogGroup": group},
    )
    second = create_function(
        lambda_client,
        "def handler(event, context):\n    print('from', context.function_name)\n",
        LoggingConfig={"LogGroup": group},
    )
    lambda_client.invoke(FunctionName=first)
    lambda_client.invoke(FunctionName=second)
    logs = server.client("logs")
    groups = [
        g["logGroupName"]
        for g in logs.describe_log_groups(logGroupNamePrefix="/shared/")["logGroups"]
    ]
    assert groups.count(group) == 1
    assert f"/aws/lambda/{first}" not in [
        g["logGroupName"]
        for g in logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{first}")["logGroups"]
    ]
    messages = wait_for(
        lambda: (
            [
                e["message"]
                for e in logs.filter_log_events(logGroupName=group, filterPattern="from")["events"]
            ]
            if len(logs.filter_log_events(logGroupName=group, filterPattern="from")["events"]) >= 2
            else None
        )
    )
    assert any(m.strip() == f"from {first} {group}" for m in messages)
    assert any(m.strip() == f"from {second}" for m in messages)


def test_json_error_record(lambda_client: Any) -> None:
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    raise ValueError('broken')\n",
        LoggingConfig={"LogFormat": "JSON"},
    )
    response = lambda_client.invoke(FunctionName=name, LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    records = _records(_tail(response))
    errors = [r for r in records if r.get("level") == "ERROR"]
    assert len(errors) == 1
    error = errors[0]
    assert (error["errorType"], error["errorMessage"]) == ("ValueError", "broken")
    assert error["requestId"] == response["ResponseMetadata"]["RequestId"]
    assert isinstance(error["stackTrace"], list)
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$", error["timestamp"])
    assert records[-1]["type"] == "platform.report"
    assert records[-1]["record"]["status"] == "error"


def test_custom_log_group_streams(server: ServerProcess, lambda_client: Any) -> None:
    group = f"/custom/{unique_name('group')}"
    name = create_function(
        lambda_client,
        "def handler(event, context):\n    print('hello')\n",
        LoggingConfig={"LogGroup": group},
    )
    lambda_client.invoke(FunctionName=name)
    logs = server.client("logs")
    streams = wait_for(lambda: logs.describe_log_streams(logGroupName=group)["logStreams"])
    assert "[$LATEST]" in streams[0]["logStreamName"]
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.describe_log_streams(logGroupName=f"/aws/lambda/{name}")
