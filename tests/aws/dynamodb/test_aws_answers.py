"""Regression tests for what the differential tests found Stratus answering unlike AWS:
each pins AWS's answer (the source is in the comment next to it)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import error_of, make_table

MAX = "9.9999999999999999999999999999999999999E+125"


def _err(call: Any, **kwargs: Any) -> tuple[str, str]:
    err = error_of(call, **kwargs)
    return err["Code"], err["Message"]


def test_largest_number_is_accepted_and_returned_plain(ddb: Any, table: str) -> None:
    # "Data types": positive range 1E-130 to 9.9999999999999999999999999999999999999E+125;
    # AWS returns numbers without exponent (boto3#2500)
    key = {"pk": {"S": "n"}, "sk": {"S": "max"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": MAX}, "w": {"N": "-" + MAX}})
    item = ddb.get_item(TableName=table, Key=key)["Item"]
    assert item["v"]["N"] == "9" * 38 + "0" * 88
    assert item["w"]["N"] == "-" + "9" * 38 + "0" * 88


def test_arithmetic_keeps_38_digits(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "n"}, "sk": {"S": "sum"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": "-1"}})
    answer = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET v = v + :big",
        ExpressionAttributeValues={":big": {"N": "9" * 38}},
        ReturnValues="UPDATED_NEW",
    )
    assert answer["Attributes"]["v"]["N"] == "9" * 37 + "8"
    answer = ddb.update_item(
        TableName=table,
        Key=key,
        UpdateExpression="ADD v :small",
        ExpressionAttributeValues={":small": {"N": "0." + "0" * 20 + "1"}},
        ReturnValues="UPDATED_NEW",
    )
    # 38 significant digits at most: the sum is rounded as DynamoDB rounds
    assert len(answer["Attributes"]["v"]["N"].replace(".", "")) <= 38 + 1


def test_sum_past_the_maximum_overflows(ddb: Any, table: str) -> None:
    key = {"pk": {"S": "n"}, "sk": {"S": "overflow"}}
    ddb.put_item(TableName=table, Item={**key, "v": {"N": MAX}})
    assert _err(
        ddb.update_item,
        TableName=table,
        Key=key,
        UpdateExpression="SET v = v + v",
    ) == (
        "ValidationException",
        "Number overflow. Attempting to store a number with magnitude larger than supported range",
    )


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", " 1", "1e5x"])
def test_not_a_number_is_named(ddb: Any, table: str, text: str) -> None:
    # AWS users quote "The parameter cannot be converted to a numeric value: NaN"
    # (jovo-framework#197, internet-archive-voice-apps#225)
    assert _err(
        ddb.put_item,
        TableName=table,
        Item={"pk": {"S": "n"}, "sk": {"S": "1"}, "v": {"N": text}},
    ) == ("ValidationException", f"The parameter cannot be converted to a numeric value: {text}")


def test_sort_key_over_1024_bytes(ddb: Any, table: str) -> None:
    # "Partition key and sort key": sort key values at most 1024 bytes
    item = {"pk": {"S": "k"}, "sk": {"S": "x" * 1025}}
    assert _err(ddb.put_item, TableName=table, Item=item) == (
        "ValidationException",
        "One or more parameter values were invalid: Aggregated size of all range keys has "
        "exceeded the size limit of 1024 bytes",
    )
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "sk": {"S": "x" * 1024}})


def test_update_past_400_kb_has_its_own_words(ddb: Any, table: str) -> None:
    assert _err(
        ddb.update_item,
        TableName=table,
        Key={"pk": {"S": "k"}, "sk": {"S": "big"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "y" * (400 * 1024)}},
    ) == ("ValidationException", "Item size to update has exceeded the maximum allowed size")


def test_select_validation(ddb: Any, table: str) -> None:
    query = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": {"S": "k"}},
    }
    assert _err(ddb.query, **query, Select="COUNT", ProjectionExpression="v") == (
        "ValidationException",
        "Cannot specify the ProjectionExpression when choosing to get only the Count",
    )
    assert _err(ddb.query, **query, Select="SPECIFIC_ATTRIBUTES") == (
        "ValidationException",
        "Must specify the AttributesToGet or ProjectionExpression when choosing to get "
        "SPECIFIC_ATTRIBUTES",
    )
    assert _err(ddb.query, **query, Select="ALL_PROJECTED_ATTRIBUTES") == (
        "ValidationException",
        "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
    )


def test_indexes_consistent_reads_and_empty_keys(ddb: Any) -> None:
    name = make_table(
        ddb,
        ExtraAttributes=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byg",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    # "Consistent reads are not supported on global secondary indexes" (Query reference)
    assert _err(
        ddb.query,
        TableName=name,
        IndexName="byg",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
        ConsistentRead=True,
    ) == ("ValidationException", "Consistent reads are not supported on global secondary indexes")
    # "Data types": the empty-string message for an index key, without another prefix
    assert _err(
        ddb.put_item, TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "g": {"S": ""}}
    ) == (
        "ValidationException",
        "One or more parameter values are not valid. A value specified for a secondary index "
        "key is not supported. The AttributeValue for a key attribute cannot contain an empty "
        "string value. IndexName: byg, IndexKey: g",
    )


def test_attribute_type_needs_a_string_operand(ddb: Any, table: str) -> None:
    assert _err(
        ddb.put_item,
        TableName=table,
        Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
        ConditionExpression="attribute_type(a, :t)",
        ExpressionAttributeValues={":t": {"N": "1"}},
    ) == (
        "ValidationException",
        "Invalid ConditionExpression: Incorrect operand type for operator or function; "
        "operator or function: attribute_type, operand type: N",
    )


def test_key_conditions_one_per_key_and_start_key_in_range(ddb: Any) -> None:
    name = make_table(ddb, range_type="N")
    for i in range(5):
        ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}})
    values = {":p": {"S": "p"}, ":a": {"N": "1"}, ":b": {"N": "3"}}
    # quoted by AWS SDK users (aws-athena-query-federation#1089, Dynamoid#655)
    assert _err(
        ddb.query,
        TableName=name,
        KeyConditionExpression="pk = :p AND sk > :a AND sk < :b",
        ExpressionAttributeValues=values,
    ) == ("ValidationException", "KeyConditionExpressions must only contain one condition per key")
    # aws-sdk-js#3283: a start key the key condition excludes
    for start in ({"pk": {"S": "q"}, "sk": {"N": "2"}}, {"pk": {"S": "p"}, "sk": {"N": "4"}}):
        assert _err(
            ddb.query,
            TableName=name,
            KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
            ExpressionAttributeValues=values,
            ExclusiveStartKey=start,
        ) == (
            "ValidationException",
            "The provided starting key does not match the range key predicate",
        )
    page = ddb.query(
        TableName=name,
        KeyConditionExpression="pk = :p AND sk BETWEEN :a AND :b",
        ExpressionAttributeValues=values,
        ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"N": "2"}},
    )
    assert [i["sk"]["N"] for i in page["Items"]] == ["3"]


def test_range_first_key_schema(ddb: Any) -> None:
    assert _err(
        ddb.create_table,
        TableName="range-first",
        KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    ) == (
        "ValidationException",
        "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
    )


def test_resource_decimals_round_trip(resource: Any, table: str) -> None:
    t = resource.Table(table)
    t.put_item(Item={"pk": "d", "sk": "1", "v": Decimal("1.500"), "z": Decimal("-0")})
    item = t.get_item(Key={"pk": "d", "sk": "1"})["Item"]
    assert item["v"] == Decimal("1.5") and str(item["z"]) == "0"


def test_legacy_parameters_beside_expressions_are_refused(ddb: Any, table: str) -> None:
    message = (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {%s} Expression parameters: {%s}"
    )
    assert _err(
        ddb.scan,
        TableName=table,
        ScanFilter={"n": {"ComparisonOperator": "NOT_NULL"}},
        FilterExpression="attribute_exists(n)",
    ) == ("ValidationException", message % ("ScanFilter", "FilterExpression"))
    assert _err(
        ddb.get_item,
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"S": "1"}},
        AttributesToGet=["n"],
        ProjectionExpression="n",
    ) == ("ValidationException", message % ("AttributesToGet", "ProjectionExpression"))
    assert _err(
        ddb.put_item,
        TableName=table,
        Item={"pk": {"S": "a"}, "sk": {"S": "1"}},
        Expected={"n": {"Exists": False}},
        ConditionExpression="attribute_not_exists(n)",
    ) == ("ValidationException", message % ("Expected", "ConditionExpression"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "contains(a, a)",
            "The first operand must be distinct from the remaining operands for this operator "
            "or function; operator: contains, first operand: [a]",
        ),
        (
            "m.x = m.x",
            "The first operand must be distinct from the remaining operands for this operator "
            "or function; operator: =, first operand: [m, x]",
        ),
        ("((a = :v))", "The expression has redundant parentheses;"),
        (
            "begins_with(a, :n)",
            "Incorrect operand type for operator or function; operator or function: "
            "begins_with, operand type: N",
        ),
        (
            "a BETWEEN :v AND :n",
            "The BETWEEN operator requires same data type for lower and upper bounds; lower "
            "bound operand: AttributeValue: {S:x}, upper bound operand: AttributeValue: {N:1}",
        ),
    ],
)
def test_distinct_operands_and_redundant_parentheses(
    ddb: Any, table: str, text: str, message: str
) -> None:
    # developer guide: "The path and the operand must be distinct. That is, contains (a, a)
    # returns an error."
    params: dict[str, Any] = {"ConditionExpression": text}
    values = {k: v for k, v in {":v": {"S": "x"}, ":n": {"N": "1"}}.items() if k in text}
    if values:
        params["ExpressionAttributeValues"] = values
    assert _err(
        ddb.put_item, TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}}, **params
    ) == ("ValidationException", f"Invalid ConditionExpression: {message}")
