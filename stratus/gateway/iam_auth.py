"""``AWS_IAM`` authorization of routes and methods: the request must be SigV4-signed, and
the signature must verify.

The gateway may not import ``stratus.aws``, so the check itself (``aws/protocol``'s
SigV4 verifier and the identity service's secrets) comes in from the APIs component as
an :data:`IamCheck`: it answers the :class:`Caller` of a correctly signed request or
raises :class:`IamRefused`, whose ``kind`` picks API Gateway's 403 answer. Without a
check (a gateway built without identity) a request only has to carry a SigV4
``Authorization`` header, as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from stratus.gateway.request import GatewayRequest

_CREDENTIAL = re.compile(r"^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)/")

# Why a request is refused; each has its own REST API message (HTTP APIs say Forbidden).
MISSING = "missing"
SIGNATURE = "signature"
UNKNOWN_KEY = "unknown_key"
EXPIRED = "expired"
EXPIRED_TOKEN = "expired_token"
SCOPE = "scope"

_REST_MESSAGES = {
    MISSING: "Missing Authentication Token",
    SIGNATURE: (
        "The request signature we calculated does not match the signature you provided. "
        "Check your AWS Secret Access Key and signing method. Consult the service "
        "documentation for details."
    ),
    UNKNOWN_KEY: "The security token included in the request is invalid.",
    EXPIRED_TOKEN: "The security token included in the request is expired",
    SCOPE: "Credential should be scoped to correct service: 'execute-api'. ",
}


class IamRefused(Exception):
    """The request is not signed, or not signed right (``kind``, ``detail`` for logs)."""

    def __init__(self, kind: str, detail: str = "", message: str | None = None) -> None:
        super().__init__(detail or kind)
        self.kind = kind
        self.message = message

    def rest_body(self) -> bytes:
        """A REST API's 403 body: AWS's message for this kind of refusal."""
        text = self.message or _REST_MESSAGES.get(self.kind, _REST_MESSAGES[SIGNATURE])
        return orjson.dumps({"message": text})


@dataclass(frozen=True, slots=True)
class Caller:
    access_key: str
    account: str
    user_arn: str = ""
    user_id: str = ""

    @property
    def arn(self) -> str:
        """Who signed: a user's ARN, a role session's, or the account's root."""
        return self.user_arn or f"arn:aws:iam::{self.account}:root"

    def _id(self) -> str:
        return self.user_id or self.account

    def v2_context(self) -> dict[str, Any]:
        """``requestContext.authorizer`` of a payload 2.0 event."""
        return {
            "iam": {
                "accessKey": self.access_key,
                "accountId": self.account,
                "callerId": self._id(),
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": self.arn,
                "userId": self._id(),
            }
        }

    def identity(self) -> dict[str, Any]:
        """The ``requestContext.identity`` fields of a payload 1.0 event."""
        return {
            "accessKey": self.access_key,
            "accountId": self.account,
            "caller": self._id(),
            "user": self._id(),
            "userArn": self.arn,
        }


# (request, the API's region) -> the verified caller; raises IamRefused.
IamCheck = Callable[[GatewayRequest, str], Caller]


def signed_caller(
    request: GatewayRequest, account_for: Callable[[str | None], str]
) -> Caller | None:
    """Who claims to have signed the request (not verified), or None when unsigned."""
    match = _CREDENTIAL.match(request.header("authorization") or "")
    if match is None:
        return None
    key = match.group(1)
    return Caller(key, account_for(key))


def check_iam(
    request: GatewayRequest,
    region: str,
    check: IamCheck | None,
    account_for: Callable[[str | None], str],
) -> Caller:
    """The caller of an ``AWS_IAM`` route or method; IamRefused when it may not call."""
    if check is not None:
        return check(request, region)
    caller = signed_caller(request, account_for)
    if caller is None:
        raise IamRefused(MISSING)
    return caller
