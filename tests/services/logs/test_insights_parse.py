"""The Logs Insights parser and engine on their own: any text either parses (and then
runs over events without error) or is refused with MalformedQuery naming an offset
inside the query; never another exception, whatever a user types."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stratus.services.logs.errors import MalformedQuery
from stratus.services.logs.insights_parse import parse_query
from stratus.services.logs.insights_run import QueryRun
from stratus.services.logs.repository import StoredLogEvent

PIECES = [
    "fields", "filter", "stats", "sort", "limit", "parse", "display", "dedup", "by", "as",
    "and", "or", "not", "in", "like", "(", ")", "[", "]", ",", "|", "=", "!=", "<", ">=",
    "*", "/", "%", "+", "-", "=~", "@message", "@timestamp", "x", "y.z", "count(*)",
    "bin(5m)", "'a'", '"b*c"', "/re(?<g>x)/", "1", "2.5", "5m", "pct(x, 90)", "#c\n",
    "`q r`", "desc", "asc", "\n", "max(x)", "ispresent(x)", '"', "'", "{", "earliest(x)",
]  # fmt: skip

MESSAGES = [
    '{"x": 1, "y": {"z": "a"}}',
    "ERROR x",
    "REPORT RequestId: a\tDuration: 1.0 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\t"
    "Max Memory Used: 40 MB",
    '{"x": "b"}',
    "",
    '{"x": [1, {"a": null}], "@q": true}',
    'text {"x": 0} more',
]
EVENTS = [
    (StoredLogEvent(n, "f", "s", 1000 * n, message, 1000 * n), "0:g", "g")
    for n, message in enumerate(MESSAGES, start=1)
]


@settings(max_examples=3000, deadline=None)
@given(
    st.sampled_from(["", "fields x | ", "stats count(*) by x | ", "parse @message 'a*b' as q | "]),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=12),
)
def test_any_text_parses_and_runs_or_is_refused_with_a_position(
    head: str, pieces: list[str]
) -> None:
    text = head + " ".join(pieces)
    try:
        query = parse_query(text)
    except MalformedQuery as error:
        assert 0 <= error.start <= error.end <= max(len(text), error.start)
        assert error.message.startswith("unexpected symbol found ")
        return
    run = QueryRun(query, 100)
    run.feed(EVENTS)
    run.finish()


@pytest.mark.parametrize(
    ("text", "line", "position"),
    [
        ("fields a\n| filtr b", 2, 2),
        ("fields a |\n\n  sort", 3, 6),
        ("filter x =~ 'not a regex'", 1, 12),
        ("fields count(*)", 1, 7),
        ("filter x > 5m", 1, 11),
    ],
)
def test_refusals_name_the_line_and_position(text: str, line: int, position: int) -> None:
    with pytest.raises(MalformedQuery) as info:
        parse_query(text)
    assert f"at line {line} and position {position}" in info.value.message
