"""STS's operations: caller identity and temporary credentials.

Which account a request acts as is the platform's ``Accounts`` resolution (already in
``ctx.account_id``); which identity inside it (root, an IAM user, an assumed role) is the
identity service's knowledge of the keys it issued.
"""

from __future__ import annotations

from typing import Any

from stratus.aws.accounts import Accounts
from stratus.aws.context import RequestContext
from stratus.aws.iam.errors import STS_ERRORS
from stratus.services.identity.errors import InvalidAuthorizationMessage
from stratus.services.identity.models import Session
from stratus.services.identity.service import IdentityService
from stratus.services.identity.tokens import AssumedRole

__all__ = ["StsProvider"]

Params = dict[str, Any]
Result = dict[str, Any]


def _credentials(session: Session) -> Result:
    return {
        "AccessKeyId": session.key_id,
        "SecretAccessKey": session.secret,
        "SessionToken": session.token,
        "Expiration": session.expires,
    }


def _assumed(assumed: AssumedRole) -> Result:
    session = assumed.session
    result: Result = {
        "Credentials": _credentials(session),
        "AssumedRoleUser": {"AssumedRoleId": session.user_id, "Arn": session.arn},
    }
    if assumed.packed_policy_size is not None:
        result["PackedPolicySize"] = assumed.packed_policy_size
    if assumed.source_identity is not None:
        result["SourceIdentity"] = assumed.source_identity
    return result


class StsProvider:
    errors = STS_ERRORS

    def __init__(self, identity: IdentityService, accounts: Accounts) -> None:
        self._tokens = identity.tokens
        self._accounts = accounts

    async def get_caller_identity(self, ctx: RequestContext, params: Params) -> Result:
        caller = self._tokens.current_caller(ctx.access_key, ctx.account_id)
        return {"UserId": caller.user_id, "Account": caller.account, "Arn": caller.arn}

    async def assume_role(self, ctx: RequestContext, params: Params) -> Result:
        caller = self._tokens.current_caller(ctx.access_key, ctx.account_id)
        assumed = await self._tokens.assume_role(
            caller,
            params["RoleArn"],
            params["RoleSessionName"],
            duration=params.get("DurationSeconds"),
            policy=params.get("Policy"),
            policy_arns=[p["arn"] for p in params.get("PolicyArns") or [] if "arn" in p],
            tags=[(t["Key"], t["Value"]) for t in params.get("Tags") or []],
            source_identity=params.get("SourceIdentity"),
            region=ctx.region,
        )
        return _assumed(assumed)

    async def assume_role_with_web_identity(self, ctx: RequestContext, params: Params) -> Result:
        web = await self._tokens.assume_role_with_web_identity(
            params["RoleArn"],
            params["RoleSessionName"],
            params["WebIdentityToken"],
            provider_id=params.get("ProviderId"),
            duration=params.get("DurationSeconds"),
            policy=params.get("Policy"),
            policy_arns=[p["arn"] for p in params.get("PolicyArns") or [] if "arn" in p],
            region=ctx.region,
        )
        return {
            **_assumed(web.assumed),
            "SubjectFromWebIdentityToken": web.subject,
            "Audience": web.audience,
            "Provider": web.provider,
        }

    async def assume_role_with_saml(self, ctx: RequestContext, params: Params) -> Result:
        saml = await self._tokens.assume_role_with_saml(
            params["RoleArn"],
            params["PrincipalArn"],
            params["SAMLAssertion"],
            duration=params.get("DurationSeconds"),
            policy=params.get("Policy"),
            policy_arns=[p["arn"] for p in params.get("PolicyArns") or [] if "arn" in p],
            region=ctx.region,
        )
        assertion = saml.assertion
        return {
            **_assumed(saml.assumed),
            "Subject": assertion.subject,
            "SubjectType": assertion.subject_type,
            "Issuer": assertion.issuer,
            "Audience": assertion.audience,
            "NameQualifier": saml.name_qualifier,
        }

    async def get_session_token(self, ctx: RequestContext, params: Params) -> Result:
        caller = self._tokens.current_caller(ctx.access_key, ctx.account_id)
        session = await self._tokens.session_token(caller, params.get("DurationSeconds"))
        return {"Credentials": _credentials(session)}

    async def get_access_key_info(self, ctx: RequestContext, params: Params) -> Result:
        """The account a key acts as: the one Stratus issued it in, else the platform's rule."""
        return {"Account": self._accounts.account_for(params["AccessKeyId"])}

    async def get_federation_token(self, ctx: RequestContext, params: Params) -> Result:
        caller = self._tokens.current_caller(ctx.access_key, ctx.account_id)
        session, packed = await self._tokens.federation_token(
            caller,
            params["Name"],
            duration=params.get("DurationSeconds"),
            policy=params.get("Policy"),
            policy_arns=[p["arn"] for p in params.get("PolicyArns") or [] if "arn" in p],
            tags=[(t["Key"], t["Value"]) for t in params.get("Tags") or []],
        )
        result: Result = {
            "Credentials": _credentials(session),
            "FederatedUser": {"FederatedUserId": session.user_id, "Arn": session.arn},
        }
        if packed is not None:
            result["PackedPolicySize"] = packed
        return result

    async def decode_authorization_message(self, ctx: RequestContext, params: Params) -> Result:
        """Stratus evaluates no policies, so it never encodes an authorization failure:
        every message is one it cannot decode, answered as STS answers an invalid one."""
        raise InvalidAuthorizationMessage(
            "The encoded authorization message is invalid or was not issued by this service."
        )
