"""What SNS checks of platform applications and endpoints, in AWS's words.

https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformApplication.html,
API_SetPlatformApplicationAttributes.html, API_CreatePlatformEndpoint.html,
API_SetEndpointAttributes.html.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from stratus.services.topics.errors import InvalidParameter
from stratus.services.topics.model import PlatformApplication

PLATFORMS = (
    "ADM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "BAIDU",
    "GCM",
    "MACOS",
    "MACOS_SANDBOX",
    "MPNS",
    "WNS",
)
_APPLE = frozenset(p for p in PLATFORMS if p.startswith(("APNS", "MACOS")))
APPLICATION_ATTRIBUTES = frozenset(
    {
        "PlatformCredential",
        "PlatformPrincipal",
        "EventEndpointCreated",
        "EventEndpointDeleted",
        "EventEndpointUpdated",
        "EventDeliveryFailure",
        "SuccessFeedbackRoleArn",
        "FailureFeedbackRoleArn",
        "SuccessFeedbackSampleRate",
        "ApplePlatformTeamID",
        "ApplePlatformBundleID",
        "Enabled",
    }
)
_SECRET = ("PlatformCredential", "PlatformPrincipal")
ENDPOINT_ATTRIBUTES = ("CustomUserData", "Enabled", "Token")
MAX_CUSTOM_USER_DATA = 2048
_NAME = re.compile(r"[A-Za-z0-9._-]+")
_HEX = re.compile(r"[0-9A-Fa-f]{1,400}")
_REASON = "Invalid parameter: Attributes Reason: "


def normalized(attributes: Mapping[str, str]) -> dict[str, str]:
    """``Enabled`` as SNS answers it (``true``/``false``), the rest as given."""
    normalized = dict(attributes)
    if "Enabled" in normalized:
        normalized["Enabled"] = normalized["Enabled"].lower()
    return normalized


def public_attributes(application: PlatformApplication) -> dict[str, str]:
    """GetPlatformApplicationAttributes: everything but the credentials."""
    shown = {"Enabled": "true"}
    shown.update({k: v for k, v in application.attributes.items() if k not in _SECRET})
    if application.platform in _APPLE and "ApplePlatformTeamID" in application.attributes:
        shown["AuthenticationMethod"] = "Token"
    return shown


def check_application_name(name: str) -> None:
    reason = ""
    if not name:
        reason = "cannot be empty"
    elif len(name) > 256:
        reason = "must be at most 256 characters long"
    elif not _NAME.fullmatch(name):
        reason = "must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
    if reason:
        raise InvalidParameter(f"Invalid parameter: {name} Reason: {reason}")


def check_application_attributes(attributes: Mapping[str, str]) -> None:
    for key, value in attributes.items():
        if key not in APPLICATION_ATTRIBUTES:
            raise InvalidParameter(f"{_REASON}Invalid attribute name: {key}")
        if key in _SECRET and not value.strip():
            raise InvalidParameter(f"{_REASON}Platform credentials are invalid")
        if key == "Enabled":
            check_enabled(value)


def check_credentials(platform: str, attributes: Mapping[str, str]) -> None:
    """GCM needs a PlatformCredential; every other platform a PlatformPrincipal with it."""
    has_principal = "PlatformPrincipal" in attributes
    has_credential = "PlatformCredential" in attributes
    if has_principal and not has_credential:
        raise InvalidParameter(
            f"{_REASON}PlatformPrincipal attribute provided without PlatformCredential"
        )
    if not has_credential:
        raise InvalidParameter(f"{_REASON}PlatformCredential attribute required")
    if platform != "GCM" and not has_principal:
        raise InvalidParameter(
            f"{_REASON}PlatformCredential attribute provided without PlatformPrincipal"
        )


def check_endpoint_attributes(attributes: Mapping[str, str]) -> None:
    for key, value in attributes.items():
        if key not in ENDPOINT_ATTRIBUTES:
            raise InvalidParameter(f"{_REASON}Invalid attribute name: {key}")
        if key == "Enabled":
            check_enabled(value)
    if len(attributes.get("CustomUserData", "").encode()) > MAX_CUSTOM_USER_DATA:
        raise InvalidParameter(
            f"{_REASON}Invalid value for attribute: CustomUserData: must be at most 2048 bytes "
            "long in UTF-8 encoding"
        )


def check_enabled(value: str) -> None:
    if value.lower() not in ("true", "false"):
        raise InvalidParameter(
            f"{_REASON}Invalid value for attribute: Enabled: must be 'true' or 'false'"
        )


def check_token(platform: str, token: str) -> None:
    if not token:
        raise InvalidParameter("Invalid parameter: Token Reason: cannot be empty")
    if platform in _APPLE and not _HEX.fullmatch(token):
        raise InvalidParameter(
            "Invalid parameter: Token Reason: iOS device tokens must be no more than 400 "
            "hexadecimal characters"
        )


def check_arn(arn: str, member: str, kind: str, slashes: int) -> None:
    """An application (``app/P/NAME``) or endpoint (``endpoint/P/NAME/ID``) ARN."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        raise InvalidParameter(
            f"Invalid parameter: {member} Reason: An ARN must have at least 6 elements, "
            f"not {len(parts)}"
        )
    if parts[0] != "arn" or parts[2] != "sns":
        raise InvalidParameter(f"Invalid parameter: {member}")
    resource = parts[5]
    if not resource.startswith(f"{kind}/") or resource.count("/") != slashes:
        raise InvalidParameter(
            f"Invalid parameter: {member} Reason: Wrong number of slashes in relative portion "
            "of the ARN."
        )


__all__ = [
    "APPLICATION_ATTRIBUTES",
    "ENDPOINT_ATTRIBUTES",
    "PLATFORMS",
    "check_application_attributes",
    "check_application_name",
    "check_arn",
    "check_credentials",
    "check_endpoint_attributes",
    "check_token",
    "normalized",
    "public_attributes",
]
