"""Map and Parallel: states that run child scopes and gather their results.

A container starts its children through `fill`: as many as MaxConcurrency allows
(0: no limit) start together, then each is advanced in turn until it waits, so an
inline Map's history reads as AWS writes it: every MapIterationStarted first, then each
iteration's states (with MaxConcurrency 1, iteration after iteration). The first failed
child fails the state (Map: unless a Distributed Map's tolerated failure threshold
allows it) and aborts its running siblings: each records MapIterationAborted, then its
state's Aborted event; the failed child's own Task, if its task failed, is recorded
Aborted too, as AWS records both (a timed-out Map iteration, a failed Parallel branch).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.values import type_name
from stratus.workflows.interpreter import dataflow, map_runs
from stratus.workflows.interpreter.history import to_json_text
from stratus.workflows.interpreter.item_reader import (
    inventory_items,
    is_manifest,
    items_from,
    limit_items,
    manifest_reads,
    reader_resource,
)
from stratus.workflows.interpreter.map_runs import MapRunChange
from stratus.workflows.interpreter.messages import RunTask, UpdateMapRun
from stratus.workflows.interpreter.model import ABORTED, FAILED, RUNNING, SUCCEEDED, Children
from stratus.workflows.interpreter.result_writer import (
    WRITE_RESOURCE,
    exports,
    map_output,
    result_files,
    transform,
    writer_config,
)
from stratus.workflows.states import MapState, ParallelState, State

if TYPE_CHECKING:
    from stratus.workflows.interpreter.core import Run
    from stratus.workflows.interpreter.model import Scope

THRESHOLD_ERROR = "States.ExceedToleratedFailureThreshold"
THRESHOLD_CAUSE = "The specified tolerated failure threshold was exceeded"


def act(run: Run, scope: Scope, state: MapState | ParallelState) -> None:
    """Start the branches or iterations of `state` (a Distributed Map with an ItemReader
    first reads its items: a RunTask, answered in `items_read`; a redriven one continues
    its Map Run)."""
    if isinstance(state, MapState) and scope.redrive_run is not None:
        scope.children = _redriven(run, scope, scope.redrive_run)
        scope.redrive_run = None
        scope.phase = "children"
        run.schedule(scope, "fill")
        return
    scope.last_run = None
    if isinstance(state, MapState) and state.item_reader is not None and scope.reader_items is None:
        _read_items(run, scope, state)
        return
    if isinstance(state, ParallelState):
        children = _parallel_children(run, scope, state)
    else:
        children = _map_children(run, scope, state)
    scope.children = children
    scope.phase = "children"
    if not children.inputs:
        complete(run, scope, state)
    else:
        run.schedule(scope, "fill")


def _read_items(run: Run, scope: Scope, state: MapState) -> None:
    assert state.item_reader is not None
    reader = state.item_reader
    context = run.context(scope, state)
    variables = scope.variables
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        arguments = reader.get("Arguments")
        task_input = (
            dataflow.jsonata_value(arguments, "Arguments", states, variables) if arguments else {}
        )
    else:
        data = dataflow.select_path(scope.state_input, state.input_path, context, variables)
        task_input = dataflow.render(reader.get("Parameters") or {}, data, context, variables)
    _read(run, scope, state, reader_resource(str(reader.get("Resource", ""))), task_input)


def _read(run: Run, scope: Scope, state: MapState, resource: str, task_input: Any) -> None:
    token = run.token(scope, "reader")
    scope.phase = "item-reader"
    scope.pending = token
    run.wait_on(scope, token)
    run.commands.append(
        RunTask(
            token=token,
            resource=resource,
            input=task_input,
            state_name=state.name,
            context=run.context(scope, state),
        )
    )


def items_read(run: Run, scope: Scope, state: State, output: Any) -> None:
    """The ItemReader answered: keep the items, then start the iterations."""
    assert isinstance(state, MapState) and state.item_reader is not None
    if scope.pending:
        run.x.waiting.pop(scope.pending, None)
    scope.pending = None
    scope.phase = "act"
    reader = state.item_reader
    if not is_manifest(reader):
        scope.reader_items = items_from(reader, output)
        act(run, scope, state)
        return
    # An S3 Inventory: the manifest first, then each file it lists, one read at a time.
    if scope.manifest is None:
        files, schema = manifest_reads(reader, output)
        scope.manifest = {"files": files, "schema": schema, "items": []}
    else:
        done = scope.manifest["files"].pop(0)
        scope.manifest["items"] += inventory_items(done["Key"], output, scope.manifest["schema"])
    if scope.manifest["files"]:
        _read(run, scope, state, str(reader.get("Resource", "")), scope.manifest["files"][0])
        return
    scope.reader_items = limit_items(reader, scope.manifest["items"])
    scope.manifest = None
    act(run, scope, state)


def _redriven(run: Run, scope: Scope, children: Children) -> Children:
    """RedriveExecution of a Distributed Map: the same Map Run goes on, running again the
    children that did not succeed (failed, aborted, never started), keeping the others'
    results (Step Functions developer guide, "Redriving Map Runs")."""
    statuses = children.statuses or [""] * len(children.inputs)
    rerun = [index for index, status in enumerate(statuses) if status != SUCCEEDED]
    children.queue = rerun
    children.running = {}
    children.finished = len(children.inputs) - len(rerun)
    children.failures = 0
    children.redrive_count += 1
    assert children.map_run_arn is not None
    run.record(
        scope,
        "MapRunRedriven",
        {"mapRunArn": children.map_run_arn, "redriveCount": children.redrive_count},
    )
    run.map_runs.append(
        MapRunChange(
            kind=map_runs.REDRIVEN,
            map_run_arn=children.map_run_arn,
            at=run.at,
            details={"redriveCount": children.redrive_count},
        )
    )
    return children


def _parallel_children(run: Run, scope: Scope, state: ParallelState) -> Children:
    context = run.context(scope, state)
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        effective = (
            dataflow.jsonata_value(state.arguments, "Arguments", states, scope.variables)
            if state.has_arguments
            else scope.state_input
        )
    else:
        effective = dataflow.effective_input(state, scope.state_input, context, scope.variables)
    run.record(scope, "ParallelStateStarted")
    count = len(state.branches)
    return Children(kind="parallel", inputs=[effective] * count, results=[None] * count)


def _map_children(run: Run, scope: Scope, state: MapState) -> Children:
    context = run.context(scope, state)
    variables = scope.variables
    if scope.reader_items is not None:
        states = dataflow.jsonata_states(scope.state_input, context) if state.is_jsonata else {}
        items = scope.reader_items
        data = (
            scope.state_input
            if state.is_jsonata
            else dataflow.select_path(scope.state_input, state.input_path, context, variables)
        )
    elif state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        items = _jsonata_items(state, states, variables)
        data = scope.state_input
    else:
        states = {}
        data = dataflow.select_path(scope.state_input, state.input_path, context, variables)
        items = dataflow.select_path(data, state.items_path, context, variables)
        if not isinstance(items, list):
            raise StatesError(
                "States.Runtime",
                f"Map state input must be an array but was: {to_json_text(items)}"
                if state.items_path == "$"
                else f"The ItemsPath field refers to value {to_json_text(items)} which is "
                f"not a valid JSON array: {state.items_path}",
            )
    inputs = []
    for index, item in enumerate(items):
        if not state.has_item_selector:
            inputs.append(item)
            continue
        item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
        if state.is_jsonata:
            item_states = {**states, "context": item_context}
            inputs.append(
                dataflow.jsonata_value(state.item_selector, "ItemSelector", item_states, variables)
            )
        else:
            inputs.append(dataflow.render(state.item_selector, data, item_context, variables))
    if state.item_batcher is not None:
        inputs = _batches(state, inputs, data, context, states, variables)
    run.record(scope, "MapStateStarted", {"length": len(inputs)})
    children = Children(
        kind="map",
        inputs=inputs,
        results=[None] * len(inputs),
        distributed=state.distributed,
    )
    children.max_concurrency = _max_concurrency(state, data, context, states, variables)
    children.tolerated_count = _tolerated_count(state, data, context, states, variables)
    children.tolerated_percentage = _tolerated_percentage(state, data, context, states, variables)
    if state.distributed:
        _map_run_started(run, scope, state, children)
    return children


def _map_run_started(run: Run, scope: Scope, state: MapState, children: Children) -> None:
    """Name the Map Run (see `map_runs`) and tell the driver about it."""
    label = state.label or state.name
    seed = f"{scope.id}-{run.x.next_event_id}"
    arn = map_runs.map_run_arn(run.x.execution_arn, run.x.state_machine_name, label, seed)
    children.map_run_arn = arn
    children.child_type = state.execution_type or "STANDARD"
    children.statuses = [""] * len(children.inputs)
    run.record(scope, "MapRunStarted", {"mapRunArn": arn})
    batched = state.item_batcher is not None
    children.item_counts = [map_runs.item_count(i, batched) for i in children.inputs]
    run.map_runs.append(
        MapRunChange(
            kind=map_runs.STARTED,
            map_run_arn=arn,
            at=run.at,
            details={
                "executionArn": run.x.execution_arn,
                "stateMachineArn": run.x.state_machine_arn,
                "label": label,
                "stateName": state.name,
                "executionType": children.child_type,
                "maxConcurrency": children.max_concurrency,
                "toleratedFailureCount": children.tolerated_count,
                "toleratedFailurePercentage": children.tolerated_percentage,
                "total": len(children.inputs),
                "totalItems": sum(children.item_counts),
                "exports": state.result_writer is not None and exports(state.result_writer),
            },
        )
    )


def _child_changed(
    run: Run, children: Children, index: int, status: str, details: dict[str, Any]
) -> None:
    """A Map Run's child execution started or ended (a Distributed Map only)."""
    if not children.distributed or children.map_run_arn is None:
        return
    if children.statuses is not None:
        children.statuses[index] = status
    arn = children.map_run_arn
    run.map_runs.append(
        MapRunChange(
            kind=map_runs.CHILD,
            map_run_arn=arn,
            at=run.at,
            status=status,
            index=index,
            details={
                "arn": map_runs.child_arn(arn, index, children.child_type),
                "name": map_runs.child_name(arn, index),
                "items": children.item_counts[index] if children.item_counts else 1,
                **details,
            },
        )
    )


def _map_run_ended(run: Run, children: Children, status: str, details: dict[str, Any]) -> None:
    if not children.distributed or children.map_run_arn is None:
        return
    run.map_runs.append(
        MapRunChange(
            kind=map_runs.ENDED,
            map_run_arn=children.map_run_arn,
            at=run.at,
            status=status,
            details=details,
        )
    )


def update_map_run(run: Run, event: UpdateMapRun) -> None:
    """UpdateMapRun: the running Map Run takes its new limits; more children may start at
    once (a higher MaxConcurrency), the next failures are judged by the new tolerance."""
    for scope in run.x.scopes.values():
        children = scope.children
        if scope.status != RUNNING or children is None:
            continue
        if children.map_run_arn != event.map_run_arn:
            continue
        if event.max_concurrency is not None:
            children.max_concurrency = event.max_concurrency
        if event.tolerated_failure_count is not None:
            children.tolerated_count = event.tolerated_failure_count
        if event.tolerated_failure_percentage is not None:
            children.tolerated_percentage = event.tolerated_failure_percentage
        run.schedule(scope, "fill")
        return


def map_run_aborted(run: Run, scope: Scope) -> None:
    """The execution ends (stopped, timed out, failed elsewhere) while `scope` runs a
    Distributed Map: its running children and the Map Run itself are ABORTED."""
    children = scope.children
    if children is None or not children.distributed or children.map_run_arn is None:
        return
    for child_id in children.running:
        child = run.x.scopes.get(child_id)
        if child is not None and child.index is not None:
            _child_changed(run, children, child.index, ABORTED, {})
    _map_run_ended(run, children, ABORTED, {})


def _batches(
    state: MapState,
    items: list[Any],
    data: Any,
    context: dict[str, Any],
    states: dict[str, Any],
    variables: dict[str, Any],
) -> list[Any]:
    """ItemBatcher: iterations get `{"Items": [...], "BatchInput": ...}` instead of one item.

    Batches are cut by MaxItemsPerBatch and by MaxInputBytesPerBatch (compact JSON size of
    the batch), whichever limit is reached first.
    """
    batcher = state.item_batcher or {}
    config = {}
    for field in ("MaxItemsPerBatch", "MaxInputBytesPerBatch"):
        value = _field_value(
            state,
            batcher.get(field),
            batcher.get(f"{field}Path"),
            field,
            data,
            context,
            states,
            variables,
        )
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            raise StatesError(
                "States.Runtime", f"The {field} field must be a positive integer, but was: {value}"
            )
        config[field] = value
    batch_input = batcher.get("BatchInput")
    if batch_input is not None:
        if state.is_jsonata:
            batch_input = dataflow.jsonata_value(
                batch_input, "ItemBatcher/BatchInput", states, variables
            )
        else:
            batch_input = dataflow.render(batch_input, data, context, variables)
    max_items = config["MaxItemsPerBatch"]
    max_bytes = config["MaxInputBytesPerBatch"]
    batches: list[list[Any]] = []
    size = 0
    for item in items:
        item_size = len(to_json_text(item).encode())
        current = batches[-1] if batches else None
        if (
            current is None
            or (max_items is not None and len(current) >= max_items)
            or (max_bytes is not None and current and size + item_size > max_bytes)
        ):
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += item_size
    return [
        {"Items": batch, **({"BatchInput": batch_input} if batch_input is not None else {})}
        for batch in batches
    ]


def _jsonata_items(state: MapState, states: dict[str, Any], variables: dict[str, Any]) -> Any:
    if not state.has_items:
        items = states["input"]
        if not isinstance(items, list):
            raise StatesError(
                "States.QueryEvaluationError",
                f"Map state input must be an array but was: {to_json_text(items)}",
            )
        return items
    items = dataflow.jsonata_value(state.items, "Items", states, variables)
    if callable(items):
        raise StatesError(
            "States.QueryEvaluationError",
            f"The JSONata expression '{dataflow.expression_text(state.items)}' specified for the field 'Items' "
            "returned an unsupported result type.",
        )
    if not isinstance(items, list):
        raise StatesError(
            "States.QueryEvaluationError",
            f"The JSONata expression '{dataflow.expression_text(state.items)}' specified for the field 'Items' "
            f"returned an unexpected result type. Expected 'array', but was "
            f"'{type_name(items)}' for value: {to_json_text(items)}",
        )
    return items


def _field_value(
    state: MapState,
    literal: Any,
    path: str | None,
    field: str,
    data: Any,
    context: dict[str, Any],
    states: dict[str, Any],
    variables: dict[str, Any],
) -> Any:
    """A Map field given literally, through a *Path, or as a JSONata expression."""
    if path is not None:
        from stratus.workflows.expressions import jsonpath

        return jsonpath.select(data, path, context, variables)
    if state.is_jsonata and dataflow.is_expression(literal):
        return dataflow.jsonata_value(literal, field, states, variables)
    return literal


def _max_concurrency(
    state: MapState, data: Any, context: dict[str, Any], states: dict[str, Any], variables: Any
) -> int:
    value = _field_value(
        state,
        state.max_concurrency,
        state.max_concurrency_path,
        "MaxConcurrency",
        data,
        context,
        states,
        variables,
    )
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise StatesError(
            "States.Runtime",
            f"MaxConcurrency must be a non-negative integer, but was: {to_json_text(value)}",
        )
    return int(value)


def _tolerated_count(
    state: MapState, data: Any, context: dict[str, Any], states: dict[str, Any], variables: Any
) -> int | None:
    path = state.tolerated_failure_count_path
    value = _field_value(
        state,
        state.tolerated_failure_count,
        path,
        "ToleratedFailureCount",
        data,
        context,
        states,
        variables,
    )
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise StatesError(
            "States.Runtime",
            f'The ToleratedFailureCountPath field refers to value "{_plain(value)}" which is '
            f"not a valid integer: {path}",
        )
    if value < 0:
        raise StatesError("States.Runtime", "ToleratedFailureCount cannot be negative.")
    return int(value)


def _tolerated_percentage(
    state: MapState, data: Any, context: dict[str, Any], states: dict[str, Any], variables: Any
) -> float | None:
    path = state.tolerated_failure_percentage_path
    value = _field_value(
        state,
        state.tolerated_failure_percentage,
        path,
        "ToleratedFailurePercentage",
        data,
        context,
        states,
        variables,
    )
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise StatesError(
            "States.Runtime",
            f'The ToleratedFailurePercentagePath field refers to value "{_plain(value)}" which '
            f"is not a valid float: {path}",
        )
    if not 0 <= value <= 100:
        raise StatesError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
    return float(value)


#: "In Inline mode, the Map state supports up to 40 concurrent iterations" (Step Functions
#: developer guide, "Using Map state in Inline mode").
INLINE_MAP_CONCURRENCY = 40
#: "If you don't specify [MaxConcurrency], Step Functions runs 10,000 parallel child
#: workflow executions" (developer guide, "Using Map state in Distributed mode").
DISTRIBUTED_MAP_CONCURRENCY = 10_000


def fill(run: Run, scope: Scope) -> None:
    """Start as many children as MaxConcurrency allows (within the activation's budget:
    the rest is another `fill` later)."""
    children = scope.children
    if children is None or scope.phase != "children":
        return
    state = run.current_state(scope)
    limit = children.max_concurrency or len(children.inputs)
    if isinstance(state, MapState):
        cap = DISTRIBUTED_MAP_CONCURRENCY if state.distributed else INLINE_MAP_CONCURRENCY
        limit = min(limit, cap)
    while len(children.running) < limit and _has_next(children):
        if run.exhausted():
            run.schedule(scope, "fill")
            return
        run.work += 1
        _start_child(run, scope, state, children)


def _has_next(children: Children) -> bool:
    if children.queue is not None:
        return bool(children.queue)
    return children.next_index < len(children.inputs)


def _start_child(run: Run, scope: Scope, state: State, children: Children) -> None:
    if children.queue is not None:
        index = children.queue.pop(0)
    else:
        index = children.next_index
        children.next_index += 1
    if isinstance(state, ParallelState):
        program = state.branches[index].key
    else:
        assert isinstance(state, MapState)
        program = state.processor.key
    child = run.new_scope(
        program,
        children.inputs[index],
        parent=scope,
        index=index,
        variables=scope.variables,
        record=not children.distributed,
    )
    children.running[child.id] = None
    if children.kind == "map":
        run.record(child, "MapIterationStarted", {"name": state.name, "index": index})
        _child_changed(run, children, index, RUNNING, {"input": children.inputs[index]})
    run.schedule(child)


def child_finished(run: Run, child: Scope) -> None:
    """A branch or iteration ended: gather its result or fail the container."""
    assert child.parent is not None
    parent = run.x.scopes[child.parent]
    children = parent.children
    state = run.current_state(parent)
    del run.x.scopes[child.id]
    if children is None or child.id not in children.running:
        return
    del children.running[child.id]
    children.finished += 1
    assert child.index is not None
    details = {"name": state.name, "index": child.index}
    if child.status == SUCCEEDED:
        if children.kind == "map":
            run.record(child, "MapIterationSucceeded", details)
            _child_changed(run, children, child.index, SUCCEEDED, {"output": child.output})
        children.results[child.index] = child.output
    else:
        if children.kind == "map":
            run.record(child, "MapIterationFailed", details)
            _child_changed(
                run, children, child.index, FAILED, {"error": child.error, "cause": child.cause}
            )
        children.failures += 1
        children.results[child.index] = {"Error": child.error, "Cause": child.cause}
        if not _tolerated(children):
            if child.failed_task and child.state is not None:
                failed = run.machine.state(child.program, child.state)
                run.record(child, f"{failed.type}StateAborted")
            abort_children(run, parent, ending=None)
            error, cause = child.error, child.cause
            if children.distributed:
                error, cause = THRESHOLD_ERROR, THRESHOLD_CAUSE
                run.record(parent, "MapRunFailed", {"error": error, "cause": cause})
                _map_run_ended(run, children, FAILED, {"error": error, "cause": cause})
                parent.last_run = children  # RedriveExecution redrives this Map Run
            parent.children = None
            parent.phase = "act"
            run.fail_state(parent, state, error, cause)
            run.schedule(parent)
            return
    if children.finished == len(children.inputs):
        complete(run, parent, state)
        run.schedule(parent)
    else:
        run.schedule(parent, "fill")


def _tolerated(children: Children) -> bool:
    total = len(children.inputs) or 1
    if children.tolerated_count is not None and children.failures <= children.tolerated_count:
        return True
    percentage = children.tolerated_percentage
    return percentage is not None and children.failures * 100 / total <= percentage


def complete(run: Run, scope: Scope, state: State) -> None:
    """All children succeeded (or failed within tolerance): finish the state."""
    from stratus.workflows.interpreter.results import finish_with_result

    children = scope.children
    assert children is not None
    writer = state.result_writer if isinstance(state, MapState) else None
    result: Any = children.results
    try:
        if (
            isinstance(state, MapState)
            and writer is not None
            and exports(writer)
            and children.map_run_arn is not None
            and scope.writes is None
        ):
            scope.writes = _result_files(run, scope, state, children)
            write_next(run, scope, state)
            return
        if writer is not None and not exports(writer):  # WriterConfig alone: reshaped output
            result = transform(children.results, writer_config(writer)[0])
    except StatesError as error:  # the Map ran, its ResultWriter cannot: the state fails
        _map_run_ended(run, children, FAILED, {"error": error.error, "cause": error.cause})
        scope.writes = None
        scope.children = None
        scope.phase = "act"
        run.fail_state(scope, state, error.error, error.cause)
        return
    if scope.writes is not None:  # the ResultWriter wrote the last file, the manifest
        assert children.map_run_arn is not None and scope.effective_input is not None
        result = map_output(children.map_run_arn, scope.effective_input)
        scope.writes = None
    if children.kind == "map":
        if children.distributed:
            run.record(scope, "MapRunSucceeded")
            written = sum(children.item_counts or ())
            _map_run_ended(run, children, SUCCEEDED, {"resultsWritten": written})
        run.record(scope, "MapStateSucceeded")
    scope.children = None
    scope.reader_items = None
    scope.phase = "act"
    run.guarded(scope, state, finish_with_result, result)


def _result_files(
    run: Run, scope: Scope, state: MapState, children: Children
) -> list[dict[str, Any]]:
    assert state.result_writer is not None and children.map_run_arn is not None
    writer = state.result_writer
    context = run.context(scope, state)
    if state.is_jsonata:
        states = dataflow.jsonata_states(scope.state_input, context)
        arguments = writer.get("Arguments") or {}
        target = dataflow.jsonata_value(arguments, "Arguments", states, scope.variables)
    else:
        data = dataflow.select_path(scope.state_input, state.input_path, context, scope.variables)
        target = dataflow.render(writer.get("Parameters") or {}, data, context, scope.variables)
    if not isinstance(target, dict) or not target.get("Bucket"):
        raise StatesError("States.ResultWriterFailed", "The ResultWriter needs a Bucket.")
    transformation, output_type = writer_config(writer)
    return result_files(
        str(target["Bucket"]),
        str(target.get("Prefix") or ""),
        children.map_run_arn,
        children.inputs,
        children.results,
        transformation,
        output_type,
        children.child_type,
    )


def write_next(run: Run, scope: Scope, state: State) -> None:
    """Write the next ResultWriter file (a RunTask answered in `written`)."""
    assert scope.writes
    params = scope.writes[0]
    token = run.token(scope, "writer")
    scope.phase = "result-writer"
    scope.pending = token
    run.wait_on(scope, token)
    run.commands.append(
        RunTask(
            token=token,
            resource=WRITE_RESOURCE,
            input=params,
            state_name=state.name,
            context=run.context(scope, state),
        )
    )


def written(run: Run, scope: Scope, state: State, output: Any) -> None:
    """A ResultWriter file is written: the next one, or finish with the manifest's place."""
    assert scope.writes
    if scope.pending:
        run.x.waiting.pop(scope.pending, None)
    scope.pending = None
    done = scope.writes.pop(0)
    scope.phase = "children"
    if scope.writes:
        write_next(run, scope, state)
        return
    scope.effective_input = {"Bucket": done["Bucket"], "Key": done["Key"]}
    scope.writes = []
    complete(run, scope, state)


def state_failed(run: Run, scope: Scope, state: State) -> None:
    """Map/Parallel record their own failure before Catch (not before a retry)."""
    scope.reader_items = None  # a retried Distributed Map reads its items again
    scope.manifest = None
    if isinstance(state, MapState):
        run.record(scope, "MapStateFailed")
    elif isinstance(state, ParallelState):
        run.record(scope, "ParallelStateFailed")


def abort_children(run: Run, scope: Scope, *, ending: str | None = ABORTED) -> None:
    """Abort every running child of `scope` (and their children), recording it; a
    Distributed Map's run then ends `ending` (None: its caller ends it otherwise)."""
    children = scope.children
    if children is None:
        return
    state = run.current_state(scope)
    for child_id in list(children.running):
        child = run.x.scopes.pop(child_id, None)
        if child is None:
            continue
        if children.kind == "map":
            run.record(child, "MapIterationAborted", {"name": state.name, "index": child.index})
            if child.index is not None:
                _child_changed(run, children, child.index, ABORTED, {})
        _abort(run, child)
    children.running.clear()
    if ending is not None:
        _map_run_ended(run, children, ending, {})


def _abort(run: Run, scope: Scope) -> None:
    if scope.children is not None:
        abort_children(run, scope)
    waiting = scope.phase in ("task", "timer", "retry", "children")
    run.cancel_scope_waits(scope)
    if waiting and scope.state is not None:
        state = run.current_state(scope)
        run.record(scope, f"{state.type}StateAborted")
    scope.status = ABORTED
    scope.phase = "done"


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else to_json_text(value)
