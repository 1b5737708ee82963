"""Item collections (tables with local secondary indexes): ItemCollectionMetrics when
ReturnItemCollectionMetrics is SIZE, and ItemCollectionSizeLimitExceededException when a
write would grow a collection past its limit.

The limit is AWS's 10 GB; this module's server lowers it (``--limit
item_collection_bytes=``) so a test can reach it with a few items: what counts and when
a write is refused are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, unique
from tests.conftest import ServerProcess

LIMIT = 40_000


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(
        tmp_path_factory.mktemp("collections") / "data", "--limit", f"item_collection_bytes={LIMIT}"
    )
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def client(small: ServerProcess) -> Any:
    return small.client("dynamodb")


def _table(client: Any, *, lsi: bool = True) -> str:
    name = unique()
    extra: dict[str, Any] = {}
    if lsi:
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": "byv",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "v", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ]
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            *([{"AttributeName": "v", "AttributeType": "S"}] if lsi else []),
        ],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def _item(pk: str, sk: str, size: int = 9_000) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "v": {"S": sk}, "blob": {"S": "x" * size}}


EXPECTED = {"ItemCollectionKey": {"pk": {"S": "a"}}, "SizeEstimateRangeGB": [0.0, 1.0]}


def test_metrics_only_when_asked_and_only_with_lsis(client: Any) -> None:
    name = _table(client)
    plain = client.put_item(TableName=name, Item=_item("a", "1", 10))
    assert "ItemCollectionMetrics" not in plain
    put = client.put_item(
        TableName=name, Item=_item("a", "2", 10), ReturnItemCollectionMetrics="SIZE"
    )
    assert put["ItemCollectionMetrics"] == EXPECTED
    update = client.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}, "sk": {"S": "2"}},
        UpdateExpression="SET w = :w",
        ExpressionAttributeValues={":w": {"N": "1"}},
        ReturnItemCollectionMetrics="SIZE",
    )
    assert update["ItemCollectionMetrics"] == EXPECTED
    delete = client.delete_item(
        TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "2"}}, ReturnItemCollectionMetrics="SIZE"
    )
    assert delete["ItemCollectionMetrics"] == EXPECTED
    batch = client.batch_write_item(
        RequestItems={name: [{"PutRequest": {"Item": _item(p, "1", 10)}} for p in ("a", "b")]},
        ReturnItemCollectionMetrics="SIZE",
    )
    keys = sorted(m["ItemCollectionKey"]["pk"]["S"] for m in batch["ItemCollectionMetrics"][name])
    assert keys == ["a", "b"]
    tx = client.transact_write_items(
        TransactItems=[{"Put": {"TableName": name, "Item": _item("c", "1", 10)}}],
        ReturnItemCollectionMetrics="SIZE",
    )
    assert tx["ItemCollectionMetrics"][name] == [
        {"ItemCollectionKey": {"pk": {"S": "c"}}, "SizeEstimateRangeGB": [0.0, 1.0]}
    ]
    # a table without local secondary indexes has no item collections
    other = _table(client, lsi=False)
    answer = client.put_item(
        TableName=other, Item=_item("a", "1", 10), ReturnItemCollectionMetrics="SIZE"
    )
    assert "ItemCollectionMetrics" not in answer


def test_collection_past_the_limit_is_refused(client: Any) -> None:
    name = _table(client)
    for i in range(4):  # 4 x ~9 KB: under 40 KB
        client.put_item(TableName=name, Item=_item("a", str(i)))
    err = error_of(client.put_item, TableName=name, Item=_item("a", "9"))
    assert err["Code"] == "ItemCollectionSizeLimitExceededException"
    assert err["Message"] == (
        "Item collection size limit exceeded. The total size of an item collection has "
        "exceeded the maximum limit of 10 gigabytes."
    )
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "9"}})
    # other collections are not affected, and shrinking the full one is always allowed
    client.put_item(TableName=name, Item=_item("b", "9"))
    client.put_item(TableName=name, Item=_item("a", "0", 10))
    client.put_item(TableName=name, Item=_item("a", "9"))
    client.delete_item(TableName=name, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})
    # a transaction that would pass it is refused as a whole
    err = error_of(
        client.transact_write_items,
        TransactItems=[
            {"Put": {"TableName": name, "Item": _item("z", "1", 10)}},
            {"Put": {"TableName": name, "Item": _item("a", "8", 30_000)}},
        ],
    )
    assert err["Code"] == "ItemCollectionSizeLimitExceededException"
    assert "Item" not in client.get_item(TableName=name, Key={"pk": {"S": "z"}, "sk": {"S": "1"}})


def test_collection_size_survives_a_restart(small: ServerProcess, client: Any) -> None:
    name = _table(client)
    for i in range(4):
        client.put_item(TableName=name, Item=_item("r", str(i)))
    small.stop()
    small.start()
    err = error_of(small.client("dynamodb").put_item, TableName=name, Item=_item("r", "9"))
    assert err["Code"] == "ItemCollectionSizeLimitExceededException"
