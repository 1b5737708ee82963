"""What a target receives: the event, Input, InputPath or InputTransformer.

https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html

InputTransformer: ``InputPathsMap`` names values of the event by JSON path; the
``InputTemplate`` refers to them as ``<name>``, beside the reserved
``<aws.events.rule-arn>``, ``<aws.events.rule-name>``, ``<aws.events.event.ingestion-time>``,
``<aws.events.event>`` and ``<aws.events.event.json>``. How a value is written depends on
where the placeholder stands, as AWS does it:

- inside a JSON string of the template (``"state: <state>"``): the value's text, escaped
  for a JSON string (a string without its quotes, anything else as its JSON text);
- elsewhere in a JSON template (``{"state": <state>}``): the value as JSON (a string with
  its quotes, so the result stays valid JSON);
- in a template that is not JSON (``instance <id> is <state>``): the value's plain text.

A path that names nothing in the event yields an empty string inside a string and
``null`` elsewhere (the variable is not set). ``<name>`` that is no variable stays as is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from stratus.services.events.errors import Invalid
from stratus.services.events.paths import MISSING, parse_path, select

RESERVED = (
    "aws.events.rule-arn",
    "aws.events.rule-name",
    "aws.events.event.ingestion-time",
    "aws.events.event",
    "aws.events.event.json",
)
MAX_VARIABLES = 100


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Transformer:
    paths: dict[str, tuple[str | int, ...]]
    template: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> Transformer:
        """Check an InputTransformer as PutTargets does; raises Invalid."""
        mapping = document.get("InputPathsMap") or {}
        if len(mapping) > MAX_VARIABLES:
            raise Invalid("InputPathsMap has more than 100 entries.")
        paths: dict[str, tuple[str | int, ...]] = {}
        for name, path in mapping.items():
            if name.startswith("aws.events"):
                raise Invalid(f"InputTransformer variable name {name} is reserved (aws.events.*).")
            paths[name] = parse_path(path)
        return cls(paths, document["InputTemplate"])

    def render(self, event: dict[str, Any], rule_arn: str, rule_name: str) -> str:
        values: dict[str, Any] = {name: select(event, steps) for name, steps in self.paths.items()}
        values["aws.events.rule-arn"] = rule_arn
        values["aws.events.rule-name"] = rule_name
        values["aws.events.event.ingestion-time"] = dt.datetime.now(dt.UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        values["aws.events.event"] = event
        values["aws.events.event.json"] = event
        stripped = self.template.lstrip()
        json_template = stripped.startswith(("{", "[", '"'))
        out: list[str] = []
        in_string = False
        index = 0
        text = self.template
        while index < len(text):
            char = text[index]
            if char == "\\" and in_string:
                out.append(text[index : index + 2])
                index += 2
                continue
            if char == '"' and json_template:
                in_string = not in_string
            elif char == "<":
                end = text.find(">", index)
                name = text[index + 1 : end] if end > 0 else ""
                if end > 0 and name in values:
                    out.append(_placed(values[name], in_string, json_template))
                    index = end + 1
                    continue
            out.append(char)
            index += 1
        return "".join(out)


def _placed(value: Any, in_string: bool, json_template: bool) -> str:
    if value is MISSING:
        return "" if in_string or not json_template else "null"
    if in_string:
        text = value if isinstance(value, str) else _dumps(value)
        return json.dumps(text, ensure_ascii=False)[1:-1]
    if json_template:
        return _dumps(value)
    return value if isinstance(value, str) else _dumps(value)


def check_target_input(document: dict[str, Any]) -> None:
    """A target's input settings as PutTargets checks them; raises Invalid."""
    given = [key for key in ("Input", "InputPath", "InputTransformer") if document.get(key)]
    if len(given) > 1:
        raise Invalid("Only one of Input, InputPath, or InputTransformer must be provided.")
    if "Input" in document and document["Input"] is not None:
        try:
            json.loads(document["Input"])
        except ValueError:
            raise Invalid(f"Target {document['Id']} has an Input that is not valid JSON.") from None
    if document.get("InputPath"):
        parse_path(document["InputPath"])
    if document.get("InputTransformer"):
        Transformer.of(document["InputTransformer"])


def target_payload(
    document: dict[str, Any], event: dict[str, Any], rule_arn: str, rule_name: str
) -> str:
    """The body a target receives for ``event``."""
    if document.get("Input") is not None:
        return str(document["Input"])
    if document.get("InputPath"):
        value = select(event, parse_path(document["InputPath"]))
        return "null" if value is MISSING else _dumps(value)
    if document.get("InputTransformer"):
        return Transformer.of(document["InputTransformer"]).render(event, rule_arn, rule_name)
    return _dumps(event)
