"""TagResource/UntagResource/ListTagsForResource on state machines and activities."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import (
    activity_arn,
    assert_error,
    create_machine,
    machine_arn,
    unique,
)
from tests.conftest import ROLE


def tags_of(sfn: Any, arn: str) -> dict[str, str]:
    return {t["key"]: t["value"] for t in sfn.list_tags_for_resource(resourceArn=arn)["tags"]}


@pytest.fixture(params=["stateMachine", "activity"])
def resource(request: pytest.FixtureRequest, sfn: Any) -> str:
    if request.param == "stateMachine":
        return create_machine(sfn)
    return str(sfn.create_activity(name=unique("act"))["activityArn"])


def test_tag_list_untag(sfn: Any, resource: str) -> None:
    assert tags_of(sfn, resource) == {}
    sfn.tag_resource(
        resourceArn=resource, tags=[{"key": "team", "value": "ops"}, {"key": "env", "value": "dev"}]
    )
    assert tags_of(sfn, resource) == {"team": "ops", "env": "dev"}
    sfn.tag_resource(resourceArn=resource, tags=[{"key": "env", "value": "prod"}])
    assert tags_of(sfn, resource) == {"team": "ops", "env": "prod"}
    sfn.untag_resource(resourceArn=resource, tagKeys=["team", "not-there"])
    assert tags_of(sfn, resource) == {"env": "prod"}


def test_tags_given_at_creation(sfn: Any) -> None:
    arn = create_machine(sfn, tags=[{"key": "a", "value": "1"}])
    assert tags_of(sfn, arn) == {"a": "1"}
    activity = sfn.create_activity(name=unique("act"), tags=[{"key": "b", "value": "2"}])
    assert tags_of(sfn, activity["activityArn"]) == {"b": "2"}


def test_too_many_tags_are_refused_and_none_stored(sfn: Any, resource: str) -> None:
    sfn.tag_resource(resourceArn=resource, tags=[{"key": "keep", "value": "me"}])
    many = [{"key": f"k{i}", "value": "v"} for i in range(50)]
    with pytest.raises(sfn.exceptions.ClientError) as error:
        sfn.tag_resource(resourceArn=resource, tags=many)
    assert_error(error, "ValidationException", "The number of tags exceeds the maximum of 50.")
    assert tags_of(sfn, resource) == {"keep": "me"}


@pytest.mark.parametrize(
    "arn", [machine_arn("never-made"), activity_arn("never-made")], ids=["machine", "activity"]
)
def test_unknown_resources(sfn: Any, arn: str) -> None:
    for call in (
        lambda: sfn.list_tags_for_resource(resourceArn=arn),
        lambda: sfn.tag_resource(resourceArn=arn, tags=[{"key": "k", "value": "v"}]),
        lambda: sfn.untag_resource(resourceArn=arn, tagKeys=["k"]),
    ):
        with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
            call()
        assert_error(error, "ResourceNotFound", f"Resource not found: '{arn}'")
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):  # tagging created nothing
        sfn.describe_state_machine(stateMachineArn=machine_arn("never-made"))


def test_invalid_resource_arn(sfn: Any) -> None:
    with pytest.raises(sfn.exceptions.InvalidArn) as error:
        sfn.list_tags_for_resource(resourceArn="arn:aws:iam::000000000000:role/x")
    assert_error(error, "InvalidArn", "Invalid Arn: 'arn:aws:iam::000000000000:role/x'")
    with pytest.raises(sfn.exceptions.InvalidArn):
        sfn.tag_resource(resourceArn=ROLE, tags=[{"key": "k", "value": "v"}])


def test_tags_of_a_deleted_machine_are_gone(sfn: Any) -> None:
    name = unique()
    arn = create_machine(sfn, name=name, tags=[{"key": "old", "value": "1"}])
    sfn.delete_state_machine(stateMachineArn=arn)
    create_machine(sfn, name=name)
    assert tags_of(sfn, arn) == {}
