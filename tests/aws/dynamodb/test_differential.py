"""Differential tests: the same boto3 calls (client and ``boto3.resource``) against
Stratus and against moto's DynamoDB server, outcomes compared word for word.

moto mimics AWS's messages closely but is not AWS: where the two differ we follow AWS's
documentation and what AWS users report, and list the difference in ``MOTO_DIFFERS``
with the reason. A divergence not listed fails the test: either a Stratus bug (fix it,
add a regression test in ``test_aws_answers.py``) or a new moto difference (list it).

Every case runs in the default suite (one moto server for the module; about 15 s in
all): none is slow enough to need ``-m slow``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.aws.dynamodb.diff_cases import CASES
from tests.aws.dynamodb.differential import Outcome, moto_available, moto_server, run
from tests.conftest import ServerProcess

pytestmark = pytest.mark.skipif(
    not moto_available(), reason="moto[server] is not installed (pip install -e '.[test]')"
)

# Why moto's answer is not AWS's, by reason.
_NUMBERS = (
    "AWS returns numbers in canonical plain form, trailing zeros trimmed and no exponent "
    "(boto3#2500: 1e100 comes back as 1 followed by 100 zeros; boto3#4636); moto echoes the "
    "text sent"
)
_NUMBER_LIMITS = (
    "AWS refuses numbers past 38 digits or 9.9999999999999999999999999999999999999E+125 "
    "(developer guide, 'Data types'); moto stores them"
)
_SET_RULES = "AWS refuses empty and duplicate sets (developer guide, 'Data types'); moto accepts"
_KEY_MESSAGE = (
    "AWS answers 'The provided key element does not match the schema' (aws-sdk-js and "
    "boto3 users quote it); moto answers 'Validation Exception' or ignores the type"
)
_EMPTY_KEY = (
    "AWS's message for an empty key string is the one in 'Data types' ('One or more "
    "parameter values are not valid. The AttributeValue for a key attribute cannot contain "
    "an empty string value. Key: sk'); moto's is older"
)
_VALIDATES = "AWS validates this request before evaluating it (API reference); moto does not"
_TYPE_NAME = "AWS refuses unknown attribute_type names and non-string ones; moto evaluates false"
_BINARY_PREFIX = "begins_with on a binary attribute with a binary prefix is true on AWS; moto fails"
_EQUAL_OPERANDS = (
    "AWS refuses a = a: 'The path and the operand must be distinct' (developer guide, "
    "'Comparison operator and function reference'); moto evaluates it"
)
_OPERAND_MESSAGE = (
    "AWS: 'An operand in the update expression has an incorrect data type' for SET x = x + "
    "<string> and 'operator: DELETE, operand type: NUMBER' without moto's repeated words"
)
_VALUE_WRAP = (
    "AWS wraps an invalid ExpressionAttributeValues member: 'ExpressionAttributeValues "
    "contains invalid value: ... for key :e'"
)
_SEQUENCE = "follows from an earlier divergence in the same case (the item differs since)"
_UPDATED = (
    "UPDATED_OLD/UPDATED_NEW return the updated paths only (l[1] gives [old l[1]]), as "
    "AWS documents ('only the updated attributes'); moto returns whole top-level attributes"
)
_ENUM = "AWS validates ReturnValues against its enum first (1 validation error detected ...)"
_EXISTS = (
    "Expected {Exists: true} without a Value is refused by AWS ('Value must be provided when "
    "Exists is true for Attribute'); moto treats it as attribute_exists"
)
_BETWEEN = (
    "AWS refuses BETWEEN with a lower bound above the upper one, in any expression ('The "
    "BETWEEN operator requires upper bound to be greater than or equal to lower bound'); "
    "moto evaluates it"
)
_UNUSED_FIRST = "AWS reports unused ExpressionAttributeValues before key schema problems"
_KEY_TYPE = "AWS refuses a key condition value of the wrong type; moto returns nothing"
_ONE_PER_KEY = (
    "AWS: 'KeyConditionExpressions must only contain one condition per key' (quoted by AWS "
    "SDK users, aws-athena-query-federation#1089, Dynamoid#655); moto evaluates it"
)
_SIZE_IN_KEY = "size() in a key condition: AWS refuses the condition; moto's wording differs"
_REVERSED = ":v = pk is a valid key condition on AWS (either operand order); moto refuses"
_START_KEY = (
    "AWS refuses an ExclusiveStartKey outside the key condition ('The provided starting key "
    "does not match the range key predicate', aws-sdk-js#3283); moto returns nothing"
)
_LEGACY_FILTER = "moto repeats items under legacy KeyConditions + QueryFilter; AWS does not"
_MISSING_KEY_CONDITION = "AWS names KeyConditions or KeyConditionExpression; moto's text is its own"
_SEGMENT = "AWS's Segment message names both values; moto's stops early"
_NOT_NULL = "NOT_NULL is true for an empty string (it exists) on AWS; moto treats '' as null"
_INDEX_TYPE = (
    "AWS checks index key types on write ('Type mismatch for Index Key ...'); moto does not"
)
_NO_INDEX = (
    "AWS answers ValidationException 'The table does not have the specified index: nope'; "
    "moto answers ResourceNotFoundException"
)
_MODEL_LIMITS = (
    "AWS validates list lengths from its model (1..25 writes, 1..100 keys or transaction "
    "items) with '1 validation error detected: Value ... at ...'; moto accepts or words it "
    "otherwise"
)
_METRICS = (
    "AWS returns ItemCollectionMetrics only when ReturnItemCollectionMetrics=SIZE and the "
    "table has local secondary indexes; moto always returns an empty map"
)
_DUPLICATES = "AWS refuses a put and a delete of one key in one batch; moto accepts"
_PROJECTION = "moto drops an existing item from BatchGetItem with a ProjectionExpression"
_TOKEN = (
    "AWS refuses a ClientRequestToken reused with other parameters "
    "(IdempotentParameterMismatchException); moto ignores tokens"
)
_TX_VALIDATION = (
    "AWS cancels a transaction whose update fails validation with a ValidationError "
    "reason (TransactionCanceledException docs); moto raises ValidationException, and "
    "moto crashes on a missing key attribute"
)
_PARTIQL_DML = "whether AWS answers DML with Items: [] is unconfirmed; Stratus answers {}"
_PARTIQL_DUP = "AWS: INSERT of an existing key is DuplicateItemException; moto overwrites"
_PARTIQL_PARAMS = "moto mishandles INSERT parameters; Stratus inserted the item"
_NOT_FOUND = (
    "AWS's DeleteTable on a missing table answers 'Requested resource not found: Table: "
    "<name> not found'"
)
_TABLE_NAME = "AWS refuses table names shorter than 3 characters and RANGE-first key schemas"
_TTL = "AWS: 'TimeToLive is already enabled' when enabling it twice; moto accepts"
_ITEM_SIZE = (
    "AWS counts names and values in UTF-8 bytes toward 400 KB ('Item sizes'): this item "
    "fits; moto counts its JSON"
)

_STREAM_RECORDS = (
    "AWS writes no stream record for a write that changes nothing (developer guide, "
    "'Change data capture for DynamoDB Streams'), records eventVersion 1.1 (GetRecords "
    "and Lambda event samples) and SizeBytes as item sizes; moto records the no-op put, "
    "says 1.0 and counts its JSON"
)

_MIXED = (
    "AWS refuses legacy parameters beside expressions ('Can not use both expression and "
    "non-expression parameters in the same request: ...', as moto says for "
    "AttributeUpdates + UpdateExpression); moto uses one of them"
)
_OVERLAP = (
    "AWS refuses overlapping projection paths ('Two document paths overlap with each "
    "other ...'); moto projects both"
)
_RESERVED = "MISSING is one of DynamoDB's reserved words; moto does not check projections"
_ATTRIBUTE_DEFINITIONS = (
    "AWS describes the definitions of every key attribute of the table and its indexes "
    "(the table's and the new index's after UpdateTable); moto keeps only the request's"
)

MOTO_DIFFERS: dict[tuple[str, int], str] = {
    ("legacy_operators", 21): "AttributesToGet projects a Query on AWS; moto ignores it",
    ("legacy_operators", 22): _MIXED,
    ("legacy_operators", 23): _MIXED,
    ("condition_errors", 26): _MIXED,
    ("nested_paths", 4): _OVERLAP,
    ("nested_paths", 5): _OVERLAP,
    ("nested_paths", 6): _RESERVED,
    ("index_added_later", 3): _ATTRIBUTE_DEFINITIONS,
    ("index_added_later", 7): _ATTRIBUTE_DEFINITIONS,
    **{("stream_records", i): _STREAM_RECORDS for i in (5, 12, 19, 26)},
    ("put_get_every_type", 1): _NUMBERS,
    ("put_get_every_type", 2): _NUMBERS,
    ("put_get_every_type", 3): "AttributesToGet projects on AWS; moto ignores it on GetItem",
    **{("numbers_edge", i): _NUMBERS for i in (3, 5, 7, 9, 11, 15, 17, 19)},
    ("numbers_edge", 20): _NUMBER_LIMITS,
    ("numbers_edge", 22): _NUMBER_LIMITS,
    **{("empty_values", i): _SET_RULES for i in (2, 7, 8)},
    ("empty_values", 5): _EMPTY_KEY,
    **{("key_schema_violations", i): _KEY_MESSAGE for i in (0, 1, 5, 6)},
    ("condition_functions", 15): _TYPE_NAME,
    ("condition_functions", 16): _TYPE_NAME,
    ("condition_functions", 20): _BINARY_PREFIX,
    ("condition_functions", 39): _BETWEEN,
    ("condition_functions", 40): _BETWEEN,
    **{("condition_errors", i): _VALIDATES for i in (2, 18, 21, 22, 24, 25)},
    ("condition_errors", 16): _TYPE_NAME,
    ("condition_errors", 19): _EQUAL_OPERANDS,
    ("update_actions", 17): _OPERAND_MESSAGE,
    ("update_actions", 18): _OPERAND_MESSAGE,
    ("update_actions", 28): _NUMBER_LIMITS,
    ("update_actions", 30): _VALUE_WRAP,
    ("update_actions", 31): _SEQUENCE,
    ("update_actions", 33): "SET l[0].x on a number: AWS 'The document path provided in the "
    "update expression is invalid for update'; moto differs",
    ("update_return_values", 5): _UPDATED,
    ("update_return_values", 9): _UPDATED,
    ("update_return_values", 11): _ENUM,
    ("update_legacy", 5): _EXISTS,
    ("update_legacy", 6): _EXISTS,
    ("query_key_operators", 26): _BETWEEN,
    ("query_key_operators", 27): _BETWEEN,
    ("query_key_operators", 34): _UNUSED_FIRST,
    ("query_key_operators", 35): _UNUSED_FIRST,
    ("query_key_operators", 40): _KEY_TYPE,
    ("query_key_operators", 41): _KEY_TYPE,
    ("query_key_operators", 46): _ONE_PER_KEY,
    ("query_key_operators", 47): _ONE_PER_KEY,
    ("query_key_operators", 48): _SIZE_IN_KEY,
    ("query_key_operators", 49): _SIZE_IN_KEY,
    ("query_key_operators", 50): _REVERSED,
    ("query_key_operators", 51): _REVERSED,
    ("query_pagination_filters", 21): _START_KEY,
    ("query_pagination_filters", 22): _LEGACY_FILTER,
    ("query_pagination_filters", 23): _MISSING_KEY_CONDITION,
    ("scan_pagination", 17): _SEGMENT,
    ("scan_pagination", 19): _NOT_NULL,
    ("index_projections", 5): _INDEX_TYPE,
    ("index_projections", 14): _NO_INDEX,
    **{("batch_limits", i): _MODEL_LIMITS for i in (0, 4, 7, 10)},
    ("batch_limits", 1): _METRICS,
    ("batch_limits", 3): _DUPLICATES,
    ("batch_limits", 9): _PROJECTION,
    ("batch_limits", 12): _KEY_MESSAGE,
    **{("transactions", i): _MODEL_LIMITS for i in (0, 11, 14)},
    **{("transactions", i): _METRICS for i in (1, 6, 7)},
    ("transactions", 8): _TOKEN,
    ("transactions", 9): _TX_VALIDATION,
    ("transactions", 10): _TX_VALIDATION,
    ("partiql", 0): _PARTIQL_DML,
    ("partiql", 1): _PARTIQL_DUP,
    ("partiql", 3): _PARTIQL_PARAMS,
    ("partiql", 7): _PARTIQL_PARAMS,
    ("partiql", 8): _PARTIQL_DML,
    ("partiql", 9): _PARTIQL_PARAMS,
    ("partiql", 12): _PARTIQL_DUP,
    ("table_api", 2): _NOT_FOUND,
    ("table_api", 3): _TABLE_NAME,
    ("table_api", 6): _TABLE_NAME,
    ("table_api", 9): _TTL,
    ("size_limits", 0): _ITEM_SIZE,
}

_PREFIX = "1 validation error detected: "


def _explained(case: str, index: int, ours: Outcome, theirs: Outcome) -> str | None:
    """Why a divergence is not a Stratus bug, or None."""
    if theirs.get("error") == "500":
        return "moto answered 500 (its own crash): no reference answer"
    message = str(theirs.get("message", ""))
    if message.startswith(_PREFIX) and ours == {**theirs, "message": message[len(_PREFIX) :]}:
        # moto's MockValidationException prefixes messages AWS sends bare (users quote
        # "Two document paths overlap ..." and "Value provided in ExpressionAttributeNames
        # unused in expressions ..." without it)
        return "moto's '1 validation error detected' prefix"
    return MOTO_DIFFERS.get((case, index))


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log_dir: Path = tmp_path_factory.mktemp("moto")
    with moto_server(log_dir) as endpoint:
        yield endpoint


def _compare(name: str, server: ServerProcess, moto_endpoint: str) -> None:
    ours = run(CASES[name], server.endpoint)
    theirs = run(CASES[name], moto_endpoint)
    assert len(ours) == len(theirs)
    problems: list[str] = []
    for index, ((label, mine), (_, other)) in enumerate(zip(ours, theirs, strict=True)):
        if mine != other and _explained(name, index, mine, other) is None:
            problems.append(f"{name}[{index}] {label}:\n  stratus: {mine}\n  moto:    {other}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_answers_as_moto(name: str, server: ServerProcess, moto_endpoint: str) -> None:
    _compare(name, server, moto_endpoint)


def test_every_listed_difference_has_a_reason() -> None:
    assert all(reason.strip() for reason in MOTO_DIFFERS.values())
    assert {case for case, _ in MOTO_DIFFERS} <= set(CASES)
