"""The AWS-recorded Lambda-task cases, run THROUGH the Step Functions API.

Each case's functions are real functions on the session server (created with the Lambda
API, their behaviour picked by the ``BEHAVIOR`` variable of the workflows integration
harness's handler); the case runs as in `test_conformance_api.py`: CreateStateMachine,
StartExecution, DescribeExecution until it ends, GetExecutionHistory, compared by the
material's README rules.

A function name carries different behaviours in different cases, so the cases run in
rounds: within a round every name has one behaviour and the cases run concurrently;
between rounds the functions are reconfigured. Cases whose function sleeps a minute are
slow-marked: they end at the state's TimeoutSeconds, but leave their function running
for that minute. Known differences are the real-function list of the integrations suite.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.aws.stepfunctions.conftest import sfn_client, wait_for
from tests.aws.stepfunctions.test_conformance_api import WORKERS, _guarded
from tests.conftest import ROLE, ServerProcess
from tests.workflows.conformance import MATERIAL, Outcome, case_id, load_cases
from tests.workflows.integrations.harness import function_zip
from tests.workflows.integrations.test_conformance_lambda import KNOWN, behavior_of

CASES = {case_id(case): case for case in load_cases("cases-lambda.jsonl")}
pytestmark = pytest.mark.skipif(
    not CASES, reason=f"ASL conformance material not found at {MATERIAL}"
)


def behaviors(case: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: behavior_of(f["behavior"]) for f in case["lambdas"]}


def is_slow(case: dict[str, Any]) -> bool:
    return "sleep" in behaviors(case).values()


def rounds(cases: list[dict[str, Any]]) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    """Cases grouped so that each group needs each function name in one behaviour."""
    groups: list[tuple[dict[str, str], list[dict[str, Any]]]] = []
    for case in cases:
        wanted = behaviors(case)
        for config, members in groups:
            if all(config.get(name, b) == b for name, b in wanted.items()):
                config.update(wanted)
                members.append(case)
                break
        else:
            groups.append((dict(wanted), [case]))
    return groups


RECORDED_ACCOUNT = "111111111111"


def configure(lam: Any, config: dict[str, str], existing: set[str]) -> None:
    """Create or reconfigure each function to its behaviour; wait until it is ready."""
    for name, behavior in config.items():
        environment = {"Variables": {"BEHAVIOR": behavior}}
        # a sleeping function outlives the state's TimeoutSeconds, as on AWS
        timeout = 90 if behavior == "sleep" else 3
        if name in existing:
            lam.update_function_configuration(
                FunctionName=name, Environment=environment, Timeout=timeout
            )
        else:
            lam.create_function(
                FunctionName=name,
                Runtime="python3.11",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": function_zip()},
                Environment=environment,
                Timeout=timeout,
            )
            existing.add(name)
    for name in config:
        wait_for(
            lambda n=name: (
                lam.get_function_configuration(FunctionName=n).get("LastUpdateStatus")
                in (None, "Successful")
                and lam.get_function_configuration(FunctionName=n)["State"] == "Active"
            )
        )


@pytest.fixture(scope="module")
def batch(request: pytest.FixtureRequest, server: ServerProcess) -> dict[str, Outcome]:
    selected = {
        item.callspec.id
        for item in request.session.items
        if item.module is request.module and item.originalname == "test_lambda_case_via_api"
    }
    cases = [CASES[name] for name in sorted(selected) if name in CASES]
    # The cases were recorded in account 111111111111 and name its functions by ARN: run
    # them as that account (a 12-digit access key is its account), functions included.
    sfn = sfn_client(server, access_key=RECORDED_ACCOUNT, max_pool_connections=WORKERS)
    lam = server.client("lambda", access_key=RECORDED_ACCOUNT)
    existing = {f["FunctionName"] for f in lam.list_functions()["Functions"]}
    outcomes: dict[str, Outcome] = {}
    for config, members in rounds(cases):
        configure(lam, config, existing)
        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(lambda case: _guarded(sfn, case), members))
        outcomes.update({case_id(c): o for c, o in zip(members, results, strict=True)})
    return outcomes


def _params() -> list[Any]:
    params = []
    for name, case in CASES.items():
        marks = [pytest.mark.slow] if is_slow(case) else []
        if name in KNOWN:
            marks.append(pytest.mark.xfail(reason=KNOWN[name], strict=True))
        params.append(pytest.param(name, id=name, marks=marks))
    return params or [pytest.param("no-material", id="no-material")]


@pytest.mark.parametrize("name", _params())
def test_lambda_case_via_api(
    name: str, batch: dict[str, Outcome], api_conformance_tally: dict[str, list[bool]]
) -> None:
    outcome = batch[name]
    api_conformance_tally.setdefault("lambda", []).append(not outcome.problems)
    assert not outcome.problems, "\n".join(outcome.problems)
