"""Where a template comes from: the call itself, our S3 (TemplateURL, AWS::Include), or the
stack's current one; with CloudFormation's size quotas for each."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from stratus.services.aws_calls import AwsCaller, AwsCallFailed
from stratus.services.scope import Scope
from stratus.services.stacks.errors import StackValidationError
from stratus.services.stacks.model import Stack

__all__ = ["MAX_TEMPLATE_BODY_BYTES", "MAX_TEMPLATE_URL_BYTES", "StackRequest", "TemplateSources"]

#: CloudFormation's quotas: a template in the call, and one in S3.
MAX_TEMPLATE_BODY_BYTES = 51_200
MAX_TEMPLATE_URL_BYTES = 1_000_000


@dataclass(slots=True)
class StackRequest:
    """What CreateStack, UpdateStack and CreateChangeSet share."""

    name: str
    template_body: str | None = None
    template_url: str | None = None
    use_previous_template: bool = False
    parameters: dict[str, str] = dataclasses.field(default_factory=dict)
    use_previous: frozenset[str] = frozenset()
    capabilities: list[str] = dataclasses.field(default_factory=list)
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    disable_rollback: bool = False
    description: str = ""
    policy_body: str | None = None  # StackPolicyBody / StackPolicyURL
    policy_url: str | None = None
    during_update_body: str | None = None  # StackPolicyDuringUpdate{Body,URL}
    during_update_url: str | None = None


class TemplateSources:
    def __init__(self, caller: AwsCaller) -> None:
        self._caller = caller

    async def text(self, scope: Scope, request: StackRequest, current: Stack | None) -> str:
        """The template a request names: in the call, in S3, or the stack's current one."""
        if request.use_previous_template:
            if current is None:
                raise StackValidationError(
                    "UsePreviousTemplate can only be used when updating a stack"
                )
            return current.template_body
        if request.template_body is not None:
            if len(request.template_body.encode()) > MAX_TEMPLATE_BODY_BYTES:
                raise StackValidationError(
                    "1 validation error detected: Value at 'templateBody' failed to satisfy "
                    f"constraint: Member must have length less than or equal to {MAX_TEMPLATE_BODY_BYTES}"
                )
            return request.template_body
        if request.template_url is not None:
            text = await self.fetch(scope, request.template_url)
            if len(text.encode()) > MAX_TEMPLATE_URL_BYTES:
                raise StackValidationError("Template may not exceed 1000000 bytes in size.")
            return text
        raise StackValidationError("Either Template URL or Template Body must be specified.")

    async def parameter(self, scope: Scope, name: str) -> str:
        """An SSM parameter's value, for a stack parameter of an SSM type."""
        try:
            answer = await self._caller.call(
                "ssm",
                "GetParameter",
                {"Name": name, "WithDecryption": False},
                account_id=scope.account,
                region=scope.region,
            )
        except AwsCallFailed as exc:
            raise StackValidationError(
                f"Unable to fetch parameters [{name}] from parameter store for this account."
            ) from exc
        return str(answer["Parameter"]["Value"])

    async def fetch(self, scope: Scope, location: str) -> str:
        """A template or included document from our S3 (s3:// or an https URL to it)."""
        parts = urlsplit(location)
        if parts.scheme == "s3":
            bucket, key = parts.netloc, parts.path.lstrip("/")
        elif ".s3" in parts.netloc and not parts.netloc.startswith("s3"):
            bucket, key = parts.netloc.split(".s3", 1)[0], parts.path.lstrip("/")
        else:
            bucket, _, key = parts.path.lstrip("/").partition("/")
        try:
            answer = await self._caller.call(
                "s3",
                "GetObject",
                {"Bucket": bucket, "Key": unquote(key)},
                account_id=scope.account,
                region=scope.region,
            )
        except AwsCallFailed as exc:
            raise StackValidationError(
                f"S3 error: Unable to get object {location}: {exc.message}"
            ) from exc
        body = answer.get("Body", b"")
        return body.decode() if isinstance(body, (bytes, bytearray)) else str(body)
