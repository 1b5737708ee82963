"""Reading a pattern's text: JSON with the strictness Event Ruler's parser has."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from stratus.services.patterns.errors import Refusal


def _refuse_constant(name: str) -> Any:
    raise Refusal(f"Unrecognized token '{name}': was expecting a JSON value")


def load(pattern: str | bytes | Mapping[str, Any]) -> Any:
    """The pattern as plain JSON values (dicts in document order, lists, scalars)."""
    if isinstance(pattern, (str, bytes)):
        try:
            return json.loads(pattern, parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            raise Refusal(f"{error.msg} at line {error.lineno} column {error.colno}") from None
        except RecursionError:
            raise Refusal("Pattern is nested too deeply") from None
    try:
        # A round trip turns any Mapping/sequence into the plain types the compiler reads.
        return json.loads(json.dumps(pattern, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise Refusal(f"Pattern is not JSON: {error}") from None
