"""Per-invocation capture of what a function prints and logs.

Lambda sends a function's stdout, stderr and root-logger records to its log stream; we
return them with each invocation instead, so the server can store and show them. The
streams replace ``sys.stdout``/``sys.stderr`` at the Python level and keep one ordered
buffer, which is what Lambda's log stream shows. In an environment, descriptors 1 and 2
are a pipe the server reads into the invocation's log, and the buffer writes there too
(:class:`LogBuffer`), so what bypasses Python (subprocesses, C code, ``os.write(1,
...)``) lands in order with what the handler prints. The root logger gets Lambda's text
format: ``[LEVEL]\\t<timestamp>Z\\t<request id>\\t<message>`` (awslambdaric's
``_setup_logging``), in UTC.
"""

from __future__ import annotations

import io
import logging
import os
import time
from typing import List, Optional

LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


class LogBuffer:
    """The ordered text of one invocation (or of init).

    With ``fd`` (descriptor 1, a pipe the server reads), text is written there at once
    instead of kept: what the handler prints and what its subprocesses or C code write
    to the same descriptor then reach the log in the order they happened, as in
    Lambda, and :meth:`take` has nothing left to return. Without it (a snapshot
    template, whose descriptors are the zygote's), text is kept until :meth:`take`.
    """

    __slots__ = ("fd", "parts", "request_id", "tee", "tenant_id")

    def __init__(self, fd: Optional[int] = None) -> None:
        self.parts: List[str] = []
        self.request_id = ""
        self.tenant_id: Optional[str] = None
        self.fd = fd
        # a copy for the Telemetry API's ``function`` subscribers; only set when the
        # environment has extensions, so an environment without them pays nothing more
        self.tee: Optional[List[str]] = None

    def write(self, text: str) -> None:
        if self.fd is None:
            self.parts.append(text)
            return
        if self.tee is not None:
            self.tee.append(text)
        data = text.encode("utf-8", "replace")
        while data:
            data = data[os.write(self.fd, data) :]

    def take_tee(self) -> str:
        """Return the telemetry copy kept since the last call and start afresh."""
        if not self.tee:
            return ""
        text = "".join(self.tee)
        self.tee.clear()
        return text

    def take(self) -> str:
        """Return what was kept since the last call and start afresh."""
        text = "".join(self.parts)
        self.parts.clear()
        return text


class CapturedStream(io.TextIOBase):
    """A text stream that appends to a :class:`LogBuffer` (stands in for stdout/stderr)."""

    def __init__(self, buffer: LogBuffer, fd: int, name: str) -> None:
        super().__init__()
        self._buffer = buffer
        self._fd = fd
        self._name = name

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    @property
    def errors(self) -> Optional[str]:  # type: ignore[override]
        return "strict"

    @property
    def name(self) -> str:
        return self._name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        # Libraries that want a real descriptor (faulthandler, subprocess) get the
        # process's own, a pipe the server reads into the same log (``zygote._run``).
        return self._fd

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not {}".format(type(text).__name__))
        self._buffer.write(text)
        return len(text)

    def flush(self) -> None:
        pass


class _RequestIdFilter(logging.Filter):
    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self._buffer = buffer

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = self._buffer.request_id
        record.tenant_id = self._buffer.tenant_id
        return True


class LambdaLogHandler(logging.Handler):
    """The root logger's handler in Lambda's Python runtime, writing to our buffer."""

    def __init__(self, buffer: LogBuffer) -> None:
        super().__init__()
        self.log_sink = buffer  # context.log() looks for a handler with a log_sink, as Lambda's
        self.setFormatter(logging.Formatter(LOG_FORMAT, DATE_FORMAT))
        self.addFilter(_RequestIdFilter(buffer))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.log_sink.write(self.format(record))
        except Exception:
            self.handleError(record)


def install(buffer: LogBuffer) -> None:
    """Route stdout, stderr and the root logger to ``buffer`` for the life of the process."""
    import sys

    sys.stdout = CapturedStream(buffer, 1, "<stdout>")
    sys.stderr = CapturedStream(buffer, 2, "<stderr>")
    logging.Formatter.converter = time.gmtime
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(LambdaLogHandler(buffer))
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level in logging._nameToLevel:
        root.setLevel(level)
