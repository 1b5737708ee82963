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
from stratus.services.policy_conditions import UnknownOperator, conditions_hold

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
    """The statement's conditions over what a URL invocation carries (IAM's operators,
    shared with S3 and the policy simulator); a key it does not carry is absent."""
    context = {"lambda:FunctionUrlAuthType": auth_type, "lambda:InvokedViaFunctionUrl": "true"}
    try:
        return conditions_hold(statement.get("Condition"), context)
    except UnknownOperator:
        return False


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
        # The public's verdict per URL target, with the policy it was drawn from: a
        # changed policy is another document or another RevisionId, so the verdict is
        # drawn again then and reused for every request in between.
        self._public: dict[tuple[str, str | None], tuple[object, str, bool]] = {}

    def _public_allowed(self, config: UrlConfig) -> bool:
        key = (config.function_id, config.qualifier)
        document, revision = self._registry.policy(config.function_id, config.qualifier)
        cached = self._public.get(key)
        if cached is not None and cached[0] is document and cached[1] == revision:
            return cached[2]
        url, function = policy_allows(document, "NONE", None)
        if len(self._public) >= 4096:  # URLs come and go: never grow without bound
            self._public.clear()
        self._public[key] = (document, revision, url and function)
        return url and function

    def check(self, config: UrlConfig, request: UrlRequest, full_raw_path: str) -> Access:
        if config.auth_type == "NONE":
            if not self._public_allowed(config):
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
