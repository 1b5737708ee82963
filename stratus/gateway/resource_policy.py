"""A REST API's resource policy enforced on ``execute-api:Invoke``.

A stage enforces the policy of the deployment it serves (AWS applies a changed policy
with the next deployment only), compiled once with the stage
(``services.policy_statements``). Per request the method's ARN
``arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/{METHOD}/{path}`` is judged for
the caller, and the outcome follows "How API Gateway resource policies affect
authorization workflow" (API Gateway developer guide):

- no authorization (and Cognito, which Stratus does not serve): an explicit ``Allow`` is
  needed, an explicit ``Deny`` wins;
- ``AWS_IAM``: the verified caller's IAM policies count as an ``Allow`` (Stratus enforces
  no IAM policies anywhere), so a caller of the API's own account passes unless a
  ``Deny`` matches (Table A), while one of another account needs the resource policy's
  ``Allow`` too (Table B);
- a Lambda authorizer: a ``Deny`` refuses before the authorizer is called; then the
  authorizer's policy and the resource policy together (Table A): the authorizer's
  ``Allow`` passes unless the resource policy denies, and when the authorizer's policy
  says nothing the resource policy's ``Allow`` passes.

The condition keys a request carries: ``aws:SourceIp`` (the client's address as the
gateway sees it), ``aws:CurrentTime``, ``aws:EpochTime``, ``aws:SecureTransport``,
``aws:UserAgent``, ``aws:Referer``, and for a signed caller ``aws:PrincipalAccount``,
``aws:PrincipalArn``, ``aws:userid``, ``aws:username`` (an IAM user). ``aws:SourceVpc``
and ``aws:SourceVpce`` are never present: no request reaches Stratus through a VPC
endpoint, so a policy that requires one refuses, as it refuses a public caller on AWS.

A refusal answers 403 ``{"Message":"User: anonymous is not authorized to perform:
execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:{id}/{stage}/GET/x
with an explicit deny in a resource-based policy"}`` (or "because no resource-based
policy allows the execute-api:Invoke action"), ``x-amzn-ErrorType:
AccessDeniedException``, through the stage's ``ACCESS_DENIED`` gateway response.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import orjson

from stratus.gateway.iam_auth import Caller
from stratus.gateway.request import GatewayRequest
from stratus.gateway.rest_errors import GatewayError, access_denied
from stratus.services.policy_conditions import secure_transport
from stratus.services.policy_statements import (
    CompiledPolicy,
    Decision,
    MalformedPolicy,
    PolicyCaller,
    compile_policy,
)

__all__ = ["Decision", "ResourcePolicy", "compile_resource_policy"]

ACTION = "execute-api:Invoke"
_ARN_ACCOUNT = re.compile(r"^(arn:[^:]*:execute-api:[^:]*:)(\d*)(\d{4}):")
_USER = re.compile(r"^arn:[^:]*:iam::\d{12}:user/(?:.*/)?([^/]+)$")
_SESSION = re.compile(r"^arn:([^:]*):sts::(\d{12}):assumed-role/([^/]+)/")
#: A stored policy that cannot be compiled (it was checked when written) refuses all.
_DENY_ALL = compile_policy(
    {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
)


def _principal_arn(arn: str) -> str:
    """``aws:PrincipalArn``: a session's role (``arn:aws:iam::{account}:role/{name}``)."""
    session = _SESSION.match(arn)
    if session is None:
        return arn
    return f"arn:{session.group(1)}:iam::{session.group(2)}:role/{session.group(3)}"


def request_context(request: GatewayRequest, caller: Caller | None) -> dict[str, str]:
    """The condition keys of one request (absent keys are left out, as IAM leaves them)."""
    seconds = request.time_epoch_ms // 1000
    context = {
        "aws:SourceIp": request.source_ip,
        "aws:CurrentTime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds)),
        "aws:EpochTime": str(seconds),
        "aws:SecureTransport": secure_transport("http", request.source_ip),
    }
    for key, header in (("aws:UserAgent", "user-agent"), ("aws:Referer", "referer")):
        value = request.header(header)
        if value is not None:
            context[key] = value
    if caller is not None:
        context["aws:PrincipalAccount"] = caller.account
        context["aws:PrincipalArn"] = _principal_arn(caller.arn)
        context["aws:userid"] = caller.user_id or caller.account
        user = _USER.match(caller.arn)
        if user is not None:
            context["aws:username"] = user.group(1)
    return context


def masked(arn: str) -> str:
    """The ARN as AWS's denial shows it: the account's digits but the last four starred."""
    return _ARN_ACCOUNT.sub(lambda m: f"{m.group(1)}{'*' * len(m.group(2))}{m.group(3)}:", arn)


def refusal(caller: Caller | None, arn: str, *, explicit: bool) -> GatewayError:
    """The ``ACCESS_DENIED`` answer to a caller the resource policy refuses."""
    who = caller.arn if caller is not None else "anonymous"
    why = (
        "with an explicit deny in a resource-based policy"
        if explicit
        else f"because no resource-based policy allows the {ACTION} action"
    )
    return access_denied(
        f"User: {who} is not authorized to perform: {ACTION} on resource: {masked(arn)} {why}"
    )


@dataclass(frozen=True, slots=True)
class ResourcePolicy:
    """One deployment's resource policy, ready for its stage's requests."""

    policy: CompiledPolicy

    def decide(self, arn: str, request: GatewayRequest, caller: Caller | None) -> Decision:
        principal = None if caller is None else PolicyCaller(caller.account, caller.arn)
        context = request_context(request, caller) if self.policy.conditional else None
        return self.policy.decide(ACTION, arn, principal, context)

    def refuse(
        self,
        decision: Decision,
        arn: str,
        caller: Caller | None,
        owner: str,
        *,
        authorizer: bool,
    ) -> GatewayError | None:
        """The refusal of a request whose policy ``decision`` is known, before any
        authorizer runs (None: go on). ``owner``: the API's account."""
        if decision is Decision.DENY:
            return refusal(caller, arn, explicit=True)
        if decision is Decision.ALLOW or authorizer:  # the authorizer decides with it
            return None
        if caller is not None and caller.account == owner:
            return None  # same account, IAM: the caller's own (unenforced) policies allow
        return refusal(caller, arn, explicit=False)


def compile_resource_policy(text: str | None) -> ResourcePolicy | None:
    """The stage's policy from its deployment's stored text (None: the API has none)."""
    if not text:
        return None
    try:
        return ResourcePolicy(compile_policy(orjson.loads(text)))
    except (orjson.JSONDecodeError, MalformedPolicy):
        return ResourcePolicy(_DENY_ALL)
