"""AWS::StepFunctions::StateMachineVersion and StateMachineAlias, written by hand and as
SAM's AutoPublishAlias emits them, deployed through a real server and checked over boto3."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.cloudformation.conftest import outputs, settle, stack_name, wait_stack
from tests.aws.stepfunctions.conftest import sfn_client, wait_finished
from tests.conftest import ROLE, ServerProcess


@pytest.fixture(scope="module")
def sfn(server: ServerProcess) -> Any:
    return sfn_client(server)


def definition(value: str) -> dict[str, Any]:
    return {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"v": value}, "End": True}}}


def cfn_template(value: str, *, description: str = "v") -> str:
    return json.dumps(
        {
            "Resources": {
                "Machine": {
                    "Type": "AWS::StepFunctions::StateMachine",
                    "Properties": {"Definition": definition(value), "RoleArn": ROLE},
                },
                "Version": {
                    "Type": "AWS::StepFunctions::StateMachineVersion",
                    "Properties": {
                        "StateMachineArn": {"Ref": "Machine"},
                        "StateMachineRevisionId": {
                            "Fn::GetAtt": ["Machine", "StateMachineRevisionId"]
                        },
                        "Description": description,
                    },
                },
                "Alias": {
                    "Type": "AWS::StepFunctions::StateMachineAlias",
                    "Properties": {
                        "Name": "live",
                        "Description": "the live one",
                        "RoutingConfiguration": [
                            {"StateMachineVersionArn": {"Ref": "Version"}, "Weight": 100}
                        ],
                    },
                },
            },
            "Outputs": {
                "Machine": {"Value": {"Ref": "Machine"}},
                "Version": {"Value": {"Ref": "Version"}},
                "VersionArn": {"Value": {"Fn::GetAtt": ["Version", "Arn"]}},
                "Alias": {"Value": {"Ref": "Alias"}},
            },
        }
    )


def run_alias(sfn: Any, alias: str) -> str:
    execution = sfn.start_execution(stateMachineArn=alias)["executionArn"]
    done = wait_finished(sfn, execution)
    assert done["status"] == "SUCCEEDED", done
    return str(json.loads(done["output"])["v"])


def test_version_and_alias_resources(cfn: Any, sfn: Any) -> None:
    name = stack_name("smv")
    stack_id = cfn.create_stack(StackName=name, TemplateBody=cfn_template("one"))["StackId"]
    out = outputs(wait_stack(cfn, name))
    machine, version, alias = out["Machine"], out["Version"], out["Alias"]
    assert version == out["VersionArn"] == f"{machine}:1"
    assert alias == f"{machine}:live"
    described = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    assert described["routingConfiguration"] == [{"stateMachineVersionArn": version, "weight": 100}]
    assert described["description"] == "the live one"
    assert run_alias(sfn, alias) == "one"

    # a new definition: a new revision, so the version is replaced (published anew) and
    # the alias moves to it; the old version is deleted once nothing routes to it
    cfn.update_stack(StackName=name, TemplateBody=cfn_template("two"))
    out = outputs(wait_stack(cfn, name, "stack_update_complete"))
    assert out["Version"] == f"{machine}:2"
    assert run_alias(sfn, alias) == "two"
    listed = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{machine}:2"]

    cfn.delete_stack(StackName=name)
    assert settle(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
        sfn.describe_state_machine(stateMachineArn=machine)


def sam_template(value: str) -> str:
    return json.dumps(
        {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "Flow": {
                    "Type": "AWS::Serverless::StateMachine",
                    "Properties": {
                        "Definition": definition(value),
                        "Role": ROLE,
                        "AutoPublishAlias": "prod",
                    },
                }
            },
            "Outputs": {
                "Machine": {"Value": {"Ref": "Flow"}},
                "Alias": {"Value": {"Ref": "FlowAliasprod"}},
            },
        }
    )


def test_sam_auto_publish_alias(cfn: Any, sfn: Any) -> None:
    name = stack_name("sam-smv")
    stack_id = cfn.create_stack(
        StackName=name, TemplateBody=sam_template("one"), Capabilities=["CAPABILITY_AUTO_EXPAND"]
    )["StackId"]
    stack = wait_stack(cfn, name)
    out = outputs(stack)
    machine, alias = out["Machine"], out["Alias"]
    assert alias == f"{machine}:prod"
    assert run_alias(sfn, alias) == "one"

    cfn.update_stack(
        StackName=name, TemplateBody=sam_template("two"), Capabilities=["CAPABILITY_AUTO_EXPAND"]
    )
    wait_stack(cfn, name, "stack_update_complete")
    assert run_alias(sfn, alias) == "two"
    # SAM retains replaced versions (DeletionPolicy and UpdateReplacePolicy Retain)
    listed = sfn.list_state_machine_versions(stateMachineArn=machine)["stateMachineVersions"]
    assert [v["stateMachineVersionArn"] for v in listed] == [f"{machine}:2", f"{machine}:1"]
    cfn.delete_stack(StackName=name)
    assert settle(cfn, stack_id)["StackStatus"] == "DELETE_COMPLETE"
