"""SMS: settings, opted-out numbers, the SMS sandbox and Publish to a phone number; texts
are read back from ``/_stratus/sns/sent`` (the sandbox's one-time passwords too)."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.sns.conftest import aws_error, own_account, sent_messages, wait_for
from tests.conftest import ServerProcess

BAD_NUMBER = "Invalid parameter: PhoneNumber Reason: input incorrectly formatted"


@pytest.fixture
def account(server: ServerProcess) -> tuple[Any, str]:
    return own_account(server)


def opt_out(server: ServerProcess, account: str, phone: str) -> None:
    query = urllib.parse.urlencode({"phoneNumber": phone, "account": account})
    request = urllib.request.Request(
        f"{server.endpoint}/_stratus/sns/opt-out?{query}", method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200


def test_attributes(account: tuple[Any, str]) -> None:
    sns, _ = account
    assert sns.get_sms_attributes()["attributes"] == {"MonthlySpendLimit": "1"}
    sns.set_sms_attributes(
        attributes={
            "DefaultSMSType": "Transactional",
            "DefaultSenderID": "Shop1",
            "MonthlySpendLimit": "5",
        }
    )
    assert sns.get_sms_attributes()["attributes"] == {
        "DefaultSMSType": "Transactional",
        "DefaultSenderID": "Shop1",
        "MonthlySpendLimit": "5",
    }
    assert sns.get_sms_attributes(attributes=["DefaultSMSType", "UsageReportS3Bucket"])[
        "attributes"
    ] == {"DefaultSMSType": "Transactional"}


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        ({"Colour": "blue"}, "Colour is not a valid attribute"),
        ({"DefaultSMSType": "Urgent"}, "DefaultSMSType is invalid"),
        ({"DefaultSenderID": "123456"}, "DefaultSenderID is not a valid attribute"),
        ({"DefaultSenderID": "TwelveLetter"}, "DefaultSenderID is not a valid attribute"),
        ({"MonthlySpendLimit": "lots"}, "Invalid parameter: MonthlySpendLimit Reason: must be a whole number"),
    ],
    ids=["unknown", "sms-type", "sender-id-digits", "sender-id-long", "spend-limit"],
)  # fmt: skip
def test_attribute_refusals(
    account: tuple[Any, str], attributes: dict[str, str], message: str
) -> None:
    sns, _ = account
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Promotional"})
    assert aws_error(
        lambda: sns.set_sms_attributes(attributes={"MonthlySpendLimit": "3", **attributes})
    ) == ("InvalidParameter", message, 400)
    assert sns.get_sms_attributes()["attributes"] == {
        "DefaultSMSType": "Promotional",
        "MonthlySpendLimit": "1",
    }


def test_opting_out_and_in(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15550100")["isOptedOut"] is False
    opt_out(server, account_id, "+15550100")
    opt_out(server, account_id, "+15550101")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15550100")["isOptedOut"] is True
    listed = sns.list_phone_numbers_opted_out()
    assert listed["phoneNumbers"] == ["+15550100", "+15550101"]
    assert "nextToken" not in listed
    # A text to an opted-out number is answered and recorded, never handed to a carrier.
    message_id = sns.publish(PhoneNumber="+15550100", Message="sale!")["MessageId"]
    [sent] = sent_messages(server, target="+15550100")
    assert (sent["MessageId"], sent["Status"]) == (message_id, "OPTED_OUT")
    sns.opt_in_phone_number(phoneNumber="+15550100")
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15550100")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15550101"]
    for bad in ("15550100", "+0555", "+1555abc"):
        assert aws_error(
            lambda bad=bad: sns.check_if_phone_number_is_opted_out(phoneNumber=bad)
        ) == (
            "InvalidParameter",
            BAD_NUMBER,
            400,
        )
        assert aws_error(lambda bad=bad: sns.opt_in_phone_number(phoneNumber=bad)) == (
            "InvalidParameter",
            BAD_NUMBER,
            400,
        )
    assert aws_error(lambda: sns.list_phone_numbers_opted_out(nextToken="bogus!")) == (
        "InvalidParameter",
        "Invalid parameter: NextToken",
        400,
    )


def test_opted_out_list_pages_by_100(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    numbers = [f"+1555{i:07d}" for i in range(101)]
    for number in numbers:
        opt_out(server, account_id, number)
    first = sns.list_phone_numbers_opted_out()
    second = sns.list_phone_numbers_opted_out(nextToken=first["nextToken"])
    assert first["phoneNumbers"] + second["phoneNumbers"] == numbers
    assert "nextToken" not in second


def test_publish_to_a_phone_number(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    message_id = sns.publish(
        PhoneNumber="+447700900123",
        Message="Your code is 1234",
        MessageAttributes={
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": "Shop"},
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
        },
    )["MessageId"]
    [sent] = sent_messages(server, target="+447700900123")
    assert sent["MessageId"] == message_id
    assert (sent["Kind"], sent["Account"], sent["Message"], sent["Status"]) == (
        "sms",
        account_id,
        "Your code is 1234",
        "DELIVERED",
    )
    assert sent["MessageAttributes"]["AWS.SNS.SMS.SenderID"] == {"Type": "String", "Value": "Shop"}
    sns.publish(
        PhoneNumber="+447700900123",
        Message='{"default": "d", "sms": "short"}',
        MessageStructure="json",
    )
    assert [m["Message"] for m in sent_messages(server, target="+447700900123")] == [
        "Your code is 1234",
        "short",
    ]


@pytest.mark.parametrize("number", ["447700900123", "+0447700900", "+1234567890123456", "+1-555"])
def test_publish_to_a_bad_number(
    server: ServerProcess, account: tuple[Any, str], number: str
) -> None:
    sns, _ = account
    assert aws_error(lambda: sns.publish(PhoneNumber=number, Message="x")) == (
        "InvalidParameter",
        f"Invalid parameter: PhoneNumber Reason: {number} is not valid to publish to",
        400,
    )
    assert sent_messages(server, target=number) == []


def test_sandbox_numbers(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15550123", LanguageCode="en-GB")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15550123", "Status": "Pending"}
    ]
    [text] = sent_messages(server, target="+15550123")
    assert text["Account"] == account_id
    password = re.search(r"\d{6}", text["Message"])
    assert password is not None
    wrong = "000000" if password.group() != "000000" else "111111"
    with pytest.raises(sns.exceptions.VerificationException) as raised:
        sns.verify_sms_sandbox_phone_number(PhoneNumber="+15550123", OneTimePassword=wrong)
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "VerificationException",
        "Invalid one-time password.",
    )
    assert raised.value.response["Status"] == "Failed"
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"][0]["Status"] == "Pending"
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15550123", OneTimePassword=password.group())
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15550123", "Status": "Verified"}
    ]
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15550123")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []
    missing = ("ResourceNotFound", "The phone number does not exist in the SMS sandbox.", 404)
    assert (
        aws_error(lambda: sns.delete_sms_sandbox_phone_number(PhoneNumber="+15550123")) == missing
    )
    assert (
        aws_error(
            lambda: sns.verify_sms_sandbox_phone_number(
                PhoneNumber="+15550123", OneTimePassword="123456"
            )
        )
        == missing
    )


def test_sandbox_refusals(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    opt_out(server, account_id, "+15550199")
    assert aws_error(lambda: sns.create_sms_sandbox_phone_number(PhoneNumber="+15550199")) == (
        "OptedOut",
        "Phone number is opted out.",
        400,
    )
    assert aws_error(lambda: sns.create_sms_sandbox_phone_number(PhoneNumber="12345")) == (
        "InvalidParameter",
        BAD_NUMBER,
        400,
    )
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []


def test_sandbox_list_pages(account: tuple[Any, str]) -> None:
    sns, _ = account
    numbers = [f"+1555010{i:04d}" for i in range(3)]
    for number in numbers:
        sns.create_sms_sandbox_phone_number(PhoneNumber=number)
    first = sns.list_sms_sandbox_phone_numbers(MaxResults=2)
    second = sns.list_sms_sandbox_phone_numbers(MaxResults=2, NextToken=first["NextToken"])
    assert [n["PhoneNumber"] for n in first["PhoneNumbers"] + second["PhoneNumbers"]] == numbers
    assert "NextToken" not in second


def test_origination_numbers(account: tuple[Any, str]) -> None:
    sns, _ = account
    assert sns.list_origination_numbers()["PhoneNumbers"] == []
    assert aws_error(lambda: sns.list_origination_numbers(NextToken="bogus!")) == (
        "InvalidParameter",
        "Invalid parameter: NextToken",
        400,
    )


def test_topic_subscription_of_a_phone_number(
    server: ServerProcess, account: tuple[Any, str]
) -> None:
    sns, account_id = account
    topic = sns.create_topic(Name="alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550177")
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15550178")
    opt_out(server, account_id, "+15550178")
    message_id = sns.publish(
        TopicArn=topic, Message='{"default": "long text", "sms": "short"}', MessageStructure="json"
    )["MessageId"]
    [sent] = wait_for(lambda: sent_messages(server, target="+15550177"))
    assert (sent["MessageId"], sent["Message"], sent["Status"], sent["TopicArn"]) == (
        message_id,
        "short",
        "DELIVERED",
        topic,
    )
    [opted] = wait_for(lambda: sent_messages(server, target="+15550178"))
    assert opted["Status"] == "OPTED_OUT"


def test_subscribing_a_bad_number_is_refused(account: tuple[Any, str]) -> None:
    sns, _ = account
    topic = sns.create_topic(Name="numbers")["TopicArn"]
    assert aws_error(
        lambda: sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="x-xxx-xxx-xxxx")
    ) == ("InvalidParameter", "Invalid SMS endpoint: x-xxx-xxx-xxxx", 400)
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []
    # Separators people write are accepted (AWS does not document its exact rule).
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+1 (555) 010-0199")


def test_concurrent_changes_all_land(server: ServerProcess, account: tuple[Any, str]) -> None:
    sns, account_id = account
    numbers = [f"+1555020{i:04d}" for i in range(12)]
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda number: opt_out(server, account_id, number), numbers))
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == numbers
