"""Intrinsic functions: the developer guide's examples, then bad inputs."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.intrinsic_parser import (
    Call,
    IntrinsicSyntaxError,
    Literal,
    PathArg,
    parse,
)
from stratus.workflows.expressions.intrinsics import evaluate

CONTEXT = {"StateMachine": {"Name": "my-state-machine-v2", "Id": "arn:sm"}}

DOC_CASES: list[tuple[str, Any, Any]] = [
    # States.Format
    (
        "States.Format('Hello, my name is {}.', $.name)",
        {"name": "Arnav"},
        "Hello, my name is Arnav.",
    ),
    (
        "States.Format($.template, $.name)",
        {"name": "Arnav", "template": "Hello, my name is {}."},
        "Hello, my name is Arnav.",
    ),
    ("States.Format('{} and {}', $.a, $.b)", {"a": 1, "b": None}, "1 and null"),
    ("States.Format('{}', $.o)", {"o": {"Arg1": 1, "Arg2": []}}, "{Arg1=1, Arg2=[]}"),
    ("States.Format('\\{\\} \\' \\\\ {}', $.x)", {"x": True}, "{} ' \\ true"),
    # JSON manipulation
    ("States.StringToJson($.someString)", {"someString": '{"number": 20}'}, {"number": 20}),
    ("States.JsonToString($.data)", {"data": {"a": 1, "b": [1, "x"]}}, '{"a":1,"b":[1,"x"]}'),
    (
        "States.JsonMerge($.json1, $.json2, false)",
        {"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}},
        {"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3},
    ),
    # arrays
    ("States.Array($.Id)", {"Id": 123456}, [123456]),
    ("States.Array('a', 1, true, null, $.o)", {"o": {"k": []}}, ["a", 1, True, None, {"k": []}]),
    (
        "States.ArrayPartition($.inputArray, 4)",
        {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]},
        [[1, 2, 3, 4], [5, 6, 7, 8], [9]],
    ),
    (
        "States.ArrayContains($.inputArray, $.lookingFor)",
        {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "lookingFor": 5},
        True,
    ),
    ("States.ArrayContains($.a, 1)", {"a": [True, "1", 1.0]}, True),
    ("States.ArrayContains($.a, 1)", {"a": [True, "1"]}, False),
    ("States.ArrayRange(1, 9, 2)", {}, [1, 3, 5, 7, 9]),
    ("States.ArrayRange(10, 1, -3)", {}, [10, 7, 4, 1]),
    ("States.ArrayRange(5, 1, 1)", {}, []),
    (
        "States.ArrayGetItem($.inputArray, $.index)",
        {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9], "index": 5},
        6,
    ),
    ("States.ArrayLength($.inputArray)", {"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]}, 9),
    ("States.ArrayUnique($.inputArray)", {"inputArray": [1, 2, 3, 3, 3, 3, 3, 3, 4]}, [1, 2, 3, 4]),
    (
        "States.ArrayUnique($.a)",
        {"a": [1, True, 1.0, {"x": 1}, {"x": 1}, None]},
        [1, True, {"x": 1}, None],
    ),
    # encoding and hashing
    ("States.Base64Encode($.input)", {"input": "Data to encode"}, "RGF0YSB0byBlbmNvZGU="),
    ("States.Base64Decode($.base64)", {"base64": "RGF0YSB0byBlbmNvZGU="}, "Data to encode"),
    (
        "States.Hash($.Data, $.Algorithm)",
        {"Data": "input data", "Algorithm": "SHA-1"},
        "aaff4a450a104cd177d28d18d74485e8cae074b7",
    ),
    ("States.Hash('input data', 'MD5')", {}, "812f45842bc6d66ee14572ce20db8e86"),
    (
        "States.Hash('input data', 'SHA-256')",
        {},
        "b4a697a057313163aee33cd8d40c66e9f0f177e00cac2de32475ffff6169c3e3",
    ),
    # math and strings
    ("States.MathAdd($.value1, $.step)", {"value1": 111, "step": -1}, 110),
    ("States.MathAdd(1.5, -1.5)", {}, 1),  # Java Math.round: 2 + -1
    (
        "States.StringSplit($.inputString, $.splitter)",
        {"inputString": "1,2,3,4,5", "splitter": ","},
        ["1", "2", "3", "4", "5"],
    ),
    (
        "States.StringSplit($.inputString, $.splitter)",
        {"inputString": "This.is+a,test=string", "splitter": ".+,="},
        ["This", "is", "a", "test", "string"],
    ),
    # nesting (the guide's nine-deep ARN example, shortened)
    (
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
        "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
        {},
        "v2",
    ),
    ("States.StringToJson(States.JsonToString($.x))", {"x": [1, {"a": None}]}, [1, {"a": None}]),
]


@pytest.mark.parametrize(
    ("expression", "data", "expected"), DOC_CASES, ids=[case[0][:60] for case in DOC_CASES]
)
def test_documented_examples(expression: str, data: Any, expected: Any) -> None:
    assert evaluate(expression, data, CONTEXT) == expected


def test_variables_as_arguments() -> None:
    assert evaluate("States.Format('{}-{}', $a, $b.c)", {}, {}, {"a": 1, "b": {"c": "x"}}) == "1-x"


def test_uuid_and_random() -> None:
    assert uuid.UUID(evaluate("States.UUID()", {}, {})).version == 4
    value = evaluate("States.MathRandom($.start, $.end)", {"start": 1, "end": 999}, {})
    assert 1 <= value < 999
    seeded = [evaluate("States.MathRandom(1, 1000, 7)", {}, {}) for _ in range(3)]
    assert len(set(seeded)) == 1
    assert re.fullmatch(r"[0-9a-f-]{36}", evaluate("States.UUID()", {}, {}))


def test_parser_shapes() -> None:
    call = parse("States.Format('a\\'b {}', $.x[0], 1.5, -2, true, null, States.UUID())")
    assert call == Call(
        "Format",
        (
            Literal("a'b {}", raw="a\\'b {}"),
            PathArg("$.x[0]"),
            Literal(1.5),
            Literal(-2),
            Literal(True),
            Literal(None),
            Call("UUID", ()),
        ),
    )
    assert parse("States.Array($['a,b'], $.c[?(@.d > 1)])").arguments == (
        PathArg("$['a,b']"),
        PathArg("$.c[?(@.d > 1)]"),
    )


@pytest.mark.parametrize(
    "expression",
    [
        "States.Array(",
        "States.Array(1,)",
        "States.Array(1 2)",
        "States.Format('unterminated)",
        "States.Format('bad \\n escape')",
        "Format('x')",
        "States.Array() trailing",
        "States.Array(undefined)",
        "States.Array(" * 11 + ")" * 11,  # deeper than the 10 AWS allows
    ],
)
def test_syntax_errors(expression: str) -> None:
    with pytest.raises(IntrinsicSyntaxError) as info:
        evaluate(expression, {}, {})
    assert info.value.error == "States.IntrinsicFailure"


BAD_CALLS = [
    ("States.Format('{} {}', 1)", "Format"),
    ("States.Format()", "Format"),
    ("States.StringToJson(1)", "StringToJson"),
    ("States.StringToJson('{not json')", "StringToJson"),
    ("States.JsonMerge($.a, $.b, true)", "JsonMerge"),
    ("States.JsonMerge($.a, 1, false)", "JsonMerge"),
    ("States.ArrayPartition($.list, 0)", "ArrayPartition"),
    ("States.ArrayPartition('x', 1)", "ArrayPartition"),
    ("States.ArrayRange(1, 10, 0)", "ArrayRange"),
    ("States.ArrayRange(0, 1000, 1)", "ArrayRange"),  # 1001 items
    ("States.ArrayRange('1', 10, 1)", "ArrayRange"),
    ("States.ArrayGetItem($.list, 3)", "ArrayGetItem"),
    ("States.ArrayGetItem($.list, -1)", "ArrayGetItem"),
    ("States.ArrayLength('abc')", "ArrayLength"),
    ("States.ArrayUnique($.a)", "ArrayUnique"),
    ("States.Base64Encode(1)", "Base64Encode"),
    ("States.Base64Decode('%%%')", "Base64Decode"),
    ("States.Hash('x', 'SHA-3')", "Hash"),
    ("States.Hash($.a, 'MD5')", "Hash"),
    ("States.MathAdd(2147483647, 2147483648)", "MathAdd"),
    ("States.MathAdd('1', 2)", "MathAdd"),
    ("States.MathAdd(true, 2)", "MathAdd"),
    ("States.MathRandom(5, 5)", "MathRandom"),
    ("States.StringSplit(1, ',')", "StringSplit"),
    ("States.UUID(1)", "UUID"),
    ("States.Array1()", "Array1"),
]


@pytest.mark.parametrize(("expression", "function"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_arguments_fail_with_intrinsic_failure(expression: str, function: str) -> None:
    data = {"list": [1, 2, 3], "a": {"k": 1}, "b": {"k": 2}}
    with pytest.raises(StatesError) as info:
        evaluate(expression, data, {})
    assert info.value.error == "States.IntrinsicFailure"
    assert f"States.{function}" in info.value.cause


def test_input_size_limits() -> None:
    big = "x" * 10_001
    for function in ("Base64Encode", "Base64Decode", "Hash"):
        args = "$.s, 'MD5'" if function == "Hash" else "$.s"
        with pytest.raises(StatesError, match="10000 characters"):
            evaluate(f"States.{function}({args})", {"s": big}, {})
    assert len(evaluate("States.Base64Encode($.s)", {"s": "x" * 10_000}, {})) > 10_000


def test_missing_path_argument_is_path_not_found() -> None:
    with pytest.raises(StatesError) as info:
        evaluate("States.Array($.nope)", {}, {})
    assert info.value.error == "States.Runtime"
