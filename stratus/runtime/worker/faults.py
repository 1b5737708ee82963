"""Lambda's error objects and the log lines its Python runtime writes for them.

A handler's failure travels as data: ``{"errorMessage", "errorType", "requestId",
"stackTrace"}`` (awslambdaric's ``make_error``). Failures of the runtime itself
(a bad handler name, an unmarshalable result...) carry a ``Runtime.*`` type.
"""

from __future__ import annotations

import json
import traceback
from typing import Any, Dict, List, Optional, Tuple

MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
BEFORE_SNAPSHOT_ERROR = "Runtime.BeforeSnapshotError"
AFTER_RESTORE_ERROR = "Runtime.AfterRestoreError"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

_LINE_END = "\r"  # Lambda joins the lines of one error record with CR: one log event
_INDENT = "\u00a0"  # and indents the traceback with no-break spaces


class Fault(Exception):
    """A runtime-level failure with Lambda's ``Runtime.*`` type."""

    def __init__(self, error_type: str, message: str, trace: Optional[List[str]] = None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


def make_error(
    message: str, error_type: str, trace: Optional[List[str]], request_id: Optional[str] = None
) -> Dict[str, Any]:
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def error_from_exception(
    exc: BaseException, request_id: Optional[str], skip_files: Tuple[str, ...]
) -> Dict[str, Any]:
    """Lambda's error object for an exception the user's code raised.

    Leading frames that belong to the runtime (``skip_files``) are dropped, so the trace
    starts in the user's code, as awslambdaric does with its own bootstrap frames.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    start = 0
    while start < len(frames) and frames[start].filename in skip_files:
        start += 1
    return make_error(
        str(exc), type(exc).__name__, traceback.format_list(frames[start:]), request_id
    )


def error_from_fault(fault: Fault, request_id: Optional[str] = None) -> Dict[str, Any]:
    return make_error(fault.message, fault.error_type, fault.trace, request_id)


def error_json(error: Dict[str, Any]) -> bytes:
    return json.dumps(error).encode("utf-8")


def error_log_record(error: Dict[str, Any]) -> str:
    """The ``[ERROR] Type: message`` record Lambda writes to the log for a failure."""
    head = "[ERROR]"
    if error.get("errorType"):
        head += " " + error["errorType"]
    if error.get("errorMessage"):
        if error.get("errorType"):
            head += ":"
        head += " " + error["errorMessage"]
    lines = [head]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(_INDENT * (len(line) - len(stripped)) + stripped)
    return _LINE_END.join(lines) + "\n"
