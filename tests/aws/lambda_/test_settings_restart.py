"""Policies and per-function configs are stored: a server restart (and a kill -9) keeps
them, as it keeps functions (tests/aws/lambda_/test_durability.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import ServerProcess, create_function, make_zip, unique_name

PROFILE = "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef1234"
RUNTIME_ARN = "arn:aws:lambda:us-east-1::runtime:" + "ab" * 32


def _configure(client: Any) -> dict[str, Any]:
    name = create_function(client, "def handler(event, context):\n    return 1\n")
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    client.add_permission(
        FunctionName=name,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::b",
    )
    client.add_permission(
        FunctionName=name,
        StatementId="sns",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
        Qualifier="live",
    )
    layer = unique_name("layer")
    client.publish_layer_version(LayerName=layer, Content={"ZipFile": make_zip({"a.py": ""})})
    client.add_layer_version_permission(
        LayerName=layer,
        VersionNumber=1,
        StatementId="all",
        Action="lambda:GetLayerVersion",
        Principal="*",
    )
    client.put_function_recursion_config(FunctionName=name, RecursiveLoop="Allow")
    client.put_runtime_management_config(
        FunctionName=name, Qualifier="1", UpdateRuntimeOn="Manual", RuntimeVersionArn=RUNTIME_ARN
    )
    csc = client.create_code_signing_config(
        AllowedPublishers={"SigningProfileVersionArns": [PROFILE]}
    )["CodeSigningConfig"]
    client.put_function_code_signing_config(
        CodeSigningConfigArn=csc["CodeSigningConfigArn"], FunctionName=name
    )
    return {"name": name, "layer": layer, "csc": csc}


def _snapshot(client: Any, made: dict[str, Any]) -> dict[str, Any]:
    name, layer, csc = made["name"], made["layer"], made["csc"]
    return {
        "policy": client.get_policy(FunctionName=name)["Policy"],
        "policy_revision": client.get_policy(FunctionName=name)["RevisionId"],
        "alias_policy": client.get_policy(FunctionName=name, Qualifier="live")["Policy"],
        "layer_policy": client.get_layer_version_policy(LayerName=layer, VersionNumber=1),
        "recursion": client.get_function_recursion_config(FunctionName=name)["RecursiveLoop"],
        "runtime": client.get_runtime_management_config(FunctionName=name, Qualifier="1")[
            "RuntimeVersionArn"
        ],
        "csc": client.get_code_signing_config(CodeSigningConfigArn=csc["CodeSigningConfigArn"])[
            "CodeSigningConfig"
        ],
        "attached": client.get_function_code_signing_config(FunctionName=name)[
            "CodeSigningConfigArn"
        ],
    }


def test_policies_and_configs_survive_a_kill_9(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = ServerProcess(data_dir).start()
    second: ServerProcess | None = None
    try:
        client = first.client("lambda")
        made = _configure(client)
        before = _snapshot(client, made)
        before["layer_policy"].pop("ResponseMetadata")
        first.kill()
        second = ServerProcess(data_dir).start()
        after = _snapshot(second.client("lambda"), made)
        after["layer_policy"].pop("ResponseMetadata")
        assert after == before
        assert [s["Sid"] for s in json.loads(after["policy"])["Statement"]] == ["s3"]
        assert after["recursion"] == "Allow"
        assert after["runtime"] == RUNTIME_ARN
    finally:
        if second is not None:
            second.stop()
        first.stop()
