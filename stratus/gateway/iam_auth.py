"""``AWS_IAM`` authorization of routes and methods: the request must be SigV4-signed.

Stratus validates IAM policies but does not enforce them (docs/identity.md), and it does
not hold secret keys to check signatures with: a route that wants IAM gets a request
signed with SigV4's ``Authorization`` header (else 403, as API Gateway answers an
unsigned one), and the caller's identity (access key and its account) reaches the event
as AWS puts it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stratus.gateway.request import GatewayRequest

_CREDENTIAL = re.compile(r"^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)/")


@dataclass(frozen=True, slots=True)
class Caller:
    access_key: str
    account: str

    @property
    def user_arn(self) -> str:
        return f"arn:aws:iam::{self.account}:root"

    def v2_context(self) -> dict[str, Any]:
        """``requestContext.authorizer`` of a payload 2.0 event."""
        return {
            "iam": {
                "accessKey": self.access_key,
                "accountId": self.account,
                "callerId": self.account,
                "cognitoIdentity": None,
                "principalOrgId": None,
                "userArn": self.user_arn,
                "userId": self.account,
            }
        }

    def identity(self) -> dict[str, Any]:
        """The ``requestContext.identity`` fields of a payload 1.0 event."""
        return {
            "accessKey": self.access_key,
            "accountId": self.account,
            "caller": self.account,
            "user": self.account,
            "userArn": self.user_arn,
        }


def signed_caller(
    request: GatewayRequest, account_for: Callable[[str | None], str]
) -> Caller | None:
    """Who signed the request, or None when it is not SigV4-signed."""
    match = _CREDENTIAL.match(request.header("authorization") or "")
    if match is None:
        return None
    key = match.group(1)
    return Caller(key, account_for(key))
