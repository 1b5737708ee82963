"""Shared fixtures of the workflows tests: the conformance tally and its summary."""

from __future__ import annotations

from typing import Any

import pytest

_TALLY: dict[str, list[bool]] = {}


@pytest.fixture
def conformance_tally() -> dict[str, list[bool]]:
    """Per suite, one bool per case run (True: matched AWS)."""
    return _TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the conformance pass rates (known failures count as failures)."""
    for suite, results in sorted(_TALLY.items()):
        if results:
            passed = sum(results)
            rate = 100 * passed / len(results)
            terminalreporter.write_line(
                f"ASL conformance {suite}: {passed}/{len(results)} cases match AWS ({rate:.1f}%)"
            )
