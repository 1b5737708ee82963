"""Settings S3 keeps and answers but Stratus does not act on: Transfer Acceleration,
Requester Pays, server access logging and replication; with their defaults, AWS's
errors for bad input (nothing stored after one), and the deprecated GetBucketNotification
and GetBucketLifecycle answered from the current configurations."""

from __future__ import annotations

from typing import Any

import botocore.exceptions
import pytest

from tests.aws.s3.conftest import error_of, unique
from tests.conftest import ServerProcess

MALFORMED = (
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
    400,
)


def _brief(error: dict[str, Any]) -> tuple[str, str, int]:
    return error["Code"], error["Message"], error["Status"]


def _versioned(s3: Any) -> str:
    name = unique("v")
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    return name


# -- Transfer Acceleration -------------------------------------------------------------------
def test_accelerate_configuration(s3: Any, bucket: str) -> None:
    got = s3.get_bucket_accelerate_configuration(Bucket=bucket)
    assert "Status" not in got  # never set: S3 answers an empty configuration
    s3.put_bucket_accelerate_configuration(
        Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"}
    )
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_accelerate_configuration(
        Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"}
    )
    assert s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"] == "Suspended"


@pytest.mark.parametrize(
    "config", [{"Status": "On"}, {}, {"Status": "enabled"}], ids=["unknown", "none", "case"]
)
def test_accelerate_refuses_a_bad_status(raw_s3: Any, bucket: str, config: Any) -> None:
    error = error_of(
        raw_s3.put_bucket_accelerate_configuration, Bucket=bucket, AccelerateConfiguration=config
    )
    assert _brief(error) == MALFORMED
    assert "Status" not in raw_s3.get_bucket_accelerate_configuration(Bucket=bucket)


def test_accelerate_refuses_a_dotted_bucket(s3: Any) -> None:
    name = f"{unique('dot')}.example"
    s3.create_bucket(Bucket=name)
    error = error_of(
        s3.put_bucket_accelerate_configuration,
        Bucket=name,
        AccelerateConfiguration={"Status": "Enabled"},
    )
    assert _brief(error) == (
        "InvalidRequest",
        "Amazon S3 Transfer Acceleration is not supported for buckets with periods (.) in "
        "their names.",
        400,
    )
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=name)


# -- Requester Pays ------------------------------------------------------------------------
def test_request_payment(s3: Any, bucket: str) -> None:
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"
    s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "Requester"
    s3.put_bucket_request_payment(
        Bucket=bucket, RequestPaymentConfiguration={"Payer": "BucketOwner"}
    )
    assert s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


@pytest.mark.parametrize("config", [{"Payer": "Nobody"}, {}], ids=["unknown", "missing"])
def test_request_payment_refuses_a_bad_payer(raw_s3: Any, bucket: str, config: Any) -> None:
    error = error_of(
        raw_s3.put_bucket_request_payment, Bucket=bucket, RequestPaymentConfiguration=config
    )
    assert _brief(error) == MALFORMED
    assert raw_s3.get_bucket_request_payment(Bucket=bucket)["Payer"] == "BucketOwner"


# -- server access logging -----------------------------------------------------------------
def test_logging(s3: Any, bucket: str) -> None:
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)
    target = unique("logs")
    s3.create_bucket(Bucket=target)
    enabled = {
        "TargetBucket": target,
        "TargetPrefix": "access/",
        "TargetGrants": [
            {
                "Grantee": {
                    "Type": "Group",
                    "URI": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
                },
                "Permission": "READ",
            }
        ],
        "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
    }
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == enabled
    simple = {
        "TargetBucket": target,
        "TargetPrefix": "",
        "TargetObjectKeyFormat": {"SimplePrefix": {}},
    }
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": simple})
    assert s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"] == simple
    # An empty status turns logging off.
    s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_logging_target_must_exist(s3: Any, bucket: str) -> None:
    missing = unique("gone")
    error = error_of(
        s3.put_bucket_logging,
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": missing, "TargetPrefix": ""}},
    )
    assert _brief(error) == (
        "InvalidTargetBucketForLogging",
        "The target bucket for logging does not exist",
        400,
    )
    assert error["TargetBucket"] == missing
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_logging_target_of_another_account(server: ServerProcess, s3: Any, bucket: str) -> None:
    theirs = unique("theirs")
    server.client("s3", access_key="111122223333").create_bucket(Bucket=theirs)
    error = error_of(
        s3.put_bucket_logging,
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": theirs, "TargetPrefix": ""}},
    )
    assert _brief(error) == (
        "InvalidTargetBucketForLogging",
        "The owner for the bucket to be logged and the target bucket must be the same.",
        400,
    )
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


def test_logging_target_in_another_region(server: ServerProcess, s3: Any, bucket: str) -> None:
    far = unique("far")
    server.client("s3", region="eu-west-1").create_bucket(
        Bucket=far, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    error = error_of(
        s3.put_bucket_logging,
        Bucket=bucket,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": far, "TargetPrefix": ""}},
    )
    assert _brief(error) == (
        "CrossLocationLoggingProhibited",
        "Cross S3 location logging not allowed. ",
        403,
    )
    assert (error["SourceBucketLocation"], error["TargetBucketLocation"]) == (
        "us-east-1",
        "eu-west-1",
    )


@pytest.mark.parametrize(
    "enabled",
    [
        {"TargetPrefix": "a/"},
        {"TargetBucket": "{target}"},
        {
            "TargetBucket": "{target}",
            "TargetPrefix": "",
            "TargetGrants": [{"Grantee": {"Type": "Group"}, "Permission": "DELETE"}],
        },
        {
            "TargetBucket": "{target}",
            "TargetPrefix": "",
            "TargetObjectKeyFormat": {
                "SimplePrefix": {},
                "PartitionedPrefix": {"PartitionDateSource": "EventTime"},
            },
        },
        {
            "TargetBucket": "{target}",
            "TargetPrefix": "",
            "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "Later"}},
        },
    ],
    ids=["no-bucket", "no-prefix", "bad-permission", "two-key-formats", "bad-date-source"],
)
def test_logging_refuses_malformed_input(
    s3: Any, raw_s3: Any, bucket: str, enabled: dict[str, Any]
) -> None:
    target = unique("logs")
    s3.create_bucket(Bucket=target)
    given = {k: (target if v == "{target}" else v) for k, v in enabled.items()}
    error = error_of(
        raw_s3.put_bucket_logging, Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": given}
    )
    assert _brief(error) == MALFORMED
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket)


# -- replication ---------------------------------------------------------------------------
ROLE = "arn:aws:iam::000000000000:role/replication"


def _rule(destination: str, **extra: Any) -> dict[str, Any]:
    return {
        "ID": "all",
        "Priority": 1,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "DeleteMarkerReplication": {"Status": "Disabled"},
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}", "StorageClass": "STANDARD"},
        **extra,
    }


def test_replication(s3: Any) -> None:
    source, destination = _versioned(s3), _versioned(s3)
    error = error_of(s3.get_bucket_replication, Bucket=source)
    assert _brief(error) == (
        "ReplicationConfigurationNotFoundError",
        "The replication configuration was not found",
        404,
    )
    config = {
        "Role": ROLE,
        "Rules": [
            _rule(destination),
            _rule(
                destination,
                ID="logs",
                Priority=2,
                Filter={"And": {"Prefix": "logs/", "Tags": [{"Key": "k", "Value": "v"}]}},
            ),
        ],
    }
    s3.put_bucket_replication(Bucket=source, ReplicationConfiguration=config)
    assert s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"] == config
    s3.delete_bucket_replication(Bucket=source)
    assert error_of(s3.get_bucket_replication, Bucket=source)["Code"] == (
        "ReplicationConfigurationNotFoundError"
    )
    s3.delete_bucket_replication(Bucket=source)  # nothing to delete is no error


def test_replication_first_schema_and_generated_ids(s3: Any) -> None:
    source, destination = _versioned(s3), _versioned(s3)
    rule = {
        "Prefix": "docs/",
        "Status": "Enabled",
        "Destination": {"Bucket": f"arn:aws:s3:::{destination}"},
    }
    s3.put_bucket_replication(
        Bucket=source, ReplicationConfiguration={"Role": ROLE, "Rules": [rule]}
    )
    (got,) = s3.get_bucket_replication(Bucket=source)["ReplicationConfiguration"]["Rules"]
    assert got["ID"]  # S3 names a rule given no ID
    assert {k: v for k, v in got.items() if k != "ID"} == rule


def test_replication_needs_versioning_on_the_bucket(s3: Any, bucket: str) -> None:
    destination = _versioned(s3)
    config = {"Role": ROLE, "Rules": [_rule(destination)]}
    error = error_of(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=config)
    assert _brief(error) == (
        "InvalidRequest",
        "Versioning must be 'Enabled' on the bucket to apply a replication configuration",
        400,
    )
    assert error["BucketName"] == bucket
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    error = error_of(s3.put_bucket_replication, Bucket=bucket, ReplicationConfiguration=config)
    assert error["Code"] == "InvalidRequest"
    assert error_of(s3.get_bucket_replication, Bucket=bucket)["Status"] == 404


@pytest.mark.parametrize(
    ("destination", "message"),
    [
        ("missing", "Destination bucket must exist."),
        ("unversioned", "Destination bucket must have versioning enabled."),
        ("self", "Destination bucket cannot be the same as the source bucket."),
        ("not-an-arn", "Destination bucket must exist."),
    ],
    ids=["missing", "unversioned", "self", "not-an-arn"],
)
def test_replication_destination_checks(s3: Any, destination: str, message: str) -> None:
    source = _versioned(s3)
    arn = {
        "missing": f"arn:aws:s3:::{unique('gone')}",
        "self": f"arn:aws:s3:::{source}",
        "not-an-arn": source,
    }.get(destination)
    if destination == "unversioned":
        plain = unique("plain")
        s3.create_bucket(Bucket=plain)
        arn = f"arn:aws:s3:::{plain}"
    rule = _rule("x")
    rule["Destination"] = {"Bucket": arn}
    error = error_of(
        s3.put_bucket_replication,
        Bucket=source,
        ReplicationConfiguration={"Role": ROLE, "Rules": [rule]},
    )
    assert _brief(error) == ("InvalidRequest", message, 400)
    assert error_of(s3.get_bucket_replication, Bucket=source)["Status"] == 404


def test_replication_rule_errors(s3: Any, raw_s3: Any) -> None:
    source, destination = _versioned(s3), _versioned(s3)

    def refused(rules: list[dict[str, Any]], role: str | None = ROLE) -> dict[str, Any]:
        config: dict[str, Any] = {"Rules": rules}
        if role is not None:
            config["Role"] = role
        return error_of(
            raw_s3.put_bucket_replication, Bucket=source, ReplicationConfiguration=config
        )

    no_markers = _rule(destination)
    del no_markers["DeleteMarkerReplication"]
    assert _brief(refused([no_markers])) == (
        "InvalidRequest",
        "DeleteMarkerReplication must be specified for this version of Cross Region "
        "Replication configuration schema. Please refer to S3 Developer Guide for more "
        "information.",
        400,
    )
    twice = [_rule(destination), _rule(destination, ID="other")]
    assert _brief(refused(twice)) == ("InvalidRequest", "Found duplicate priority 1.", 400)
    same_id = [_rule(destination), _rule(destination, Priority=2)]
    assert _brief(refused(same_id)) == ("InvalidArgument", "Rule Id must be unique", 400)
    assert _brief(refused([_rule(destination, ID="x" * 256)])) == (
        "InvalidArgument",
        "ID length should not exceed allowed limit of 255",
        400,
    )
    assert _brief(refused([_rule(destination)], role=None)) == MALFORMED
    assert _brief(refused([])) == MALFORMED
    assert _brief(refused([_rule(destination, Status="On")])) == MALFORMED
    assert _brief(refused([_rule(destination, Prefix="a/")])) == MALFORMED
    no_destination = _rule(destination)
    del no_destination["Destination"]
    assert _brief(refused([no_destination])) == MALFORMED
    assert error_of(s3.get_bucket_replication, Bucket=source)["Status"] == 404


# -- every setting: a missing bucket, and gone with the bucket -------------------------------
@pytest.mark.parametrize(
    ("operation", "extra"),
    [
        ("get_bucket_accelerate_configuration", {}),
        ("put_bucket_accelerate_configuration", {"AccelerateConfiguration": {"Status": "Enabled"}}),
        ("get_bucket_request_payment", {}),
        (
            "put_bucket_request_payment",
            {"RequestPaymentConfiguration": {"Payer": "Requester"}},
        ),
        ("get_bucket_logging", {}),
        ("put_bucket_logging", {"BucketLoggingStatus": {}}),
        ("get_bucket_replication", {}),
        (
            "put_bucket_replication",
            {"ReplicationConfiguration": {"Role": ROLE, "Rules": [_rule("x")]}},
        ),
        ("delete_bucket_replication", {}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_no_such_bucket(s3: Any, operation: str, extra: dict[str, Any]) -> None:
    name = unique("none")
    error = error_of(getattr(s3, operation), Bucket=name, **extra)
    assert _brief(error) == ("NoSuchBucket", "The specified bucket does not exist", 404)
    assert error["BucketName"] == name


def test_settings_go_with_the_bucket(s3: Any) -> None:
    name, destination = _versioned(s3), _versioned(s3)
    s3.put_bucket_accelerate_configuration(
        Bucket=name, AccelerateConfiguration={"Status": "Enabled"}
    )
    s3.put_bucket_request_payment(Bucket=name, RequestPaymentConfiguration={"Payer": "Requester"})
    s3.put_bucket_logging(
        Bucket=name,
        BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": destination, "TargetPrefix": ""}},
    )
    s3.put_bucket_replication(
        Bucket=name, ReplicationConfiguration={"Role": ROLE, "Rules": [_rule(destination)]}
    )
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    assert "Status" not in s3.get_bucket_accelerate_configuration(Bucket=name)
    assert s3.get_bucket_request_payment(Bucket=name)["Payer"] == "BucketOwner"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=name)
    assert error_of(s3.get_bucket_replication, Bucket=name)["Status"] == 404


# -- the deprecated reads ------------------------------------------------------------------
def test_deprecated_get_bucket_notification(server: ServerProcess, s3: Any, bucket: str) -> None:
    assert {
        k: v
        for k, v in s3.get_bucket_notification(Bucket=bucket).items()
        if k != "ResponseMetadata"
    } == {}
    sqs = server.client("sqs")
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"Id": "created", "QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    got = s3.get_bucket_notification(Bucket=bucket)["QueueConfiguration"]
    assert (got["Id"], got["Queue"], got["Events"]) == ("created", arn, ["s3:ObjectCreated:*"])


def test_deprecated_get_bucket_lifecycle(s3: Any, bucket: str) -> None:
    error = error_of(s3.get_bucket_lifecycle, Bucket=bucket)
    assert _brief(error) == (
        "NoSuchLifecycleConfiguration",
        "The lifecycle configuration does not exist",
        404,
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "old",
                    "Filter": {"Prefix": "tmp/"},
                    "Status": "Enabled",
                    "Expiration": {"Days": 3},
                }
            ]
        },
    )
    (rule,) = s3.get_bucket_lifecycle(Bucket=bucket)["Rules"]
    assert (rule["ID"], rule["Status"], rule["Expiration"]) == ("old", "Enabled", {"Days": 3})


# -- what terraform's aws_s3_bucket reads ---------------------------------------------------
#: Each read of terraform-provider-aws's ``resourceBucketRead`` (v5) and the error codes
#: it takes for "not set"; any other error fails the plan.
TERRAFORM_READS = [
    ("head_bucket", ()),
    ("get_bucket_policy", ("NoSuchBucketPolicy",)),
    ("get_bucket_acl", ()),
    ("get_bucket_cors", ("NoSuchCORSConfiguration",)),
    ("get_bucket_website", ("NoSuchWebsiteConfiguration",)),
    ("get_bucket_versioning", ()),
    ("get_bucket_accelerate_configuration", ()),
    ("get_bucket_request_payment", ()),
    ("get_bucket_logging", ()),
    ("get_bucket_lifecycle_configuration", ("NoSuchLifecycleConfiguration",)),
    ("get_bucket_replication", ("ReplicationConfigurationNotFoundError",)),
    ("get_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",)),
    ("get_object_lock_configuration", ("ObjectLockConfigurationNotFoundError",)),
    ("get_bucket_location", ()),
    ("get_bucket_tagging", ("NoSuchTagSet",)),
]


def test_terraform_reads_a_new_bucket(s3: Any, bucket: str) -> None:
    for operation, tolerated in TERRAFORM_READS:
        try:
            getattr(s3, operation)(Bucket=bucket)
        except botocore.exceptions.ClientError as exc:
            code = exc.response["Error"]["Code"]
            assert code in tolerated, (operation, code)
    head = s3.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
