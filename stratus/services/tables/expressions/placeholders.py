"""ExpressionAttributeNames and ExpressionAttributeValues of one request: resolved while
its expressions are parsed, and checked afterwards for entries no expression used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stratus.services.tables.errors import ValidationError
from stratus.services.tables.values import AttributeValue, normalize_value


class Placeholders:
    def __init__(
        self,
        names: Mapping[str, str] | None,
        values: Mapping[str, Any] | None,
    ) -> None:
        if names is not None and not names:
            raise ValidationError("ExpressionAttributeNames must not be empty")
        if values is not None and not values:
            raise ValidationError("ExpressionAttributeValues must not be empty")
        self.names = dict(names or {})
        self.values = dict(values or {})
        self.used_names: set[str] = set()
        self.used_values: set[str] = set()
        self._normalized: dict[str, AttributeValue] = {}
        for key, value in self.values.items():
            if not isinstance(value, Mapping) or not value:
                raise ValidationError(
                    "ExpressionAttributeValues contains invalid value: One or more parameter "
                    "values were invalid: An AttributeValue may not contain an empty string "
                    f"for key {key}"
                )

    @property
    def given(self) -> bool:
        return bool(self.names or self.values)

    def name(self, ref: str, label: str) -> str:
        if ref not in self.names:
            raise ValidationError(
                f"Invalid {label}: An expression attribute name used in the document path is "
                f"not defined; attribute name: {ref}"
            )
        self.used_names.add(ref)
        return self.names[ref]

    def value(self, ref: str, label: str) -> AttributeValue:
        if ref not in self.values:
            raise ValidationError(
                f"Invalid {label}: An expression attribute value used in expression is not "
                f"defined; attribute value: {ref}"
            )
        self.used_values.add(ref)
        found = self._normalized.get(ref)
        if found is None:
            try:
                found = normalize_value(self.values[ref])
            except ValidationError as exc:
                raise ValidationError(
                    f"ExpressionAttributeValues contains invalid value: {exc.message} for key {ref}"
                ) from None
            self._normalized[ref] = found
        return found

    def check_unused(self) -> None:
        unused_names = sorted(set(self.names) - self.used_names)
        if unused_names:
            raise ValidationError(
                "Value provided in ExpressionAttributeNames unused in expressions: keys: "
                f"{{{', '.join(unused_names)}}}"
            )
        unused_values = sorted(set(self.values) - self.used_values)
        if unused_values:
            raise ValidationError(
                "Value provided in ExpressionAttributeValues unused in expressions: keys: "
                f"{{{', '.join(unused_values)}}}"
            )
