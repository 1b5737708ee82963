"""The worker's pure pieces, in-process: error records, marshalling, the context."""

from __future__ import annotations

import decimal
import json
import logging
import time

import pytest

from stratus.runtime.worker import capture, faults
from stratus.runtime.worker.context import LambdaContext
from stratus.runtime.worker.serialize import Marshaller


def test_error_log_record_matches_lambdas_layout() -> None:
    error = faults.make_error(
        "boom", "ValueError", ['  File "/var/task/app.py", line 3, in handler\n    raise x\n'], "r"
    )
    assert faults.error_log_record(error) == (
        "[ERROR] ValueError: boom\rTraceback (most recent call last):\r"
        '\u00a0\u00a0File "/var/task/app.py", line 3, in handler\r\u00a0\u00a0\u00a0\u00a0raise x\n'
    )


def test_error_log_record_without_message_or_type() -> None:
    assert faults.error_log_record(faults.make_error("", "", None)) == (
        "[ERROR]\rTraceback (most recent call last):\n"
    )


def test_make_error_defaults() -> None:
    assert faults.make_error(None, None, None) == {  # type: ignore[arg-type]
        "errorMessage": "",
        "errorType": "",
        "requestId": "",
        "stackTrace": [],
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": [1, 2.5, None, True]}, b'{"a": [1, 2.5, null, true]}'),
        (decimal.Decimal("10"), b"10"),
        (decimal.Decimal("0.25"), b"0.25"),
        ("\u00e9", b'"\\u00e9"'),
        (b"raw", b"raw"),
        ((1, 2), b"[1, 2]"),
    ],
)
def test_marshaller(value, expected: bytes, monkeypatch) -> None:
    monkeypatch.delenv("AWS_EXECUTION_ENV", raising=False)
    assert Marshaller().response(value) == expected


def test_marshaller_keeps_unicode_on_python312(monkeypatch) -> None:
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.12")
    assert Marshaller().response("\u00e9") == '"\u00e9"'.encode()


@pytest.mark.parametrize("value", [{1, 2}, object(), {"k": float("nan") and object()}])
def test_marshal_errors(value) -> None:
    with pytest.raises(faults.Fault) as info:
        Marshaller().response(value)
    assert info.value.error_type == "Runtime.MarshalError"
    assert info.value.message.startswith("Unable to marshal response: Object of type ")


def test_context_remaining_time_is_never_negative() -> None:
    ctx = LambdaContext("r", None, None, time.time() * 1000 - 10, "arn")
    assert ctx.get_remaining_time_in_millis() == 0
    ctx = LambdaContext("r", None, None, time.time() * 1000 + 10_000, "arn")
    assert 0 < ctx.get_remaining_time_in_millis() <= 10_000


def test_context_w3c_ignores_bad_shapes() -> None:
    assert LambdaContext("r", {"w3c": "nope"}, None, 0, "a").w3c() == {}
    ctx = LambdaContext("r", {"w3c": {"traceparent": 5, "baggage": "b=1"}}, None, 0, "a")
    assert ctx.w3c() == {"baggage": "b=1"}
    assert ctx.client_context is not None and ctx.client_context.client is None


def test_log_handler_uses_lambda_format() -> None:
    buffer = capture.LogBuffer()
    buffer.request_id = "req-1"
    handler = capture.LambdaLogHandler(buffer)
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "hi %s", ("there",), None)
    handler.handle(record)
    level, stamp, rid, message = buffer.take().split("\t")
    assert (level, rid, message) == ("[WARNING]", "req-1", "hi there\n")
    assert stamp.endswith("Z")
    assert buffer.take() == ""


def test_captured_stream_rejects_bytes() -> None:
    stream = capture.CapturedStream(capture.LogBuffer(), 1, "<stdout>")
    with pytest.raises(TypeError):
        stream.write(b"bytes")  # type: ignore[arg-type]
    assert json.dumps(stream.isatty()) == "false"
