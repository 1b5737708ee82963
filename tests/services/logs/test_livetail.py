"""Live Tail sessions' own rules, on the service alone: which streams a session takes,
the 500-event updates (sampled beyond), the 5,000 events kept for a slow client, the
15 sessions of an account."""

from __future__ import annotations

import pytest

from stratus.services.logs.errors import LimitExceeded
from stratus.services.logs.livetail import MAX_SESSIONS, LiveTails
from stratus.services.logs.patterns import compile_pattern
from stratus.services.logs.repository import StoredLogEvent
from stratus.services.scope import Scope

SCOPE = Scope("000000000000", "us-east-1")


def _events(stream: str, messages: list[str]) -> list[StoredLogEvent]:
    return [
        StoredLogEvent(i + 1, "/g", stream, 1000 + i, m, 2000 + i) for i, m in enumerate(messages)
    ]


def test_streams_and_pattern_choose_the_events() -> None:
    tails = LiveTails()
    by_name = tails.open(SCOPE, {"/g": "/g"}, ["a"], [], compile_pattern(""))
    by_prefix = tails.open(SCOPE, {"/g": "arn-of-g"}, [], ["we"], compile_pattern("ERROR"))
    tails.offer(SCOPE, "/g", "a", _events("a", ["ERROR one", "two"]))
    tails.offer(SCOPE, "/g", "web", _events("web", ["ERROR three", "four"]))
    tails.offer(SCOPE, "/other", "a", _events("a", ["not tailed"]))
    assert [e.message for e in by_name.take()[0]] == ["ERROR one", "two"]
    taken, sampled = by_prefix.take()
    assert [(e.group, e.stream, e.message) for e in taken] == [("arn-of-g", "web", "ERROR three")]
    assert not sampled
    assert by_name.take() == ([], False)  # taken once


def test_updates_are_sampled_to_500_and_a_slow_client_keeps_5000() -> None:
    tails = LiveTails()
    session = tails.open(SCOPE, {"/g": "/g"}, [], [], compile_pattern(""))
    tails.offer(SCOPE, "/g", "s", _events("s", [f"{i:05d}" for i in range(6000)]))
    taken, sampled = session.take()
    assert sampled and len(taken) == 500
    messages = [e.message for e in taken]
    assert messages == sorted(messages) and messages[0] >= "01000"  # the oldest 1,000 dropped


def test_sessions_per_account_and_closing() -> None:
    tails = LiveTails()
    changes: list[int] = []
    tails.on_change.append(lambda: changes.append(len(tails.tailed())))
    sessions = [
        tails.open(SCOPE, {"/g": "/g"}, [], [], compile_pattern("")) for _ in range(MAX_SESSIONS)
    ]
    with pytest.raises(LimitExceeded):
        tails.check(SCOPE)
    tails.check(Scope("111122223333", "us-east-1"))  # another account's count is its own
    for session in sessions:
        tails.close(session)
    tails.check(SCOPE)
    assert tails.tailed() == [] and changes[-1] == 0
