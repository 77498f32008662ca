"""The query options of ``POST /campaigns/{id}/evaluations`` are read by its handler
(service/query.py), not by FastAPI: they must be documented and refused exactly as FastAPI does
for the same parameters declared on a route. The reference is a throwaway FastAPI app declaring
them the old way (``Query(...)`` in the signature), its validation errors as ``(loc, msg)``."""

from __future__ import annotations

import asyncio
from typing import Literal

import httpx
import pytest
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .conftest import JSON, UNIT_BODY

URL = "/campaigns/tkv_2019/evaluations"


def _declared() -> FastAPI:
    """The five options declared in a route's signature, as the service declared them before."""
    app = FastAPI()

    @app.exception_handler(RequestValidationError)
    async def _errors(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse([[".".join(map(str, e["loc"])), e["msg"]] for e in exc.errors()],
                            status_code=422)

    @app.post("/campaigns/{campaign_id}/evaluations")
    def evaluate(
        campaign_id: str,
        as_of: str | None = Query(
            None,
            description="Review date YYYY-MM-DD; picks the phase (default: the submission's as_of)",
        ),
        phase: str | None = Query(
            None, description="Phase id; the review date is its last day (exclusive with as_of)"
        ),
        param: list[str] = Query([], description="Parameter override NAME=NUMBER (repeatable)"),  # noqa: B008
        explain: bool = Query(True, description="false: criteria lists are left empty"),
        lang: Literal["vi", "en"] | None = Query(None, description="keep labels in one language"),
    ) -> dict[str, object]:
        return {"as_of": as_of, "phase": phase, "param": param, "explain": explain, "lang": lang}

    return app


class _Declared:
    """Requests to the declared app, in-process."""

    def __init__(self) -> None:
        self.app = _declared()

    def _call(self, method: str, url: str) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://declared") as c:
                return await c.request(method, url)

        return asyncio.run(call())

    def get(self, url: str) -> httpx.Response:
        return self._call("GET", url)

    def post(self, url: str) -> httpx.Response:
        return self._call("POST", url)


@pytest.fixture(scope="module")
def declared() -> _Declared:
    return _Declared()


def test_the_options_are_documented_as_fastapi_documents_them(
    client: httpx.Client, declared: _Declared
) -> None:
    ours = client.get("/openapi.json").json()["paths"][URL.replace("tkv_2019", "{campaign_id}")]
    theirs = declared.get("/openapi.json").json()["paths"][URL.replace("tkv_2019", "{campaign_id}")]
    assert ours["post"]["parameters"] == theirs["post"]["parameters"]
    assert [p["name"] for p in ours["post"]["parameters"]] == [
        "campaign_id", "as_of", "phase", "param", "explain", "lang"]


@pytest.mark.parametrize(
    "query",
    [
        "explain=maybe",
        "lang=fr",
        "explain=&lang=EN",
        "explain=maybe&lang=fr&as_of=1",
        "explain=true&explain=maybe",  # the last value of a single option counts
        "lang=en&lang=de&param=a&param=b",
    ],
)
def test_a_bad_option_is_refused_as_fastapi_refuses_it(
    client: httpx.Client, declared: _Declared, query: str
) -> None:
    expected = declared.post(f"{URL}?{query}")
    assert expected.status_code == 422
    r = client.post(f"{URL}?{query}", content=UNIT_BODY, headers={**JSON, "Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["type"] == "urn:emulation-rules:invalid-options"
    assert [[p["path"], p["message"]] for p in r.json()["problems"]] == expected.json()


@pytest.mark.parametrize(
    ("query", "verdict"),
    [
        ("", "awarded"),
        ("explain=false&unknown=1", "awarded"),
        ("explain=maybe&explain=0", "awarded"),
        ("explain=maybe&explain=false&lang=en", "awarded"),
        ("lang=vi&explain=off", "awarded"),
    ],
)
def test_good_options_are_read_as_fastapi_reads_them(
    client: httpx.Client, declared: _Declared, query: str, verdict: str
) -> None:
    options = declared.post(f"{URL}?{query}").json()
    doc = client.post(f"{URL}?{query}", content=UNIT_BODY, headers=JSON).json()
    award = doc["subjects"][0]["awards"][0]
    assert award["verdict"] == verdict
    assert bool(award["criteria"]) is options["explain"]
    assert set(award["label"]) == ({options["lang"]} if options["lang"] else {"vi", "en"})
