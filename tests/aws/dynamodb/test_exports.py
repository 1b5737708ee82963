"""Exports to S3 and imports from S3 through boto3 against the real server: DynamoDB's
layout in the bucket, a round trip of every attribute type, AWS's errors, a restart."""

from __future__ import annotations

import gzip
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.aws.dynamodb.conftest import error_of, make_table, unique
from tests.conftest import ServerProcess

ACCOUNT = "000000000000"


@pytest.fixture(scope="module")
def s3(server: ServerProcess) -> Any:
    return server.client("s3")


def _bucket(s3: Any) -> str:
    name = unique("exports")
    s3.create_bucket(Bucket=name)
    return name


def _wait(describe: Callable[[], dict[str, Any]], status_key: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        described = describe()
        if described[status_key] != "IN_PROGRESS" or time.monotonic() > deadline:
            return described
        time.sleep(0.05)


def _wait_export(ddb: Any, arn: str) -> dict[str, Any]:
    return _wait(lambda: ddb.describe_export(ExportArn=arn)["ExportDescription"], "ExportStatus")


def _wait_import(ddb: Any, arn: str) -> dict[str, Any]:
    return _wait(
        lambda: ddb.describe_import(ImportArn=arn)["ImportTableDescription"], "ImportStatus"
    )


def _pitr_table(ddb: Any, **extra: Any) -> tuple[str, str]:
    name = make_table(ddb, **extra)
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    return name, arn


def _scan(ddb: Any, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": name}
    while True:
        page = ddb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _sorted_sets(item: dict[str, Any]) -> dict[str, Any]:
    """Sets have no order: compare them sorted."""

    def norm(value: dict[str, Any]) -> Any:
        kind, inner = next(iter(value.items()))
        if kind in ("SS", "BS"):
            return {kind: sorted(inner)}
        if kind == "NS":
            return {kind: sorted(inner, key=Decimal)}
        if kind == "M":
            return {kind: {k: norm(v) for k, v in inner.items()}}
        if kind == "L":
            return {kind: [norm(v) for v in inner]}
        return value

    return {k: norm(v) for k, v in item.items()}


GSI = [
    {
        "IndexName": "by-kind",
        "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }
]


def _every_type(i: int) -> dict[str, Any]:
    return {
        "pk": {"S": f"item-{i:03d}"},
        "sk": {"S": "v"},
        "kind": {"S": "even" if i % 2 == 0 else "odd"},
        "n": {"N": f"{i}.25"},
        "big": {"N": "12345678901234567890123456789012345678"},
        "b": {"B": bytes([i % 256, 0, 255])},
        "ss": {"SS": ["a", "b", f"s{i}"]},
        "ns": {"NS": ["1", "-2.5", str(i + 10)]},
        "bs": {"BS": [b"\x00\x01", bytes([i % 256 + 1 if i % 256 < 255 else 0, 7])]},
        "m": {"M": {"inner": {"S": "x"}, "deep": {"L": [{"N": "1"}, {"NULL": True}]}}},
        "l": {"L": [{"S": "one"}, {"BOOL": False}, {"M": {"k": {"B": b"\xff"}}}]},
        "null": {"NULL": True},
        "t": {"BOOL": True},
        "empty": {"S": ""},
        "unicode": {"S": "h\u00e9llo \u2603 \U0001f600"},
    }


def test_export_writes_dynamodbs_layout_and_imports_back(ddb: Any, s3: Any) -> None:
    name, table_arn = _pitr_table(
        ddb,
        ExtraAttributes=[{"AttributeName": "kind", "AttributeType": "S"}],
        GlobalSecondaryIndexes=GSI,
    )
    items = [_every_type(i) for i in range(40)]
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    bucket = _bucket(s3)

    started = ddb.export_table_to_point_in_time(
        TableArn=table_arn, S3Bucket=bucket, S3Prefix="backups/nightly"
    )["ExportDescription"]
    assert started["ExportStatus"] == "IN_PROGRESS"
    assert started["ExportArn"].startswith(f"{table_arn}/export/")
    assert started["ExportFormat"] == "DYNAMODB_JSON"
    assert started["ExportType"] == "FULL_EXPORT"
    assert started["S3Bucket"] == bucket and started["S3Prefix"] == "backups/nightly"
    # writes after the request are not in the export (it is the table as of ExportTime)
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "sk": {"S": "v"}})

    done = _wait_export(ddb, started["ExportArn"])
    export_id = started["ExportArn"].rsplit("/", 1)[1]
    folder = f"backups/nightly/AWSDynamoDB/{export_id}"
    assert done["ExportStatus"] == "COMPLETED", done
    assert done["ItemCount"] == 40
    assert done["BilledSizeBytes"] > 0
    assert done["ExportManifest"] == f"{folder}/manifest-summary.json"
    assert done["EndTime"] >= done["StartTime"]
    assert done["TableId"] == ddb.describe_table(TableName=name)["Table"]["TableId"]

    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    data_keys = [k for k in keys if k.startswith(f"{folder}/data/")]
    assert {k for k in keys if k not in data_keys} == {
        f"{folder}/_started",
        f"{folder}/manifest-files.json",
        f"{folder}/manifest-files.checksum",
        f"{folder}/manifest-summary.json",
        f"{folder}/manifest-summary.checksum",
    }
    assert data_keys and all(k.endswith(".json.gz") for k in data_keys)

    summary = orjson.loads(
        s3.get_object(Bucket=bucket, Key=f"{folder}/manifest-summary.json")["Body"].read()
    )
    assert summary["version"] == "2020-06-30"
    assert summary["exportArn"] == started["ExportArn"]
    assert summary["tableArn"] == table_arn
    assert summary["itemCount"] == 40
    assert summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["exportType"] == "FULL_EXPORT"
    assert summary["manifestFilesS3Key"] == f"{folder}/manifest-files.json"
    assert summary["s3Bucket"] == bucket

    manifest = s3.get_object(Bucket=bucket, Key=f"{folder}/manifest-files.json")["Body"].read()
    entries = [orjson.loads(line) for line in manifest.splitlines()]
    assert sorted(e["dataFileS3Key"] for e in entries) == sorted(data_keys)
    assert sum(e["itemCount"] for e in entries) == 40
    lines = []
    for key in data_keys:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        lines.extend(gzip.decompress(body).splitlines())
    exported = [orjson.loads(line) for line in lines]
    assert all(set(e) == {"Item"} for e in exported)
    first = next(e["Item"] for e in exported if e["Item"]["pk"] == {"S": "item-001"})
    assert first["b"] == {"B": "AQD/"}  # binary in base64, as DynamoDB JSON has it
    assert first["n"] == {"N": "1.25"}

    # ...and back: every item of every type, the index built from them
    target = unique("imported")
    imported = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": f"{folder}/data/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="GZIP",
        TableCreationParameters={
            "TableName": target,
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
                {"AttributeName": "kind", "AttributeType": "S"},
            ],
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
            "GlobalSecondaryIndexes": GSI,
        },
    )["ImportTableDescription"]
    assert imported["ImportStatus"] == "IN_PROGRESS"
    assert imported["TableArn"].endswith(f":table/{target}")
    finished = _wait_import(ddb, imported["ImportArn"])
    assert finished["ImportStatus"] == "COMPLETED", finished
    assert finished["ProcessedItemCount"] == 40
    assert finished["ImportedItemCount"] == 40
    assert finished["ErrorCount"] == 0
    assert finished["ProcessedSizeBytes"] > 0
    described = ddb.describe_table(TableName=target)["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert described["TableId"] == finished["TableId"]
    assert described["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

    original = [_sorted_sets(i) for i in _scan(ddb, name) if i["pk"]["S"] != "later"]
    copy = [_sorted_sets(i) for i in _scan(ddb, target)]
    assert copy == original
    odd = ddb.query(
        TableName=target,
        IndexName="by-kind",
        KeyConditionExpression="kind = :k",
        ExpressionAttributeValues={":k": {"S": "odd"}},
    )
    assert odd["Count"] == 20


def test_ion_export_and_import_round_trip(ddb: Any, s3: Any) -> None:
    name, table_arn = _pitr_table(ddb)
    for i in range(12):
        ddb.put_item(TableName=name, Item={**_every_type(i), "kind": {"S": "k"}})
    bucket = _bucket(s3)
    started = ddb.export_table_to_point_in_time(
        TableArn=table_arn, S3Bucket=bucket, ExportFormat="ION"
    )["ExportDescription"]
    done = _wait_export(ddb, started["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED", done
    assert done["ExportFormat"] == "ION"
    folder = done["ExportManifest"].rsplit("/", 1)[0]
    summary = orjson.loads(s3.get_object(Bucket=bucket, Key=done["ExportManifest"])["Body"].read())
    assert summary["outputFormat"] == "ION"
    data_keys = [
        o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=f"{folder}/data/")["Contents"]
    ]
    assert data_keys and all(k.endswith(".ion.gz") for k in data_keys)
    text = b"".join(
        gzip.decompress(s3.get_object(Bucket=bucket, Key=k)["Body"].read()) for k in data_keys
    )
    first = next(line for line in text.splitlines() if b'"item-001"' in line)
    assert first.startswith(b"{Item:{")
    assert b'"b":{{AQD/}}' in first and b'"n":1.25' in first
    assert b'"ss":$dynamodb_SS::[' in first and b'"null":null' in first

    target = unique("from-ion")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": f"{folder}/data/"},
        InputFormat="ION",
        InputCompressionType="GZIP",
        TableCreationParameters=_creation(target),
    )["ImportTableDescription"]
    finished = _wait_import(ddb, job["ImportArn"])
    assert finished["ImportStatus"] == "COMPLETED", finished
    assert (finished["ImportedItemCount"], finished["ErrorCount"]) == (12, 0)
    assert [_sorted_sets(i) for i in _scan(ddb, target)] == [
        _sorted_sets(i) for i in _scan(ddb, name)
    ]

    # Ion written by others: annotations, quoted names, d exponents, a bad line counted
    s3.put_object(
        Bucket=bucket,
        Key="ion-in/one.ion",
        Body=b"$ion_1_0\n"
        b'{Item:{\'pk\':"a",sk:"1",price:2000d-2,tags:$dynamodb_SS::["x"],n:null.string}}\n'
        b'{Item:{pk:"b",sk:"2",bad:}}\n',
    )
    target = unique("from-ion")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "ion-in/"},
        InputFormat="ION",
        TableCreationParameters=_creation(target),
    )["ImportTableDescription"]
    finished = _wait_import(ddb, job["ImportArn"])
    assert (finished["ImportedItemCount"], finished["ErrorCount"]) == (1, 1)
    item = ddb.get_item(TableName=target, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]
    assert item == {
        "pk": {"S": "a"},
        "sk": {"S": "1"},
        "price": {"N": "20"},
        "tags": {"SS": ["x"]},
        "n": {"NULL": True},
    }


def test_export_errors(ddb: Any, s3: Any) -> None:
    plain = make_table(ddb)
    plain_arn = ddb.describe_table(TableName=plain)["Table"]["TableArn"]
    bucket = _bucket(s3)
    error = error_of(ddb.export_table_to_point_in_time, TableArn=plain_arn, S3Bucket=bucket)
    assert error["Code"] == "PointInTimeRecoveryUnavailableException"
    assert error["Message"] == f"Point in time recovery is not enabled for table '{plain}'"

    missing = plain_arn.replace(plain, "no-such-table")
    error = error_of(ddb.export_table_to_point_in_time, TableArn=missing, S3Bucket=bucket)
    assert error["Code"] == "TableNotFoundException"

    _name, arn = _pitr_table(ddb)
    error = error_of(
        ddb.export_table_to_point_in_time,
        TableArn=arn,
        S3Bucket=bucket,
        ExportTime=time.time() + 3600,
    )
    assert error["Code"] == "InvalidExportTimeException"
    assert error["Message"] == (
        "The specified ExportTime is outside of the point in time recovery window."
    )
    # no item history: a time before the table's last write cannot be exported
    enabled = datetime.now(UTC)
    time.sleep(0.05)
    ddb.put_item(TableName=_name, Item={"pk": {"S": "w"}, "sk": {"S": "1"}})
    error = error_of(
        ddb.export_table_to_point_in_time, TableArn=arn, S3Bucket=bucket, ExportTime=enabled
    )
    assert error["Code"] == "InvalidExportTimeException"
    assert error["Message"].startswith(
        "The specified ExportTime is outside of the point in time recovery window. Stratus "
        "keeps no item history"
    )
    error = error_of(
        ddb.export_table_to_point_in_time,
        TableArn=arn,
        S3Bucket=bucket,
        ExportTime=enabled - timedelta(days=1),  # before recovery was enabled
    )
    assert error["Code"] == "InvalidExportTimeException"
    # another account's table is not found, even by its ARN
    error = error_of(
        ddb.export_table_to_point_in_time,
        TableArn=arn.replace(ACCOUNT, "111122223333"),
        S3Bucket=bucket,
    )
    assert error["Code"] == "TableNotFoundException"
    error = error_of(
        ddb.export_table_to_point_in_time,
        TableArn=arn,
        S3Bucket=bucket,
        ExportType="INCREMENTAL_EXPORT",
    )
    assert error["Code"] == "ValidationException"
    error = error_of(ddb.describe_export, ExportArn=f"{arn}/export/01234567890123-abcdef01")
    assert error["Code"] == "ExportNotFoundException"
    assert ddb.list_exports(TableArn=arn)["ExportSummaries"] == []  # nothing was started

    # a missing bucket fails the export, as on AWS (the request itself is accepted)
    started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=unique("nobucket"))
    failed = _wait_export(ddb, started["ExportDescription"]["ExportArn"])
    assert failed["ExportStatus"] == "FAILED"
    assert failed["FailureCode"] == "S3NoSuchBucket"
    assert failed["FailureMessage"] == "The specified bucket does not exist"
    assert "ExportManifest" not in failed

    # a bucket owner that is not the bucket's fails it too
    started = ddb.export_table_to_point_in_time(
        TableArn=arn, S3Bucket=bucket, S3BucketOwner="111122223333"
    )
    failed = _wait_export(ddb, started["ExportDescription"]["ExportArn"])
    assert failed["FailureCode"] == "AccessDenied"


def test_export_client_token_and_listing(ddb: Any, s3: Any) -> None:
    name, arn = _pitr_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
    bucket = _bucket(s3)
    first = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="tok-1")
    again = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ClientToken="tok-1")
    arn1 = first["ExportDescription"]["ExportArn"]
    assert again["ExportDescription"]["ExportArn"] == arn1
    assert first["ExportDescription"]["ClientToken"] == "tok-1"
    error = error_of(
        ddb.export_table_to_point_in_time,
        TableArn=arn,
        S3Bucket=bucket,
        S3Prefix="other",
        ClientToken="tok-1",
    )
    assert error["Code"] == "ExportConflictException"
    arns = [arn1]
    for _ in range(2):
        arns.append(
            ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)["ExportDescription"][
                "ExportArn"
            ]
        )
    for export_arn in arns:
        assert _wait_export(ddb, export_arn)["ExportStatus"] == "COMPLETED"
    page = ddb.list_exports(TableArn=arn, MaxResults=2)
    assert [s["ExportArn"] for s in page["ExportSummaries"]] == arns[:2]
    assert page["ExportSummaries"][0] == {
        "ExportArn": arn1,
        "ExportStatus": "COMPLETED",
        "ExportType": "FULL_EXPORT",
    }
    rest = ddb.list_exports(TableArn=arn, MaxResults=2, NextToken=page["NextToken"])
    assert [s["ExportArn"] for s in rest["ExportSummaries"]] == arns[2:]
    assert "NextToken" not in rest
    # one at a time, following NextToken
    walked: list[str] = []
    kwargs: dict[str, Any] = {"TableArn": arn, "MaxResults": 1}
    while True:
        page = ddb.list_exports(**kwargs)
        walked.extend(s["ExportArn"] for s in page["ExportSummaries"])
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert walked == arns
    error = error_of(ddb.list_exports, TableArn=arn, NextToken="bogus")
    assert error["Code"] == "ValidationException"


def _creation(name: str, *, sort_type: str = "S") -> dict[str, Any]:
    return {
        "TableName": name,
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": sort_type},
        ],
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    }


def test_import_csv_with_header_options_and_errors(ddb: Any, s3: Any) -> None:
    bucket = _bucket(s3)
    s3.put_object(
        Bucket=bucket,
        Key="csv/a.csv",
        Body=b"pk,sk,colour\nalpha,1,red\nbeta,2,\ngamma,not-a-number,blue\n",
    )
    s3.put_object(Bucket=bucket, Key="csv/b.csv", Body=b"delta,3,green\n")
    # b.csv has no header of its own: with HeaderList every file is read with it
    target = unique("csv")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "csv/b"},
        InputFormat="CSV",
        InputFormatOptions={"Csv": {"HeaderList": ["pk", "sk", "colour"]}},
        TableCreationParameters=_creation(target, sort_type="N"),
    )["ImportTableDescription"]
    assert job["InputFormatOptions"] == {"Csv": {"HeaderList": ["pk", "sk", "colour"]}}
    assert job["InputCompressionType"] == "NONE"
    done = _wait_import(ddb, job["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED", done
    assert ddb.get_item(TableName=target, Key={"pk": {"S": "delta"}, "sk": {"N": "3"}})["Item"] == {
        "pk": {"S": "delta"},
        "sk": {"N": "3"},
        "colour": {"S": "green"},
    }

    target = unique("csv")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "csv/a"},
        InputFormat="CSV",
        TableCreationParameters=_creation(target, sort_type="N"),
    )["ImportTableDescription"]
    done = _wait_import(ddb, job["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED", done
    assert done["ProcessedItemCount"] == 3
    assert done["ImportedItemCount"] == 2
    assert done["ErrorCount"] == 1  # gamma's sort key is no number
    assert ddb.get_item(TableName=target, Key={"pk": {"S": "beta"}, "sk": {"N": "2"}})["Item"] == {
        "pk": {"S": "beta"},
        "sk": {"N": "2"},
    }  # an empty cell is no attribute

    # another delimiter, gzip
    s3.put_object(
        Bucket=bucket,
        Key="tsv/one.tsv.gz",
        Body=gzip.compress(b"pk\tsk\tnote\nk1\ts1\thello, world\n"),
    )
    target = unique("tsv")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "tsv/"},
        InputFormat="CSV",
        InputFormatOptions={"Csv": {"Delimiter": "\t"}},
        InputCompressionType="GZIP",
        TableCreationParameters=_creation(target),
    )["ImportTableDescription"]
    assert _wait_import(ddb, job["ImportArn"])["ImportedItemCount"] == 1
    item = ddb.get_item(TableName=target, Key={"pk": {"S": "k1"}, "sk": {"S": "s1"}})["Item"]
    assert item["note"] == {"S": "hello, world"}


def test_import_json_counts_bad_lines_and_errors(ddb: Any, s3: Any) -> None:
    bucket = _bucket(s3)
    lines = [
        b'{"Item": {"pk": {"S": "ok"}, "sk": {"S": "1"}, "n": {"N": "5"}}}',
        b"not json",
        b'{"Item": {"pk": {"S": "nokey"}}}',
        b'{"Item": {"pk": {"N": "1"}, "sk": {"S": "1"}}}',
        b'{"Item": {"pk": {"S": "badnum"}, "sk": {"S": "1"}, "n": {"N": "x"}}}',
        b'{"Other": {}}',
        b"",
        b'{"Item": {"pk": {"S": "ok2"}, "sk": {"S": "2"}, "b": {"B": "AAE="}}}',
    ]
    s3.put_object(Bucket=bucket, Key="in/part-1.json", Body=b"\n".join(lines))
    target = unique("json")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="NONE",
        TableCreationParameters=_creation(target),
        ClientToken="imp-1",
    )["ImportTableDescription"]
    same = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="NONE",
        TableCreationParameters=_creation(target),
        ClientToken="imp-1",
    )["ImportTableDescription"]
    assert same["ImportArn"] == job["ImportArn"]
    error = error_of(
        ddb.import_table,
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "other/"},
        InputFormat="DYNAMODB_JSON",
        TableCreationParameters=_creation(target),
        ClientToken="imp-1",
    )
    assert error["Code"] == "ImportConflictException"
    done = _wait_import(ddb, job["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED", done
    assert (done["ProcessedItemCount"], done["ImportedItemCount"], done["ErrorCount"]) == (7, 2, 5)
    assert ddb.get_item(TableName=target, Key={"pk": {"S": "ok2"}, "sk": {"S": "2"}})["Item"][
        "b"
    ] == {"B": b"\x00\x01"}

    # the table now exists: another import into it is refused
    error = error_of(
        ddb.import_table,
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
        InputFormat="DYNAMODB_JSON",
        TableCreationParameters=_creation(target),
    )
    assert error["Code"] == "ResourceInUseException"
    assert error["Message"] == f"Table already exists: {target}"

    error = error_of(
        ddb.import_table,
        S3BucketSource={"S3Bucket": bucket},
        InputFormat="DYNAMODB_JSON",
        InputFormatOptions={"Csv": {"Delimiter": ";"}},
        TableCreationParameters=_creation(unique("x")),
    )
    assert error["Code"] == "ValidationException"
    bad = _creation(unique("x"))
    bad["AttributeDefinitions"].append({"AttributeName": "unused", "AttributeType": "S"})
    error = error_of(
        ddb.import_table,
        S3BucketSource={"S3Bucket": bucket},
        InputFormat="DYNAMODB_JSON",
        TableCreationParameters=bad,
    )
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "One or more parameter values were invalid: Number of attributes in KeySchema does "
        "not exactly match number of attributes defined in AttributeDefinitions"
    )
    error = error_of(
        ddb.describe_import,
        ImportArn=f"{done['TableArn']}/import/01234567890123-abcdef01",
    )
    assert error["Code"] == "ImportNotFoundException"

    # a missing bucket, a gzip import of plain bytes: FAILED, no table left behind
    for source, compression, code in (
        ({"S3Bucket": unique("nobucket")}, "NONE", "S3NoSuchBucket"),
        ({"S3Bucket": bucket, "S3KeyPrefix": "in/"}, "GZIP", "ValidationError"),
    ):
        name = unique("failed")
        job = ddb.import_table(
            S3BucketSource=source,
            InputFormat="DYNAMODB_JSON",
            InputCompressionType=compression,
            TableCreationParameters=_creation(name),
        )["ImportTableDescription"]
        failed = _wait_import(ddb, job["ImportArn"])
        assert failed["ImportStatus"] == "FAILED"
        assert failed["FailureCode"] == code
        assert error_of(ddb.describe_table, TableName=name)["Code"] == "ResourceNotFoundException"

    listed = ddb.list_imports(TableArn=done["TableArn"])["ImportSummaryList"]
    assert [i["ImportArn"] for i in listed] == [done["ImportArn"]]
    assert listed[0]["ImportStatus"] == "COMPLETED"
    assert listed[0]["InputFormat"] == "DYNAMODB_JSON"
    first = ddb.list_imports(PageSize=1)
    assert len(first["ImportSummaryList"]) == 1 and "NextToken" in first


def test_exports_and_imports_survive_a_kill(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        ddb, s3 = server.client("dynamodb"), server.client("s3")
        name, arn = _pitr_table(ddb)
        ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "b"}})
        bucket = _bucket(s3)
        export_arn = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)[
            "ExportDescription"
        ]["ExportArn"]
        before = _wait_export(ddb, export_arn)
        folder = before["ExportManifest"].rsplit("/", 1)[0]
        target = unique("copy")
        import_arn = ddb.import_table(
            S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": f"{folder}/data/"},
            InputFormat="DYNAMODB_JSON",
            InputCompressionType="GZIP",
            TableCreationParameters=_creation(target),
        )["ImportTableDescription"]["ImportArn"]
        imported = _wait_import(ddb, import_arn)
        assert imported["ImportStatus"] == "COMPLETED"
        server.kill()
        server.start()
        ddb = server.client("dynamodb")
        assert ddb.describe_export(ExportArn=export_arn)["ExportDescription"] == before
        assert ddb.describe_import(ImportArn=import_arn)["ImportTableDescription"] == imported
        assert [s["ExportArn"] for s in ddb.list_exports(TableArn=arn)["ExportSummaries"]] == [
            export_arn
        ]
        assert ddb.get_item(TableName=target, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})["Item"]
    finally:
        server.stop()


def test_an_export_cut_by_a_kill_is_failed_at_restart_never_left_running(tmp_path: Path) -> None:
    """The copy's snapshot does not survive the process: after a restart an export the
    server was running is FAILED (or COMPLETED, had it finished first), never stuck."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        ddb, s3 = server.client("dynamodb"), server.client("s3")
        name, arn = _pitr_table(ddb)
        for start in range(0, 3000, 25):
            ddb.batch_write_item(
                RequestItems={
                    name: [
                        {"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "sk": {"S": "x" * 200}}}}
                        for i in range(start, start + 25)
                    ]
                }
            )
        bucket = _bucket(s3)
        export_arn = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)[
            "ExportDescription"
        ]["ExportArn"]
        server.kill()
        server.start()
        ddb = server.client("dynamodb")
        after = ddb.describe_export(ExportArn=export_arn)["ExportDescription"]
        assert after["ExportStatus"] in ("FAILED", "COMPLETED")
        if after["ExportStatus"] == "FAILED":
            assert after["FailureCode"] == "InternalServerError"
            assert after["FailureMessage"] == (
                "The export was interrupted by a restart of the server; export again"
            )
            assert "EndTime" in after
        # a new export of the same table runs to the end
        again = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket)
        done = _wait_export(ddb, again["ExportDescription"]["ExportArn"])
        assert done["ExportStatus"] == "COMPLETED" and done["ItemCount"] == 3000
    finally:
        server.stop()


def test_import_zstd_where_a_library_is_installed(ddb: Any, s3: Any) -> None:
    """ZSTD input needs a zstd library on the server (the same interpreter as this test's):
    without one the request is refused up front, with one the import reads it."""
    bucket = _bucket(s3)
    line = b'{"Item": {"pk": {"S": "z"}, "sk": {"S": "1"}}}\n'
    try:
        import zstandard
    except ImportError:
        error = error_of(
            ddb.import_table,
            S3BucketSource={"S3Bucket": bucket},
            InputFormat="DYNAMODB_JSON",
            InputCompressionType="ZSTD",
            TableCreationParameters=_creation(unique("zstd")),
        )
        assert error["Code"] == "ValidationException"
        assert error["Message"] == (
            "Stratus cannot read ZSTD input here: no zstd library is installed"
        )
        return
    s3.put_object(Bucket=bucket, Key="z/1.json.zst", Body=zstandard.compress(line))
    target = unique("zstd")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "z/"},
        InputFormat="DYNAMODB_JSON",
        InputCompressionType="ZSTD",
        TableCreationParameters=_creation(target),
    )["ImportTableDescription"]
    assert _wait_import(ddb, job["ImportArn"])["ImportedItemCount"] == 1


def test_import_of_an_empty_prefix_fails(ddb: Any, s3: Any) -> None:
    bucket = _bucket(s3)
    name = unique("empty")
    job = ddb.import_table(
        S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "nothing/"},
        InputFormat="CSV",
        TableCreationParameters=_creation(name),
    )["ImportTableDescription"]
    failed = _wait_import(ddb, job["ImportArn"])
    assert failed["ImportStatus"] == "FAILED"
    assert failed["FailureCode"] == "S3NoSuchKey"
    assert "EndTime" in failed
    assert error_of(ddb.describe_table, TableName=name)["Code"] == "ResourceNotFoundException"


def test_an_import_cut_by_a_kill_leaves_no_table_and_frees_its_name(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        s3 = server.client("s3")
        bucket = _bucket(s3)
        lines = b"".join(
            orjson.dumps({"Item": {"pk": {"S": f"k{i}"}, "sk": {"S": "x" * 100}}}) + b"\n"
            for i in range(20000)
        )
        for part in range(3):
            s3.put_object(Bucket=bucket, Key=f"in/{part}.json.gz", Body=gzip.compress(lines))
        ddb = server.client("dynamodb")
        target = unique("cut")
        import_arn = ddb.import_table(
            S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/"},
            InputFormat="DYNAMODB_JSON",
            InputCompressionType="GZIP",
            TableCreationParameters=_creation(target),
        )["ImportTableDescription"]["ImportArn"]
        server.kill()
        server.start()
        ddb = server.client("dynamodb")
        after = ddb.describe_import(ImportArn=import_arn)["ImportTableDescription"]
        assert after["ImportStatus"] in ("FAILED", "COMPLETED")
        if after["ImportStatus"] == "FAILED":
            assert after["FailureCode"] == "InternalServerError"
            assert error_of(ddb.describe_table, TableName=target)["Code"] == (
                "ResourceNotFoundException"
            )
            again = ddb.import_table(
                S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": "in/0"},
                InputFormat="DYNAMODB_JSON",
                InputCompressionType="GZIP",
                TableCreationParameters=_creation(target),
            )["ImportTableDescription"]
            done = _wait_import(ddb, again["ImportArn"])
            assert done["ImportStatus"] == "COMPLETED"
            assert ddb.describe_table(TableName=target)["Table"]["ItemCount"] == 20000
            # the cut import's rows were dropped at the restart, not left behind
            server.stop()
            with sqlite3.connect(tmp_path / "data" / "tables.db") as conn:
                (items,) = conn.execute("SELECT count(*) FROM ddb_items").fetchone()
                (unfinished,) = conn.execute(
                    "SELECT count(*) FROM ddb_tables WHERE definition = '{}'"
                ).fetchone()
            assert (items, unfinished) == (20000, 0)
    finally:
        server.stop()


def test_a_second_import_of_one_table_name_is_refused(ddb: Any, s3: Any) -> None:
    """Whether the first import is still running or done, the name is taken."""
    bucket = _bucket(s3)
    lines = b"".join(
        orjson.dumps({"Item": {"pk": {"S": f"k{i}"}, "sk": {"S": "1"}}}) + b"\n"
        for i in range(5000)
    )
    s3.put_object(Bucket=bucket, Key="in/1.json", Body=lines)
    target = unique("twice")
    source = {"S3Bucket": bucket, "S3KeyPrefix": "in/"}
    first = ddb.import_table(
        S3BucketSource=source,
        InputFormat="DYNAMODB_JSON",
        TableCreationParameters=_creation(target),
    )["ImportTableDescription"]
    error = error_of(
        ddb.import_table,
        S3BucketSource=source,
        InputFormat="DYNAMODB_JSON",
        TableCreationParameters=_creation(target),
    )
    assert error["Code"] == "ResourceInUseException"
    assert error["Message"] == f"Table already exists: {target}"
    assert _wait_import(ddb, first["ImportArn"])["ImportedItemCount"] == 5000
    assert len(ddb.list_imports(TableArn=first["TableArn"])["ImportSummaryList"]) == 1
