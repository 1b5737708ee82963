"""The unit that crosses the store boundary: a JSON-compatible dict owned by a service.

The store never needs a service's domain types; each service defines its records and
converts them at its repository.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]
