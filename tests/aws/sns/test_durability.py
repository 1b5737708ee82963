"""What SNS acknowledged survives ``kill -9``: topics, subscriptions, filter policies and
every delivery still owed (retried after the restart, at least once)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.aws.sns.conftest import Endpoint, confirm, new_topic, wait_for
from tests.conftest import ServerProcess


def test_pending_delivery_survives_kill_9(tmp_path: Path, endpoint: Endpoint) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        sns = first.client("sns")
        topic = new_topic(sns)
        subscription = sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=endpoint.url,
            ReturnSubscriptionArn=True,
            Attributes={"FilterPolicy": json.dumps({"k": ["v"]})},
        )["SubscriptionArn"]
        confirm(sns, endpoint, topic)
        endpoint.silent = True  # the first attempt hangs: the delivery is still owed
        message_id = sns.publish(
            TopicArn=topic,
            Message="owed",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        )["MessageId"]
        wait_for(lambda: endpoint.of_type("Notification"))
    finally:
        first.kill()
    endpoint.silent = False
    second = ServerProcess(data).start()
    try:
        sns = second.client("sns")
        attributes = sns.get_subscription_attributes(SubscriptionArn=subscription)["Attributes"]
        assert attributes["PendingConfirmation"] == "false"
        assert json.loads(attributes["FilterPolicy"]) == {"k": ["v"]}
        wait_for(lambda: len(endpoint.of_type("Notification")) >= 2, timeout=30)
        ids = {r.headers["x-amz-sns-message-id"] for r in endpoint.of_type("Notification")}
        assert ids == {message_id}
        # The filter policy still applies after the restart.
        sns.publish(TopicArn=topic, Message="filtered out")
        sns.publish(
            TopicArn=topic,
            Message="after",
            MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}},
        )
        wait_for(
            lambda: any(r.json()["Message"] == "after" for r in endpoint.of_type("Notification"))
        )
        assert "filtered out" not in [r.json()["Message"] for r in endpoint.of_type("Notification")]
    finally:
        second.stop()
