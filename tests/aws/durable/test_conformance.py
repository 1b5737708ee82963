"""AWS's durable execution conformance requirements (../shared/conformance/durable), one
test each: our handler (``handlers/<suite>_<id>.py``, written from the requirement's
``handler:`` text with the real SDK) deployed through the Lambda API with the SDK as a
layer, run as the requirement says, its result and history compared by the README's
rules (``matching.py``).

The requirements run concurrently (they mostly wait on timers), started when the module's
first test asks; each test then checks its own.
"""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.aws.durable.conftest import Deploy, callback_id_named, history, wait_status
from tests.aws.durable.matching import make_variables, match, match_history, substitute
from tests.conftest import CONFORMANCE, ServerProcess

yaml = pytest.importorskip("yaml")

REQUIREMENTS = CONFORMANCE / "durable" / "requirements"
HANDLERS = Path(__file__).parent / "handlers"
PRELUDE = (HANDLERS / "_prelude.py").read_text()  # shipped beside every handler
CASES = sorted(
    f"{path.parent.name}_{path.stem.replace('-', '_')}" for path in REQUIREMENTS.glob("*/*.yaml")
)

# Requirements we do not meet, each with its reason (strict: a pass is reported).
XFAIL: dict[str, str] = {}
SLOW = {"wait_2_4": "waits a whole minute (Duration.from_minutes(1))"}


def _path(case: str) -> Path:
    suite, _, rest = case.rpartition("_")
    suite, _, major = suite.rpartition("_")
    return REQUIREMENTS / suite / f"{major}-{rest}.yaml"


@dataclass
class Outcome:
    spec: dict[str, Any]
    execution: dict[str, Any]
    events: list[dict[str, Any]]
    function: str


def _run(lam: Any, deploy: Deploy, case: str, target: str, scratch: str) -> Outcome:
    raw = yaml.safe_load(_path(case).read_text())
    spec = substitute(raw, make_variables(raw.get("Variables")))
    environment = {"TARGET_FUNCTION": f"{target}:$LATEST", "SCRATCH": scratch}
    name = deploy(
        (HANDLERS / f"{case}.py").read_text(),
        environment=environment,
        timeout=60,
        files={"_prelude.py": PRELUDE},
    )
    payload = json.dumps(spec.get("Input")).encode()
    answer = lam.invoke(
        FunctionName=f"{name}:$LATEST",
        InvocationType="Event" if spec.get("AsyncInvoke") else "RequestResponse",
        Payload=payload,
    )
    arn = answer["DurableExecutionArn"]
    used: set[str] = set()
    for action in spec.get("CallbackActions") or []:
        callback = callback_id_named(lam, arn, action["CallbackName"], used)
        used.add(callback)
        time.sleep(float(action.get("Delay") or 0))
        kind = action["Operation"]
        if kind == "success":
            extra = (
                {"Result": json.dumps(action["Payload"]).encode()} if "Payload" in action else {}
            )
            lam.send_durable_execution_callback_success(CallbackId=callback, **extra)
        elif kind == "failure":
            lam.send_durable_execution_callback_failure(
                CallbackId=callback, Error=action["Payload"]
            )
        else:
            lam.send_durable_execution_callback_heartbeat(CallbackId=callback)
            used.discard(callback)  # the same callback gets its terminal answer later
    execution = wait_status(lam, arn, timeout=150)
    return Outcome(spec, execution, history(lam, arn), name)


@pytest.fixture(scope="module")
def runs(
    request: pytest.FixtureRequest,
    scratch: Path,
    lam: Any,
    deploy: Deploy,
) -> Any:
    selected = [
        item.callspec.params["case"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    ]
    target = deploy((HANDLERS / "targets" / "echo.py").read_text())
    pool = ThreadPoolExecutor(max_workers=8)
    futures: dict[str, Future[Outcome]] = {
        case: pool.submit(_run, lam, deploy, case, target, str(scratch)) for case in selected
    }
    yield futures
    pool.shutdown(wait=False, cancel_futures=True)


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = []
        if case in XFAIL:
            marks.append(pytest.mark.xfail(reason=XFAIL[case], strict=True))
        if case in SLOW:
            marks.append(pytest.mark.slow)
        params.append(pytest.param(case, marks=marks, id=case))
    return params


def _log_messages(logs: Any, function: str) -> list[str]:
    messages: list[str] = []
    kwargs: dict[str, Any] = {"logGroupName": f"/aws/lambda/{function}"}
    while True:
        page = logs.filter_log_events(**kwargs)
        messages.extend(event["message"] for event in page["events"])
        if not page.get("nextToken"):
            return messages
        kwargs["nextToken"] = page["nextToken"]


def _check_logs(logs: Any, outcome: Outcome) -> None:
    """``ExpectedLogs``: how many of the function's log lines match each regex."""
    expected = outcome.spec.get("ExpectedLogs") or []
    deadline = time.monotonic() + 10  # the log sink flushes in the background
    while True:
        messages = _log_messages(logs, outcome.function)
        counts = []
        for rule in expected:
            pattern = re.compile(rule["match"]["message"].strip("/"))
            counts.append(sum(1 for message in messages if pattern.search(message)))
        wanted = [rule["count"] for rule in expected]
        if counts == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert counts == wanted, messages


@pytest.mark.skipif(not REQUIREMENTS.is_dir(), reason="../shared/conformance is absent")
@pytest.mark.timeout(400)
@pytest.mark.parametrize("case", _params())
def test_requirement(
    case: str, runs: dict[str, Future[Outcome]], durable_server: ServerProcess
) -> None:
    outcome = runs[case].result(timeout=380)
    expected = outcome.spec.get("ExpectedResult") or {}
    if "ExecutionStatus" in expected:
        assert outcome.execution["Status"] == expected["ExecutionStatus"], outcome.execution.get(
            "Error"
        )
    if "Result" in expected:
        raw = outcome.execution.get("Result")
        if raw != expected["Result"]:
            match(expected["Result"], None if raw is None else json.loads(raw), {}, "Result")
    try:
        match_history(outcome.spec.get("ExpectedExecutionHistory") or [], outcome.events)
    except AssertionError:
        for event in outcome.events:  # the whole history, to see why
            print({k: v for k, v in event.items() if k != "EventTimestamp"})
        raise
    if outcome.spec.get("ExpectedLogs"):
        _check_logs(durable_server.client("logs"), outcome)
