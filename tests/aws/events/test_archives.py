"""Archives and replays through boto3 against a real server: what an archive keeps,
replays to the bus's rules with ``replay-name``, states, and AWS's refusals."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent

from tests.aws.events.conftest import aws_error, name, new_queue, quiet, receive
from tests.conftest import CONFORMANCE


def _bus(events: Any) -> tuple[str, str]:
    bus = name("bus")
    arn = events.create_event_bus(Name=bus)["EventBusArn"]
    return bus, arn


def _put(events: Any, bus: str, source: str, details: list[dict[str, Any]]) -> list[str]:
    entries = [
        {"Source": source, "DetailType": "t", "Detail": json.dumps(d), "EventBusName": bus}
        for d in details
    ]
    ids: list[str] = []
    for first in range(0, len(entries), 10):
        answer = events.put_events(Entries=entries[first : first + 10])
        assert answer["FailedEntryCount"] == 0, answer
        ids.extend(e["EventId"] for e in answer["Entries"])
    return ids


def _wait_replay(events: Any, replay: str, timeout: float = 20.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = events.describe_replay(ReplayName=replay)
        if found["State"] in ("COMPLETED", "CANCELLED", "FAILED"):
            return dict(found)
        time.sleep(0.1)
    raise AssertionError(f"replay {replay} did not end: {found}")


def _window() -> dict[str, dt.datetime]:
    now = dt.datetime.now(dt.UTC)
    return {
        "EventStartTime": now - dt.timedelta(minutes=5),
        "EventEndTime": now + dt.timedelta(minutes=5),
    }


def test_archive_keeps_matching_events_with_count_and_size(events: Any) -> None:
    bus, bus_arn = _bus(events)
    archive = name("a")
    created = events.create_archive(
        ArchiveName=archive,
        EventSourceArn=bus_arn,
        EventPattern=json.dumps({"detail": {"keep": [True]}}),
        RetentionDays=3,
        Description="orders",
    )
    assert created["State"] == "ENABLED"
    assert created["ArchiveArn"] == f"arn:aws:events:us-east-1:000000000000:archive/{archive}"
    _put(events, bus, "app", [{"keep": True, "n": 1}, {"keep": False}, {"keep": True, "n": 2}])
    found = events.describe_archive(ArchiveName=archive)
    assert found["EventCount"] == 2
    assert found["SizeBytes"] > 100
    assert found["EventSourceArn"] == bus_arn
    assert found["RetentionDays"] == 3
    assert found["Description"] == "orders"
    assert json.loads(found["EventPattern"]) == {"detail": {"keep": [True]}}
    listed = events.list_archives(EventSourceArn=bus_arn)["Archives"]
    assert [(a["ArchiveName"], a["EventCount"]) for a in listed] == [(archive, 2)]

    events.update_archive(ArchiveName=archive, RetentionDays=0, EventPattern="")
    _put(events, bus, "app", [{"keep": False}])
    updated = events.describe_archive(ArchiveName=archive)
    assert updated["EventCount"] == 3 and updated["RetentionDays"] == 0
    assert "EventPattern" not in updated

    events.delete_archive(ArchiveName=archive)
    assert aws_error(lambda: events.describe_archive(ArchiveName=archive)) == (
        "ResourceNotFoundException",
        f"Archive {archive} does not exist.",
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("missing-bus", ("ResourceNotFoundException", "Event bus nope-{n} does not exist.")),
        ("bad-pattern", ("InvalidEventPatternException", None)),
        ("duplicate", ("ResourceAlreadyExistsException", "Archive {a} already exists.")),
        ("too-long", ("ValidationException", None)),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_create_archive_refusals(events: Any, case: str, expected: tuple[str, str | None]) -> None:
    _, bus_arn = _bus(events)
    archive = name("a")
    n = name("x")
    params: dict[str, Any] = {"ArchiveName": archive, "EventSourceArn": bus_arn}
    if case == "missing-bus":
        params["EventSourceArn"] = f"arn:aws:events:us-east-1:000000000000:event-bus/nope-{n}"
    elif case == "bad-pattern":
        params["EventPattern"] = '{"source": "not-a-list"}'
    elif case == "duplicate":
        events.create_archive(**params)
    elif case == "too-long":
        params["ArchiveName"] = "a" * 49
    code, message = aws_error(lambda: events.create_archive(**params))
    assert code == expected[0]
    if expected[1]:
        assert message == expected[1].format(n=n, a=archive)
    if case != "duplicate":
        names = [a["ArchiveName"] for a in events.list_archives(EventSourceArn=bus_arn)["Archives"]]
        assert names == []  # nothing stored


def test_list_archives_takes_one_filter(events: Any) -> None:
    assert aws_error(lambda: events.list_archives(NamePrefix="a", State="ENABLED")) == (
        "ValidationException",
        "At most one filter is allowed for ListArchives. "
        "Use either : State, EventSourceArn, or NamePrefix.",
    )


def test_replay_sends_archived_events_to_rules_with_replay_name(events: Any, sqs: Any) -> None:
    bus, bus_arn = _bus(events)
    source = name("app")
    archive_arn = events.create_archive(ArchiveName=name("a"), EventSourceArn=bus_arn)["ArchiveArn"]
    ids = _put(events, bus, source, [{"n": i} for i in range(130)])  # two replay batches
    # A rule made after the events were published: a replay reaches it.
    rule = name("r")
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source]}))
    url, queue_arn = new_queue(sqs)
    events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    replay = name("replay")
    started = events.start_replay(
        ReplayName=replay,
        EventSourceArn=archive_arn,
        Destination={"Arn": bus_arn},
        Description="again",
        **_window(),
    )
    assert started["State"] == "STARTING"
    assert started["ReplayArn"] == f"arn:aws:events:us-east-1:000000000000:replay/{replay}"
    done = _wait_replay(events, replay)
    assert done["State"] == "COMPLETED"
    assert done["EventSourceArn"] == archive_arn
    assert done["Destination"] == {"Arn": bus_arn}
    assert done["Description"] == "again"
    assert done["ReplayEndTime"] >= done["ReplayStartTime"]
    assert "EventLastReplayedTime" in done
    got = receive(sqs, url, count=130)
    assert sorted(e["id"] for e in got) == sorted(ids)
    assert {e["replay-name"] for e in got} == {replay}
    assert EventBridgeEvent(got[0]).replay_name == replay
    # AWS's sample of a replayed event (Powertools' test data): the same keys, in order.
    sample = CONFORMANCE / "events" / "powertools" / "eventBridgeEvent.json"
    if sample.exists():
        assert list(got[0]) == list(json.loads(sample.read_text()))
    else:
        assert list(got[0])[-1] == "replay-name"
    assert quiet(sqs, url, 1)
    # Replayed events are not archived again.
    assert events.describe_archive(ArchiveName=archive_arn.rsplit("/", 1)[1])["EventCount"] == 130
    listed = events.list_replays(NamePrefix=replay)["Replays"]
    assert [(r["ReplayName"], r["State"]) for r in listed] == [(replay, "COMPLETED")]
    assert aws_error(lambda: events.cancel_replay(ReplayName=replay)) == (
        "IllegalStatusException",
        f"Replay {replay} is not in a valid state for this operation.",
    )


def test_replay_window_and_filter_arns(events: Any, sqs: Any) -> None:
    bus, bus_arn = _bus(events)
    source = name("app")
    archive_arn = events.create_archive(ArchiveName=name("a"), EventSourceArn=bus_arn)["ArchiveArn"]
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    events.put_events(
        Entries=[
            {
                "Source": source,
                "DetailType": "t",
                "Detail": '{"old": true}',
                "EventBusName": bus,
                "Time": old,
            }
        ]
    )
    _put(events, bus, source, [{"old": False}])
    rules = []
    for _ in range(2):
        rule = name("r")
        arn = events.put_rule(
            Name=rule, EventBusName=bus, EventPattern=json.dumps({"source": [source]})
        )["RuleArn"]
        url, queue_arn = new_queue(sqs)
        events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
        rules.append((arn, url))
    replay = name("replay")
    events.start_replay(
        ReplayName=replay,
        EventSourceArn=archive_arn,
        Destination={"Arn": bus_arn, "FilterArns": [rules[0][0]]},
        **_window(),
    )
    assert _wait_replay(events, replay)["State"] == "COMPLETED"
    [only] = receive(sqs, rules[0][1], count=1)
    assert only["detail"] == {"old": False}  # the 2020 event is outside the window
    assert quiet(sqs, rules[0][1], 1)
    assert quiet(sqs, rules[1][1], 1)  # not among FilterArns


def test_start_replay_refusals(events: Any) -> None:
    _, bus_arn = _bus(events)
    _, other_arn = _bus(events)
    archive = name("a")
    archive_arn = events.create_archive(ArchiveName=archive, EventSourceArn=bus_arn)["ArchiveArn"]
    window = _window()

    def start(**change: Any) -> tuple[str, str]:
        params: dict[str, Any] = {
            "ReplayName": name("replay"),
            "EventSourceArn": archive_arn,
            "Destination": {"Arn": bus_arn},
            **window,
        }
        params.update(change)
        return aws_error(lambda: events.start_replay(**params))

    assert start(Destination={"Arn": other_arn}) == (
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.",
    )
    assert start(Destination={"Arn": "arn:aws:sqs:us-east-1:000000000000:q"}) == (
        "ValidationException",
        "Parameter Destination.Arn is not valid. Reason: Must contain an event bus ARN.",
    )
    missing = archive_arn + "-gone"
    assert start(EventSourceArn=missing) == (
        "ValidationException",
        f"Parameter EventSourceArn is not valid. Reason: Archive {archive}-gone does not exist.",
    )
    assert start(EventStartTime=window["EventEndTime"], EventEndTime=window["EventStartTime"]) == (
        "ValidationException",
        "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.",
    )
    events.start_replay(
        ReplayName="dup-" + archive,
        EventSourceArn=archive_arn,
        Destination={"Arn": bus_arn},
        **window,
    )
    assert start(ReplayName="dup-" + archive) == (
        "ResourceAlreadyExistsException",
        f"Replay dup-{archive} already exists.",
    )
    assert aws_error(lambda: events.describe_replay(ReplayName="never-" + archive)) == (
        "ResourceNotFoundException",
        f"Replay never-{archive} does not exist.",
    )
    assert aws_error(lambda: events.list_replays(NamePrefix="x", State="RUNNING"))[1] == (
        "At most one filter is allowed for ListReplays. "
        "Use either : State, EventSourceArn, or NamePrefix."
    )
    replays = events.list_replays(EventSourceArn=archive_arn)["Replays"]
    assert [r["ReplayName"] for r in replays] == ["dup-" + archive]  # refusals stored nothing
