"""What the Logs API's operations share: the group a request names, ARNs and tokens."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.services.logs.errors import InvalidParameter

Params = dict[str, Any]


def group_name(params: Params) -> str:
    """The group of ``logGroupName`` or ``logGroupIdentifier`` (a name or an ARN)."""
    name = params.get("logGroupName")
    identifier = params.get("logGroupIdentifier")
    if name and identifier:
        raise InvalidParameter("LogGroup name and LogGroup ARN are mutually exclusive parameters.")
    group = name or identifier
    if not group:
        raise InvalidParameter("Either logGroupName or logGroupIdentifier must be provided.")
    return str(group).rsplit(":log-group:", 1)[-1].removesuffix(":*")


def group_arn(ctx: RequestContext, group: str) -> str:
    return f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"


def group_of_resource(ctx: RequestContext, arn: str) -> str:
    """The group a TagResource-family ARN names, in the caller's account and region."""
    prefix = f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:"
    if not arn.startswith(prefix) or len(arn) == len(prefix):
        raise InvalidParameter(f"Invalid resourceArn: {arn}")
    return arn[len(prefix) :].removesuffix(":*")


def event_token(token: str | None, kind: str) -> int | None:
    """The event id in an ``f/``, ``b/`` or ``n/`` token (None: no token)."""
    if not token:
        return None
    head, _, tail = token.partition("/")
    if head not in kind or not tail.isdigit():
        raise InvalidParameter("The specified nextToken is invalid.")
    return int(tail)
