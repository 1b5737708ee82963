"""Layers: publish, get (by name and by ARN), list, delete, and a function importing one."""

from __future__ import annotations

import base64
import hashlib
import urllib.request
from typing import Any

import pytest

from tests.aws.lambda_.conftest import ACCOUNT, REGION, assert_error, read_payload
from tests.conftest import create_function, make_zip, unique_name

LAYER_ZIP = make_zip(
    {
        "python/greetings.py": "def greet(name):\n    return f'hello {name} from a layer'\n",
        "python/pkg/__init__.py": "VALUE = 41\n",
    }
)


def layer_arn(name: str, version: int | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{name}"
    return arn if version is None else f"{arn}:{version}"


def _publish(client: Any, name: str, content: bytes = LAYER_ZIP, **kwargs: Any) -> Any:
    return client.publish_layer_version(LayerName=name, Content={"ZipFile": content}, **kwargs)


def test_publish_and_get_layer_version(lambda_client: Any) -> None:
    name = unique_name("layer")
    published = _publish(
        lambda_client,
        name,
        Description="greetings",
        CompatibleRuntimes=["python3.11", "python3.12"],
        LicenseInfo="MIT",
    )
    assert published["LayerArn"] == layer_arn(name)
    assert published["LayerVersionArn"] == layer_arn(name, 1)
    assert published["Version"] == 1
    assert published["Description"] == "greetings"
    assert published["CompatibleRuntimes"] == ["python3.11", "python3.12"]
    assert published["LicenseInfo"] == "MIT"
    digest = base64.b64encode(hashlib.sha256(LAYER_ZIP).digest()).decode()
    assert published["Content"]["CodeSha256"] == digest
    assert published["Content"]["CodeSize"] == len(LAYER_ZIP)
    with urllib.request.urlopen(published["Content"]["Location"], timeout=10) as download:
        assert download.read() == LAYER_ZIP
    got = lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert got["LayerVersionArn"] == layer_arn(name, 1)
    by_arn = lambda_client.get_layer_version_by_arn(Arn=layer_arn(name, 1))
    assert by_arn["Version"] == 1 and by_arn["Description"] == "greetings"
    by_layer_arn = lambda_client.get_layer_version(LayerName=layer_arn(name), VersionNumber=1)
    assert by_layer_arn["LayerVersionArn"] == layer_arn(name, 1)


def test_versions_count_up_and_list(lambda_client: Any) -> None:
    name = unique_name("layer")
    _publish(lambda_client, name, CompatibleRuntimes=["python3.11"])
    second = _publish(lambda_client, name, CompatibleRuntimes=["python3.12"])
    assert second["Version"] == 2
    versions = lambda_client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2, 1]
    assert [v["LayerVersionArn"] for v in versions] == [layer_arn(name, 2), layer_arn(name, 1)]
    py311 = lambda_client.list_layer_versions(LayerName=name, CompatibleRuntime="python3.11")
    assert [v["Version"] for v in py311["LayerVersions"]] == [1]
    layers = {
        layer["LayerName"]: layer
        for page in lambda_client.get_paginator("list_layers").paginate()
        for layer in page["Layers"]
    }
    assert layers[name]["LayerArn"] == layer_arn(name)
    assert layers[name]["LatestMatchingVersion"]["Version"] == 2
    filtered = {
        layer["LayerName"]: layer
        for layer in lambda_client.list_layers(CompatibleRuntime="python3.11")["Layers"]
    }
    assert filtered[name]["LatestMatchingVersion"]["Version"] == 1


def test_delete_layer_version(lambda_client: Any) -> None:
    name = unique_name("layer")
    _publish(lambda_client, name)
    _publish(lambda_client, name)
    lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)
    versions = lambda_client.list_layer_versions(LayerName=name)["LayerVersions"]
    assert [v["Version"] for v in versions] == [2]
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException) as error:
        lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    assert_error(
        error, "ResourceNotFoundException", "The resource you requested does not exist.", 404
    )
    # deleting again is quiet, as in Lambda
    lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)
    # version numbers are never reused
    assert _publish(lambda_client, name)["Version"] == 3


def test_function_imports_from_layer(lambda_client: Any) -> None:
    name = unique_name("layer")
    arn = _publish(lambda_client, name)["LayerVersionArn"]
    function = create_function(
        lambda_client,
        "import greetings, pkg\n"
        "def handler(event, context):\n"
        "    return [greetings.greet(event['who']), pkg.VALUE + 1]\n",
        Layers=[arn],
    )
    config = lambda_client.get_function_configuration(FunctionName=function)
    assert config["Layers"] == [{"Arn": arn, "CodeSize": len(LAYER_ZIP)}]
    response = lambda_client.invoke(FunctionName=function, Payload=b'{"who": "Ada"}')
    assert "FunctionError" not in response, response["Payload"].read()
    assert read_payload(response) == ["hello Ada from a layer", 42]


def _which_layers(client: Any) -> tuple[str, str]:
    first = _publish(client, unique_name("layer"), make_zip({"python/which.py": "WHO = 'first'\n"}))
    second = _publish(
        client, unique_name("layer"), make_zip({"python/which.py": "WHO = 'second'\n"})
    )
    return first["LayerVersionArn"], second["LayerVersionArn"]


def test_function_code_wins_over_layer(lambda_client: Any) -> None:
    first, _ = _which_layers(lambda_client)
    own = create_function(
        lambda_client,
        "import which\ndef handler(event, context):\n    return which.WHO\n",
        files={"which.py": "WHO = 'function'\n"},
        Layers=[first],
    )
    assert read_payload(lambda_client.invoke(FunctionName=own)) == "function"


def test_later_layer_overrides_earlier(lambda_client: Any) -> None:
    first, second = _which_layers(lambda_client)
    function = create_function(
        lambda_client,
        "import which\ndef handler(event, context):\n    return which.WHO\n",
        Layers=[first, second],
    )
    assert read_payload(lambda_client.invoke(FunctionName=function)) == "second"


def test_function_keeps_deleted_layer_version(lambda_client: Any) -> None:
    name = unique_name("layer")
    arn = _publish(lambda_client, name)["LayerVersionArn"]
    function = create_function(
        lambda_client,
        "import greetings\ndef handler(event, context):\n    return greetings.greet('x')\n",
        Layers=[arn],
    )
    lambda_client.delete_layer_version(LayerName=name, VersionNumber=1)
    lambda_client.update_function_configuration(FunctionName=function, Timeout=5)
    assert read_payload(lambda_client.invoke(FunctionName=function)) == "hello x from a layer"


def test_update_configuration_adds_layer(lambda_client: Any) -> None:
    arn = _publish(lambda_client, unique_name("layer"))["LayerVersionArn"]
    function = create_function(
        lambda_client,
        "def handler(event, context):\n    import greetings\n    return greetings.greet('y')\n",
    )
    assert read_payload(lambda_client.invoke(FunctionName=function))["errorType"] == (
        "ModuleNotFoundError"
    )
    lambda_client.update_function_configuration(FunctionName=function, Layers=[arn])
    assert read_payload(lambda_client.invoke(FunctionName=function)) == "hello y from a layer"


def test_layer_bad_inputs(lambda_client: Any, raw_client: Any) -> None:
    name = unique_name("layer")
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        _publish(lambda_client, name, b"not a zip")
    assert_error(
        error,
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
        400,
    )
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.publish_layer_version(LayerName=name, Content={})
    assert_error(
        error,
        "InvalidParameterValueException",
        "Please provide a source for layer content.",
        400,
    )
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.publish_layer_version(LayerName="bad name!", Content={"ZipFile": LAYER_ZIP})
    assert_error(
        error, "ValidationException", "1 validation error detected: Value 'bad name!'", prefix=True
    )
    assert lambda_client.list_layer_versions(LayerName=name)["LayerVersions"] == []
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_layer_version(LayerName=name, VersionNumber=1)
    with pytest.raises(raw_client.exceptions.ClientError) as error:
        raw_client.get_layer_version_by_arn(Arn=layer_arn(name))
    assert_error(error, "ValidationException")


def test_two_versions_of_one_layer_refused(lambda_client: Any) -> None:
    name = unique_name("layer")
    one = _publish(lambda_client, name)["LayerVersionArn"]
    two = _publish(lambda_client, name)["LayerVersionArn"]
    function_name = unique_name()
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        create_function(
            lambda_client, "def handler(e, c):\n    pass\n", name=function_name, Layers=[one, two]
        )
    assert_error(
        error,
        "InvalidParameterValueException",
        "Two different versions of the same layer are not allowed to be referenced in the "
        "same function.",
        400,
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function(FunctionName=function_name)


def test_more_than_five_layers_refused(lambda_client: Any) -> None:
    arns = [_publish(lambda_client, unique_name("layer"))["LayerVersionArn"] for _ in range(6)]
    function_name = unique_name()
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        create_function(
            lambda_client, "def handler(e, c):\n    pass\n", name=function_name, Layers=arns
        )
    assert_error(
        error, "InvalidParameterValueException", "Cannot reference more than 5 layers.", 400
    )
    with pytest.raises(lambda_client.exceptions.ResourceNotFoundException):
        lambda_client.get_function(FunctionName=function_name)
