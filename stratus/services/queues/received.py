"""What a receive hands out: the attributes it asked for, stored attribute values, and
receipt handles.

A receipt handle names the queue, the message and which receive issued it (the receive
count), so only the newest handle of a message deletes it and a handle still works after
a restart; the rest of it is noise, as AWS's handles look.
"""

from __future__ import annotations

import base64
import binascii
import random
from collections.abc import Iterable
from typing import Any

from stratus.services.queues.errors import ReceiptHandleIsInvalid
from stratus.services.queues.model import MessageAttributeValue, MessageMeta
from stratus.services.queues.queue import Queue

__all__ = [
    "AttributeFilter",
    "attributes_json",
    "attributes_of_json",
    "decode_handle",
    "receipt_handle",
]


class AttributeFilter:
    """Which system and message attributes a receive asked for."""

    def __init__(self, system: Iterable[str], message: Iterable[str]) -> None:
        wanted = set(system)
        self.all_system = "All" in wanted
        self.system_names = wanted
        names = list(message)
        self.all_message = any(n in ("All", ".*") for n in names)
        self.exact = {n for n in names if not n.endswith(".*")}
        self.prefixes = tuple(n[:-1] for n in names if n.endswith(".*") and n != ".*")

    def system(self, queue: Queue, meta: MessageMeta, stored: dict[str, Any]) -> dict[str, str]:
        if not self.all_system and not self.system_names:
            return {}
        values: dict[str, str] = {
            "SenderId": str(stored.get("SenderId", "")),
            "SentTimestamp": str(meta.sent_ms),
            "ApproximateReceiveCount": str(meta.receive_count),
            "ApproximateFirstReceiveTimestamp": str(meta.first_receive_ms or meta.sent_ms),
        }
        if "AWSTraceHeader" in stored:
            values["AWSTraceHeader"] = str(stored["AWSTraceHeader"])
        if meta.dead_letter_source:
            values["DeadLetterQueueSourceArn"] = meta.dead_letter_source
        if queue.fifo:
            values["SequenceNumber"] = meta.sequence_number
            if meta.dedup_id is not None:
                values["MessageDeduplicationId"] = meta.dedup_id
        if meta.group_id is not None and (queue.fifo or meta.group_id):
            values["MessageGroupId"] = meta.group_id
        if self.all_system:
            return values
        return {k: v for k, v in values.items() if k in self.system_names}

    def message(self, values: dict[str, MessageAttributeValue]) -> dict[str, MessageAttributeValue]:
        if self.all_message:
            return values
        if not self.exact and not self.prefixes:
            return {}
        return {
            name: value
            for name, value in values.items()
            if name in self.exact or name.startswith(self.prefixes)
        }


def attributes_json(values: dict[str, MessageAttributeValue]) -> dict[str, Any] | None:
    if not values:
        return None
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value.binary_value is not None:
            out[name] = [value.data_type, None, base64.b64encode(value.binary_value).decode()]
        else:
            out[name] = [value.data_type, value.string_value, None]
    return out


def attributes_of_json(stored: dict[str, Any]) -> dict[str, MessageAttributeValue]:
    return {
        name: MessageAttributeValue(
            data_type, string, base64.b64decode(binary) if binary is not None else None
        )
        for name, (data_type, string, binary) in stored.items()
    }


def receipt_handle(queue_id: int, meta: MessageMeta) -> str:
    """Opaque to clients; names the queue, the message and which receive issued it."""
    nonce = random.getrandbits(96)  # looks: the receive count is what is checked
    raw = f"{queue_id}:{meta.seq}:{meta.receive_count}:{meta.message_id}:{nonce:024x}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_handle(handle: str, queue: Queue) -> tuple[int, int]:
    """(seq, receive count) of a handle this queue issued; else ReceiptHandleIsInvalid."""
    try:
        raw = base64.urlsafe_b64decode(handle.encode("ascii")).decode("ascii")
        queue_id, seq, count, _message_id, _nonce = raw.split(":")
        if int(queue_id) == queue.id:
            return int(seq), int(count)
    except (ValueError, binascii.Error, UnicodeError):
        pass
    raise ReceiptHandleIsInvalid(
        f'The input receipt handle "{handle}" is not a valid receipt handle.'
    )
