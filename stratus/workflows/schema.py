"""The shape of ASL, as tables: which fields each state type and query language allows.

Kept apart from `validator.py` (which walks a definition) so the rules read as data.
"""

from __future__ import annotations

STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")
TOP_FIELDS = {"Comment", "StartAt", "States", "Version", "TimeoutSeconds", "QueryLanguage"}
PROGRAM_FIELDS = {"Comment", "StartAt", "States"}
PROCESSOR_FIELDS = PROGRAM_FIELDS | {"ProcessorConfig"}

#: Fields only JSONPath states may use, and only JSONata states.
JSONPATH_ONLY = {
    "InputPath",
    "OutputPath",
    "Parameters",
    "ResultPath",
    "ResultSelector",
    "Result",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "ErrorPath",
    "CausePath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
}
JSONATA_ONLY = {"Arguments", "Output", "Items"}

COMMON = {"Type", "Comment", "QueryLanguage"}
FLOW = {"Next", "End"}
IO = {"InputPath", "OutputPath"}
RESULT = {"ResultPath", "ResultSelector", "Retry", "Catch"}

#: Fields each state type supports (states-language.net, plus Assign/JSONata fields).
ALLOWED: dict[str, set[str]] = {
    "Pass": COMMON | FLOW | IO | {"Parameters", "Result", "ResultPath", "Assign", "Output"},
    "Task": COMMON
    | FLOW
    | IO
    | RESULT
    | {
        "Resource",
        "Parameters",
        "Arguments",
        "Output",
        "Assign",
        "TimeoutSeconds",
        "TimeoutSecondsPath",
        "HeartbeatSeconds",
        "HeartbeatSecondsPath",
        "Credentials",
    },
    "Choice": COMMON | IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": COMMON
    | FLOW
    | IO
    | {"Seconds", "SecondsPath", "Timestamp", "TimestampPath", "Assign", "Output"},
    "Succeed": COMMON | IO | {"Output"},
    "Fail": COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": COMMON
    | FLOW
    | IO
    | RESULT
    | {"Branches", "Parameters", "Arguments", "Output", "Assign"},
    "Map": COMMON
    | FLOW
    | IO
    | RESULT
    | {
        "ItemProcessor",
        "Iterator",
        "ItemsPath",
        "Items",
        "ItemSelector",
        "Parameters",
        "MaxConcurrency",
        "MaxConcurrencyPath",
        "ToleratedFailureCount",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentage",
        "ToleratedFailurePercentagePath",
        "ItemReader",
        "ItemBatcher",
        "ResultWriter",
        "Label",
        "Output",
        "Assign",
        "Arguments",
    },
}

PATH_FIELDS = (
    "InputPath",
    "OutputPath",
    "ResultPath",
    "ItemsPath",
    "SecondsPath",
    "TimestampPath",
    "TimeoutSecondsPath",
    "HeartbeatSecondsPath",
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
NULLABLE_PATHS = {"InputPath", "OutputPath", "ResultPath"}
INTEGER_FIELDS = ("Seconds", "TimeoutSeconds", "HeartbeatSeconds", "MaxConcurrency")
RETRIER_FIELDS = {
    "ErrorEquals",
    "IntervalSeconds",
    "MaxAttempts",
    "BackoffRate",
    "MaxDelaySeconds",
    "JitterStrategy",
    "Comment",
}
CATCHER_FIELDS = {"ErrorEquals", "Next", "ResultPath", "Output", "Assign", "Comment"}
COMPARISONS = {
    f"{kind}{op}{suffix}"
    for kind in ("String", "Numeric", "Timestamp")
    for op in ("Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals")
    for suffix in ("", "Path")
} | {
    "BooleanEquals",
    "BooleanEqualsPath",
    "StringMatches",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
}
