"""OpenID Connect providers (what GitHub Actions' OIDC roles trust) through boto3."""

from __future__ import annotations

from typing import Any

from tests.aws.iam.conftest import assert_error

URL = "https://token.actions.githubusercontent.com"
THUMB = "6938fd4d98bab03faadb97b34396831e3780aea1"


def test_oidc_provider_lifecycle(iam: Any, account: str) -> None:
    created = iam.create_open_id_connect_provider(
        Url=URL, ClientIDList=["sts.amazonaws.com"], ThumbprintList=[THUMB],
        Tags=[{"Key": "ci", "Value": "gha"}],
    )  # fmt: skip
    arn = f"arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"
    assert created["OpenIDConnectProviderArn"] == arn
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert got["Url"] == "token.actions.githubusercontent.com"
    assert got["ClientIDList"] == ["sts.amazonaws.com"]
    assert got["ThumbprintList"] == [THUMB]
    assert got["Tags"] == [{"Key": "ci", "Value": "gha"}]
    listed = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert listed == [{"Arn": arn}]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app")
    iam.remove_client_id_from_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, ClientID="sts.amazonaws.com"
    )
    other = "a" * 40
    iam.update_open_id_connect_provider_thumbprint(
        OpenIDConnectProviderArn=arn, ThumbprintList=[other]
    )
    iam.tag_open_id_connect_provider(
        OpenIDConnectProviderArn=arn, Tags=[{"Key": "x", "Value": "y"}]
    )
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=arn, TagKeys=["ci"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=arn)["Tags"] == [
        {"Key": "x", "Value": "y"}
    ]
    got = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (got["ClientIDList"], got["ThumbprintList"]) == (["app"], [other])
    assert_error(
        lambda: iam.create_open_id_connect_provider(Url=URL, ThumbprintList=[THUMB]),
        "EntityAlreadyExists",
        f"Provider with url {URL} already exists.",
        409,
    )
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert_error(
        lambda: iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn),
        "NoSuchEntity",
        f"OpenIDConnect Provider not found for arn {arn}",
        404,
    )
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []


def test_oidc_provider_bad_input(iam: Any) -> None:
    assert_error(
        lambda: iam.create_open_id_connect_provider(Url="http://plain.example.com"),
        "InvalidInput",
        None,
        400,
    )
    assert_error(
        lambda: iam.create_open_id_connect_provider(Url=URL, ThumbprintList=["short"]),
        "ValidationError",
        # A bad list item is reported on the list, as AWS's validator words it.
        "1 validation error detected: Value '[short]' at 'thumbprintList' failed to satisfy "
        "constraint: Member must satisfy constraint: [Member must have length less than or "
        "equal to 40, Member must have length greater than or equal to 40, Member must not be "
        "null]",
        400,
    )
    assert iam.list_open_id_connect_providers()["OpenIDConnectProviderList"] == []
