"""Intrinsic functions, evaluated against what the stack knows so far.

``Evaluator.resolve`` turns a template value into a plain one: ``Ref`` and ``Fn::GetAtt``
ask the :class:`Names` the deployer gives (parameters, pseudo parameters, provisioned
resources), conditions come from :func:`evaluate_conditions`. ``AWS::NoValue`` removes the
property or list item that holds it, as CloudFormation does.
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stratus.services.stacks.errors import TemplateError

__all__ = ["INTRINSICS", "NO_VALUE", "Evaluator", "Names", "evaluate_conditions", "sub_names"]


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE = _NoValue()

INTRINSICS = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Sub",
        "Fn::Join",
        "Fn::Select",
        "Fn::Split",
        "Fn::If",
        "Fn::Equals",
        "Fn::And",
        "Fn::Or",
        "Fn::Not",
        "Fn::FindInMap",
        "Fn::GetAZs",
        "Fn::ImportValue",
        "Fn::Base64",
        "Fn::Length",
        "Fn::ToJsonString",
        "Condition",
    }
)

_SUB = re.compile(r"\$\{([^}]*)\}")


def sub_names(text: str) -> list[str]:
    """The ``${Name}`` and ``${Name.Attr}`` references of a Fn::Sub string (not ``${!x}``)."""
    return [m.group(1).strip() for m in _SUB.finditer(text) if not m.group(1).startswith("!")]


@dataclass(slots=True)
class Names:
    """What Ref, GetAtt and ImportValue can name while a stack is deployed."""

    parameters: Mapping[str, Any]
    ref: Callable[[str], Any]
    attribute: Callable[[str, str], Any]
    import_value: Callable[[str], str]
    resources: frozenset[str] = field(default_factory=frozenset)
    region: str = "us-east-1"


class Evaluator:
    def __init__(
        self, names: Names, mappings: Mapping[str, Any], conditions: Mapping[str, bool]
    ) -> None:
        self._names = names
        self._mappings = mappings
        self._conditions = conditions

    def resolve(self, value: Any) -> Any:
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                if key in INTRINSICS and key != "Condition":
                    return self._function(key, argument)
            out = {}
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    out[key] = resolved
            return out
        if isinstance(value, list):
            return [r for r in (self.resolve(item) for item in value) if r is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            raise TemplateError(f"Template format error: Unresolved condition dependency {name}")
        return self._conditions[name]

    # -- the functions -----------------------------------------------------------------
    def _function(self, name: str, argument: Any) -> Any:
        if name == "Ref":
            return self._ref(argument)
        if name == "Fn::GetAtt":
            return self._get_att(argument)
        if name == "Fn::Sub":
            return self._sub(argument)
        if name == "Fn::If":
            return self._if(argument)
        if name in ("Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not"):
            return self.boolean({name: argument})
        value = self.resolve(argument)
        if name == "Fn::Join":
            delimiter, items = _pair(name, value)
            if not isinstance(items, list):
                raise TemplateError(
                    "Template error: every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined."
                )
            return str(delimiter).join(_text(item) for item in items)
        if name == "Fn::Select":
            index, items = _pair(name, value)
            try:
                return items[int(index)]
            except (IndexError, ValueError, TypeError) as exc:
                raise TemplateError(
                    f"Template error: Fn::Select cannot select nonexistent value at index {index}"
                ) from exc
        if name == "Fn::Split":
            delimiter, text = _pair(name, value)
            return str(text).split(str(delimiter))
        if name == "Fn::FindInMap":
            return self._find_in_map(value)
        if name == "Fn::GetAZs":
            region = value or self._names.region
            return [f"{region}{zone}" for zone in "abc"]
        if name == "Fn::ImportValue":
            return self._names.import_value(str(value))
        if name == "Fn::Base64":
            return base64.b64encode(_text(value).encode()).decode()
        if name == "Fn::Length":
            if not isinstance(value, list):
                raise TemplateError("Template error: Fn::Length expects a list")
            return len(value)
        if name == "Fn::ToJsonString":
            return json.dumps(value, separators=(",", ":"))
        raise TemplateError(f"Template format error: Unrecognized intrinsic function {name}")

    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise TemplateError(
                "Template format error: Every Ref object must have a single String value."
            )
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._names.parameters:
            return self._names.parameters[name]
        return self._names.ref(name)

    def _get_att(self, argument: Any) -> Any:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not isinstance(argument, list) or len(argument) != 2:
            raise TemplateError(
                "Template error: every Fn::GetAtt object requires two non-empty parameters"
            )
        logical, attribute = argument[0], self.resolve(argument[1])
        return self._names.attribute(str(logical), str(attribute))

    def _sub(self, argument: Any) -> str:
        variables: dict[str, Any] = {}
        if isinstance(argument, list):
            if len(argument) != 2 or not isinstance(argument[1], dict):
                raise TemplateError(
                    "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
                )
            text = argument[0]
            variables = {k: self.resolve(v) for k, v in argument[1].items()}
        else:
            text = argument
        if not isinstance(text, str):
            raise TemplateError(
                "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string"
            )

        def replace(match: re.Match[str]) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            inner = inner.strip()
            if inner in variables:
                return _text(variables[inner])
            if "." in inner and inner.split(".", 1)[0] in self._names.resources:
                return _text(self._get_att(inner))
            return _text(self._ref(inner))

        return _SUB.sub(replace, text)

    def _if(self, argument: Any) -> Any:
        if not isinstance(argument, list) or len(argument) != 3:
            raise TemplateError(
                "Template error: Fn::If requires a list argument with three elements"
            )
        return self.resolve(argument[1] if self.condition(str(argument[0])) else argument[2])

    def _find_in_map(self, value: Any) -> Any:
        if not isinstance(value, list) or len(value) not in (3, 4):
            raise TemplateError(
                "Template error: every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value"
            )
        name, top, second = (str(v) for v in value[:3])
        try:
            return self._mappings[name][top][second]
        except (KeyError, TypeError) as exc:
            if len(value) == 4 and isinstance(value[3], dict) and "DefaultValue" in value[3]:
                return value[3]["DefaultValue"]
            if name not in self._mappings:
                raise TemplateError(
                    f"Template error: Unable to get mapping for {name}::{top}::{second}"
                ) from exc
            raise TemplateError(
                f"Template error: Unable to get mapping for {name}::{top}::{second}"
            ) from exc

    def boolean(self, value: Any) -> bool:
        """A condition expression: Equals/And/Or/Not or ``{"Condition": name}``."""
        if isinstance(value, dict) and len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Condition":
                return self.condition(str(argument))
            if key == "Fn::Equals":
                if not isinstance(argument, list) or len(argument) != 2:
                    raise TemplateError(
                        "Template error: Fn::Equals requires a list of two elements"
                    )
                left, right = (self.resolve(a) for a in argument)
                return bool(_text_or(left) == _text_or(right))
            if key in ("Fn::And", "Fn::Or"):
                if not isinstance(argument, list) or not 2 <= len(argument) <= 10:
                    raise TemplateError(
                        f"Template error: {key} requires a list of 2 to 10 conditions"
                    )
                results = [self.boolean(a) for a in argument]
                return all(results) if key == "Fn::And" else any(results)
            if key == "Fn::Not":
                if not isinstance(argument, list) or len(argument) != 1:
                    raise TemplateError("Template error: Fn::Not requires a list of one condition")
                return not self.boolean(argument[0])
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise TemplateError(
            "Template format error: Conditions can only be boolean operations on parameters and other conditions"
        )


def evaluate_conditions(
    conditions: Mapping[str, Any], names: Names, mappings: Mapping[str, Any]
) -> dict[str, bool]:
    """Every condition's value; conditions may name each other (a cycle is refused)."""
    values: dict[str, bool] = {}
    visiting: set[str] = set()

    class _Lazy(dict[str, bool]):
        def __contains__(self, key: object) -> bool:
            return key in conditions

        def __getitem__(self, key: str) -> bool:
            if key in values:
                return values[key]
            if key in visiting:
                raise TemplateError(f"Template format error: Circular condition dependency {key}")
            visiting.add(key)
            values[key] = evaluator.boolean(conditions[key])
            visiting.discard(key)
            return values[key]

    lazy = _Lazy()
    evaluator = Evaluator(names, mappings, lazy)
    for name in conditions:
        lazy[name]
    return values


def _pair(name: str, value: Any) -> tuple[Any, Any]:
    if not isinstance(value, list) or len(value) != 2:
        raise TemplateError(f"Template error: {name} requires a list of two elements")
    return value[0], value[1]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        raise TemplateError(
            "Template error: a list or object cannot be used where a string is expected"
        )
    return str(value)


def _text_or(value: Any) -> Any:
    return value if isinstance(value, (dict, list)) else _text(value)
