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
        coerce: bool = False,
    ) -> dict[str, Any]:
        """``service`` is botocore's name (``s3``, ``stepfunctions``), ``operation`` the
        model's (``GetObject``). The call acts in ``account_id`` and ``region`` (the
        caller's own, so it reaches only its account's resources; ``None``: the
        platform's defaults). ``coerce``: scalars are first converted to the types the
        operation's input shape wants, as CloudFormation converts a template's values
        (``"30"`` for an integer, ``5`` for a string). Raises AwsCallFailed for an AWS
        error answer."""
        ...


class AwsCallFailed(Exception):
    """An AWS error answer to an in-process call."""

    def __init__(self, service: str, code: str, message: str, status: int) -> None:
        self.service = service
        self.code = code
        self.message = message
        self.status = status
        super().__init__(f"{service} {code}: {message}")


class QueueUrls:
    """Queue ARN -> queue URL for the services that send to SQS (SendMessage takes a URL):
    GetQueueUrl once per queue, forgotten after a failed send (the queue may have been
    deleted or recreated since)."""

    def __init__(self, calls: AwsCaller) -> None:
        self._calls = calls
        self._urls: dict[str, str] = {}

    async def url(
        self, queue_arn: str, *, account: str | None = None, region: str | None = None
    ) -> str:
        """The queue's URL, asked in ``account`` and ``region`` (default: the ARN's)."""
        url = self._urls.get(queue_arn)
        if url is None:
            parts = queue_arn.split(":")
            account = account or parts[4]
            answer = await self._calls.call(
                "sqs",
                "GetQueueUrl",
                {"QueueName": parts[5], "QueueOwnerAWSAccountId": account},
                account_id=account,
                region=region or parts[3],
            )
            url = self._urls[queue_arn] = str(answer["QueueUrl"])
        return url

    def forget(self, queue_arn: str) -> None:
        self._urls.pop(queue_arn, None)
