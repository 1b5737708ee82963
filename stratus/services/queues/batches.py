"""The rules every batch request (SendMessageBatch, DeleteMessageBatch,
ChangeMessageVisibilityBatch) shares: 1 to 10 entries, distinct well-formed ids, and for
sends a total size within the message size limit."""

from __future__ import annotations

import re
from collections.abc import Sequence

from stratus.services.queues.attributes import MAX_MESSAGE_SIZE
from stratus.services.queues.errors import (
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidBatchEntryId,
    TooManyEntriesInBatchRequest,
)

__all__ = ["MAX_ENTRIES", "check_batch", "check_batch_size"]

MAX_ENTRIES = 10
_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")


def check_batch(operation: str, ids: Sequence[str]) -> None:
    if not ids:
        raise EmptyBatchRequest(
            f"There should be at least one {operation}RequestEntry in the request."
        )
    if len(ids) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest(
            f"Maximum number of entries per request are {MAX_ENTRIES}. You have sent {len(ids)}."
        )
    seen: set[str] = set()
    for entry_id in ids:
        if not _ID.fullmatch(entry_id):
            raise InvalidBatchEntryId(
                "A batch entry id can only contain alphanumeric characters, hyphens and "
                "underscores. It can be at most 80 letters long."
            )
        if entry_id in seen:
            raise BatchEntryIdsNotDistinct(f"Id {entry_id} repeated.")
        seen.add(entry_id)


def check_batch_size(total: int) -> None:
    if total > MAX_MESSAGE_SIZE:
        raise BatchRequestTooLong(
            f"Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent "
            f"{total} bytes."
        )
