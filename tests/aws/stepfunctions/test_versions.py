"""State machine versions and aliases over boto3 against a real server.

Expected answers and messages are AWS's, as LocalStack's versioning and aliasing snapshot
tests recorded them against AWS (and the API reference for what they do not cover).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    asl,
    assert_error,
    create_machine,
    unique,
    wait_finished,
)
from tests.conftest import ROLE


def result_machine(value: str) -> str:
    """A definition whose execution outputs ``{"v": value}``: which definition ran."""
    return asl({"P": {"Type": "Pass", "Result": {"v": value}, "End": True}})


def waiting_machine(value: str, seconds: int = 2) -> str:
    return asl(
        {
            "W": {"Type": "Wait", "Seconds": seconds, "Next": "P"},
            "P": {"Type": "Pass", "Result": {"v": value}, "End": True},
        }
    )


def ran(sfn: Any, execution_arn: str) -> str:
    described = wait_finished(sfn, execution_arn)
    assert described["status"] == "SUCCEEDED", described
    return str(json.loads(described["output"])["v"])


def publish(sfn: Any, arn: str, **kwargs: Any) -> str:
    return str(
        sfn.publish_state_machine_version(stateMachineArn=arn, **kwargs)["stateMachineVersionArn"]
    )


def routes(*pairs: tuple[str, int]) -> list[dict[str, Any]]:
    return [{"stateMachineVersionArn": arn, "weight": weight} for arn, weight in pairs]


def version_pages(sfn: Any, arn: str, size: int) -> list[list[dict[str, Any]]]:
    """Every page of ListStateMachineVersions (botocore has no paginator for it)."""
    pages: list[list[dict[str, Any]]] = []
    token: dict[str, str] = {}
    while True:
        page = sfn.list_state_machine_versions(stateMachineArn=arn, maxResults=size, **token)
        pages.append(page["stateMachineVersions"])
        if "nextToken" not in page:
            return pages
        token = {"nextToken": page["nextToken"]}


# -- publishing ------------------------------------------------------------------------
def test_create_with_publish_answers_version_one(sfn: Any) -> None:
    created = sfn.create_state_machine(
        name=unique(),
        definition=result_machine("a"),
        roleArn=ROLE,
        publish=True,
        versionDescription="first",
    )
    assert created["stateMachineVersionArn"] == f"{created['stateMachineArn']}:1"
    version = sfn.describe_state_machine(stateMachineArn=created["stateMachineVersionArn"])
    assert version["stateMachineArn"] == created["stateMachineVersionArn"]
    assert version["description"] == "first"
    assert version["definition"] == result_machine("a")
    assert version["status"] == "ACTIVE"


def test_version_description_without_publish_is_refused(sfn: Any) -> None:
    name = unique()
    with pytest.raises(sfn.exceptions.ValidationException) as error:
        sfn.create_state_machine(
            name=name, definition=result_machine("a"), roleArn=ROLE, versionDescription="x"
        )
    assert_error(
        error, "ValidationException", "Version description can only be set when publish is true"
    )
    assert not [m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == name]
    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.ValidationException) as error:
        sfn.update_state_machine(stateMachineArn=arn, definition=PASS_B, versionDescription="x")
    assert_error(
        error, "ValidationException", "Version description can only be set when publish is true"
    )
    assert sfn.describe_state_machine(stateMachineArn=arn)["definition"] != PASS_B


PASS_B = result_machine("b")


def test_update_with_publish_numbers_versions_and_keeps_each_definition(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("a"))
    first = sfn.update_state_machine(
        stateMachineArn=arn, definition=result_machine("b"), publish=True
    )
    second = sfn.update_state_machine(
        stateMachineArn=arn, definition=result_machine("c"), publish=True, versionDescription="c"
    )
    assert first["stateMachineVersionArn"] == f"{arn}:1"
    assert second["stateMachineVersionArn"] == f"{arn}:2"
    v1 = sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    v2 = sfn.describe_state_machine(stateMachineArn=f"{arn}:2")
    assert v1["definition"] == result_machine("b") and "description" not in v1
    assert (v2["definition"], v2["description"]) == (result_machine("c"), "c")
    assert v1["revisionId"] == first["revisionId"]
    latest = sfn.describe_state_machine(stateMachineArn=arn)
    assert latest["definition"] == result_machine("c")
    listed = sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{arn}:2", f"{arn}:1"]


def test_publishing_an_unchanged_revision_answers_the_existing_version(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("a"))
    first = sfn.publish_state_machine_version(stateMachineArn=arn)
    again = sfn.publish_state_machine_version(stateMachineArn=arn, description="other")
    assert again["stateMachineVersionArn"] == first["stateMachineVersionArn"] == f"{arn}:1"
    assert again["creationDate"] == first["creationDate"]
    # an update that changes nothing keeps the revision: still version 1
    same = sfn.update_state_machine(
        stateMachineArn=arn, definition=result_machine("a"), publish=True
    )
    assert same["stateMachineVersionArn"] == f"{arn}:1"
    assert len(sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]) == 1


def test_publish_checks_the_revision_id(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("a"))
    assert publish(sfn, arn, revisionId="INITIAL") == f"{arn}:1"
    old = sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("b"))[
        "revisionId"
    ]
    current = sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("c"))[
        "revisionId"
    ]
    with pytest.raises(sfn.exceptions.ConflictException) as error:
        sfn.publish_state_machine_version(stateMachineArn=arn, revisionId=old)
    assert_error(
        error,
        "ConflictException",
        f"Failed to publish the State Machine version for revision {old}. "
        f"The current State Machine revision is {current}.",
    )
    assert len(sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"]) == 1
    assert publish(sfn, arn, revisionId=current) == f"{arn}:2"


def test_version_numbers_are_never_reused(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("a"), publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("b"), publish=True)
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:2")
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("c"))
    assert publish(sfn, arn) == f"{arn}:3"


def test_delete_version_is_idempotent_and_the_version_is_gone(sfn: Any) -> None:
    arn = create_machine(sfn, publish=True)
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.describe_state_machine(stateMachineArn=f"{arn}:1")
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}:1'")


def test_version_operations_on_unknown_machines_and_bad_arns(sfn: Any) -> None:
    missing = create_machine(sfn)
    sfn.delete_state_machine(stateMachineArn=missing)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.publish_state_machine_version(stateMachineArn=missing)
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{missing}'")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.list_state_machine_versions(stateMachineArn=missing)
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.publish_state_machine_version(stateMachineArn="not-an-arn")
    assert_error(error, "InvalidArn", "Invalid Arn: 'not-an-arn'")
    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.delete_state_machine_version(stateMachineVersionArn=arn)


def test_update_of_a_version_arn_is_refused(sfn: Any) -> None:
    arn = create_machine(sfn, publish=True)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.update_state_machine(stateMachineArn=f"{arn}:1", definition=result_machine("x"))
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}:1'")


def test_a_huge_version_description_is_refused_and_nothing_is_published(raw_sfn: Any) -> None:
    arn = create_machine(raw_sfn)
    with pytest.raises(raw_sfn.exceptions.ValidationException) as error:
        raw_sfn.publish_state_machine_version(stateMachineArn=arn, description="d" * 1_000_000)
    assert_error(
        error,
        "ValidationException",
        "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 256",
    )
    with pytest.raises(raw_sfn.exceptions.ValidationException):
        raw_sfn.update_state_machine(
            stateMachineArn=arn, definition=PASS_B, publish=True, versionDescription="d" * 257
        )
    assert raw_sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
    assert raw_sfn.describe_state_machine(stateMachineArn=arn)["definition"] != PASS_B


def test_a_thousand_versions_list_in_pages_and_the_next_one_is_over_quota(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("0"))
    for n in range(1, 1001):
        sfn.update_state_machine(
            stateMachineArn=arn, definition=result_machine(str(n)), publish=True
        )
    pages = version_pages(sfn, arn, 77)
    listed = [v["stateMachineVersionArn"] for page in pages for v in page]
    assert listed == [f"{arn}:{n}" for n in range(1000, 0, -1)]
    assert len(pages) == 13
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("over"))
    with pytest.raises(sfn.exceptions.ServiceQuotaExceededException):
        sfn.publish_state_machine_version(stateMachineArn=arn)
    assert sum(len(page) for page in version_pages(sfn, arn, 1000)) == 1000
    assert sfn.describe_state_machine(stateMachineArn=f"{arn}:500")["definition"] == result_machine(
        "500"
    )


def test_list_versions_refuses_a_bad_token(sfn: Any) -> None:
    arn = create_machine(sfn, publish=True)
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.list_state_machine_versions(stateMachineArn=arn, nextToken="garbage")
    assert_error(error, "ValidationException", "Invalid Token: 'garbage'")


def test_deleting_the_machine_deletes_its_versions_and_aliases(sfn: Any) -> None:
    name = unique()
    arn = create_machine(sfn, result_machine("a"), name=name, publish=True)
    alias = sfn.create_state_machine_alias(
        name="live", routingConfiguration=routes((f"{arn}:1", 100))
    )
    sfn.delete_state_machine(stateMachineArn=arn)
    again = create_machine(sfn, result_machine("b"), name=name)
    assert again == arn
    assert sfn.list_state_machine_versions(stateMachineArn=arn)["stateMachineVersions"] == []
    assert sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=alias["stateMachineAliasArn"])
    assert publish(sfn, arn) == f"{arn}:1"


# -- executions of versions ---------------------------------------------------------------
def test_an_execution_of_a_version_runs_that_version_after_an_update(sfn: Any) -> None:
    arn = create_machine(sfn, waiting_machine("old"), publish=True)
    started = sfn.start_execution(stateMachineArn=f"{arn}:1")
    sfn.update_state_machine(stateMachineArn=arn, definition=waiting_machine("new", 0))
    assert ran(sfn, started["executionArn"]) == "old"
    described = sfn.describe_execution(executionArn=started["executionArn"])
    assert described["stateMachineArn"] == arn
    assert described["stateMachineVersionArn"] == f"{arn}:1"
    assert "stateMachineAliasArn" not in described
    ran_definition = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert ran_definition["definition"] == waiting_machine("old")
    # the machine itself runs the new definition, and a new version of it too
    assert ran(sfn, sfn.start_execution(stateMachineArn=arn)["executionArn"]) == "new"
    v2 = publish(sfn, arn)
    assert ran(sfn, sfn.start_execution(stateMachineArn=v2)["executionArn"]) == "new"
    again = sfn.start_execution(stateMachineArn=f"{arn}:1")
    assert ran(sfn, again["executionArn"]) == "old"


def test_list_executions_of_a_version(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("a"), publish=True)
    plain = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    of_version = sfn.start_execution(stateMachineArn=f"{arn}:1")["executionArn"]
    wait_finished(sfn, plain)
    wait_finished(sfn, of_version)
    listed = sfn.list_executions(stateMachineArn=f"{arn}:1")["executions"]
    assert [e["executionArn"] for e in listed] == [of_version]
    assert listed[0]["stateMachineVersionArn"] == f"{arn}:1"
    everything = {e["executionArn"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]}
    assert everything == {plain, of_version}


def test_starting_an_unknown_version_is_refused(sfn: Any) -> None:
    arn = create_machine(sfn)
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.start_execution(stateMachineArn=f"{arn}:7")
    assert_error(error, "StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}:7'")


def test_start_sync_execution_of_an_express_version(sfn: Any) -> None:
    arn = create_machine(sfn, result_machine("one"), type="EXPRESS", publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("two"))
    answered = sfn.start_sync_execution(stateMachineArn=f"{arn}:1")
    assert json.loads(answered["output"]) == {"v": "one"}
    assert answered["stateMachineArn"] == arn


# -- aliases -----------------------------------------------------------------------------
@pytest.fixture
def two_versions(sfn: Any) -> str:
    arn = create_machine(sfn, result_machine("one"), publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("two"), publish=True)
    sfn.update_state_machine(stateMachineArn=arn, definition=result_machine("latest"))
    return arn


def test_alias_lifecycle(sfn: Any, two_versions: str) -> None:
    arn = two_versions
    created = sfn.create_state_machine_alias(
        name="live", description="d", routingConfiguration=routes((f"{arn}:1", 100))
    )
    alias = created["stateMachineAliasArn"]
    assert alias == f"{arn}:live"
    again = sfn.create_state_machine_alias(
        name="live", description="d", routingConfiguration=routes((f"{arn}:1", 100))
    )
    assert again["creationDate"] == created["creationDate"]
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["name"] == "live" and described["description"] == "d"
    assert described["routingConfiguration"] == routes((f"{arn}:1", 100))
    updated = sfn.update_state_machine_alias(
        stateMachineAliasArn=alias, routingConfiguration=routes((f"{arn}:1", 30), (f"{arn}:2", 70))
    )
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == routes((f"{arn}:1", 30), (f"{arn}:2", 70))
    assert described["updateDate"] == updated["updateDate"]
    assert described["description"] == "d"
    sfn.create_state_machine_alias(name="beta", routingConfiguration=routes((f"{arn}:2", 100)))
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [alias, f"{arn}:beta"]
    of_v1 = sfn.list_state_machine_aliases(stateMachineArn=f"{arn}:1")["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in of_v1] == [alias]
    paged = sfn.list_state_machine_aliases(stateMachineArn=arn, maxResults=1)
    assert len(paged["stateMachineAliases"]) == 1 and paged["nextToken"]
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    listed = sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"]
    assert [a["stateMachineAliasArn"] for a in listed] == [f"{arn}:beta"]


def test_alias_not_idempotent_with_other_settings(sfn: Any, two_versions: str) -> None:
    arn = two_versions
    sfn.create_state_machine_alias(name="live", routingConfiguration=routes((f"{arn}:1", 100)))
    for kwargs in (
        {"routingConfiguration": routes((f"{arn}:2", 100))},
        {"routingConfiguration": routes((f"{arn}:1", 100)), "description": "other"},
    ):
        with pytest.raises(sfn.exceptions.ConflictException) as error:
            sfn.create_state_machine_alias(name="live", **kwargs)
        assert_error(
            error,
            "ConflictException",
            "Failed to create alias because an alias with the same name and a different "
            "routing configuration already exists.",
        )
    routing = sfn.describe_state_machine_alias(stateMachineAliasArn=f"{arn}:live")
    assert routing["routingConfiguration"] == routes((f"{arn}:1", 100))


@pytest.mark.parametrize(
    ("routing", "message"),
    [
        pytest.param(
            lambda a: routes((a, 100)),
            lambda a: (
                f"Routing configuration must contain state machine version ARNs. Received: [{a}]"
            ),
            id="machine-arn",
        ),
        pytest.param(
            lambda a: routes((f"{a}:1", 50), (f"{a}:1", 50)),
            lambda a: (
                "Routing configuration must contain distinct state machine version ARNs. "
                f"Received: [{a}:1, {a}:1]"
            ),
            id="duplicate",
        ),
        pytest.param(
            lambda a: routes((f"{a}:1", 70), (f"{a}:2", 29)),
            lambda a: "Sum of routing configuration weights must equal 100. Received: [70, 29]",
            id="sum-below-100",
        ),
        pytest.param(
            lambda a: routes((f"{a}:1", 70), (f"{a}:2", 31)),
            lambda a: "Sum of routing configuration weights must equal 100. Received: [70, 31]",
            id="sum-above-100",
        ),
        pytest.param(
            lambda a: routes((f"{a}:1", 101)),
            lambda a: (
                "1 validation error detected: Value '101' at "
                "'routingConfiguration.1.member.weight' failed to satisfy constraint: "
                "Member must have value less than or equal to 100"
            ),
            id="weight-over-100",
        ),
    ],
)
def test_bad_routing_is_refused(
    raw_sfn: Any, two_versions: str, routing: Any, message: Any
) -> None:
    arn = two_versions
    with pytest.raises(raw_sfn.exceptions.ValidationException) as error:
        raw_sfn.create_state_machine_alias(name="bad", routingConfiguration=routing(arn))
    assert_error(error, "ValidationException", message(arn))
    assert raw_sfn.list_state_machine_aliases(stateMachineArn=arn)["stateMachineAliases"] == []


@pytest.mark.parametrize("name", ["123", "INVALID ALIAS", "!INVALID", "ALIAS@", "A" * 81])
def test_bad_alias_names_are_refused(raw_sfn: Any, two_versions: str, name: str) -> None:
    with pytest.raises(raw_sfn.exceptions.ValidationException) as error:
        raw_sfn.create_state_machine_alias(
            name=name, routingConfiguration=routes((f"{two_versions}:1", 100))
        )
    assert_error(
        error,
        "ValidationException",
        f"1 validation error detected: Value '{name}' at 'name'",
        prefix=True,
    )


def test_alias_of_an_unknown_version_is_refused(sfn: Any, two_versions: str) -> None:
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.create_state_machine_alias(
            name="ghost", routingConfiguration=routes((f"{two_versions}:9", 100))
        )
    assert sfn.list_state_machine_aliases(stateMachineArn=two_versions)["stateMachineAliases"] == []


def test_unknown_alias_answers(sfn: Any, two_versions: str) -> None:
    ghost = f"{two_versions}:ghost"
    with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
        sfn.update_state_machine_alias(stateMachineAliasArn=ghost, description="x")
    assert_error(error, "ResourceNotFound", "Request references a resource that does not exist.")
    with pytest.raises(sfn.exceptions.ResourceNotFound):
        sfn.describe_state_machine_alias(stateMachineAliasArn=ghost)
    sfn.delete_state_machine_alias(stateMachineAliasArn=ghost)  # deleting nothing succeeds
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.start_execution(stateMachineArn=ghost)


def test_a_version_an_alias_routes_to_cannot_be_deleted(sfn: Any, two_versions: str) -> None:
    arn = two_versions
    sfn.create_state_machine_alias(
        name="live", routingConfiguration=routes((f"{arn}:1", 50), (f"{arn}:2", 50))
    )
    with pytest.raises(sfn.exceptions.ConflictException) as error:
        sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")
    assert_error(
        error,
        "ConflictException",
        "Version to be deleted must not be referenced by an alias. Current list of aliases "
        "referencing this version: [live]",
    )
    assert sfn.describe_state_machine(stateMachineArn=f"{arn}:1")["definition"] == result_machine(
        "one"
    )
    sfn.update_state_machine_alias(
        stateMachineAliasArn=f"{arn}:live", routingConfiguration=routes((f"{arn}:2", 100))
    )
    sfn.delete_state_machine_version(stateMachineVersionArn=f"{arn}:1")


@pytest.mark.parametrize(
    ("weights", "expected"), [((100, 0), "one"), ((0, 100), "two")], ids=["100-0", "0-100"]
)
def test_alias_with_a_zero_weight_always_runs_the_other_version(
    sfn: Any, two_versions: str, weights: tuple[int, int], expected: str
) -> None:
    arn = two_versions
    alias = sfn.create_state_machine_alias(
        name="split",
        routingConfiguration=routes((f"{arn}:1", weights[0]), (f"{arn}:2", weights[1])),
    )["stateMachineAliasArn"]
    version = f"{arn}:1" if expected == "one" else f"{arn}:2"
    for _ in range(20):
        started = sfn.start_execution(stateMachineArn=alias)["executionArn"]
        assert ran(sfn, started) == expected
        described = sfn.describe_execution(executionArn=started)
        assert described["stateMachineAliasArn"] == alias
        assert described["stateMachineVersionArn"] == version
        assert described["stateMachineArn"] == arn
        ran_definition = sfn.describe_state_machine_for_execution(executionArn=started)
        assert ran_definition["definition"] == result_machine(expected)
    listed = sfn.list_executions(stateMachineArn=alias)["executions"]
    assert len(listed) == 20 and all(e["stateMachineAliasArn"] == alias for e in listed)


def test_an_even_split_runs_both_versions(sfn: Any, two_versions: str) -> None:
    arn = two_versions
    alias = sfn.create_state_machine_alias(
        name="even", routingConfiguration=routes((f"{arn}:1", 50), (f"{arn}:2", 50))
    )["stateMachineAliasArn"]
    started = [sfn.start_execution(stateMachineArn=alias)["executionArn"] for _ in range(60)]
    seen = {ran(sfn, execution) for execution in started}
    assert seen == {"one", "two"}  # (1/2)**59 chance of a false failure
