"""What EventBridge and Scheduler acknowledged survives ``kill -9``: events published
while the server is killed reach their targets after the restart (every acknowledged
one, at least once), and a schedule due while the server was down fires once."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from pathlib import Path
from typing import Any

import botocore.exceptions

from tests.aws.events.conftest import name, new_queue, quiet
from tests.conftest import ROLE, ServerProcess

TARGETS = 5


def _drain(sqs: Any, url: str, want: set[str], timeout: float = 60.0) -> set[str]:
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while not want <= seen and time.monotonic() < deadline:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            seen.add(json.loads(message["Body"])["id"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return seen


def test_acknowledged_events_survive_kill_9(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    acknowledged: list[str] = []
    stop = threading.Event()
    try:
        events, sqs = first.client("events"), first.client("sqs")
        source = name("crash")
        events.put_rule(Name="crash", EventPattern=json.dumps({"source": [source]}))
        queues = [new_queue(sqs) for _ in range(TARGETS)]
        events.put_targets(
            Rule="crash", Targets=[{"Id": f"q{i}", "Arn": arn} for i, (_, arn) in enumerate(queues)]
        )

        def publish() -> None:
            client = first.client("events")
            batch = [{"Source": source, "DetailType": "t", "Detail": '{"n": 1}'}] * 10
            while not stop.is_set():
                try:
                    answer = client.put_events(Entries=batch)
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                    return  # the server is gone: this batch was never acknowledged
                acknowledged.extend(e["EventId"] for e in answer["Entries"])

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        first.kill()
        stop.set()
    publisher.join(10)
    assert len(acknowledged) >= 300
    second = ServerProcess(data).start()
    try:
        sqs = second.client("sqs")
        want = set(acknowledged)
        for url, _ in queues:
            got = _drain(sqs, url, want)
            assert not want - got, f"{len(want - got)} acknowledged events never arrived"
    finally:
        second.stop()


def test_schedule_due_while_down_fires_once_after_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    try:
        scheduler, sqs = first.client("scheduler"), first.client("sqs")
        url, arn = new_queue(sqs)
        moment = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
        scheduler.create_schedule(
            Name="while-down",
            ScheduleExpression=f"at({moment:%Y-%m-%dT%H:%M:%S})",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": arn, "RoleArn": ROLE, "Input": '{"id": "made-up"}'},
        )
        rule_events = first.client("events")
        rule_events.put_rule(Name="every-minute", ScheduleExpression="rate(1 minute)")
    finally:
        first.kill()
    time.sleep(max((moment - dt.datetime.now(dt.UTC)).total_seconds() + 1.5, 0))
    second = ServerProcess(data).start()
    try:
        sqs = second.client("sqs")
        assert _drain(sqs, url, {"made-up"}, timeout=20) == {"made-up"}
        assert quiet(sqs, url, 2)
        second.stop()
        third = ServerProcess(data).start()  # a second restart makes nothing up again
        try:
            assert quiet(third.client("sqs"), url, 3)
        finally:
            third.stop()
    finally:
        second.stop()


def test_archived_events_and_a_replay_survive_kill_9(tmp_path: Path) -> None:
    """Events acknowledged while the server is killed are in the archive after the
    restart; a replay killed while it runs resumes after the next restart and replays
    every one of them."""
    data = tmp_path / "data"
    first = ServerProcess(data).start()
    acknowledged: list[str] = []
    stop = threading.Event()
    source = name("archived")
    try:
        events = first.client("events")
        bus_arn = events.describe_event_bus()["Arn"]
        archive_arn = events.create_archive(ArchiveName="kept", EventSourceArn=bus_arn)[
            "ArchiveArn"
        ]

        def publish() -> None:
            client = first.client("events")
            batch = [{"Source": source, "DetailType": "t", "Detail": '{"n": 1}'}] * 10
            while not stop.is_set():
                try:
                    answer = client.put_events(Entries=batch)
                except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError):
                    return
                acknowledged.extend(e["EventId"] for e in answer["Entries"])

        publisher = threading.Thread(target=publish, daemon=True)
        publisher.start()
        deadline = time.monotonic() + 30
        while len(acknowledged) < 500 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        first.kill()
        stop.set()
    publisher.join(10)
    assert len(acknowledged) >= 500
    second = ServerProcess(data).start()
    try:
        events, sqs = second.client("events"), second.client("sqs")
        assert events.describe_archive(ArchiveName="kept")["EventCount"] >= len(acknowledged)
        events.put_rule(Name="replayed", EventPattern=json.dumps({"source": [source]}))
        url, queue_arn = new_queue(sqs)
        events.put_targets(Rule="replayed", Targets=[{"Id": "q", "Arn": queue_arn}])
        now = dt.datetime.now(dt.UTC)
        events.start_replay(
            ReplayName="again",
            EventSourceArn=archive_arn,
            Destination={"Arn": bus_arn},
            EventStartTime=now - dt.timedelta(hours=1),
            EventEndTime=now + dt.timedelta(hours=1),
        )
    finally:
        second.kill()  # the replay is cut short, or has just finished
    third = ServerProcess(data).start()
    try:
        events, sqs = third.client("events"), third.client("sqs")
        deadline = time.monotonic() + 30
        while events.describe_replay(ReplayName="again")["State"] != "COMPLETED":
            assert time.monotonic() < deadline, events.describe_replay(ReplayName="again")
            time.sleep(0.2)
        want = set(acknowledged)
        got = _drain(sqs, url, want)
        assert not want - got, f"{len(want - got)} archived events were never replayed"
    finally:
        third.stop()
