"""State machines through boto3: Create/Update/Describe/List/Delete and validation.

Every refused call checks AWS's error code and message and that nothing was stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    PASS,
    all_pages,
    asl,
    assert_error,
    create_machine,
    machine_arn,
    unique,
    wait_then_pass,
)
from tests.conftest import ROLE

NO_END = asl({"X": {"Type": "Pass"}})


def machine_names(sfn: Any) -> set[str]:
    return {m["name"] for m in all_pages(sfn, "list_state_machines", "stateMachines")}


def assert_no_machine(sfn: Any, name: str) -> None:
    """Nothing was stored under ``name``: Describe says so and List does not show it."""
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=machine_arn(name))
    assert name not in machine_names(sfn)


# -- create and describe ---------------------------------------------------------------
@pytest.mark.parametrize("machine_type", ["STANDARD", "EXPRESS"])
def test_create_and_describe(sfn: Any, machine_type: str) -> None:
    name = unique()
    created = sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE, type=machine_type)
    assert created["stateMachineArn"] == machine_arn(name)
    described = sfn.describe_state_machine(stateMachineArn=created["stateMachineArn"])
    assert described["name"] == name
    assert described["status"] == "ACTIVE"
    assert described["type"] == machine_type
    assert described["definition"] == PASS
    assert described["roleArn"] == ROLE
    assert described["creationDate"] == created["creationDate"]
    assert described["loggingConfiguration"]["level"] == "OFF"
    assert described["tracingConfiguration"] == {"enabled": False}
    assert described["revisionId"]
    listed = {m["name"]: m for m in all_pages(sfn, "list_state_machines", "stateMachines")}
    assert listed[name]["type"] == machine_type
    assert listed[name]["stateMachineArn"] == created["stateMachineArn"]


def test_create_is_idempotent_for_the_same_settings(sfn: Any) -> None:
    name = unique()
    first = sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE)
    again = sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE)
    assert again["stateMachineArn"] == first["stateMachineArn"]
    assert again["creationDate"] == first["creationDate"]
    assert sorted(machine_names(sfn)).count(name) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"definition": wait_then_pass(1)},
        {"roleArn": "arn:aws:iam::000000000000:role/other"},
        {"type": "EXPRESS"},
    ],
    ids=["definition", "role", "type"],
)
def test_create_with_other_settings_is_refused(sfn: Any, change: dict[str, str]) -> None:
    name = unique()
    arn = create_machine(sfn, name=name)
    params = {"name": name, "definition": PASS, "roleArn": ROLE, **change}
    with pytest.raises(sfn.exceptions.StateMachineAlreadyExists) as error:
        sfn.create_state_machine(**params)
    assert_error(error, "StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
    described = sfn.describe_state_machine(stateMachineArn=arn)
    assert (described["definition"], described["roleArn"], described["type"]) == (
        PASS,
        ROLE,
        "STANDARD",
    )


# -- bad inputs ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("definition", "codes"),
    [
        (NO_END, ["SCHEMA_VALIDATION_FAILED", "MISSING_END_STATE"]),
        (asl({"X": {"Type": "Pass", "Next": "Nowhere"}}), ["MISSING_TRANSITION_TARGET"]),
        (json.dumps({"StartAt": "X", "States": {}}), ["SCHEMA_VALIDATION_FAILED"]),
        (asl({"X": {"Type": "Teleport", "End": True}}), ["SCHEMA_VALIDATION_FAILED"]),
        ("not json at all", ["INVALID_JSON_DESCRIPTION"]),
    ],
    ids=["no-end", "missing-target", "no-states", "unknown-type", "not-json"],
)
def test_create_refuses_an_invalid_definition(sfn: Any, definition: str, codes: list[str]) -> None:
    name = unique()
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE)
    response = assert_error(
        error, "InvalidDefinition", "Invalid State Machine Definition: '", prefix=True
    )
    message = response["Error"]["Message"]
    for code in codes:
        assert code in message, message
    assert_no_machine(sfn, name)


def test_invalid_definition_names_state_and_field(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        create_machine(
            sfn, asl({"Go": {"Type": "Wait", "Next": "Go2"}, "Go2": {"Type": "Succeed"}})
        )
    message = assert_error(error, "InvalidDefinition")["Error"]["Message"]
    assert "/States/Go" in message, message


@pytest.mark.parametrize(
    "name",
    ["has space", "a/b", "star*", "tab\tname", "new\nline", "q?", "semi;colon"],
    ids=["space", "slash", "star", "tab", "newline", "question", "semicolon"],
)
def test_create_refuses_an_invalid_name(sfn: Any, name: str) -> None:
    with pytest.raises(sfn.exceptions.InvalidName) as error:
        sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE)
    assert_error(error, "InvalidName", f"Invalid Name: '{name}'")
    assert name not in machine_names(sfn)


def test_create_refuses_an_invalid_role(sfn: Any) -> None:
    name = unique()
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.create_state_machine(name=name, definition=PASS, roleArn="not-a-role")
    assert_error(error, "InvalidArn", prefix=True, message="Invalid Arn: '")
    assert_no_machine(sfn, name)


def test_create_refuses_an_unknown_type(raw_sfn: Any) -> None:
    name = unique()
    with pytest.raises(raw_sfn.exceptions.ClientError) as error:
        raw_sfn.create_state_machine(name=name, definition=PASS, roleArn=ROLE, type="TURBO")
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value 'TURBO' at 'type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [STANDARD, EXPRESS]",
    )
    assert_no_machine(raw_sfn, name)


@pytest.mark.parametrize(
    ("arn", "code", "message"),
    [
        ("garbage", "InvalidArn", "Invalid Arn: 'garbage'"),
        (
            "arn:aws:states:us-east-1:000000000000:activity:a",
            "InvalidArn",
            "Invalid Arn: 'Resource type not valid in this context: activity'",
        ),
        (
            machine_arn("never-created"),
            "StateMachineDoesNotExist",
            f"State Machine Does Not Exist: '{machine_arn('never-created')}'",
        ),
    ],
    ids=["garbage", "activity-arn", "unknown"],
)
def test_describe_bad_arns(sfn: Any, arn: str, code: str, message: str) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.describe_state_machine(stateMachineArn=arn)
    assert_error(error, code, message)


# -- list ------------------------------------------------------------------------------
def test_list_pages_with_max_results(sfn: Any) -> None:
    names = {create_machine(sfn).rsplit(":", 1)[1] for _ in range(3)}
    seen: list[str] = []
    token = None
    while True:
        kwargs = {"maxResults": 2, **({"nextToken": token} if token else {})}
        page = sfn.list_state_machines(**kwargs)
        assert len(page["stateMachines"]) <= 2
        seen.extend(m["name"] for m in page["stateMachines"])
        token = page.get("nextToken")
        if not token:
            break
    assert names <= set(seen)
    assert len(seen) == len(set(seen)), "a machine was listed twice"


@pytest.mark.parametrize(
    ("value", "bound"),
    [(1001, "less than or equal to 1000"), (-1, "greater than or equal to 0")],
)
def test_list_refuses_max_results_out_of_range(raw_sfn: Any, value: int, bound: str) -> None:
    with pytest.raises(raw_sfn.exceptions.ClientError) as error:
        raw_sfn.list_state_machines(maxResults=value)
    assert_error(
        error,
        "ValidationException",
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy "
        f"constraint: Member must have value {bound}",
    )


def test_list_refuses_a_bad_next_token(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.list_state_machines(nextToken="not-a-token")
    assert_error(error, "ValidationException", "Invalid Token: 'not-a-token'")


# -- update ----------------------------------------------------------------------------
def test_update_changes_definition_role_and_revision(sfn: Any) -> None:
    arn = create_machine(sfn)
    before = sfn.describe_state_machine(stateMachineArn=arn)
    other_role = "arn:aws:iam::000000000000:role/updated"
    updated = sfn.update_state_machine(
        stateMachineArn=arn, definition=wait_then_pass(0), roleArn=other_role
    )
    assert updated["revisionId"] != before["revisionId"]
    after = sfn.describe_state_machine(stateMachineArn=arn)
    assert after["definition"] == wait_then_pass(0)
    assert after["roleArn"] == other_role
    assert after["revisionId"] == updated["revisionId"]
    assert after["creationDate"] == before["creationDate"]
    assert updated["updateDate"] >= before["creationDate"]


def test_update_refuses_an_invalid_definition_and_keeps_the_old_one(sfn: Any) -> None:
    arn = create_machine(sfn)
    before = sfn.describe_state_machine(stateMachineArn=arn)
    with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
        sfn.update_state_machine(stateMachineArn=arn, definition=NO_END)
    assert_error(error, "InvalidDefinition", "Invalid State Machine Definition: '", prefix=True)
    after = sfn.describe_state_machine(stateMachineArn=arn)
    assert (after["definition"], after["revisionId"]) == (
        before["definition"],
        before["revisionId"],
    )


def test_update_needs_something_to_change(sfn: Any) -> None:
    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.update_state_machine(stateMachineArn=arn)
    assert_error(
        error,
        "ValidationException",
        "Either the definition, the role ARN, the LoggingConfiguration, or the "
        "TracingConfiguration must be specified",
    )


def test_update_of_an_unknown_machine(sfn: Any) -> None:
    arn = machine_arn(unique())
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.update_state_machine(stateMachineArn=arn, definition=PASS)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    assert arn.rsplit(":", 1)[1] not in machine_names(sfn)


def test_update_refuses_an_invalid_role(sfn: Any) -> None:
    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.update_state_machine(stateMachineArn=arn, roleArn="role")
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == ROLE


# -- delete ----------------------------------------------------------------------------
def test_delete(sfn: Any) -> None:
    name = unique()
    arn = create_machine(sfn, name=name)
    sfn.delete_state_machine(stateMachineArn=arn)
    assert_no_machine(sfn, name)
    # the name is free again
    assert create_machine(sfn, wait_then_pass(0), name=name) == arn
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] == wait_then_pass(0)


def test_delete_refuses_an_invalid_arn(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.delete_state_machine(stateMachineArn="arn:aws:states:us-east-1:1:stateMachine:x")
    assert_error(error, "InvalidArn", "Invalid Arn: 'arn:aws:states:us-east-1:1:stateMachine:x'")


# -- ValidateStateMachineDefinition -----------------------------------------------------
def test_validate_ok(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=wait_then_pass(1))
    assert result["result"] == "OK"
    assert result["diagnostics"] == []


def test_validate_reports_each_problem_with_its_location(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=NO_END)
    assert result["result"] == "FAIL"
    found = {(d["severity"], d["code"], d.get("location")) for d in result["diagnostics"]}
    assert ("ERROR", "SCHEMA_VALIDATION_FAILED", "/States/X") in found
    assert all(d["message"] for d in result["diagnostics"])
    assert result["truncated"] is False


def test_validate_truncates_to_max_results(sfn: Any) -> None:
    result = sfn.validate_state_machine_definition(definition=NO_END, maxResults=1)
    assert len(result["diagnostics"]) == 1
    assert result["truncated"] is True


def test_validate_does_not_store_anything(sfn: Any) -> None:
    before = machine_names(sfn)
    sfn.validate_state_machine_definition(definition=PASS)
    assert machine_names(sfn) == before
