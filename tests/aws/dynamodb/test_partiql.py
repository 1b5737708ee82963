"""PartiQL: ExecuteStatement and BatchExecuteStatement for SELECT, INSERT, UPDATE, DELETE."""

from __future__ import annotations

from typing import Any

from tests.aws.dynamodb.conftest import error_of


def test_statements(ddb: Any, table: str) -> None:
    ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': '1', 'n': 1, 'tags': <<'x', 'y'>>, 'm': {{'k': [1, TRUE, NULL]}}}}"
    )
    ddb.execute_statement(
        Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?, 'n': ?}}",
        Parameters=[{"S": "a"}, {"S": "2"}, {"N": "5"}],
    )
    err = error_of(
        ddb.execute_statement, Statement=f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'sk': '1'}}"
    )
    assert (err["Code"], err["Message"]) == (
        "DuplicateItemException",
        "Duplicate primary key exists in table",
    )
    got = ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'a' AND n > 2")[
        "Items"
    ]
    assert [i["sk"]["S"] for i in got] == ["2"]
    got = ddb.execute_statement(
        Statement=f'SELECT n, m.k[0] FROM "{table}" WHERE pk = ? AND sk = ?',
        Parameters=[{"S": "a"}, {"S": "1"}],
    )["Items"]
    assert got == [{"n": {"N": "1"}, "m": {"M": {"k": {"L": [{"N": "1"}]}}}}]
    ddb.execute_statement(
        Statement=f"UPDATE \"{table}\" SET n = n + 10 SET extra = 'e' REMOVE tags WHERE pk = 'a' AND sk = '1'"
    )
    item = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}})["Item"]
    assert item["n"] == {"N": "11"} and item["extra"] == {"S": "e"} and "tags" not in item
    err = error_of(ddb.execute_statement, Statement=f"UPDATE \"{table}\" SET n = 1 WHERE pk = 'a'")
    assert (
        err["Message"] == "Where clause does not contain a mandatory equality on all key attributes"
    )
    scanned = ddb.execute_statement(Statement=f'SELECT pk FROM "{table}" WHERE n IN [5, 11]')[
        "Items"
    ]
    assert len(scanned) == 2
    ddb.execute_statement(Statement=f"DELETE FROM \"{table}\" WHERE pk = 'a' AND sk = '2'")
    assert ddb.execute_statement(Statement=f"SELECT * FROM \"{table}\" WHERE pk = 'a'")["Items"][0][
        "sk"
    ] == {"S": "1"}
    err = error_of(ddb.execute_statement, Statement="SELEKT * FROM x")
    assert err["Code"] == "ValidationException"


def test_batch_execute_statement(ddb: Any, table: str) -> None:
    result = ddb.batch_execute_statement(
        Statements=[
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': '1'}}"},
            {"Statement": f"INSERT INTO \"{table}\" VALUE {{'pk': 'b', 'sk': '1'}}"},
            {"Statement": f"SELECT * FROM \"{table}\" WHERE pk = 'b' AND sk = '1'"},
        ]
    )["Responses"]
    assert "Error" not in result[0]
    assert result[1]["Error"]["Code"] == "DuplicateItem"
    assert result[2]["Item"] == {"pk": {"S": "b"}, "sk": {"S": "1"}}
