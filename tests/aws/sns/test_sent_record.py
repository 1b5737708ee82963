"""``/_stratus/sns/sent`` and ``/_stratus/sns/opt-out``: the control port's record of
what SNS sent to devices and phones, its filters and polling, and its refusals."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.aws.sns.conftest import own_account, sent_messages
from tests.conftest import ServerProcess


def _call(server: ServerProcess, path: str, method: str = "GET") -> tuple[int, Any]:
    request = urllib.request.Request(f"{server.endpoint}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_filters_and_polling(server: ServerProcess) -> None:
    sns, account = own_account(server)
    number = f"+1555{account[-7:]}"
    app = sns.create_platform_application(
        Name="a", Platform="GCM", Attributes={"PlatformCredential": "k"}
    )["PlatformApplicationArn"]
    device = sns.create_platform_endpoint(PlatformApplicationArn=app, Token="t")["EndpointArn"]
    first = sns.publish(PhoneNumber=number, Message="one")["MessageId"]
    pushed = sns.publish(TargetArn=device, Message="two")["MessageId"]
    texts = sent_messages(server, target=number)
    assert [m["MessageId"] for m in texts] == [first]
    assert [m["MessageId"] for m in sent_messages(server, target=device, kind="push")] == [pushed]
    assert sent_messages(server, target=device, kind="sms") == []
    # Polling: ``Next`` of one answer is ``after`` of the next.
    status, page = _call(server, f"/_stratus/sns/sent?after={texts[0]['Seq']}&limit=1")
    assert status == 200 and len(page["Messages"]) <= 1
    second = sns.publish(PhoneNumber=number, Message="three")["MessageId"]
    after = texts[0]["Seq"]
    assert [m["MessageId"] for m in sent_messages(server, target=number, after=str(after))] == [
        second
    ]


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/_stratus/sns/sent?after=x", "GET", 400),
        ("/_stratus/sns/sent?limit=many", "GET", 400),
        ("/_stratus/sns/sent", "DELETE", 405),
        ("/_stratus/sns/opt-out?phoneNumber=+1555", "GET", 405),
        ("/_stratus/sns/opt-out?phoneNumber=12345", "POST", 400),
    ],
    ids=["after", "limit", "sent-method", "opt-out-method", "opt-out-number"],
)
def test_refusals(server: ServerProcess, path: str, method: str, status: int) -> None:
    answer_status, body = _call(server, path, method)
    assert answer_status == status
    assert body["message"]


def test_a_refused_opt_out_changes_nothing(server: ServerProcess) -> None:
    sns, account = own_account(server)
    status, _ = _call(server, f"/_stratus/sns/opt-out?phoneNumber=0044&account={account}", "POST")
    assert status == 400
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []
