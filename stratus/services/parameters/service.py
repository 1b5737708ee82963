"""The parameter store: put, get, list and delete versioned values per account and region.

Parameters live in memory, keyed by (account, region, name), and every change is written
to the repository before memory changes, under one lock, so a change the caller saw
answered is stored and two changes to one name never interleave.
"""

from __future__ import annotations

import asyncio
import base64
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from stratus.services.parameters.errors import (
    Invalid,
    InvalidAllowedPattern,
    InvalidFilterKey,
    InvalidFilterOption,
    InvalidFilterValue,
    InvalidResourceId,
    InvalidResourceType,
    LabelLimitExceeded,
    ParameterAlreadyExists,
    ParameterNotFound,
    ParameterVersionNotFound,
    PatternMismatch,
)
from stratus.services.parameters.model import MAX_VERSIONS, Parameter, Version
from stratus.services.parameters.names import check_name, check_path, parse_selector
from stratus.services.parameters.repository import ParametersRepository
from stratus.services.scope import Scope

__all__ = ["ParametersService", "Selected"]

TYPES = ("String", "StringList", "SecureString")
TIERS = ("Standard", "Advanced", "Intelligent-Tiering")
DATA_TYPES = ("text", "aws:ec2:image", "aws:ssm:integration")
DEFAULT_KEY = "alias/aws/ssm"
STANDARD_LIMIT = 4096
ADVANCED_LIMIT = 8192

#: DescribeParameters' ParameterFilters: each key and the options it takes.
FILTER_OPTIONS: dict[str, tuple[str, ...]] = {
    "Name": ("Equals", "BeginsWith", "Contains"),
    "Type": ("Equals", "BeginsWith"),
    "KeyId": ("Equals", "BeginsWith"),
    "Path": ("Recursive", "OneLevel"),
    "Label": ("Equals",),
    "Tier": ("Equals", "BeginsWith"),
    "DataType": ("Equals",),
    "tag": ("Equals", "BeginsWith"),
}

#: A version carries at most 10 labels; a label is letters, digits, ``.``, ``-``, ``_``
#: (at most 100), and does not start with a digit, ``aws`` or ``ssm``.
MAX_LABELS = 10
_LABEL = re.compile(r"^[A-Za-z0-9_.\-]{1,100}$")
_RESERVED_LABEL = re.compile(r"^([0-9]|aws|ssm)", re.IGNORECASE)

Key = tuple[str, str, str]
Selected = tuple[Parameter, Version, str | None]


def ciphertext(version: Version) -> str:
    """What a SecureString reads as without decryption: an opaque, stable blob (we
    keep no KMS; the value is not secret from whoever holds the data directory)."""
    return base64.b64encode(f"{version.key_id}:{version.value}".encode()).decode()


class ParametersService:
    def __init__(
        self, repository: ParametersRepository, clock: Callable[[], float] = time.time
    ) -> None:
        self._repository = repository
        self._clock = clock
        self._parameters: dict[Key, Parameter] = {}
        self._lock = asyncio.Lock()

    async def load(self) -> None:
        for parameter in await self._repository.load():
            self._parameters[(parameter.account, parameter.region, parameter.name)] = parameter

    # -- reads -----------------------------------------------------------------------------
    def find(self, scope: Scope, name: str) -> Parameter | None:
        return self._parameters.get((scope.account, scope.region, _plain(name)))

    def get(self, scope: Scope, name: str) -> Selected:
        """A parameter by name, ARN or ``name:version`` / ``name:label`` selector."""
        plain, selector = parse_selector(_plain(name))
        parameter = self.find(scope, plain)
        if parameter is None:
            raise ParameterNotFound()
        if selector is None:
            return parameter, parameter.current, None
        if selector.isdigit():
            for version in parameter.versions:
                if version.version == int(selector):
                    return parameter, version, f":{selector}"
            raise ParameterVersionNotFound(
                f"Systems Manager could not find version {selector} of {plain}. "
                "Verify the version and try again."
            )
        for version in parameter.versions:
            if selector in version.labels:
                return parameter, version, f":{selector}"
        raise ParameterNotFound()

    def get_many(self, scope: Scope, names: list[str]) -> tuple[list[Selected], list[str]]:
        """The parameters found (in the order asked, once each) and the names not found."""
        found: list[Selected] = []
        missing: list[str] = []
        for name in dict.fromkeys(names):
            try:
                found.append(self.get(scope, name))
            except (ParameterNotFound, ParameterVersionNotFound):
                missing.append(name)
        return found, missing

    def by_path(
        self,
        scope: Scope,
        path: str,
        *,
        recursive: bool,
        filters: list[dict[str, Any]],
    ) -> list[Parameter]:
        root = check_path(path)
        for entry in filters:
            if entry["Key"] in ("Name", "Path") or (
                entry["Key"] not in FILTER_OPTIONS and not (entry["Key"].startswith("tag:"))
            ):
                raise InvalidFilterKey(
                    f"The following filter key is not valid: {entry['Key']}. Valid filter "
                    "keys include: [Type, KeyId, Label, tag, DataType, Tier]."
                )
        prefix = "/" if root == "/" else f"{root}/"
        chosen = []
        for parameter in self._in_scope(scope):
            if not parameter.name.startswith(prefix):
                continue
            if not recursive and "/" in parameter.name[len(prefix) :]:
                continue
            chosen.append(parameter)
        return _filtered(chosen, filters)

    def describe(
        self, scope: Scope, filters: list[dict[str, Any]], parameter_filters: list[dict[str, Any]]
    ) -> list[Parameter]:
        if filters and parameter_filters:
            raise Invalid("You can use either Filters or ParameterFilters in a single request.")
        converted = [{"Key": f["Key"], "Option": "Equals", "Values": f["Values"]} for f in filters]
        return _filtered(list(self._in_scope(scope)), converted or parameter_filters)

    def history(self, scope: Scope, name: str) -> Parameter:
        parameter = self.find(scope, name)
        if parameter is None:
            raise ParameterNotFound()
        return parameter

    # -- writes ----------------------------------------------------------------------------
    async def put(self, scope: Scope, params: dict[str, Any]) -> Version:
        name = params["Name"]
        check_name(name)
        tags = {t["Key"]: t["Value"] for t in params.get("Tags") or []}
        overwrite = bool(params.get("Overwrite"))
        if tags and overwrite:
            raise Invalid(
                "Invalid request: tags and overwrite can't be used together. To create a "
                "parameter with tags, please remove overwrite flag. To update tags for an "
                "existing parameter, please use AddTagsToResource or RemoveTagsFromResource."
            )
        async with self._lock:
            existing = self.find(scope, name)
            if existing is not None and not overwrite:
                raise ParameterAlreadyExists(
                    "The parameter already exists. To overwrite this value, set the "
                    "overwrite option in the request to true."
                )
            previous = existing.current if existing is not None else None
            version = self._version(params, previous)
            if existing is None:
                parameter = Parameter(scope.account, scope.region, name, [version], tags)
            else:
                versions = [*existing.versions, version][-MAX_VERSIONS:]
                parameter = Parameter(
                    scope.account, scope.region, name, versions, dict(existing.tags)
                )
            await self._repository.put(parameter)
            self._parameters[(scope.account, scope.region, name)] = parameter
            return version

    def _version(self, params: dict[str, Any], previous: Version | None) -> Version:
        kind = params.get("Type") or (previous.type if previous else None)
        if kind is None:
            raise Invalid("A parameter type is required when you create a parameter.")
        value = params["Value"]
        if value == "":
            raise Invalid(
                "1 validation error detected: Value '' at 'value' failed to satisfy "
                "constraint: Member must have length greater than or equal to 1."
            )
        data_type = params.get("DataType") or (previous.data_type if previous else "text")
        if data_type not in DATA_TYPES:
            raise Invalid(
                f"The following data type is not supported: {data_type} (Data type names "
                "are all lowercase.)"
            )
        tier = params.get("Tier") or (previous.tier if previous else "Standard")
        if tier == "Intelligent-Tiering":
            tier = "Advanced" if len(value) > STANDARD_LIMIT else "Standard"
        if tier == "Standard" and len(value) > STANDARD_LIMIT:
            raise Invalid(
                "Standard tier parameters support a maximum parameter value of 4096 "
                "characters. To create a larger parameter value, upgrade the parameter to "
                "use the advanced-parameter tier. For more information, see "
                "https://docs.aws.amazon.com/systems-manager/latest/userguide/"
                "parameter-store-advanced-parameters.html"
            )
        if len(value) > ADVANCED_LIMIT:
            raise Invalid(
                "Advanced tier parameters support a maximum parameter value of 8192 characters."
            )
        if "KeyId" in params and kind != "SecureString":
            raise Invalid("KeyId is only supported for parameters of type SecureString.")
        key_id = ""
        if kind == "SecureString":
            key_id = params.get("KeyId") or (previous.key_id if previous else "") or DEFAULT_KEY
        pattern = params.get(
            "AllowedPattern", previous.allowed_pattern if previous is not None else ""
        )
        if pattern:
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                raise InvalidAllowedPattern(
                    f"Parameter allowed pattern {pattern} is not a valid regular expression: {exc}"
                ) from exc
            if not compiled.fullmatch(value):
                raise PatternMismatch(
                    f"Parameter value, cannot be validated against allowedPattern: {pattern}"
                )
        return Version(
            version=(previous.version + 1) if previous else 1,
            value=value,
            type=kind,
            modified=self._clock(),
            description=params.get(
                "Description", previous.description if previous is not None else ""
            ),
            allowed_pattern=pattern,
            tier=tier,
            data_type=data_type,
            key_id=key_id,
        )

    async def delete(self, scope: Scope, name: str) -> None:
        async with self._lock:
            if self.find(scope, name) is None:
                raise ParameterNotFound()
            await self._repository.delete(scope.account, scope.region, [_plain(name)])
            self._parameters.pop((scope.account, scope.region, _plain(name)), None)

    async def delete_many(self, scope: Scope, names: list[str]) -> tuple[list[str], list[str]]:
        """The names deleted and the names that held no parameter."""
        async with self._lock:
            present = [n for n in dict.fromkeys(names) if self.find(scope, n) is not None]
            missing = [n for n in dict.fromkeys(names) if self.find(scope, n) is None]
            await self._repository.delete(scope.account, scope.region, [_plain(n) for n in present])
            for name in present:
                self._parameters.pop((scope.account, scope.region, _plain(name)), None)
            return present, missing

    async def label(
        self, scope: Scope, name: str, version: int | None, labels: list[str]
    ) -> tuple[int, list[str]]:
        """Moves each valid label to the version (the newest by default): the version's
        number and the labels refused (as AWS answers them, not as an error)."""
        invalid = [lbl for lbl in labels if not _LABEL.match(lbl) or _RESERVED_LABEL.match(lbl)]
        labels = [lbl for lbl in labels if lbl not in invalid]
        async with self._lock:
            parameter, chosen, _ = self.get(scope, name if version is None else f"{name}:{version}")
            if len(set(chosen.labels) | set(labels)) > MAX_LABELS:
                raise LabelLimitExceeded(
                    "A parameter version can have maximum 10 labels. Move one or more labels "
                    "to another version and try again."
                )
            moved = []
            for v in parameter.versions:
                kept = tuple(lbl for lbl in v.labels if lbl not in labels)
                if v.version == chosen.version:
                    kept = (*kept, *[lbl for lbl in labels if lbl not in kept])
                moved.append(replace(v, labels=kept))
            updated = Parameter(
                parameter.account, parameter.region, parameter.name, moved, parameter.tags
            )
            if labels:
                await self._repository.put(updated)
                self._parameters[(scope.account, scope.region, parameter.name)] = updated
            return chosen.version, invalid

    async def tag(
        self, scope: Scope, kind: str, name: str, add: dict[str, str], remove: Iterable[str]
    ) -> None:
        async with self._lock:
            parameter = self.tagged(scope, kind, name)
            tags = {k: v for k, v in parameter.tags.items() if k not in set(remove)}
            tags.update(add)
            updated = Parameter(
                parameter.account, parameter.region, parameter.name, parameter.versions, tags
            )
            await self._repository.put(updated)
            self._parameters[(scope.account, scope.region, parameter.name)] = updated

    def tagged(self, scope: Scope, kind: str, name: str) -> Parameter:
        if kind != "Parameter":
            raise InvalidResourceType("The resource type is not valid.")
        parameter = self.find(scope, name)
        if parameter is None:
            raise InvalidResourceId("The resource ID is not valid. Verify the ID and try again.")
        return parameter

    def _in_scope(self, scope: Scope) -> list[Parameter]:
        return sorted(
            (
                p
                for (account, region, _), p in self._parameters.items()
                if account == scope.account and region == scope.region
            ),
            key=lambda p: p.name,
        )


def _plain(name: str) -> str:
    """A parameter's name from its name or its ARN (``arn:aws:ssm:...:parameter/x``)."""
    if name.startswith("arn:"):
        resource = name.split(":", 5)[-1]
        if resource.startswith("parameter/"):
            rest = resource[len("parameter") :]
            # arn ...:parameter/a names "a"; ...:parameter/a/b names "/a/b"
            return rest if rest.count("/") > 1 else rest[1:]
    return name


def _filtered(parameters: list[Parameter], filters: list[dict[str, Any]]) -> list[Parameter]:
    tests = [_filter(entry) for entry in filters]
    return [p for p in parameters if all(test(p) for test in tests)]


def _filter(entry: dict[str, Any]) -> Callable[[Parameter], bool]:
    key = entry["Key"]
    family = "tag" if key.startswith("tag:") else key
    if family not in FILTER_OPTIONS:
        raise InvalidFilterKey(f"The following filter key is not valid: {key}.")
    option = entry.get("Option") or ("OneLevel" if family == "Path" else "Equals")
    if option not in FILTER_OPTIONS[family]:
        if family == "Path":
            raise InvalidFilterOption(
                f"The following filter option is not valid: {option}. Valid options "
                "include: [Recursive, OneLevel]."
            )
        raise InvalidFilterOption(
            f"The following filter option is not valid: {option}. Valid options include: "
            f"[{', '.join(FILTER_OPTIONS[family])}]."
        )
    values: list[str] = list(entry.get("Values") or [])
    if family != "tag" and not values:
        raise InvalidFilterValue(
            f"The following filter values are missing : null for filter key {key}."
        )

    def matches(text: str) -> bool:
        if option == "BeginsWith":
            return any(text.startswith(v) for v in values)
        if option == "Contains":
            return any(v in text for v in values)
        return text in values

    if family == "Path":
        roots = [check_path(v) for v in values]

        def under(p: Parameter) -> bool:
            for root in roots:
                prefix = "/" if root == "/" else f"{root}/"
                if p.name.startswith(prefix) and (
                    option == "Recursive" or "/" not in p.name[len(prefix) :]
                ):
                    return True
            return False

        return under
    if family == "tag":
        tag_key = key[len("tag:") :]
        return lambda p: tag_key in p.tags and (not values or matches(p.tags[tag_key]))
    if family == "Name":
        return lambda p: matches(p.name) or matches(p.name.lstrip("/"))
    if family == "Label":
        return lambda p: any(matches(lbl) for v in p.versions for lbl in v.labels)
    field = {"Type": "type", "KeyId": "key_id", "Tier": "tier", "DataType": "data_type"}[family]
    return lambda p: matches(str(getattr(p.current, field)))
