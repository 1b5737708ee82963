"""ListObjectsV2 and ListObjects: prefixes, delimiters, common prefixes, continuation
tokens, start-after, markers, max-keys, URL encoding."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aws.s3.conftest import error_of, unique

KEYS = [
    "a.txt",
    "dir/1.txt",
    "dir/2.txt",
    "dir/sub/3.txt",
    "dir/sub/4.txt",
    "dir2/5.txt",
    "z.txt",
]


@pytest.fixture(scope="module")
def listed(s3: Any) -> str:
    name = unique("list")
    s3.create_bucket(Bucket=name)
    for key in KEYS:
        s3.put_object(Bucket=name, Key=key, Body=key.encode())
    return name


def _all_v2(s3: Any, bucket: str, **kwargs: Any) -> tuple[list[str], list[str], int]:
    keys: list[str] = []
    prefixes: list[str] = []
    pages = 0
    token = None
    while True:
        extra = {"ContinuationToken": token} if token else {}
        page = s3.list_objects_v2(Bucket=bucket, **kwargs, **extra)
        pages += 1
        keys += [o["Key"] for o in page.get("Contents", [])]
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
        assert page["KeyCount"] == len(page.get("Contents", [])) + len(
            page.get("CommonPrefixes", [])
        )
        if not page["IsTruncated"]:
            return keys, prefixes, pages
        token = page["NextContinuationToken"]


def test_everything(s3: Any, listed: str) -> None:
    page = s3.list_objects_v2(Bucket=listed)
    assert [o["Key"] for o in page["Contents"]] == KEYS
    first = page["Contents"][0]
    assert first["Size"] == len(b"a.txt")
    assert first["StorageClass"] == "STANDARD"
    assert first["ETag"].startswith('"')
    assert page["IsTruncated"] is False
    assert page["MaxKeys"] == 1000


@pytest.mark.parametrize(
    ("kwargs", "keys", "prefixes"),
    [
        ({"Delimiter": "/"}, ["a.txt", "z.txt"], ["dir/", "dir2/"]),
        ({"Prefix": "dir/"}, ["dir/1.txt", "dir/2.txt", "dir/sub/3.txt", "dir/sub/4.txt"], []),
        ({"Prefix": "dir/", "Delimiter": "/"}, ["dir/1.txt", "dir/2.txt"], ["dir/sub/"]),
        ({"Prefix": "dir"}, KEYS[1:6], []),
        ({"Prefix": "nothing"}, [], []),
        ({"StartAfter": "dir/sub/3.txt"}, ["dir/sub/4.txt", "dir2/5.txt", "z.txt"], []),
        (
            {"Delimiter": "sub"},
            ["a.txt", "dir/1.txt", "dir/2.txt", "dir2/5.txt", "z.txt"],
            ["dir/sub"],
        ),
    ],
    ids=[
        "delimiter",
        "prefix",
        "prefix-delimiter",
        "partial-prefix",
        "no-match",
        "start-after",
        "word-delimiter",
    ],
)
def test_filters(
    s3: Any, listed: str, kwargs: dict[str, Any], keys: list[str], prefixes: list[str]
) -> None:
    page = s3.list_objects_v2(Bucket=listed, **kwargs)
    assert [o["Key"] for o in page.get("Contents", [])] == keys
    assert [p["Prefix"] for p in page.get("CommonPrefixes", [])] == prefixes


@pytest.mark.parametrize("max_keys", [1, 2, 3, 1000])
def test_paging_v2(s3: Any, listed: str, max_keys: int) -> None:
    keys, prefixes, pages = _all_v2(s3, listed, MaxKeys=max_keys)
    assert keys == KEYS
    assert pages == max(1, -(-len(KEYS) // max_keys))
    keys, prefixes, _ = _all_v2(s3, listed, MaxKeys=max_keys, Delimiter="/")
    assert keys == ["a.txt", "z.txt"]
    assert prefixes == ["dir/", "dir2/"]


def test_max_keys_zero(s3: Any, listed: str) -> None:
    page = s3.list_objects_v2(Bucket=listed, MaxKeys=0)
    assert page["KeyCount"] == 0
    assert page["IsTruncated"] is False
    assert "Contents" not in page


def test_v1_markers(s3: Any, listed: str) -> None:
    page = s3.list_objects(Bucket=listed, MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == KEYS[:2]
    assert page["IsTruncated"] is True
    assert "Owner" in page["Contents"][0]
    page = s3.list_objects(Bucket=listed, Marker=KEYS[1], MaxKeys=2)
    assert [o["Key"] for o in page["Contents"]] == KEYS[2:4]
    page = s3.list_objects(Bucket=listed, Delimiter="/", MaxKeys=2)
    assert [o["Key"] for o in page.get("Contents", [])] == ["a.txt"]
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["dir/"]
    assert page["NextMarker"] == "dir/"
    page = s3.list_objects(Bucket=listed, Delimiter="/", Marker="dir/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["dir2/"]
    assert [o["Key"] for o in page["Contents"]] == ["z.txt"]


def test_paginator(s3: Any, listed: str) -> None:
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket=listed, PaginationConfig={"PageSize": 2}
        )
        for o in page.get("Contents", [])
    ]
    assert keys == KEYS


def test_url_encoding(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="with space/ü", Body=b"x")
    # boto3 asks for EncodingType=url and decodes: the keys come back as stored.
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["with space/"]
    page = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in page["Contents"]] == ["with space/ü"]


def test_bad_continuation_token(s3: Any, listed: str) -> None:
    error = error_of(s3.list_objects_v2, Bucket=listed, ContinuationToken="!!!not-a-token")
    assert error["Code"] == "InvalidArgument"
    assert error["Message"] == "The continuation token provided is incorrect"


def test_many_keys_across_batches(s3: Any, bucket: str) -> None:
    """More keys than the store reads at once, with a delimiter folding most of them."""
    from concurrent.futures import ThreadPoolExecutor

    keys = [f"f/{i:04d}" for i in range(1200)] + ["g"]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=b""), keys))
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == ["f/"]
    assert [o["Key"] for o in page["Contents"]] == ["g"]
    all_keys, _, pages = _all_v2(s3, bucket)
    assert all_keys == keys
    assert pages == 2
