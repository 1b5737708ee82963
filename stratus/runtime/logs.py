"""Lambda's platform log lines and where an invocation's logs go.

Every invocation's log is ``START``, what the handler printed and logged, ``END`` and
``REPORT`` with its durations and memory, exactly as CloudWatch shows them for Lambda.
Since August 2025 Lambda bills the init phase of on-demand functions, so the billed
duration of a cold invocation includes it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Protocol

from stratus.runtime.platform_records import compose_json


@dataclass(frozen=True, slots=True)
class LogEvent:
    timestamp_ms: int
    message: str


@dataclass(slots=True)
class InvocationLog:
    """What one invocation logged, kept as parts: the text is composed only when someone
    reads it (the log sink, off the invocation's path; ``LogType=Tail``)."""

    request_id: str
    version: str
    body: str
    duration_ms: float
    memory_mb: int
    max_memory_used_mb: int
    init_ms: float | None
    init_logs: str = ""
    timestamp_ms: int = 0
    log_format: str = "Text"  # "JSON": platform lines as JSON records (platform_records)
    system_log_level: str = ""
    application_log_level: str = ""
    status: str = "success"  # platform.report's status: success, error, failure, timeout

    def text(self) -> str:
        if self.log_format == "JSON":
            return compose_json(
                self.request_id,
                self.version,
                self.body,
                self.duration_ms,
                billed_duration_ms(self.duration_ms, self.init_ms),
                self.memory_mb,
                self.max_memory_used_mb,
                self.init_ms,
                self.init_logs,
                end_ms=self.timestamp_ms or time.time() * 1000,
                status=self.status,
                system_log_level=self.system_log_level,
                application_log_level=self.application_log_level,
            )
        return compose(
            self.request_id,
            self.version,
            self.body,
            self.duration_ms,
            self.memory_mb,
            self.max_memory_used_mb,
            self.init_ms,
            self.init_logs,
        )

    def events(self) -> list[LogEvent]:
        return to_events(self.text(), self.timestamp_ms)


class LogSink(Protocol):
    def emit(self, function_name: str, stream: str, log: InvocationLog) -> None:
        """Store an invocation's log without blocking the caller."""
        ...


class DiscardLogs:
    def emit(self, function_name: str, stream: str, log: InvocationLog) -> None:
        return None


def report_status(error_type: str | None) -> str:
    """platform.report's status: the handler's error is "error", the platform's "failure"."""
    if error_type is None:
        return "success"
    if error_type == "Sandbox.Timedout":
        return "timeout"
    return "failure" if error_type.startswith("Runtime.") else "error"


def billed_duration_ms(duration_ms: float, init_ms: float | None) -> int:
    return max(1, math.ceil(duration_ms + (init_ms or 0.0)))


def start_line(request_id: str, version: str) -> str:
    return f"START RequestId: {request_id} Version: {version}"


def end_line(request_id: str) -> str:
    return f"END RequestId: {request_id}"


def report_line(
    request_id: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_used_mb: int,
    init_ms: float | None,
) -> str:
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {billed_duration_ms(duration_ms, init_ms)} ms",
        f"Memory Size: {memory_mb} MB",
        f"Max Memory Used: {max_memory_used_mb} MB",
    ]
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    return "\t".join(parts) + "\t"


def compose(
    request_id: str,
    version: str,
    body: str,
    duration_ms: float,
    memory_mb: int,
    max_memory_used_mb: int,
    init_ms: float | None,
    init_logs: str = "",
) -> str:
    """The whole log text of one invocation, as ``LogType=Tail`` and CloudWatch show it."""
    lines: list[str] = []
    if init_logs:
        lines.append(init_logs.rstrip("\n"))
    lines.append(start_line(request_id, version))
    if body:
        lines.append(body.rstrip("\n"))
    lines.append(end_line(request_id))
    lines.append(report_line(request_id, duration_ms, memory_mb, max_memory_used_mb, init_ms))
    return "\n".join(lines) + "\n"


def to_events(text: str, now_ms: int | None = None) -> list[LogEvent]:
    stamp = now_ms if now_ms is not None else int(time.time() * 1000)
    return [LogEvent(stamp, line) for line in text.splitlines() if line]


def tail(text: str, limit: int) -> str:
    """The last ``limit`` bytes of the log, cut on a character boundary."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[-limit:].decode("utf-8", errors="ignore")
