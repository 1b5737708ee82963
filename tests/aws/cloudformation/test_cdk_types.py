"""The resource types and behaviours the CDK's bootstrap stack and apps need, each through
boto3 against a real server: SSM parameters (through our own SSM API), ECR repositories
and KMS keys and aliases (records), buckets with encryption, public access blocks, ACLs and
noncurrent-version lifecycle rules, stack parameters of SSM types, and DeleteChangeSet of
a name that holds no change set."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.aws.cloudformation.conftest import aws_error, outputs, settle, stack_name, wait_stack
from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def ssm(server: ServerProcess) -> Any:
    return server.client("ssm")


def _failure(cfn: Any, name: str) -> tuple[str, str]:
    """The stack's status once settled, and the first failed resource's reason."""
    status = settle(cfn, name)["StackStatus"]
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    reasons = [
        e.get("ResourceStatusReason", "")
        for e in events
        if e["ResourceStatus"] == "CREATE_FAILED"
        and e["ResourceType"] != "AWS::CloudFormation::Stack"
    ]
    return status, reasons[0] if reasons else ""


def _bootstrap_like(tag: str) -> dict[str, Any]:
    return {
        "Resources": {
            "Version": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": f"/cdk-bootstrap/{tag}/version",
                    "Type": "String",
                    "Value": "34",
                    "Description": "the bootstrap version",
                    "Tags": {"owner": "cdk"},
                },
            },
            "Generated": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Type": "StringList", "Value": "a,b"},
            },
            "Repo": {
                "Type": "AWS::ECR::Repository",
                "Properties": {
                    "RepositoryName": f"cdk-{tag}-container-assets",
                    "ImageTagMutability": "IMMUTABLE",
                    "LifecyclePolicy": {"LifecyclePolicyText": json.dumps({"rules": []})},
                },
            },
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": []}}},
            "KeyAlias": {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": f"alias/cdk-{tag}", "TargetKeyId": {"Ref": "Key"}},
            },
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "AccessControl": "Private",
                    "BucketEncryption": {
                        "ServerSideEncryptionConfiguration": [
                            {
                                "ServerSideEncryptionByDefault": {
                                    "SSEAlgorithm": "aws:kms",
                                    "KMSMasterKeyID": {"Fn::GetAtt": ["Key", "Arn"]},
                                }
                            }
                        ]
                    },
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": True,
                        "BlockPublicPolicy": True,
                        "IgnorePublicAcls": True,
                        "RestrictPublicBuckets": True,
                    },
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LifecycleConfiguration": {
                        "Rules": [
                            {
                                "Id": "CleanupOldVersions",
                                "Status": "Enabled",
                                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                            }
                        ]
                    },
                },
            },
        },
        "Outputs": {
            "Generated": {"Value": {"Ref": "Generated"}},
            "GeneratedValue": {"Value": {"Fn::GetAtt": ["Generated", "Value"]}},
            "RepoArn": {"Value": {"Fn::GetAtt": ["Repo", "Arn"]}},
            "RepoUri": {"Value": {"Fn::GetAtt": ["Repo", "RepositoryUri"]}},
            "KeyArn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}},
            "Alias": {"Value": {"Ref": "KeyAlias"}},
            "Bucket": {"Value": {"Ref": "Bucket"}},
        },
    }


def test_bootstrap_types_create_update_delete(cfn: Any, ssm: Any, server: ServerProcess) -> None:
    tag = uuid.uuid4().hex[:8]
    name = stack_name("boot")
    template = _bootstrap_like(tag)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    out = outputs(wait_stack(cfn, name))

    version = ssm.get_parameter(Name=f"/cdk-bootstrap/{tag}/version")["Parameter"]
    assert (version["Value"], version["Type"], version["Version"]) == ("34", "String", 1)
    assert ssm.list_tags_for_resource(
        ResourceType="Parameter", ResourceId=f"/cdk-bootstrap/{tag}/version"
    )["TagList"] == [{"Key": "owner", "Value": "cdk"}]
    generated = ssm.get_parameter(Name=out["Generated"])["Parameter"]
    assert out["Generated"].startswith(f"CFN-{name}-Generated-")
    assert (generated["Type"], generated["Value"], out["GeneratedValue"]) == (
        "StringList",
        "a,b",
        "a,b",
    )
    assert out["RepoArn"] == (
        f"arn:aws:ecr:us-east-1:000000000000:repository/cdk-{tag}-container-assets"
    )
    assert out["RepoUri"] == (
        f"000000000000.dkr.ecr.us-east-1.amazonaws.com/cdk-{tag}-container-assets"
    )
    assert out["KeyArn"].startswith("arn:aws:kms:us-east-1:000000000000:key/")
    assert out["Alias"] == f"alias/cdk-{tag}"

    s3 = server.client("s3")
    rules = s3.get_bucket_encryption(Bucket=out["Bucket"])["ServerSideEncryptionConfiguration"]
    assert rules["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": out["KeyArn"],
    }
    block = s3.get_public_access_block(Bucket=out["Bucket"])["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=out["Bucket"])["Rules"]
    assert lifecycle[0]["ID"] == "CleanupOldVersions"
    assert lifecycle[0]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 30

    # An update writes a new version of the parameter and its tags, in place.
    props = template["Resources"]["Version"]["Properties"]
    props["Value"] = "35"
    props["Tags"] = {"stage": "two"}
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template))
    wait_stack(cfn, name, "stack_update_complete")
    version = ssm.get_parameter(Name=f"/cdk-bootstrap/{tag}/version")["Parameter"]
    assert (version["Value"], version["Version"]) == ("35", 2)
    assert ssm.list_tags_for_resource(
        ResourceType="Parameter", ResourceId=f"/cdk-bootstrap/{tag}/version"
    )["TagList"] == [{"Key": "stage", "Value": "two"}]

    s3.delete_bucket(Bucket=out["Bucket"])  # so the stack's delete has nothing to refuse
    cfn.delete_stack(StackName=name)
    cfn.get_waiter("stack_delete_complete").wait(
        StackName=name, WaiterConfig={"Delay": 0.2, "MaxAttempts": 600}
    )
    for parameter in (f"/cdk-bootstrap/{tag}/version", out["Generated"]):
        assert aws_error(lambda p=parameter: ssm.get_parameter(Name=p))[0] == "ParameterNotFound"


@pytest.mark.parametrize(
    ("resource", "reason"),
    [
        (
            {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "SecureString", "Value": "x"}},
            "#/Type: SecureString is not a valid enum value",
        ),
        (
            {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String"}},
            "#: required key [Value] not found",
        ),
        (
            {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "a/b", "Type": "String", "Value": "x"},
            },
            "Parameter name must be a fully qualified name.",
        ),
        (
            {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": "/p",
                    "Type": "String",
                    "Value": "x",
                    "AllowedPattern": "^[0-9]+$",
                },
            },
            "ParameterPatternMismatchException",
        ),
        (
            {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "Upper"}},
            "#/RepositoryName",
        ),
        (
            {
                "Type": "AWS::ECR::Repository",
                "Properties": {"LifecyclePolicy": {"LifecyclePolicyText": "{not json"}},
            },
            "Invalid parameter",
        ),
        (
            {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "AES_9"}},
            "#/KeySpec: AES_9 is not a valid enum value",
        ),
        (
            {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "alias/aws/mine", "TargetKeyId": "k"},
            },
            "reserved for AWS managed keys",
        ),
        (
            {
                "Type": "AWS::KMS::Alias",
                "Properties": {"AliasName": "no-prefix", "TargetKeyId": "k"},
            },
            "#/AliasName",
        ),
        (
            {"Type": "AWS::KMS::Alias", "Properties": {"AliasName": "alias/x"}},
            "#: required key [TargetKeyId] not found",
        ),
    ],
)
def test_bad_properties_fail_the_resource(cfn: Any, resource: dict[str, Any], reason: str) -> None:
    name = stack_name("bad")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps({"Resources": {"Thing": resource}}))
    status, message = _failure(cfn, name)
    assert status == "ROLLBACK_COMPLETE"
    assert reason in message


def test_stack_parameters_of_ssm_types(cfn: Any, ssm: Any) -> None:
    root = f"/s{uuid.uuid4().hex[:8]}"
    ssm.put_parameter(Name=f"{root}/version", Value="21", Type="String")
    ssm.put_parameter(Name=f"{root}/zones", Value="a, b", Type="StringList")
    template = {
        "Parameters": {
            "Version": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": f"{root}/version"},
            "Zones": {
                "Type": "AWS::SSM::Parameter::Value<List<String>>",
                "Default": f"{root}/zones",
            },
            "Named": {"Type": "AWS::SSM::Parameter::Name", "Default": f"{root}/version"},
        },
        "Rules": {
            "CheckVersion": {
                "Assertions": [
                    {
                        "Assert": {"Fn::Not": [{"Fn::Contains": [["1", "2"], {"Ref": "Version"}]}]},
                        "AssertDescription": "too old",
                    }
                ]
            }
        },
        "Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
        "Outputs": {
            "Version": {"Value": {"Ref": "Version"}},
            "Zones": {"Value": {"Fn::Join": ["|", {"Ref": "Zones"}]}},
            "Named": {"Value": {"Ref": "Named"}},
        },
    }
    name = stack_name("ssmp")
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = wait_stack(cfn, name)
    assert outputs(stack) == {"Version": "21", "Zones": "a|b", "Named": f"{root}/version"}
    shown = {p["ParameterKey"]: p for p in stack["Parameters"]}
    assert shown["Version"] == {
        "ParameterKey": "Version",
        "ParameterValue": f"{root}/version",
        "ResolvedValue": "21",
    }
    assert shown["Named"] == {"ParameterKey": "Named", "ParameterValue": f"{root}/version"}
    # An update resolves the parameter again (UsePreviousValue too).
    ssm.put_parameter(Name=f"{root}/version", Value="22", Overwrite=True)
    template["Outputs"]["Extra"] = {"Value": "x"}
    cfn.update_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "Version", "UsePreviousValue": True}],
    )
    assert outputs(wait_stack(cfn, name, "stack_update_complete"))["Version"] == "22"

    template["Parameters"]["Version"]["Default"] = f"{root}/none"
    code, message = aws_error(
        lambda: cfn.create_stack(StackName=stack_name("ssmp"), TemplateBody=json.dumps(template))
    )
    assert code == "ValidationError"
    assert message == (
        f"Unable to fetch parameters [{root}/none] from parameter store for this account."
    )


def test_delete_change_set_by_a_name_that_holds_none(cfn: Any) -> None:
    name = stack_name("dcs")
    template = {"Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}}}
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    wait_stack(cfn, name)
    # As on AWS: the stack exists, so deleting a change set it does not have succeeds
    # (the CDK does this before each CreateChangeSet).
    cfn.delete_change_set(StackName=name, ChangeSetName="never-made")
    code, _ = aws_error(
        lambda: cfn.delete_change_set(StackName=stack_name("none"), ChangeSetName="never-made")
    )
    assert code == "ChangeSetNotFound"
    code, _ = aws_error(
        lambda: cfn.delete_change_set(
            ChangeSetName="arn:aws:cloudformation:us-east-1:000000000000:changeSet/x/"
            "00000000-0000-0000-0000-000000000000"
        )
    )
    assert code == "ChangeSetNotFound"
