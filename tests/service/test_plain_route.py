"""The evaluations are served by a plain starlette route tried first (service/app.py
``_install_openapi``), FastAPI's route of the same path kept for the OpenAPI document: both answer
every request alike, the bearer token checked first; the document still has the operation."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from starlette.routing import Route

from emulation_rules.service.app import create_app
from emulation_rules.service.settings import ServiceSettings

from .conftest import JSON, WAIT_S, copy_campaigns, serving_in_thread, unit

TOKEN = "s3cret-token"


def requests() -> list[tuple[str, str, bytes, dict[str, str]]]:
    small = unit()
    small["subjects"] = small["subjects"][:4]
    good = json.dumps(small, ensure_ascii=False).encode()
    bad = json.dumps({"subjects": [{"id": "X", "kind": "nobody"}]}).encode()
    path = "/campaigns/tkv_2019/evaluations"
    auth = {"authorization": f"Bearer {TOKEN}"}
    return [
        ("POST", path, good, {**JSON, **auth}),
        ("POST", path + "?explain=false&lang=vi", good, {**JSON, **auth}),
        ("POST", path + "?explain=maybe", good, {**JSON, **auth}),
        ("POST", path + "?phase=nowhere", good, {**JSON, **auth, "accept-language": "en"}),
        ("POST", path, bad, {**JSON, **auth}),
        ("POST", path, b"{", {**JSON, **auth}),
        ("POST", path, good, {"content-type": "text/plain", **auth}),
        ("POST", "/campaigns/nope/evaluations", good, {**JSON, **auth}),
        ("POST", path + "?explain=maybe", good, JSON),  # no token: 401 before the query's 422
        ("POST", path, good, {**JSON, "authorization": "Bearer wrong"}),
        ("POST", path, good, {**JSON, "authorization": f"Basic {TOKEN}"}),
        ("GET", path, b"", auth),  # 405, Allow: POST
        ("PUT", path, good, {**JSON, **auth}),
    ]


def answers(client: httpx.Client, tokens: bool) -> list[tuple[int, dict[str, str], bytes]]:
    out = []
    for method, url, body, headers in requests():
        if not tokens:
            headers = {k: v for k, v in headers.items() if k != "authorization"}
        r = client.request(method, url, content=body or None, headers=headers)
        kept = {k: v for k, v in r.headers.items() if k not in ("date", "x-decision-id")}
        out.append((r.status_code, kept, r.content))
    return out


@pytest.mark.parametrize("tokens", [False, True], ids=["auth off", "auth on"])
def test_the_plain_route_answers_as_fastapis_route(tmp_path: Path, tokens: bool) -> None:
    campaigns = copy_campaigns(tmp_path / "campaigns", "tkv_2019")
    settings = ServiceSettings(campaigns, backend="python", tokens=(TOKEN,) if tokens else (),
                               log_db=str(tmp_path / "log.sqlite"))
    app = create_app(campaigns, settings=settings)
    plain = app.router.routes[0]
    assert type(plain) is Route and plain.path == "/campaigns/{campaign_id}/evaluations"
    with serving_in_thread(app) as url, httpx.Client(base_url=url, timeout=WAIT_S) as client:
        spec = client.get("/openapi.json").json()["paths"]["/campaigns/{campaign_id}/evaluations"]["post"]
        assert [p["name"] for p in spec["parameters"]] == ["campaign_id", "as_of", "phase", "param", "explain", "lang"]
        served_plainly = answers(client, tokens)
        app.router.routes.remove(plain)
        served_by_fastapi = answers(client, tokens)
    statuses = [a[0] for a in served_plainly]
    if tokens:
        assert statuses == [200, 200, 422, 422, 422, 400, 415, 404, 401, 401, 401, 405, 405]
    else:
        assert statuses == [200, 200, 422, 422, 422, 400, 415, 404, 422, 200, 200, 405, 405]
    assert served_plainly == served_by_fastapi
    assert served_plainly[-2][1]["allow"] == "POST"
