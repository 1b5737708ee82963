"""Deployment packages that are hostile or odd: refused with Lambda's error, or used as Lambda
would, and never a 500, a half-stored function or a full disk.

AWS sources for the messages (InvalidParameterValueException, 400, unless said otherwise):
- "Unzipped size must be smaller than 262144000 bytes": reported from CreateFunction and
  UpdateFunctionCode in Miserlou/Zappa#612, serverless/serverless#6792 and
  frinyvonnick/node-html-to-image#57 ("Error Code: InvalidParameterValueException").
  The limit is "250 MB (unzipped)", "the maximum size of a function's deployment package
  and layers when they're extracted" (Lambda quotas; API_AccountLimit, CodeSizeUnzipped).
- "Function code combined with layers exceeds the maximum allowed size of 262144000
  bytes. The actual size is 263669938 bytes.": lambci/git-lambda-layer#27, brefphp/bref#450.
- "Could not unzip uploaded file. Please check your file, then try to upload again.":
  aws-samples/aws-rds-snapshot-management#4, github-aws-runners/terraform-aws-github-runner
  #2269 (with ``"Type": "User"``).
- "Uploaded file must be a non-empty zip": aws-samples/amazon-textract-a2i-pdf#5 and
  aws-samples/aws-stepfunctions-examples#31 (an empty asset directory zipped by CDK).
- "Zipped size must be smaller than 52428800 bytes" (RequestEntityTooLargeException, 413):
  since late 2023 Lambda checks the zip before the request's size (localstack/docs#933;
  before, "Request must be smaller than 69905067 bytes for the CreateFunction operation",
  motdotla/node-lambda#123).

Where AWS documents nothing (zip slip, a file and a directory of one name, an entry named
".") the package is refused with the unzip error: Lambda cannot unpack it into one tree
either. Duplicate entries: the last one wins, as ``unzip -o`` does. Symlinks are kept as
symlinks (Lambda keeps them; layers ship ``libfoo.so -> libfoo.so.1``) and the server
never writes through one.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import stat
import struct
import urllib.request
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.aws.lambda_.conftest import assert_error, assert_no_function
from tests.conftest import ROLE, ServerProcess, create_function, make_zip, unique_name

LIMIT = 262144000
UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."
EMPTY_ZIP = "Uploaded file must be a non-empty zip"
TOO_LARGE = f"Unzipped size must be smaller than {LIMIT} bytes"
SOURCE = "def handler(event, context):\n    return 'v1'\n"
GIB = 1 << 30


# -- building zips --------------------------------------------------------------------
@functools.cache
def zeros_bomb(size: int = GIB) -> bytes:
    """``size`` bytes of zeros in one deflated entry: 1 GB packs into about 1 MB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=size >= (1 << 31)) as sink:
            chunk = bytes(1 << 20)
            for _ in range(size // len(chunk)):
                sink.write(chunk)
            sink.write(bytes(size % len(chunk)))
        archive.writestr("app.py", SOURCE)
    return buffer.getvalue()


def patch_entry(data: bytes, name: str, **fields: int) -> bytes:
    """Rewrite header fields of entry ``name`` in both its local and central headers.

    Fields: ``flags``, ``method``, ``size`` (uncompressed). The lie is told consistently,
    the way a crafted archive tells it.
    """
    local = {"flags": (6, "<H"), "method": (8, "<H"), "size": (22, "<I")}
    central = {"flags": (8, "<H"), "method": (10, "<H"), "size": (24, "<I")}
    out = bytearray(data)
    encoded = name.encode()
    for signature, offsets, name_at in ((b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)):
        start = 0
        while (position := out.find(signature, start)) >= 0:
            start = position + 4
            if bytes(out[position + name_at : position + name_at + len(encoded)]) != encoded:
                continue
            for key, value in fields.items():
                offset, fmt = offsets[key]
                struct.pack_into(fmt, out, position + offset, value)
    return bytes(out)


def raw_zip(*entries: tuple[str, bytes, int]) -> bytes:
    """A zip from (name, content, Unix mode with file type) triples, in that order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Duplicate name": wanted here
                archive.writestr(info, content)
    return buffer.getvalue()


FILE = stat.S_IFREG | 0o644
DIR = stat.S_IFDIR | 0o755
LINK = stat.S_IFLNK | 0o777
APP = ("app.py", SOURCE.encode(), FILE)


# -- what the server keeps ------------------------------------------------------------
def blobs(server: ServerProcess) -> set[str]:
    root = server.data_dir / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")}


def disk_usage(path: Path) -> int:
    total = 0
    for directory, _dirs, files in os.walk(path):
        for file in files:
            try:
                total += os.lstat(os.path.join(directory, file)).st_size
            except FileNotFoundError:  # a WAL checkpoint or a temporary file, gone
                pass
    return total


def assert_healthy(server: ServerProcess, client: Any) -> None:
    with urllib.request.urlopen(f"{server.endpoint}/_stratus/health", timeout=10) as response:
        assert response.status == 200
    name = create_function(client, SOURCE)
    assert json.loads(client.invoke(FunctionName=name)["Payload"].read()) == "v1"


@contextlib.contextmanager
def nothing_stored(server: ServerProcess) -> Iterator[None]:
    """What runs inside stores no blob and takes no real disk space (a refused 1 GB bomb
    must not leave even part of its gigabyte behind)."""
    before_blobs = blobs(server)
    before_disk = disk_usage(server.data_dir)
    yield
    assert blobs(server) == before_blobs
    assert disk_usage(server.data_dir) - before_disk < 20 * 1024 * 1024


def _create(client: Any, zip_bytes: bytes, name: str | None = None) -> Any:
    return client.create_function(
        FunctionName=name or unique_name("pkg"),
        Runtime="python3.11",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_bytes},
    )


# -- zip bombs ------------------------------------------------------------------------
BOMBS = [
    pytest.param(lambda: zeros_bomb(), TOO_LARGE, id="1GB-of-zeros"),
    # The central directory and the local header claim 1000 bytes; the data inflates to
    # 1 GB. Reading stops at the claimed size and the CRC then fails.
    pytest.param(
        lambda: patch_entry(zeros_bomb(), "zeros.bin", size=1000), UNZIP_ERROR, id="lying-sizes"
    ),
]


@pytest.mark.parametrize(("build", "message"), BOMBS)
def test_zip_bomb_refused_by_create(
    server: ServerProcess, lambda_client: Any, build: Callable[[], bytes], message: str
) -> None:
    name = unique_name("bomb")
    bomb = build()
    with (
        nothing_stored(server),
        pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error,
    ):
        _create(lambda_client, bomb, name)
    assert_error(error, "InvalidParameterValueException", message, 400)
    assert_no_function(lambda_client, name)
    assert_healthy(server, lambda_client)


@pytest.mark.parametrize(("build", "message"), BOMBS)
def test_zip_bomb_refused_by_update(
    server: ServerProcess, lambda_client: Any, build: Callable[[], bytes], message: str
) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function(FunctionName=name)["Configuration"]
    bomb = build()
    with (
        nothing_stored(server),
        pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error,
    ):
        lambda_client.update_function_code(FunctionName=name, ZipFile=bomb)
    assert_error(error, "InvalidParameterValueException", message, 400)
    after = lambda_client.get_function(FunctionName=name)["Configuration"]
    assert (after["CodeSha256"], after["RevisionId"]) == (
        before["CodeSha256"],
        before["RevisionId"],
    )
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == "v1"


def test_zip_bomb_refused_as_layer(server: ServerProcess, lambda_client: Any) -> None:
    layer = unique_name("bomb-layer")
    bomb = zeros_bomb()
    with (
        nothing_stored(server),
        pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error,
    ):
        lambda_client.publish_layer_version(LayerName=layer, Content={"ZipFile": bomb})
    assert_error(error, "InvalidParameterValueException", TOO_LARGE, 400)
    assert lambda_client.list_layer_versions(LayerName=layer)["LayerVersions"] == []


def test_limit_counts_code_and_layers_together(tmp_path: Path) -> None:
    """Each package fits alone; the function with its layer does not (a small limit, so
    the test writes kilobytes, not 250 MB)."""
    limit, zipped_limit = 1_000_000, 200_000
    server = ServerProcess(
        tmp_path / "data",
        "--limit",
        f"unzipped_bytes={limit}",
        "--limit",
        f"zip_bytes={zipped_limit}",
    ).start()
    try:
        client = server.client("lambda")
        layer = client.publish_layer_version(
            LayerName="big", Content={"ZipFile": make_zip({"python/big.bin": bytes(600_000)})}
        )["LayerVersionArn"]
        code = make_zip({"app.py": SOURCE, "data.bin": bytes(500_000)})
        combined = (
            "Function code combined with layers exceeds the maximum allowed size of "
            f"{limit} bytes. The actual size is {600_000 + 500_000 + len(SOURCE)} bytes."
        )
        stored = blobs(server)
        name = unique_name("combined")
        with pytest.raises(client.exceptions.InvalidParameterValueException) as error:
            client.create_function(
                FunctionName=name,
                Runtime="python3.11",
                Role=ROLE,
                Handler="app.handler",
                Code={"ZipFile": code},
                Layers=[layer],
            )
        assert_error(error, "InvalidParameterValueException", combined, 400)
        assert_no_function(client, name)
        assert blobs(server) == stored

        create_function(client, SOURCE, name=name, files={"data.bin": bytes(500_000)})
        before = client.get_function_configuration(FunctionName=name)
        with pytest.raises(client.exceptions.InvalidParameterValueException) as error:
            client.update_function_configuration(FunctionName=name, Layers=[layer])
        assert_error(error, "InvalidParameterValueException", combined, 400)
        after = client.get_function_configuration(FunctionName=name)
        assert after["RevisionId"] == before["RevisionId"] and "Layers" not in after

        small = create_function(client, SOURCE, Layers=[layer])
        stored = blobs(server)
        with pytest.raises(client.exceptions.InvalidParameterValueException) as error:
            client.update_function_code(FunctionName=small, ZipFile=code)
        assert_error(error, "InvalidParameterValueException", combined, 400)
        assert blobs(server) == stored
        with pytest.raises(client.exceptions.InvalidParameterValueException) as error:
            _create(client, make_zip({"app.py": SOURCE, "big.bin": bytes(limit)}))
        assert_error(
            error,
            "InvalidParameterValueException",
            f"Unzipped size must be smaller than {limit} bytes",
            400,
        )

        # Over the zipped limit (random bytes do not compress): refused before anything
        # else, by every operation that takes a zip.
        noise = make_zip({"app.py": SOURCE, "noise.bin": os.urandom(zipped_limit)})
        stored = blobs(server)
        calls = [
            lambda: _create(client, noise),
            lambda: client.update_function_code(FunctionName=small, ZipFile=noise),
            lambda: client.publish_layer_version(LayerName="noise", Content={"ZipFile": noise}),
        ]
        for call in calls:
            with pytest.raises(client.exceptions.ClientError) as error:
                call()
            assert_error(
                error,
                "RequestEntityTooLargeException",
                f"Zipped size must be smaller than {zipped_limit} bytes",
                413,
            )
        assert blobs(server) == stored
    finally:
        server.stop()


# -- odd packages that Lambda refuses ---------------------------------------------------
REFUSED = [
    pytest.param(b"", EMPTY_ZIP, id="zero-bytes"),
    pytest.param(make_zip({}), EMPTY_ZIP, id="no-entries"),
    pytest.param(raw_zip(("lib/", b"", DIR), ("lib/sub/", b"", DIR)), EMPTY_ZIP, id="dirs-only"),
    pytest.param(b"not a zip at all" * 10, UNZIP_ERROR, id="not-a-zip"),
    pytest.param(
        raw_zip(APP, ("lib", b"x", FILE), ("lib/", b"", DIR)),
        UNZIP_ERROR,
        id="file-and-directory-of-one-name",
    ),
    pytest.param(
        raw_zip(APP, ("lib", b"x", FILE), ("lib/mod.py", b"x", FILE)),
        UNZIP_ERROR,
        id="file-under-a-file",
    ),
    pytest.param(raw_zip(APP, (".", b"x", FILE)), UNZIP_ERROR, id="file-named-dot"),
    pytest.param(raw_zip(APP, ("../evil.py", b"x", FILE)), UNZIP_ERROR, id="dot-dot"),
    pytest.param(raw_zip(APP, ("lib/../../evil.py", b"x", FILE)), UNZIP_ERROR, id="dot-dot-inside"),
    pytest.param(raw_zip(APP, ("/tmp/evil.py", b"x", FILE)), UNZIP_ERROR, id="absolute-path"),
    pytest.param(
        raw_zip(APP, ("out", b"/tmp", LINK), ("out/evil.py", b"x", FILE)),
        UNZIP_ERROR,
        id="file-beneath-a-symlink",
    ),
    pytest.param(raw_zip(APP, ("link", b"", LINK)), UNZIP_ERROR, id="symlink-without-target"),
    pytest.param(
        patch_entry(make_zip({"app.py": SOURCE}), "app.py", flags=1),
        UNZIP_ERROR,
        id="encrypted-entry",
    ),
    pytest.param(
        patch_entry(make_zip({"app.py": SOURCE}), "app.py", method=9),
        UNZIP_ERROR,
        id="deflate64-unsupported",
    ),
    pytest.param(make_zip({"app.py": SOURCE})[:-30], UNZIP_ERROR, id="truncated"),
]


@pytest.mark.parametrize(("zip_bytes", "message"), REFUSED)
def test_odd_package_refused(
    server: ServerProcess, lambda_client: Any, zip_bytes: bytes, message: str
) -> None:
    name = unique_name("odd")
    with (
        nothing_stored(server),
        pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error,
    ):
        _create(lambda_client, zip_bytes, name)
    assert_error(error, "InvalidParameterValueException", message, 400)
    assert_no_function(lambda_client, name)


@pytest.mark.parametrize(("zip_bytes", "message"), REFUSED[3:9])
def test_odd_package_refused_by_update(lambda_client: Any, zip_bytes: bytes, message: str) -> None:
    name = create_function(lambda_client, SOURCE)
    before = lambda_client.get_function_configuration(FunctionName=name)
    with pytest.raises(lambda_client.exceptions.InvalidParameterValueException) as error:
        lambda_client.update_function_code(FunctionName=name, ZipFile=zip_bytes)
    assert_error(error, "InvalidParameterValueException", message, 400)
    after = lambda_client.get_function_configuration(FunctionName=name)
    assert after["RevisionId"] == before["RevisionId"]
    assert json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read()) == "v1"


# -- odd packages that work -----------------------------------------------------------
READER = """
import os

def handler(event, context):
    root = os.environ["LAMBDA_TASK_ROOT"]
    found = {}
    for directory, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for entry in dirs + files:
            path = os.path.join(directory, entry)
            key = os.path.relpath(path, root)
            if os.path.islink(path):
                found[key] = "-> " + os.readlink(path)
            elif os.path.isdir(path):
                found[key] = "dir"
            else:
                with open(path, errors="replace") as f:
                    found[key] = f.read()
    return found
"""


def _reader(*entries: tuple[str, bytes, int]) -> bytes:
    return raw_zip(("app.py", READER.encode(), FILE), *entries)


WORKS = [
    pytest.param(
        _reader(("./", b"", DIR), ("./lib/./a.txt", b"a", FILE)),
        {"lib": "dir", "lib/a.txt": "a"},
        id="dot-components",
    ),
    pytest.param(
        _reader(("a.txt", b"first", FILE), ("a.txt", b"second", FILE)),
        {"a.txt": "second"},
        id="duplicate-last-wins",
    ),
    pytest.param(
        _reader(("lib/", b"", DIR), ("lib/", b"", DIR), ("lib/a.txt", b"a", FILE)),
        {"lib": "dir", "lib/a.txt": "a"},
        id="duplicate-directory",
    ),
    pytest.param(
        _reader(("real.txt", b"r", FILE), ("alias.txt", b"real.txt", LINK)),
        {"real.txt": "r", "alias.txt": "-> real.txt"},
        id="symlink-inside",
    ),
    pytest.param(
        _reader(("passwd", b"/etc/passwd", LINK)),
        {"passwd": "-> /etc/passwd"},
        id="symlink-pointing-outside-kept-as-a-link",
    ),
    pytest.param(
        _reader(("up", b"../../..", LINK)), {"up": "-> ../../.."}, id="symlink-pointing-up"
    ),
    pytest.param(_reader(("noattrs.txt", b"n", 0)), {"noattrs.txt": "n"}, id="no-unix-mode"),
]


@pytest.mark.parametrize(("zip_bytes", "expected"), WORKS)
def test_odd_package_works(lambda_client: Any, zip_bytes: bytes, expected: dict[str, str]) -> None:
    name = unique_name("odd-ok")
    _create(lambda_client, zip_bytes, name)
    found = json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read())
    assert found.pop("app.py", None) == READER, found
    assert found == expected


def test_duplicate_never_writes_through_a_symlink(lambda_client: Any, tmp_path: Path) -> None:
    """A symlink to a path outside, then a file of the same name: the file replaces the
    link in the package; nothing is written where the link pointed."""
    target = tmp_path / "outside.txt"
    zip_bytes = _reader(("x.txt", str(target).encode(), LINK), ("x.txt", b"inside", FILE))
    name = unique_name("odd-ok")
    _create(lambda_client, zip_bytes, name)
    found = json.loads(lambda_client.invoke(FunctionName=name)["Payload"].read())
    assert found["x.txt"] == "inside"
    assert not target.exists()
