"""Every pure AWS-recorded case (no Task resources) through the in-memory driver.

Cases come from `../shared/conformance/asl/localstack-sfn/cases-pure.jsonl` (see its
README for the comparison rules). Known differences are xfailed by id from
`known_failures.PURE`, each with its reason; the pass rate is printed at the end.
"""

from __future__ import annotations

import pytest

from .conformance import MATERIAL, case_id, load_cases, longest_wait, run_case
from .known_failures import NOT_RUN, PURE

CASES = load_cases("cases-pure.jsonl")
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)


def _params() -> list[pytest.param]:
    params = []
    for case in CASES:
        name = case_id(case)
        marks = []
        if name in PURE:
            marks.append(pytest.mark.xfail(reason=PURE[name], strict=True, run=name not in NOT_RUN))
        if longest_wait(case) >= 60:
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case, id=name, marks=marks))
    return params or [pytest.param(None, id="no-material")]


@pytest.mark.parametrize("case", _params())
def test_pure_case(case: dict, conformance_tally: dict) -> None:
    outcome = run_case(case)
    conformance_tally.setdefault("pure", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)
