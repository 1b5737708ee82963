"""Which records of a batch failed, per Lambda's partial batch response rules
("Implementing partial batch responses", Lambda developer guide): a table of cases."""

from __future__ import annotations

import pytest

from stratus.services.event_sources.responses import outcome

IDS = ["m1", "m2", "m3"]
ALL = frozenset(IDS)


@pytest.mark.parametrize(
    ("payload", "function_error", "report", "failed", "all_failed"),
    [
        (b'{"batchItemFailures": [{"itemIdentifier": "m2"}]}', None, True, {"m2"}, False),
        (
            b'{"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}',
            None,
            True,
            {"m1", "m3"},
            False,
        ),
        (b'{"batchItemFailures": []}', None, True, set(), False),
        (b'{"batchItemFailures": null}', None, True, set(), False),
        (b"{}", None, True, set(), False),
        (b"null", None, True, set(), False),
        (b"", None, True, set(), False),
        (b'"a string"', None, True, ALL, True),
        (b"not json", None, True, ALL, True),
        (b'{"batchItemFailures": "m1"}', None, True, ALL, True),
        (b'{"batchItemFailures": ["m1"]}', None, True, ALL, True),
        (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', None, True, ALL, True),
        (b'{"batchItemFailures": [{"itemIdentifier": null}]}', None, True, ALL, True),
        (b'{"batchItemFailures": [{"itemId": "m1"}]}', None, True, ALL, True),
        (b'{"batchItemFailures": [{"itemIdentifier": "m9"}]}', None, True, ALL, True),
        (b'{"batchItemFailures": [{"itemIdentifier": "m1"}]}', "Unhandled", True, ALL, True),
        (b'{"batchItemFailures": [{"itemIdentifier": "m1"}]}', None, False, set(), False),
        (b"not json", None, False, set(), False),
        (b"{}", "Unhandled", False, ALL, True),
    ],
    ids=[
        "one-failed",
        "two-failed",
        "empty-list",
        "null-list",
        "empty-object",
        "null",
        "empty-payload",
        "not-an-object",
        "not-json",
        "list-is-a-string",
        "entry-not-an-object",
        "empty-identifier",
        "null-identifier",
        "bad-key-name",
        "unknown-identifier",
        "function-error",
        "not-reporting-ignores-list",
        "not-reporting-ignores-invalid",
        "not-reporting-function-error",
    ],
)
def test_outcome(
    payload: bytes,
    function_error: str | None,
    report: bool,
    failed: set[str],
    all_failed: bool,
) -> None:
    result = outcome(IDS, payload, function_error, report_item_failures=report)
    assert result.failed == frozenset(failed)
    assert result.all_failed is all_failed
