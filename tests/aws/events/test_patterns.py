"""Event patterns checked through the API: AWS's documented cases through TestEventPattern
and through real delivery, and EventBridge's recorded verdicts (the conformance pairs)
through TestEventPattern."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name, new_queue, receive
from tests.services.patterns.test_eventbridge_conformance import CASES, CASES_DIR, _json5

# (id, pattern for "detail"-level fields, detail of the event, matches?) from the
# EventBridge user guide's "Content filtering in event patterns" and "Event patterns".
DOC_CASES: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = [
    ("exact", {"detail": {"state": ["running"]}}, {"state": "running"}, True),
    ("exact-miss", {"detail": {"state": ["running"]}}, {"state": "stopped"}, False),
    ("prefix", {"detail": {"state": [{"prefix": "ter"}]}}, {"state": "terminated"}, True),
    ("prefix-miss", {"detail": {"state": [{"prefix": "ter"}]}}, {"state": "stopped"}, False),
    (
        "prefix-ignore-case",
        {"detail": {"state": [{"prefix": {"equals-ignore-case": "TER"}}]}},
        {"state": "terminated"},
        True,
    ),
    ("suffix", {"detail": {"FileName": [{"suffix": ".png"}]}}, {"FileName": "a.png"}, True),
    ("suffix-miss", {"detail": {"FileName": [{"suffix": ".png"}]}}, {"FileName": "a.jpg"}, False),
    (
        "anything-but",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        {"state": "running"},
        True,
    ),
    (
        "anything-but-miss",
        {"detail": {"state": [{"anything-but": "initializing"}]}},
        {"state": "initializing"},
        False,
    ),
    (
        "anything-but-list",
        {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
        {"state": "overloaded"},
        False,
    ),
    ("anything-but-number", {"detail": {"x": [{"anything-but": [100, 200]}]}}, {"x": 150}, True),
    (
        "anything-but-prefix",
        {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
        {"state": "initializing"},
        False,
    ),
    (
        "anything-but-suffix",
        {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
        {"FileName": "notes.md"},
        True,
    ),
    (
        "anything-but-wildcard",
        {"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
        {"FilePath": "a/lib/b"},
        False,
    ),
    (
        "numeric-range",
        {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}},
        {"c-count": 5},
        True,
    ),
    (
        "numeric-range-miss",
        {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}},
        {"c-count": 6},
        False,
    ),
    ("numeric-equals", {"detail": {"x": [{"numeric": ["=", 3.0e2]}]}}, {"x": 300}, True),
    ("exists", {"detail": {"state": [{"exists": True}]}}, {"state": "x"}, True),
    ("exists-miss", {"detail": {"state": [{"exists": True}]}}, {"other": "x"}, False),
    ("not-exists", {"detail": {"state": [{"exists": False}]}}, {"other": "x"}, True),
    (
        "cidr",
        {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
        {"sourceIPAddress": "10.0.0.255"},
        True,
    ),
    (
        "cidr-miss",
        {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
        {"sourceIPAddress": "10.0.1.1"},
        False,
    ),
    (
        "equals-ignore-case",
        {"detail": {"name": [{"equals-ignore-case": "alice"}]}},
        {"name": "ALICE"},
        True,
    ),
    (
        "wildcard",
        {"detail": {"arn": [{"wildcard": "arn:aws:s3:::bucket/*.png"}]}},
        {"arn": "arn:aws:s3:::bucket/dir/x.png"},
        True,
    ),
    (
        "wildcard-miss",
        {"detail": {"arn": [{"wildcard": "arn:aws:s3:::bucket/*.png"}]}},
        {"arn": "arn:aws:s3:::other/x.png"},
        False,
    ),
    (
        "or",
        {"$or": [{"detail": {"c": [{"numeric": [">", 10]}]}}, {"detail": {"d": ["x"]}}]},
        {"c": 1, "d": "x"},
        True,
    ),
    (
        "or-miss",
        {"$or": [{"detail": {"c": [{"numeric": [">", 10]}]}}, {"detail": {"d": ["x"]}}]},
        {"c": 1, "d": "y"},
        False,
    ),
    ("nested", {"detail": {"a": {"b": {"c": ["deep"]}}}}, {"a": {"b": {"c": "deep"}}}, True),
    ("array-value", {"detail": {"tags": ["b"]}}, {"tags": ["a", "b"]}, True),
    ("array-value-miss", {"detail": {"tags": ["c"]}}, {"tags": ["a", "b"]}, False),
    ("null", {"detail": {"x": [None]}}, {"x": None}, True),
    ("empty-string", {"detail": {"x": [""]}}, {"x": ""}, True),
    ("multiple-fields-and", {"detail": {"a": ["1"], "b": ["2"]}}, {"a": "1", "b": "3"}, False),
]


def _envelope(source: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "doc case",
        "source": source,
        "account": "000000000000",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }


@pytest.mark.parametrize(
    ("case", "pattern", "detail", "expected"), DOC_CASES, ids=[c[0] for c in DOC_CASES]
)
def test_doc_case_through_test_event_pattern(
    events: Any, case: str, pattern: dict[str, Any], detail: dict[str, Any], expected: bool
) -> None:
    answer = events.test_event_pattern(
        EventPattern=json.dumps(pattern), Event=json.dumps(_envelope("doc.cases", detail))
    )
    assert answer["Result"] is expected


def test_doc_cases_through_real_delivery(events: Any, sqs: Any) -> None:
    """One rule per case (its pattern plus a source of its own), all targeting one queue
    with the case's id as constant Input; every case's event is published once."""
    bus = name("doc")
    events.create_event_bus(Name=bus)
    url, arn = new_queue(sqs)
    prefix = name("doc")
    for case, pattern, _, _ in DOC_CASES:
        source = f"{prefix}.{case}"
        full = (
            {"$or": [{**alt, "source": [source]} for alt in pattern["$or"]]}
            if ("$or" in pattern)
            else {**pattern, "source": [source]}
        )
        events.put_rule(Name=case, EventBusName=bus, EventPattern=json.dumps(full))
        events.put_targets(
            Rule=case,
            EventBusName=bus,
            Targets=[{"Id": "q", "Arn": arn, "Input": json.dumps({"case": case})}],
        )
    entries = [
        {
            "Source": f"{prefix}.{case}",
            "DetailType": "doc case",
            "Detail": json.dumps(detail),
            "EventBusName": bus,
        }
        for case, _, detail, _ in DOC_CASES
    ]
    for start in range(0, len(entries), 10):
        assert events.put_events(Entries=entries[start : start + 10])["FailedEntryCount"] == 0
    expected = sorted(case for case, _, _, matches in DOC_CASES if matches)
    got = receive(sqs, url, count=len(expected), timeout=30)
    assert sorted(m["case"] for m in got) == expected


@pytest.mark.skipif(not CASES, reason="../shared/conformance is absent (a clone without it)")
def test_conformance_pairs_through_test_event_pattern(events: Any) -> None:
    """Every recorded {Event, EventPattern} verdict, through the real API."""
    failures = []
    for param in CASES:
        case_name, case = param.values
        document = _json5((CASES_DIR / case["file"]).read_text())
        event = document["Event"]  # every recorded one has the fields AWS requires
        call = lambda d=document, e=event: events.test_event_pattern(  # noqa: E731
            EventPattern=json.dumps(d["EventPattern"]), Event=json.dumps(e)
        )
        if case["expected"] == "InvalidEventPatternException":
            code, message = aws_error(call)
            if (code, message) != ("InvalidEventPatternException", case["error_message"]):
                failures.append((case_name, code, message))
        elif call()["Result"] is not case["expected"]:
            failures.append((case_name, "verdict", case["expected"]))
    assert failures == []


def test_test_event_pattern_errors(events: Any) -> None:
    event = json.dumps(_envelope("x", {}))
    code, message = aws_error(lambda: events.test_event_pattern(EventPattern="{}", Event=event))
    assert code == "InvalidEventPatternException"
    assert message.startswith("Event pattern is not valid. Reason: ")
    code, message = aws_error(
        lambda: events.test_event_pattern(EventPattern='{"source": "x"}', Event=event)
    )
    assert code == "InvalidEventPatternException"
    code, message = aws_error(
        lambda: events.test_event_pattern(EventPattern='{"source": ["x"]}', Event='{"source": "x"}')
    )
    assert (code, message) == ("ValidationException", "Parameter Event is not valid.")
    code, message = aws_error(
        lambda: events.test_event_pattern(EventPattern='{"source": ["x"]}', Event="not json")
    )
    assert (code, message) == ("ValidationException", "Parameter Event is not valid.")
