"""Lambda's JSON application log format for the root logger (LoggingConfig.LogFormat JSON).

With the JSON format Lambda's Python runtime writes each ``logging`` record as one JSON
object: ``timestamp``, ``level``, ``message``, ``logger``, ``requestId`` (and for an
exception ``errorType``, ``errorMessage``, ``stackTrace``, ``location``; and any ``extra``
fields), as awslambdaric's ``JsonFormatter`` does, and it filters records below
``AWS_LAMBDA_LOG_LEVEL`` (ApplicationLogLevel; TRACE counts as DEBUG, FATAL as CRITICAL).
``print`` output stays plain text, as in Lambda.

Kept apart from ``capture`` (which owns the streams and the text format): this module only
swaps the formatter of the handler ``capture.install`` put on the root logger.
Stdlib only, Python 3.9+.
"""

from __future__ import annotations

import json
import logging
import os
import time
import traceback
from datetime import datetime, timezone
from typing import Any, Dict, Optional

from . import faults

_RESERVED = frozenset(
    [
        "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module",
        "exc_info", "exc_text", "stack_info", "lineno", "funcName", "created", "msecs",
        "relativeCreated", "thread", "threadName", "processName", "process", "taskName",
        "aws_request_id", "tenant_id", "message", "asctime",
    ]
)  # fmt: skip
_LEVELS = {"TRACE": "DEBUG", "FATAL": "CRITICAL"}
_enabled = False  # set by configure(): this environment's function logs JSON


class JsonFormatter(logging.Formatter):
    """One record as Lambda's JSON object, one line."""

    def format(self, record: logging.LogRecord) -> str:
        level = min(50, max(0, record.levelno)) // 10 * 10
        stamp = datetime.fromtimestamp(record.created, tz=timezone.utc)
        result: Dict[str, Any] = {
            "timestamp": stamp.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "level": logging.getLevelName(level),
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info and record.exc_info[0] is not None:
            result["stackTrace"] = traceback.format_tb(record.exc_info[2])
            result["errorType"] = record.exc_info[0].__name__
            result["errorMessage"] = str(record.exc_info[1])
            result["location"] = "{}:{}:{}".format(record.pathname, record.funcName, record.lineno)
        request_id: Optional[str] = getattr(record, "aws_request_id", None)
        if request_id:
            result["requestId"] = request_id
        tenant_id = getattr(record, "tenant_id", None)
        if tenant_id is not None:
            result["tenantId"] = tenant_id
        for key, value in record.__dict__.items():
            if key not in _RESERVED and key not in result and not key.startswith("_"):
                result[key] = value
        return json.dumps(result, ensure_ascii=False, default=str) + "\n"


def configure() -> None:
    """Switch the root logger to the JSON format and level when Lambda's variables ask."""
    global _enabled
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() != "JSON":
        return
    _enabled = True
    root = logging.getLogger()
    for handler in root.handlers:
        if hasattr(handler, "log_sink"):  # capture.LambdaLogHandler
            handler.setFormatter(JsonFormatter())
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
    root.setLevel(
        _LEVELS.get(level, level) if level in _LEVELS or level in logging._nameToLevel else "INFO"
    )


def error_log_record(error: Dict[str, Any]) -> str:
    """The record a failed invocation or init logs: awslambdaric's ``log_error``.

    Text: ``[ERROR] Type: message`` and the traceback (``faults``). JSON: the error object
    with ``timestamp`` (seconds, UTC, no zone suffix, as awslambdaric writes it) and
    ``level`` first.
    """
    if not _enabled:
        return faults.error_log_record(error)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
    return json.dumps({"timestamp": stamp, "level": "ERROR", **error}, ensure_ascii=False) + "\n"
