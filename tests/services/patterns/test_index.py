"""The rule index answers exactly what testing every pattern answers: checked on every
pattern and event of the EventBridge conformance pairs plus patterns built to be indexed,
filed and removed in a shuffled order."""

from __future__ import annotations

import random
from typing import Any

from stratus.services.patterns import EventPattern, InvalidPattern
from stratus.services.patterns.index import PatternIndex
from tests.services.patterns.test_eventbridge_conformance import CASES, CASES_DIR, _json5


def _material() -> tuple[list[Any], list[dict[str, Any]]]:
    patterns: list[Any] = [
        {"source": ["a", "b"]},
        {"source": ["a"], "detail-type": ["t"]},
        {"detail-type": ["t"]},
        {"source": [{"prefix": "a"}]},
        {"$or": [{"source": ["a"]}, {"source": ["c"]}]},
        {"$or": [{"source": ["a"]}, {"detail-type": ["t"]}]},
        {"source": ["a", {"prefix": "z"}]},
        {"source": [{"anything-but": "a"}]},
        {"source": [{"exists": False}]},
    ]
    events: list[dict[str, Any]] = [
        {"source": s, "detail-type": t} for s in ("a", "b", "c", "zz", "q") for t in ("t", "u")
    ]
    events.append({"source": ["a", "c"], "detail-type": "u"})
    events.append({"detail-type": "t"})
    for param in CASES:
        _, case = param.values
        document = _json5((CASES_DIR / case["file"]).read_text())
        patterns.append(document["EventPattern"])
        events.append(document["Event"])
    return patterns, events


def test_index_agrees_with_a_scan() -> None:
    documents, events = _material()
    compiled: dict[int, EventPattern] = {}
    for number, document in enumerate(documents):
        try:
            compiled[number] = EventPattern.compile(document)
        except InvalidPattern:
            continue
    rng = random.Random(7)
    order = list(compiled)
    rng.shuffle(order)
    index: PatternIndex[int] = PatternIndex()
    for number in order:
        index.add(number, compiled[number])
    removed = set(order[: len(order) // 4])
    for number in removed:
        index.discard(number)
    index.add(order[0], compiled[order[0]])  # re-filed after removal
    removed.discard(order[0])
    live = {k: p for k, p in compiled.items() if k not in removed}
    assert len(index) == len(live)
    for event in events:
        expected = sorted(k for k, p in live.items() if p.matches(event))
        assert sorted(index.matching(event)) == expected, event


def test_exact_values() -> None:
    assert EventPattern.compile({"source": ["a", "b"]}).exact_values("source") == {"a", "b"}
    assert EventPattern.compile({"source": ["a", {"prefix": "b"}]}).exact_values("source") is None
    assert EventPattern.compile({"detail": {"x": [1]}}).exact_values("source") is None
    pattern = EventPattern.compile({"$or": [{"source": ["a"]}, {"source": ["c"], "id": ["1"]}]})
    assert pattern.exact_values("source") == {"a", "c"}
