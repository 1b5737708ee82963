"""Logs Insights through boto3: queries over events written with PutLogEvents and by real
Lambda invocations (Text and JSON log formats), the commands of the subset (fields,
filter, parse, stats, sort, limit, display), malformed queries with their position,
StopQuery and DescribeQueries, saved query definitions (surviving a restart), and
TestMetricFilter."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, create_function, unique_name

HANDLER = """
import json, logging
logger = logging.getLogger("app")

def handler(event, context):
    logger.info("order placed", extra={"order": event["order"], "amount": event["amount"]})
    print("plain " + str(event["order"]))
    logger.warning(json.dumps({"audit": {"order": event["order"]}, "@who": "me"}))
    return "ok"
"""


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> dict[str, Any]:
    return dict(info.value.response)


def _results(logs: Any, query_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        answer = dict(logs.get_query_results(queryId=query_id))
        if answer["status"] not in ("Scheduled", "Running"):
            return answer
        time.sleep(0.05)
    raise AssertionError("query did not finish")


def _query(logs: Any, group: str, text: str, **kwargs: Any) -> dict[str, Any]:
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=group, startTime=now - 3600, endTime=now + 60, queryString=text, **kwargs
    )["queryId"]
    return _results(logs, query_id)


def _rows(answer: dict[str, Any], keep_ptr: bool = False) -> list[dict[str, str]]:
    return [
        {f["field"]: f["value"] for f in row if keep_ptr or f["field"] != "@ptr"}
        for row in answer["results"]
    ]


@pytest.fixture(scope="module")
def app_group(logs: Any) -> str:
    """A group of text and JSON lines written with PutLogEvents."""
    group = unique_name("/insights/app")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="web-1")
    logs.create_log_stream(logGroupName=group, logStreamName="web-2")
    base = (int(time.time()) - 600) * 1000
    lines = [
        ("web-1", "INFO start user=ann id=1"),
        ("web-1", json.dumps({"level": "ERROR", "ms": 120, "http": {"status": 500}})),
        ("web-1", json.dumps({"level": "INFO", "ms": 30, "http": {"status": 200}})),
        ("web-2", "ERROR timeout user=bob id=2"),
        ("web-2", json.dumps({"level": "INFO", "ms": 50, "http": {"status": 200}})),
        ("web-2", json.dumps({"level": "ERROR", "ms": 300, "http": {"status": 503}})),
    ]
    for n, (stream, message) in enumerate(lines):
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": base + n * 1000, "message": message}],
        )
    return group


def test_fields_filter_sort_limit(logs: Any, app_group: str) -> None:
    answer = _query(
        logs,
        app_group,
        "fields @timestamp, @message, @logStream | filter @message like /ERROR/ "
        "| sort @timestamp asc | limit 2",
    )
    assert answer["status"] == "Complete"
    rows = _rows(answer)
    assert [r["@logStream"] for r in rows] == ["web-1", "web-2"]
    assert rows[1]["@message"] == "ERROR timeout user=bob id=2"
    assert len(rows[0]["@timestamp"]) == len("2026-01-01 00:00:00.000")
    assert all(f["field"] == "@ptr" for f in [row[-1] for row in answer["results"]])
    assert answer["statistics"]["recordsScanned"] == 6.0
    assert answer["statistics"]["recordsMatched"] == 3.0
    assert answer["statistics"]["bytesScanned"] > 0


def test_json_fields_are_discovered_with_dotted_names(logs: Any, app_group: str) -> None:
    rows = _rows(
        _query(
            logs,
            app_group,
            "fields level, ms, http.status | filter http.status >= 500 and level = 'ERROR' "
            "| sort ms desc",
        )
    )
    assert rows == [
        {"level": "ERROR", "ms": "300", "http.status": "503"},
        {"level": "ERROR", "ms": "120", "http.status": "500"},
    ]
    rows = _rows(_query(logs, app_group, "filter level in ['INFO'] and not ms > 40 | display ms"))
    assert rows == [{"ms": "30"}]
    query = "fields @timestamp, @timestamp as at, http.status as code | filter code = 503"
    rows = _rows(_query(logs, app_group, query))
    assert len(rows) == 1 and rows[0]["code"] == "503"
    assert rows[0]["at"] == rows[0]["@timestamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}", rows[0]["at"])


def test_stats_by_field_and_by_bin(logs: Any, app_group: str) -> None:
    rows = _rows(
        _query(
            logs,
            app_group,
            "filter ispresent(ms) | stats count(*) as n, avg(ms), max(ms), sum(ms) by level "
            "| sort level asc",
        )
    )
    assert rows == [
        {"level": "ERROR", "n": "2", "avg(ms)": "210", "max(ms)": "300", "sum(ms)": "420"},
        {"level": "INFO", "n": "2", "avg(ms)": "40", "max(ms)": "50", "sum(ms)": "80"},
    ]
    rows = _rows(_query(logs, app_group, "stats count(*) as n by bin(1h)"))
    assert len(rows) in (1, 2) and sum(int(r["n"]) for r in rows) == 6
    assert all(r["bin(1h)"].endswith(":00:00.000") for r in rows)
    rows = _rows(_query(logs, app_group, "stats count(level) as withLevel, min(ms) as least"))
    assert rows == [{"withLevel": "4", "least": "30"}]


def test_stats_after_sort_and_limit_and_a_second_stats(logs: Any, app_group: str) -> None:
    rows = _rows(
        _query(
            logs,
            app_group,
            "filter ispresent(ms) | sort ms desc | limit 2 | stats sum(ms) as top2, count(*) as n",
        )
    )
    assert rows == [{"top2": "420", "n": "2"}]
    rows = _rows(
        _query(
            logs,
            app_group,
            "stats count(*) as c by @logStream | stats max(c) as busiest, sum(c) as all",
        )
    )
    assert rows == [{"busiest": "3", "all": "6"}]
    rows = _rows(
        _query(
            logs,
            app_group,
            "filter ispresent(level) | stats avg(ms) as mean by level | filter mean > 100",
        )
    )
    assert rows == [{"level": "ERROR", "mean": "210"}]


def test_aggregates_of_expressions_percentiles_and_dedup(logs: Any, app_group: str) -> None:
    query = """
    # what the busiest requests cost (a comment, as the console keeps them)
    filter ispresent(ms)
    | stats max(ms / 10) as hi, min(ms / 10) as lo, hi - lo as spread,
        pct(ms, 50) as p50, pct(ms, 100) as p100, earliest(ms) as first, latest(ms) as last
    """
    rows = _rows(_query(logs, app_group, query))
    assert rows == [
        {
            "hi": "30",
            "lo": "3",
            "spread": "27",
            "p50": "50",
            "p100": "300",
            "first": "120",
            "last": "300",
        }
    ]
    rows = _rows(
        _query(
            logs,
            app_group,
            "filter ispresent(level) | sort ms desc | dedup level | display level, ms",
        )
    )
    assert rows == [{"level": "ERROR", "ms": "300"}, {"level": "INFO", "ms": "50"}]
    rows = _rows(
        _query(logs, app_group, "filter strcontains(@message, 'user=') | stats count(*) as n")
    )
    assert rows == [{"n": "2"}]


def test_parse_glob_and_regex(logs: Any, app_group: str) -> None:
    rows = _rows(
        _query(
            logs,
            app_group,
            'parse @message "user=* id=*" as user, id | filter ispresent(user) '
            "| sort id | display user, id",
        )
    )
    assert rows == [{"user": "ann", "id": "1"}, {"user": "bob", "id": "2"}]
    rows = _rows(
        _query(
            logs,
            app_group,
            r"parse @message /(?<word>timeout|start) user=(?<who>\w+)/ | filter word = 'timeout' "
            "| display who",
        )
    )
    assert rows == [{"who": "bob"}]


def test_limit_parameter_and_default_fields(logs: Any, app_group: str) -> None:
    answer = _query(logs, app_group, "filter @logStream = 'web-2'", limit=2)
    rows = _rows(answer)
    assert len(rows) == 2 and set(rows[0]) == {"@timestamp", "@message"}
    # Newest first when the query does not sort.
    assert rows[0]["@timestamp"] > rows[1]["@timestamp"]


def test_several_groups_and_identifiers(logs: Any, app_group: str) -> None:
    other = unique_name("/insights/other")
    logs.create_log_group(logGroupName=other)
    logs.create_log_stream(logGroupName=other, logStreamName="s")
    logs.put_log_events(
        logGroupName=other,
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": "ERROR elsewhere"}],
    )
    now = int(time.time())
    arn = logs.describe_log_groups(logGroupNamePrefix=other)["logGroups"][0]["logGroupArn"]
    query_id = logs.start_query(
        logGroupIdentifiers=[app_group, arn],
        startTime=now - 3600,
        endTime=now + 60,
        queryString="filter @message like 'ERROR' | stats count(*) as n by @log",
    )["queryId"]
    rows = _rows(_results(logs, query_id))
    assert {r["@log"].split(":", 1)[1]: r["n"] for r in rows} == {app_group: "3", other: "1"}


def test_time_range_limits_the_events(logs: Any, app_group: str) -> None:
    later = int(time.time()) + 3600
    query_id = logs.start_query(
        logGroupName=app_group, startTime=later, endTime=later + 60, queryString="fields @message"
    )["queryId"]
    answer = _results(logs, query_id)
    assert answer["results"] == [] and answer["statistics"]["recordsScanned"] == 0.0


def test_function_logs_in_json_and_text(logs: Any, lambda_client: Any) -> None:
    json_fn = create_function(lambda_client, HANDLER, LoggingConfig={"LogFormat": "JSON"})
    text_fn = create_function(lambda_client, HANDLER)
    for name in (json_fn, text_fn):
        for order, amount in ((1, 10), (2, 25), (3, 40)):
            payload = json.dumps({"order": order, "amount": amount})
            lambda_client.invoke(FunctionName=name, Payload=payload)
    query = (
        "filter message = 'order placed' | stats count(*) as n, sum(amount) as total, "
        "max(order) as last"
    )
    deadline = time.monotonic() + 30
    rows: list[dict[str, str]] = []
    while time.monotonic() < deadline:
        rows = _rows(_query(logs, f"/aws/lambda/{json_fn}", query))
        if rows and rows[0].get("n") == "3":
            break
        time.sleep(0.2)
    assert rows == [{"n": "3", "total": "75", "last": "3"}]
    reports: list[dict[str, str]] = []
    text_query = (
        "filter @type = 'REPORT' | stats count(*) as invocations, max(@memorySize) as memory"
    )
    while time.monotonic() < deadline:
        reports = _rows(_query(logs, f"/aws/lambda/{text_fn}", text_query))
        if reports and reports[0].get("invocations") == "3":
            break
        time.sleep(0.2)
    assert reports == [{"invocations": "3", "memory": "128000000"}]
    # The query AWS's documentation gives for over-provisioned memory, as written there.
    memory = _rows(
        _query(
            logs,
            f"/aws/lambda/{text_fn}",
            'filter @type = "REPORT"\n'
            "| stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,\n"
            "  min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,\n"
            "  avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,\n"
            "  max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n"
            "  provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB\n",
        )
    )
    assert memory[0]["provisonedMemoryMB"] == "128"
    used = float(memory[0]["maxMemoryUsedMB"])
    assert 0 < used <= 128
    assert float(memory[0]["overProvisionedMB"]) == 128 - used
    prints = _rows(
        _query(
            logs,
            f"/aws/lambda/{text_fn}",
            "filter @message like /^plain/ | parse @message 'plain *' as n | sort n | display n",
        )
    )
    assert prints == [{"n": "1"}, {"n": "2"}, {"n": "3"}]
    # A Text line's embedded JSON object is discovered too ("[WARNING]\t...\t{...}").
    audits = _rows(
        _query(
            logs,
            f"/aws/lambda/{text_fn}",
            "filter ispresent(audit.order) | stats sum(audit.order) as total, "
            "count_distinct(@@who) as who",
        )
    )
    assert audits == [{"total": "6", "who": "1"}]


@pytest.mark.parametrize(
    ("text", "start", "shown"),
    [
        ("fields @message |", 17, "<EOF>"),
        ("filtr @message", 0, "filtr"),
        ("fields @message | stats nosuch(x)", 24, "nosuch"),
        ("filter x = ", 11, "<EOF>"),
        ("fields a | sort a | limit zero", 26, "zero"),
    ],
)
def test_malformed_queries_answer_the_position(
    logs: Any, app_group: str, text: str, start: int, shown: str
) -> None:
    now = int(time.time())
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(logGroupName=app_group, startTime=now - 60, endTime=now, queryString=text)
    response = _error(info)
    assert response["Error"]["Code"] == "MalformedQueryException"
    compile_error = response["queryCompileError"]
    assert compile_error["location"]["startCharOffset"] == start
    assert compile_error["message"] == (
        f"unexpected symbol found {shown} at line 1 and position {start}"
    )


def test_bad_parameters(logs: Any, app_group: str) -> None:
    now = int(time.time())
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(
            logGroupName="/insights/none", startTime=now - 60, endTime=now, queryString="fields a"
        )
    assert _error(info)["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(startTime=now - 60, endTime=now, queryString="fields a")
    assert _error(info)["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(logGroupName=app_group, startTime=now, endTime=now - 60, queryString="x")
    assert _error(info)["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "endTime cannot be less than startTime",
    }
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(
            logGroupNames=[app_group] * 51, startTime=now - 60, endTime=now, queryString="fields a"
        )
    assert _error(info)["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.start_query(
            logGroupName=app_group,
            startTime=now - 60,
            endTime=now,
            queryString="SELECT * FROM x",
            queryLanguage="SQL",
        )
    assert _error(info)["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.get_query_results(queryId="00000000-0000-0000-0000-000000000000")
    assert _error(info)["Error"]["Code"] == "ResourceNotFoundException"


def test_stop_and_describe_queries(logs: Any, app_group: str) -> None:
    finished = _query(logs, app_group, "fields @logStream")
    assert finished["status"] == "Complete"
    now = int(time.time())
    query_id = logs.start_query(
        logGroupName=app_group, startTime=now - 3600, endTime=now, queryString="fields @message"
    )["queryId"]
    stopped = logs.stop_query(queryId=query_id)["success"]
    answer = _results(logs, query_id)
    assert answer["status"] == ("Cancelled" if stopped else "Complete")
    assert logs.stop_query(queryId=query_id)["success"] is False
    found = logs.describe_queries(logGroupName=app_group)["queries"]
    mine = next(q for q in found if q["queryId"] == query_id)
    assert mine["queryString"] == "fields @message" and mine["logGroupName"] == app_group
    assert mine["status"] == answer["status"]
    complete = logs.describe_queries(logGroupName=app_group, status="Complete")["queries"]
    assert complete and all(q["status"] == "Complete" for q in complete)
    page = logs.describe_queries(logGroupName=app_group, maxResults=1)
    assert len(page["queries"]) == 1 and "nextToken" in page


def test_test_metric_filter(logs: Any) -> None:
    messages = ["ERROR one", "INFO two", '{"level": "ERROR", "ms": 5}', "ERROR three"]
    matches = logs.test_metric_filter(filterPattern="ERROR", logEventMessages=messages)["matches"]
    assert [(m["eventNumber"], m["eventMessage"]) for m in matches] == [
        (1, "ERROR one"),
        (3, '{"level": "ERROR", "ms": 5}'),
        (4, "ERROR three"),
    ]
    assert all(m["extractedValues"] == {} for m in matches)
    json_matches = logs.test_metric_filter(
        filterPattern='{ $.level = "ERROR" }', logEventMessages=messages
    )["matches"]
    assert [(m["eventNumber"], m["extractedValues"]) for m in json_matches] == [
        (3, {"$.level": "ERROR"})
    ]
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.test_metric_filter(filterPattern="{ $.a = ", logEventMessages=["x"])
    assert _error(info)["Error"] == {
        "Code": "InvalidParameterException",
        "Message": "Invalid filter pattern: { $.a =",
    }


def test_query_definitions_and_results_survive_a_restart(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        logs = server.client("logs")
        logs.create_log_group(logGroupName="/kept")
        logs.create_log_stream(logGroupName="/kept", logStreamName="s")
        logs.put_log_events(
            logGroupName="/kept",
            logStreamName="s",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": '{"ms": 7}'}],
        )
        answered = _query(logs, "/kept", "fields ms")
        query_id = logs.describe_queries(logGroupName="/kept")["queries"][0]["queryId"]
        now = int(time.time())
        # Killed at once: whether it had run or not, it is answered after the restart.
        pending = logs.start_query(
            logGroupName="/kept", startTime=now - 60, endTime=now + 60, queryString="stats sum(ms)"
        )["queryId"]
        first = logs.put_query_definition(
            name="errors/by-level", queryString="stats count(*) by level", logGroupNames=["/a"]
        )["queryDefinitionId"]
        second = logs.put_query_definition(name="slow", queryString="filter ms > 100")[
            "queryDefinitionId"
        ]
        assert (
            logs.put_query_definition(
                queryDefinitionId=second, name="slow", queryString="filter ms > 200"
            )["queryDefinitionId"]
            == second
        )
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.put_query_definition(
                queryDefinitionId="00000000-0000-0000-0000-000000000000",
                name="x",
                queryString="fields a",
            )
        assert _error(info)["Error"]["Code"] == "ResourceNotFoundException"
        server.kill()
        server.start()
        logs = server.client("logs")
        again = logs.get_query_results(queryId=query_id)
        assert again["status"] == "Complete" and again["results"] == answered["results"]
        assert again["statistics"]["recordsMatched"] == 1.0
        assert {q["queryId"] for q in logs.describe_queries()["queries"]} == {query_id, pending}
        assert _rows(_results(logs, pending)) == [{"sum(ms)": "7"}]
        found = logs.describe_query_definitions()["queryDefinitions"]
        assert [(d["name"], d["queryString"]) for d in found] == [
            ("errors/by-level", "stats count(*) by level"),
            ("slow", "filter ms > 200"),
        ]
        assert found[0]["logGroupNames"] == ["/a"] and found[0]["queryDefinitionId"] == first
        prefixed = logs.describe_query_definitions(queryDefinitionNamePrefix="errors")
        assert [d["name"] for d in prefixed["queryDefinitions"]] == ["errors/by-level"]
        page = logs.describe_query_definitions(maxResults=1)
        assert len(page["queryDefinitions"]) == 1 and page["nextToken"]
        assert logs.delete_query_definition(queryDefinitionId=first)["success"] is True
        with pytest.raises(botocore.exceptions.ClientError) as info:
            logs.delete_query_definition(queryDefinitionId=first)
        assert _error(info)["Error"]["Code"] == "ResourceNotFoundException"
        assert [d["name"] for d in logs.describe_query_definitions()["queryDefinitions"]] == [
            "slow"
        ]
    finally:
        server.stop()


def test_a_group_bigger_than_a_read_chunk(logs: Any) -> None:
    group = unique_name("/insights/big")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    base = (int(time.time()) - 300) * 1000
    for batch in range(3):
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[
                {"timestamp": base + batch, "message": json.dumps({"n": batch * 5000 + i})}
                for i in range(5000)
            ],
        )
    rows = _rows(_query(logs, group, "stats count(*) as n, sum(n) as total, max(n) as top"))
    assert rows == [{"n": "15000", "total": str(sum(range(15000))), "top": "14999"}]
    answer = _query(logs, group, "filter n % 2 = 1 and n < 20 | fields n | sort n asc")
    assert [r["n"] for r in _rows(answer)] == [str(n) for n in range(1, 20, 2)]
    assert answer["statistics"]["recordsScanned"] == 15000.0
    answer = _query(logs, group, "fields n")
    assert len(answer["results"]) == 10000  # StartQuery's default limit
    assert answer["statistics"]["recordsMatched"] == 15000.0
