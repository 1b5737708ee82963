"""A Stratus of the fuzzer's own (fresh data dir), holding protected data to guard."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import ServerProcess
from tests.fuzz.protected import populate
from tests.fuzz.wire import Wire


@pytest.fixture(scope="session")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """Not the shared ``server``: thousands of hostile requests stay out of other tests."""
    proc = ServerProcess(tmp_path_factory.mktemp("fuzz") / "data")
    proc.start()
    try:
        populate(proc.client("lambda"))
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def fuzz_lambda(fuzz_server: ServerProcess) -> Any:
    """boto3 for the fuzzer's server: sets up and snapshots the protected data."""
    return fuzz_server.client("lambda")


@pytest.fixture
def wire(fuzz_server: ServerProcess) -> Iterator[Wire]:
    """A raw HTTP connection to the fuzzer's control port."""
    connection = Wire("127.0.0.1", fuzz_server.port)
    yield connection
    connection.close()
