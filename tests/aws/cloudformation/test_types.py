"""The type registry's read side: the AWS resource types Stratus deploys, described as
AWS's public types are; others are TypeNotFoundException."""

from __future__ import annotations

from typing import Any

import pytest

from stratus.services.stacks.resources.registry import HANDLERS
from tests.aws.cloudformation.conftest import aws_error
from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def west(server: ServerProcess) -> Any:
    return server.client("cloudformation", region="eu-west-1")


def test_describe_type_by_name_and_arn(west: Any) -> None:
    described = west.describe_type(Type="RESOURCE", TypeName="AWS::S3::Bucket")
    assert described["Arn"] == "arn:aws:cloudformation:eu-west-1::type/resource/AWS-S3-Bucket"
    assert described["TypeName"] == "AWS::S3::Bucket"
    assert described["Type"] == "RESOURCE"
    assert described["IsDefaultVersion"] is True
    assert described["Visibility"] == "PUBLIC"
    assert described["ProvisioningType"] == "FULLY_MUTABLE"
    assert described["DeprecatedStatus"] == "LIVE"
    assert "Schema" not in described
    by_arn = west.describe_type(Arn=described["Arn"])
    assert by_arn["TypeName"] == "AWS::S3::Bucket"
    version = west.describe_type(
        Type="RESOURCE", TypeName="AWS::Lambda::LayerVersion", VersionId="00000001"
    )
    assert version["ProvisioningType"] == "IMMUTABLE"
    # A version's provisioned concurrency can be updated in place.
    assert (
        west.describe_type(Type="RESOURCE", TypeName="AWS::Lambda::Version")["ProvisioningType"]
        == "FULLY_MUTABLE"
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"Type": "RESOURCE", "TypeName": "AWS::Serverless::Api"},
            "The type 'AWS::Serverless::Api' cannot be found.",
        ),
        (
            {"Type": "RESOURCE", "TypeName": "AWS::EC2::Instance"},
            "The type 'AWS::EC2::Instance' cannot be found.",
        ),
        (
            {"Type": "MODULE", "TypeName": "AWS::S3::Bucket::MODULE"},
            "The type 'AWS::S3::Bucket::MODULE' cannot be found.",
        ),
        (
            {"Arn": "arn:aws:cloudformation:eu-west-1::type/resource/AWS-EC2-VPC"},
            "The type 'arn:aws:cloudformation:eu-west-1::type/resource/AWS-EC2-VPC' cannot be found.",
        ),
        (
            {"Type": "RESOURCE", "TypeName": "AWS::S3::Bucket", "VersionId": "00000002"},
            "The type 'AWS::S3::Bucket' with version '00000002' cannot be found.",
        ),
    ],
    ids=["sam-type", "unsupported", "module", "arn", "version"],
)
def test_unknown_types(west: Any, params: dict[str, str], message: str) -> None:
    assert aws_error(lambda: west.describe_type(**params)) == ("TypeNotFoundException", message)


def test_describe_type_needs_a_name_or_an_arn(west: Any) -> None:
    assert aws_error(lambda: west.describe_type(Type="RESOURCE")) == (
        "CFNRegistryException",
        "Must specify either Arn or TypeName",
    )
    assert aws_error(
        lambda: west.describe_type(
            TypeName="AWS::S3::Bucket",
            Arn="arn:aws:cloudformation:eu-west-1::type/resource/AWS-S3-Bucket",
        )
    ) == ("CFNRegistryException", "Specify either Arn or TypeName, not both")


def test_list_types(west: Any) -> None:
    # Private types are listed by default: Stratus registers none.
    assert west.list_types()["TypeSummaries"] == []
    public = west.list_types(Visibility="PUBLIC")["TypeSummaries"]
    names = [t["TypeName"] for t in public]
    assert names == sorted(
        k for k in HANDLERS if k.startswith("AWS::") and k != "AWS::CDK::Metadata"
    )
    bucket = next(t for t in public if t["TypeName"] == "AWS::S3::Bucket")
    assert bucket["TypeArn"] == "arn:aws:cloudformation:eu-west-1::type/resource/AWS-S3-Bucket"
    immutable = west.list_types(Visibility="PUBLIC", ProvisioningType="IMMUTABLE")["TypeSummaries"]
    assert "AWS::Lambda::LayerVersion" in [t["TypeName"] for t in immutable]
    assert "AWS::S3::Bucket" not in [t["TypeName"] for t in immutable]
    sqs = west.list_types(
        Visibility="PUBLIC", Filters={"Category": "AWS_TYPES", "TypeNamePrefix": "AWS::SQS::"}
    )["TypeSummaries"]
    assert [t["TypeName"] for t in sqs] == ["AWS::SQS::Queue", "AWS::SQS::QueuePolicy"]
    assert west.list_types(Visibility="PUBLIC", Type="HOOK")["TypeSummaries"] == []
    assert west.list_types(Filters={"Category": "THIRD_PARTY"})["TypeSummaries"] == []


def test_list_type_versions(west: Any) -> None:
    versions = west.list_type_versions(Type="RESOURCE", TypeName="AWS::SQS::Queue")[
        "TypeVersionSummaries"
    ]
    assert versions == [
        {
            "Type": "RESOURCE",
            "TypeName": "AWS::SQS::Queue",
            "VersionId": "00000001",
            "IsDefaultVersion": True,
            "Arn": "arn:aws:cloudformation:eu-west-1::type/resource/AWS-SQS-Queue/00000001",
        }
    ]
    assert aws_error(
        lambda: west.list_type_versions(Type="RESOURCE", TypeName="AWS::EC2::Instance")
    ) == ("TypeNotFoundException", "The type 'AWS::EC2::Instance' cannot be found.")


def test_list_types_pages(west: Any) -> None:
    everything = west.list_types(Visibility="PUBLIC")["TypeSummaries"]
    first = west.list_types(Visibility="PUBLIC", MaxResults=5)
    assert first["TypeSummaries"] == everything[:5]
    second = west.list_types(Visibility="PUBLIC", MaxResults=5, NextToken=first["NextToken"])
    assert second["TypeSummaries"] == everything[5:10]
    paged = [
        t["TypeName"]
        for p in west.get_paginator("list_types").paginate(
            Visibility="PUBLIC", PaginationConfig={"PageSize": 7}
        )
        for t in p["TypeSummaries"]
    ]
    assert paged == [t["TypeName"] for t in everything]
