"""Lambda's platform log lines in the JSON log format, filtered by SystemLogLevel.

With ``LoggingConfig.LogFormat = JSON`` Lambda writes its own (system) lines as JSON
records ``{"time": ..., "type": "platform.start", "record": {...}}`` instead of the text
``START``/``END``/``REPORT`` lines, and sends only those at or above the function's
SystemLogLevel: ``platform.start`` and ``platform.report`` are INFO, ``platform.runtimeDone``
(the END line's counterpart) is DEBUG (docs: "Log-level filtering", "Event to log-level
mapping for system logs"; https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html).
"""

from __future__ import annotations

import time
from typing import Any

import orjson

_LEVELS = {"DEBUG": 10, "INFO": 20, "WARN": 30}
# Application levels, with the names Python's logging writes (WARNING, CRITICAL) too.
_APPLICATION_LEVELS = {
    "TRACE": 5,
    "DEBUG": 10,
    "INFO": 20,
    "WARN": 30,
    "WARNING": 30,
    "ERROR": 40,
    "FATAL": 50,
    "CRITICAL": 50,
}
_EVENT_LEVELS = {"platform.start": 20, "platform.runtimeDone": 10, "platform.report": 20}


def iso_time(epoch_ms: float) -> str:
    """``2026-12-05T14:03:40.123Z``, the ``time`` Lambda writes."""
    seconds, millis = divmod(int(epoch_ms), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


def _line(kind: str, epoch_ms: float, record: dict[str, Any]) -> str:
    return orjson.dumps({"time": iso_time(epoch_ms), "type": kind, "record": record}).decode()


def wanted(kind: str, system_log_level: str) -> bool:
    return _EVENT_LEVELS[kind] >= _LEVELS.get(system_log_level or "INFO", 20)


def filter_application(body: str, application_log_level: str) -> str:
    """The function's lines Lambda keeps at ``application_log_level``.

    The runtime already dropped ``logging`` records below the level; what else the function
    wrote (``print``, other loggers' text) Lambda reads as INFO unless the line is a JSON
    object with a ``level`` (docs: "Log-level filtering"), so it goes at WARN and above.
    """
    threshold = _APPLICATION_LEVELS.get(application_log_level or "INFO", 20)
    if threshold <= 20 or not body:
        return body
    kept = []
    for line in body.splitlines(keepends=True):
        level = 20
        if line.startswith("{"):
            try:
                record = orjson.loads(line)
            except orjson.JSONDecodeError:
                record = None
            if isinstance(record, dict) and isinstance(record.get("level"), str):
                level = _APPLICATION_LEVELS.get(record["level"].upper(), 20)
        if level >= threshold:
            kept.append(line)
    return "".join(kept)


def compose_json(
    request_id: str,
    version: str,
    body: str,
    duration_ms: float,
    billed_ms: int,
    memory_mb: int,
    max_memory_used_mb: int,
    init_ms: float | None,
    init_logs: str,
    *,
    end_ms: float,
    status: str,
    system_log_level: str,
    application_log_level: str = "",
) -> str:
    """One invocation's log in the JSON format: the function's lines between the records."""
    start_ms = end_ms - duration_ms
    body = filter_application(body, application_log_level)
    init_logs = filter_application(init_logs, application_log_level)
    lines: list[str] = []
    if init_logs:
        lines.append(init_logs.rstrip("\n"))
    if wanted("platform.start", system_log_level):
        lines.append(
            _line("platform.start", start_ms, {"requestId": request_id, "version": version})
        )
    if body:
        lines.append(body.rstrip("\n"))
    if wanted("platform.runtimeDone", system_log_level):
        lines.append(
            _line(
                "platform.runtimeDone",
                end_ms,
                {
                    "requestId": request_id,
                    "status": status,
                    "metrics": {"durationMs": round(duration_ms, 3)},
                },
            )
        )
    if wanted("platform.report", system_log_level):
        metrics: dict[str, Any] = {
            "durationMs": round(duration_ms, 2),
            "billedDurationMs": billed_ms,
            "memorySizeMB": memory_mb,
            "maxMemoryUsedMB": max_memory_used_mb,
        }
        if init_ms is not None:
            metrics["initDurationMs"] = round(init_ms, 2)
        lines.append(
            _line(
                "platform.report",
                end_ms,
                {"requestId": request_id, "metrics": metrics, "status": status},
            )
        )
    return "\n".join(lines) + "\n" if lines else ""
