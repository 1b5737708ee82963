"""The cases the differential harness runs (``differential.py``): each a function of a
side, registered with ``@case``; the calls' positions in a case are how
``test_differential.MOTO_DIFFERS`` names a known difference, so add calls at the end."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key

from tests.aws.dynamodb.differential import Case, Side

CASES: dict[str, Case] = {}

K = {"pk": {"S": "a"}, "sk": {"S": "1"}}


def case() -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES[fn.__name__] = fn
        return fn

    return register


def _item(**attrs: Any) -> dict[str, Any]:
    return {**K, **attrs}


# -- PutItem / GetItem ---------------------------------------------------------------
@case()
def put_get_every_type(s: Side) -> None:
    s.table()
    item = _item(
        s={"S": "x"},
        n={"N": "1.50"},
        b={"B": b"\x00\x01"},
        ss={"SS": ["b", "a"]},
        ns={"NS": ["2", "1.0"]},
        bs={"BS": [b"z", b"a"]},
        m={"M": {"x": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": False}]}}},
        e={"S": ""},
        eb={"B": b""},
    )
    s.call("put_item", TableName="T", Item=item)
    s.call("get_item", TableName="T", Key=K)
    s.call(
        "get_item",
        TableName="T",
        Key=K,
        ProjectionExpression="m.x[0], ss, #n",
        ExpressionAttributeNames={"#n": "n"},
    )
    s.call("get_item", TableName="T", Key=K, AttributesToGet=["s", "n"])


@case()
def numbers_edge(s: Side) -> None:
    s.table()
    for i, n in enumerate(
        [
            "12345678901234567890123456789012345678",
            "1E-130",
            "9.9999999999999999999999999999999999999E+125",
            "1.500",
            "-0",
            "0.000",
            "100",
            "1E+2",
            "-1E-130",
            "0.1E-129",
        ]
    ):
        s.call(
            "put_item", TableName="T", Item={"pk": {"S": "n"}, "sk": {"S": str(i)}, "v": {"N": n}}
        )
        s.call("get_item", TableName="T", Key={"pk": {"S": "n"}, "sk": {"S": str(i)}})
    for bad in [
        "123456789012345678901234567890123456789",
        "1E-131",
        "1E+126",
        "abc",
        "",
        " 1",
        "1e5x",
        "Infinity",
        "NaN",
    ]:
        s.call(
            "put_item", TableName="T", Item={"pk": {"S": "n"}, "sk": {"S": "x"}, "v": {"N": bad}}
        )


@case()
def empty_values(s: Side) -> None:
    s.table()
    s.call("put_item", TableName="T", Item=_item(a={"SS": []}))
    s.call("put_item", TableName="T", Item=_item(a={"NS": []}))
    s.call("put_item", TableName="T", Item=_item(a={"BS": []}))
    s.call("put_item", TableName="T", Item=_item(a={"L": []}, m={"M": {}}, e={"S": ""}))
    s.call("get_item", TableName="T", Key=K)
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": ""}})
    s.call("put_item", TableName="T", Item={"pk": {"B": b""}, "sk": {"S": "1"}})
    s.call("put_item", TableName="T", Item=_item(a={"SS": ["x", "x"]}))
    s.call("put_item", TableName="T", Item=_item(a={"NS": ["1", "1.0"]}))


@case()
def key_schema_violations(s: Side) -> None:
    s.table()
    s.call("get_item", TableName="T", Key={"pk": {"S": "a"}})
    s.call("get_item", TableName="T", Key={"pk": {"N": "1"}, "sk": {"S": "1"}})
    s.call("get_item", TableName="T", Key={**K, "x": {"S": "1"}})
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}})
    s.call("put_item", TableName="T", Item={"pk": {"N": "1"}, "sk": {"S": "1"}})
    s.call("delete_item", TableName="T", Key={"pk": {"S": "a"}})
    s.call(
        "update_item",
        TableName="T",
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET a = :v",
        ExpressionAttributeValues={":v": {"S": "1"}},
    )
    s.call("get_item", TableName="nope-table", Key=K)
    s.call("put_item", TableName="nope-table", Item=K)


# -- conditions ------------------------------------------------------------------------
@case()
def condition_functions(s: Side) -> None:
    s.table()
    s.call(
        "put_item",
        TableName="T",
        Item=_item(
            s={"S": "hello"},
            n={"N": "5"},
            l={"L": [{"S": "a"}, {"N": "2"}]},
            ss={"SS": ["x", "y"]},
            m={"M": {"k": {"S": "v"}}},
            b={"B": b"ab"},
        ),
    )
    conditions = [
        ("attribute_exists(s)", {}),
        ("attribute_not_exists(s)", {}),
        ("attribute_exists(m.k)", {}),
        ("attribute_exists(l[1])", {}),
        ("attribute_exists(l[5])", {}),
        ("attribute_type(s, :t)", {":t": {"S": "S"}}),
        ("attribute_type(n, :t)", {":t": {"S": "S"}}),
        ("attribute_type(n, :t)", {":t": {"S": "BAD"}}),
        ("begins_with(s, :p)", {":p": {"S": "he"}}),
        ("begins_with(b, :p)", {":p": {"B": b"a"}}),
        ("begins_with(n, :p)", {":p": {"S": "5"}}),
        ("contains(s, :p)", {":p": {"S": "ell"}}),
        ("contains(ss, :p)", {":p": {"S": "x"}}),
        ("contains(l, :p)", {":p": {"N": "2"}}),
        ("size(s) = :n", {":n": {"N": "5"}}),
        ("size(l) > :n", {":n": {"N": "1"}}),
        ("size(m) = :n", {":n": {"N": "1"}}),
        ("size(n) = :n", {":n": {"N": "1"}}),
        ("n BETWEEN :a AND :b", {":a": {"N": "1"}, ":b": {"N": "9"}}),
        ("n BETWEEN :b AND :a", {":a": {"N": "1"}, ":b": {"N": "9"}}),
        ("n IN (:a, :b)", {":a": {"N": "1"}, ":b": {"N": "5"}}),
        ("s < :a", {":a": {"N": "1"}}),
        ("n <> :a AND NOT s = :b OR n >= :a", {":a": {"N": "5"}, ":b": {"S": "x"}}),
        ("n = :a", {":a": {"N": "5.0"}}),
        ("missing = :a", {":a": {"NULL": True}}),
        ("missing <> :a", {":a": {"NULL": True}}),
        ("m = :a", {":a": {"M": {"k": {"S": "v"}}}}),
        ("ss = :a", {":a": {"SS": ["y", "x"]}}),
    ]
    for text, values in conditions:
        params: dict[str, Any] = {"ConditionExpression": text}
        if values:
            params["ExpressionAttributeValues"] = values
        s.call("delete_item", TableName="T", Key={"pk": {"S": "z"}, "sk": {"S": "1"}}, **params)
        s.call(
            "put_item",
            TableName="T",
            Item=_item(
                s={"S": "hello"},
                n={"N": "5"},
                l={"L": [{"S": "a"}, {"N": "2"}]},
                ss={"SS": ["x", "y"]},
                m={"M": {"k": {"S": "v"}}},
                b={"B": b"ab"},
            ),
            **params,
        )


@case()
def condition_errors(s: Side) -> None:
    s.table()
    bad = [
        ("a = ", {}),
        ("a = :v", {}),
        ("a = :v", {":v": {"S": "1"}, ":w": {"S": "2"}}),
        ("#a = :v", {":v": {"S": "1"}}),
        ("size = :v", {":v": {"S": "1"}}),
        ("name = :v", {":v": {"S": "1"}}),
        ("foo(a)", {}),
        ("attribute_exists(a, b)", {}),
        ("begins_with(a)", {}),
        ("a IN ()", {}),
        ("a BETWEEN :v", {":v": {"S": "1"}}),
        ("a = :v)", {":v": {"S": "1"}}),
        ("(a = :v", {":v": {"S": "1"}}),
        ("a == :v", {":v": {"S": "1"}}),
        ("a = :v AND", {":v": {"S": "1"}}),
        ("size(a)", {}),
        ("attribute_type(a, :v)", {":v": {"N": "1"}}),
        ("a.b[x] = :v", {":v": {"S": "1"}}),
        ("", {}),
        ("a = a", {}),
        ("a < :v", {":v": {"SS": ["1"]}}),
        ("contains(:v, a)", {":v": {"S": "1"}}),
        ("begins_with(:v, a)", {":v": {"S": "1"}}),
    ]
    for text, values in bad:
        params: dict[str, Any] = {"ConditionExpression": text}
        if values:
            params["ExpressionAttributeValues"] = values
        s.call("put_item", TableName="T", Item=K, **params)
    s.call(
        "put_item",
        TableName="T",
        Item=K,
        ConditionExpression="a = :v",
        ExpressionAttributeValues={":v": {"S": "1"}},
        ExpressionAttributeNames={"#unused": "x"},
    )
    s.call("put_item", TableName="T", Item=K, ExpressionAttributeValues={":v": {"S": "1"}})
    s.call("put_item", TableName="T", Item=K, ExpressionAttributeNames={"#v": "v"})
    s.call(
        "put_item",
        TableName="T",
        Item=K,
        ConditionExpression="a = :v",
        ExpressionAttributeValues={":v": {"S": "1"}},
        Expected={"a": {"Exists": False}},
    )


@case()
def conditional_failure_return_values(s: Side) -> None:
    s.table()
    s.call("put_item", TableName="T", Item=_item(v={"N": "1"}))
    s.call(
        "put_item",
        TableName="T",
        Item=K,
        ConditionExpression="attribute_not_exists(pk)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    s.call("put_item", TableName="T", Item=K, ConditionExpression="attribute_not_exists(pk)")
    s.call(
        "delete_item",
        TableName="T",
        Key=K,
        ConditionExpression="v = :x",
        ExpressionAttributeValues={":x": {"N": "2"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        UpdateExpression="SET v = :x",
        ConditionExpression="v = :x",
        ExpressionAttributeValues={":x": {"N": "2"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )
    s.call(
        "update_item",
        TableName="T",
        Key={"pk": {"S": "new"}, "sk": {"S": "1"}},
        UpdateExpression="SET v = :x",
        ConditionExpression="v = :x",
        ExpressionAttributeValues={":x": {"N": "2"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )


# -- UpdateItem --------------------------------------------------------------------------
@case()
def update_actions(s: Side) -> None:
    s.table()
    s.call(
        "put_item",
        TableName="T",
        Item=_item(
            n={"N": "1"},
            l={"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
            ss={"SS": ["a", "b"]},
            m={"M": {"x": {"M": {"y": {"N": "1"}}}}},
        ),
    )
    updates = [
        ("SET n = n + :one", {":one": {"N": "1"}}),
        ("SET n = :one - n", {":one": {"N": "1"}}),
        ("SET l = list_append(l, :l)", {":l": {"L": [{"S": "x"}]}}),
        ("SET l = list_append(:l, l)", {":l": {"L": [{"S": "y"}]}}),
        ("SET l[1] = :one", {":one": {"N": "1"}}),
        ("SET l[99] = :one", {":one": {"N": "9"}}),
        ("REMOVE l[0], l[2]", {}),
        ("SET m.x.y = m.x.y + :one", {":one": {"N": "1"}}),
        ("SET m.x.z = if_not_exists(m.x.z, :one)", {":one": {"N": "7"}}),
        ("SET m.q.r = :one", {":one": {"N": "7"}}),
        ("ADD ss :s", {":s": {"SS": ["c"]}}),
        ("DELETE ss :s", {":s": {"SS": ["a", "zz"]}}),
        ("DELETE ss :s", {":s": {"SS": ["b", "c"]}}),
        ("ADD newn :one, news :s", {":one": {"N": "3"}, ":s": {"NS": ["1"]}}),
        ("ADD n :s", {":s": {"SS": ["x"]}}),
        ("ADD l :one", {":one": {"N": "1"}}),
        ("DELETE n :one", {":one": {"N": "1"}}),
        ("SET n = n + :s", {":s": {"S": "x"}}),
        ("SET l = list_append(l, :s)", {":s": {"S": "x"}}),
        ("SET a = :one, a = :one", {":one": {"N": "1"}}),
        ("SET m.x = :one REMOVE m.x.y", {":one": {"N": "1"}}),
        ("SET pk = :one", {":one": {"S": "1"}}),
        ("REMOVE sk", {}),
        ("SET #a = :one", {":one": {"N": "1"}}),
        ("SET n = :one SET n = :one", {":one": {"N": "1"}}),
        ("set lower = :one remove other", {":one": {"N": "1"}}),
        ("SET n = n + :big", {":big": {"N": "99999999999999999999999999999999999999"}}),
        ("SET n = :big + :big", {":big": {"N": "9.9999999999999999999999999999999999999E+125"}}),
        ("SET n = :a - :b", {":a": {"N": "1E-130"}, ":b": {"N": "1E-130"}}),
        ("ADD ss :e", {":e": {"SS": []}}),
        ("SET e = :e", {":e": {"S": ""}}),
        ("SET missing.x = :one", {":one": {"N": "1"}}),
        ("SET l[0].x = :one", {":one": {"N": "1"}}),
    ]
    for rv in ("ALL_NEW",):
        for text, values in updates:
            params: dict[str, Any] = {"UpdateExpression": text, "ReturnValues": rv}
            if values:
                params["ExpressionAttributeValues"] = values
            if "#a" in text:
                params["ExpressionAttributeNames"] = {"#a": "aa"}
            s.call("update_item", TableName="T", Key=K, **params)


@case()
def update_return_values(s: Side) -> None:
    s.table()
    for rv in ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", "BAD"):
        s.call(
            "put_item",
            TableName="T",
            Item=_item(
                a={"N": "1"},
                m={"M": {"x": {"N": "1"}, "y": {"N": "2"}}},
                l={"L": [{"N": "1"}, {"N": "2"}]},
            ),
        )
        s.call(
            "update_item",
            TableName="T",
            Key=K,
            UpdateExpression="SET a = a + :one, m.x = :one, l[1] = :one, z = :one REMOVE m.y",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues=rv,
        )
    for rv in ("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD"):
        s.call("put_item", TableName="T", Item=_item(a={"N": "1"}), ReturnValues=rv)
        s.call("delete_item", TableName="T", Key=K, ReturnValues=rv)
    s.call(
        "update_item",
        TableName="T",
        Key={"pk": {"S": "n"}, "sk": {"S": "1"}},
        UpdateExpression="SET a = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_OLD",
    )
    s.call(
        "update_item",
        TableName="T",
        Key={"pk": {"S": "n2"}, "sk": {"S": "1"}},
        ReturnValues="ALL_NEW",
    )


@case()
def update_legacy(s: Side) -> None:
    s.table()
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        AttributeUpdates={
            "a": {"Value": {"N": "1"}, "Action": "PUT"},
            "b": {"Value": {"SS": ["x"]}, "Action": "ADD"},
        },
        ReturnValues="ALL_NEW",
    )
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        AttributeUpdates={"a": {"Value": {"N": "2"}, "Action": "ADD"}, "b": {"Action": "DELETE"}},
        ReturnValues="ALL_NEW",
    )
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        AttributeUpdates={"a": {"Value": {"N": "2"}}},
        Expected={"a": {"Value": {"N": "3"}}},
        ReturnValues="ALL_NEW",
    )
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        AttributeUpdates={"a": {"Value": {"N": "2"}}},
        Expected={"a": {"Value": {"N": "3"}}},
    )
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        AttributeUpdates={"a": {"Value": {"N": "5"}}},
        Expected={
            "a": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "1"}]},
            "c": {"Exists": False},
        },
        ReturnValues="UPDATED_NEW",
    )
    s.call("put_item", TableName="T", Item=K, Expected={"a": {"Exists": True}})
    s.call("put_item", TableName="T", Item=K, Expected={"zz": {"Exists": True}})
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        UpdateExpression="SET a = :v",
        AttributeUpdates={"a": {"Value": {"N": "5"}}},
        ExpressionAttributeValues={":v": {"N": "1"}},
    )


# -- Query / Scan --------------------------------------------------------------------------
def _fill(s: Side, n: int = 12) -> None:
    for i in range(n):
        s.call(
            "put_item",
            TableName="T",
            Item={
                "pk": {"S": "p"},
                "sk": {"N": str(i)},
                "v": {"N": str(i % 3)},
                "big": {"S": "x" * (i % 4)},
            },
        )


@case()
def query_key_operators(s: Side) -> None:
    s.table(range_type="N")
    _fill(s)
    for text, values in [
        ("pk = :p", {}),
        ("pk = :p AND sk = :a", {":a": {"N": "3"}}),
        ("pk = :p AND sk < :a", {":a": {"N": "3"}}),
        ("pk = :p AND sk <= :a", {":a": {"N": "3"}}),
        ("pk = :p AND sk > :a", {":a": {"N": "9"}}),
        ("pk = :p AND sk >= :a", {":a": {"N": "9"}}),
        ("pk = :p AND sk BETWEEN :a AND :b", {":a": {"N": "2"}, ":b": {"N": "4"}}),
        ("pk = :p AND sk BETWEEN :b AND :a", {":a": {"N": "2"}, ":b": {"N": "4"}}),
        ("pk = :p AND begins_with(sk, :a)", {":a": {"N": "1"}}),
        ("pk = :p AND sk <> :a", {":a": {"N": "1"}}),
        ("pk = :p OR sk = :a", {":a": {"N": "1"}}),
        ("sk = :a", {":a": {"N": "1"}}),
        ("pk = :p AND v = :a", {":a": {"N": "1"}}),
        ("pk < :p", {}),
        ("pk = :p AND sk = :a", {":a": {"S": "1"}}),
        ("pk = :p AND (sk = :a)", {":a": {"N": "1"}}),
        ("(pk = :p) AND sk > :a", {":a": {"N": "1"}}),
        ("pk = :p AND sk = :a AND sk = :a", {":a": {"N": "1"}}),
        ("pk = :p AND size(sk) = :a", {":a": {"N": "1"}}),
        (":p = pk", {}),
    ]:
        for forward in (True, False):
            s.call(
                "query",
                TableName="T",
                KeyConditionExpression=text,
                ExpressionAttributeValues={":p": {"S": "p"}, **values},
                ScanIndexForward=forward,
            )


@case()
def query_pagination_filters(s: Side) -> None:
    s.table(range_type="N")
    _fill(s)
    params: dict[str, Any] = {
        "TableName": "T",
        "KeyConditionExpression": "pk = :p",
        "FilterExpression": "v = :v",
        "ExpressionAttributeValues": {":p": {"S": "p"}, ":v": {"N": "1"}},
        "Limit": 5,
    }
    while True:
        page = s.call("query", **params)
        last = page.get("ok", {}).get("LastEvaluatedKey")
        if not last:
            break
        params["ExclusiveStartKey"] = last
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="COUNT",
        Limit=4,
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="COUNT",
        ProjectionExpression="v",
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="SPECIFIC_ATTRIBUTES",
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Select="ALL_PROJECTED_ATTRIBUTES",
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        Limit=0,
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "p"}},
    )
    s.call(
        "query",
        TableName="T",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "p"}},
        ExclusiveStartKey={"pk": {"S": "q"}, "sk": {"N": "3"}},
    )
    s.call(
        "query",
        TableName="T",
        KeyConditions={
            "pk": {"AttributeValueList": [{"S": "p"}], "ComparisonOperator": "EQ"},
            "sk": {"AttributeValueList": [{"N": "5"}], "ComparisonOperator": "GE"},
        },
        QueryFilter={"v": {"AttributeValueList": [{"N": "2"}], "ComparisonOperator": "EQ"}},
    )
    s.call("query", TableName="T")


@case()
def scan_pagination(s: Side) -> None:
    s.table(range_type="N")
    _fill(s)
    total = 0
    params: dict[str, Any] = {
        "TableName": "T",
        "FilterExpression": "v = :v",
        "ExpressionAttributeValues": {":v": {"N": "2"}},
        "Limit": 5,
    }
    pages = 0
    while True:
        page = s.call("scan", **params)
        pages += 1
        ok = page.get("ok", {})
        total += ok.get("Count", 0)
        if not ok.get("LastEvaluatedKey") or pages > 10:
            break
        params["ExclusiveStartKey"] = ok["LastEvaluatedKey"]
    s.call("scan", TableName="T", Select="COUNT")
    s.call("scan", TableName="T", Segment=1)
    s.call("scan", TableName="T", Segment=2, TotalSegments=2)
    s.call(
        "scan",
        TableName="T",
        ScanFilter={"v": {"AttributeValueList": [{"N": "0"}], "ComparisonOperator": "EQ"}},
        Select="COUNT",
    )
    s.call(
        "scan",
        TableName="T",
        ScanFilter={
            "big": {"ComparisonOperator": "NOT_NULL"},
            "v": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "2"}]},
        },
        ConditionalOperator="OR",
        Select="COUNT",
    )


# -- indexes -----------------------------------------------------------------------------
@case()
def index_projections(s: Side) -> None:
    s.table(
        attrs=[
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "all",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "keys",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
            {
                "IndexName": "inc",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]},
            },
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
    )
    for i in range(4):
        s.call(
            "put_item",
            TableName="T",
            Item={
                "pk": {"S": "a"},
                "sk": {"S": str(i)},
                "g": {"S": "G"},
                "l": {"N": str(10 - i)},
                "x": {"S": "X"},
                "y": {"S": "Y"},
            },
        )
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": "nog"}, "x": {"S": "X"}})
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": "bad"}, "g": {"N": "1"}})
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": "bad"}, "g": {"S": ""}})
    for index in ("all", "keys", "inc"):
        s.call(
            "query",
            TableName="T",
            IndexName=index,
            KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "G"}},
        )
    s.call(
        "query",
        TableName="T",
        IndexName="lsi",
        KeyConditionExpression="pk = :p AND l > :l",
        ExpressionAttributeValues={":p": {"S": "a"}, ":l": {"N": "7"}},
    )
    s.call(
        "query",
        TableName="T",
        IndexName="lsi",
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "a"}},
        Select="ALL_ATTRIBUTES",
    )
    s.call(
        "query",
        TableName="T",
        IndexName="keys",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
        ProjectionExpression="y",
    )
    s.call(
        "query",
        TableName="T",
        IndexName="all",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
        ConsistentRead=True,
    )
    s.call(
        "query",
        TableName="T",
        IndexName="nope",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
    )
    s.call(
        "query",
        TableName="T",
        IndexName="keys",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G"}},
        Limit=2,
    )
    s.call("scan", TableName="T", IndexName="keys", Select="COUNT")


# -- batches -----------------------------------------------------------------------------
@case()
def batch_limits(s: Side) -> None:
    s.table()
    name = s.name("T")
    puts = [{"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"S": str(i)}}}} for i in range(26)]
    s.call("batch_write_item", RequestItems={name: puts})
    s.call("batch_write_item", RequestItems={name: puts[:25]})
    s.call("batch_write_item", RequestItems={name: [puts[0], puts[0]]})
    s.call(
        "batch_write_item",
        RequestItems={name: [puts[0], {"DeleteRequest": {"Key": puts[0]["PutRequest"]["Item"]}}]},
    )
    s.call("batch_write_item", RequestItems={name: []})
    s.call("batch_write_item", RequestItems={"missing-tbl": puts[:1]})
    s.call("batch_write_item", RequestItems={name: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]})
    keys = [{"pk": {"S": "b"}, "sk": {"S": str(i)}} for i in range(101)]
    s.call("batch_get_item", RequestItems={name: {"Keys": keys}})
    s.call("batch_get_item", RequestItems={name: {"Keys": [keys[0], keys[0]]}})
    s.call(
        "batch_get_item",
        RequestItems={
            name: {
                "Keys": [keys[0], keys[1], {"pk": {"S": "none"}, "sk": {"S": "x"}}],
                "ProjectionExpression": "sk",
            }
        },
    )
    s.call("batch_get_item", RequestItems={name: {"Keys": []}})
    s.call("batch_get_item", RequestItems={"missing-tbl": {"Keys": keys[:1]}})
    s.call("batch_get_item", RequestItems={name: {"Keys": [{"pk": {"S": "b"}}]}})


# -- transactions ------------------------------------------------------------------------------
@case()
def transactions(s: Side) -> None:
    s.table()
    name = s.name("T")

    def put(i: int, **extra: Any) -> dict[str, Any]:
        return {
            "Put": {"TableName": name, "Item": {"pk": {"S": "t"}, "sk": {"S": str(i)}}, **extra}
        }

    s.call("transact_write_items", TransactItems=[put(i) for i in range(101)])
    s.call("transact_write_items", TransactItems=[put(i) for i in range(100)])
    s.call("transact_write_items", TransactItems=[put(1), put(1)])
    s.call(
        "transact_write_items",
        TransactItems=[
            put(1),
            {
                "ConditionCheck": {
                    "TableName": name,
                    "Key": {"pk": {"S": "t"}, "sk": {"S": "1"}},
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        ],
    )
    s.call(
        "transact_write_items",
        TransactItems=[
            put(200),
            put(
                1,
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            {
                "Update": {
                    "TableName": name,
                    "Key": {"pk": {"S": "t"}, "sk": {"S": "2"}},
                    "UpdateExpression": "SET a = :v",
                    "ConditionExpression": "attribute_exists(zz)",
                    "ExpressionAttributeValues": {":v": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": name, "Key": {"pk": {"S": "t"}, "sk": {"S": "3"}}}},
        ],
    )
    s.call("get_item", TableName="T", Key={"pk": {"S": "t"}, "sk": {"S": "200"}})
    token = f"tok-{uuid.uuid4().hex}"  # tokens outlive the case's tables (10 minutes)
    s.call("transact_write_items", TransactItems=[put(300)], ClientRequestToken=token)
    s.call("transact_write_items", TransactItems=[put(300)], ClientRequestToken=token)
    s.call("transact_write_items", TransactItems=[put(301)], ClientRequestToken=token)
    s.call(
        "transact_write_items",
        TransactItems=[
            {
                "Update": {
                    "TableName": name,
                    "Key": {"pk": {"S": "t"}, "sk": {"S": "4"}},
                    "UpdateExpression": "SET a = a + :v",
                    "ExpressionAttributeValues": {":v": {"N": "1"}},
                }
            }
        ],
    )
    s.call(
        "transact_write_items",
        TransactItems=[{"Put": {"TableName": name, "Item": {"pk": {"S": "t"}}}}],
    )
    s.call("transact_write_items", TransactItems=[])
    keys = [
        {"Get": {"TableName": name, "Key": {"pk": {"S": "t"}, "sk": {"S": str(i)}}}}
        for i in range(3)
    ]
    s.call(
        "transact_get_items",
        TransactItems=[
            *keys,
            {"Get": {"TableName": name, "Key": {"pk": {"S": "t"}, "sk": {"S": "nope"}}}},
        ],
    )
    s.call("transact_get_items", TransactItems=[keys[0], keys[0]])
    s.call(
        "transact_get_items",
        TransactItems=[
            {"Get": {"TableName": name, "Key": {"pk": {"S": "t"}, "sk": {"S": str(i)}}}}
            for i in range(101)
        ],
    )


# -- resource API --------------------------------------------------------------------------
@case()
def resource_api(s: Side) -> None:
    s.table()
    t = s.resource.Table(s.name("T"))
    s.record(
        "put",
        lambda: t.put_item(
            Item={
                "pk": "r",
                "sk": "1",
                "n": Decimal("1.10"),
                "f": {Decimal("1"), Decimal("2")},
                "m": {"a": [1, "x", None, True]},
            }
        ),
    )
    s.record("get", lambda: t.get_item(Key={"pk": "r", "sk": "1"}))
    s.record(
        "update",
        lambda: t.update_item(
            Key={"pk": "r", "sk": "1"},
            UpdateExpression="ADD n :d",
            ExpressionAttributeValues={":d": Decimal("0.9")},
            ReturnValues="UPDATED_NEW",
        ),
    )
    s.record(
        "query",
        lambda: t.query(
            KeyConditionExpression=Key("pk").eq("r") & Key("sk").begins_with("1"),
            FilterExpression=Attr("n").gt(1) & Attr("m.a").size().eq(4),
        ),
    )
    s.record("scan", lambda: t.scan(FilterExpression=Attr("f").contains(2) | Attr("nope").exists()))
    s.record(
        "cond",
        lambda: t.put_item(
            Item={"pk": "r", "sk": "1"}, ConditionExpression=Attr("pk").not_exists()
        ),
    )
    s.record("delete", lambda: t.delete_item(Key={"pk": "r", "sk": "1"}, ReturnValues="ALL_OLD"))


# -- PartiQL ---------------------------------------------------------------------------------
@case()
def partiql(s: Side) -> None:
    s.table()
    name = s.name("T")
    statements: list[tuple[str, list[dict[str, Any]] | None]] = [
        (f"INSERT INTO \"{name}\" VALUE {{'pk': 'q', 'sk': '1', 'n': 1}}", None),
        (f"INSERT INTO \"{name}\" VALUE {{'pk': 'q', 'sk': '1', 'n': 1}}", None),
        (f"INSERT INTO \"{name}\" VALUE {{'pk': ?, 'sk': ?}}", [{"S": "q"}, {"S": "2"}]),
        (f"SELECT * FROM \"{name}\" WHERE pk = 'q'", None),
        (f"SELECT n FROM \"{name}\" WHERE pk = 'q' AND sk = '1'", None),
        (f"UPDATE \"{name}\" SET n = n + 1 WHERE pk = 'q' AND sk = '1'", None),
        (f"UPDATE \"{name}\" SET n = 5 WHERE pk = 'q' AND sk = 'zz'", None),
        (f"SELECT * FROM \"{name}\" WHERE pk = 'q' AND sk = '1'", None),
        (f"DELETE FROM \"{name}\" WHERE pk = 'q' AND sk = '2'", None),
        (f'SELECT * FROM "{name}" WHERE pk = ?', [{"S": "q"}]),
        ('SELECT * FROM "no-such-table"', None),
        (f'SELEC * FROM "{name}"', None),
    ]
    for text, parameters in statements:
        params: dict[str, Any] = {"Statement": text}
        if parameters is not None:
            params["Parameters"] = parameters
        s.call("execute_statement", **params)
    s.call(
        "batch_execute_statement",
        Statements=[
            {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'q' AND sk = '1'"},
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'q', 'sk': '1'}}"},
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'q', 'sk': '9'}}"},
        ],
    )


# -- tables ---------------------------------------------------------------------------------
@case()
def table_api(s: Side) -> None:
    s.table()
    s.call(
        "create_table",
        TableName=s.name("T"),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s.call("describe_table", TableName="missing-tbl")
    s.call("delete_table", TableName="missing-tbl")
    s.call(
        "create_table",
        TableName="ab",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s.call(
        "create_table",
        TableName="abc-bad1",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s.call(
        "create_table",
        TableName="abc-bad2",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    )
    s.call(
        "create_table",
        TableName="abc-bad3",
        KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    s.call(
        "update_time_to_live",
        TableName="T",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"},
    )
    s.call("describe_time_to_live", TableName="T")
    s.call(
        "update_time_to_live",
        TableName="T",
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"},
    )


# -- size limits ------------------------------------------------------------------------------
@case()
def size_limits(s: Side) -> None:
    s.table()
    s.call("put_item", TableName="T", Item=_item(big={"S": "x" * (400 * 1024 - 30)}))
    s.call("put_item", TableName="T", Item=_item(big={"S": "x" * (400 * 1024)}))
    s.call("put_item", TableName="T", Item={"pk": {"S": "x" * 2049}, "sk": {"S": "1"}})
    s.call("put_item", TableName="T", Item={"pk": {"S": "a"}, "sk": {"S": "x" * 1025}})
    s.call(
        "update_item",
        TableName="T",
        Key=K,
        UpdateExpression="SET big2 = :v",
        ExpressionAttributeValues={":v": {"S": "y" * (400 * 1024)}},
    )


# -- streams ------------------------------------------------------------------------------
@case()
def stream_records(s: Side) -> None:
    for view in ("NEW_AND_OLD_IMAGES", "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE"):
        local = f"S-{view}"
        s.table(local, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})
        name = s.name(local)
        s.call("put_item", TableName=local, Item=_item(v={"N": "1"}, b={"B": b"\x01"}))
        s.call(
            "update_item",
            TableName=local,
            Key=K,
            UpdateExpression="SET v = v + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
        s.call("put_item", TableName=local, Item=_item(v={"N": "2"}, b={"B": b"\x01"}))  # no change
        s.call("delete_item", TableName=local, Key=K)
        s.call("delete_item", TableName=local, Key=K)  # nothing to delete
        arn = s.client.describe_table(TableName=name)["Table"]["LatestStreamArn"]
        shard = s.streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0][
            "ShardId"
        ]
        iterator = s.streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        s.record(
            f"get_records {view}",
            lambda iterator=iterator: s.streams.get_records(ShardIterator=iterator),
        )
        s.record("describe_stream", lambda arn=arn: s.streams.describe_stream(StreamArn=arn))


# -- legacy conditions, nested paths, indexes added later ------------------------------
@case()
def legacy_operators(s: Side) -> None:
    s.table()
    for i in range(6):
        s.call(
            "put_item",
            TableName="T",
            Item={
                "pk": {"S": "l"},
                "sk": {"S": str(i)},
                "n": {"N": str(i)},
                "s": {"S": f"v{i}"},
                "ss": {"SS": ["a", f"x{i}"]},
            },
        )
    s.call("put_item", TableName="T", Item={"pk": {"S": "l"}, "sk": {"S": "9"}})
    filters = [
        {"n": {"ComparisonOperator": "NE", "AttributeValueList": [{"N": "1"}]}},
        {"n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "2"}]}},
        {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}, {"N": "4"}]}},
        {"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "v1"}]}},
        {"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "3"}]}},
        {"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "x2"}]}},
        {"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "x2"}]}},
        {"n": {"ComparisonOperator": "NULL"}},
        {"n": {"ComparisonOperator": "NOT_NULL"}},
        {"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5"}]}},
        {"n": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}, {"N": "2"}]}},
        {"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "2"}]}},
        {"n": {"ComparisonOperator": "NULL", "AttributeValueList": [{"N": "2"}]}},
    ]
    for f in filters:
        s.call(
            "query",
            TableName="T",
            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "l"}]}},
            QueryFilter=f,
        )
    s.call(
        "query",
        TableName="T",
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "l"}]},
            "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "1"}]},
        },
    )
    s.call(
        "query",
        TableName="T",
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "l"}]}},
        AttributesToGet=["n"],
        Limit=2,
    )
    s.call(
        "query",
        TableName="T",
        KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "l"}]}},
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": "l"}},
    )
    s.call(
        "scan",
        TableName="T",
        ScanFilter={"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]}},
        FilterExpression="n > :x",
        ExpressionAttributeValues={":x": {"N": "1"}},
    )


@case()
def nested_paths(s: Side) -> None:
    s.table()
    s.call(
        "put_item",
        TableName="T",
        Item=_item(
            m={"M": {"a": {"L": [{"M": {"b": {"S": "x"}}}, {"N": "2"}]}, "c.d": {"S": "dot"}}}
        ),
    )
    for projection, names in [
        ("m.a[0].b", None),
        ("m.a[1], m.a[5]", None),
        ("#m.#cd", {"#m": "m", "#cd": "c.d"}),
        ("m.a[0], m.a[0].b", None),
        ("m.a[0].b, m.a", None),
        ("m.missing.x", None),
        ("m.a[0][0]", None),
    ]:
        params: dict[str, Any] = {"ProjectionExpression": projection}
        if names:
            params["ExpressionAttributeNames"] = names
        s.call("get_item", TableName="T", Key=K, **params)
    for text in (
        "SET m.a[0].b = :v",
        "SET m.a[1] = :v",
        "REMOVE m.a[0].b",
        "SET m.a[7] = :v",
        "REMOVE m.a[9]",
        "SET m.#cd = :v",
    ):
        params = {
            "UpdateExpression": text,
            "ReturnValues": "ALL_NEW",
            "ExpressionAttributeValues": {":v": {"S": "new"}},
        }
        if "REMOVE" in text:
            del params["ExpressionAttributeValues"]
        if "#cd" in text:
            params["ExpressionAttributeNames"] = {"#cd": "c.d"}
        s.call("update_item", TableName="T", Key=K, **params)


@case()
def index_added_later(s: Side) -> None:
    s.table()
    for i in range(3):
        s.call(
            "put_item",
            TableName="T",
            Item={"pk": {"S": "g"}, "sk": {"S": str(i)}, "g": {"S": f"G{i % 2}"}},
        )
    s.call(
        "update_table",
        TableName="T",
        AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "byg",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            }
        ],
    )
    s.record(
        "wait", lambda: s.client.get_waiter("table_exists").wait(TableName=s.name("T")) and None
    )
    s.call(
        "query",
        TableName="T",
        IndexName="byg",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "G0"}},
    )
    s.call(
        "update_table",
        TableName="T",
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}],
    )
    s.call(
        "update_table",
        TableName="T",
        GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}],
    )
