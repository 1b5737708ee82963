"""Access logs reach the stage's DestinationArn log group: read back through boto3 logs."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import ServerProcess, create_function
from tests.gateway.conftest import ECHO, function_arn, path_url

GROUP = "/aws/apigateway/access-test"
ARN = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}"


def _events(logs: Any, want: int, **filters: Any) -> list[dict[str, Any]]:
    """The group's events once ``want`` of them arrived (lines are written in batches)."""
    events: list[dict[str, Any]] = []
    for _ in range(100):
        try:
            events = logs.filter_log_events(logGroupName=GROUP, **filters)["events"]
        except logs.exceptions.ResourceNotFoundException:
            events = []
        if len(events) >= want:
            return events
        time.sleep(0.05)
    return events


def test_access_log_lines_go_to_the_destination_log_group(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    logs = server.client("logs")
    api_id = apigw.create_api(
        Name="logged", ProtocolType="HTTP", Target=function_arn(echo_function)
    )["ApiId"]
    apigw.update_stage(
        ApiId=api_id,
        StageName="$default",
        AccessLogSettings={
            "DestinationArn": ARN + ":*",
            "Format": '{"requestId":"$context.requestId","method":"$context.httpMethod",'
            '"path":"$context.path","status":"$context.status"}',
        },
    )
    ids = []
    for path in ("/one", "/two", "/three"):
        response = httpx.get(path_url(server, api_id, path))
        assert response.status_code == 200
        ids.append(response.headers["apigw-requestid"])
    events = _events(logs, 3)
    assert [e["message"] for e in events] == [
        f'{{"requestId":"{rid}","method":"GET","path":"{path}","status":"200"}}'
        for rid, path in zip(ids, ("/one", "/two", "/three"), strict=True)
    ]
    assert GROUP in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    streams = logs.describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert [s["logStreamName"] for s in streams] == [f"{api_id}_$default"]
    got = logs.get_log_events(logGroupName=GROUP, logStreamName=f"{api_id}_$default")
    assert [e["message"] for e in got["events"]] == [e["message"] for e in events]
    two = _events(logs, 1, filterPattern='"/two"')
    assert len(two) == 1 and ids[1] in two[0]["message"]


def test_a_destination_that_is_not_a_log_group_is_not_written(
    server: ServerProcess, apigw: Any, echo_function: str
) -> None:
    logs = server.client("logs")
    api_id = apigw.create_api(
        Name="elsewhere", ProtocolType="HTTP", Target=function_arn(echo_function)
    )["ApiId"]
    apigw.update_stage(
        ApiId=api_id,
        StageName="$default",
        AccessLogSettings={"DestinationArn": "arn:aws:s3:::not-a-log-group", "Format": "x"},
    )
    assert httpx.get(path_url(server, api_id, "/")).status_code == 200
    time.sleep(0.2)
    names = [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
    assert "not-a-log-group" not in names and ":::not-a-log-group" not in names


def test_written_group_is_known_again_after_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        function = create_function(server.client("lambda"), ECHO)
        apigw = server.client("apigatewayv2")
        api_id = apigw.create_api(Name="kept", ProtocolType="HTTP", Target=function_arn(function))[
            "ApiId"
        ]
        apigw.update_stage(
            ApiId=api_id,
            StageName="$default",
            AccessLogSettings={"DestinationArn": ARN, "Format": "$context.path"},
        )
        assert httpx.get(path_url(server, api_id, "/kept")).status_code == 200
        assert [e["message"] for e in _events(server.client("logs"), 1)] == ["/kept"]
        server.kill()
        server.start()
        logs = server.client("logs")
        assert GROUP in [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]
        assert [e["message"] for e in _events(logs, 1)] == ["/kept"]
    finally:
        server.stop()
