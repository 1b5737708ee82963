"""Environment variables a function can never start with are refused when configured,
not on every invoke afterwards.

AWS sources:
- Keys: "Keys start with a letter and are at least two characters. Keys only contain
  letters, numbers, and the underscore character (_). Keys aren't reserved by Lambda. The
  total size of all environment variables doesn't exceed 4 KB." (Lambda developer guide,
  "Using AWS Lambda environment variables", configuration-envvars.html); the key pattern
  is the model's ``[a-zA-Z]([a-zA-Z0-9_])+`` and its ValidationException is reported in
  trek10inc/serverless-secrets#39 (the reserved-key and pattern cases are in
  ``test_bad_inputs.py`` and ``test_bad_requests.py``).
- Size: "Lambda was unable to configure your environment variables because the environment
  variables you have provided exceeded the 4KB limit. String measured: ..."
  (InvalidParameterValueException).
- Values: the model puts no constraint on them and AWS documents none; a NUL cannot be
  passed to a process (execve's strings end at it), so Stratus refuses it up front with an
  InvalidParameterValueException in the words of Lambda's other environment errors (AWS's
  own answer to a NUL is not published: hashicorp/terraform#29515 reports only that
  non-printable characters in values fail there).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, assert_no_function, configuration
from tests.conftest import ROLE, create_function, make_zip, unique_name

SOURCE = "import os\n\ndef handler(event, context):\n    return os.environ.get('GREETING')\n"


def _nul_message(*keys: str) -> str:
    return (
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided contain a null character (U+0000), which environment "
        f"variables cannot hold. Keys with such values: {', '.join(keys)}"
    )


BAD = [
    pytest.param({"GREETING": "hello\x00world"}, _nul_message("GREETING"), id="nul-inside"),
    pytest.param({"GREETING": "\x00"}, _nul_message("GREETING"), id="nul-only"),
    pytest.param(
        {"B_VAR": "x\x00", "A_VAR": "\x00y", "OK": "fine"},
        _nul_message("A_VAR", "B_VAR"),
        id="nul-in-two",
    ),
    pytest.param(
        {"BIG": "x" * 4100},
        "Lambda was unable to configure your environment variables because the environment "
        "variables you have provided exceeded the 4KB limit. String measured: "
        + json.dumps({"BIG": "x" * 4100}, separators=(",", ":")),
        id="over-4kb",
    ),
]


@pytest.mark.parametrize(("variables", "message"), BAD)
def test_create_refuses(lambda_client: Any, variables: dict[str, str], message: str) -> None:
    name = unique_name("env")
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=ROLE,
            Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": SOURCE})},
            Environment={"Variables": variables},
        )
    assert_error(error, "InvalidParameterValueException", message, 400)
    assert_no_function(lambda_client, name)


@pytest.mark.parametrize(("variables", "message"), BAD)
def test_update_configuration_refuses(
    lambda_client: Any, variables: dict[str, str], message: str
) -> None:
    name = create_function(lambda_client, SOURCE, Environment={"Variables": {"GREETING": "hi"}})
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": variables}
        )
    assert_error(error, "InvalidParameterValueException", message, 400)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert configuration(after) == configuration(before)
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == "hi"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("tab\tnewline\ncarriage\r", id="control-characters"),
        pytest.param("ünïcödé ✓ 🚀", id="unicode"),
        pytest.param("", id="empty"),
        pytest.param("x" * 4000, id="just-under-4kb"),
    ],
)
def test_odd_but_valid_values_reach_the_function(lambda_client: Any, value: str) -> None:
    name = create_function(lambda_client, SOURCE, Environment={"Variables": {"GREETING": value}})
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == value
