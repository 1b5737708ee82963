"""JSONPath selection and ResultPath, with the developer guide's examples."""

from __future__ import annotations

from typing import Any

import pytest

from stratus.workflows.errors import StatesError
from stratus.workflows.expressions.jsonpath import (
    PathNotFound,
    VariableNotFound,
    apply_result_path,
    exists,
    parse,
    select,
)

# "InputPath, Parameters and ResultSelector" and Jayway's bookstore.
STORE = {
    "comment": "Example for InputPath.",
    "dataset1": {"val1": 1, "val2": 2, "val3": 3},
    "dataset2": {"val1": "a", "val2": "b", "val3": "c"},
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "price": 12.99},
            {"category": "fiction", "author": "Herman Melville", "price": 8.99, "isbn": "0-553"},
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "odd key": {"a.b": 1},
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$", STORE),
        ("$.dataset2", {"val1": "a", "val2": "b", "val3": "c"}),
        ("$.dataset1.val2", 2),
        ("$['dataset1']['val3']", 3),
        ('$["dataset2"].val1', "a"),
        ("$.store.book[0].author", "Nigel Rees"),
        ("$.store.book[-1].price", 8.99),
        ("$['odd key']['a.b']", 1),
        ("$.store.book[*].author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]),
        ("$.store.book[0,2].price", [8.95, 8.99]),
        ("$.store.book[1:].price", [12.99, 8.99]),
        ("$.store.book[:1].price", [8.95]),
        ("$..price", [8.95, 12.99, 8.99, 19.95]),
        ("$.store..author", ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]),
        ("$.store.book[?(@.price < 10)].author", ["Nigel Rees", "Herman Melville"]),
        ("$.store.book[?(@.isbn)].author", ["Herman Melville"]),
        ("$.store.book[?(!@.isbn)].price", [8.95, 12.99]),
        ("$.store.book[?(@.category == 'fiction' && @.price > 10)].price", [12.99]),
        ("$.store.book[?(@.price > 12 || @.author == 'Nigel Rees')].price", [8.95, 12.99]),
        ("$.store.book[?(@.author =~ /.*melville/i)].price", [8.99]),
        ("$.store.book[?(@.category in ['reference'])].price", [8.95]),
        ("$.store.book[?(@.price > $.store.bicycle.price)].price", []),
        ("$.dataset1.*", [1, 2, 3]),
        ("$.nothing[*]", []),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_select(path: str, expected: Any) -> None:
    assert select(STORE, path) == expected


def test_context_and_variables() -> None:
    context = {"Execution": {"Id": "arn:aws:states:us-east-1:1:execution:m:e", "Input": {"a": 1}}}
    assert select({}, "$$.Execution.Id", context) == "arn:aws:states:us-east-1:1:execution:m:e"
    assert select({}, "$$.Execution.Input.a", context) == 1
    assert select({}, "$x", variables={"x": 42}) == 42
    assert select({}, "$order.items[1]", variables={"order": {"items": [5, 6]}}) == 6


@pytest.mark.parametrize(
    ("path", "cause"),
    [
        (
            "$.NoSuchInputPath",
            "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']",
        ),
        (
            "$.dataset1.val9",
            "Invalid path '$.dataset1.val9' : No results for path: $['dataset1']['val9']",
        ),
        (
            "$.store.book[7]",
            "Invalid path '$.store.book[7]' : No results for path: $['store']['book'][7]",
        ),
        ("$.comment.x", "Invalid path '$.comment.x' : No results for path: $['comment']['x']"),
    ],
)
def test_missing_definite_path_is_states_runtime(path: str, cause: str) -> None:
    with pytest.raises(PathNotFound) as info:
        select(STORE, path)
    assert info.value.error == "States.Runtime"
    assert info.value.cause == cause


def test_undefined_variable() -> None:
    with pytest.raises(VariableNotFound) as info:
        select({}, "$missing.x", variables={"other": 1})
    assert info.value.error == "States.Runtime"
    assert "'missing'" in info.value.cause


@pytest.mark.parametrize(
    "path", ["", "a.b", "$.", "$[", "$.a[x]", "$.a['b'", "$.a[?(@.b ==)]", "$.length()", "$a b"]
)
def test_bad_paths_are_rejected(path: str) -> None:
    with pytest.raises(StatesError):
        select({"a": {"b": 1}}, path)


def test_definite_and_exists() -> None:
    assert parse("$.a.b[0]").definite
    assert not parse("$.a[*]").definite
    assert not parse("$..a").definite
    assert exists(STORE, "$.dataset1.val1")
    assert not exists(STORE, "$.dataset1.nope")
    assert not exists(STORE, "$.nothing[*]")
    assert not exists({}, "$undefined")


# "ResultPath" page: its three examples plus the null form.
RESULT_PATH_CASES = [
    ("$", {"comment": "x"}, "Hello, AWS Step Functions!", "Hello, AWS Step Functions!"),
    (None, {"comment": "x"}, "ignored", {"comment": "x"}),
    ("null", {"comment": "x"}, "ignored", {"comment": "x"}),
    ("$.taskresult", {"comment": "x"}, "Hello", {"comment": "x", "taskresult": "Hello"}),
    (
        "$.strings.lambdaresult",
        {"comment": "x", "strings": {"s": 1}},
        "Hi",
        {"comment": "x", "strings": {"s": 1, "lambdaresult": "Hi"}},
    ),
    ("$.a.b.c", {}, 1, {"a": {"b": {"c": 1}}}),
    ("$.a", {"a": {"old": True}}, [1], {"a": [1]}),
    ("$.list[1]", {"list": [0, 0]}, 9, {"list": [0, 9]}),
]


@pytest.mark.parametrize(
    ("result_path", "state_input", "result", "expected"),
    RESULT_PATH_CASES,
    ids=[str(case[0]) for case in RESULT_PATH_CASES],
)
def test_apply_result_path(
    result_path: str | None, state_input: Any, result: Any, expected: Any
) -> None:
    before = repr(state_input)
    assert apply_result_path(state_input, result, result_path) == expected
    assert repr(state_input) == before  # the input is never modified in place


@pytest.mark.parametrize(
    ("result_path", "state_input"),
    [("$.a.b", {"a": "text"}), ("$.x", [1, 2]), ("$.list[5]", {"list": [1]}), ("$.n", 3)],
)
def test_result_path_that_cannot_apply(result_path: str, state_input: Any) -> None:
    with pytest.raises(StatesError) as info:
        apply_result_path(state_input, 1, result_path)
    assert info.value.error == "States.ResultPathMatchFailure"


@pytest.mark.parametrize("result_path", ["$.a[*]", "$$.Execution", "$var"])
def test_result_path_must_be_a_reference_path(result_path: str) -> None:
    with pytest.raises(StatesError):
        apply_result_path({}, 1, result_path)
