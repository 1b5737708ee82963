"""Items through boto3 (client and resource) against a real server: every type, numbers'
precision and order, conditions, updates, projections, return values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from tests.aws.dynamodb.conftest import error_of, make_table


def test_create_describe_list_delete_and_waiters(ddb: Any) -> None:
    name = make_table(
        ddb, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    )
    ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"][0] == {"AttributeName": "pk", "KeyType": "HASH"}
    assert table["LatestStreamArn"].startswith(f"{table['TableArn']}/stream/")
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert name in ddb.list_tables()["TableNames"]
    err = error_of(
        ddb.create_table,
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert (err["Code"], err["Message"]) == (
        "ResourceInUseException",
        f"Table already exists: {name}",
    )
    ddb.delete_table(TableName=name)
    ddb.get_waiter("table_not_exists").wait(TableName=name, WaiterConfig={"Delay": 1})
    err = error_of(ddb.describe_table, TableName=name)
    assert err["Code"] == "ResourceNotFoundException"
    assert err["Message"] == f"Requested resource not found: Table: {name} not found"


def test_list_tables_paginates(ddb: Any) -> None:
    names = sorted(make_table(ddb, range_key=None) for _ in range(3))
    seen: list[str] = []
    for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 2}):
        seen.extend(page["TableNames"])
    assert all(n in seen for n in names)
    assert seen == sorted(seen)


def test_every_type_round_trips(ddb: Any, table: str) -> None:
    item = {
        "pk": {"S": "types"},
        "sk": {"S": "1"},
        "s": {"S": "héllo"},
        "n": {"N": "-12.50"},
        "b": {"B": b"\x00\xff"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
        "m": {"M": {"inner": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
        "l": {"L": []},
        "null": {"NULL": True},
        "bool": {"BOOL": True},
    }
    ddb.put_item(TableName=table, Item=item)
    got = ddb.get_item(
        TableName=table, Key={"pk": {"S": "types"}, "sk": {"S": "1"}}, ConsistentRead=True
    )["Item"]
    assert got["n"] == {"N": "-12.5"}  # canonical form
    assert got["b"] == {"B": b"\x00\xff"}
    assert got["m"] == item["m"]
    assert sorted(got["ns"]["NS"]) == ["1", "2.5"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than supported range",
        ),
        (
            "1E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than supported range",
        ),
        ("abc", "A value provided cannot be converted into a number"),
    ],
    ids=["39-digits", "overflow", "underflow", "not-a-number"],
)
def test_number_limits(ddb: Any, table: str, text: str, message: str) -> None:
    err = error_of(
        ddb.put_item, TableName=table, Item={"pk": {"S": "n"}, "sk": {"S": "1"}, "v": {"N": text}}
    )
    assert (err["Code"], err["Message"]) == ("ValidationException", message)
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "n"}, "sk": {"S": "1"}})


def test_decimal_precision_with_resource(resource: Any, ddb: Any) -> None:
    t = resource.Table(make_table(ddb, range_type="N"))
    big = Decimal("12345678901234567890123456789012345678")
    t.put_item(Item={"pk": "d", "sk": 1, "v": big, "f": Decimal("0.1")})
    t.update_item(
        Key={"pk": "d", "sk": 1},
        UpdateExpression="SET f = f + :x",
        ExpressionAttributeValues={":x": Decimal("0.2")},
    )
    got = t.get_item(Key={"pk": "d", "sk": 1})["Item"]
    assert got["v"] == big
    assert got["f"] == Decimal("0.3")  # decimal arithmetic, not binary floating point


def test_sort_order_numbers_strings_binary(ddb: Any) -> None:
    numeric = make_table(ddb, range_type="N")
    values = ["-1E+10", "-5", "-1.5", "-1.25", "0", "0.001", "1", "2", "10", "1E+20"]
    for v in reversed(values):
        ddb.put_item(TableName=numeric, Item={"pk": {"S": "o"}, "sk": {"N": v}})
    got = ddb.query(
        TableName=numeric,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "o"}},
    )
    assert [Decimal(i["sk"]["N"]) for i in got["Items"]] == [Decimal(v) for v in values]
    strings = make_table(ddb)
    words = ["B", "a", "b", "é", "ab", "Z", "~"]
    for w in words:
        ddb.put_item(TableName=strings, Item={"pk": {"S": "o"}, "sk": {"S": w}})
    got = ddb.query(
        TableName=strings,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "o"}},
    )
    assert [i["sk"]["S"] for i in got["Items"]] == sorted(words, key=lambda w: w.encode())
    binary = make_table(ddb, range_type="B")
    blobs = [b"\xff", b"\x00", b"\x00\x01", b"a"]
    for b in blobs:
        ddb.put_item(TableName=binary, Item={"pk": {"S": "o"}, "sk": {"B": b}})
    got = ddb.query(
        TableName=binary,
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "o"}},
        ScanIndexForward=False,
    )
    assert [i["sk"]["B"] for i in got["Items"]] == sorted(blobs, reverse=True)


def test_conditions_every_function_and_operator(resource: Any, ddb: Any) -> None:
    t = resource.Table(make_table(ddb))
    t.put_item(
        Item={
            "pk": "c",
            "sk": "1",
            "n": 5,
            "s": "hello",
            "tags": {"x", "y"},
            "l": [1, 2],
            "m": {"a": 1},
        }
    )
    ok = [
        Attr("n").eq(5),
        Attr("n").ne(4),
        Attr("n").lt(6),
        Attr("n").lte(5),
        Attr("n").gt(4),
        Attr("n").gte(5),
        Attr("n").between(1, 5),
        Attr("n").is_in([1, 5]),
        Attr("s").begins_with("he"),
        Attr("s").contains("ell"),
        Attr("tags").contains("x"),
        Attr("l").contains(2),
        Attr("s").exists(),
        Attr("zz").not_exists(),
        Attr("s").attribute_type("S"),
        Attr("m.a").eq(1),
        Attr("l[1]").eq(2),
        Attr("s").size().eq(5),
        Attr("tags").size().eq(2),
        ~Attr("n").eq(4),
        Attr("n").eq(4) | Attr("n").eq(5),
        Attr("n").eq(5) & Attr("s").eq("hello"),
    ]
    for condition in ok:
        t.put_item(
            Item={
                "pk": "c",
                "sk": "1",
                "n": 5,
                "s": "hello",
                "tags": {"x", "y"},
                "l": [1, 2],
                "m": {"a": 1},
            },
            ConditionExpression=condition,
        )
    for condition in [
        Attr("n").eq(4),
        Attr("n").lt(5),
        Attr("zz").exists(),
        Attr("s").attribute_type("N"),
        Attr("missing").lt(3),
    ]:
        err = error_of(t.put_item, Item={"pk": "c", "sk": "1"}, ConditionExpression=condition)
        assert (err["Code"], err["Message"]) == (
            "ConditionalCheckFailedException",
            "The conditional request failed",
        )
    assert t.get_item(Key={"pk": "c", "sk": "1"})["Item"]["n"] == 5


def test_condition_failure_returns_item_when_asked(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "r"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}})
    err = error_of(
        ddb.put_item,
        TableName=table,
        Item=key,
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    assert err["_response"]["Item"] == {**key, "v": {"N": "1"}}


def test_update_actions(resource: Any, ddb: Any) -> None:
    t = resource.Table(make_table(ddb))
    key = {"pk": "u", "sk": "1"}
    t.put_item(
        Item={
            **key,
            "count": 1,
            "items": [1, 2, 3],
            "m": {"a": {"b": 1}},
            "tags": {"a", "b"},
            "gone": 1,
        }
    )
    got = t.update_item(
        Key=key,
        UpdateExpression="SET #c = #c + :one, #i = list_append(#i, :more), m.a.b = :two, "
        "fresh = if_not_exists(fresh, :zero) REMOVE gone ADD tags :c, #t :five",
        ExpressionAttributeNames={"#c": "count", "#i": "items", "#t": "total"},
        ExpressionAttributeValues={
            ":one": 1,
            ":more": [4],
            ":two": 2,
            ":zero": 0,
            ":c": {"c"},
            ":five": 5,
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    got = t.update_item(
        Key=key,
        UpdateExpression="SET #i[0] = :nine DELETE tags :a",
        ExpressionAttributeNames={"#i": "items"},
        ExpressionAttributeValues={":nine": 9, ":a": {"a"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert got["count"] == 2
    assert got["items"] == [9, 2, 3, 4]
    assert got["m"] == {"a": {"b": 2}}
    assert got["fresh"] == 0
    assert "gone" not in got
    assert got["tags"] == {"b", "c"}
    assert got["total"] == 5
    old = t.update_item(
        Key=key,
        UpdateExpression="SET fresh = :v",
        ExpressionAttributeValues={":v": 7},
        ReturnValues="UPDATED_OLD",
    )
    assert old["Attributes"] == {"fresh": 0}
    new = t.update_item(
        Key=key,
        UpdateExpression="REMOVE #i[1], #i[2]",
        ExpressionAttributeNames={"#i": "items"},
        ReturnValues="UPDATED_NEW",
    )
    assert t.get_item(Key=key)["Item"]["items"] == [9, 4]
    assert "Attributes" in new
    created = t.update_item(
        Key={"pk": "u", "sk": "new"},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": 1},
        ReturnValues="ALL_NEW",
    )
    assert created["Attributes"] == {"pk": "u", "sk": "new", "v": 1}


def test_projection_and_return_values(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "p"}, "sk": {"S": "1"}}
    ddb.put_item(
        TableName=table,
        Item={
            **key,
            "a": {"M": {"b": {"S": "x"}, "c": {"S": "y"}}},
            "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
            "z": {"S": "z"},
        },
    )
    got = ddb.get_item(
        TableName=table,
        Key=key,
        ProjectionExpression="a.b, l[2], #z",
        ExpressionAttributeNames={"#z": "z"},
    )["Item"]
    assert got == {"a": {"M": {"b": {"S": "x"}}}, "l": {"L": [{"N": "3"}]}, "z": {"S": "z"}}
    got = ddb.get_item(TableName=table, Key=key, AttributesToGet=["z"])["Item"]
    assert got == {"z": {"S": "z"}}
    old = ddb.put_item(TableName=table, Item=key, ReturnValues="ALL_OLD")["Attributes"]
    assert old["z"] == {"S": "z"}
    gone = ddb.delete_item(TableName=table, Key=key, ReturnValues="ALL_OLD")["Attributes"]
    assert gone == key


def test_legacy_parameters(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "legacy"}, "sk": {"S": "1"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    err = error_of(ddb.put_item, TableName=table, Item=key, Expected={"pk": {"Exists": False}})
    assert err["Code"] == "ConditionalCheckFailedException"
    ddb.update_item(
        TableName=table,
        Key=key,
        AttributeUpdates={
            "v": {"Action": "ADD", "Value": {"N": "2"}},
            "w": {"Action": "PUT", "Value": {"S": "x"}},
        },
    )
    assert ddb.get_item(TableName=table, Key=key)["Item"]["v"] == {"N": "3"}
    got = ddb.query(
        TableName=table,
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "legacy"}]}},
        QueryFilter={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}},
    )
    assert got["Count"] == 1
    got = ddb.scan(
        TableName=table,
        ScanFilter={"w": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}},
    )
    assert got["Count"] == 1


def test_item_size_limit(ddb: Any, table: str) -> None:
    # 400 KB counts names and values: a value of 400 KB less the key and its name fits
    key = {"pk": {"S": "big"}, "sk": {"S": "1"}}
    room = 400 * 1024 - len("pk") - 3 - len("sk") - 1 - len("v")
    ddb.put_item(TableName=table, Item={**key, "v": {"S": "x" * room}})
    err = error_of(ddb.put_item, TableName=table, Item={**key, "v": {"S": "x" * (room + 1)}})
    assert (err["Code"], err["Message"]) == (
        "ValidationException",
        "Item size has exceeded the maximum allowed size",
    )


def test_resource_api_query_and_scan(resource: Any, ddb: Any) -> None:
    t = resource.Table(make_table(ddb))
    for i in range(10):
        t.put_item(Item={"pk": "u#1", "sk": f"o#{i}", "total": Decimal(i)})
    t.put_item(Item={"pk": "u#1", "sk": "profile"})
    got = t.query(KeyConditionExpression=Key("pk").eq("u#1") & Key("sk").begins_with("o#"))
    assert got["Count"] == 10
    got = t.query(
        KeyConditionExpression=Key("pk").eq("u#1") & Key("sk").between("o#2", "o#4"),
        FilterExpression=Attr("total").gt(2),
    )
    assert [i["sk"] for i in got["Items"]] == ["o#3", "o#4"]
    assert got["ScannedCount"] == 3
    assert t.scan(Select="COUNT")["Count"] == 11
