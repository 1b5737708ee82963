"""From a service's own exceptions to its AWS errors, declared once per provider.

Services raise exceptions of their own hierarchy and know nothing of the wire. Each
provider declares an :class:`ErrorTable` (its class attribute ``errors``); the protocol
edge (:class:`~stratus.aws.app.AwsApp`) applies it to whatever a provider call raised, the
most specific class in the exception's MRO winning, and serializes the result. Nothing
else translates errors, so no provider repeats a try/except per operation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from stratus.aws.protocol.errors import ServiceError

__all__ = ["ErrorRule", "ErrorTable"]


@dataclass(frozen=True, slots=True)
class ErrorRule:
    """AWS's code (and status, when the model's is not the one AWS sends) for an error.

    ``fields`` adds members of the error shape (Lambda's ``Type``, ``Reason``) from the
    exception; the message is the exception's ``message`` attribute, else ``str(exc)``.
    """

    code: str
    status: int | None = None
    fields: Callable[[BaseException], dict[str, Any]] | None = None

    def __call__(self, exc: BaseException) -> ServiceError:
        message = getattr(exc, "message", None)
        return ServiceError(
            message if isinstance(message, str) else str(exc),
            code=self.code,
            status_code=self.status,
            fields=self.fields(exc) if self.fields else None,
        )


Translator = Callable[[Any], ServiceError]  # takes the exception class it is keyed by


class ErrorTable:
    """Exception class -> translator (an :class:`ErrorRule` or any function)."""

    def __init__(self, rules: Mapping[type[BaseException], Translator] | None = None) -> None:
        self._rules: dict[type[BaseException], Translator] = dict(rules or {})
        self._cache: dict[type[BaseException], Translator | None] = {}

    def translate(self, exc: BaseException) -> ServiceError | None:
        """The AWS error for ``exc``; ``None`` when the table does not know it (a bug:
        the edge answers InternalFailure and logs it)."""
        if isinstance(exc, ServiceError):
            return exc
        kind = type(exc)
        try:
            rule = self._cache[kind]
        except KeyError:
            rule = next((self._rules[k] for k in kind.__mro__ if k in self._rules), None)
            self._cache[kind] = rule
        return rule(exc) if rule is not None else None

    def merged(self, other: ErrorTable) -> ErrorTable:
        """This table with ``other``'s rules added (``other`` wins on the same class)."""
        return ErrorTable({**self._rules, **other._rules})


EMPTY = ErrorTable()
