"""Template text -> a document: JSON, or YAML with CloudFormation's short forms.

YAML templates write ``!Ref X``, ``!GetAtt A.B``, ``!Sub ...``; each becomes the long form
(``{"Ref": "X"}``, ``{"Fn::GetAtt": ["A", "B"]}``) so the rest of the engine sees one
language. Dates stay strings (``Version: 2012-10-17`` is a policy's version, not a
timestamp), as CloudFormation reads them. Nesting is bounded: a template nested deeper
than anything real is refused instead of exhausting the interpreter's stack.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from stratus.services.stacks.errors import TemplateError

__all__ = ["MAX_DEPTH", "dump_template", "parse_template"]

#: Deeper than any real template's nesting (intrinsics inside policies inside properties).
MAX_DEPTH = 64
#: More values than a template of CloudFormation's 1 MB quota can hold.
MAX_ELEMENTS = 1_000_000


class _TemplateLoader(yaml.SafeLoader):  # type: ignore[misc]
    """SafeLoader without timestamps, with CloudFormation's tags."""


_TemplateLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def parse_template(text: str) -> dict[str, Any]:
    """The template as a document; raises TemplateError with CloudFormation's wording."""
    stripped = text.lstrip()
    try:
        if stripped.startswith("{"):
            try:
                document = json.loads(text)
            except json.JSONDecodeError as exc:
                raise TemplateError("Template format error: JSON not well-formed.") from exc
        else:
            try:
                document = yaml.load(text, Loader=_TemplateLoader)
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark
                where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
                raise TemplateError(f"Template format error: YAML not well-formed.{where}") from exc
            except yaml.YAMLError as exc:
                raise TemplateError("Template format error: YAML not well-formed.") from exc
    except RecursionError as exc:
        raise TemplateError(
            f"Template format error: the template is nested deeper than {MAX_DEPTH} levels"
        ) from exc
    if not isinstance(document, dict):
        raise TemplateError("Template format error: not a valid template")
    _check_depth(document)
    return document


def _check_depth(document: Any) -> None:
    """Depth and size as the document will be walked: YAML aliases are shared, not copied,
    so a small text can stand for an enormous tree (the "billion laughs"); counting the
    walk refuses it before anything else walks it."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    seen = 0
    while stack:
        value, depth = stack.pop()
        seen += 1
        if seen > MAX_ELEMENTS:
            raise TemplateError(
                f"Template format error: the template has more than {MAX_ELEMENTS} elements"
            )
        if depth > MAX_DEPTH:
            raise TemplateError(
                f"Template format error: the template is nested deeper than {MAX_DEPTH} levels"
            )
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)


def dump_template(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, default=str)
