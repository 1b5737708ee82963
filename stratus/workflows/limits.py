"""Step Functions' own quotas, in one place, with the AWS page each one comes from.

AWS's quotas ("Step Functions service quotas", developer guide, `service-quotas.html`,
formerly `limits-overview.html`) are the specification; the two marked *Stratus* are not
AWS quotas but bounds this server needs so that one execution or one request can neither
stall the event loop nor exhaust Python's stack.
"""

from __future__ import annotations

#: "Maximum execution history size: 25,000 events in a single state machine execution
#: history. If the execution history reaches this quota, the execution will fail."
#: (Standard only; "Unlimited" for Express.) AWS records event 25,000 as ExecutionFailed
#: with the error and cause below, after 24,999 events of the machine's own.
MAX_HISTORY_EVENTS = 25_000
HISTORY_LIMIT_ERROR = "States.Runtime"
HISTORY_LIMIT_CAUSE = (
    f"The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
)

#: "Maximum execution time: [Express] 5 minutes. If an execution runs for more than the
#: 5-minute maximum, it will fail with a States.Timeout error."
EXPRESS_MAX_SECONDS = 300

#: "Maximum input or output size for a task, state, or execution: 262,144 bytes of data as
#: a UTF-8 encoded string."
MAX_PAYLOAD_BYTES = 262_144

#: The `Definition` shape of the Step Functions API model: "Maximum length of 1048576"
#: (CreateStateMachine, UpdateStateMachine, ValidateStateMachineDefinition, TestState).
#: The protocol layer enforces it from the model for every operation, with AWS's
#: ValidationException; it is named here so the docs and tests have one source.
MAX_DEFINITION_LENGTH = 1_048_576

#: *Stratus*: how deeply JSON may nest, in a definition and in the data an execution
#: carries (its input, every state's output). AWS documents no such quota; Python's
#: decoder and the interpreter recurse once per level, and the store's encoder (orjson)
#: refuses data nested deeper than 254 levels, which an execution's state wraps a few
#: levels deeper still. A definition nested deeper is refused before it is parsed, an
#: input at StartExecution, and data built deeper at run time fails its state with
#: `States.DataLimitExceeded`, the error AWS gives data it will not carry.
MAX_JSON_DEPTH = 200

#: *Stratus*: how much work the interpreter does in one activation before it hands control
#: back to the event loop (a state transition, a history event, a Map iteration started
#: each count one). A Pass loop or a Map of 100,000 items then runs in slices, between
#: which every other request on the server is served.
WORK_PER_ACTIVATION = 2_000
