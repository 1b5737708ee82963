"""Our SAM transform (template loader + aws-sam-translator as the engine calls it) against
the 55 input -> expected CloudFormation pairs of AWS's own translator tests.

Compared as AWS's test suite compares them: lists order-free, and the API deployments'
logical ids and descriptions (a hash of the generated OpenAPI document, which differs
with dict ordering) normalised.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from stratus.services.stacks.template.loader import parse_template
from stratus.services.stacks.template.sam import transform_sam
from tests.conftest import CONFORMANCE

CASES = CONFORMANCE / "sam" / "sam-translator-tests"
INPUTS = sorted((CASES / "input").glob("*.yaml")) if CASES.is_dir() else []

pytestmark = pytest.mark.skipif(not INPUTS, reason=f"conformance material absent: {CASES}")

_DEPLOYMENT = re.compile(r"^(\w*Deployment)[0-9a-f]{10}$")


def _normal(value: Any) -> Any:
    text = json.dumps(value, sort_keys=True)
    ids = {
        m: _DEPLOYMENT.sub(r"\1HASH", m) for m in re.findall(r'"(\w*Deployment[0-9a-f]{10})"', text)
    }
    for old, new in ids.items():
        text = text.replace(f'"{old}"', f'"{new}"')
    text = re.sub(r"deployment id: [0-9a-f]{40}", "deployment id: HASH", text)
    return _sorted(json.loads(text))


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((_sorted(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


@pytest.mark.parametrize("source", INPUTS, ids=[p.stem for p in INPUTS])
def test_translation_matches_aws(source: Path) -> None:
    document = parse_template(source.read_text())
    expected = json.loads((CASES / "output" / f"{source.stem}.json").read_text())
    translated = transform_sam(document, {}, "us-east-1")
    assert _normal(translated) == _normal(expected)
