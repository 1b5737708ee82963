"""The pure core, event by event: commands, history, failures as data, serialisation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stratus.workflows.definition import parse_definition
from stratus.workflows.interpreter import (
    Activation,
    CancelTask,
    CompleteExecution,
    ExecutionStart,
    ExecutionState,
    RunTask,
    StartTimer,
    StopExecution,
    TaskFailed,
    TaskHeartbeat,
    TaskSucceeded,
    TimerFired,
    event_from_dict,
    start_execution,
    step,
    to_dict,
)
from stratus.workflows.interpreter.retry import backoff_seconds
from stratus.workflows.states import Retrier

T0 = 1_700_000_000.0
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:111111111111:function:f"


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> Any:
    return parse_definition(json.dumps({"StartAt": start, "States": states, **top}))


def types(activation: Activation) -> list[str]:
    return [event["type"] for event in activation.history]


def only(commands: list[Any], kind: type) -> list[Any]:
    return [command for command in commands if isinstance(command, kind)]


def complete(activation: Activation) -> CompleteExecution:
    (done,) = only(activation.commands, CompleteExecution)
    return done


TASK = {"Type": "Task", "Resource": LAMBDA_INVOKE}


def test_task_is_a_command_and_its_result_is_shaped_by_the_state() -> None:
    sm = machine(
        {
            "A": {
                **TASK,
                "Parameters": {"FunctionName": "f", "Payload.$": "$.x"},
                "ResultSelector": {"p.$": "$.Payload"},
                "ResultPath": "$.r",
                "End": True,
            }
        }
    )
    first = start_execution(sm, ExecutionStart(at=T0, input={"x": 7}))
    assert types(first) == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted"]
    assert [e["id"] for e in first.history] == [1, 2, 3, 4]
    assert [e["previousEventId"] for e in first.history] == [0, 1, 2, 3]
    (run,) = only(first.commands, RunTask)
    assert run.input == {"FunctionName": "f", "Payload": 7}
    assert run.resource == LAMBDA_INVOKE
    scheduled = first.history[2]["taskScheduledEventDetails"]
    assert scheduled["resourceType"] == "lambda" and scheduled["resource"] == "invoke"
    assert json.loads(scheduled["parameters"]) == run.input

    done = step(sm, first.state, TaskSucceeded(at=T0 + 1, token=run.token, output={"Payload": 9}))
    assert types(done) == ["TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]
    assert complete(done).status == "SUCCEEDED"
    assert complete(done).output == {"x": 7, "r": {"p": 9}}
    assert done.history[-1]["id"] == 7


def test_step_leaves_the_given_state_untouched_and_state_round_trips_json() -> None:
    sm = machine({"A": {**TASK, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0, input={"a": 1}))
    before = json.dumps(first.state.to_dict(), sort_keys=True)
    (run,) = only(first.commands, RunTask)
    step(sm, first.state, TaskSucceeded(at=T0, token=run.token, output=1))
    assert json.dumps(first.state.to_dict(), sort_keys=True) == before

    stored = json.loads(json.dumps(first.state.to_dict()))
    event = event_from_dict(
        json.loads(json.dumps(to_dict(TaskSucceeded(at=T0, token=run.token, output=2))))
    )
    resumed = step(sm, ExecutionState.from_dict(stored), event)
    assert complete(resumed).output == 2


def test_a_stale_or_unknown_token_changes_nothing() -> None:
    sm = machine({"A": {**TASK, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0))
    later = step(sm, first.state, TaskSucceeded(at=T0, token="nope", output=1))
    assert later.history == [] and later.commands == []
    assert later.state.status == "RUNNING"


def test_retry_waits_with_backoff_then_catch_routes_the_error_output() -> None:
    sm = machine(
        {
            "A": {
                **TASK,
                "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "MaxAttempts": 2}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "B"}],
                "Next": "B",
            },
            "B": {"Type": "Pass", "End": True},
        }
    )
    act = start_execution(sm, ExecutionStart(at=T0, input={"k": 1}))
    delays = []
    for attempt in range(3):
        (run,) = only(act.commands, RunTask)
        act = step(sm, act.state, TaskFailed(at=T0, token=run.token, error="Boom", cause="c"))
        if attempt < 2:
            (timer,) = only(act.commands, StartTimer)
            delays.append(timer.fire_at - T0)
            assert types(act) == ["TaskFailed"]
            act = step(sm, act.state, TimerFired(at=timer.fire_at, token=timer.token))
            assert types(act) == ["TaskScheduled", "TaskStarted"]
    assert delays == [2.0, 4.0]
    assert types(act) == [
        "TaskFailed",
        "TaskStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert complete(act).output == {"k": 1, "err": {"Error": "Boom", "Cause": "c"}}


def test_backoff_is_capped_and_full_jitter_is_deterministic() -> None:
    retrier = Retrier(error_equals=("X",), interval_seconds=2, backoff_rate=3, max_delay_seconds=10)
    assert [backoff_seconds(retrier, n, "s") for n in range(3)] == [2, 6, 10]
    jitter = Retrier(error_equals=("X",), interval_seconds=4, jitter_strategy="FULL")
    first = backoff_seconds(jitter, 1, "seed")
    assert 0 <= first <= 8 and first == backoff_seconds(jitter, 1, "seed")


def test_task_deadline_times_out_with_states_timeout_which_task_failed_does_not_catch() -> None:
    sm = machine(
        {
            "A": {
                **TASK,
                "TimeoutSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "B"}],
                "End": True,
            },
            "B": {"Type": "Pass", "End": True},
        }
    )
    first = start_execution(sm, ExecutionStart(at=T0))
    (run,) = only(first.commands, RunTask)
    (deadline,) = only(first.commands, StartTimer)
    assert deadline.fire_at == T0 + 5 and run.timeout_seconds == 5
    late = step(sm, first.state, TimerFired(at=T0 + 5, token=deadline.token))
    assert types(late) == ["TaskTimedOut", "ExecutionFailed"]
    assert CancelTask(token=run.token) in late.commands
    assert complete(late).error == "States.Timeout"
    # the task answering after its deadline is stale
    after = step(sm, late.state, TaskSucceeded(at=T0 + 6, token=run.token, output=1))
    assert after.history == []


def test_lambda_function_arns_record_lambda_events() -> None:
    sm = machine({"A": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0, input={"a": 1}))
    assert types(first)[-2:] == ["LambdaFunctionScheduled", "LambdaFunctionStarted"]
    assert first.history[2]["lambdaFunctionScheduledEventDetails"]["resource"] == LAMBDA_ARN
    (run,) = only(first.commands, RunTask)
    failed = step(sm, first.state, TaskFailed(at=T0, token=run.token, error="Exception", cause="x"))
    assert types(failed) == ["LambdaFunctionFailed", "ExecutionFailed"]
    assert failed.history[-1]["executionFailedEventDetails"] == {"error": "Exception", "cause": "x"}


def test_oversized_task_result_is_a_catchable_data_limit_error() -> None:
    sm = machine(
        {
            "A": {**TASK, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}], "End": True},
            "B": {"Type": "Pass", "End": True},
        }
    )
    first = start_execution(sm, ExecutionStart(at=T0))
    (run,) = only(first.commands, RunTask)
    done = step(sm, first.state, TaskSucceeded(at=T0, token=run.token, output="a" * 300_000))
    assert complete(done).output["Error"] == "States.DataLimitExceeded"


def test_runtime_errors_are_not_caught_by_states_all() -> None:
    sm = machine(
        {
            "A": {
                **TASK,
                "InputPath": "$.missing",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "B"}],
                "End": True,
            },
            "B": {"Type": "Pass", "End": True},
        }
    )
    done = start_execution(sm, ExecutionStart(at=T0, input={}))
    assert types(done) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
    assert complete(done).error == "States.Runtime"
    assert complete(done).cause.startswith(
        "An error occurred while executing the state 'A' (entered at the event id #2)."
    )


def test_wait_is_a_timer_and_stop_aborts_it() -> None:
    sm = machine({"A": {"Type": "Wait", "Seconds": 30, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0, input=[1]))
    (timer,) = only(first.commands, StartTimer)
    assert timer.fire_at == T0 + 30
    fired = step(sm, first.state, TimerFired(at=T0 + 30, token=timer.token))
    assert types(fired) == ["WaitStateExited", "ExecutionSucceeded"]
    assert complete(fired).output == [1]
    stopped = step(sm, first.state, StopExecution(at=T0 + 1, error="E", cause="why"))
    assert types(stopped) == ["ExecutionAborted"]
    assert complete(stopped).status == "ABORTED"
    assert any(c.token == timer.token for c in stopped.commands if hasattr(c, "token"))


def test_execution_timeout_seconds_times_the_execution_out() -> None:
    sm = machine({"A": {"Type": "Wait", "Seconds": 30, "End": True}}, TimeoutSeconds=10)
    first = start_execution(sm, ExecutionStart(at=T0))
    deadline = next(t for t in only(first.commands, StartTimer) if t.fire_at == T0 + 10)
    done = step(sm, first.state, TimerFired(at=T0 + 10, token=deadline.token))
    assert types(done) == ["ExecutionTimedOut"]
    assert complete(done).status == "TIMED_OUT"


def test_map_respects_max_concurrency_and_keeps_result_order() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Map",
                "MaxConcurrency": 2,
                "ItemProcessor": {"StartAt": "T", "States": {"T": {**TASK, "End": True}}},
                "End": True,
            }
        }
    )
    act = start_execution(sm, ExecutionStart(at=T0, input=[10, 20, 30]))
    runs = only(act.commands, RunTask)
    assert [r.input for r in runs] == [10, 20]
    act = step(sm, act.state, TaskSucceeded(at=T0, token=runs[1].token, output="b"))
    (third,) = only(act.commands, RunTask)
    assert third.input == 30
    act = step(sm, act.state, TaskSucceeded(at=T0, token=third.token, output="c"))
    assert only(act.commands, CompleteExecution) == []
    act = step(sm, act.state, TaskSucceeded(at=T0, token=runs[0].token, output="a"))
    assert complete(act).output == ["a", "b", "c"]
    assert types(act)[-4:] == [
        "MapIterationSucceeded",
        "MapStateSucceeded",
        "MapStateExited",
        "ExecutionSucceeded",
    ]


def test_a_failed_iteration_aborts_its_siblings() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": {**TASK, "End": True}}},
                "End": True,
            }
        }
    )
    act = start_execution(sm, ExecutionStart(at=T0, input=[1, 2]))
    runs = only(act.commands, RunTask)
    act = step(sm, act.state, TaskFailed(at=T0, token=runs[0].token, error="E", cause="C"))
    # as AWS records it: the failed iteration's Task is aborted too, and each aborted
    # iteration records MapIterationAborted before its state's Aborted event
    assert types(act) == [
        "TaskFailed",
        "MapIterationFailed",
        "TaskStateAborted",
        "MapIterationAborted",
        "TaskStateAborted",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert CancelTask(token=runs[1].token) in act.commands
    assert (complete(act).error, complete(act).cause) == ("E", "C")


def test_iterations_start_together_and_their_tasks_start_after_all_are_scheduled() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": {**TASK, "End": True}}},
                "End": True,
            }
        }
    )
    act = start_execution(sm, ExecutionStart(at=T0, input=[1, 2]))
    assert types(act)[3:] == [
        "MapIterationStarted",
        "MapIterationStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskStarted",
    ]
    started = [e for e in act.history if e["type"] == "TaskStarted"]
    scheduled = [e for e in act.history if e["type"] == "TaskScheduled"]
    assert [e["previousEventId"] for e in started] == [e["id"] for e in scheduled]


def test_task_deadlines_due_at_the_same_instant_time_out_together() -> None:
    timed = {**TASK, "TimeoutSeconds": 5, "End": True}
    sm = machine(
        {
            "A": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "T", "States": {"T": timed}},
                "End": True,
            }
        }
    )
    act = start_execution(sm, ExecutionStart(at=T0, input=[1, 2, 3]))
    deadlines = only(act.commands, StartTimer)
    assert len({timer.fire_at for timer in deadlines}) == 1
    done = step(sm, act.state, TimerFired(at=T0 + 5, token=deadlines[1].token))
    assert types(done) == [
        *["TaskTimedOut"] * 3,
        "MapIterationFailed",
        "TaskStateAborted",
        "MapIterationAborted",
        "TaskStateAborted",
        "MapIterationAborted",
        "TaskStateAborted",
        "MapStateFailed",
        "ExecutionFailed",
    ]
    assert complete(done).error == "States.Timeout"
    # the others' own timers, firing next, are stale
    assert step(sm, done.state, TimerFired(at=T0 + 5, token=deadlines[0].token)).history == []


def test_a_task_deadline_forgotten_once_the_task_answers() -> None:
    sm = machine({"A": {**TASK, "TimeoutSeconds": 5, "End": True}})
    act = start_execution(sm, ExecutionStart(at=T0))
    assert len(act.state.deadlines) == 1
    (run,) = only(act.commands, RunTask)
    done = step(sm, act.state, TaskSucceeded(at=T0 + 1, token=run.token, output=1))
    assert done.state.deadlines == {}


def test_parallel_gathers_branch_outputs_in_branch_order() -> None:
    branch = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 0, "End": True}}}
    second = {"StartAt": "P2", "States": {"P2": {**TASK, "End": True}}}
    sm = machine({"A": {"Type": "Parallel", "Branches": [second, branch], "End": True}})
    act = start_execution(sm, ExecutionStart(at=T0, input={}))
    (run,) = only(act.commands, RunTask)
    act = step(sm, act.state, TaskSucceeded(at=T0, token=run.token, output="late"))
    assert complete(act).output == ["late", 0]


def test_assign_scoping_iteration_variables_stay_inside_the_map() -> None:
    sm = machine(
        {
            "A": {"Type": "Pass", "Assign": {"outer": 1}, "Next": "M"},
            "M": {
                "Type": "Map",
                "ItemProcessor": {
                    "StartAt": "I",
                    "States": {
                        "I": {"Type": "Pass", "Assign": {"inner": 2}, "Next": "J"},
                        "J": {
                            "Type": "Pass",
                            "Parameters": {"o.$": "$outer", "i.$": "$inner"},
                            "End": True,
                        },
                    },
                },
                "Next": "B",
            },
            "B": {"Type": "Pass", "Parameters": {"seen.$": "$inner"}, "End": True},
        }
    )
    done = start_execution(sm, ExecutionStart(at=T0, input=[0]))
    assert complete(done).status == "FAILED"  # $inner does not exist outside the iteration
    assert complete(done).error == "States.Runtime"
    outputs = [e for e in done.history if e["type"] == "MapStateExited"]
    assert json.loads(outputs[0]["stateExitedEventDetails"]["output"]) == [{"o": 1, "i": 2}]


def test_choice_without_match_fails_with_no_choice_matched() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "B"}],
            },
            "B": {"Type": "Succeed"},
        }
    )
    assert (
        complete(start_execution(sm, ExecutionStart(at=T0, input={"n": 1}))).status == "SUCCEEDED"
    )
    failed = complete(start_execution(sm, ExecutionStart(at=T0, input={"n": 2})))
    assert failed.error == "States.NoChoiceMatched"


@pytest.mark.parametrize(
    ("wait", "data", "cause"),
    [
        (
            {"SecondsPath": "$.s"},
            {"s": -1},
            "The SecondsPath parameter references a negative value: $.s == -1",
        ),
        (
            {"SecondsPath": "$.s"},
            {"s": "x"},
            "The SecondsPath parameter cannot be parsed as a long value: $.s == x",
        ),
        (
            {"SecondsPath": "$.s"},
            {},
            "The SecondsPath parameter does not reference an input value: $.s",
        ),
        (
            {"TimestampPath": "$.t"},
            {"t": "2016-12-05T21:29:29"},
            "The TimestampPath parameter does not reference a valid ISO-8601 extended offset "
            "date-time format string: $.t == 2016-12-05T21:29:29",
        ),
        ({"Seconds": 2**31}, {}, "Wait state delay is too long."),
    ],
)
def test_bad_wait_inputs_fail_with_aws_causes(wait: dict, data: Any, cause: str) -> None:
    sm = machine({"A": {"Type": "Wait", **wait, "End": True}})
    done = complete(start_execution(sm, ExecutionStart(at=T0, input=data)))
    assert done.error == "States.Runtime"
    assert done.cause == (
        "An error occurred while executing the state 'A' (entered at the event id #2). " + cause
    )


def test_jsonata_state_uses_arguments_output_and_assign() -> None:
    sm = machine(
        {
            "A": {
                **TASK,
                "Arguments": {"n": "{% $states.input.n + 1 %}"},
                "Assign": {"seen": "{% $states.result %}"},
                "Output": {"r": "{% $states.result * 10 %}"},
                "Next": "B",
            },
            "B": {"Type": "Pass", "Output": "{% $seen %}", "End": True},
        },
        QueryLanguage="JSONata",
    )
    first = start_execution(sm, ExecutionStart(at=T0, input={"n": 1}))
    (run,) = only(first.commands, RunTask)
    assert run.input == {"n": 2}
    done = step(sm, first.state, TaskSucceeded(at=T0, token=run.token, output=3))
    exited = next(e for e in done.history if e["type"] == "TaskStateExited")
    assert json.loads(exited["stateExitedEventDetails"]["output"]) == {"r": 30}
    assert exited["stateExitedEventDetails"]["assignedVariables"] == {"seen": "3"}
    assert complete(done).output == 3


def test_heartbeats_push_the_heartbeat_deadline_and_silence_times_out() -> None:
    sm = machine({"A": {**TASK, "HeartbeatSeconds": 10, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0))
    (run,) = only(first.commands, RunTask)
    (beat_timer,) = only(first.commands, StartTimer)
    assert beat_timer.fire_at == T0 + 10 and run.heartbeat_seconds == 10
    beaten = step(sm, first.state, TaskHeartbeat(at=T0 + 8, token=run.token))
    (new_timer,) = only(beaten.commands, StartTimer)
    assert new_timer.fire_at == T0 + 18
    # the superseded timer firing late is ignored
    assert step(sm, beaten.state, TimerFired(at=T0 + 10, token=beat_timer.token)).history == []
    silent = step(sm, beaten.state, TimerFired(at=T0 + 18, token=new_timer.token))
    assert types(silent) == ["TaskTimedOut", "ExecutionFailed"]
    # AWS records a lapsed heartbeat of a non-activity task as a timeout, without cause
    timed_out = silent.history[0]["taskTimedOutEventDetails"]
    assert timed_out == {"resourceType": "lambda", "resource": "invoke", "error": "States.Timeout"}
    assert complete(silent).error == "States.Timeout"
    assert CancelTask(token=run.token) in silent.commands


def test_an_activity_past_its_heartbeat_fails_with_heartbeat_timeout() -> None:
    activity = "arn:aws:states:us-east-1:111111111111:activity:worker"
    sm = machine({"A": {"Type": "Task", "Resource": activity, "HeartbeatSeconds": 5, "End": True}})
    first = start_execution(sm, ExecutionStart(at=T0))
    (beat_timer,) = only(first.commands, StartTimer)
    silent = step(sm, first.state, TimerFired(at=T0 + 5, token=beat_timer.token))
    assert types(silent) == ["ActivityTimedOut", "ExecutionFailed"]
    assert complete(silent).error == "States.HeartbeatTimeout"


def test_a_lapsed_heartbeat_of_a_callback_task_is_caught_as_states_timeout() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "HeartbeatSeconds": 5,
                "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "B"}],
                "End": True,
            },
            "B": {"Type": "Pass", "End": True},
        }
    )
    first = start_execution(sm, ExecutionStart(at=T0))
    (beat_timer,) = only(first.commands, StartTimer)
    caught = step(sm, first.state, TimerFired(at=T0 + 5, token=beat_timer.token))
    assert complete(caught).status == "SUCCEEDED"
    assert complete(caught).output == {"Error": "States.Timeout", "Cause": ""}


class _Resources:
    """A `TaskResources` view that knows one activity, as a registry with one entry."""

    def __init__(self, known: str) -> None:
        self.known = known

    def unavailable(self, resource: str, execution_arn: str) -> str | None:
        if ":activity:" not in resource or resource == self.known:
            return None
        return f"The activity {resource} does not exist."


def test_a_task_on_a_missing_activity_fails_before_it_is_scheduled() -> None:
    gone = "arn:aws:states:us-east-1:111111111111:activity:gone"
    here = "arn:aws:states:us-east-1:111111111111:activity:here"
    sm = machine(
        {
            "A": {"Type": "Task", "Resource": here, "Next": "B"},
            "B": {
                "Type": "Task",
                "Resource": gone,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "C"}],
                "End": True,
            },
            "C": {"Type": "Pass", "End": True},
        }
    )
    resources = _Resources(here)
    first = start_execution(sm, ExecutionStart(at=T0), resources=resources)
    assert types(first) == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled"]
    (run,) = only(first.commands, RunTask)
    done = step(
        sm, first.state, TaskSucceeded(at=T0, token=run.token, output={}), resources=resources
    )
    # no ActivityScheduled for B, and States.Runtime is not caught by States.ALL
    assert types(done)[-3:] == ["TaskStateExited", "TaskStateEntered", "ExecutionFailed"]
    assert only(done.commands, RunTask) == []
    failed = complete(done)
    assert (failed.status, failed.error) == ("FAILED", "States.Runtime")
    assert failed.cause == (
        "An error occurred while executing the state 'B' (entered at the event id #6). "
        f"The activity {gone} does not exist."
    )


def test_item_batcher_groups_items_with_the_batch_input() -> None:
    sm = machine(
        {
            "A": {
                "Type": "Map",
                "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag.$": "$.tag"}},
                "ItemsPath": "$.items",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                    "StartAt": "P",
                    "States": {"P": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        }
    )
    done = start_execution(sm, ExecutionStart(at=T0, input={"tag": "t", "items": [1, 2, 3]}))
    assert complete(done).output == [
        {"Items": [1, 2], "BatchInput": {"tag": "t"}},
        {"Items": [3], "BatchInput": {"tag": "t"}},
    ]
    assert "MapIterationStarted" not in types(done)  # distributed: child executions
    assert types(done)[2:4] == ["MapStateStarted", "MapRunStarted"]


def test_distributed_map_fails_past_its_tolerated_failures() -> None:
    processor = {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$", "NumericGreaterThan": 1, "Next": "F"}],
                "Default": "S",
            },
            "F": {"Type": "Fail", "Error": "Big"},
            "S": {"Type": "Succeed"},
        },
    }
    tolerant = machine(
        {"A": {"Type": "Map", "ToleratedFailureCount": 1, "ItemProcessor": processor, "End": True}}
    )
    ok = complete(start_execution(tolerant, ExecutionStart(at=T0, input=[1, 2])))
    assert ok.status == "SUCCEEDED"
    strict = complete(start_execution(tolerant, ExecutionStart(at=T0, input=[2, 3])))
    assert (strict.status, strict.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")
