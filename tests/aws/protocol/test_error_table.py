"""A provider's error table: the most specific rule wins; unknown errors stay unknown."""

from __future__ import annotations

from stratus.aws.protocol.error_table import ErrorRule, ErrorTable
from stratus.aws.protocol.errors import ServiceError


class Base(Exception):
    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class Missing(Base):
    pass


class Gone(Missing):
    pass


TABLE = ErrorTable(
    {
        Base: ErrorRule("ServiceException", 500),
        Missing: ErrorRule("ResourceNotFoundException", 404, lambda exc: {"Type": "User"}),
    }
)


def test_most_specific_class_wins() -> None:
    error = TABLE.translate(Gone("Function not found: x"))
    assert error is not None
    assert (error.code, error.status_code, error.message) == (
        "ResourceNotFoundException",
        404,
        "Function not found: x",
    )
    assert error.fields == {"Type": "User"}
    base = TABLE.translate(Base("boom"))
    assert base is not None and base.code == "ServiceException"


def test_unknown_exceptions_are_not_translated() -> None:
    assert TABLE.translate(KeyError("x")) is None


def test_service_errors_pass_through() -> None:
    error = ServiceError("m", code="X")
    assert TABLE.translate(error) is error


def test_merged_tables() -> None:
    merged = TABLE.merged(ErrorTable({Gone: ErrorRule("GoneException", 410)}))
    gone = merged.translate(Gone("g"))
    assert gone is not None and gone.code == "GoneException"
    assert TABLE.translate(Gone("g")).code == "ResourceNotFoundException"  # type: ignore[union-attr]
