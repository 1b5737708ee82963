"""Step Functions' optimized SNS integration: ``arn:aws:states:::sns:publish`` and
``sns:publish.waitForTaskToken``.

Parameters are Publish's (``TopicArn``/``TargetArn``, ``Message`` — an object is sent as
its JSON text —, ``Subject``, ``MessageAttributes``, ``MessageGroupId`` ...). The result
is Publish's answer as the AWS SDK for Java v1 saw it: ``MessageId`` (and
``SequenceNumber``) plus ``SdkHttpMetadata``/``SdkResponseMetadata`` of the XML answer
SNS writes; errors are ``SNS.<Code>Exception`` with the SDK's cause text, as recorded on
AWS (``test_publish_base_error_topic_arn``, ``test_fifo_message_attribute``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from stratus.aws.sns.errors import error_rule
from stratus.services.scope import Scope
from stratus.services.topics.errors import TopicsError
from stratus.services.topics.publisher import Publisher, PublishRequest
from stratus.workflows.errors import StatesError
from stratus.workflows.integrations.arns import WAIT_FOR_TASK_TOKEN, parse_service_resource
from stratus.workflows.integrations.base import Submitted, TaskRequest
from stratus.workflows.integrations.metadata import http_date, sdk_metadata

__all__ = ["SnsPublishIntegration", "is_sns_publish"]

#: SNS error codes -> the AWS SDK for Java's exception class (its model's shape name).
_EXCEPTIONS = {
    "NotFound": "NotFoundException",
    "InvalidParameter": "InvalidParameterException",
    "ParameterValueInvalid": "InvalidParameterValueException",
    "AuthorizationError": "AuthorizationErrorException",
}
_XML = (
    '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">\n'
    "  <PublishResult>\n"
    "    <MessageId>{message_id}</MessageId>\n{sequence}"
    "  </PublishResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>{request_id}</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</PublishResponse>\n"
)


def is_sns_publish(resource: str) -> bool:
    parsed = parse_service_resource(resource)
    return (
        parsed is not None
        and parsed.service == "sns"
        and parsed.action == "publish"
        and parsed.pattern in ("", WAIT_FOR_TASK_TOKEN)
    )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


class SnsPublishIntegration:
    def __init__(self, publisher: Publisher) -> None:
        self._publisher = publisher

    async def __call__(self, request: TaskRequest) -> Any:
        params = request.input if isinstance(request.input, dict) else {}
        scope = Scope.of_arn(request.execution_arn) or Scope()
        request_id = str(uuid.uuid4())
        try:
            published = await self._publisher.publish(
                scope,
                PublishRequest(
                    message=_text(params.get("Message", "")),
                    topic_arn=params.get("TopicArn"),
                    target_arn=params.get("TargetArn"),
                    phone_number=params.get("PhoneNumber"),
                    subject=params.get("Subject"),
                    structure=params.get("MessageStructure"),
                    attributes=params.get("MessageAttributes"),
                    group_id=params.get("MessageGroupId"),
                    deduplication_id=params.get("MessageDeduplicationId"),
                ),
            )
        except TopicsError as error:
            rule = error_rule(error)
            status = rule.status or 400
            name = _EXCEPTIONS.get(rule.code, f"{rule.code}Exception")
            raise StatesError(
                f"SNS.{name}",
                f"{error.message} (Service: AmazonSNS; Status Code: {status}; Error Code: "
                f"{rule.code}; Request ID: {request_id}; Proxy: null)",
            ) from error
        sequence = (
            f"    <SequenceNumber>{published.sequence_number}</SequenceNumber>\n"
            if published.sequence_number
            else ""
        )
        body = _XML.format(
            message_id=published.message_id, sequence=sequence, request_id=request_id
        )
        headers = [
            ("x-amzn-RequestId", request_id),
            ("connection", "keep-alive"),
            ("Content-Length", str(len(body.encode()))),
            ("Date", http_date()),
            ("Content-Type", "text/xml"),
        ]
        result: dict[str, Any] = {"MessageId": published.message_id}
        if published.sequence_number:
            result["SequenceNumber"] = published.sequence_number
        result.update(sdk_metadata(200, headers, request_id))
        if request.resource.endswith(f".{WAIT_FOR_TASK_TOKEN}"):
            return Submitted(result)  # TaskSubmitted shows SNS's answer; the token decides
        return result
