"""PutLogEvents' rules for one batch (API reference, PutLogEvents), as a pure check:
which events are stored, which are rejected and reported, and which batches fail.

- at most 1,048,576 bytes: the messages in UTF-8 plus 26 bytes per event;
- one event at most 1 MB (256 KB before 2025), within the batch's bound anyway;
- in chronological order, else the whole batch fails;
- events more than 14 days old (or older than the group's retention) and more than 2
  hours in the future are rejected, reported in ``rejectedLogEventsInfo``, the rest
  stored; the events kept may not span more than 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stratus.services.logs.errors import InvalidParameter

MAX_BATCH_BYTES = 1_048_576
EVENT_OVERHEAD = 26
MAX_EVENT_BYTES = 1_048_576 - EVENT_OVERHEAD
TOO_OLD_MS = 14 * 86_400_000
TOO_NEW_MS = 2 * 3_600_000
MAX_SPAN_MS = 24 * 3_600_000


@dataclass(slots=True)
class Accepted:
    events: list[tuple[int, str]]
    bytes: int
    rejected: dict[str, int] = field(default_factory=dict)


def check_batch(
    events: list[tuple[int, str]], now_ms: int, retention_start: int | None
) -> Accepted:
    """The events to store (``(timestamp, message)``, in order) and the report of those
    rejected; InvalidParameter when the batch as a whole is refused."""
    size = 0
    previous = None
    for timestamp, message in events:
        encoded = len(message.encode("utf-8", "surrogatepass"))
        if encoded > MAX_EVENT_BYTES:
            raise InvalidParameter(
                f"Log event too large: {encoded} bytes exceeds limit of {MAX_EVENT_BYTES}"
            )
        size += encoded + EVENT_OVERHEAD
        if previous is not None and timestamp < previous:
            raise InvalidParameter(
                "Log events in a single PutLogEvents request must be in chronological order."
            )
        previous = timestamp
    if size > MAX_BATCH_BYTES:
        raise InvalidParameter(f"Upload too large: {size} bytes exceeds limit of {MAX_BATCH_BYTES}")
    too_old = now_ms - TOO_OLD_MS
    too_new = now_ms + TOO_NEW_MS
    # Chronological: the too old come first, then the expired, the too new last.
    old_end = next((i for i, (ts, _) in enumerate(events) if ts >= too_old), len(events))
    expired_end = old_end
    if retention_start is not None:
        expired_end = next(
            (i for i, (ts, _) in enumerate(events) if ts >= max(retention_start, too_old)),
            len(events),
        )
    new_start = next((i for i, (ts, _) in enumerate(events) if ts > too_new), len(events))
    new_start = max(new_start, expired_end)
    rejected: dict[str, int] = {}
    if old_end:
        rejected["tooOldLogEventEndIndex"] = old_end
    if expired_end > old_end:
        rejected["expiredLogEventEndIndex"] = expired_end
    if new_start < len(events):
        rejected["tooNewLogEventStartIndex"] = new_start
    kept = events[max(old_end, expired_end) : new_start]
    if kept and kept[-1][0] - kept[0][0] > MAX_SPAN_MS:
        raise InvalidParameter(
            "The batch of log events in a single PutLogEvents request cannot span more "
            "than 24 hours."
        )
    kept_bytes = sum(len(m.encode("utf-8", "surrogatepass")) for _, m in kept)
    return Accepted(kept, kept_bytes, rejected)
