"""Turn a handler's return value into the response bytes, as Lambda's runtime does.

awslambdaric encodes with simplejson's default separators (so ``{"a": 1}``, with spaces),
passes ``bytes`` through untouched, writes non-ASCII as escapes except on python3.12
(``AWS_Lambda_python3.12``), and encodes ``Decimal`` as a number. A value it cannot
encode is ``Runtime.MarshalError`` with "Unable to marshal response: <reason>".
"""

from __future__ import annotations

import decimal
import json
import math
import os
from typing import Any

from .faults import MARSHAL_ERROR, Fault


def _default(obj: Any) -> Any:
    if isinstance(obj, decimal.Decimal):
        if obj.is_nan():
            return math.nan
        return int(obj) if obj == obj.to_integral_value() else float(obj)
    raise TypeError("Object of type {} is not JSON serializable".format(type(obj).__name__))


class Marshaller(object):
    """Built once per environment: the encoder depends on the runtime's environment."""

    def __init__(self) -> None:
        ascii_only = os.environ.get("AWS_EXECUTION_ENV") not in {"AWS_Lambda_python3.12"}
        self._encoder = json.JSONEncoder(default=_default, ensure_ascii=ascii_only)

    def response(self, result: Any) -> bytes:
        if isinstance(result, bytes):
            return result
        try:
            return self._encoder.encode(result).encode("utf-8")
        except Exception as exc:
            raise Fault(MARSHAL_ERROR, "Unable to marshal response: {}".format(exc)) from None
