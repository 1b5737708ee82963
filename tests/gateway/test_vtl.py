"""Mapping templates rendered as API Gateway renders them: the examples of AWS's
"mapping template and access logging variable reference", and Java's way of writing
values (``true``, ``{a=1}``) rather than Python's."""

from __future__ import annotations

import json

import pytest

from stratus.gateway.vtl import TemplateFailed, TemplateVars, render

PARAMS = {
    "path": {"id": "abc"},
    "querystring": {"name": "Ana"},
    "header": {"x-h": 'say "hi"'},
}


def _render(template: str, body: str = "", **context: object) -> str:
    return render(template, body, PARAMS, TemplateVars(dict(context), {"color": "red"}))


def test_all_parameters_example() -> None:
    template = """#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}"""
    assert json.loads(_render(template)) == {"params": PARAMS}


def test_input_json_and_path_examples() -> None:
    body = '{"mykey": {"a": [1, 2]}, "things": {"1": {}, "2": {}, "3": {}}}'
    template = """{
    "name" : "$input.params('name')",
    "id" : "$input.params('id')",
    "body" : $input.json('$.mykey'),
    "count" : "$input.path('$.things').size()",
    "whole" : $input.json('$')
}"""
    assert json.loads(_render(template, body)) == {
        "name": "Ana",
        "id": "abc",
        "body": {"a": [1, 2]},
        "count": "3",
        "whole": json.loads(body),
    }


def test_parse_json_example() -> None:
    body = '{"errorMessage":"{\\"key1\\":\\"var1\\",\\"key2\\":{\\"arr\\":[1,2,3]}}"}'
    template = """#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))
{
   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]
}"""
    assert json.loads(_render(template, body)) == {"errorMessageObjKey2ArrVal": 1}


def test_values_are_written_as_java_writes_them() -> None:
    body = '{"b": true, "n": null, "o": {"k": [1, false]}, "f": 2.5}'
    text = _render(
        "$input.path('$.b') [$input.path('$.n')] $input.path('$.o') $input.path('$.f')", body
    )
    assert text == "true [] {k=[1, false]} 2.5"


def test_escape_javascript_single_quotes_replaced_back() -> None:
    template = """{"h": "$util.escapeJavaScript($input.params('x-h')).replaceAll("\\\\'","'")"}"""
    assert json.loads(_render(template)) == {"h": 'say "hi"'}


def test_stage_variables_and_context() -> None:
    template = (
        "$stageVariables.color $stageVariables['color'] ${stageVariables['color']} $context.stage"
    )
    assert _render(template, stage="prod") == "red red red prod"


def test_response_override_sets_the_context() -> None:
    env = TemplateVars({"responseOverride": {"header": {}}})
    render(
        '#set($context.responseOverride.status = 400)#set($context.responseOverride.header.Retry = "5")',
        "",
        PARAMS,
        env,
    )
    assert env.context["responseOverride"] == {"status": 400, "header": {"Retry": "5"}}


@pytest.mark.parametrize(
    "template",
    [
        "#if($x",
        "#foreach($a in)",
        "$util.parseJson('nope')",
        "$input.path('$[')",
        "#set($a = 1 / 0)$a",
    ],
)
def test_failures_raise_template_failed(template: str) -> None:
    with pytest.raises(TemplateFailed):
        _render(template, "{}")


def test_header_names_are_found_whatever_their_case() -> None:
    """The server hands header names over lowercased; a template names them as sent."""
    params = {"path": {}, "querystring": {}, "header": {"x-trace-id": "t-1"}}
    template = (
        "$input.params().header.get('X-Trace-Id')|$input.params('X-TRACE-ID')|"
        "$input.params().header.get('x-trace-id')"
    )
    assert render(template, "", params, TemplateVars({}, {})) == "t-1|t-1|t-1"
