"""EventBridge's own verdicts on {Event, EventPattern} pairs, run through EventPattern.

Cases: ``../shared/conformance/eventbridge-patterns/localstack/`` (recorded against AWS's
TestEventPattern; EXPECTED.json says match, no match, or InvalidEventPatternException
with AWS's message). The files are JSON5 (comments, trailing commas): ``_json5`` reads
that subset and fails loudly on anything else.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stratus.services.patterns import EventPattern, InvalidPattern
from tests.conftest import CONFORMANCE

CASES_DIR = CONFORMANCE / "eventbridge-patterns" / "localstack"


def _json5(text: str) -> Any:
    """JSON plus // comments and trailing commas: what these files use."""
    out: list[str] = []
    index, in_string = 0, False
    while index < len(text):
        char = text[index]
        if in_string:
            out.append(char)
            if char == "\\":
                out.append(text[index + 1])
                index += 2
                continue
            in_string = char != '"'
        elif char == '"':
            in_string = True
            out.append(char)
        elif text.startswith("//", index):
            while index < len(text) and text[index] != "\n":
                index += 1
            continue
        elif text.startswith("/*", index):
            index = text.index("*/", index) + 2
            continue
        else:
            out.append(char)
        index += 1
    return json.loads(re.sub(r",(\s*[}\]])", r"\1", "".join(out)))


def _cases() -> list[Any]:
    expected_file = CASES_DIR / "EXPECTED.json"
    if not expected_file.exists():
        return []
    cases = json.loads(expected_file.read_text())["cases"]
    return [pytest.param(name, case, id=name) for name, case in sorted(cases.items())]


CASES = _cases()


def test_the_suite_is_there_or_says_why() -> None:
    if not CASES:
        pytest.skip(f"conformance material not found at {CASES_DIR}")
    assert len(CASES) >= 100


@pytest.mark.skipif(not CASES, reason="../shared/conformance is absent (a clone without it)")
@pytest.mark.parametrize(("name", "case"), CASES)
def test_eventbridge_verdict(name: str, case: dict[str, Any]) -> None:
    document = _json5((CASES_DIR / case["file"]).read_text())
    expected = case["expected"]
    if expected == "InvalidEventPatternException":
        with pytest.raises(InvalidPattern) as refused:
            EventPattern.compile(document["EventPattern"])
        assert refused.value.message == case["error_message"]
        # The text form must be refused the same way.
        with pytest.raises(InvalidPattern):
            EventPattern.compile(json.dumps(document["EventPattern"]))
        return
    pattern = EventPattern.compile(json.dumps(document["EventPattern"]))
    assert pattern.matches(document["Event"]) is expected, name


def test_loader_reads_comments_and_trailing_commas(tmp_path: Path) -> None:
    assert _json5('{"a": [1, 2,], // two\n "b": "//not a comment",}') == {
        "a": [1, 2],
        "b": "//not a comment",
    }
