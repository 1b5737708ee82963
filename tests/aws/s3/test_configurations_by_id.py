"""Analytics, inventory, metrics and Intelligent-Tiering configurations: Put/Get/Delete
by id, List 100 at a time with continuation tokens, and AWS's errors (nothing stored
after one)."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.aws.s3.conftest import error_of, unique

MALFORMED = (
    "MalformedXML",
    "The XML you provided was not well-formed or did not validate against our published schema",
    400,
)
NO_SUCH = ("NoSuchConfiguration", "The specified configuration does not exist.", 404)


def _brief(error: dict[str, Any]) -> tuple[str, str, int]:
    return error["Code"], error["Message"], error["Status"]


class Kind(NamedTuple):
    name: str  # in the operations' names: put_bucket_<name>_configuration ...
    member: str  # the document's member and shape


KINDS = [
    Kind("analytics", "AnalyticsConfiguration"),
    Kind("inventory", "InventoryConfiguration"),
    Kind("metrics", "MetricsConfiguration"),
    Kind("intelligent_tiering", "IntelligentTieringConfiguration"),
]


def document(kind: Kind, config_id: str, destination: str = "arn:aws:s3:::reports") -> Any:
    """A full configuration of ``kind``, every optional part filled in."""
    if kind.name == "analytics":
        return {
            "Id": config_id,
            "Filter": {"And": {"Prefix": "data/", "Tags": [{"Key": "team", "Value": "a"}]}},
            "StorageClassAnalysis": {
                "DataExport": {
                    "OutputSchemaVersion": "V_1",
                    "Destination": {
                        "S3BucketDestination": {
                            "Format": "CSV",
                            "BucketAccountId": "000000000000",
                            "Bucket": destination,
                            "Prefix": "analytics/",
                        }
                    },
                }
            },
        }
    if kind.name == "inventory":
        return {
            "Id": config_id,
            "IsEnabled": True,
            "Filter": {"Prefix": "data/"},
            "IncludedObjectVersions": "Current",
            "OptionalFields": ["Size", "ETag", "StorageClass"],
            "Schedule": {"Frequency": "Weekly"},
            "Destination": {
                "S3BucketDestination": {
                    "AccountId": "000000000000",
                    "Bucket": destination,
                    "Format": "Parquet",
                    "Prefix": "inventory/",
                    "Encryption": {"SSEKMS": {"KeyId": "arn:aws:kms:us-east-1:0:key/k"}},
                }
            },
        }
    if kind.name == "metrics":
        return {"Id": config_id, "Filter": {"Tag": {"Key": "team", "Value": "a"}}}
    return {
        "Id": config_id,
        "Filter": {"Prefix": "cold/"},
        "Status": "Enabled",
        "Tierings": [
            {"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
            {"Days": 180, "AccessTier": "DEEP_ARCHIVE_ACCESS"},
        ],
    }


def call(client: Any, verb: str, kind: Kind, **kwargs: Any) -> Any:
    plural = "s" if verb == "list" else ""
    return getattr(client, f"{verb}_bucket_{kind.name}_configuration{plural}")(**kwargs)


def put(client: Any, kind: Kind, bucket: str, config_id: str, config: Any) -> Any:
    return call(client, "put", kind, Bucket=bucket, Id=config_id, **{kind.member: config})


def refused(client: Any, kind: Kind, bucket: str, config_id: str, config: Any) -> Any:
    operation = getattr(client, f"put_bucket_{kind.name}_configuration")
    return error_of(operation, Bucket=bucket, Id=config_id, **{kind.member: config})


def listed(client: Any, kind: Kind, bucket: str, **kwargs: Any) -> Any:
    return call(client, "list", kind, Bucket=bucket, **kwargs)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_put_get_list_delete(s3: Any, bucket: str, kind: Kind) -> None:
    empty = listed(s3, kind, bucket)
    assert empty["IsTruncated"] is False
    assert f"{kind.member}List" not in empty
    assert (
        _brief(
            error_of(getattr(s3, f"get_bucket_{kind.name}_configuration"), Bucket=bucket, Id="a")
        )
        == NO_SUCH
    )
    first, second = document(kind, "b-second"), document(kind, "a-first")
    put(s3, kind, bucket, "b-second", first)
    put(s3, kind, bucket, "a-first", second)
    assert call(s3, "get", kind, Bucket=bucket, Id="b-second")[kind.member] == first
    got = listed(s3, kind, bucket)
    assert got["IsTruncated"] is False
    assert got[f"{kind.member}List"] == [second, first]  # in id order
    # A Put on an existing id replaces it.
    replaced = document(kind, "a-first")
    replaced["Filter"] = {"Prefix": "other/"}
    put(s3, kind, bucket, "a-first", replaced)
    assert call(s3, "get", kind, Bucket=bucket, Id="a-first")[kind.member] == replaced
    call(s3, "delete", kind, Bucket=bucket, Id="a-first")
    assert [c["Id"] for c in listed(s3, kind, bucket)[f"{kind.member}List"]] == ["b-second"]
    error = error_of(
        getattr(s3, f"delete_bucket_{kind.name}_configuration"), Bucket=bucket, Id="a-first"
    )
    assert _brief(error) == NO_SUCH
    assert error["BucketName"] == bucket


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_minimal_documents(s3: Any, bucket: str, kind: Kind) -> None:
    minimal = document(kind, "m")
    minimal.pop("Filter", None)
    if kind.name == "analytics":
        minimal["StorageClassAnalysis"] = {}
    if kind.name == "inventory":
        minimal.pop("OptionalFields")
        del minimal["Destination"]["S3BucketDestination"]["Encryption"]
    put(s3, kind, bucket, "m", minimal)
    assert call(s3, "get", kind, Bucket=bucket, Id="m")[kind.member] == minimal


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_paging(s3: Any, bucket: str, kind: Kind) -> None:
    ids = [f"c{n:03d}" for n in range(205)]
    for config_id in ids:
        put(s3, kind, bucket, config_id, document(kind, config_id))
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = listed(s3, kind, bucket, **({"ContinuationToken": token} if token else {}))
        pages += 1
        items = page[f"{kind.member}List"]
        assert len(items) == (100 if page["IsTruncated"] else 5)
        seen += [c["Id"] for c in items]
        if token:
            assert page["ContinuationToken"] == token
        if not page["IsTruncated"]:
            assert "NextContinuationToken" not in page
            break
        token = page["NextContinuationToken"]
    assert (pages, seen) == (3, ids)


def test_a_bad_continuation_token(s3: Any, bucket: str) -> None:
    error = error_of(s3.list_bucket_metrics_configurations, Bucket=bucket, ContinuationToken="%%")
    assert _brief(error) == (
        "InvalidArgument",
        "The continuation token provided is incorrect",
        400,
    )


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_a_thousand_and_no_more(s3: Any, bucket: str, kind: Kind) -> None:
    for n in range(1000):
        put(s3, kind, bucket, f"c{n:04d}", document(kind, f"c{n:04d}"))
    error = refused(s3, kind, bucket, "one-more", document(kind, "one-more"))
    assert _brief(error) == (
        "TooManyConfigurations",
        "You are attempting to create a new configuration but have already reached the "
        "1,000-configuration limit.",
        400,
    )
    # Replacing one of the thousand is still allowed.
    put(s3, kind, bucket, "c0000", document(kind, "c0000"))
    error = error_of(
        getattr(s3, f"get_bucket_{kind.name}_configuration"), Bucket=bucket, Id="one-more"
    )
    assert error["Code"] == "NoSuchConfiguration"


@pytest.mark.parametrize("kind", KINDS[:1] + KINDS[2:], ids=["analytics", "metrics", "tiering"])
def test_an_id_other_than_the_requests(s3: Any, bucket: str, kind: Kind) -> None:
    assert _brief(refused(s3, kind, bucket, "asked", document(kind, "other"))) == MALFORMED
    assert f"{kind.member}List" not in listed(s3, kind, bucket)


def test_inventory_id_mismatch_and_destination(s3: Any, bucket: str) -> None:
    kind = KINDS[1]
    error = refused(s3, kind, bucket, "asked", document(kind, "other"))
    assert _brief(error) == (
        "IdMismatch",
        "Document ID does not match the specified configuration ID.",
        400,
    )
    error = refused(s3, kind, bucket, "i", document(kind, "i", destination="reports"))
    assert _brief(error) == ("InvalidS3DestinationBucket", "Invalid bucket ARN.", 400)
    assert "InventoryConfigurationList" not in listed(s3, kind, bucket)


def _without(config: dict[str, Any], *path: str) -> dict[str, Any]:
    inner = config
    for step in path[:-1]:
        inner = inner[step]
    del inner[path[-1]]
    return config


MALFORMED_CASES = [
    (KINDS[0], lambda c: _without(c, "StorageClassAnalysis")),
    (KINDS[0], lambda c: {**c, "Filter": {"Prefix": "a", "Tag": {"Key": "k", "Value": "v"}}}),
    (
        KINDS[0],
        lambda c: _without(c, "StorageClassAnalysis", "DataExport", "OutputSchemaVersion"),
    ),
    (KINDS[1], lambda c: {**c, "IncludedObjectVersions": "Some"}),
    (KINDS[1], lambda c: {**c, "Schedule": {"Frequency": "Hourly"}}),
    (KINDS[1], lambda c: {**c, "OptionalFields": ["Size", "Colour"]}),
    (KINDS[1], lambda c: _without(c, "IsEnabled")),
    (KINDS[1], lambda c: _without(c, "Destination", "S3BucketDestination", "Format")),
    (KINDS[2], lambda c: {**c, "Filter": {"Prefix": "a", "And": {"Prefix": "b"}}}),
    (KINDS[2], lambda c: {**c, "Filter": {"Tag": {"Key": "k"}}}),
    (KINDS[3], lambda c: _without(c, "Status")),
    (KINDS[3], lambda c: {**c, "Status": "On"}),
    (KINDS[3], lambda c: {**c, "Tierings": []}),
    (KINDS[3], lambda c: {**c, "Tierings": [{"Days": 90, "AccessTier": "GLACIER"}]}),
]


@pytest.mark.parametrize(
    ("kind", "spoil"),
    MALFORMED_CASES,
    ids=[
        "analytics-no-analysis",
        "analytics-two-filters",
        "analytics-no-schema-version",
        "inventory-bad-versions",
        "inventory-bad-frequency",
        "inventory-bad-field",
        "inventory-no-enabled",
        "inventory-no-format",
        "metrics-two-filters",
        "metrics-tag-without-value",
        "tiering-no-status",
        "tiering-bad-status",
        "tiering-no-tierings",
        "tiering-bad-tier",
    ],
)
def test_malformed_documents(raw_s3: Any, bucket: str, kind: Kind, spoil: Any) -> None:
    config = spoil(document(kind, "x"))
    assert _brief(refused(raw_s3, kind, bucket, "x", config)) == MALFORMED
    assert f"{kind.member}List" not in listed(raw_s3, kind, bucket)


@pytest.mark.parametrize(
    ("tierings", "message"),
    [
        (
            [{"Days": 89, "AccessTier": "ARCHIVE_ACCESS"}],
            "The number of days for the ARCHIVE_ACCESS tier must be between 90 and 730",
        ),
        (
            [{"Days": 179, "AccessTier": "DEEP_ARCHIVE_ACCESS"}],
            "The number of days for the DEEP_ARCHIVE_ACCESS tier must be between 180 and 730",
        ),
        (
            [{"Days": 731, "AccessTier": "ARCHIVE_ACCESS"}],
            "The number of days for the ARCHIVE_ACCESS tier must be between 90 and 730",
        ),
        (
            [
                {"Days": 90, "AccessTier": "ARCHIVE_ACCESS"},
                {"Days": 100, "AccessTier": "ARCHIVE_ACCESS"},
            ],
            "Only one tiering configuration is allowed per access tier: ARCHIVE_ACCESS",
        ),
    ],
    ids=["archive-too-soon", "deep-too-soon", "too-late", "tier-twice"],
)
def test_tiering_days(s3: Any, bucket: str, tierings: Any, message: str) -> None:
    kind = KINDS[3]
    config = {**document(kind, "t"), "Tierings": tierings}
    assert _brief(refused(s3, kind, bucket, "t", config)) == ("InvalidArgument", message, 400)
    assert "IntelligentTieringConfigurationList" not in listed(s3, kind, bucket)


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_no_such_bucket_and_gone_with_the_bucket(s3: Any, kind: Kind) -> None:
    name = unique("cfg")
    for verb in ("get", "delete", "list", "put"):
        kwargs: dict[str, Any] = {"Bucket": name}
        if verb != "list":
            kwargs["Id"] = "x"
        if verb == "put":
            kwargs[kind.member] = document(kind, "x")
        error = error_of(
            getattr(s3, f"{verb}_bucket_{kind.name}_configuration{'s' if verb == 'list' else ''}"),
            **kwargs,
        )
        assert _brief(error) == ("NoSuchBucket", "The specified bucket does not exist", 404)
    s3.create_bucket(Bucket=name)
    put(s3, kind, name, "x", document(kind, "x"))
    s3.delete_bucket(Bucket=name)
    s3.create_bucket(Bucket=name)
    assert f"{kind.member}List" not in listed(s3, kind, name)
