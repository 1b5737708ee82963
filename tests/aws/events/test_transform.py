"""What a target receives: Input, InputPath and InputTransformer, delivered for real."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.events.conftest import aws_error, name, receive, rule_to_queue

DETAIL = {
    "instance-id": "i-0123456789",
    "state": "RUNNING",
    "count": 3,
    "tags": ["a", "b"],
    "quote": 'say "hi"',
}


def _deliver(events: Any, sqs: Any, **target: Any) -> Any:
    source = name("app")
    rule, url = rule_to_queue(events, sqs, {"source": [source]}, **target)
    events.put_events(
        Entries=[{"Source": source, "DetailType": "state", "Detail": json.dumps(DETAIL)}]
    )
    [body] = receive(sqs, url)
    return body, rule


def test_constant_input(events: Any, sqs: Any) -> None:
    body, _ = _deliver(events, sqs, Input='{"fixed": [1, 2]}')
    assert body == {"fixed": [1, 2]}


def test_input_path(events: Any, sqs: Any) -> None:
    body, _ = _deliver(events, sqs, InputPath="$.detail.tags")
    assert body == ["a", "b"]


TRANSFORMS = [
    # AWS's documented example: strings outside quotes become JSON strings.
    (
        '{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}',
        {"instance": "i-0123456789", "state": [9, "RUNNING", True], "Transformed": "Yes"},
    ),
    # Inside a JSON string the value's text goes in, escaped.
    (
        '{"message": "instance <instance> is in <state>"}',
        {"message": "instance i-0123456789 is in RUNNING"},
    ),
    ('"instance <instance> is in <state>"', "instance i-0123456789 is in RUNNING"),
    ('{"q": "<quote>", "raw": <quote>}', {"q": 'say "hi"', "raw": 'say "hi"'}),
    (
        '{"n": <count>, "tags": <tags>, "missing": <nothing>}',
        {"n": 3, "tags": ["a", "b"], "missing": None},
    ),
    ('{"tags": "<tags>"}', {"tags": '["a","b"]'}),
]


@pytest.mark.parametrize(("template", "expected"), TRANSFORMS, ids=range(len(TRANSFORMS)))
def test_input_transformer(events: Any, sqs: Any, template: str, expected: Any) -> None:
    body, _ = _deliver(
        events,
        sqs,
        InputTransformer={
            "InputPathsMap": {
                "instance": "$.detail.instance-id",
                "state": "$.detail.state",
                "count": "$.detail.count",
                "tags": "$.detail.tags",
                "quote": "$.detail.quote",
                "nothing": "$.detail.absent",
            },
            "InputTemplate": template,
        },
    )
    assert body == expected


def test_reserved_variables(events: Any, sqs: Any) -> None:
    body, rule = _deliver(
        events,
        sqs,
        InputTransformer={
            "InputTemplate": '{"rule": <aws.events.rule-name>, "arn": <aws.events.rule-arn>, '
            '"event": <aws.events.event>, "at": <aws.events.event.ingestion-time>}',
        },
    )
    assert body["rule"] == rule
    assert body["arn"].endswith(f":rule/{rule}")
    assert body["event"]["detail"] == DETAIL
    assert body["at"].endswith("Z")


def test_plain_text_template(events: Any, sqs: Any) -> None:
    body, _ = _deliver(
        events,
        sqs,
        InputTransformer={
            "InputPathsMap": {"state": "$.detail.state"},
            "InputTemplate": "state is <state>",
        },
    )
    assert body == "state is RUNNING"


def test_bad_target_inputs(events: Any) -> None:
    rule = name()
    events.put_rule(Name=rule, EventPattern='{"source": ["x"]}')
    arn = "arn:aws:sqs:us-east-1:000000000000:nowhere"
    cases = [
        (
            {"Input": "{}", "InputPath": "$.detail"},
            "Only one of Input, InputPath, or InputTransformer must be provided.",
        ),
        ({"Input": "not json"}, "Target t has an Input that is not valid JSON."),
        ({"InputPath": "detail"}, "detail is not a valid JSON path"),
    ]
    for extra, message in cases:
        code, got = aws_error(
            lambda e=extra: events.put_targets(Rule=rule, Targets=[{"Id": "t", "Arn": arn, **e}])
        )
        assert (code, got) == ("ValidationException", message)
    # Variable names are the model's pattern: the reserved aws.events.* cannot be redefined.
    code, got = aws_error(
        lambda: events.put_targets(
            Rule=rule,
            Targets=[
                {
                    "Id": "t",
                    "Arn": arn,
                    "InputTransformer": {
                        "InputPathsMap": {"aws.events.x": "$.a"},
                        "InputTemplate": "x",
                    },
                }
            ],
        )
    )
    assert code == "ValidationException"
    assert got.startswith(
        "1 validation error detected: Value '{aws.events.x=$.a}' at "
        "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy"
    )
    assert events.list_targets_by_rule(Rule=rule)["Targets"] == []
