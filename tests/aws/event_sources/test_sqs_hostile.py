"""Hostile cases for SQS mappings: failing and hanging functions, big messages, the queue
or the function deleted under a mapping, and a server restart."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from tests.aws.event_sources.conftest import (
    RECORDER,
    bodies,
    events,
    make_queue,
    queue_counts,
    recorder,
    wait_empty,
    wait_state,
)
from tests.aws.lambda_.conftest import wait_for
from tests.conftest import ServerProcess, create_function


def _dlq(sqs: Any) -> tuple[str, str]:
    url, arn = make_queue(sqs)
    return url, arn


def test_an_always_failing_function_backs_off_and_messages_reach_the_dlq(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    dlq_url, dlq_arn = _dlq(sqs)
    url, arn = make_queue(
        sqs,
        VisibilityTimeout="1",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}),
    )
    name = recorder(lambda_client, tmp_path, mode="fail")
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message_batch(
        QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(3)]
    )
    wait_for(lambda: queue_counts(sqs, dlq_url)[0] == 3, timeout=30)
    wait_empty(sqs, url)
    assert sorted(set(bodies(tmp_path))) == ["m0", "m1", "m2"]
    mapping = lambda_client.get_event_source_mapping(UUID=made["UUID"])
    assert mapping["LastProcessingResult"] == "PROBLEM: Function call failed"
    assert mapping["State"] == "Enabled"


def test_a_failing_function_does_not_spin_on_an_always_visible_message(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    """With a visibility timeout of 0 a failed message is visible again at once: only the
    poller's backoff keeps it from being retried in a busy loop."""
    url, arn = make_queue(sqs, VisibilityTimeout="0")
    name = recorder(lambda_client, tmp_path, mode="fail")
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    wait_for(lambda: events(tmp_path), timeout=30)
    time.sleep(3)
    lambda_client.update_event_source_mapping(UUID=made["UUID"], Enabled=False)
    # Backoff of 0.25 s doubling (jittered down to half) allows at most ~8 tries in 3 s;
    # a busy loop would have made hundreds.
    assert len(events(tmp_path)) <= 12


TIMES_OUT = """
import json, os, time, uuid
def handler(event, context):
    record = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(record + ".part", "w") as f:
        json.dump(event, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
    time.sleep(30)
"""


def test_a_function_that_times_out_leaves_the_batch(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    dlq_url, dlq_arn = _dlq(sqs)
    url, arn = make_queue(
        sqs,
        VisibilityTimeout="2",
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1}),
    )
    name = create_function(
        lambda_client, TIMES_OUT, Timeout=1, Environment={"Variables": {"OUT": str(tmp_path)}}
    )
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="slow")
    wait_for(lambda: queue_counts(sqs, dlq_url)[0] == 1, timeout=30)
    assert bodies(tmp_path) == ["slow"]
    mapping = lambda_client.get_event_source_mapping(UUID=made["UUID"])
    assert mapping["LastProcessingResult"] == "PROBLEM: Function call failed"


def test_a_batch_of_ten_256_kib_messages(lambda_client: Any, sqs: Any, tmp_path: Path) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    sqs.send_message_batch(
        QueueUrl=url,
        Entries=[{"Id": str(i), "MessageBody": str(i) + "x" * (25 * 1024 - 1)} for i in range(10)],
    )
    big = [str(i) + "y" * (256 * 1024 - 1) for i in range(10)]
    for body in big:
        sqs.send_message(QueueUrl=url, MessageBody=body)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=20, MaximumBatchingWindowInSeconds=1
    )
    wait_empty(sqs, url)
    seen = bodies(tmp_path)
    assert len(seen) == 20
    assert sorted(b for b in seen if "y" in b) == sorted(big)


def test_a_queue_deleted_under_a_mapping_disables_it(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    url, arn = make_queue(sqs)
    name = recorder(lambda_client, tmp_path)
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    wait_state(lambda_client, made["UUID"], "Enabled")
    sqs.delete_queue(QueueUrl=url)
    mapping = wait_state(lambda_client, made["UUID"], "Disabled")
    assert mapping["StateTransitionReason"] == (
        "PROBLEM: The event source does not exist: Lambda disabled the mapping."
    )


def test_a_function_deleted_under_a_mapping_keeps_the_messages(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    url, arn = make_queue(sqs, VisibilityTimeout="1")
    name = recorder(lambda_client, tmp_path)
    made = lambda_client.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
    wait_state(lambda_client, made["UUID"], "Enabled")
    lambda_client.delete_function(FunctionName=name)
    sqs.send_message(QueueUrl=url, MessageBody="kept")

    def problem() -> bool:
        got = lambda_client.get_event_source_mapping(UUID=made["UUID"])
        return bool(got["LastProcessingResult"] == "PROBLEM: Function not found")

    wait_for(problem, timeout=30)
    assert sum(queue_counts(sqs, url)) == 1  # not lost
    # The same function again: the mapping (which names it by ARN) delivers.
    create_function(
        lambda_client, RECORDER, name=name, Environment={"Variables": {"OUT": str(tmp_path)}}
    )
    wait_empty(sqs, url)
    assert bodies(tmp_path) == ["kept"]


def test_a_restart_resumes_the_mapping(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    server = ServerProcess(tmp_path / "data").start()
    try:
        lam, sqs = server.client("lambda"), server.client("sqs")
        url, arn = make_queue(sqs)
        name = recorder(lam, out)
        made = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
        sqs.send_message(QueueUrl=url, MessageBody="first")
        wait_empty(sqs, url)
        server.stop()
        server.start()
        lam, sqs = server.client("lambda"), server.client("sqs")
        assert lam.get_event_source_mapping(UUID=made["UUID"])["State"] == "Enabled"
        sqs.send_message(QueueUrl=url, MessageBody="second")
        # A fresh server starts its zygote again: give the first cold start room.
        try:
            wait_empty(sqs, url, timeout=90)
        except BaseException:
            print(server.log())
            print(lam.get_event_source_mapping(UUID=made["UUID"]))
            print(queue_counts(sqs, url), bodies(out))
            raise
        assert bodies(out) == ["first", "second"], server.log()
    finally:
        server.stop()


SLOW_RECORDER = """
import json, os, time, uuid
def handler(event, context):
    record = os.path.join(os.environ["OUT"], uuid.uuid4().hex + ".json")
    with open(record + ".part", "w") as f:
        json.dump(event, f)
    os.replace(record + ".part", record)  # whole, never seen half-written
    time.sleep(5)
"""


def test_a_batch_in_flight_at_kill_9_is_delivered_after_restart(tmp_path: Path) -> None:
    """At least once: the server dies mid-invocation, the message was never deleted, so it
    becomes visible again and the resumed mapping delivers it."""
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o777)
    server = ServerProcess(tmp_path / "data").start()
    try:
        lam, sqs = server.client("lambda"), server.client("sqs")
        url, arn = make_queue(sqs, VisibilityTimeout="2")
        name = create_function(
            lam, SLOW_RECORDER, Timeout=30, Environment={"Variables": {"OUT": str(out)}}
        )
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=name)
        sqs.send_message(QueueUrl=url, MessageBody="in flight")
        wait_for(lambda: events(out), timeout=60)
        server.kill()
        server.start()
        sqs = server.client("sqs")
        wait_for(lambda: len(events(out)) >= 2, timeout=90)
        wait_empty(sqs, url, timeout=60)
        assert set(bodies(out)) == {"in flight"}
    finally:
        server.stop()


def test_a_batch_over_the_payload_limit_is_split(
    lambda_client: Any, sqs: Any, tmp_path: Path
) -> None:
    """30 messages of 256 KiB are 7.5 MB, over Lambda's 6 MB invoke payload: the records
    that do not fit go back to the queue at once (not after its 5-minute visibility
    timeout) and come in the next batch."""
    url, arn = make_queue(sqs, VisibilityTimeout="300")
    name = recorder(lambda_client, tmp_path)
    big = [f"{i:02d}" + "z" * (256 * 1024 - 2) for i in range(30)]
    for start in range(0, 30, 10):
        for body in big[start : start + 10]:
            sqs.send_message(QueueUrl=url, MessageBody=body)
    lambda_client.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=name, BatchSize=30, MaximumBatchingWindowInSeconds=1
    )
    wait_empty(sqs, url, timeout=60)
    assert sorted(bodies(tmp_path)) == big
    assert all(len(e["Records"]) < 30 for e in events(tmp_path))
