"""Who may invoke a function through its URL: the ``UrlAccess`` of the gateway's door.

``AuthType: NONE``: Lambda authenticates nobody, but the function's resource-based policy
(of the alias, for an alias's URL) must grant the public both ``lambda:InvokeFunctionUrl``
and, since October 2025, ``lambda:InvokeFunction`` (AddPermission's
``InvokedViaFunctionUrl``), as AWS's "Control access to Lambda function URLs" requires of
new URLs. Without them every request is 403 ``{"Message":"Forbidden"}``.

``AuthType: AWS_IAM``: the request must carry a valid SigV4 signature for service
``lambda`` in the URL's region (``aws/protocol/sigv4_verify``). The key's secret is the
one Stratus issued (an IAM user's access key or STS credentials); a key Stratus never
issued cannot be verified and is refused. Identity policies are not evaluated (Stratus
does not enforce IAM): a caller of the function's own account may invoke; another
account's needs a resource policy statement granting ``lambda:InvokeFunctionUrl`` to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stratus.aws.protocol.sigv4_verify import SignatureError, verify
from stratus.gateway.function_urls.app import Access, Forbidden
from stratus.gateway.function_urls.events import UrlRequest
from stratus.services.functions.function_urls import UrlConfig
from stratus.services.functions.registry import FunctionRegistry

SecretLookup = Callable[[str], str | None]
CallerLookup = Callable[[str, str], dict[str, Any]]


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement.get("Action")
    return [action] if isinstance(action, str) else list(action or [])


def _grants(statement: dict[str, Any], action: str) -> bool:
    return any(a in (action, "lambda:*", "*") for a in _actions(statement))


def _principal_is(statement: dict[str, Any], account: str | None) -> bool:
    principal = statement.get("Principal")
    if principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*"):
        return True
    if account is None or not isinstance(principal, dict):
        return False
    named = principal.get("AWS")
    names = [named] if isinstance(named, str) else list(named or [])
    return any(n == account or n.startswith(f"arn:aws:iam::{account}:") for n in names)


def _conditions_hold(statement: dict[str, Any], auth_type: str) -> bool:
    """The conditions a URL invocation can satisfy; any other condition key fails."""
    for operator, keys in (statement.get("Condition") or {}).items():
        for key, value in keys.items():
            if operator == "StringEquals" and key == "lambda:FunctionUrlAuthType":
                if value != auth_type:
                    return False
            elif operator == "Bool" and key == "lambda:InvokedViaFunctionUrl":
                if str(value).lower() != "true":
                    return False
            else:
                return False
    return True


def policy_allows(
    document: dict[str, Any] | None, auth_type: str, account: str | None
) -> tuple[bool, bool]:
    """(InvokeFunctionUrl granted, InvokeFunction granted) to ``account`` (None: public)."""
    url = function = False
    for statement in (document or {}).get("Statement") or []:
        if statement.get("Effect") != "Allow" or not _principal_is(statement, account):
            continue
        if not _conditions_hold(statement, auth_type):
            continue
        url = url or _grants(statement, "lambda:InvokeFunctionUrl")
        function = function or _grants(statement, "lambda:InvokeFunction")
    return url, function


class UrlAccessPolicy:
    def __init__(
        self,
        registry: FunctionRegistry,
        secret_for: SecretLookup,
        caller_for: CallerLookup,
        account_for: Callable[[str], str],
        session_token_for: Callable[[str], str | None] = lambda _key: None,
    ) -> None:
        self._registry = registry
        self._secret_for = secret_for
        self._caller_for = caller_for
        self._account_for = account_for
        self._session_token_for = session_token_for

    def check(self, config: UrlConfig, request: UrlRequest, full_raw_path: str) -> Access:
        if config.auth_type == "NONE":
            document, _ = self._registry.policy(config.function_id, config.qualifier)
            url, function = policy_allows(document, "NONE", None)
            if not (url and function):
                raise Forbidden(
                    "the resource policy does not grant lambda:InvokeFunctionUrl and "
                    "lambda:InvokeFunction to the public"
                )
            return Access()
        try:
            signed = verify(
                request.method,
                full_raw_path,
                request.raw_query,
                request.headers,
                request.body,
                service="lambda",
                region=config.region,
                secret_for=self._secret_for,
            )
        except SignatureError as why:
            raise Forbidden(str(why)) from None
        expected_token = self._session_token_for(signed.access_key)
        if expected_token is not None and (
            not expected_token or signed.session_token != expected_token
        ):
            raise Forbidden("temporary credentials without their valid session token")
        account = self._account_for(signed.access_key)
        owner = config.function_id.split(":")[4]
        if account != owner:
            document, _ = self._registry.policy(config.function_id, config.qualifier)
            url, _function = policy_allows(document, "AWS_IAM", account)
            if not url:
                raise Forbidden(f"account {account} is not granted lambda:InvokeFunctionUrl")
        return Access(account_id=account, iam=self._caller_for(signed.access_key, account))
