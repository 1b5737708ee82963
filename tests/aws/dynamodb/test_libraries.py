"""Libraries users bring, unchanged: a PynamoDB model and powertools' idempotency
decorator (DynamoDBPersistenceLayer) against a real server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.aws.dynamodb.conftest import unique
from tests.conftest import ServerProcess


@pytest.fixture
def aws_env(server: ServerProcess) -> Iterator[None]:
    """What a function gets in its environment on Stratus: the endpoint and credentials."""
    names = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")
    saved = {n: os.environ.get(n) for n in names}
    os.environ.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
    )
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def test_pynamodb_model(server: ServerProcess, aws_env: None) -> None:
    from pynamodb.attributes import (
        ListAttribute,
        MapAttribute,
        NumberAttribute,
        UnicodeAttribute,
        UnicodeSetAttribute,
    )
    from pynamodb.exceptions import PutError
    from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
    from pynamodb.models import Model

    class ByEmail(GlobalSecondaryIndex["User"]):
        class Meta:
            index_name = "by-email"
            projection = AllProjection()

        email = UnicodeAttribute(hash_key=True)

    class Address(MapAttribute[str, Any]):
        city = UnicodeAttribute()

    class User(Model):
        class Meta:
            table_name = unique("users")
            host = server.endpoint
            region = "us-east-1"
            billing_mode = "PAY_PER_REQUEST"

        org = UnicodeAttribute(hash_key=True)
        name = UnicodeAttribute(range_key=True)
        email = UnicodeAttribute()
        visits = NumberAttribute(default=0)
        tags = UnicodeSetAttribute(null=True)
        address = Address(null=True)
        history = ListAttribute[str](null=True)
        by_email = ByEmail()

    User.create_table(wait=True)
    assert User.exists()
    User("acme", "ann", email="ann@acme", address=Address(city="Paris"), tags={"a"}).save()
    User("acme", "bob", email="bob@acme").save()
    ann = User.get("acme", "ann")
    assert ann.address.city == "Paris" and ann.tags == {"a"}
    ann.update(actions=[User.visits.add(2), User.history.set(["x"]), User.tags.add({"b"})])
    ann.refresh()
    assert ann.visits == 2 and ann.history == ["x"] and ann.tags == {"a", "b"}
    assert [u.name for u in User.query("acme", User.name.startswith("a"))] == ["ann"]
    assert [u.name for u in User.by_email.query("bob@acme")] == ["bob"]
    assert User.count("acme") == 2
    with pytest.raises(PutError):
        User("acme", "ann", email="x").save(condition=User.org.does_not_exist())
    with User.batch_write() as batch:
        for i in range(30):
            batch.save(User("bulk", f"u{i:02d}", email=f"{i}@bulk"))
    assert len(list(User.scan(User.org == "bulk"))) == 30
    ann.delete()
    assert User.count("acme") == 1
    User.delete_table()


def test_powertools_idempotency(server: ServerProcess, aws_env: None) -> None:
    import boto3
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent,
    )

    name = unique("idempotency")
    client = boto3.client("dynamodb", endpoint_url=server.endpoint, region_name="us-east-1")
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    persistence = DynamoDBPersistenceLayer(table_name=name, boto3_client=client)
    calls: list[str] = []

    @idempotent(persistence_store=persistence, config=IdempotencyConfig(event_key_jmespath="order"))
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        calls.append(event["order"])
        return {"charged": event["order"], "n": len(calls)}

    class Context:
        function_name = "charge"
        memory_limit_in_mb = 128
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:charge"
        aws_request_id = "r1"

        def get_remaining_time_in_millis(self) -> int:
            return 30_000

    first = handler({"order": "o-1"}, Context())
    again = handler({"order": "o-1"}, Context())
    other = handler({"order": "o-2"}, Context())
    assert first == again == {"charged": "o-1", "n": 1}
    assert other["n"] == 2 and calls == ["o-1", "o-2"]
    items = client.scan(TableName=name)["Items"]
    assert {i["status"]["S"] for i in items} == {"COMPLETED"}
