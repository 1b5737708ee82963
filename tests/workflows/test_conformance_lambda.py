"""The AWS-recorded Lambda cases, with Lambda EMULATED in-process (`lambda_emulation`).

This tells where the interpreter differs from AWS when tasks behave as described; the
real run through the platform's Lambda runtime comes with the invoker integration.
Known differences are xfailed from `known_failures.LAMBDA`.
"""

from __future__ import annotations

import pytest

from .conformance import MATERIAL, case_id, load_cases, run_case
from .known_failures import LAMBDA

CASES = load_cases("cases-lambda.jsonl")
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)


def _params() -> list[pytest.param]:
    params = []
    for case in CASES:
        name = case_id(case)
        marks = []
        if name in LAMBDA:
            marks.append(pytest.mark.xfail(reason=LAMBDA[name], strict=True))
        params.append(pytest.param(case, id=name, marks=marks))
    return params or [pytest.param(None, id="no-material")]


@pytest.mark.parametrize("case", _params())
def test_lambda_case_emulated(case: dict, conformance_tally: dict) -> None:
    outcome = run_case(case)
    conformance_tally.setdefault("lambda (emulated)", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)
