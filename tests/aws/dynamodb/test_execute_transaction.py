"""ExecuteTransaction: PartiQL statements all or nothing, through boto3."""

from __future__ import annotations

import uuid
from typing import Any

from tests.aws.dynamodb.conftest import error_of, make_table


def _items(ddb: Any, name: str) -> dict[str, dict[str, Any]]:
    return {i["pk"]["S"]: i for i in ddb.scan(TableName=name)["Items"]}


def test_writes_commit_together(ddb: Any) -> None:
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "sk": {"S": "1"}, "n": {"N": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "gone"}, "sk": {"S": "1"}})
    ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'new', 'sk': '1'}}"},
            {
                "Statement": f"UPDATE \"{name}\" SET n = n + ? WHERE pk = 'old' AND sk = '1'",
                "Parameters": [{"N": "5"}],
            },
            {
                "Statement": f'DELETE FROM "{name}" WHERE pk = ? AND sk = ?',
                "Parameters": [{"S": "gone"}, {"S": "1"}],
            },
        ]
    )
    items = _items(ddb, name)
    assert set(items) == {"new", "old"}
    assert items["old"]["n"] == {"N": "6"}


def test_a_failing_statement_cancels_all_with_reasons_in_order(ddb: Any) -> None:
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "dup"}, "sk": {"S": "1"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "other"}, "sk": {"S": "1"}, "v": {"S": "a"}})
    error = error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'fresh', 'sk': '1'}}"},
            {"Statement": f"INSERT INTO \"{name}\" VALUE {{'pk': 'dup', 'sk': '1'}}"},
            {
                "Statement": f"UPDATE \"{name}\" SET v = 'b' WHERE pk = 'other' AND sk = '1' AND v = 'zzz'",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            },
        ],
    )
    assert error["Code"] == "TransactionCanceledException"
    assert error["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, DuplicateItem, ConditionalCheckFailed]"
    )
    reasons = error["_response"]["CancellationReasons"]
    assert reasons[0] == {"Code": "None"}
    assert reasons[1] == {
        "Code": "DuplicateItem",
        "Message": "Duplicate primary key exists in table",
    }
    assert reasons[2]["Code"] == "ConditionalCheckFailed"
    assert reasons[2]["Item"]["v"] == {"S": "a"}
    assert set(_items(ddb, name)) == {"dup", "other"}  # nothing of it was written


def test_reads_are_one_snapshot(ddb: Any) -> None:
    name = make_table(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "v": {"N": "1"}})
    answer = ddb.execute_transaction(
        TransactStatements=[
            {"Statement": f"SELECT v FROM \"{name}\" WHERE pk = 'a' AND sk = '1'"},
            {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'missing' AND sk = '1'"},
        ]
    )
    assert answer["Responses"] == [{"Item": {"v": {"N": "1"}}}, {}]


def test_client_request_token_is_idempotent(ddb: Any) -> None:
    name = make_table(ddb)
    token = str(uuid.uuid4())
    statements = [
        {
            "Statement": f"UPDATE \"{name}\" SET n = n + 1 WHERE pk = 'c' AND sk = '1'",
        }
    ]
    ddb.put_item(TableName=name, Item={"pk": {"S": "c"}, "sk": {"S": "1"}, "n": {"N": "0"}})
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    ddb.execute_transaction(TransactStatements=statements, ClientRequestToken=token)
    assert _items(ddb, name)["c"]["n"] == {"N": "1"}
    other = [{"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'c' AND sk = '1'"}]
    error = error_of(ddb.execute_transaction, TransactStatements=other, ClientRequestToken=token)
    assert (error["Code"], error["Message"]) == (
        "IdempotentParameterMismatchException",
        "Request token in use with different parameters",
    )
    assert "c" in _items(ddb, name)


def test_bad_transactions(ddb: Any) -> None:
    name = make_table(ddb)
    error = error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"SELECT * FROM \"{name}\" WHERE pk = 'a' AND sk = '1'"},
            {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a' AND sk = '1'"},
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "Transaction must contain either all read statements or all write statements",
    )
    error = error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a' AND sk = '1'"},
            {"Statement": f"UPDATE \"{name}\" SET v = 1 WHERE pk = 'a' AND sk = '1'"},
        ],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "Transaction request cannot include multiple operations on one item",
    )
    error = error_of(
        ddb.execute_transaction,
        TransactStatements=[{"Statement": f"DELETE FROM \"{name}\" WHERE pk = 'a'"}],
    )
    assert (error["Code"], error["Message"]) == (
        "ValidationException",
        "Where clause does not contain a mandatory equality on all key attributes",
    )
    error = error_of(
        ddb.execute_transaction,
        TransactStatements=[
            {"Statement": "DELETE FROM \"no-such-table\" WHERE pk = 'a' AND sk = '1'"}
        ],
    )
    assert error["Code"] == "ResourceNotFoundException"
