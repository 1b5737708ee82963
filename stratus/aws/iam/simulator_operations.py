"""IAM's policy simulator operations: SimulateCustomPolicy, SimulatePrincipalPolicy and
the two GetContextKeysFor... calls; the evaluation is ``services.identity.simulator``."""

from __future__ import annotations

from typing import Any

from stratus.aws.context import RequestContext
from stratus.aws.iam.operations import Operations, Params, Result
from stratus.aws.iam.paging import page_of
from stratus.services.identity.errors import InvalidInput
from stratus.services.identity.policy import PolicyKind, parse_policy
from stratus.services.identity.principal_policies import principal_policies
from stratus.services.identity.simulator import (
    ActionResult,
    Matched,
    PolicySource,
    ResourceResult,
    Simulation,
    context_keys,
    simulate,
)

__all__ = ["SimulatorOperations"]


def _sources(params: Params, member: str) -> list[PolicySource]:
    """The documents of ``member`` (a PolicyInputList), checked as IAM checks policies."""
    sources = []
    for index, text in enumerate(params.get(member) or [], start=1):
        parse_policy(text, PolicyKind.INLINE)
        sources.append(PolicySource.of(f"{member}.{index}", None, text))
    return sources


def _context(params: Params) -> dict[str, list[str]]:
    context: dict[str, list[str]] = {}
    for entry in params.get("ContextEntries") or []:
        name = entry.get("ContextKeyName")
        if not name:
            continue
        values = [str(v) for v in entry.get("ContextKeyValues") or []]
        context[name] = [*context.get(name, []), *values]
    return context


def _account_of(arn: str | None) -> str | None:
    if arn is None:
        return None
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4] else None


def _statement(matched: Matched) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "SourcePolicyId": matched.policy_id,
        "StartPosition": {"Line": matched.start[0], "Column": matched.start[1]},
        "EndPosition": {"Line": matched.end[0], "Column": matched.end[1]},
    }
    if matched.policy_type is not None:
        shape["SourcePolicyType"] = matched.policy_type
    return shape


def _boundary(allowed: bool | None) -> dict[str, Any] | None:
    return None if allowed is None else {"AllowedByPermissionsBoundary": allowed}


def _resource_result(result: ResourceResult) -> dict[str, Any]:
    return {
        "EvalResourceName": result.resource,
        "EvalResourceDecision": result.decision,
        "MatchedStatements": [_statement(m) for m in result.matched],
        "MissingContextValues": result.missing,
        "PermissionsBoundaryDecisionDetail": _boundary(result.boundary_allowed),
    }


def _result(result: ActionResult) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "EvalActionName": result.action,
        "EvalResourceName": result.resource,
        "EvalDecision": result.decision,
        "MatchedStatements": [_statement(m) for m in result.matched],
        "MissingContextValues": result.missing,
        "PermissionsBoundaryDecisionDetail": _boundary(result.boundary_allowed),
    }
    if result.per_resource:
        shape["ResourceSpecificResults"] = [_resource_result(r) for r in result.per_resource]
    return shape


class SimulatorOperations(Operations):
    """What policies decide, evaluated on request (Stratus enforces none of them)."""

    def _run(self, params: Params, sim: Simulation) -> Result:
        results = simulate(
            sim, params["ActionNames"], params.get("ResourceArns") or [], _context(params)
        )
        chunk, more = page_of(results, params)
        return {"EvaluationResults": [_result(r) for r in chunk], **more}

    def _resource_policy(self, params: Params) -> PolicySource | None:
        text = params.get("ResourcePolicy")
        return None if text is None else PolicySource.of("ResourcePolicy", "resource", text)

    async def simulate_custom_policy(self, ctx: RequestContext, params: Params) -> Result:
        if params.get("ResourcePolicy") is not None and not params.get("CallerArn"):
            raise InvalidInput("CallerArn must be provided when ResourcePolicy is provided.")
        sim = Simulation(
            identity=_sources(params, "PolicyInputList"),
            boundary=_sources(params, "PermissionsBoundaryPolicyInputList"),
            resource_policy=self._resource_policy(params),
            caller=params.get("CallerArn"),
            resource_owner=_account_of(params.get("ResourceOwner")),
        )
        return self._run(params, sim)

    async def simulate_principal_policy(self, ctx: RequestContext, params: Params) -> Result:
        held = principal_policies(
            self._identity.state,
            ctx.account_id,
            params["PolicySourceArn"],
            params.get("PolicyExclusionList") or [],
        )
        boundary = _sources(params, "PermissionsBoundaryPolicyInputList") or held.boundary
        sim = Simulation(
            identity=[*held.identity, *_sources(params, "PolicyInputList")],
            boundary=boundary,
            resource_policy=self._resource_policy(params),
            caller=params.get("CallerArn") or held.arn,
            resource_owner=_account_of(params.get("ResourceOwner")),
        )
        return self._run(params, sim)

    async def get_context_keys_for_custom_policy(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        texts = params["PolicyInputList"]
        for text in texts:
            parse_policy(text, PolicyKind.INLINE)
        return {"ContextKeyNames": context_keys(texts)}

    async def get_context_keys_for_principal_policy(
        self, ctx: RequestContext, params: Params
    ) -> Result:
        held = principal_policies(self._identity.state, ctx.account_id, params["PolicySourceArn"])
        extra = params.get("PolicyInputList") or []
        for text in extra:
            parse_policy(text, PolicyKind.INLINE)
        return {"ContextKeyNames": context_keys([*held.documents, *extra])}
