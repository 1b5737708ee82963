"""The execute-api door's ``AWS_IAM`` check: SigV4 verified against the secrets Stratus
issued (IAM users' access keys, STS credentials), as function URLs verify theirs.

A key Stratus never issued cannot be verified and is refused, like an unsigned request
or a wrong signature, body hash, date or credential scope. Identity policies are not
evaluated (Stratus does not enforce IAM): a verified caller may invoke.
"""

from __future__ import annotations

import datetime

from stratus.aws.protocol.sigv4_verify import MAX_SKEW, SignatureError, verify
from stratus.gateway.iam_auth import (
    EXPIRED,
    EXPIRED_TOKEN,
    MISSING,
    SCOPE,
    SIGNATURE,
    UNKNOWN_KEY,
    Caller,
    IamCheck,
    IamRefused,
)
from stratus.gateway.request import GatewayRequest
from stratus.services.identity.service import IdentityService

SERVICE = "execute-api"
_STAMP = "%Y%m%dT%H%M%SZ"


def _kind(why: str) -> str:
    if why.startswith(("no Authorization", "not a SigV4")):
        return MISSING
    if why == "unknown access key":
        return UNKNOWN_KEY
    if why.startswith("credential scope"):
        return SCOPE
    return SIGNATURE


def _expired(request: GatewayRequest) -> str:
    """AWS's message for a signature dated outside the allowed skew."""
    now = datetime.datetime.now(datetime.UTC)
    earliest = now - MAX_SKEW
    stamp = request.header("x-amz-date") or ""
    minutes = int(MAX_SKEW.total_seconds() // 60)
    return (
        f"Signature expired: {stamp} is now earlier than {earliest.strftime(_STAMP)} "
        f"({now.strftime(_STAMP)} - {minutes} min.)"
    )


def execute_api_check(identity: IdentityService | None) -> IamCheck:
    """An :data:`IamCheck` over ``identity``'s secrets (None: every key is unknown)."""

    def secret_for(access_key: str) -> str | None:
        return None if identity is None else identity.signing_secret(access_key)

    def check(request: GatewayRequest, region: str) -> Caller:
        try:
            signed = verify(
                request.method,
                request.full_raw_path or request.raw_path,
                request.raw_query,
                request.headers,
                request.body,
                service=SERVICE,
                region=region,
                secret_for=secret_for,
            )
        except SignatureError as why:
            text = str(why)
            if text == "signature expired or not yet valid":
                raise IamRefused(EXPIRED, text, _expired(request)) from None
            raise IamRefused(_kind(text), text) from None
        assert identity is not None  # a verified key has a secret, so identity exists
        session = identity.state.sessions.get(signed.access_key)
        if session is not None:
            if session.expires <= identity.state.clock():
                raise IamRefused(EXPIRED_TOKEN, "expired temporary credentials")
            if signed.session_token != session.token:
                raise IamRefused(UNKNOWN_KEY, "temporary credentials without their token")
        key = identity.state.access_keys.get(signed.access_key)
        account = session.account if session is not None else key.account if key else ""
        caller = identity.tokens.caller(signed.access_key, account)
        return Caller(signed.access_key, caller.account, caller.arn, caller.user_id)

    return check
