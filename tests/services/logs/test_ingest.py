"""PutLogEvents' batch rules as a pure check (API reference, PutLogEvents)."""

from __future__ import annotations

import pytest

from stratus.services.logs.errors import InvalidParameter
from stratus.services.logs.ingest import check_batch

NOW = 1_800_000_000_000
DAY = 86_400_000
HOUR = 3_600_000


def test_all_fresh_events_are_kept() -> None:
    accepted = check_batch([(NOW, "a"), (NOW + 1, "bb")], NOW, None)
    assert accepted.events == [(NOW, "a"), (NOW + 1, "bb")]
    assert accepted.bytes == 3 and accepted.rejected == {}


def test_too_old_expired_and_too_new_are_reported() -> None:
    events = [
        (NOW - 15 * DAY, "too old"),
        (NOW - 3 * DAY, "expired"),
        (NOW, "kept"),
        (NOW + 3 * HOUR, "too new"),
    ]
    accepted = check_batch(events, NOW, NOW - 1 * DAY)
    assert accepted.events == [(NOW, "kept")]
    assert accepted.rejected == {
        "tooOldLogEventEndIndex": 1,
        "expiredLogEventEndIndex": 2,
        "tooNewLogEventStartIndex": 3,
    }


def test_everything_rejected_stores_nothing() -> None:
    accepted = check_batch([(NOW + 3 * HOUR, "x")], NOW, None)
    assert accepted.events == [] and accepted.rejected == {"tooNewLogEventStartIndex": 0}


def test_the_byte_bound_counts_26_per_event() -> None:
    check_batch([(NOW, "x" * (1_048_576 - 26))], NOW, None)
    with pytest.raises(InvalidParameter, match="Upload too large"):
        check_batch([(NOW, "x" * 500_000), (NOW, "x" * (548_576 - 52 + 1))], NOW, None)
    # Multi-byte characters count in UTF-8.
    with pytest.raises(InvalidParameter):
        check_batch([(NOW, "é" * 524_276)], NOW, None)


def test_order_and_span() -> None:
    with pytest.raises(InvalidParameter, match="chronological order"):
        check_batch([(NOW, "b"), (NOW - 1, "a")], NOW, None)
    with pytest.raises(InvalidParameter, match="24 hours"):
        check_batch([(NOW - 25 * HOUR, "a"), (NOW, "b")], NOW, None)
    # The span counts the events kept: a too-old event does not widen it.
    accepted = check_batch([(NOW - 20 * DAY, "a"), (NOW, "b")], NOW, None)
    assert accepted.events == [(NOW, "b")]
