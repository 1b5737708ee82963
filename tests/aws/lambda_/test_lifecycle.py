"""A function's lifecycle as Lambda reports it, and boto3's waiters on it.

CreateFunction answers ``State: Pending`` (the code is being extracted), then the function
becomes Active; updates pass through ``LastUpdateStatus: InProgress``. boto3's waiters
poll exactly these members, so each must pass against Stratus.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.lambda_.conftest import read_payload
from tests.conftest import ROLE, create_function, make_zip, unique_name

SOURCE = "def handler(event, context):\n    return 'v1'\n"
FAST = {"Delay": 1, "MaxAttempts": 30}


def test_create_then_active(lambda_client: Any) -> None:
    name = unique_name()
    created = lambda_client.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": make_zip({"app.py": SOURCE})},
    )
    assert created["State"] == "Pending"
    assert created["StateReasonCode"] == "Creating"
    assert created["LastUpdateStatus"] == "InProgress"
    assert created["LastUpdateStatusReason"] == "The function is being created."
    assert created["LastUpdateStatusReasonCode"] == "Creating"
    lambda_client.get_waiter("function_exists").wait(FunctionName=name, WaiterConfig=FAST)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lambda_client.get_waiter("function_active").wait(FunctionName=name, WaiterConfig=FAST)
    config = lambda_client.get_function_configuration(FunctionName=name)
    assert config["State"] == "Active"
    assert config["LastUpdateStatus"] == "Successful"
    for member in (
        "StateReason",
        "StateReasonCode",
        "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode",
    ):
        assert member not in config
    # the transition changes no RevisionId: a client may chain on the one it was given
    assert config["RevisionId"] == created["RevisionId"]


def test_invoke_right_after_create(lambda_client: Any) -> None:
    """No waiting: Invoke settles a Pending function instead of failing (see Invocations)."""
    name = create_function(lambda_client, SOURCE)
    response = lambda_client.invoke(FunctionName=name, Payload=b"{}")
    assert read_payload(response) == "v1"
    assert lambda_client.get_function(FunctionName=name)["Configuration"]["State"] == "Active"


def test_updates_pass_through_in_progress(lambda_client: Any) -> None:
    name = create_function(lambda_client, SOURCE)
    lambda_client.get_waiter("function_active_v2").wait(FunctionName=name, WaiterConfig=FAST)
    updated = lambda_client.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": SOURCE.replace("v1", "v2")})
    )
    assert updated["State"] == "Active"
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["LastUpdateStatusReason"] == "The function is being created."
    assert updated["LastUpdateStatusReasonCode"] == "Creating"
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    lambda_client.get_waiter("function_updated").wait(FunctionName=name, WaiterConfig=FAST)
    assert lambda_client.get_function_configuration(FunctionName=name)["LastUpdateStatus"] == (
        "Successful"
    )
    assert read_payload(lambda_client.invoke(FunctionName=name)) == "v2"

    configured = lambda_client.update_function_configuration(FunctionName=name, Timeout=9)
    assert configured["LastUpdateStatus"] == "InProgress"
    # an update right after another (no waiter) waits for the first instead of failing
    again = lambda_client.update_function_configuration(FunctionName=name, MemorySize=256)
    assert (again["Timeout"], again["MemorySize"]) == (9, 256)
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=name, WaiterConfig=FAST)
    published = lambda_client.publish_version(FunctionName=name)
    assert (published["State"], published["LastUpdateStatus"]) == ("Active", "Successful")


def test_function_exists_waiter_gives_up_on_missing(lambda_client: Any) -> None:
    import botocore.exceptions

    with pytest.raises(botocore.exceptions.WaiterError):
        lambda_client.get_waiter("function_exists").wait(
            FunctionName=unique_name("ghost"), WaiterConfig={"Delay": 1, "MaxAttempts": 2}
        )


def test_list_functions_leaves_out_lifecycle_members(lambda_client: Any) -> None:
    """API_ListFunctions: a subset of the configuration; the states only GetFunction has."""
    name = create_function(lambda_client, SOURCE)
    listed = [
        f
        for page in lambda_client.get_paginator("list_functions").paginate()
        for f in page["Functions"]
        if f["FunctionName"] == name
    ]
    assert len(listed) == 1
    for member in ("State", "StateReason", "LastUpdateStatus", "RuntimeVersionConfig"):
        assert member not in listed[0]
    assert listed[0]["Runtime"] == "python3.11"
