"""The template engine's pure parts: the loader's short forms, intrinsic functions,
conditions and the dependency graph, each case from CloudFormation's documentation."""

from __future__ import annotations

from typing import Any

import pytest

from stratus.services.stacks.errors import TemplateError
from stratus.services.stacks.template.graph import creation_order, dependencies
from stratus.services.stacks.template.intrinsics import Evaluator, Names, evaluate_conditions
from stratus.services.stacks.template.loader import parse_template

RESOURCES = {"Queue": "https://q/url", "Fn": "fn-name"}
ATTRIBUTES = {("Queue", "Arn"): "arn:aws:sqs:us-east-1:123456789012:q", ("Fn", "Arn"): "arn:fn"}


def _names(parameters: dict[str, Any] | None = None) -> Names:
    def attribute(name: str, attr: str) -> Any:
        return ATTRIBUTES[(name, attr)]

    return Names(
        parameters={
            "AWS::Region": "eu-west-1",
            "AWS::AccountId": "123456789012",
            "Env": "prod",
            "List": ["a", "b"],
            **(parameters or {}),
        },
        ref=lambda name: RESOURCES[name],
        attribute=attribute,
        import_value=lambda name: f"imported:{name}",
        resources=frozenset(RESOURCES),
        region="eu-west-1",
    )


def _evaluate(value: Any) -> Any:
    names = _names()
    conditions = evaluate_conditions(
        {"IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]}}, names, {}
    )
    return Evaluator(names, {"M": {"prod": {"Size": 3}}}, conditions).resolve(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"Ref": "Queue"}, "https://q/url", id="ref-resource"),
        pytest.param({"Ref": "Env"}, "prod", id="ref-parameter"),
        pytest.param({"Fn::GetAtt": ["Queue", "Arn"]}, ATTRIBUTES[("Queue", "Arn")], id="getatt"),
        pytest.param({"Fn::GetAtt": "Fn.Arn"}, "arn:fn", id="getatt-string"),
        pytest.param(
            {"Fn::Sub": "${AWS::Region}/${Queue}/${Fn.Arn}/${!Literal}"},
            "eu-west-1/https://q/url/arn:fn/${Literal}",
            id="sub",
        ),
        pytest.param(
            {"Fn::Sub": ["${A}-${Env}", {"A": {"Ref": "Fn"}}]}, "fn-name-prod", id="sub-variables"
        ),
        pytest.param({"Fn::Join": [",", {"Ref": "List"}]}, "a,b", id="join-list-parameter"),
        pytest.param({"Fn::Select": ["1", {"Fn::Split": ["|", "x|y|z"]}]}, "y", id="select-split"),
        pytest.param({"Fn::If": ["IsProd", "big", "small"]}, "big", id="if"),
        pytest.param(
            {"A": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, 1]}, "B": 2},
            {"B": 2},
            id="if-novalue-key",
        ),
        pytest.param([1, {"Ref": "AWS::NoValue"}, 3], [1, 3], id="novalue-list"),
        pytest.param({"Fn::FindInMap": ["M", {"Ref": "Env"}, "Size"]}, 3, id="findinmap"),
        pytest.param(
            {"Fn::FindInMap": ["M", "dev", "Size", {"DefaultValue": 1}]}, 1, id="findinmap-default"
        ),
        pytest.param({"Fn::GetAZs": ""}, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], id="getazs"),
        pytest.param(
            {"Fn::ImportValue": {"Fn::Sub": "${Env}-x"}}, "imported:prod-x", id="importvalue"
        ),
        pytest.param({"Fn::Base64": "hi"}, "aGk=", id="base64"),
        pytest.param({"Fn::Length": [1, 2, 3]}, 3, id="length"),
        pytest.param(
            {"Fn::ToJsonString": {"a": [1, {"Ref": "Env"}]}}, '{"a":[1,"prod"]}', id="tojsonstring"
        ),
    ],
)
def test_intrinsic(value: Any, expected: Any) -> None:
    assert _evaluate(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            {"Fn::Select": [5, ["a"]]},
            "Fn::Select cannot select nonexistent value at index 5",
            id="select-range",
        ),
        pytest.param(
            {"Fn::FindInMap": ["M", "dev", "Size"]},
            "Unable to get mapping for M::dev::Size",
            id="no-mapping",
        ),
        pytest.param(
            {"Fn::If": ["Missing", 1, 2]},
            "Unresolved condition dependency Missing",
            id="no-condition",
        ),
    ],
)
def test_intrinsic_errors(value: Any, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        _evaluate(value)


def test_conditions_compose_and_refuse_cycles() -> None:
    names = _names()
    values = evaluate_conditions(
        {
            "IsProd": {"Fn::Equals": ["prod", {"Ref": "Env"}]},
            "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Either": {"Fn::Or": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]},
            "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "NotProd"}]},
        },
        names,
        {},
    )
    assert values == {"IsProd": True, "NotProd": False, "Either": True, "Both": False}
    with pytest.raises(TemplateError, match="Circular condition dependency"):
        evaluate_conditions({"A": {"Condition": "B"}, "B": {"Condition": "A"}}, names, {})


def test_yaml_short_forms_and_dates() -> None:
    document = parse_template(
        "Resources:\n"
        "  A:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: !Sub '${AWS::StackName}-q'\n"
        "      Arn: !GetAtt B.Arn\n"
        "      Tags: !If [C, !Ref X, !Ref 'AWS::NoValue']\n"
        "      Version: 2012-10-17\n"
    )
    props = document["Resources"]["A"]["Properties"]
    assert props["QueueName"] == {"Fn::Sub": "${AWS::StackName}-q"}
    assert props["Arn"] == {"Fn::GetAtt": ["B", "Arn"]}
    assert props["Tags"] == {"Fn::If": ["C", {"Ref": "X"}, {"Ref": "AWS::NoValue"}]}
    assert props["Version"] == "2012-10-17"


def test_dependency_order_and_cycles() -> None:
    resources = {
        "Api": {"Type": "T", "Properties": {"Target": {"Fn::Sub": "${Fn.Arn}"}}},
        "Fn": {"Type": "T", "Properties": {"Role": {"Fn::GetAtt": ["Role", "Arn"]}}},
        "Role": {"Type": "T"},
        "Late": {"Type": "T", "DependsOn": "Api"},
    }
    assert creation_order(dependencies(resources, [])) == ["Role", "Fn", "Api", "Late"]
    looped = {
        "A": {"Type": "T", "DependsOn": "C"},
        "B": {"Type": "T", "DependsOn": "A"},
        "C": {"Type": "T", "Properties": {"X": {"Ref": "B"}}},
        "D": {"Type": "T"},
    }
    with pytest.raises(TemplateError, match=r"Circular dependency between resources: \[A, B, C\]"):
        creation_order(dependencies(looped, []))
