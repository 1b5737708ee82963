"""On-demand backups and point-in-time recovery through boto3 against the real server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table, unique
from tests.conftest import ServerProcess


def _fill(ddb: Any, name: str, count: int, prefix: str = "a") -> None:
    for start in range(0, count, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"{prefix}{i}"}, "sk": {"S": "x"}}}}
                    for i in range(start, min(count, start + 25))
                ]
            }
        )


def _keys(ddb: Any, name: str) -> set[str]:
    items = []
    kwargs: dict[str, Any] = {"TableName": name}
    while True:
        page = ddb.scan(**kwargs)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return {i["pk"]["S"] for i in items}
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_backup_restore_has_the_backups_items_not_later_ones(ddb: Any) -> None:
    name = make_table(ddb)
    _fill(ddb, name, 30)
    created = ddb.create_backup(TableName=name, BackupName="nightly")["BackupDetails"]
    assert created["BackupName"] == "nightly"
    assert created["BackupStatus"] == "CREATING"
    assert created["BackupType"] == "USER"
    assert created["BackupArn"].startswith(
        f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/backup/"
    )
    # the source keeps changing after the backup
    _fill(ddb, name, 5, prefix="later")
    ddb.delete_item(TableName=name, Key={"pk": {"S": "a0"}, "sk": {"S": "x"}})

    described = ddb.describe_backup(BackupArn=created["BackupArn"])["BackupDescription"]
    assert described["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    assert described["BackupDetails"]["BackupSizeBytes"] > 0
    source = described["SourceTableDetails"]
    assert source["TableName"] == name
    assert source["ItemCount"] == 30
    assert source["KeySchema"][0] == {"AttributeName": "pk", "KeyType": "HASH"}
    assert source["BillingMode"] == "PAY_PER_REQUEST"
    assert described["SourceTableFeatureDetails"]["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "DISABLED"
    }

    target = unique("restored")
    restored = ddb.restore_table_from_backup(
        TargetTableName=target, BackupArn=created["BackupArn"]
    )["TableDescription"]
    assert restored["TableName"] == target
    assert restored["RestoreSummary"]["SourceBackupArn"] == created["BackupArn"]
    assert restored["RestoreSummary"]["RestoreInProgress"] is True
    assert _keys(ddb, target) == {f"a{i}" for i in range(30)}
    table = ddb.describe_table(TableName=target)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["ItemCount"] == 30
    assert table["RestoreSummary"]["RestoreInProgress"] is False
    # the restored table is a table like any other
    ddb.put_item(TableName=target, Item={"pk": {"S": "new"}, "sk": {"S": "x"}})
    assert "new" in _keys(ddb, target)


def test_restore_keeps_indexes_or_the_overrides(ddb: Any) -> None:
    name = make_table(
        ddb,
        ExtraAttributes=[
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    ddb.put_item(
        TableName=name,
        Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "g": {"S": "G"}, "l": {"S": "L"}},
    )
    arn = ddb.create_backup(TableName=name, BackupName="with-indexes")["BackupDetails"]["BackupArn"]
    features = ddb.describe_backup(BackupArn=arn)["BackupDescription"]["SourceTableFeatureDetails"]
    assert [i["IndexName"] for i in features["GlobalSecondaryIndexes"]] == ["by-g"]
    assert [i["IndexName"] for i in features["LocalSecondaryIndexes"]] == ["by-l"]

    same = unique("r")
    ddb.restore_table_from_backup(TargetTableName=same, BackupArn=arn)
    found = ddb.query(
        TableName=same,
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
    )
    assert found["Count"] == 1
    found = ddb.query(
        TableName=same,
        IndexName="by-l",
        KeyConditionExpression="pk = :p AND l = :l",
        ExpressionAttributeValues={":p": {"S": "p"}, ":l": {"S": "L"}},
    )
    assert found["Count"] == 1

    bare = unique("r")
    ddb.restore_table_from_backup(
        TargetTableName=bare,
        BackupArn=arn,
        GlobalSecondaryIndexOverride=[],
        LocalSecondaryIndexOverride=[],
        BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
    )
    table = ddb.describe_table(TableName=bare)["Table"]
    assert "GlobalSecondaryIndexes" not in table
    assert "LocalSecondaryIndexes" not in table
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["ItemCount"] == 1


def test_list_backups_filters_and_pages(ddb: Any) -> None:
    first, second = make_table(ddb), make_table(ddb)
    before = datetime.now(UTC) - timedelta(seconds=1)
    arns = [
        ddb.create_backup(TableName=first, BackupName=f"bk{i}")["BackupDetails"]["BackupArn"]
        for i in range(3)
    ]
    other = ddb.create_backup(TableName=second, BackupName="other")["BackupDetails"]["BackupArn"]

    listed = ddb.list_backups(TableName=first)["BackupSummaries"]
    assert [b["BackupArn"] for b in listed] == arns
    assert listed[0]["TableName"] == first
    assert listed[0]["BackupStatus"] == "AVAILABLE"
    by_arn = ddb.list_backups(TableName=f"arn:aws:dynamodb:us-east-1:000000000000:table/{first}")
    assert [b["BackupArn"] for b in by_arn["BackupSummaries"]] == arns

    page = ddb.list_backups(TableName=first, Limit=2)
    assert [b["BackupArn"] for b in page["BackupSummaries"]] == arns[:2]
    assert page["LastEvaluatedBackupArn"] == arns[1]
    rest = ddb.list_backups(TableName=first, Limit=2, ExclusiveStartBackupArn=arns[1])
    assert [b["BackupArn"] for b in rest["BackupSummaries"]] == arns[2:]
    assert "LastEvaluatedBackupArn" not in rest

    everything = {
        b["BackupArn"] for b in ddb.list_backups(TimeRangeLowerBound=before)["BackupSummaries"]
    }
    assert {*arns, other} <= everything
    assert ddb.list_backups(TableName=first, TimeRangeUpperBound=before)["BackupSummaries"] == []
    assert ddb.list_backups(TableName=first, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=first, BackupType="ALL")["BackupSummaries"]) == 3


def test_delete_backup_and_backups_outlive_their_table(ddb: Any) -> None:
    name = make_table(ddb)
    _fill(ddb, name, 3)
    arn = ddb.create_backup(TableName=name, BackupName="keep")["BackupDetails"]["BackupArn"]
    ddb.delete_table(TableName=name)
    # a backup survives its table, and restores under the table's old name
    assert (
        ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]
        == "AVAILABLE"
    )
    ddb.restore_table_from_backup(TargetTableName=name, BackupArn=arn)
    assert _keys(ddb, name) == {"a0", "a1", "a2"}

    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    error = error_of(ddb.describe_backup, BackupArn=arn)
    assert (error["Code"], error["Message"]) == (
        "BackupNotFoundException",
        f"Backup not found: {arn}",
    )
    error = error_of(ddb.delete_backup, BackupArn=arn)
    assert error["Code"] == "BackupNotFoundException"


def test_backup_errors(ddb: Any) -> None:
    name = make_table(ddb)
    missing = unique("missing")
    error = error_of(ddb.create_backup, TableName=missing, BackupName="x-1")
    assert (error["Code"], error["Message"]) == (
        "TableNotFoundException",
        f"Table not found: {missing}",
    )
    arn = ddb.create_backup(TableName=name, BackupName="b-1")["BackupDetails"]["BackupArn"]
    error = error_of(ddb.restore_table_from_backup, TargetTableName=name, BackupArn=arn)
    assert (error["Code"], error["Message"]) == (
        "TableAlreadyExistsException",
        f"Table already exists: {name}",
    )
    bogus = f"arn:aws:dynamodb:us-east-1:000000000000:table/{name}/backup/00000000000003-abcdef01"
    error = error_of(ddb.restore_table_from_backup, TargetTableName=unique(), BackupArn=bogus)
    assert (error["Code"], error["Message"]) == (
        "BackupNotFoundException",
        f"Backup not found: {bogus}",
    )
    error = error_of(ddb.describe_continuous_backups, TableName=missing)
    assert (error["Code"], error["Message"]) == (
        "TableNotFoundException",
        f"Table not found: {missing}",
    )


def test_a_large_backup_lets_other_requests_through(ddb: Any, server: Any) -> None:
    """The copy goes through the writer in chunks: writes to another table made while a
    backup of a big table runs all succeed, and the backup holds exactly its items."""
    big = make_table(ddb)
    _fill(ddb, big, 3000)
    other = make_table(ddb)
    client = server.client("dynamodb")
    result: dict[str, Any] = {}

    def backup() -> None:
        result["arn"] = client.create_backup(TableName=big, BackupName="big")["BackupDetails"][
            "BackupArn"
        ]

    thread = threading.Thread(target=backup)
    thread.start()
    written = 0
    while thread.is_alive() and written < 200:
        ddb.put_item(TableName=other, Item={"pk": {"S": f"o{written}"}, "sk": {"S": "x"}})
        ddb.put_item(TableName=big, Item={"pk": {"S": f"late{written}"}, "sk": {"S": "x"}})
        written += 1
    thread.join()
    assert len(_keys(ddb, other)) == written
    described = ddb.describe_backup(BackupArn=result["arn"])["BackupDescription"]
    count = described["SourceTableDetails"]["ItemCount"]
    target = unique("big")
    ddb.restore_table_from_backup(TargetTableName=target, BackupArn=result["arn"])
    restored = _keys(ddb, target)
    assert len(restored) == count
    assert {f"a{i}" for i in range(3000)} <= restored
    # the late writes it holds, if any, are a prefix: the snapshot is one instant
    late = sorted(int(k[4:]) for k in restored if k.startswith("late"))
    assert late == list(range(len(late)))


# -- point-in-time recovery --------------------------------------------------------------
def test_continuous_backups_default_and_update(ddb: Any) -> None:
    name = make_table(ddb)
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    updated = ddb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True,
            "RecoveryPeriodInDays": 7,
        },
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert updated["PointInTimeRecoveryStatus"] == "ENABLED"
    assert updated["RecoveryPeriodInDays"] == 7
    assert updated["EarliestRestorableDateTime"] <= updated["LatestRestorableDateTime"]
    again = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert again["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 7
    off = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )["ContinuousBackupsDescription"]
    assert off["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


def test_recovery_period_out_of_range(ddb: Any) -> None:
    name = make_table(ddb)
    error = error_of(
        ddb.update_continuous_backups,
        TableName=name,
        PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True,
            "RecoveryPeriodInDays": 36,
        },
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "1 validation error detected: Value '36' at "
        "'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy "
        "constraint: Member must have value less than or equal to 35",
    )
    described = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert described["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


def test_restore_with_an_index_on_an_undefined_attribute_is_refused(ddb: Any) -> None:
    name = make_table(ddb)
    arn = ddb.create_backup(TableName=name, BackupName="bk1")["BackupDetails"]["BackupArn"]
    target = unique("r")
    error = error_of(
        ddb.restore_table_from_backup,
        TargetTableName=target,
        BackupArn=arn,
        GlobalSecondaryIndexOverride=[
            {
                "IndexName": "by-zz",
                "KeySchema": [{"AttributeName": "zz", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "One or more parameter values were invalid: Some index key attributes are not defined "
        "in AttributeDefinitions. Keys: [zz], AttributeDefinitions: [pk, sk]",
    )
    assert target not in ddb.list_tables()["TableNames"]


def test_restore_to_point_in_time(ddb: Any) -> None:
    name = make_table(ddb)
    target = unique("pitr")
    error = error_of(
        ddb.restore_table_to_point_in_time,
        SourceTableName=name,
        TargetTableName=target,
        UseLatestRestorableTime=True,
    )
    assert (error["Code"], error["Message"]) == (
        "PointInTimeRecoveryUnavailableException",
        f"Point in time recovery is not enabled for table '{name}'",
    )
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    _fill(ddb, name, 4)
    restored = ddb.restore_table_to_point_in_time(
        SourceTableName=name, TargetTableName=target, UseLatestRestorableTime=True
    )["TableDescription"]
    assert restored["RestoreSummary"]["SourceTableArn"].endswith(f":table/{name}")
    assert _keys(ddb, target) == {"a0", "a1", "a2", "a3"}

    # a time after the last change is the table as it is
    window = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]
    at_latest = unique("pitr")
    ddb.restore_table_to_point_in_time(
        SourceTableName=name,
        TargetTableName=at_latest,
        RestoreDateTime=window["LatestRestorableDateTime"],
    )
    assert len(_keys(ddb, at_latest)) == 4

    error = error_of(
        ddb.restore_table_to_point_in_time,
        SourceTableName=name,
        TargetTableName=unique("pitr"),
        RestoreDateTime=window["EarliestRestorableDateTime"] - timedelta(days=1),
    )
    assert error["Code"] == "InvalidRestoreTimeException"
    assert error["Message"].startswith("An invalid restore time was specified.")
    # a time within the window but before the last change: Stratus has no history
    ddb.put_item(TableName=name, Item={"pk": {"S": "later"}, "sk": {"S": "x"}})
    error = error_of(
        ddb.restore_table_to_point_in_time,
        SourceTableName=name,
        TargetTableName=unique("pitr"),
        RestoreDateTime=window["LatestRestorableDateTime"],
    )
    assert error["Code"] == "InvalidRestoreTimeException"
    error = error_of(
        ddb.restore_table_to_point_in_time,
        SourceTableName=name,
        TargetTableName=target,
        UseLatestRestorableTime=True,
    )
    assert (error["Code"], error["Message"]) == (
        "TableAlreadyExistsException",
        f"Table already exists: {target}",
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"UseLatestRestorableTime": True},
            "Either source table name or source table arn must be provided",
        ),
        (
            {
                "SourceTableName": "x-table",
                "SourceTableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/x-table",
                "UseLatestRestorableTime": True,
            },
            "Only one of source table name or source table arn can be provided",
        ),
    ],
    ids=["no-source", "two-sources"],
)
def test_restore_to_point_in_time_bad_sources(
    ddb: Any, kwargs: dict[str, Any], message: str
) -> None:
    error = error_of(ddb.restore_table_to_point_in_time, TargetTableName=unique(), **kwargs)
    assert (error["Code"], error["Message"]) == ("ValidationException", message)


def test_backups_and_settings_survive_a_kill(tmp_path: Path) -> None:
    """Backups (descriptions and items) and the table's stored settings are in the
    tables' database: a ``kill -9`` and a restart keep them."""
    server = ServerProcess(tmp_path / "data").start()
    try:
        ddb = server.client("dynamodb")
        name = make_table(ddb)
        _fill(ddb, name, 40)
        arn = ddb.create_backup(TableName=name, BackupName="durable")["BackupDetails"]["BackupArn"]
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        server.kill()
        server.start()
        ddb = server.client("dynamodb")
        listed = ddb.list_backups(TableName=name)["BackupSummaries"]
        assert [(b["BackupArn"], b["BackupStatus"]) for b in listed] == [(arn, "AVAILABLE")]
        target = unique("after-kill")
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=arn)
        assert _keys(ddb, target) == {f"a{i}" for i in range(40)}
        recovery = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"
        ]
        assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
    finally:
        server.stop()
