"""Usage plans' counters (apigateway v1): GetUsage reads what the gateway counted as it
enforced the quota, UpdateUsage grants more for the current period, ImportApiKeys reads
AWS's CSV key files; the counts survive a kill -9."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess, unique_name
from tests.gateway.conftest import path_url


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def _keyed_mock_api(apigw_v1: Any) -> str:
    """A deployed API whose GET / (MOCK, 200) needs an API key."""
    api_id: str = apigw_v1.create_rest_api(name="usage")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        authorizationType="NONE",
        apiKeyRequired=True,
    )
    apigw_v1.put_integration(
        restApiId=api_id,
        resourceId=root,
        httpMethod="GET",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw_v1.put_method_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200"
    )
    apigw_v1.put_integration_response(
        restApiId=api_id, resourceId=root, httpMethod="GET", statusCode="200"
    )
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def _plan_with_key(apigw_v1: Any, api_id: str, limit: int, offset: int = 0) -> tuple[str, str, str]:
    value = unique_name("usagekey") + "x" * 10
    key = apigw_v1.create_api_key(name=unique_name("k"), enabled=True, value=value)
    plan = apigw_v1.create_usage_plan(
        name=unique_name("plan"),
        apiStages=[{"apiId": api_id, "stage": "prod"}],
        quota={"limit": limit, "period": "DAY", "offset": offset},
    )
    apigw_v1.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return plan["id"], key["id"], value


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def test_get_usage_reads_the_gateways_counts(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = _keyed_mock_api(apigw_v1)
    plan_id, key_id, value = _plan_with_key(apigw_v1, api_id, 3)
    _, idle_key, _ = _plan_with_key(apigw_v1, api_id, 3)
    apigw_v1.create_usage_plan_key(usagePlanId=plan_id, keyId=idle_key, keyType="API_KEY")
    url = path_url(server, api_id, "/prod/")
    statuses = [httpx.get(url, headers={"x-api-key": value}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    today = _today()
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    usage = apigw_v1.get_usage(usagePlanId=plan_id, startDate=yesterday, endDate=today)
    assert usage["usagePlanId"] == plan_id
    assert usage["startDate"] == yesterday and usage["endDate"] == today
    # [used, remaining] per day; the refused request is not counted
    assert usage["items"][key_id] == [[0, 3], [3, 0]]
    assert usage["items"][idle_key] == [[0, 3], [0, 3]]
    one = apigw_v1.get_usage(usagePlanId=plan_id, keyId=key_id, startDate=today, endDate=today)
    assert one["items"] == {key_id: [[3, 0]]}
    first = apigw_v1.get_usage(usagePlanId=plan_id, startDate=today, endDate=today, limit=1)
    assert len(first["items"]) == 1 and first["position"]
    second = apigw_v1.get_usage(
        usagePlanId=plan_id, startDate=today, endDate=today, limit=1, position=first["position"]
    )
    assert set(first["items"]) | set(second["items"]) == {key_id, idle_key}
    assert "position" not in second


def test_update_usage_grants_the_remaining_quota(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = _keyed_mock_api(apigw_v1)
    plan_id, key_id, value = _plan_with_key(apigw_v1, api_id, 1)
    url = path_url(server, api_id, "/prod/")
    assert httpx.get(url, headers={"x-api-key": value}).status_code == 200
    refused = httpx.get(url, headers={"x-api-key": value})
    assert refused.status_code == 429 and refused.json() == {"message": "Limit Exceeded"}
    updated = apigw_v1.update_usage(
        usagePlanId=plan_id,
        keyId=key_id,
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "2"}],
    )
    assert updated["items"] == {key_id: [[1, 2]]}
    assert updated["endDate"] == _today()
    statuses = [httpx.get(url, headers={"x-api-key": value}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    usage = apigw_v1.get_usage(usagePlanId=plan_id, startDate=_today(), endDate=_today())
    assert usage["items"][key_id] == [[3, 0]]


def test_quota_offset_takes_from_the_first_period(server: ServerProcess, apigw_v1: Any) -> None:
    api_id = _keyed_mock_api(apigw_v1)
    plan_id, key_id, value = _plan_with_key(apigw_v1, api_id, 3, offset=2)
    url = path_url(server, api_id, "/prod/")
    statuses = [httpx.get(url, headers={"x-api-key": value}).status_code for _ in range(2)]
    assert statuses == [200, 429]
    usage = apigw_v1.get_usage(usagePlanId=plan_id, startDate=_today(), endDate=_today())
    assert usage["items"][key_id] == [[1, 0]]
    updated = apigw_v1.update_usage(
        usagePlanId=plan_id,
        keyId=key_id,
        patchOperations=[{"op": "replace", "path": "/remaining", "value": "1"}],
    )
    assert updated["items"][key_id] == [[1, 1]]
    statuses = [httpx.get(url, headers={"x-api-key": value}).status_code for _ in range(2)]
    assert statuses == [200, 429]


def test_usage_refusals(apigw_v1: Any) -> None:
    api_id = _keyed_mock_api(apigw_v1)
    plan_id, key_id, _ = _plan_with_key(apigw_v1, api_id, 5)
    today = _today()
    cases: list[tuple[dict[str, Any], str, str]] = [
        (
            {"usagePlanId": "nope00", "startDate": today, "endDate": today},
            "NotFoundException",
            "Invalid Usage Plan ID specified",
        ),
        (
            {"usagePlanId": plan_id, "startDate": "2024/01/01", "endDate": today},
            "BadRequestException",
            "Invalid startDate: 2024/01/01. The date must be in the format yyyy-MM-dd",
        ),
        (
            {"usagePlanId": plan_id, "startDate": today, "endDate": "2001-01-01"},
            "BadRequestException",
            "The end date must not be before the start date",
        ),
        (
            {"usagePlanId": plan_id, "startDate": today, "endDate": today, "keyId": "nokey"},
            "NotFoundException",
            "Invalid API Key identifier specified",
        ),
    ]
    for params, code, message in cases:
        with pytest.raises(ClientError) as excinfo:
            apigw_v1.get_usage(**params)
        assert _error(excinfo) == (code, message), params
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_usage(
            usagePlanId=plan_id,
            keyId=key_id,
            patchOperations=[{"op": "add", "path": "/used", "value": "1"}],
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid patch path '/used' specified for op 'add'. Must be one of: [/remaining]",
    )
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_usage(
            usagePlanId=plan_id,
            keyId=key_id,
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "-1"}],
        )
    assert _error(excinfo)[0] == "BadRequestException"
    # nothing was granted by the refused patches
    usage = apigw_v1.get_usage(usagePlanId=plan_id, startDate=today, endDate=today)
    assert usage["items"][key_id] == [[0, 5]]
    bare = apigw_v1.create_usage_plan(name=unique_name("bare"))
    other = apigw_v1.create_api_key(name="bare-key", enabled=True)
    apigw_v1.create_usage_plan_key(usagePlanId=bare["id"], keyId=other["id"], keyType="API_KEY")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_usage(
            usagePlanId=bare["id"],
            keyId=other["id"],
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "3"}],
        )
    assert _error(excinfo) == (
        "BadRequestException",
        f"Usage plan {bare['id']} does not have a quota",
    )


def test_import_api_keys_from_csv(apigw_v1: Any) -> None:
    first = apigw_v1.create_usage_plan(name=unique_name("imp"))["id"]
    second = apigw_v1.create_usage_plan(name=unique_name("imp"))["id"]
    stem = unique_name("imported").replace("-", "")
    body = (
        "Enabled,Name,key,UsageplanIds,extra\n"
        f'true,one,{stem}aaaaaaaaaaaaaaaa,"{first},{second}",ignored\n'
        f"false,two,{stem}bbbbbbbbbbbbbbbb,,\n"
    )
    answer = apigw_v1.import_api_keys(body=body.encode(), format="csv")
    assert len(answer["ids"]) == 2 and "warnings" not in answer
    one = apigw_v1.get_api_key(apiKey=answer["ids"][0], includeValue=True)
    assert one["name"] == "one" and one["enabled"] is True
    assert one["value"] == f"{stem}aaaaaaaaaaaaaaaa"
    two = apigw_v1.get_api_key(apiKey=answer["ids"][1])
    assert two["name"] == "two" and two["enabled"] is False
    for plan in (first, second):
        keys = apigw_v1.get_usage_plan_keys(usagePlanId=plan)["items"]
        assert [k["id"] for k in keys] == [answer["ids"][0]]
    # the same key value again overwrites the key (columns in another order, any case)
    again = apigw_v1.import_api_keys(
        body=f"KEY,name,Description\n{stem}bbbbbbbbbbbbbbbb,renamed,now described\n".encode(),
        format="csv",
    )
    assert again["ids"] == [answer["ids"][1]]
    renamed = apigw_v1.get_api_key(apiKey=answer["ids"][1])
    assert renamed["name"] == "renamed" and renamed["description"] == "now described"
    assert renamed["enabled"] is True


def test_import_api_keys_warnings_and_refusals(apigw_v1: Any) -> None:
    stem = unique_name("warned").replace("-", "")
    body = f"name,key,usageplanids\nshort,tooshort,\ngood,{stem}cccccccccccccccc,\nbad,{stem}dddddddddddddddd,noplan\n"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.import_api_keys(body=body.encode(), format="csv", failOnWarnings=True)
    code, message = _error(excinfo)
    assert code == "BadRequestException" and message.startswith("Import failed with warnings")
    assert not [
        k for k in apigw_v1.get_api_keys(limit=500)["items"] if k["name"] in ("good", "bad")
    ]
    answer = apigw_v1.import_api_keys(body=body.encode(), format="csv")
    assert len(answer["ids"]) == 1
    assert answer["warnings"] == [
        "Line 2: API Key value must be between 20 and 128 characters",
        "Line 4: Invalid Usage Plan ID specified: noplan",
    ]
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.import_api_keys(body=b"name,description\nx,y\n", format="csv")
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid API key file: the header must have a 'Key' column",
    )


def test_usage_survives_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw_v1 = server.client("apigateway")
        api_id = _keyed_mock_api(apigw_v1)
        plan_id, key_id, value = _plan_with_key(apigw_v1, api_id, 2)
        url = path_url(server, api_id, "/prod/")
        assert httpx.get(url, headers={"x-api-key": value}).status_code == 200
        apigw_v1.update_usage(
            usagePlanId=plan_id,
            keyId=key_id,
            patchOperations=[{"op": "replace", "path": "/remaining", "value": "2"}],
        )
        server.kill()
        server.start()
        apigw_v1 = server.client("apigateway")
        usage = apigw_v1.get_usage(usagePlanId=plan_id, startDate=_today(), endDate=_today())
        assert usage["items"] == {key_id: [[1, 2]]}
        statuses = [httpx.get(url, headers={"x-api-key": value}).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    finally:
        server.stop()
