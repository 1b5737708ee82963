"""HTTP/S subscriptions end to end: the confirmation handshake, notifications with AWS's
headers and envelope, raw delivery, filter policies, retries, and hostile endpoints."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from tests.aws.sns.conftest import (
    Endpoint,
    aws_error,
    confirm,
    listening_endpoint,
    new_topic,
    wait_for,
)
from tests.conftest import ServerProcess, free_port

FAST_RETRIES = json.dumps(
    {
        "healthyRetryPolicy": {
            "minDelayTarget": 1,
            "maxDelayTarget": 1,
            "numRetries": 3,
            "numNoDelayRetries": 3,
        }
    }
)


def test_confirmation_handshake(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    answer = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    assert answer["SubscriptionArn"] == "pending confirmation"
    received = wait_for(lambda: endpoint.of_type("SubscriptionConfirmation"))[0]
    assert received.headers["x-amz-sns-topic-arn"] == topic
    assert received.headers["content-type"] == "text/plain; charset=UTF-8"
    assert received.headers["user-agent"] == "Amazon Simple Notification Service Agent"
    assert "x-amz-sns-subscription-arn" not in received.headers
    document = received.json()
    assert list(document) == [
        "Type",
        "MessageId",
        "Token",
        "TopicArn",
        "Message",
        "SubscribeURL",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
    ]
    assert document["Type"] == "SubscriptionConfirmation"
    assert document["MessageId"] == received.headers["x-amz-sns-message-id"]
    assert document["Message"].startswith(f"You have chosen to subscribe to the topic {topic}.")
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [s["SubscriptionArn"] for s in listed] == ["PendingConfirmation"]
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsPending"] == "1"
    assert aws_error(lambda: sns.confirm_subscription(TopicArn=topic, Token="wrong")) == (
        "InvalidParameter",
        "Invalid parameter: Token",
        400,
    )
    # The endpoint confirms by opening the SubscribeURL, unsigned, as on AWS.
    with urllib.request.urlopen(document["SubscribeURL"], timeout=10) as response:
        assert response.status == 200
        body = response.read().decode()
    assert "<SubscriptionArn>" in body
    listed = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    arn = listed[0]["SubscriptionArn"]
    assert arn.startswith(f"{topic}:")
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["PendingConfirmation"] == "false"
    assert attributes["ConfirmationWasAuthenticated"] == "true"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["SubscriptionsConfirmed"] == "1"


def test_return_subscription_arn(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    assert arn.startswith(f"{topic}:")
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
        == "true"
    )


def test_notification_envelope_and_headers(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    subscription = confirm(sns, endpoint, topic)
    message_id = sns.publish(
        TopicArn=topic,
        Message="hello",
        Subject="greeting",
        MessageAttributes={
            "kind": {"DataType": "String", "StringValue": "test"},
            "n": {"DataType": "Number", "StringValue": "3"},
        },
    )["MessageId"]
    received = wait_for(lambda: endpoint.of_type("Notification"))[0]
    assert received.headers["x-amz-sns-message-id"] == message_id
    assert received.headers["x-amz-sns-topic-arn"] == topic
    assert received.headers["x-amz-sns-subscription-arn"] == subscription
    assert received.headers["content-type"] == "text/plain; charset=UTF-8"
    assert received.body.startswith('{\n  "Type" : "Notification",\n  "MessageId" : ')
    document = received.json()
    assert list(document) == [
        "Type",
        "MessageId",
        "TopicArn",
        "Subject",
        "Message",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
        "UnsubscribeURL",
        "MessageAttributes",
    ]
    assert document["Message"] == "hello"
    assert document["Subject"] == "greeting"
    assert document["MessageAttributes"] == {
        "kind": {"Type": "String", "Value": "test"},
        "n": {"Type": "Number", "Value": "3"},
    }
    assert time.strptime(document["Timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ")
    # The UnsubscribeURL works, unsigned, as the endpoint would open it.
    with urllib.request.urlopen(document["UnsubscribeURL"], timeout=10) as response:
        assert response.status == 200
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_raw_delivery_and_message_structure(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    confirm(sns, endpoint, topic)
    sns.publish(
        TopicArn=topic,
        MessageStructure="json",
        Message=json.dumps({"default": "for all", "http": "for http"}),
    )
    received = wait_for(lambda: endpoint.of_type("Notification"))[0]
    assert received.body == "for http"
    assert received.headers["x-amz-sns-rawdelivery"] == "true"
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["RawMessageDelivery"]
        == "true"
    )


def test_filter_policy_on_attributes_and_body(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    arn = sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url,
        ReturnSubscriptionArn=True,
        Attributes={"FilterPolicy": json.dumps({"color": ["red"]})},
    )["SubscriptionArn"]
    confirm(sns, endpoint, topic)
    sns.publish(
        TopicArn=topic,
        Message="blue one",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "blue"}},
    )
    sns.publish(TopicArn=topic, Message="no attributes")
    sns.publish(
        TopicArn=topic,
        Message="red one",
        MessageAttributes={"color": {"DataType": "String", "StringValue": "red"}},
    )
    wait_for(lambda: endpoint.of_type("Notification"))
    sns.set_subscription_attributes(
        SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="MessageBody"
    )
    sns.publish(TopicArn=topic, Message=json.dumps({"color": "green"}))
    sns.publish(TopicArn=topic, Message=json.dumps({"color": "red", "n": 1}))
    wait_for(lambda: len(endpoint.of_type("Notification")) >= 2)
    time.sleep(0.3)  # give a wrongly matched message the time to arrive
    messages = [r.json()["Message"] for r in endpoint.of_type("Notification")]
    assert messages == ["red one", json.dumps({"color": "red", "n": 1})]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["FilterPolicyScope"] == "MessageBody"
    assert json.loads(attributes["FilterPolicy"]) == {"color": ["red"]}


def test_failed_deliveries_are_retried_by_the_delivery_policy(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url,
        Attributes={"DeliveryPolicy": FAST_RETRIES},
    )
    confirm(sns, endpoint, topic)
    endpoint.fail_first = 2
    sns.publish(TopicArn=topic, Message="eventually")
    wait_for(lambda: len(endpoint.of_type("Notification")) == 3)
    ids = {r.headers["x-amz-sns-message-id"] for r in endpoint.of_type("Notification")}
    assert len(ids) == 1  # the same message, attempted three times


def test_client_errors_are_not_retried(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    sns.subscribe(
        TopicArn=topic,
        Protocol="http",
        Endpoint=endpoint.url,
        Attributes={"DeliveryPolicy": FAST_RETRIES},
    )
    confirm(sns, endpoint, topic)
    endpoint.status = 404
    sns.publish(TopicArn=topic, Message="gone")
    wait_for(lambda: endpoint.of_type("Notification"))
    endpoint.status = 200
    sns.publish(TopicArn=topic, Message="second")
    wait_for(lambda: len(endpoint.of_type("Notification")) == 2)
    assert [r.json()["Message"] for r in endpoint.of_type("Notification")] == ["gone", "second"]


def test_silent_endpoint_does_not_hold_publishers(sns: Any, endpoint: Endpoint) -> None:
    """An endpoint that never answers: publishes return at once and the server serves."""
    topic = new_topic(sns)
    sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=endpoint.url)
    confirm(sns, endpoint, topic)
    endpoint.silent = True
    for index in range(20):
        sns.publish(TopicArn=topic, Message=f"m{index}")
    wait_for(lambda: endpoint.of_type("Notification"))
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["TopicArn"] == topic
    other = new_topic(sns)
    assert sns.publish(TopicArn=other, Message="still served")["MessageId"]


def test_unreachable_endpoint_does_not_hold_publishers(sns: Any) -> None:
    topic = new_topic(sns)
    dead = f"http://127.0.0.1:{free_port()}/nobody"
    arn = sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=dead, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    assert (
        sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"]
        == "true"
    )
    assert sns.publish(TopicArn=topic, Message="nobody listens")["MessageId"]


def test_subscription_attributes_and_refusals(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
    assert attributes["Protocol"] == "http"
    assert attributes["Endpoint"] == endpoint.url
    assert attributes["TopicArn"] == topic
    assert attributes["RawMessageDelivery"] == "false"
    effective = json.loads(attributes["EffectiveDeliveryPolicy"])
    assert effective["healthyRetryPolicy"]["minDelayTarget"] == 20
    assert "FilterPolicy" not in attributes
    six_keys = json.dumps({f"k{i}": ["v"] for i in range(6)})
    assert aws_error(
        lambda: sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicy", AttributeValue=six_keys
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys",
        400,
    )
    assert aws_error(
        lambda: sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=endpoint.url + "/x",
            Attributes={"FilterPolicy": json.dumps({"a": [str(i) for i in range(151)]})},
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex",
        400,
    )
    assert aws_error(
        lambda: sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="FilterPolicyScope", AttributeValue="Body"
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either "
        "MessageBody or MessageAttributes",
        400,
    )
    assert aws_error(
        lambda: sns.set_subscription_attributes(
            SubscriptionArn=arn, AttributeName="Color", AttributeValue="x"
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: AttributeName",
        400,
    )
    assert aws_error(
        lambda: sns.set_subscription_attributes(
            SubscriptionArn=arn,
            AttributeName="DeliveryPolicy",
            AttributeValue=json.dumps({"healthyRetryPolicy": {"numRetries": 3}}),
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: DeliveryPolicy: healthyRetryPolicy.minDelayTarget must be specified",
        400,
    )
    missing = f"{topic}:00000000-0000-0000-0000-000000000000"
    assert aws_error(lambda: sns.get_subscription_attributes(SubscriptionArn=missing)) == (
        "NotFound",
        "Subscription does not exist",
        404,
    )
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="http", Endpoint="https://example.com")
    ) == (
        "InvalidParameter",
        "Invalid parameter: Endpoint must match the specified protocol",
        400,
    )
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="carrier-pigeon", Endpoint="x")
    ) == (
        "InvalidParameter",
        "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon",
        400,
    )
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint="queue-name")
    ) == (
        "InvalidParameter",
        "Invalid parameter: SQS endpoint ARN",
        400,
    )
    sns.unsubscribe(SubscriptionArn=arn)
    assert aws_error(lambda: sns.unsubscribe(SubscriptionArn=arn)) == (
        "NotFound",
        "Subscription does not exist",
        404,
    )


def test_subscribe_is_idempotent(sns: Any, endpoint: Endpoint) -> None:
    topic = new_topic(sns)
    first = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    again = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    assert first == again
    assert aws_error(
        lambda: sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=endpoint.url,
            Attributes={"RawMessageDelivery": "true"},
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: Attributes Reason: Subscription already exists with different "
        "attributes",
        400,
    )


def test_list_subscriptions(server: ServerProcess, endpoint: Endpoint) -> None:
    sns = server.client("sns", access_key="444444444444")  # its own account: one page
    topic = new_topic(sns)
    arn = sns.subscribe(
        TopicArn=topic, Protocol="http", Endpoint=endpoint.url, ReturnSubscriptionArn=True
    )["SubscriptionArn"]
    confirm(sns, endpoint, topic)
    listed = sns.list_subscriptions()["Subscriptions"]
    mine = [s for s in listed if s["TopicArn"] == topic]
    assert mine == [
        {
            "SubscriptionArn": arn,
            "Owner": "444444444444",
            "Protocol": "http",
            "Endpoint": endpoint.url,
            "TopicArn": topic,
        }
    ]
    sns.delete_topic(TopicArn=topic)
    assert not [s for s in sns.list_subscriptions()["Subscriptions"] if s["TopicArn"] == topic]


def test_endpoint_answering_garbage_is_retried(sns: Any) -> None:
    """An endpoint that answers an endless non-HTTP line: each attempt fails cleanly and
    is retried by the policy; the server stays healthy."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    connections: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections.append(1)
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(b"X" * 200_000)
                except OSError:
                    pass

    threading.Thread(target=serve, daemon=True).start()
    try:
        topic = new_topic(sns)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/garbage"
        arn = sns.subscribe(
            TopicArn=topic,
            Protocol="http",
            Endpoint=url,
            Attributes={"DeliveryPolicy": FAST_RETRIES},
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        # The confirmation itself is retried (default policy: 20 s apart): one attempt
        # arrives at once; the subscription stays pending.
        wait_for(lambda: connections)
        assert (
            sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"][
                "PendingConfirmation"
            ]
            == "true"
        )
        assert sns.publish(TopicArn=topic, Message="still fine")["MessageId"]
    finally:
        listener.close()


@pytest.mark.slow
def test_a_silent_endpoint_does_not_starve_the_others(sns: Any, endpoint: Endpoint) -> None:
    """300 deliveries to an endpoint that never answers (more than the server attempts
    at once): another subscription still gets its message before they time out."""
    silent_topic = new_topic(sns)
    sns.subscribe(TopicArn=silent_topic, Protocol="http", Endpoint=endpoint.url + "/silent")
    confirm(sns, endpoint, silent_topic)
    endpoint.silent = True
    for batch in range(30):
        entries = [{"Id": f"e{i}", "Message": f"{batch}-{i}"} for i in range(10)]
        sns.publish_batch(TopicArn=silent_topic, PublishBatchRequestEntries=entries)
    other = listening_endpoint()
    try:
        topic = new_topic(sns)
        sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=other.url)
        wait_for(lambda: other.of_type("SubscriptionConfirmation"), timeout=14)
    finally:
        other.close()
