"""Documentation parts and versions of REST APIs (apigateway v1): locations checked per
type with AWS's defaults, one part per location, listing filters and paging, import in
merge and overwrite modes, versions as snapshots a stage can name; all of it survives a
kill -9."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import ServerProcess


@pytest.fixture(scope="module")
def apigw_v1(server: ServerProcess) -> Any:
    return server.client("apigateway")


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = excinfo.value.response["Error"]
    return error["Code"], error["Message"]


def _part(apigw_v1: Any, api_id: str, properties: Any = None, **location: str) -> Any:
    return apigw_v1.create_documentation_part(
        restApiId=api_id,
        location=location,
        properties=json.dumps(properties if properties is not None else {"description": "d"}),
    )


def test_parts_take_aws_defaults_and_refuse_a_taken_location(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="docs")["id"]
    api_part = _part(apigw_v1, api_id, {"info": {"description": "the API"}}, type="API")
    assert api_part["location"] == {"type": "API"}
    assert json.loads(api_part["properties"]) == {"info": {"description": "the API"}}
    method = _part(apigw_v1, api_id, type="METHOD", path="/pets")
    assert method["location"] == {"type": "METHOD", "path": "/pets", "method": "*"}
    response = _part(apigw_v1, api_id, type="RESPONSE", path="/pets", method="GET")
    assert response["location"] == {
        "type": "RESPONSE",
        "path": "/pets",
        "method": "GET",
        "statusCode": "*",
    }
    header = _part(apigw_v1, api_id, type="REQUEST_HEADER", method="GET", name="x-id")
    assert header["location"] == {
        "type": "REQUEST_HEADER",
        "path": "/",
        "method": "GET",
        "name": "x-id",
    }
    assert apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=method["id"])[
        "location"
    ] == {"type": "METHOD", "path": "/pets", "method": "*"}
    cases: list[tuple[dict[str, str], str, str]] = [
        (
            {"type": "API"},
            "ConflictException",
            "Documentation part already exists for the specified location: type 'API'.",
        ),
        (
            {"type": "METHOD", "path": "/pets", "method": "*"},  # the default counted
            "ConflictException",
            "Documentation part already exists for the specified location: "
            "type 'METHOD', path '/pets', method '*'.",
        ),
        (
            {"type": "API", "path": "/pets"},
            "BadRequestException",
            "Invalid location: path is not a valid field for type API",
        ),
        (
            {"type": "MODEL"},
            "BadRequestException",
            "Invalid location: name is required for type MODEL",
        ),
        (
            {"type": "RESOURCE", "path": "pets"},
            "BadRequestException",
            "Invalid location: path must start with '/': pets",
        ),
    ]
    for location, code, message in cases:
        with pytest.raises(ClientError) as excinfo:
            _part(apigw_v1, api_id, **location)
        assert _error(excinfo) == (code, message), location
    with pytest.raises(ClientError) as excinfo:
        _part(apigw_v1, api_id, type="NOPE")
    assert _error(excinfo)[0] == "BadRequestException"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.create_documentation_part(
            restApiId=api_id, location={"type": "RESOURCE", "path": "/x"}, properties="{not json"
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid documentation part properties: not valid JSON",
    )
    listed = apigw_v1.get_documentation_parts(restApiId=api_id, limit=500)["items"]
    assert len(listed) == 4  # nothing refused was stored


def test_list_filters_paging_update_and_delete(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="docs-list")["id"]
    ids = [
        _part(apigw_v1, api_id, type="MODEL", name=name)["id"] for name in ("Pet", "Pets", "User")
    ]
    empty = _part(apigw_v1, api_id, {}, type="RESOURCE", path="/pets")["id"]
    models = apigw_v1.get_documentation_parts(restApiId=api_id, type="MODEL")["items"]
    assert sorted(p["id"] for p in models) == sorted(ids)
    named = apigw_v1.get_documentation_parts(restApiId=api_id, nameQuery="Pet")["items"]
    assert sorted(p["location"]["name"] for p in named) == ["Pet", "Pets"]
    at_path = apigw_v1.get_documentation_parts(restApiId=api_id, path="/pets")["items"]
    assert [p["id"] for p in at_path] == [empty]
    undocumented = apigw_v1.get_documentation_parts(
        restApiId=api_id, locationStatus="UNDOCUMENTED"
    )["items"]
    assert [p["id"] for p in undocumented] == [empty]
    first = apigw_v1.get_documentation_parts(restApiId=api_id, limit=3)
    assert len(first["items"]) == 3
    rest = apigw_v1.get_documentation_parts(restApiId=api_id, limit=3, position=first["position"])
    assert len(rest["items"]) == 1 and "position" not in rest
    updated = apigw_v1.update_documentation_part(
        restApiId=api_id,
        documentationPartId=ids[0],
        patchOperations=[{"op": "replace", "path": "/properties", "value": '{"a": 1}'}],
    )
    assert updated["properties"] == '{"a": 1}'
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_documentation_part(
            restApiId=api_id,
            documentationPartId=ids[0],
            patchOperations=[{"op": "replace", "path": "/location/name", "value": "x"}],
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "Invalid patch path '/location/name' specified for op 'replace'. "
        "Must be one of: [/properties]",
    )
    apigw_v1.delete_documentation_part(restApiId=api_id, documentationPartId=ids[0])
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=ids[0])
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid Documentation part identifier specified",
    )


def test_import_merge_and_overwrite(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="docs-import")["id"]
    kept = _part(apigw_v1, api_id, {"description": "old"}, type="API")["id"]
    other = _part(apigw_v1, api_id, type="RESOURCE", path="/other")["id"]

    def document(*parts: dict[str, Any]) -> bytes:
        return json.dumps(
            {
                "swagger": "2.0",
                "info": {"title": "t"},
                "paths": {},
                "x-amazon-apigateway-documentation": {
                    "version": "1",
                    "documentationParts": list(parts),
                },
            }
        ).encode()

    merged = apigw_v1.import_documentation_parts(
        restApiId=api_id,
        mode="merge",
        body=document(
            {"location": {"type": "API"}, "properties": {"description": "new"}},
            {"location": {"type": "METHOD", "path": "/pets", "method": "GET"}, "properties": {}},
        ),
    )
    assert merged["ids"][0] == kept and len(merged["ids"]) == 2
    assert json.loads(
        apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=kept)["properties"]
    ) == {"description": "new"}
    assert len(apigw_v1.get_documentation_parts(restApiId=api_id)["items"]) == 3
    bad = document(
        {"location": {"type": "MODEL"}, "properties": {}},
        {"location": {"type": "RESOURCE", "path": "/only"}, "properties": {"x": 1}},
    )
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.import_documentation_parts(
            restApiId=api_id, mode="overwrite", failOnWarnings=True, body=bad
        )
    assert _error(excinfo) == (
        "BadRequestException",
        "Import failed with warnings: Documentation part 0: "
        "Invalid location: name is required for type MODEL",
    )
    assert len(apigw_v1.get_documentation_parts(restApiId=api_id)["items"]) == 3
    overwritten = apigw_v1.import_documentation_parts(restApiId=api_id, mode="overwrite", body=bad)
    assert overwritten["warnings"] == [
        "Documentation part 0: Invalid location: name is required for type MODEL"
    ]
    remaining = apigw_v1.get_documentation_parts(restApiId=api_id)["items"]
    assert [p["location"] for p in remaining] == [{"type": "RESOURCE", "path": "/only"}]
    assert other not in {p["id"] for p in remaining}


def test_import_rest_api_brings_its_documentation(apigw_v1: Any) -> None:
    definition = {
        "swagger": "2.0",
        "info": {"title": "documented-import", "version": "1"},
        "paths": {
            "/pets": {
                "get": {
                    "responses": {"200": {"description": "ok"}},
                    "x-amazon-apigateway-integration": {"type": "mock"},
                }
            }
        },
        "x-amazon-apigateway-documentation": {
            "version": "1",
            "documentationParts": [
                {
                    "location": {"type": "METHOD", "path": "/pets", "method": "GET"},
                    "properties": {"summary": "List pets"},
                }
            ],
        },
    }
    api_id = apigw_v1.import_rest_api(body=json.dumps(definition).encode())["id"]
    parts = apigw_v1.get_documentation_parts(restApiId=api_id)["items"]
    assert [(p["location"], json.loads(p["properties"])) for p in parts] == [
        ({"type": "METHOD", "path": "/pets", "method": "GET"}, {"summary": "List pets"})
    ]


def test_versions_are_snapshots(apigw_v1: Any) -> None:
    api_id = apigw_v1.create_rest_api(name="docs-versions")["id"]
    root = apigw_v1.get_resources(restApiId=api_id)["items"][0]["id"]
    apigw_v1.put_method(
        restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE"
    )
    apigw_v1.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    apigw_v1.create_deployment(restApiId=api_id, stageName="prod")
    _part(apigw_v1, api_id, type="API")
    made = apigw_v1.create_documentation_version(
        restApiId=api_id, documentationVersion="1.0", stageName="prod", description="first"
    )
    assert made["version"] == "1.0" and made["description"] == "first"
    assert made["createdDate"]
    assert apigw_v1.get_stage(restApiId=api_id, stageName="prod")["documentationVersion"] == "1.0"
    apigw_v1.create_documentation_version(restApiId=api_id, documentationVersion="2.0")
    listed = apigw_v1.get_documentation_versions(restApiId=api_id)["items"]
    assert [v["version"] for v in listed] == ["1.0", "2.0"]
    updated = apigw_v1.update_documentation_version(
        restApiId=api_id,
        documentationVersion="2.0",
        patchOperations=[{"op": "replace", "path": "/description", "value": "second"}],
    )
    assert updated["description"] == "second"
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.create_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert _error(excinfo) == ("ConflictException", "Documentation version already exists: 1.0")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.create_documentation_version(
            restApiId=api_id, documentationVersion="3.0", stageName="nostage"
        )
    assert _error(excinfo) == ("NotFoundException", "Invalid Stage identifier specified")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.update_documentation_version(
            restApiId=api_id,
            documentationVersion="2.0",
            patchOperations=[{"op": "replace", "path": "/version", "value": "9"}],
        )
    assert _error(excinfo)[0] == "BadRequestException"
    apigw_v1.delete_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert "documentationVersion" not in apigw_v1.get_stage(restApiId=api_id, stageName="prod")
    with pytest.raises(ClientError) as excinfo:
        apigw_v1.get_documentation_version(restApiId=api_id, documentationVersion="1.0")
    assert _error(excinfo) == (
        "NotFoundException",
        "Invalid Documentation version identifier specified",
    )
    assert [
        v["version"] for v in apigw_v1.get_documentation_versions(restApiId=api_id)["items"]
    ] == ["2.0"]


def test_documentation_survives_kill_9(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data").start()
    try:
        apigw_v1 = server.client("apigateway")
        api_id = apigw_v1.create_rest_api(name="docs-kept")["id"]
        part = _part(apigw_v1, api_id, {"description": "kept"}, type="RESOURCE", path="/a")
        apigw_v1.create_documentation_version(
            restApiId=api_id, documentationVersion="v1", description="kept"
        )
        server.kill()
        server.start()
        apigw_v1 = server.client("apigateway")
        again = apigw_v1.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
        assert again == {k: v for k, v in part.items() if k != "ResponseMetadata"} | {
            "ResponseMetadata": again["ResponseMetadata"]
        }
        version = apigw_v1.get_documentation_version(restApiId=api_id, documentationVersion="v1")
        assert version["description"] == "kept"
    finally:
        server.stop()
