"""Names and ARNs of state machines, executions and activities, and whose they are.

Every Step Functions resource belongs to one account in one region, and its ARN says
which: ``arn:aws:states:REGION:ACCOUNT:stateMachine:NAME``. The in-memory registries and
the store are keyed by ARN, so the same name in two regions or two accounts is two
resources without any other key, and a caller's :class:`Scope` decides what it may see:
an ARN of another account or region is simply not found, as it would be on AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stratus.services.scope import Scope
from stratus.workflows.service.errors import InvalidArnError, InvalidNameError

# Step Functions refuses whitespace, brackets, wildcards, these punctuation characters and
# control characters in names ("Naming rules" in the CreateStateMachine reference).
_BAD_NAME = re.compile(r"[\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]")
_ARN = re.compile(
    r"^arn:aws[a-zA-Z-]*:states:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<kind>stateMachine|execution|express|activity|mapRun):(?P<rest>.+)$"
)


@dataclass(frozen=True, slots=True)
class ParsedArn:
    region: str
    account: str
    kind: str
    parts: tuple[str, ...]

    @property
    def scope(self) -> Scope:
        return Scope(self.account, self.region)


def check_name(name: str, limit: int = 80) -> None:
    if not name or len(name) > limit or _BAD_NAME.search(name):
        raise InvalidNameError(f"Invalid Name: '{name}'")


def machine_arn(scope: Scope, name: str) -> str:
    return f"{scope.arn_prefix('states')}stateMachine:{name}"


def execution_arn(scope: Scope, machine: str, name: str, express: bool = False) -> str:
    kind = "express" if express else "execution"
    return f"{scope.arn_prefix('states')}{kind}:{machine}:{name}"


def activity_arn(scope: Scope, name: str) -> str:
    return f"{scope.arn_prefix('states')}activity:{name}"


def parse_arn(arn: str, *kinds: str) -> ParsedArn:
    match = _ARN.match(arn or "")
    if match is None or (kinds and match.group("kind") not in kinds):
        if match is not None:
            raise InvalidArnError(
                f"Invalid Arn: 'Resource type not valid in this context: {match.group('kind')}'"
            )
        raise InvalidArnError(f"Invalid Arn: '{arn}'")
    return ParsedArn(
        match.group("region"),
        match.group("account"),
        match.group("kind"),
        tuple(match.group("rest").split(":")),
    )


def split_qualified(arn: str) -> tuple[str, str | None]:
    """A state machine ARN and its qualifier: ``(machine ARN, "3")`` for a version,
    ``(machine ARN, "prod")`` for an alias, ``(arn, None)`` for the machine itself.

    A version's qualifier is its number; an alias name always holds a letter, ``_``,
    ``-`` or ``.`` (the model's pattern), so the two never collide."""
    parsed = parse_arn(arn, "stateMachine")
    if len(parsed.parts) == 1:
        return arn, None
    if len(parsed.parts) != 2 or not parsed.parts[1]:
        raise InvalidArnError(f"Invalid Arn: '{arn}'")
    return arn.rsplit(":", 1)[0], parsed.parts[1]


def version_arn(machine: str, number: int) -> str:
    return f"{machine}:{number}"


def alias_arn(machine: str, name: str) -> str:
    return f"{machine}:{name}"
