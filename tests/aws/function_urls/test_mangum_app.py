"""A real-world app behind a function URL: FastAPI through Mangum, deployed as a zip with
its dependencies vendored (as ``pip install -t`` would), served over real HTTP."""

from __future__ import annotations

import importlib.metadata as metadata
import io
import re
import zipfile
from typing import Any

import pytest

from tests.aws.function_urls.conftest import UrlClient, make_url
from tests.conftest import ServerProcess

APP = """
from fastapi import FastAPI, Request, Response
from mangum import Mangum

app = FastAPI()


@app.get("/items/{item_id}")
def read_item(item_id: int, q: str | None = None):
    return {"item_id": item_id, "q": q}


@app.post("/echo")
async def echo(request: Request):
    body = await request.body()
    return {
        "length": len(body),
        "type": request.headers.get("content-type"),
        "cookies": dict(request.cookies),
        "path": request.url.path,
        "query": dict(request.query_params),
    }


@app.get("/cookie")
def set_cookie(response: Response):
    response.set_cookie("session", "abc")
    response.headers["x-app"] = "fastapi"
    return {"ok": True}


handler = Mangum(app, lifespan="off")
"""


def _closure(*roots: str) -> list[metadata.Distribution]:
    """The installed distributions ``roots`` need (their requirements without extras)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = list(roots)
    while todo:
        name = re.split(r"[\s<>=!~;\[(]", todo.pop(), maxsplit=1)[0].lower().replace("_", "-")
        if not name or name in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[name] = dist
        for requirement in dist.requires or []:
            if "extra ==" not in requirement:
                todo.append(requirement)
    return list(seen.values())


def _bundle() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("app.py", APP)
        for dist in _closure("fastapi", "mangum"):
            for file in dist.files or []:
                path = str(file)
                if "__pycache__" in path or path.startswith(".."):
                    continue
                located = dist.locate_file(file)
                if located.is_file():  # type: ignore[attr-defined]
                    archive.write(str(located), path)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def fastapi_url(server: ServerProcess, lambda_client: Any) -> UrlClient:
    # make_url zips app.py itself; the vendored packages come as extra files
    with zipfile.ZipFile(io.BytesIO(_bundle())) as bundle:
        files: dict[str, str | bytes] = {n: bundle.read(n) for n in bundle.namelist()}
    source = files.pop("app.py")
    assert isinstance(source, bytes)
    return make_url(
        server,
        lambda_client,
        source.decode(),
        files=files,
        function={"MemorySize": 512, "Timeout": 30},
    )[1]


def test_path_and_query_parameters(fastapi_url: UrlClient) -> None:
    response = fastapi_url.request("GET", "/items/42?q=hello")
    assert response.status_code == 200, response.text
    assert response.json() == {"item_id": 42, "q": "hello"}
    assert response.headers["content-type"] == "application/json"


def test_validation_and_not_found_come_from_the_app(fastapi_url: UrlClient) -> None:
    bad = fastapi_url.request("GET", "/items/not-a-number")
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["path", "item_id"]
    missing = fastapi_url.request("GET", "/nowhere")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


def test_body_cookies_and_query(fastapi_url: UrlClient) -> None:
    response = fastapi_url.request(
        "POST",
        "/echo?a=1&b=2",
        content=b'{"x": 1}',
        headers={"content-type": "application/json", "cookie": "one=1; two=2"},
    )
    assert response.status_code == 200, response.text
    assert response.json() == {
        "length": 8,
        "type": "application/json",
        "cookies": {"one": "1", "two": "2"},
        "path": "/echo",
        "query": {"a": "1", "b": "2"},
    }
    binary = fastapi_url.request(
        "POST", "/echo", content=bytes(range(256)), headers={"content-type": "image/png"}
    )
    assert binary.json()["length"] == 256


def test_response_cookies_and_headers(fastapi_url: UrlClient) -> None:
    response = fastapi_url.request("GET", "/cookie")
    assert response.json() == {"ok": True}
    assert response.headers["x-app"] == "fastapi"
    assert "session=abc" in response.headers["set-cookie"]


def test_same_app_through_the_path_form(fastapi_url: UrlClient) -> None:
    response = fastapi_url.by_path("GET", "/items/7")
    assert response.json() == {"item_id": 7, "q": None}
