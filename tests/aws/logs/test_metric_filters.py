"""Metric filters' limits and listings: 100 per group, DescribeMetricFilters by prefix,
by metric and in pages, the refusals AWS answers, and an update keeping its creation
time. (Kept and listed only: no metric is published, docs/logs.md.)"""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from tests.conftest import ServerProcess, unique_name


@pytest.fixture(scope="module")
def logs(server: ServerProcess) -> Any:
    return server.client("logs")


def _error(info: pytest.ExceptionInfo[botocore.exceptions.ClientError]) -> tuple[str, str]:
    error = info.value.response["Error"]
    return error["Code"], error["Message"]


def _transformation(name: str = "Errors", **extra: Any) -> dict[str, Any]:
    return {"metricName": name, "metricNamespace": "App", "metricValue": "1", **extra}


def test_a_hundred_filters_per_group_listed_in_pages(logs: Any) -> None:
    group = unique_name("/metrics/many")
    logs.create_log_group(logGroupName=group)
    for n in range(100):
        logs.put_metric_filter(
            logGroupName=group,
            filterName=f"f-{n:03d}",
            filterPattern="ERROR",
            metricTransformations=[_transformation("Even" if n % 2 == 0 else "Odd")],
        )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_metric_filter(
            logGroupName=group,
            filterName="one-too-many",
            filterPattern="ERROR",
            metricTransformations=[_transformation()],
        )
    assert _error(info) == ("LimitExceededException", "Resource limit exceeded.")
    # Replacing an existing filter is no new filter.
    logs.put_metric_filter(
        logGroupName=group,
        filterName="f-000",
        filterPattern="WARN",
        metricTransformations=[_transformation("Even")],
    )
    names: list[str] = []
    token: str | None = None
    while True:
        page = logs.describe_metric_filters(
            logGroupName=group, limit=30, **({"nextToken": token} if token else {})
        )
        names += [f["filterName"] for f in page["metricFilters"]]
        token = page.get("nextToken")
        if not token:
            break
    assert names == [f"f-{n:03d}" for n in range(100)]
    prefixed = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="f-09")
    assert [f["filterName"] for f in prefixed["metricFilters"]] == [
        f"f-{n:03d}" for n in range(90, 100)
    ]
    odd = logs.describe_metric_filters(logGroupName=group, metricName="Odd", metricNamespace="App")[
        "metricFilters"
    ]
    assert len(odd) == 50 and all(f["filterName"][-1] in "13579" for f in odd)
    first = logs.describe_metric_filters(logGroupName=group, filterNamePrefix="f-000")
    assert first["metricFilters"][0]["filterPattern"] == "WARN"
    view = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert view["metricFilterCount"] == 100


def test_refusals(logs: Any) -> None:
    group = unique_name("/metrics/bad")
    logs.create_log_group(logGroupName=group)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_metric_filters(filterNamePrefix="x")
    assert _error(info) == (
        "InvalidParameterException",
        "If you specify filterNamePrefix, you must also specify logGroupName.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_metric_filters(logGroupName=group, metricName="Errors")
    assert _error(info) == (
        "InvalidParameterException",
        "metricName and metricNamespace must be specified together.",
    )
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="[ip, user]",
            metricTransformations=[_transformation()],
        )
    assert _error(info) == ("InvalidParameterException", "Invalid filter pattern: [ip, user]")
    dimensions = {f"D{n}": f"$.d{n}" for n in range(4)}
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="{ $.d0 = * }",
            metricTransformations=[_transformation(dimensions=dimensions)],
        )
    assert _error(info)[0] == "InvalidParameterException"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.put_metric_filter(
            logGroupName=group,
            filterName="f",
            filterPattern="ERROR",
            metricTransformations=[_transformation(), _transformation("Other")],
        )
    assert _error(info)[0] == "InvalidParameterException"
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []
    with pytest.raises(botocore.exceptions.ClientError) as info:
        logs.describe_metric_filters(logGroupName=unique_name("/metrics/none"))
    assert _error(info) == (
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )


def test_an_update_keeps_the_creation_time(logs: Any) -> None:
    group = unique_name("/metrics/upd")
    logs.create_log_group(logGroupName=group)
    logs.put_metric_filter(
        logGroupName=group,
        filterName="f",
        filterPattern="ERROR",
        metricTransformations=[_transformation()],
    )
    before = logs.describe_metric_filters(logGroupName=group)["metricFilters"][0]
    three = {"A": "$.a", "B": "$.b", "C": "$.c"}
    logs.put_metric_filter(
        logGroupName=group,
        filterName="f",
        filterPattern='{ $.a = "x" }',
        metricTransformations=[_transformation(dimensions=three, unit="Count")],
    )
    after = logs.describe_metric_filters(logGroupName=group)["metricFilters"][0]
    assert after["creationTime"] == before["creationTime"]
    assert after["metricTransformations"][0]["dimensions"] == three
    assert after["filterPattern"] == '{ $.a = "x" }'
