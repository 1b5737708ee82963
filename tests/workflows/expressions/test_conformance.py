"""AWS-recorded Step Functions cases evaluated straight through the expression functions.

Cases come from `../shared/conformance/asl/localstack-sfn/cases-pure.jsonl` (see its
README). Three shapes are evaluated without an interpreter:

* Choice-operator tables: the state machine's one Choice state picks a Pass state whose
  Result is the expected output.
* Intrinsic-function executions: one Pass state whose Parameters are a payload template.
* JSONata intrinsic executions: one Pass state whose Output is a JSONata template.

Snapshot labels (`<...>`, `RandomNumberGenerated`, `generated-uuid`) are wildcards.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stratus.workflows.errors import StatesError

from . import pass_chain

CONFORMANCE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance"
CASES_DIR = CONFORMANCE / "asl" / "localstack-sfn"
# Snapshot transformer labels without angle brackets (README, "Comparing results").
LABELS = {
    "RandomNumberGenerated",
    "generated-uuid",
    "date",
    "timestamp",
    "start-time",
    "start-date",
    "stop-date",
    "entered-time",
    "execution-arn",
    "state-machine-arn",
    "snf_role_arn",
    "sfn_role_arn",
    "a_task_token",
    "sqs_queue_url",
}

CONTEXT_NAME = "conformance-execution"
STATE_MACHINE_NAME = "conformance-machine"


def _load() -> list[dict[str, Any]]:
    path = CASES_DIR / "cases-pure.jsonl"
    if not path.exists():
        return []
    cases = []
    for line in path.read_text().splitlines():
        case = json.loads(line)
        definition = json.loads((CASES_DIR / case["definition_file"]).read_text())
        if _only_pass_and_choice(definition):
            cases.append(case)
    return cases


def _only_pass_and_choice(definition: dict[str, Any]) -> bool:
    """Machines the Pass-chain runner can execute: Pass and Choice states only."""
    states = definition.get("States", {}).values()
    return all(state.get("Type") in ("Pass", "Choice", "Succeed", "Fail") for state in states)


CASES = _load()


def _context(case: dict[str, Any]) -> dict[str, Any]:
    arn = "arn:aws:states:us-east-1:111111111111"
    return {
        "Execution": {
            "Id": f"{arn}:execution:{STATE_MACHINE_NAME}:{CONTEXT_NAME}",
            "Input": case["input"],
            "Name": CONTEXT_NAME,
            "StartTime": "2024-01-01T00:00:00.000Z",
            "RoleArn": "arn:aws:iam::111111111111:role/sfn",
            **({"RedriveCount": 0} if case["state_machine_type"] == "STANDARD" else {}),
        },
        "StateMachine": {
            "Id": f"{arn}:stateMachine:{STATE_MACHINE_NAME}",
            "Name": STATE_MACHINE_NAME,
        },
        "State": {"Name": "State_0", "EnteredTime": "2024-01-01T00:00:00.000Z"},
    }


def _same(expected: Any, actual: Any) -> bool:
    """JSON comparison where snapshot labels match anything."""
    if isinstance(expected, str) and (("<" in expected and ">" in expected) or expected in LABELS):
        return True
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(_same(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(map(_same, expected, actual))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual
    return bool(expected == actual)


def _run(case: dict[str, Any]) -> dict[str, Any]:
    """The outcome ({status, output} or {status, error, cause}) of a Pass/Choice machine."""
    definition = json.loads((CASES_DIR / case["definition_file"]).read_text())
    try:
        output = pass_chain.run(definition, case["input"], _context(case))
    except StatesError as exc:
        return {"status": "FAILED", "error": exc.error, "cause": exc.cause}
    return {"status": "SUCCEEDED", "output": output}


def _case_id(case: dict[str, Any]) -> str:
    return case["id"].split("::", 1)[1]


@pytest.mark.skipif(not CASES, reason="../shared/conformance is absent (a clone without it)")
@pytest.mark.parametrize("case", CASES, ids=[_case_id(case) for case in CASES])
def test_recorded_case(case: dict[str, Any]) -> None:
    outcome = _run(case)
    expected = case["expected"]
    assert outcome["status"] == expected["status"], outcome
    if expected["status"] == "SUCCEEDED":
        assert _same(expected["output"], outcome["output"]), outcome["output"]
    else:
        assert (outcome["error"] or None) == expected.get("error"), outcome
        cause = expected.get("cause")
        if isinstance(cause, str) and "(entered at the event id" in cause:
            # The interpreter adds "An error occurred while executing the state ..." itself.
            own = re.split(r"\(entered at the event id #\d+\)\. ", cause, maxsplit=1)[1]
            pattern = ".*".join(re.escape(part) for part in re.split(r"<[^>]*>", own))
            assert re.fullmatch(pattern, outcome["cause"]), outcome["cause"]


def test_conformance_material_is_present_or_skipped() -> None:
    """Guard: the harness finds cases whenever the material exists."""
    if not CASES_DIR.exists():
        pytest.skip("../shared/conformance is absent (a clone without it)")
    assert len(CASES) > 300
