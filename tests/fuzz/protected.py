"""The stored data the fuzzer must not change, and a snapshot of it read through boto3.

Every protected resource's name contains :data:`PROTECTED_MARK`, so "a name that names
nothing protected" is a simple test on the string (see ``strategies``). The snapshot is
read with the same public API a user has (ListFunctions, GetFunction, versions, aliases,
tags, concurrency, event invoke configs, layers), minus per-request metadata.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import ROLE, make_zip

__all__ = [
    "ALIAS",
    "FUNCTIONS",
    "LAYER",
    "PROTECTED_MARK",
    "function_refs",
    "populate",
    "snapshot",
]

PROTECTED_MARK = "protected"
FUNCTIONS = ("fuzz-protected-alpha", "fuzz-protected-beta")
ALIAS = "protected-live"
LAYER = "fuzz-protected-layer"
_SOURCE = "def handler(event, context):\n    return {'ok': True}\n"


def function_refs(region: str = "us-east-1") -> list[str]:
    """Every way a request may name a protected function or one of its qualifiers."""
    refs: list[str] = []
    for name in FUNCTIONS:
        arn = f"arn:aws:lambda:{region}:000000000000:function:{name}"
        refs += [name, arn, f"000000000000:function:{name}"]
        refs += [f"{ref}:{q}" for ref in (name, arn) for q in ("$LATEST", "1", ALIAS)]
    return refs


def populate(client: Any) -> None:
    """Create the protected functions, a version, an alias, tags, settings and a layer."""
    alpha, beta = FUNCTIONS
    common = {"Runtime": "python3.11", "Role": ROLE, "Handler": "app.handler"}
    client.create_function(
        FunctionName=alpha,
        Code={"ZipFile": make_zip({"app.py": _SOURCE})},
        Description="protected from the fuzzer",
        Environment={"Variables": {"KEEP": "me"}},
        Tags={"owner": "fuzz"},
        Publish=True,
        **common,
    )
    client.create_function(
        FunctionName=beta,
        Code={"ZipFile": make_zip({"app.py": _SOURCE, "extra.txt": "beta"})},
        Timeout=7,
        MemorySize=256,
        **common,
    )
    client.create_alias(FunctionName=alpha, Name=ALIAS, FunctionVersion="1")
    client.put_function_concurrency(FunctionName=alpha, ReservedConcurrentExecutions=3)
    client.put_function_event_invoke_config(
        FunctionName=alpha, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120
    )
    client.tag_resource(
        Resource=f"arn:aws:lambda:us-east-1:000000000000:function:{beta}", Tags={"team": "fuzz"}
    )
    client.publish_layer_version(
        LayerName=LAYER,
        Content={"ZipFile": make_zip({"python/helper.py": "X = 1\n"})},
        CompatibleRuntimes=["python3.11"],
    )


def _clean(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _or_missing(call: Any, **kwargs: Any) -> dict[str, Any] | str:
    try:
        return _clean(call(**kwargs))
    except Exception as exc:  # a missing config is part of the state, not an error
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code is None:
            raise
        return f"error: {code}"


def snapshot(client: Any) -> dict[str, Any]:
    """Everything the Lambda API shows about the stored functions and layers."""
    functions: list[dict[str, Any]] = []
    for page in client.get_paginator("list_functions").paginate(FunctionVersion="ALL"):
        functions.extend(page["Functions"])
    state: dict[str, Any] = {"functions": functions, "per_function": {}}
    for name in sorted({f["FunctionName"] for f in functions}):
        arn = f"arn:aws:lambda:us-east-1:000000000000:function:{name}"
        state["per_function"][name] = {
            "function": _or_missing(client.get_function, FunctionName=name),
            "versions": _or_missing(client.list_versions_by_function, FunctionName=name),
            "aliases": _or_missing(client.list_aliases, FunctionName=name),
            "tags": _or_missing(client.list_tags, Resource=arn),
            "concurrency": _or_missing(client.get_function_concurrency, FunctionName=name),
            "event_invoke_configs": _or_missing(
                client.list_function_event_invoke_configs, FunctionName=name
            ),
        }
    layers = _clean(client.list_layers())
    state["layers"] = layers
    state["layer_versions"] = {
        layer["LayerName"]: _or_missing(client.list_layer_versions, LayerName=layer["LayerName"])
        for layer in layers["Layers"]
    }
    state["account"] = _clean(client.get_account_settings())
    return state
