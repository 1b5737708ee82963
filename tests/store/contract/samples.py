"""JSON records every backend must give back exactly as written."""

from __future__ import annotations

from typing import Any

import pytest

RECORDS: list[Any] = [
    pytest.param({}, id="empty"),
    pytest.param({"name": "fn", "memory": 128, "ratio": 0.25, "on": True, "off": None}, id="flat"),
    pytest.param(
        {"a": {"b": {"c": [1, [2, [3, {"d": []}]], {"e": {}}]}}, "list": [None, False, -1]},
        id="nested",
    ),
    pytest.param(
        {"grüße": "日本語 テキスト", "emoji": "🚀✨", "rtl": "مرحبا", "combining": "é"},
        id="unicode",
    ),
    pytest.param(
        {"quote": 'say "hi"', "backslash": "C:\\tmp", "control": "a\nb\tc\x00d", "sql": "'; --"},
        id="escapes",
    ),
    pytest.param({"big": 2**53 + 1, "negative": -(2**62), "float": 1e-300}, id="numbers"),
]
