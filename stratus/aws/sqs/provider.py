"""The SQS API over the queue service: parsed parameters in, the model's output shapes out.

Thin by design: each method resolves the queue (from its URL, in the caller's account and
region), converts the wire shapes to the service's records and back, and leaves every rule
to the service. Queue URLs are ``http://{host}/{account}/{name}`` with the host the client
called, so the URL works for whoever asked for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.sqs.errors import SQS_ERRORS, entry_code
from stratus.aws.sqs.move_tasks import MoveTaskOperations
from stratus.services.queues import errors as qe
from stratus.services.queues.attributes import KNOWN
from stratus.services.queues.batches import check_batch, check_batch_size
from stratus.services.queues.messages import message_size, new_message
from stratus.services.queues.model import MessageAttributeValue, NewMessage, QueueKey
from stratus.services.queues.names import key_of_url, queue_url
from stratus.services.queues.queue import Queue
from stratus.services.queues.service import QueueService, SendResult

__all__ = ["SqsProvider"]

Params = dict[str, Any]
Result = dict[str, Any]


class SqsProvider(MoveTaskOperations):
    errors = SQS_ERRORS

    def __init__(self, service: QueueService, endpoint_url: str) -> None:
        super().__init__(service)
        self._service = service
        self._registry = service.registry
        self._endpoint = endpoint_url

    # -- helpers -------------------------------------------------------------------------
    def _key(self, ctx: RequestContext, params: Params) -> QueueKey:
        """The queue of the URL, if the caller may use it (its own, or granted by policy)."""
        return self._queue(ctx, params).key

    def _queue(self, ctx: RequestContext, params: Params) -> Queue:
        key = key_of_url(params["QueueUrl"], ctx.scope)
        return self._registry.get_for(key, ctx.account_id)

    def _url(self, ctx: RequestContext, key: QueueKey) -> str:
        host = ctx.request.headers.get("host")
        return queue_url(f"http://{host}" if host else self._endpoint, key)

    # -- queues ----------------------------------------------------------------------------
    async def create_queue(self, ctx: RequestContext, params: Params) -> Result:
        key = QueueKey(ctx.account_id, ctx.region, params["QueueName"])
        queue = await self._registry.create(
            key, params.get("Attributes") or {}, params.get("tags") or {}
        )
        return {"QueueUrl": self._url(ctx, queue.key)}

    async def get_queue_url(self, ctx: RequestContext, params: Params) -> Result:
        account = params.get("QueueOwnerAWSAccountId") or ctx.account_id
        queue = self._registry.get_for(
            QueueKey(account, ctx.region, params["QueueName"]), ctx.account_id
        )
        return {"QueueUrl": self._url(ctx, queue.key)}

    async def list_queues(self, ctx: RequestContext, params: Params) -> Result:
        queues = self._registry.in_scope(ctx.scope, params.get("QueueNamePrefix") or "")
        limit = params.get("MaxResults")
        token = params.get("NextToken")
        if token:
            queues = [q for q in queues if q.key.name > token]
        if limit is None:
            urls = [self._url(ctx, q.key) for q in queues[:1000]]
            return {"QueueUrls": urls} if urls else {}  # AWS omits an empty list
        if not 1 <= limit <= 1000:
            raise qe.InvalidParameterValue(
                f"Value {limit} for parameter MaxResults is invalid. Reason: MaxResults must be "
                "an integer between 1 and 1000."
            )
        page = queues[:limit]
        result: Result = {"QueueUrls": [self._url(ctx, q.key) for q in page]} if page else {}
        if len(queues) > limit:
            result["NextToken"] = page[-1].key.name
        return result

    async def delete_queue(self, ctx: RequestContext, params: Params) -> Result:
        await self._service.remove_queue(self._key(ctx, params))
        return {}

    async def get_queue_attributes(self, ctx: RequestContext, params: Params) -> Result:
        queue = self._queue(ctx, params)
        names = params.get("AttributeNames") or []
        for name in names:
            if name not in KNOWN:
                raise qe.InvalidAttributeName(f"Unknown Attribute {name}.")
        if not names:
            return {}
        values = self.attributes_of(queue)
        if "All" in names:
            return {"Attributes": values}
        return {"Attributes": {n: values[n] for n in names if n in values}}

    def attributes_of(self, queue: Queue) -> dict[str, str]:
        counts = queue.index.counts(self._service.now_ms())
        values = dict(queue.config.values)
        values.update(
            {
                "QueueArn": queue.arn,
                "ApproximateNumberOfMessages": str(counts.visible),
                "ApproximateNumberOfMessagesNotVisible": str(counts.in_flight),
                "ApproximateNumberOfMessagesDelayed": str(counts.delayed),
                "CreatedTimestamp": str(queue.created_s),
                "LastModifiedTimestamp": str(queue.modified_s),
            }
        )
        return {k: v for k, v in values.items() if v != ""}

    async def set_queue_attributes(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.set_attributes(self._queue(ctx, params), params["Attributes"])
        return {}

    async def purge_queue(self, ctx: RequestContext, params: Params) -> Result:
        await self._service.purge(self._key(ctx, params))
        return {}

    async def list_dead_letter_source_queues(self, ctx: RequestContext, params: Params) -> Result:
        queue = self._queue(ctx, params)
        sources = self._registry.dead_letter_sources(queue)
        token = params.get("NextToken")
        if token:
            sources = [q for q in sources if q.key.name > token]
        limit = params.get("MaxResults")
        result: Result = {}
        if limit is not None and len(sources) > limit:
            sources = sources[:limit]
            result["NextToken"] = sources[-1].key.name
        result["queueUrls"] = [self._url(ctx, q.key) for q in sources]
        return result

    # -- tags and permissions -------------------------------------------------------------------
    async def tag_queue(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.tag(self._queue(ctx, params), params["Tags"])
        return {}

    async def untag_queue(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.untag(self._queue(ctx, params), params["TagKeys"])
        return {}

    async def list_queue_tags(self, ctx: RequestContext, params: Params) -> Result:
        tags = self._queue(ctx, params).tags
        return {"Tags": dict(tags)} if tags else {}

    async def add_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.add_permission(
            self._queue(ctx, params), params["Label"], params["AWSAccountIds"], params["Actions"]
        )
        return {}

    async def remove_permission(self, ctx: RequestContext, params: Params) -> Result:
        await self._registry.remove_permission(self._queue(ctx, params), params["Label"])
        return {}

    # -- send ----------------------------------------------------------------------------------
    async def send_message(self, ctx: RequestContext, params: Params) -> Result:
        key = self._key(ctx, params)
        (outcome,) = await self._service.send(key, [_new_message(params)], ctx.account_id)
        if isinstance(outcome, qe.QueueError):
            raise outcome
        return _send_output(outcome)

    async def send_message_batch(self, ctx: RequestContext, params: Params) -> Result:
        key = self._key(ctx, params)
        entries: list[Params] = params.get("Entries") or []
        check_batch("SendMessageBatch", [e["Id"] for e in entries])
        messages = [_new_message(entry) for entry in entries]
        check_batch_size(sum(message_size(m.body, m.attributes) for m in messages))
        outcomes = await self._service.send(key, messages, ctx.account_id)
        successful: list[Result] = []
        failed: list[Result] = []
        for entry, outcome in zip(entries, outcomes, strict=True):
            if isinstance(outcome, qe.QueueError):
                failed.append(_failure(entry["Id"], outcome))
            else:
                successful.append({"Id": entry["Id"], **_send_output(outcome)})
        return {"Successful": successful, "Failed": failed}

    # -- receive -------------------------------------------------------------------------------
    async def receive_message(self, ctx: RequestContext, params: Params) -> Result:
        key = self._key(ctx, params)
        count = _ranged(params, "MaxNumberOfMessages", 1, 10, "Must be between 1 and 10")
        wait = _ranged(params, "WaitTimeSeconds", 0, 20, "Must be >= 0 and <= 20")
        timeout = _ranged(params, "VisibilityTimeout", 0, 43_200, "Must be between 0 and 43200")
        names = [
            *(params.get("AttributeNames") or []),
            *(params.get("MessageSystemAttributeNames") or []),
        ]
        messages = await self._service.receive(
            key,
            count if count is not None else 1,
            visibility_timeout=timeout,
            wait_seconds=wait,
            attribute_names=names,
            message_attribute_names=params.get("MessageAttributeNames") or [],
        )
        if not messages:
            return {}
        out: list[Result] = []
        for message in messages:
            item: Result = {
                "MessageId": message.message_id,
                "ReceiptHandle": message.receipt_handle,
                "MD5OfBody": message.md5_of_body,
                "Body": message.body,
            }
            if message.attributes:
                item["Attributes"] = message.attributes
            if message.message_attributes:
                item["MD5OfMessageAttributes"] = message.md5_of_message_attributes
                item["MessageAttributes"] = {
                    name: _attribute_output(value)
                    for name, value in message.message_attributes.items()
                }
            out.append(item)
        return {"Messages": out}

    # -- delete and visibility -----------------------------------------------------------------
    async def delete_message(self, ctx: RequestContext, params: Params) -> Result:
        (error,) = await self._service.delete_messages(
            self._key(ctx, params), [params["ReceiptHandle"]]
        )
        if error is not None:
            raise error
        return {}

    async def delete_message_batch(self, ctx: RequestContext, params: Params) -> Result:
        key = self._key(ctx, params)
        entries: list[Params] = params.get("Entries") or []
        check_batch("DeleteMessageBatch", [e["Id"] for e in entries])
        errors = await self._service.delete_messages(key, [e["ReceiptHandle"] for e in entries])
        return _batch_output(entries, errors)

    async def change_message_visibility(self, ctx: RequestContext, params: Params) -> Result:
        (error,) = await self._service.change_visibility(
            self._key(ctx, params), [(params["ReceiptHandle"], params["VisibilityTimeout"])]
        )
        if error is not None:
            raise error
        return {}

    async def change_message_visibility_batch(self, ctx: RequestContext, params: Params) -> Result:
        key = self._key(ctx, params)
        entries: list[Params] = params.get("Entries") or []
        check_batch("ChangeMessageVisibilityBatch", [e["Id"] for e in entries])
        errors = await self._service.change_visibility(
            key, [(e["ReceiptHandle"], e.get("VisibilityTimeout") or 0) for e in entries]
        )
        return _batch_output(entries, errors)


# -- shapes ------------------------------------------------------------------------------------
def _ranged(params: Params, name: str, low: int, high: int, rule: str) -> int | None:
    value = params.get(name)
    if value is not None and not low <= value <= high:
        raise qe.InvalidParameterValue(
            f"Value {value} for parameter {name} is invalid. Reason: {rule}, if provided."
        )
    return value


def _attribute_value(shape: Mapping[str, Any]) -> MessageAttributeValue:
    if shape.get("StringListValues") or shape.get("BinaryListValues"):
        raise qe.InvalidParameterValue(
            "Message attribute list values in SendMessage operation are not supported."
        )
    return MessageAttributeValue(
        data_type=shape.get("DataType") or "",
        string_value=shape.get("StringValue"),
        binary_value=shape.get("BinaryValue"),
    )


def _new_message(params: Params) -> NewMessage:
    return new_message(
        params.get("MessageBody") or "",
        {k: _attribute_value(v) for k, v in (params.get("MessageAttributes") or {}).items()},
        {k: _attribute_value(v) for k, v in (params.get("MessageSystemAttributes") or {}).items()},
        delay_seconds=params.get("DelaySeconds"),
        group_id=params.get("MessageGroupId"),
        dedup_id=params.get("MessageDeduplicationId"),
    )


def _send_output(outcome: SendResult) -> Result:
    result: Result = {"MD5OfMessageBody": outcome.md5_of_body, "MessageId": outcome.message_id}
    if outcome.md5_of_attributes:
        result["MD5OfMessageAttributes"] = outcome.md5_of_attributes
    if outcome.md5_of_system_attributes:
        result["MD5OfMessageSystemAttributes"] = outcome.md5_of_system_attributes
    if outcome.sequence_number:
        result["SequenceNumber"] = outcome.sequence_number
    return result


def _attribute_output(value: MessageAttributeValue) -> Result:
    out: Result = {"DataType": value.data_type}
    if value.binary_value is not None:
        out["BinaryValue"] = value.binary_value
    else:
        out["StringValue"] = value.string_value
    return out


def _failure(entry_id: str, error: qe.QueueError) -> Result:
    return {
        "Id": entry_id,
        "SenderFault": True,
        "Code": entry_code(error),
        "Message": error.message,
    }


def _batch_output(entries: Sequence[Params], errors: Sequence[qe.QueueError | None]) -> Result:
    successful: list[Result] = []
    failed: list[Result] = []
    for entry, error in zip(entries, errors, strict=True):
        if error is None:
            successful.append({"Id": entry["Id"]})
        else:
            failed.append(_failure(entry["Id"], error))
    return {"Successful": successful, "Failed": failed}
