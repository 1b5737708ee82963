"""Queue names, URLs and ARNs.

A queue URL is ``{endpoint}/{account}/{name}`` (as on AWS, minus the regional host): any
host is accepted as long as the path is ``/{account}/{name}``, so URLs made for another
endpoint (a proxy, ``localhost`` instead of ``127.0.0.1``) still work. The region is the
caller's (a queue URL carries no region on our endpoint).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from stratus.services.queues.errors import InvalidParameterValue, QueueNotFound
from stratus.services.queues.model import QueueKey
from stratus.services.scope import Scope

__all__ = ["check_queue_name", "key_of_arn", "key_of_url", "queue_url"]

_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")
_FIFO_NAME = re.compile(r"[A-Za-z0-9_-]{1,75}\.fifo")
_ACCOUNT = re.compile(r"\d{12}")

NAME_RULES = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
FIFO_NAME_RULES = (
    "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
    "underscores, must end with .fifo suffix and be 1 to 80 in length."
)


def check_queue_name(name: str, fifo: bool) -> None:
    """CreateQueue's name rules (CreateQueue, "QueueName" in the API reference)."""
    if fifo:
        if not _FIFO_NAME.fullmatch(name):
            raise InvalidParameterValue(FIFO_NAME_RULES)
    elif not _NAME.fullmatch(name):
        raise InvalidParameterValue(NAME_RULES)


def queue_url(endpoint: str, key: QueueKey) -> str:
    return f"{endpoint.rstrip('/')}/{key.account}/{key.name}"


def key_of_url(url: str, scope: Scope) -> QueueKey:
    """The queue a URL names, in the caller's region; a bare name is taken in the
    caller's account too (the query protocol's old form)."""
    path = urlsplit(url).path if "://" in url else url
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and _ACCOUNT.fullmatch(parts[0]):
        return QueueKey(parts[0], scope.region, parts[1])
    if len(parts) == 1 and "://" not in url:
        return QueueKey(scope.account, scope.region, parts[0])
    raise QueueNotFound()


def key_of_arn(arn: str) -> QueueKey:
    """``arn:aws:sqs:REGION:ACCOUNT:NAME``; anything else names no queue."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
        raise QueueNotFound()
    return QueueKey(parts[4], parts[3], parts[5])
