"""Every limit can be overridden by name from the command line."""

from __future__ import annotations

import pytest

from stratus.runtime.limits import Limits, with_overrides


@pytest.mark.parametrize(
    ("override", "field", "value"),
    [
        ("init_timeout_s=2.5", "init_timeout_s", 2.5),
        ("account_concurrency=10", "account_concurrency", 10),
        ("enforce_memory=false", "enforce_memory", False),
        ("sync_payload_bytes=1024", "sync_payload_bytes", 1024),
    ],
)
def test_override_is_typed_like_the_field(override: str, field: str, value: object) -> None:
    limits = with_overrides(Limits(), [override])
    assert getattr(limits, field) == value
    assert type(getattr(limits, field)) is type(value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("nope=1", "unknown limit 'nope=1'"),
        ("init_timeout_s", "unknown limit 'init_timeout_s'"),
        ("account_concurrency=lots", "limit account_concurrency needs a int, not 'lots'"),
        ("enforce_memory=maybe", "limit enforce_memory needs a bool, not 'maybe'"),
    ],
)
def test_bad_overrides_are_refused(override: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        with_overrides(Limits(), [override])
    assert str(info.value).startswith(message)
