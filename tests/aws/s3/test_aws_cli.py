"""The AWS CLI's high-level ``aws s3`` commands (cp, ls, sync, rm) against Stratus."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ServerProcess


def _aws(server: ServerProcess, home: Path, *args: str) -> str:
    cli = str(Path(sys.executable).with_name("aws"))
    if not Path(cli).exists():
        pytest.skip("the AWS CLI (pip install awscli) is not installed")
    env = {
        "PATH": str(Path(sys.executable).parent),
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    out = subprocess.run(
        [cli, "--endpoint-url", server.endpoint, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.slow  # five AWS CLI runs: about 20 s on a loaded machine
def test_cp_ls_sync_rm(server: ServerProcess, s3: Any, bucket: str, tmp_path: Path) -> None:
    source = tmp_path / "site"
    (source / "css").mkdir(parents=True)
    (source / "index.html").write_text("<h1>hi</h1>")
    (source / "css" / "main.css").write_text("body {}")
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(12 * 1024 * 1024))  # past the CLI's 8 MB multipart threshold
    _aws(server, tmp_path, "s3", "cp", str(big), f"s3://{bucket}/big.bin")
    _aws(server, tmp_path, "s3", "sync", str(source), f"s3://{bucket}/site")
    listing = _aws(server, tmp_path, "s3", "ls", f"s3://{bucket}/site/", "--recursive")
    assert "site/index.html" in listing and "site/css/main.css" in listing
    back = tmp_path / "back.bin"
    _aws(server, tmp_path, "s3", "cp", f"s3://{bucket}/big.bin", str(back))
    assert back.read_bytes() == big.read_bytes()
    assert s3.head_object(Bucket=bucket, Key="big.bin")["ETag"].endswith('-2"')
    _aws(server, tmp_path, "s3", "rm", f"s3://{bucket}/site", "--recursive")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["big.bin"]
