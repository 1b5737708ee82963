"""``stratus topics`` against a real server."""

from __future__ import annotations

import uuid

from tests.cli.test_cli import stratus
from tests.conftest import ServerProcess


def test_topics_lists_subscription_counts(server: ServerProcess) -> None:
    sns = server.client("sns", access_key="000000000000")
    name = f"cli-{uuid.uuid4().hex[:8]}"
    arn = sns.create_topic(Name=name, Attributes={"DisplayName": "Shown"})["TopicArn"]
    sns.subscribe(
        TopicArn=arn,
        Protocol="lambda",
        Endpoint="arn:aws:lambda:us-east-1:000000000000:function:cli-target",
    )
    sns.subscribe(TopicArn=arn, Protocol="email", Endpoint="someone@example.com")
    listing = stratus(server, "topics")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "CONFIRMED", "PENDING", "DISPLAY", "NAME"]
    row = next(line for line in lines if line.startswith(name))
    assert row.split() == [name, "STANDARD", "1", "1", "Shown"]
