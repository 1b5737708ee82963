"""Platform endpoints and Publish to one: boto3 against a real server, the delivered
message read back from ``/_stratus/sns/sent``."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, own_account, sent_messages, wait_for
from tests.conftest import ServerProcess

REASON = "Invalid parameter: Attributes Reason: "
APNS_TOKEN = "a1" * 32


@pytest.fixture
def sns(server: ServerProcess) -> Any:
    return own_account(server)[0]


def gcm_app(sns: Any, name: str = "android") -> str:
    return str(
        sns.create_platform_application(
            Name=name, Platform="GCM", Attributes={"PlatformCredential": "k"}
        )["PlatformApplicationArn"]
    )


def apns_app(sns: Any) -> str:
    return str(
        sns.create_platform_application(
            Name="ios",
            Platform="APNS_SANDBOX",
            Attributes={"PlatformPrincipal": "cert", "PlatformCredential": "key"},
        )["PlatformApplicationArn"]
    )


def test_create_is_idempotent_on_token_and_attributes(sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="device-1", CustomUserData="user 7"
    )["EndpointArn"]
    account = app.split(":")[4]
    assert arn.startswith(f"arn:aws:sns:us-east-1:{account}:endpoint/GCM/android/")
    assert len(arn.rsplit("/", 1)[1]) == 36
    again = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="device-1", CustomUserData="user 7"
    )["EndpointArn"]
    assert again == arn
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true",
        "Token": "device-1",
        "CustomUserData": "user 7",
    }
    assert aws_error(
        lambda: sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device-1", CustomUserData="user 8"
        )
    ) == (
        "InvalidParameter",
        f"Invalid parameter: Token Reason: Endpoint {arn} already exists with the same Token, "
        "but different attributes.",
        400,
    )
    # A disabled endpoint differs from a new one (Enabled=true) as well.
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    code, message, _ = aws_error(
        lambda: sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device-1", CustomUserData="user 7"
        )
    )
    assert (code, arn in message) == ("InvalidParameter", True)
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["EndpointArn"] for e in listed] == [arn]


def test_attributes_lifecycle_and_delete(sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="t1", Attributes={"Enabled": "false"}
    )["EndpointArn"]
    sns.set_endpoint_attributes(
        EndpointArn=arn,
        Attributes={"Token": "t2", "Enabled": "True", "CustomUserData": "hello"},
    )
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true",
        "Token": "t2",
        "CustomUserData": "hello",
    }
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert listed == [
        {
            "EndpointArn": arn,
            "Attributes": {"Enabled": "true", "Token": "t2", "CustomUserData": "hello"},
        }
    ]
    sns.delete_endpoint(EndpointArn=arn)
    sns.delete_endpoint(EndpointArn=arn)  # again: no error, as on AWS
    assert aws_error(lambda: sns.get_endpoint_attributes(EndpointArn=arn)) == (
        "NotFound",
        "Endpoint does not exist",
        404,
    )
    assert aws_error(
        lambda: sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "true"})
    ) == ("NotFound", "Endpoint does not exist", 404)
    assert sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"] == []


def test_deleting_the_application_deletes_its_endpoints(sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
    sns.delete_platform_application(PlatformApplicationArn=app)
    assert aws_error(lambda: sns.get_endpoint_attributes(EndpointArn=arn)) == (
        "NotFound",
        "Endpoint does not exist",
        404,
    )
    assert aws_error(
        lambda: sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
    ) == ("NotFound", "PlatformApplication does not exist", 404)


def test_list_pages_by_100(sns: Any) -> None:
    app = gcm_app(sns)
    made = [
        sns.create_platform_endpoint(PlatformApplicationArn=app, Token=f"token-{i}")["EndpointArn"]
        for i in range(101)
    ]
    first = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
    second = sns.list_endpoints_by_platform_application(
        PlatformApplicationArn=app, NextToken=first["NextToken"]
    )
    assert "NextToken" not in second
    assert [e["EndpointArn"] for e in first["Endpoints"] + second["Endpoints"]] == made


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"Token": "t", "Attributes": {"Colour": "blue"}}, f"{REASON}Invalid attribute name: Colour"),
        ({"Token": "t", "Attributes": {"Enabled": "maybe"}}, f"{REASON}Invalid value for attribute: Enabled: must be 'true' or 'false'"),
        ({"Token": "t", "CustomUserData": "x" * 2049}, f"{REASON}Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding"),
        ({"Token": "t", "Attributes": {"CustomUserData": "é" * 1025}}, f"{REASON}Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding"),
    ],
    ids=["unknown-attribute", "enabled-not-boolean", "custom-user-data-parameter-too-long", "custom-user-data-too-long"],
)  # fmt: skip
def test_create_refusals(sns: Any, kwargs: dict[str, Any], message: str) -> None:
    app = gcm_app(sns)
    assert aws_error(
        lambda: sns.create_platform_endpoint(PlatformApplicationArn=app, **kwargs)
    ) == ("InvalidParameter", message, 400)
    assert sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"] == []


def test_apns_tokens_are_hexadecimal(sns: Any) -> None:
    app = apns_app(sns)
    assert aws_error(
        lambda: sns.create_platform_endpoint(PlatformApplicationArn=app, Token="not-hex")
    ) == (
        "InvalidParameter",
        "Invalid parameter: Token Reason: iOS device tokens must be no more than 400 "
        "hexadecimal characters",
        400,
    )
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token=APNS_TOKEN)["EndpointArn"]
    assert ":endpoint/APNS_SANDBOX/ios/" in arn


def test_missing_application_and_malformed_arns(sns: Any) -> None:
    app = gcm_app(sns)
    missing = app.replace("app/GCM/android", "app/GCM/gone")
    assert aws_error(
        lambda: sns.create_platform_endpoint(PlatformApplicationArn=missing, Token="t")
    ) == ("NotFound", "PlatformApplication does not exist", 404)
    assert aws_error(lambda: sns.get_endpoint_attributes(EndpointArn="nonsense")) == (
        "InvalidParameter",
        "Invalid parameter: EndpointArn Reason: An ARN must have at least 6 elements, not 1",
        400,
    )
    assert aws_error(lambda: sns.get_endpoint_attributes(EndpointArn=app)) == (
        "InvalidParameter",
        "Invalid parameter: EndpointArn Reason: Wrong number of slashes in relative portion "
        "of the ARN.",
        400,
    )


def test_set_refusals_keep_the_attributes(sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
    assert aws_error(
        lambda: sns.set_endpoint_attributes(
            EndpointArn=arn, Attributes={"Token": "new", "Colour": "blue"}
        )
    ) == ("InvalidParameter", f"{REASON}Invalid attribute name: Colour", 400)
    assert sns.get_endpoint_attributes(EndpointArn=arn)["Attributes"] == {
        "Enabled": "true",
        "Token": "t",
    }


# -- Publish -----------------------------------------------------------------------------


def test_publish_records_the_message(server: ServerProcess, sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="device", CustomUserData="u1"
    )["EndpointArn"]
    message_id = sns.publish(
        TargetArn=arn,
        Message="hello",
        Subject="greeting",
        MessageAttributes={
            "AWS.SNS.MOBILE.FCM.TTL": {"DataType": "String", "StringValue": "60"},
            "kind": {"DataType": "String", "StringValue": "hi"},
        },
    )["MessageId"]
    [sent] = sent_messages(server, target=arn)
    assert sent["MessageId"] == message_id
    assert {k: sent[k] for k in ("Kind", "Message", "Subject", "Platform", "Token", "Status")} == {
        "Kind": "push",
        "Message": "hello",
        "Subject": "greeting",
        "Platform": "GCM",
        "Token": "device",
        "Status": "DELIVERED",
    }
    assert sent["CustomUserData"] == "u1"
    assert sent["MessageAttributes"]["kind"] == {"Type": "String", "Value": "hi"}


def test_json_structure_picks_the_platforms_entry(server: ServerProcess, sns: Any) -> None:
    gcm = sns.create_platform_endpoint(PlatformApplicationArn=gcm_app(sns), Token="g")[
        "EndpointArn"
    ]
    apns = sns.create_platform_endpoint(PlatformApplicationArn=apns_app(sns), Token=APNS_TOKEN)[
        "EndpointArn"
    ]
    gcm_payload = json.dumps({"notification": {"title": "hi"}})
    structure = json.dumps({"default": "plain", "GCM": gcm_payload, "APNS": "{}"})
    sns.publish(TargetArn=gcm, Message=structure, MessageStructure="json")
    sns.publish(TargetArn=apns, Message=structure, MessageStructure="json")  # APNS_SANDBOX
    # Without ``default``: a publish to one endpoint needs only its platform's entry.
    sns.publish(
        TargetArn=apns,
        Message=json.dumps({"APNS_SANDBOX": '{"aps":{"alert":"x"}}'}),
        MessageStructure="json",
    )
    assert [m["Message"] for m in sent_messages(server, target=gcm)] == [gcm_payload]
    assert [m["Message"] for m in sent_messages(server, target=apns)] == [
        "plain",
        '{"aps":{"alert":"x"}}',
    ]
    assert aws_error(
        lambda: sns.publish(
            TargetArn=gcm, Message=json.dumps({"APNS": "{}"}), MessageStructure="json"
        )
    ) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - No default entry in JSON message body",
        400,
    )
    assert len(sent_messages(server, target=gcm)) == 1


def test_publish_refusals(server: ServerProcess, sns: Any) -> None:
    app = gcm_app(sns)
    arn = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="t", Attributes={"Enabled": "false"}
    )["EndpointArn"]
    assert aws_error(lambda: sns.publish(TargetArn=arn, Message="x")) == (
        "EndpointDisabled",
        "Endpoint is disabled",
        400,
    )
    sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "true"})
    sns.set_platform_application_attributes(
        PlatformApplicationArn=app, Attributes={"Enabled": "false"}
    )
    assert aws_error(lambda: sns.publish(TargetArn=arn, Message="x")) == (
        "PlatformApplicationDisabled",
        "Platform application is disabled",
        400,
    )
    sns.set_platform_application_attributes(
        PlatformApplicationArn=app, Attributes={"Enabled": "true"}
    )
    assert aws_error(lambda: sns.publish(TargetArn=arn, Message="")) == (
        "InvalidParameter",
        "Invalid parameter: Empty message",
        400,
    )
    assert aws_error(lambda: sns.publish(TargetArn=arn, Message="x", MessageStructure="json")) == (
        "InvalidParameter",
        "Invalid parameter: Message Structure - JSON message body failed to parse",
        400,
    )
    sns.delete_endpoint(EndpointArn=arn)
    assert aws_error(lambda: sns.publish(TargetArn=arn, Message="x")) == (
        "InvalidParameter",
        "Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified",
        400,
    )
    assert sent_messages(server, target=arn) == []


def test_topic_subscription_of_an_endpoint(server: ServerProcess, sns: Any) -> None:
    app = gcm_app(sns)
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="d")["EndpointArn"]
    off = sns.create_platform_endpoint(
        PlatformApplicationArn=app, Token="off", Attributes={"Enabled": "false"}
    )["EndpointArn"]
    topic = sns.create_topic(Name="news")["TopicArn"]
    subscription = sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)[
        "SubscriptionArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=off)
    message_id = sns.publish(
        TopicArn=topic,
        Message=json.dumps({"default": "plain", "GCM": '{"data":{"k":"v"}}'}),
        MessageStructure="json",
    )["MessageId"]
    [sent] = wait_for(lambda: sent_messages(server, target=endpoint))
    assert (sent["MessageId"], sent["Message"], sent["TopicArn"], sent["SubscriptionArn"]) == (
        message_id,
        '{"data":{"k":"v"}}',
        topic,
        subscription,
    )
    assert sent_messages(server, target=off) == []  # a disabled endpoint gets nothing


def test_subscribing_a_missing_endpoint_is_refused(sns: Any) -> None:
    app = gcm_app(sns)
    endpoint = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="d")["EndpointArn"]
    sns.delete_endpoint(EndpointArn=endpoint)
    topic = sns.create_topic(Name="gone")["TopicArn"]
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="application", Endpoint=endpoint)
    ) == (
        "InvalidParameter",
        f"Invalid parameter: Endpoint Reason: Endpoint does not exist for endpoint {endpoint}",
        400,
    )
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_concurrent_creates_of_one_token_make_one_endpoint(server: ServerProcess) -> None:
    sns, account = own_account(server)
    app = gcm_app(sns)
    clients = [server.client("sns", access_key=account) for _ in range(16)]
    tokens = [f"token-{i}" for i in range(5)]
    with ThreadPoolExecutor(len(clients)) as pool:
        for token in tokens:
            arns = set(
                pool.map(
                    lambda client, token=token: client.create_platform_endpoint(
                        PlatformApplicationArn=app, Token=token
                    )["EndpointArn"],
                    clients,
                )
            )
            assert len(arns) == 1, token
    listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)["Endpoints"]
    assert [e["Attributes"]["Token"] for e in listed] == tokens
