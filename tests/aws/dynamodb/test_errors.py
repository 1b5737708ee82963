"""The table of bad requests and the exact message DynamoDB answers each with (taken
from AWS's documentation and from what users report AWS answering); each also leaves
nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table

KEY = {"pk": {"S": "k"}, "sk": {"S": "1"}}
V = {":v": {"S": "x"}}

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "key-schema",
        "get_item",
        {"Key": {"pk": {"S": "k"}}},
        "The provided key element does not match the schema",
    ),
    (
        "key-type",
        "get_item",
        {"Key": {"pk": {"N": "1"}, "sk": {"S": "1"}}},
        "The provided key element does not match the schema",
    ),
    (
        "missing-key",
        "put_item",
        {"Item": {"pk": {"S": "k"}}},
        "One or more parameter values were invalid: Missing the key sk in the item",
    ),
    (
        "key-type-in-item",
        "put_item",
        {"Item": {"pk": {"N": "1"}, "sk": {"S": "1"}}},
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N",
    ),
    (
        "empty-key",
        "put_item",
        {"Item": {"pk": {"S": ""}, "sk": {"S": "1"}}},
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk",
    ),
    (
        "empty-set",
        "put_item",
        {"Item": {**KEY, "s": {"SS": []}}},
        "One or more parameter values were invalid: An string set  may not be empty",
    ),
    (
        "set-duplicates",
        "put_item",
        {"Item": {**KEY, "s": {"SS": ["a", "a"]}}},
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
    ),
    (
        "syntax",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET a = :v :v", "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: Syntax error; token: ":v", near: ":v :v"',
    ),
    (
        "syntax-eof",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET a =", "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="',
    ),
    (
        "syntax-colon",
        "update_item",
        {"Key": KEY, "UpdateExpression": "ADD hits : incr", "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: Syntax error; token: ":", near: "hits : incr"',
    ),
    (
        "empty-update",
        "update_item",
        {"Key": KEY, "UpdateExpression": ""},
        "Invalid UpdateExpression: The expression can not be empty;",
    ),
    (
        "unused-value",
        "update_item",
        {
            "Key": KEY,
            "UpdateExpression": "SET a = :v",
            "ExpressionAttributeValues": {**V, ":w": {"S": "y"}},
        },
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}",
    ),
    (
        "unused-name",
        "update_item",
        {
            "Key": KEY,
            "UpdateExpression": "SET a = :v",
            "ExpressionAttributeValues": V,
            "ExpressionAttributeNames": {"#n": "n"},
        },
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}",
    ),
    (
        "undefined-value",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET a = :w", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :w",
    ),
    (
        "undefined-name",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET #a = :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #a",
    ),
    (
        "reserved",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET status = :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status",
    ),
    (
        "reserved-projection",
        "get_item",
        {"Key": KEY, "ProjectionExpression": "name"},
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name",
    ),
    (
        "overlap",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET a = :v, a.b = :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
    ),
    (
        "same-path",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET f = :v REMOVE f", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [f], path two: [f]",
    ),
    (
        "key-update",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": V},
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key",
    ),
    (
        "section-twice",
        "update_item",
        {"Key": KEY, "UpdateExpression": "SET a = :v SET b = :v", "ExpressionAttributeValues": V},
        'Invalid UpdateExpression: The "SET" section can only be used once in an update expression;',
    ),
    (
        "list-append-type",
        "update_item",
        {
            "Key": KEY,
            "UpdateExpression": "SET a = list_append(:m, :v)",
            "ExpressionAttributeValues": {":m": {"M": {}}, ":v": {"L": []}},
        },
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M",
    ),
    (
        "add-string",
        "update_item",
        {"Key": KEY, "UpdateExpression": "ADD a :v", "ExpressionAttributeValues": V},
        "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING",
    ),
    (
        "bad-function",
        "put_item",
        {"Item": KEY, "ConditionExpression": "exists(a)"},
        "Invalid ConditionExpression: Invalid function name; function: exists",
    ),
    (
        "values-without-expression",
        "put_item",
        {"Item": KEY, "ExpressionAttributeValues": V},
        "ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null",
    ),
    (
        "empty-values",
        "put_item",
        {
            "Item": KEY,
            "ConditionExpression": "attribute_exists(a)",
            "ExpressionAttributeValues": {},
        },
        "ExpressionAttributeValues must not be empty",
    ),
    (
        "key-condition-missing-hash",
        "query",
        {"KeyConditionExpression": "sk = :v", "ExpressionAttributeValues": V},
        "Query condition missed key schema element: pk",
    ),
    (
        "key-condition-or",
        "query",
        {"KeyConditionExpression": "pk = :v OR sk = :v", "ExpressionAttributeValues": V},
        "Invalid operator used in KeyConditionExpression: OR",
    ),
    (
        "key-condition-type",
        "query",
        {"KeyConditionExpression": "pk = :n", "ExpressionAttributeValues": {":n": {"N": "1"}}},
        "One or more parameter values were invalid: Condition parameter type does not match schema type",
    ),
    (
        "segment-alone",
        "scan",
        {"Segment": 0},
        "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
    ),
    (
        "no-index",
        "query",
        {"IndexName": "nope", "KeyConditionExpression": "pk = :v", "ExpressionAttributeValues": V},
        "The table does not have the specified index: nope",
    ),
]


@pytest.fixture(scope="module")
def bad_table(ddb: Any) -> str:
    return make_table(ddb)


@pytest.mark.parametrize(
    ("operation", "params", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_request(
    ddb: Any, bad_table: str, operation: str, params: dict[str, Any], message: str
) -> None:
    err = error_of(getattr(ddb, operation), TableName=bad_table, **params)
    assert (err["Code"], err["Message"]) == ("ValidationException", message)
    assert ddb.scan(TableName=bad_table)["Count"] == 0  # nothing stored


def test_missing_table(ddb: Any) -> None:
    err = error_of(ddb.get_item, TableName="no-such-table", Key=KEY)
    assert (err["Code"], err["Message"]) == (
        "ResourceNotFoundException",
        "Requested resource not found",
    )


def test_hostile_inputs(ddb: Any, bad_table: str) -> None:
    deep: dict[str, Any] = {"S": "x"}
    for _ in range(32):
        deep = {"M": {"a": deep}}
    ddb.put_item(TableName=bad_table, Item={"pk": {"S": "deep"}, "sk": {"S": "1"}, "d": deep})
    ddb.delete_item(TableName=bad_table, Key={"pk": {"S": "deep"}, "sk": {"S": "1"}})
    for _ in range(60):  # past the limit: refused
        deep = {"L": [deep]}
    err = error_of(
        ddb.put_item, TableName=bad_table, Item={"pk": {"S": "deep"}, "sk": {"S": "1"}, "d": deep}
    )
    assert (err["Code"], err["Message"]) == (
        "ValidationException",
        "Nesting Levels have exceeded supported limits",
    )
    huge = "a = :v AND " * 500 + "a = :v"
    err = error_of(
        ddb.put_item,
        TableName=bad_table,
        Item=KEY,
        ConditionExpression=huge,
        ExpressionAttributeValues=V,
    )
    assert err["Message"].startswith(
        "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size"
    )
    err = error_of(
        ddb.put_item,
        TableName=bad_table,
        Item=KEY,
        ConditionExpression="a = :v $ b",
        ExpressionAttributeValues=V,
    )
    assert err["Message"] == 'Invalid ConditionExpression: Syntax error; token: "$", near: ":v $ b"'


def test_deep_json_from_a_raw_client_is_refused_not_crashed(server: Any, bad_table: str) -> None:
    import urllib.error
    import urllib.request

    for depth in (500, 5000):
        nested = '{"L":[' * depth + '{"S":"x"}' + "]}" * depth
        body = f'{{"TableName":"{bad_table}","Item":{{"pk":{{"S":"a"}},"sk":{{"S":"1"}},"d":{nested}}}}}'
        request = urllib.request.Request(
            server.endpoint,
            data=body.encode(),
            headers={
                "X-Amz-Target": "DynamoDB_20120810.PutItem",
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(request, timeout=30)
        assert info.value.code == 400
