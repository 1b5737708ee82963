"""From a submitted template to the one deployed: checks, includes, the SAM transform,
parameters and conditions. Everything refused here is refused before a stack changes,
as CloudFormation answers a template format error to the call itself.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stratus.services.stacks.errors import InsufficientCapabilities, TemplateError
from stratus.services.stacks.resources.registry import HANDLERS
from stratus.services.stacks.template.graph import creation_order, dependencies
from stratus.services.stacks.template.intrinsics import Names, evaluate_conditions
from stratus.services.stacks.template.loader import parse_template
from stratus.services.stacks.template.sam import SAM_TRANSFORM, transform_sam, transforms

__all__ = ["Prepared", "prepare", "pseudo_parameters"]

_SECTIONS = frozenset(
    {
        "AWSTemplateFormatVersion",
        "Description",
        "Metadata",
        "Parameters",
        "Rules",
        "Mappings",
        "Conditions",
        "Transform",
        "Resources",
        "Outputs",
        "Globals",
    }
)
_IAM_TYPES = (
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::Group",
)
_NAMED_IAM = {"AWS::IAM::Role": "RoleName", "AWS::IAM::ManagedPolicy": "ManagedPolicyName"}

#: CloudFormation's quota of resources per template (after transforms).
MAX_RESOURCES = 500
#: How deep included documents may include others (a loop ends here).
MAX_INCLUDE_DEPTH = 5

Fetch = Callable[[str], Awaitable[str]]  # an S3 location -> its text
Lookup = Callable[[str], Awaitable[str]]  # an SSM parameter's name -> its value

_SSM = "AWS::SSM::Parameter::"


@dataclass(slots=True)
class Prepared:
    template: dict[str, Any]  # as submitted
    processed: dict[str, Any]  # after transforms
    parameters: dict[str, Any]  # declared parameters' values
    order: list[str]  # resources in creation order (conditions applied later)
    conditions: dict[str, bool] = field(default_factory=dict)

    def active(self, logical_id: str) -> bool:
        """Whether the resource's condition (if any) holds."""
        resource = (self.processed.get("Resources") or {}).get(logical_id) or {}
        condition = resource.get("Condition")
        return condition is None or self.conditions.get(str(condition), False)


def pseudo_parameters(account: str, region: str, stack_name: str, stack_id: str) -> dict[str, Any]:
    return {
        "AWS::AccountId": account,
        "AWS::Region": region,
        "AWS::StackName": stack_name,
        "AWS::StackId": stack_id,
        "AWS::Partition": "aws-cn" if region.startswith("cn-") else "aws",
        "AWS::URLSuffix": "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com",
        "AWS::NotificationARNs": [],
    }


async def prepare(
    text: str,
    overrides: Mapping[str, str],
    *,
    region: str,
    fetch: Fetch,
    account: str = "000000000000",
    capabilities: list[str] | None = None,
    use_previous: frozenset[str] = frozenset(),
    previous: Mapping[str, Any] | None = None,
    lookup: Lookup | None = None,
) -> Prepared:
    template = await asyncio.to_thread(parse_template, text)
    check_sections(template)
    processed = await _includes(template, fetch)
    declared = transforms(processed)
    if capabilities is not None and declared and "CAPABILITY_AUTO_EXPAND" not in capabilities:
        raise InsufficientCapabilities(["CAPABILITY_AUTO_EXPAND"])
    for name in declared:
        if name != SAM_TRANSFORM and name != "AWS::LanguageExtensions":
            raise TemplateError(f"Template format error: Unsupported transform: {name}")
    parameters = resolve_parameters(
        processed.get("Parameters") or {}, overrides, use_previous, previous or {}
    )
    await _ssm_values(processed.get("Parameters") or {}, parameters, lookup)
    if SAM_TRANSFORM in declared:
        processed = await asyncio.to_thread(
            transform_sam, processed, {k: v for k, v in overrides.items()}, region
        )
    processed.pop("Transform", None)
    resources = processed.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise TemplateError("Template format error: At least one Resources member must be defined.")
    if len(resources) > MAX_RESOURCES:
        raise TemplateError(
            f"Template format error: Number of resources, {len(resources)}, is greater than "
            f"maximum allowed, {MAX_RESOURCES}"
        )
    unknown = []
    for logical, resource in resources.items():
        if not re.fullmatch(r"[A-Za-z0-9]+", logical):
            raise TemplateError(
                f"Template format error: Resource name {logical} is non alphanumeric."
            )
        if not isinstance(resource, dict) or "Type" not in resource:
            raise TemplateError(
                f"Template format error: [/Resources/{logical}] Every Resources object must contain a Type member."
            )
        if resource["Type"] not in HANDLERS:
            unknown.append(str(resource["Type"]))
    if unknown:
        raise TemplateError(
            f"Template format error: Unrecognized resource types: [{', '.join(sorted(set(unknown)))}]"
        )
    if capabilities is not None:
        _check_capabilities(resources, capabilities)
    graph = dependencies(resources, list((processed.get("Parameters") or {}).keys()))
    order = creation_order(graph)
    names = Names(
        parameters={**pseudo_parameters(account, region, "", ""), **parameters},
        ref=_no_resources,
        attribute=lambda name, attr: _no_resources(name),
        import_value=_no_resources,
        resources=frozenset(resources),
        region=region,
    )
    conditions = evaluate_conditions(
        processed.get("Conditions") or {}, names, processed.get("Mappings") or {}
    )
    return Prepared(template, processed, parameters, order, conditions)


def _no_resources(name: str) -> Any:
    raise TemplateError(
        f"Template format error: Unresolved dependencies [{name}]. Cannot reference resources in the Conditions block of the template"
    )


def check_sections(template: dict[str, Any]) -> None:
    unknown = sorted(set(template) - _SECTIONS)
    if unknown:
        raise TemplateError(
            f"Template format error: Invalid template property or properties [{', '.join(unknown)}]"
        )
    if "Resources" not in template:
        raise TemplateError("Template format error: At least one Resources member must be defined.")


def _check_capabilities(resources: dict[str, Any], capabilities: list[str]) -> None:
    needs: str | None = None
    for resource in resources.values():
        kind = resource["Type"]
        if kind in _IAM_TYPES:
            needs = needs or "CAPABILITY_IAM"
            if _NAMED_IAM.get(kind) in (resource.get("Properties") or {}):
                needs = "CAPABILITY_NAMED_IAM"
    if needs == "CAPABILITY_IAM" and not (
        {"CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"} & set(capabilities)
    ):
        raise InsufficientCapabilities([needs])
    if needs == "CAPABILITY_NAMED_IAM" and "CAPABILITY_NAMED_IAM" not in capabilities:
        raise InsufficientCapabilities([needs])


async def _includes(value: Any, fetch: Fetch, depth: int = 0) -> Any:
    """``Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://...}}`` replaced by
    the document at that location (sam deploy uploads it there). A document that includes
    itself (directly or not) is refused once the nesting passes MAX_INCLUDE_DEPTH."""
    if isinstance(value, list):
        return [await _includes(v, fetch, depth) for v in value]
    if not isinstance(value, dict):
        return value
    include = value.get("Fn::Transform")
    if len(value) == 1 and isinstance(include, dict) and include.get("Name") == "AWS::Include":
        location = (include.get("Parameters") or {}).get("Location")
        if not isinstance(location, str):
            raise TemplateError("Template format error: AWS::Include requires a Location parameter")
        if depth >= MAX_INCLUDE_DEPTH:
            raise TemplateError(
                f"Template format error: AWS::Include nested deeper than {MAX_INCLUDE_DEPTH} levels"
            )
        included = await asyncio.to_thread(parse_template, await fetch(location))
        return await _includes(included, fetch, depth + 1)
    return {k: await _includes(v, fetch, depth) for k, v in value.items()}


async def _ssm_values(
    declared: Mapping[str, Any], values: dict[str, Any], lookup: Lookup | None
) -> None:
    """Parameters of type ``AWS::SSM::Parameter::Value<...>`` take the value the named
    parameter holds in our Parameter Store now (as CloudFormation resolves them at each
    create or update); ``AWS::SSM::Parameter::Name`` stays the name."""
    for name, spec in declared.items():
        kind = str((spec if isinstance(spec, dict) else {}).get("Type", ""))
        if not kind.startswith(f"{_SSM}Value<") or name not in values:
            continue
        if lookup is None:
            raise TemplateError(
                f"Parameter '{name}' of type {kind}: SSM parameters are not offered"
            )
        value = await lookup(str(values[name]))
        inner = kind[len(f"{_SSM}Value<") : -1]
        values[name] = (
            [v.strip() for v in value.split(",")]
            if inner.startswith("List<") or inner == "CommaDelimitedList"
            else value
        )


def resolve_parameters(
    declared: Mapping[str, Any],
    overrides: Mapping[str, str],
    use_previous: frozenset[str],
    previous: Mapping[str, Any],
) -> dict[str, Any]:
    """Each declared parameter's value, checked as CloudFormation checks it."""
    extra = sorted(set(overrides) - set(declared))
    if extra:
        raise TemplateError(f"Parameters: [{', '.join(extra)}] do not exist in the template")
    values: dict[str, Any] = {}
    missing = []
    for name, spec in declared.items():
        spec = spec if isinstance(spec, dict) else {}
        ssm = str(spec.get("Type", "")).startswith(_SSM)
        # The previous value of an SSM-typed parameter is what it resolved to, not the
        # name to resolve again: UsePreviousValue takes the template's default for it.
        if name in use_previous and name in previous and not ssm:
            raw: Any = previous[name]
        elif name in overrides:
            raw = overrides[name]
        elif "Default" in spec:
            raw = spec["Default"]
        else:
            missing.append(name)
            continue
        values[name] = _typed(name, spec, raw)
    if missing:
        raise TemplateError(f"Parameters: [{', '.join(missing)}] must have values")
    return values


def _typed(name: str, spec: dict[str, Any], raw: Any) -> Any:
    kind = str(spec.get("Type", "String"))
    if isinstance(raw, list):
        raw = ",".join(str(v) for v in raw)
    text = "true" if raw is True else "false" if raw is False else str(raw)
    if kind.startswith("List<") or kind == "CommaDelimitedList":
        items = [v.strip() for v in text.split(",")] if text else []
        if kind == "List<Number>":
            for item in items:
                _number(name, item)
        for item in items:
            _allowed(name, spec, item)
        return items
    if kind == "Number":
        _number(name, text)
        value = float(text)
        if "MinValue" in spec and value < float(spec["MinValue"]):
            raise TemplateError(
                f"Parameter '{name}' must be a number not less than {spec['MinValue']}"
            )
        if "MaxValue" in spec and value > float(spec["MaxValue"]):
            raise TemplateError(
                f"Parameter '{name}' must be a number not greater than {spec['MaxValue']}"
            )
    if "MinLength" in spec and len(text) < int(spec["MinLength"]):
        raise TemplateError(
            f"Parameter '{name}' must contain at least {spec['MinLength']} characters"
        )
    if "MaxLength" in spec and len(text) > int(spec["MaxLength"]):
        raise TemplateError(
            f"Parameter '{name}' must contain at most {spec['MaxLength']} characters"
        )
    if "AllowedPattern" in spec and not re.fullmatch(str(spec["AllowedPattern"]), text):
        raise TemplateError(f"Parameter '{name}' must match pattern {spec['AllowedPattern']}")
    _allowed(name, spec, text)
    return text


def _number(name: str, text: str) -> None:
    try:
        float(text)
    except ValueError as exc:
        raise TemplateError(f"Parameter '{name}' must be a number.") from exc


def _allowed(name: str, spec: dict[str, Any], text: str) -> None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and text not in [str(v) for v in allowed]:
        raise TemplateError(f"Parameter '{name}' must be one of AllowedValues")
