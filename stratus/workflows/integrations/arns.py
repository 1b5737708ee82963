"""Reading a Task state's ``Resource``: which integration, which action, which pattern.

Step Functions names its integrations ``arn:aws:states:::<service>:<action>[.<pattern>]``
where the pattern is one of the service integration patterns (none: request-response,
``.sync``/``.sync:2``: run a job and wait, ``.waitForTaskToken``: callback). A Lambda
function is also a resource by its own ARN. See "Service integration patterns" in the
Step Functions developer guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "SYNC",
    "SYNC2",
    "WAIT_FOR_TASK_TOKEN",
    "ServiceResource",
    "is_function_arn",
    "parse_service_resource",
]

SYNC = "sync"
SYNC2 = "sync:2"
WAIT_FOR_TASK_TOKEN = "waitForTaskToken"

_SERVICE = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:(?P<region>[a-z0-9-]*):(?P<account>\d*):"
    r"(?P<path>[^.]+?)(?:\.(?P<pattern>sync:2|sync|waitForTaskToken))?$"
)
_FUNCTION = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}(?:-gov)?-[a-z]+-\d:\d{12}:function:"
    r"[a-zA-Z0-9_-]+(?::(?:\$LATEST|[a-zA-Z0-9_-]+))?$"
)


@dataclass(frozen=True, slots=True)
class ServiceResource:
    """``arn:aws:states:::aws-sdk:s3:getObject.waitForTaskToken`` split into its parts.

    ``service`` is the first segment (``lambda``, ``states``, ``aws-sdk``), ``action`` the
    rest (``invoke``, ``startExecution``, ``s3:getObject``), ``pattern`` ``""`` for
    request-response or one of SYNC, SYNC2, WAIT_FOR_TASK_TOKEN.
    """

    service: str
    action: str
    pattern: str


def parse_service_resource(resource: str) -> ServiceResource | None:
    """The parts of a service integration ARN; ``None`` when ``resource`` is none."""
    match = _SERVICE.match(resource)
    if match is None:
        return None
    service, _, action = match.group("path").partition(":")
    if not service or not action:
        return None
    return ServiceResource(service, action, match.group("pattern") or "")


def is_function_arn(resource: str) -> bool:
    """Whether ``resource`` is a Lambda function ARN (optionally with a qualifier)."""
    return _FUNCTION.match(resource) is not None
