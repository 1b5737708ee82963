"""Platform applications, endpoints, SMS settings and the record of sent messages are
acknowledged only once stored: all of them survive ``kill -9``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.aws.sns.conftest import sent_messages
from tests.aws.sns.test_sms import opt_out
from tests.conftest import ServerProcess


def test_mobile_and_sms_state_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        sns = first.client("sns")
        app = sns.create_platform_application(
            Name="kept",
            Platform="ADM",
            Attributes={"PlatformPrincipal": "id", "PlatformCredential": "secret"},
        )["PlatformApplicationArn"]
        sns.set_platform_application_attributes(
            PlatformApplicationArn=app, Attributes={"SuccessFeedbackSampleRate": "50"}
        )
        endpoint = sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="device", CustomUserData="u"
        )["EndpointArn"]
        disabled = sns.create_platform_endpoint(
            PlatformApplicationArn=app, Token="old", Attributes={"Enabled": "false"}
        )["EndpointArn"]
        pushed = sns.publish(TargetArn=endpoint, Message="before")["MessageId"]
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional"})
        opt_out(first, "000000000000", "+15550100")
        sns.create_sms_sandbox_phone_number(PhoneNumber="+15550111")
        texted = sns.publish(PhoneNumber="+15550122", Message="hi")["MessageId"]
    finally:
        first.kill()
    second = ServerProcess(data).start()
    try:
        sns = second.client("sns")
        assert sns.get_platform_application_attributes(PlatformApplicationArn=app)[
            "Attributes"
        ] == {"Enabled": "true", "SuccessFeedbackSampleRate": "50"}
        listed = sns.list_endpoints_by_platform_application(PlatformApplicationArn=app)
        assert [e["EndpointArn"] for e in listed["Endpoints"]] == [endpoint, disabled]
        assert sns.get_endpoint_attributes(EndpointArn=endpoint)["Attributes"] == {
            "Enabled": "true",
            "Token": "device",
            "CustomUserData": "u",
        }
        # Idempotency holds across the restart: the same token answers the same endpoint.
        assert (
            sns.create_platform_endpoint(
                PlatformApplicationArn=app, Token="device", CustomUserData="u"
            )["EndpointArn"]
            == endpoint
        )
        with pytest.raises(sns.exceptions.EndpointDisabledException):
            sns.publish(TargetArn=disabled, Message="x")
        assert sns.get_sms_attributes()["attributes"]["DefaultSMSType"] == "Transactional"
        assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == ["+15550100"]
        assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
            {"PhoneNumber": "+15550111", "Status": "Pending"}
        ]
        ids = {m["MessageId"] for m in sent_messages(second)}
        assert {pushed, texted} <= ids
    finally:
        second.stop()
