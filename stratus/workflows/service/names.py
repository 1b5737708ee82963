"""Names and ARNs of state machines, executions and activities."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stratus.workflows.service.errors import InvalidArnError, InvalidNameError

ACCOUNT_ID = "000000000000"

# Step Functions refuses whitespace, brackets, wildcards, these punctuation characters and
# control characters in names ("Naming rules" in the CreateStateMachine reference).
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|express|activity):(?P<rest>.+)$"
)


@dataclass(frozen=True, slots=True)
class ParsedArn:
    region: str
    kind: str
    parts: tuple[str, ...]


def check_name(name: str, limit: int = 80) -> None:
    if not name or len(name) > limit or _BAD_NAME.search(name):
        raise InvalidNameError(f"Invalid Name: '{name}'")


def machine_arn(region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{ACCOUNT_ID}:stateMachine:{name}"


def execution_arn(region: str, machine: str, name: str, express: bool = False) -> str:
    kind = "express" if express else "execution"
    return f"arn:aws:states:{region}:{ACCOUNT_ID}:{kind}:{machine}:{name}"


def activity_arn(region: str, name: str) -> str:
    return f"arn:aws:states:{region}:{ACCOUNT_ID}:activity:{name}"


def parse_arn(arn: str, *kinds: str) -> ParsedArn:
    match = _ARN.match(arn or "")
    if match is None or (kinds and match.group("kind") not in kinds):
        if match is not None:
            raise InvalidArnError(
                f"Invalid Arn: 'Resource type not valid in this context: {match.group('kind')}'"
            )
        raise InvalidArnError(f"Invalid Arn: '{arn}'")
    return ParsedArn(
        match.group("region"), match.group("kind"), tuple(match.group("rest").split(":"))
    )
