"""Import a function's handler the way Lambda's Python runtime does, failing the same way.

``app.handler`` and ``pkg/mod.fn`` name a module and an attribute; each way this can go
wrong maps to the ``Runtime.*`` error type and message of awslambdaric's ``_get_handler``.
An exception the module raises at import is not a fault: it propagates, and the caller
reports it as Lambda does (its own type, with a stack trace).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

from .faults import (
    BUILT_IN_MODULE_CONFLICT,
    HANDLER_NOT_FOUND,
    IMPORT_MODULE_ERROR,
    MALFORMED_HANDLER_NAME,
    USER_CODE_SYNTAX_ERROR,
    Fault,
)


def load_handler(handler: str) -> Callable[[Any, Any], Any]:
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as exc:
        raise Fault(MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, exc)) from None
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault(
                BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as exc:
        raise Fault(
            IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, exc)
        ) from None
    except SyntaxError as exc:
        trace = ['  File "%s" Line %s\n    %s' % (exc.filename, exc.lineno, exc.text)]
        raise Fault(
            USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(modname, exc),
            trace,
        ) from None
    try:
        found: Callable[[Any, Any], Any] = getattr(module, fname)
        return found
    except AttributeError:
        raise Fault(
            HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname)
        ) from None
