"""AWS::S3::Bucket's properties deployed with CloudFormation and read back with the S3 API:
each setting on create in S3's own shape, an update that changes them in place, one that
removes them, and values S3 refuses, which roll the stack back with S3's message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from tests.aws.cloudformation.conftest import settle, stack_name, wait_stack
from tests.conftest import ServerProcess

ROLE = "arn:aws:iam::000000000000:role/replication"


@pytest.fixture(scope="module")
def s3(server: ServerProcess) -> Any:
    return server.client("s3")


def _error_code(call: Any, **kwargs: Any) -> str:
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(**kwargs)
    return str(info.value.response["Error"]["Code"])


def _template(prefix: str, **bucket: Any) -> str:
    """A stack of a logs bucket, a versioned replica bucket and the bucket under test."""
    resources: dict[str, Any] = {
        "Logs": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"{prefix}-logs"}},
        "Replica": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": f"{prefix}-replica",
                "VersioningConfiguration": {"Status": "Enabled"},
            },
        },
        "Bucket": {
            "Type": "AWS::S3::Bucket",
            "DependsOn": ["Logs", "Replica"],
            "Properties": {"BucketName": f"{prefix}-main", **bucket},
        },
    }
    return json.dumps({"Resources": resources})


def _everything(prefix: str) -> dict[str, Any]:
    replica_arn = f"arn:aws:s3:::{prefix}-replica"
    return {
        "AccelerateConfiguration": {"AccelerationStatus": "Enabled"},
        "LoggingConfiguration": {
            "DestinationBucketName": {"Ref": "Logs"},
            "LogFilePrefix": "access/",
        },
        "VersioningConfiguration": {"Status": "Enabled"},
        "ReplicationConfiguration": {
            "Role": ROLE,
            "Rules": [
                {
                    "Id": "to-replica",
                    "Status": "Enabled",
                    "Priority": 1,
                    "Filter": {
                        "And": {"Prefix": "docs/", "TagFilters": [{"Key": "k", "Value": "v"}]}
                    },
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "Destination": {
                        "Bucket": {"Fn::GetAtt": ["Replica", "Arn"]},
                        "StorageClass": "STANDARD_IA",
                    },
                }
            ],
        },
        "AnalyticsConfigurations": [
            {
                "Id": "by-prefix",
                "Prefix": "reports/",
                "StorageClassAnalysis": {
                    "DataExport": {
                        "OutputSchemaVersion": "V_1",
                        "Destination": {
                            "BucketArn": replica_arn,
                            "Format": "CSV",
                            "BucketAccountId": "000000000000",
                            "Prefix": "analytics",
                        },
                    }
                },
            },
            {"Id": "plain", "StorageClassAnalysis": {}},
        ],
        "InventoryConfigurations": [
            {
                "Id": "weekly",
                "Enabled": "true",
                "Destination": {"BucketArn": replica_arn, "Format": "CSV", "Prefix": "inv"},
                "IncludedObjectVersions": "Current",
                "OptionalFields": ["Size", "ETag"],
                "Prefix": "data/",
                "ScheduleFrequency": "Weekly",
            }
        ],
        "MetricsConfigurations": [
            {"Id": "all"},
            {"Id": "tagged", "Prefix": "img/", "TagFilters": [{"Key": "team", "Value": "a"}]},
        ],
        "IntelligentTieringConfigurations": [
            {
                "Id": "archive",
                "Status": "Enabled",
                "TagFilters": [{"Key": "tier", "Value": "cold"}],
                "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": "90"}],
            }
        ],
        "LifecycleConfiguration": {
            "Rules": [
                {
                    "Id": "age",
                    "Status": "Enabled",
                    "Prefix": "tmp/",
                    "TagFilters": [{"Key": "t", "Value": "1"}],
                    "ExpirationInDays": 365,
                    "Transitions": [{"StorageClass": "GLACIER", "TransitionInDays": 90}],
                    "NoncurrentVersionTransitions": [
                        {"StorageClass": "STANDARD_IA", "TransitionInDays": 30}
                    ],
                },
                {
                    "Id": "uploads",
                    "Status": "Enabled",
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                },
            ]
        },
        "CorsConfiguration": {
            "CorsRules": [
                {
                    "Id": "web",
                    "AllowedMethods": ["GET"],
                    "AllowedOrigins": ["https://a.example"],
                    "ExposedHeaders": ["ETag"],
                    "MaxAge": 300,
                }
            ]
        },
        "WebsiteConfiguration": {
            "IndexDocument": "index.html",
            "RoutingRules": [
                {
                    "RoutingRuleCondition": {"KeyPrefixEquals": "old/"},
                    "RedirectRule": {"ReplaceKeyPrefixWith": "new/"},
                }
            ],
        },
        "BucketEncryption": {
            "ServerSideEncryptionConfiguration": [
                {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
            ]
        },
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": "true", "BlockPublicPolicy": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "Tags": [{"Key": "env", "Value": "test"}],
    }


def test_every_setting_on_create_change_and_removal(cfn: Any, s3: Any) -> None:
    name = stack_name("bkt")
    bucket = f"{name}-main"
    replica_arn = f"arn:aws:s3:::{name}-replica"
    cfn.create_stack(StackName=name, TemplateBody=_template(name, **_everything(name)))
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"

    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {
        "TargetBucket": f"{name}-logs",
        "TargetPrefix": "access/",
    }
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    replication = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    assert replication == {
        "Role": ROLE,
        "Rules": [
            {
                "ID": "to-replica",
                "Priority": 1,
                "Filter": {"And": {"Prefix": "docs/", "Tags": [{"Key": "k", "Value": "v"}]}},
                "Status": "Enabled",
                "Destination": {"Bucket": replica_arn, "StorageClass": "STANDARD_IA"},
                "DeleteMarkerReplication": {"Status": "Disabled"},
            }
        ],
    }
    analytics = s3.get_bucket_analytics_configuration(Bucket=bucket, Id="by-prefix")
    assert analytics["AnalyticsConfiguration"] == {
        "Id": "by-prefix",
        "Filter": {"Prefix": "reports/"},
        "StorageClassAnalysis": {
            "DataExport": {
                "OutputSchemaVersion": "V_1",
                "Destination": {
                    "S3BucketDestination": {
                        "Format": "CSV",
                        "BucketAccountId": "000000000000",
                        "Bucket": replica_arn,
                        "Prefix": "analytics",
                    }
                },
            }
        },
    }
    listed = s3.list_bucket_analytics_configurations(Bucket=bucket)
    assert [c["Id"] for c in listed["AnalyticsConfigurationList"]] == ["by-prefix", "plain"]
    inventory = s3.get_bucket_inventory_configuration(Bucket=bucket, Id="weekly")
    assert inventory["InventoryConfiguration"] == {
        "Destination": {
            "S3BucketDestination": {"Bucket": replica_arn, "Format": "CSV", "Prefix": "inv"}
        },
        "IsEnabled": True,
        "Filter": {"Prefix": "data/"},
        "Id": "weekly",
        "IncludedObjectVersions": "Current",
        "OptionalFields": ["Size", "ETag"],
        "Schedule": {"Frequency": "Weekly"},
    }
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="all")["MetricsConfiguration"] == {
        "Id": "all"
    }
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="tagged")[
        "MetricsConfiguration"
    ] == {
        "Id": "tagged",
        "Filter": {"And": {"Prefix": "img/", "Tags": [{"Key": "team", "Value": "a"}]}},
    }
    tiering = s3.get_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="archive")
    assert tiering["IntelligentTieringConfiguration"] == {
        "Id": "archive",
        "Filter": {"Tag": {"Key": "tier", "Value": "cold"}},
        "Status": "Enabled",
        "Tierings": [{"Days": 90, "AccessTier": "ARCHIVE_ACCESS"}],
    }
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert rules[0] == {
        "Expiration": {"Days": 365},
        "ID": "age",
        "Filter": {"And": {"Prefix": "tmp/", "Tags": [{"Key": "t", "Value": "1"}]}},
        "Status": "Enabled",
        "Transitions": [{"Days": 90, "StorageClass": "GLACIER"}],
        "NoncurrentVersionTransitions": [{"NoncurrentDays": 30, "StorageClass": "STANDARD_IA"}],
    }
    assert rules[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [
        {
            "ID": "web",
            "AllowedMethods": ["GET"],
            "AllowedOrigins": ["https://a.example"],
            "ExposeHeaders": ["ETag"],
            "MaxAgeSeconds": 300,
        }
    ]
    site = s3.get_bucket_website(Bucket=bucket)
    assert site["IndexDocument"] == {"Suffix": "index.html"}
    assert site["RoutingRules"] == [
        {"Condition": {"KeyPrefixEquals": "old/"}, "Redirect": {"ReplaceKeyPrefixWith": "new/"}}
    ]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": False,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    assert s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "env", "Value": "test"}]

    # -- an update that changes settings in place ------------------------------------
    changed = _everything(name)
    changed["AccelerateConfiguration"] = {"AccelerationStatus": "Suspended"}
    changed["LoggingConfiguration"] = {"LogFilePrefix": "self/"}  # to the bucket itself
    changed["AnalyticsConfigurations"] = [
        changed["AnalyticsConfigurations"][0],
        {"Id": "added", "TagFilters": [{"Key": "a", "Value": "b"}], "StorageClassAnalysis": {}},
    ]
    changed["MetricsConfigurations"] = [
        {"Id": "all", "AccessPointArn": f"arn:aws:s3:us-east-1:000000000000:accesspoint/{name}"}
    ]
    changed["IntelligentTieringConfigurations"][0]["Tierings"] = [
        {"AccessTier": "DEEP_ARCHIVE_ACCESS", "Days": 200}
    ]
    changed["ReplicationConfiguration"]["Rules"][0]["Destination"]["StorageClass"] = "GLACIER"
    changed["Tags"] = [{"Key": "env", "Value": "prod"}]
    cfn.update_stack(StackName=name, TemplateBody=_template(name, **changed))
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == {
        "TargetBucket": bucket,
        "TargetPrefix": "self/",
    }
    listed = s3.list_bucket_analytics_configurations(Bucket=bucket)
    assert [c["Id"] for c in listed["AnalyticsConfigurationList"]] == ["added", "by-prefix"]
    assert listed["AnalyticsConfigurationList"][0]["Filter"] == {"Tag": {"Key": "a", "Value": "b"}}
    metrics = s3.list_bucket_metrics_configurations(Bucket=bucket)["MetricsConfigurationList"]
    assert metrics == [
        {
            "Id": "all",
            "Filter": {"AccessPointArn": f"arn:aws:s3:us-east-1:000000000000:accesspoint/{name}"},
        }
    ]
    tiering = s3.get_bucket_intelligent_tiering_configuration(Bucket=bucket, Id="archive")
    assert tiering["IntelligentTieringConfiguration"]["Tierings"] == [
        {"Days": 200, "AccessTier": "DEEP_ARCHIVE_ACCESS"}
    ]
    replication = s3.get_bucket_replication(Bucket=bucket)["ReplicationConfiguration"]
    assert replication["Rules"][0]["Destination"]["StorageClass"] == "GLACIER"
    assert s3.get_bucket_tagging(Bucket=bucket)["TagSet"] == [{"Key": "env", "Value": "prod"}]

    # -- an update that removes them: each is gone (or back to S3's default) -----------
    cfn.update_stack(StackName=name, TemplateBody=_template(name))
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert (
        _error_code(s3.get_bucket_replication, Bucket=bucket)
        == "ReplicationConfigurationNotFoundError"
    )
    for lister, member in (
        (s3.list_bucket_analytics_configurations, "AnalyticsConfigurationList"),
        (s3.list_bucket_inventory_configurations, "InventoryConfigurationList"),
        (s3.list_bucket_metrics_configurations, "MetricsConfigurationList"),
        (s3.list_bucket_intelligent_tiering_configurations, "IntelligentTieringConfigurationList"),
    ):
        assert member not in lister(Bucket=bucket)
    assert (
        _error_code(s3.get_bucket_lifecycle_configuration, Bucket=bucket)
        == "NoSuchLifecycleConfiguration"
    )
    assert _error_code(s3.get_bucket_cors, Bucket=bucket) == "NoSuchCORSConfiguration"
    assert _error_code(s3.get_bucket_website, Bucket=bucket) == "NoSuchWebsiteConfiguration"
    assert (
        _error_code(s3.get_public_access_block, Bucket=bucket)
        == "NoSuchPublicAccessBlockConfiguration"
    )
    assert (
        _error_code(s3.get_bucket_ownership_controls, Bucket=bucket)
        == "OwnershipControlsNotFoundError"
    )
    assert _error_code(s3.get_bucket_tagging, Bucket=bucket) == "NoSuchTagSet"
    # Default encryption goes back to S3's own, SSE-S3.
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }


def test_object_lock_from_the_template(cfn: Any, s3: Any) -> None:
    name = stack_name("lock")
    bucket = f"{name}-main"

    def template(**extra: Any) -> str:
        props = {"BucketName": bucket, "ObjectLockEnabled": True, **extra}
        return json.dumps(
            {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": props}}}
        )

    retention = {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 5}},
    }
    cfn.create_stack(StackName=name, TemplateBody=template(ObjectLockConfiguration=retention))
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == retention
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"

    cfn.update_stack(StackName=name, TemplateBody=template())
    assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"
    }


def _reasons(cfn: Any, name: str, logical_id: str) -> list[str]:
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    return [
        e.get("ResourceStatusReason", "") for e in events if e["LogicalResourceId"] == logical_id
    ]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param(
            {
                "IntelligentTieringConfigurations": [
                    {
                        "Id": "t",
                        "Status": "Enabled",
                        "Tierings": [{"AccessTier": "ARCHIVE_ACCESS", "Days": 30}],
                    }
                ]
            },
            'Resource handler returned message: "The number of days for the ARCHIVE_ACCESS '
            'tier must be between 90 and 730" (Service: s3, Status Code: 400, Error Code: '
            "InvalidArgument)",
            id="tiering-days",
        ),
        pytest.param(
            {
                "ReplicationConfiguration": {
                    "Role": ROLE,
                    "Rules": [
                        {
                            "Status": "Enabled",
                            "Prefix": "",
                            "Destination": {"Bucket": "arn:aws:s3:::elsewhere"},
                        }
                    ],
                }
            },
            "Resource handler returned message: \"Versioning must be 'Enabled' on the bucket "
            'to apply a replication configuration" (Service: s3, Status Code: 400, Error '
            "Code: InvalidRequest)",
            id="replication-unversioned",
        ),
        pytest.param(
            {"LoggingConfiguration": {"DestinationBucketName": "no-such-logs-bucket-x"}},
            'Resource handler returned message: "The target bucket for logging does not '
            'exist" (Service: s3, Status Code: 400, Error Code: InvalidTargetBucketForLogging)',
            id="logging-target",
        ),
        pytest.param(
            {"MetricsConfigurations": [{"Id": "a"}, {"Prefix": "p/"}]},
            "Properties validation failed for resource with message: "
            "#/MetricsConfigurations/1: required key [Id] not found",
            id="schema-metrics-id",
        ),
        pytest.param(
            {"CorsConfiguration": {"CorsRules": [{"AllowedMethods": ["GET"]}]}},
            "Properties validation failed for resource with message: "
            "#/CorsConfiguration/CorsRules/0: required key [AllowedOrigins] not found",
            id="schema-cors-origins",
        ),
    ],
)
def test_a_value_s3_refuses_rolls_the_create_back(
    cfn: Any, s3: Any, bad: dict[str, Any], reason: str
) -> None:
    name = stack_name("bad")
    cfn.create_stack(StackName=name, TemplateBody=_template(name, **bad))
    assert settle(cfn, name)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert reason in _reasons(cfn, name, "Bucket")
    assert _error_code(s3.head_bucket, Bucket=f"{name}-main") == "404"


def test_a_refused_update_rolls_back_to_the_settings_before(cfn: Any, s3: Any) -> None:
    name = stack_name("undo")
    bucket = f"{name}-main"
    good = {
        "AccelerateConfiguration": {"AccelerationStatus": "Enabled"},
        "MetricsConfigurations": [{"Id": "m", "Prefix": "a/"}],
    }
    cfn.create_stack(StackName=name, TemplateBody=_template(name, **good))
    assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
    bad = {
        "AccelerateConfiguration": {"AccelerationStatus": "Suspended"},
        "MetricsConfigurations": [{"Id": "m", "Prefix": "b/"}],
        "InventoryConfigurations": [
            {
                "Id": "i",
                "Enabled": True,
                "Destination": {"BucketArn": "not-an-arn", "Format": "CSV"},
                "IncludedObjectVersions": "All",
                "ScheduleFrequency": "Daily",
            }
        ],
    }
    cfn.update_stack(StackName=name, TemplateBody=_template(name, **bad))
    assert settle(cfn, name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert any("Error Code: InvalidS3DestinationBucket" in r for r in _reasons(cfn, name, "Bucket"))
    # The rollback put the template before back.
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    assert s3.get_bucket_metrics_configuration(Bucket=bucket, Id="m")["MetricsConfiguration"] == {
        "Id": "m",
        "Filter": {"Prefix": "a/"},
    }
    assert "InventoryConfigurationList" not in s3.list_bucket_inventory_configurations(
        Bucket=bucket
    )


def test_object_lock_enabled_replaces_the_bucket(cfn: Any, s3: Any) -> None:
    """ObjectLockEnabled is create-only (the resource's schema): a change makes a new
    bucket; a change of any other property keeps the one there is."""
    name = stack_name("repl")

    def template(**props: Any) -> str:
        return json.dumps(
            {
                "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": props}},
                "Outputs": {"Name": {"Value": {"Ref": "Bucket"}}},
            }
        )

    def bucket_name() -> str:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        return str(stack["Outputs"][0]["OutputValue"])

    cfn.create_stack(StackName=name, TemplateBody=template(Tags=[{"Key": "a", "Value": "1"}]))
    wait_stack(cfn, name)
    first = bucket_name()
    cfn.update_stack(StackName=name, TemplateBody=template(Tags=[{"Key": "a", "Value": "2"}]))
    wait_stack(cfn, name, "stack_update_complete")
    assert bucket_name() == first
    cfn.update_stack(
        StackName=name,
        TemplateBody=template(ObjectLockEnabled=True, Tags=[{"Key": "a", "Value": "2"}]),
    )
    wait_stack(cfn, name, "stack_update_complete")
    second = bucket_name()
    assert second != first
    assert _error_code(s3.head_bucket, Bucket=first) == "404"
    lock = s3.get_object_lock_configuration(Bucket=second)["ObjectLockConfiguration"]
    assert lock == {"ObjectLockEnabled": "Enabled"}
    assert s3.get_bucket_tagging(Bucket=second)["TagSet"] == [{"Key": "a", "Value": "2"}]


def test_settings_are_removed_by_an_update_after_a_restart(tmp_path: Path) -> None:
    """The template a bucket was made from is kept with the stack, so an update after a
    kill -9 still knows which settings to take away."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        cfn, s3 = server.client("cloudformation"), server.client("s3")
        name = "kept"
        settings = {
            "MetricsConfigurations": [{"Id": "m"}],
            "InventoryConfigurations": [
                {
                    "Id": "i",
                    "Enabled": True,
                    "Destination": {"BucketArn": f"arn:aws:s3:::{name}-logs", "Format": "CSV"},
                    "IncludedObjectVersions": "All",
                    "ScheduleFrequency": "Daily",
                }
            ],
            "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}},
        }
        cfn.create_stack(StackName=name, TemplateBody=_template(name, **settings))
        assert wait_stack(cfn, name)["StackStatus"] == "CREATE_COMPLETE"
        server.kill()
        server.start()
        cfn, s3 = server.client("cloudformation"), server.client("s3")
        bucket = f"{name}-main"
        assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"] == (
            f"{name}-logs"
        )
        cfn.update_stack(
            StackName=name,
            TemplateBody=_template(name, MetricsConfigurations=[{"Id": "m"}]),
        )
        assert wait_stack(cfn, name, "stack_update_complete")["StackStatus"] == "UPDATE_COMPLETE"
        assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
        assert "InventoryConfigurationList" not in s3.list_bucket_inventory_configurations(
            Bucket=bucket
        )
        assert [
            c["Id"]
            for c in s3.list_bucket_metrics_configurations(Bucket=bucket)[
                "MetricsConfigurationList"
            ]
        ] == ["m"]
    finally:
        server.stop()
