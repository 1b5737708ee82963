"""How a service reaches another service: through our own AWS APIs, in-process.

SNS delivers to queues and functions, Lambda sends its destinations' records, Step
Functions runs ``aws-sdk`` tasks: each makes the call a client would make
(``PlatformContext.aws_caller``, served by ``aws/sdk_caller.py``), so no service imports
another and every call gets the target's own validation and errors.
"""

from __future__ import annotations

from typing import Any, Protocol


class AwsCaller(Protocol):
    """Calls one of Stratus's own AWS APIs in-process."""

    async def call(
        self,
        service: str,
        operation: str,
        params: dict[str, Any],
        *,
        account_id: str | None = None,
        region: str | None = None,
    ) -> dict[str, Any]:
        """``service`` is botocore's name (``s3``, ``stepfunctions``), ``operation`` the
        model's (``GetObject``). The call acts in ``account_id`` and ``region`` (the
        caller's own, so it reaches only its account's resources; ``None``: the
        platform's defaults). Raises AwsCallFailed for an AWS error answer."""
        ...


class AwsCallFailed(Exception):
    """An AWS error answer to an in-process call."""

    def __init__(self, service: str, code: str, message: str, status: int) -> None:
        self.service = service
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{service} {code}: {message}")
